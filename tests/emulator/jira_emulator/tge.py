"""Table Grid Editor REST API: the 13 endpoints under ``/rest/idalko-igrid/1.0/grid``.

Errors are plain text, as TGE sends them. Checks run in the order: grid (404/400), issue (404),
permission (403), custom field context (400), then the request itself.
"""

from __future__ import annotations

import json
from typing import Any

from .columns import DATES_MUST_BE_NUMBERS, InvalidValue
from .store import Grid, Issue, Row, Store, User
from .web import Request, Response, Router, empty_response, json_response, tge_error

BASE = "/rest/idalko-igrid/1.0/grid"
GRID_ISSUE = BASE + "/{gridId}/issue/{issueId}"
CONNECTION_URL = "jdbc:postgresql://localhost:5432/jiradb"
META_COLUMNS = ("id", "issueId", "modified")


def register(router: Router, store: Store) -> None:
    """Add the TGE routes to ``router``."""
    routes = TgeRoutes(store)
    router.add("GET", BASE + "/list", routes.grid_list)
    router.add("PUT", BASE + "/synchronize", routes.synchronize)
    router.add("GET", BASE + "/{gridId}/datasource", routes.datasource)
    router.add("GET", BASE + "/{gridId}/rowcount", routes.rowcount)
    router.add("GET", GRID_ISSUE + "/rowcount", routes.rowcount)
    router.add("POST", BASE + "/issue/{issueId}/reload", routes.reload)
    router.add("PUT", GRID_ISSUE + "/clear", routes.clear)
    router.add("PUT", GRID_ISSUE + "/clearDuplicates", routes.clear_duplicates)
    router.add("PUT", GRID_ISSUE + "/clearNotModified", routes.clear_not_modified)
    router.add("GET", GRID_ISSUE, routes.read_rows)
    router.add("GET", GRID_ISSUE + "/row/{rowId}", routes.read_rows)
    router.add("GET", BASE + "/{gridId}/issues", routes.read_all_issues)
    router.add("POST", GRID_ISSUE, routes.add_rows)
    router.add("PUT", GRID_ISSUE, routes.edit_rows)
    router.add("DELETE", GRID_ISSUE, routes.remove_rows)


def render_row(
    row: Row, grid: Grid, issue_id: int | None, columns: list[str] | None, option_cells: str = "name_value"
) -> dict[str, Any]:
    """A row as TGE returns it: id, issueId, modified, then non-empty cells in column order."""
    out: dict[str, Any] = {"id": row.id}
    if issue_id is not None:
        out["issueId"] = issue_id
    out["modified"] = row.modified
    values = row.values
    for name in columns if columns is not None else grid.column_map:
        if name in values:
            value = values[name]
            if columns is None and option_cells != "name_value" and isinstance(value, dict):
                value = {option_cells: value[option_cells]}
            out[name] = value
    return out


class TgeRoutes:
    """Handlers for the TGE endpoints."""

    def __init__(self, store: Store):
        self.store = store

    # -- lookups shared by the handlers -------------------------------------------------------

    def _grid(self, raw_id: str) -> Grid:
        if not raw_id.isdigit():
            raise tge_error(404, f"Custom field with id '{raw_id}' does not exist")
        grid_id = int(raw_id)
        if grid_id in self.store.grids:
            return self.store.grids[grid_id]
        if grid_id in self.store.custom_fields:
            name = self.store.custom_fields[grid_id]
            raise tge_error(400, f"Custom field {grid_id} ({name}) is not a TGE customfield")
        raise tge_error(404, f"TGE customfield with id {grid_id} does not exist")

    def _issue(self, raw_id: str, user: User, write: bool) -> Issue:
        issue = self.store.issues.get(int(raw_id)) if raw_id.isdigit() else None
        if issue is None:
            raise tge_error(404, f"Issue with id '{raw_id}' does not exist")
        if not user.can(issue.project, "browse"):
            raise tge_error(403, f"User '{user.name}' has no permission to browse issue {issue.key}")
        if write and not user.can(issue.project, "edit"):
            raise tge_error(403, f"User '{user.name}' has no permission to edit issue {issue.key}")
        return issue

    @staticmethod
    def _check_context(grid: Grid, issue: Issue) -> None:
        if not grid.applies_to(issue):
            raise tge_error(
                400,
                f"Invalid custom field context: issue {issue.key} ({issue.id}) is not applicable to the context "
                f"of grid {grid.id} ({grid.name}), which covers projects {', '.join(grid.projects or [])}",
            )

    def _grid_issue(self, req: Request, write: bool = False) -> tuple[Grid, Issue]:
        grid = self._grid(req.params["gridId"])
        issue = self._issue(req.params["issueId"], req.user, write)
        self._check_context(grid, issue)
        return grid, issue

    def _columns(self, req: Request, grid: Grid) -> list[str] | None:
        raw = req.query.get("columns")
        if raw is None:
            return None
        names = [n.strip() for n in raw.split(",") if n.strip()]
        for name in names:
            if name not in grid.column_map:
                raise tge_error(400, f"Column '{name}' does not exist in grid {grid.id}")
        return [n for n in names if n not in META_COLUMNS]

    def _page(self, req: Request) -> tuple[int, int]:
        settings = self.store.settings
        start = _non_negative(req.query.get("startAt"), "startAt", 0)
        wanted = _non_negative(req.query.get("maxResults"), "maxResults", settings["default_max_results"])
        return start, min(wanted, settings["max_results"])

    @staticmethod
    def _body_rows(req: Request, grid: Grid) -> Any:
        body = req.json(lambda msg: tge_error(400, msg))
        if not isinstance(body, dict) or "rows" not in body:
            raise tge_error(400, f'Request body for grid {grid.id} must be an object with a "rows" member')
        return body["rows"]

    # -- grid-level endpoints -----------------------------------------------------------------

    def grid_list(self, req: Request) -> Response:
        """GET grid/list: TGE custom fields (admins only)."""
        if not req.user.is_admin:
            raise tge_error(403, f"User '{req.user.name}' has no permission to list grids: administrators only")
        return json_response(200, [{"id": str(g.id), "name": g.name} for g in self.store.grids.values()])

    def datasource(self, req: Request) -> Response:
        """GET grid/{gridId}/datasource (admins only)."""
        if not req.user.is_admin:
            raise tge_error(403, f"User '{req.user.name}' has no permission to read grid datasources")
        grid = self._grid(req.params["gridId"])
        return json_response(
            200,
            {
                "configurationTableName": grid.table,
                "databaseTableName": f"{grid.table}_c{grid.id}",
                "connectionUrl": CONNECTION_URL,
            },
        )

    def rowcount(self, req: Request) -> Response:
        """GET grid/{gridId}[/issue/{issueId}]/rowcount: rows on one issue or on every browsable issue."""
        grid = self._grid(req.params["gridId"])
        if "issueId" in req.params:
            issue = self._issue(req.params["issueId"], req.user, write=False)
            self._check_context(grid, issue)
            return json_response(200, {"rowCount": len(grid.rows.get(issue.id, {}))})
        total = sum(
            len(rows)
            for issue_id, rows in grid.rows.items()
            if req.user.can(self.store.issues[issue_id].project, "browse")
        )
        return json_response(200, {"rowCount": total})

    def synchronize(self, req: Request) -> Response:
        """PUT grid/synchronize: sysadmins only; 204 without a body."""
        if not req.user.sysadmin:
            raise tge_error(403, f"User '{req.user.name}' is not a system administrator")
        return empty_response(204)

    def reload(self, req: Request) -> Response:
        """POST grid/issue/{issueId}/reload with ``{"gridIds": [...]}``."""
        issue = self._issue(req.params["issueId"], req.user, write=True)
        body = req.json(lambda msg: tge_error(400, msg))
        ids = body.get("gridIds") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids:
            raise tge_error(400, 'Request body must be {"gridIds": [<grid id>, ...]} with at least one id')
        for raw in ids:
            if isinstance(raw, bool) or not isinstance(raw, (int, str)):
                raise tge_error(400, f"Grid id {json.dumps(raw)} is not a number")
            self._check_context(self._grid(str(raw)), issue)
        return empty_response(200)

    # -- per-issue maintenance ----------------------------------------------------------------

    def clear(self, req: Request) -> Response:
        """PUT .../clear: remove every row of the grid on the issue."""
        grid, issue = self._grid_issue(req, write=True)
        grid.rows.pop(issue.id, None)
        return empty_response(200)

    def clear_duplicates(self, req: Request) -> Response:
        """PUT .../clearDuplicates: keep the lowest id of rows whose cells are all equal."""
        grid, issue = self._grid_issue(req, write=True)
        rows = grid.rows.get(issue.id, {})
        seen: set[str] = set()
        for row_id in sorted(rows):
            signature = json.dumps(rows[row_id].values, sort_keys=True)
            if signature in seen:
                del rows[row_id]
            seen.add(signature)
        return empty_response(200)

    def clear_not_modified(self, req: Request) -> Response:
        """PUT .../clearNotModified: remove rows never changed through the UI or REST."""
        grid, issue = self._grid_issue(req, write=True)
        rows = grid.rows.get(issue.id, {})
        for row_id in [r.id for r in rows.values() if not r.modified]:
            del rows[row_id]
        return empty_response(200)

    # -- reading ------------------------------------------------------------------------------

    def read_rows(self, req: Request) -> Response:
        """GET .../issue/{issueId}[/row/{rowId}]: one page of the issue's rows."""
        grid, issue = self._grid_issue(req)
        columns = self._columns(req, grid)
        start, size = self._page(req)
        rows = grid.rows.get(issue.id, {})
        if "rowId" in req.params:
            raw = req.params["rowId"]
            row = rows.get(int(raw)) if raw.isdigit() else None
            if row is None:
                raise tge_error(404, f"Row {raw} does not exist in grid {grid.id} on issue {issue.key} ({issue.id})")
            values = [render_row(row, grid, issue.id, columns, self._option_cells())]
            return json_response(200, {"startAt": 0, "maxResults": size, "total": 1, "values": values})
        # Rows are inserted with increasing ids, so dict order is id order; slicing keeps pages cheap.
        page = list(rows.values())[start : start + size]
        values = [render_row(r, grid, issue.id, columns, self._option_cells()) for r in page]
        return json_response(200, {"startAt": start, "maxResults": size, "total": len(rows), "values": values})

    def read_all_issues(self, req: Request) -> Response:
        """GET grid/{gridId}/issues: pages over the browsable issues that have rows."""
        grid = self._grid(req.params["gridId"])
        columns = self._columns(req, grid)
        start, size = self._page(req)
        row_filter = req.query.get("rowId")
        if row_filter is not None and not row_filter.isdigit():
            raise tge_error(400, f"rowId '{row_filter}' is not a number")
        items = []
        for issue_id in sorted(grid.rows):
            rows = grid.rows[issue_id]
            if not rows or not req.user.can(self.store.issues[issue_id].project, "browse"):
                continue
            if row_filter is not None:
                rows = {int(row_filter): rows[int(row_filter)]} if int(row_filter) in rows else {}
                if not rows:
                    continue
            items.append((issue_id, rows))
        values = [
            {
                "issueId": issue_id,
                "values": [render_row(r, grid, None, columns, self._option_cells()) for r in rows.values()],
            }
            for issue_id, rows in items[start : start + size]
        ]
        return json_response(200, {"startAt": start, "maxResults": size, "total": len(items), "values": values})

    # -- writing ------------------------------------------------------------------------------

    def add_rows(self, req: Request) -> Response:
        """POST .../issue/{issueId}: add rows (all or nothing); 201 with the new ids."""
        grid, issue = self._grid_issue(req, write=True)
        rows = self._body_rows(req, grid)
        if not isinstance(rows, list):
            raise tge_error(400, '"rows" must be a list of row objects')
        prepared = []
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise tge_error(400, f"Row {index} must be an object of column name to value, got {json.dumps(row)}")
            for name in row:
                if name not in grid.column_map:
                    raise tge_error(400, f"Column '{name}' does not exist in grid {grid.id} (row {index})")
            values = {}
            for column in grid.columns:
                if column.required and row.get(column.name) in (None, ""):
                    raise tge_error(400, f"Column '{column.name}' is required in grid {grid.id} (row {index})")
                value = self._coerce(grid, column.name, row.get(column.name), f"row {index}")
                if value is not None:
                    values[column.name] = value
            prepared.append(values)
        ids = self.store.allocate_row_ids(len(prepared))
        target = grid.rows.setdefault(issue.id, {})
        for row_id, values in zip(ids, prepared):
            target[row_id] = Row(row_id, 1, values)
        return json_response(201, ids)

    def edit_rows(self, req: Request) -> Response:
        """PUT .../issue/{issueId}: change the given columns of the given rows (all or nothing)."""
        grid, issue = self._grid_issue(req, write=True)
        edits = self._body_rows(req, grid)
        if not isinstance(edits, list):
            raise tge_error(400, '"rows" must be a list of {"rowId": ..., "values": {...}} objects')
        current = grid.rows.get(issue.id, {})
        planned = []
        for index, edit in enumerate(edits):
            if not isinstance(edit, dict) or not isinstance(edit.get("values"), dict) or "rowId" not in edit:
                raise tge_error(400, f'Row edit {index} must be {{"rowId": <id>, "values": {{...}}}}')
            row_id = edit["rowId"]
            if isinstance(row_id, str) and row_id.isdigit():
                row_id = int(row_id)
            if isinstance(row_id, bool) or not isinstance(row_id, int) or row_id not in current:
                raise tge_error(
                    404, f"Row {json.dumps(edit['rowId'])} does not exist in grid {grid.id} on issue {issue.key}"
                )
            changes = {}
            for name, value in edit["values"].items():
                if name not in grid.column_map:
                    raise tge_error(404, f"Column '{name}' does not exist in grid {grid.id} (row {row_id})")
                changes[name] = self._coerce(grid, name, value, f"row {row_id}")
            planned.append((current[row_id], changes))
        for row, changes in planned:
            for name, value in changes.items():
                if value is None:
                    row.values.pop(name, None)
                else:
                    row.values[name] = value
            row.modified = 1
        return empty_response(200)

    def remove_rows(self, req: Request) -> Response:
        """DELETE .../issue/{issueId}: remove listed rows, or ``"all"``; 204."""
        grid, issue = self._grid_issue(req, write=True)
        ids = self._body_rows(req, grid)
        current = grid.rows.get(issue.id, {})
        if ids == "all":
            current.clear()
            return empty_response(204)
        if not isinstance(ids, list):
            raise tge_error(400, '"rows" must be a list of row ids or the string "all"')
        wanted = []
        for raw in ids:
            row_id = int(raw) if isinstance(raw, str) and raw.isdigit() else raw
            if isinstance(row_id, bool) or not isinstance(row_id, int):
                raise tge_error(400, f"Row id {json.dumps(raw)} is not a number")
            if row_id not in current:
                raise tge_error(404, f"Row {row_id} does not exist in grid {grid.id} on issue {issue.key}")
            wanted.append(row_id)
        for row_id in wanted:
            current.pop(row_id, None)
        return empty_response(204)

    def _option_cells(self) -> str:
        return (self.store.settings.get("tge_shapes") or {}).get("option_cells", "name_value")

    def _coerce(self, grid: Grid, name: str, value: Any, where: str) -> Any:
        column = grid.column_map.get(name)
        strict = (self.store.settings.get("tge_shapes") or {}).get("numbers_only_dates")
        if strict and column is not None and column.type in ("date", "datetime") and isinstance(value, str):
            raise tge_error(400, f"{DATES_MUST_BE_NUMBERS} (column '{name}' in grid {grid.id}, {where})")
        try:
            return grid.column_map[name].coerce(value, self.store.user_exists)
        except InvalidValue as exc:
            raise tge_error(400, f"{exc} in grid {grid.id} ({where})") from None


def _non_negative(raw: str | None, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise tge_error(400, f"Query parameter {name}={raw!r} must be a non-negative integer")
    return int(raw)
