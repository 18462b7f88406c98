"""The emulator's state (users, projects, issues, grids, templates, forms), built from a fixture."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

from .columns import COLUMN_TYPES, Column, InvalidValue, check_tge_shapes, synthetic_value
from .forms import STATUSES, VISIBILITIES, Template, check_shapes, form_ids, new_form, put_form

DEFAULT_SETTINGS: dict[str, Any] = {
    "max_results": 100,  # TGE caps maxResults at this, so a page can be smaller than asked for
    "default_max_results": 50,
    "export_seconds": 1.0,
    "export_synthetic_responses": 0,
    "download_bytes_per_second": 0,  # 0: as fast as loopback; else downloads are paced like a network link
    "seed": 0,
}
PERMISSIONS = ("browse", "edit")
FIXTURE_SUBMITTED = "2024-01-02T09:00:00.000Z"  # fixed, so exports of fixture data are deterministic


class FixtureError(ValueError):
    """The fixture is malformed; the message says where."""


@dataclass
class User:
    """A Jira user with global flags and per-project permissions."""

    name: str
    password: str | None = None
    tokens: list[str] = field(default_factory=list)
    display_name: str = ""
    email: str = ""
    admin: bool = False
    sysadmin: bool = False
    export: bool = False
    permissions: dict[str, set[str]] = field(default_factory=dict)

    def can(self, project: str, permission: str) -> bool:
        """Whether the user has ``browse``/``edit`` on ``project`` (edit implies browse)."""
        if self.sysadmin:
            return True
        granted = self.permissions.get(project, set())
        return permission in granted or (permission == "browse" and "edit" in granted)

    @property
    def is_admin(self) -> bool:
        """Jira administrators; system administrators are administrators too."""
        return self.admin or self.sysadmin


@dataclass
class Project:
    """A Jira project."""

    key: str
    id: int
    name: str
    service_desk: bool = False


@dataclass
class Issue:
    """A Jira issue with its issue properties (where ProForma keeps its forms)."""

    id: int
    key: str
    project: str
    summary: str
    status: str
    fields: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    next_form_id: int = 1


class Row:
    """One grid row: id, modified flag and stored values by column name (no ``None`` values)."""

    __slots__ = ("id", "modified", "values")

    def __init__(self, row_id: int, modified: int, values: dict[str, Any]):
        self.id = row_id
        self.modified = modified
        self.values = values


@dataclass
class Grid:
    """A TGE grid custom field; rows are kept per issue id, in ascending row id order."""

    id: int
    name: str
    table: str
    projects: list[str] | None
    columns: list[Column]
    rows: dict[int, dict[int, Row]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.column_map = {c.name: c for c in self.columns}

    def applies_to(self, issue: Issue) -> bool:
        """Whether ``issue`` is in the grid's custom field context."""
        return self.projects is None or issue.project in self.projects


class Store:
    """All state, guarded by one lock (handlers are short; exports snapshot under it)."""

    def __init__(self, fixture: dict[str, Any]):
        self.lock = threading.RLock()
        self.load(fixture)

    def load(self, fixture: dict[str, Any]) -> None:
        """Replace all state with ``fixture`` (raises FixtureError, leaving state unchanged)."""
        if not isinstance(fixture, dict):
            raise FixtureError("The fixture must be a mapping")
        built = _Builder(copy.deepcopy(fixture))
        with self.lock:
            self.settings = built.settings
            self.users = built.users
            self.tokens = {t: u for u in built.users.values() for t in u.tokens}
            self.projects = built.projects
            self.issues = built.issues
            self.issues_by_key = {i.key: i for i in built.issues.values()}
            self.grids = built.grids
            self.custom_fields = built.custom_fields
            self.templates = built.templates
            self.next_row_id = built.next_row_id

    def user_exists(self, name: str) -> bool:
        """Whether a user with this name exists (for userlist columns)."""
        return name in self.users

    def issue(self, id_or_key: str) -> Issue | None:
        """The issue with this numeric id or key, if any."""
        if id_or_key.isdigit():
            return self.issues.get(int(id_or_key))
        return self.issues_by_key.get(id_or_key.upper())

    def allocate_row_ids(self, count: int) -> list[int]:
        """Reserve ``count`` new row ids from the global counter."""
        first = self.next_row_id
        self.next_row_id += count
        return list(range(first, first + count))


class _Builder:
    """Turns a fixture mapping into model objects, validating as it goes."""

    def __init__(self, data: dict[str, Any]):
        self.settings = {**DEFAULT_SETTINGS, **(data.get("settings") or {})}
        try:
            check_shapes(self.settings.get("forms_shapes"))
            check_tge_shapes(self.settings.get("tge_shapes"))
        except ValueError as exc:
            raise FixtureError(f"settings: {exc}") from None
        self.users = {u.name: u for u in map(self._user, data.get("users") or [])}
        self.projects = {p.key: p for p in map(self._project, data.get("projects") or [])}
        self.issues: dict[int, Issue] = {}
        for raw in data.get("issues") or []:
            issue = self._issue(raw)
            if issue.id in self.issues:
                raise FixtureError(f"Duplicate issue id {issue.id}")
            self.issues[issue.id] = issue
        self.by_key = {i.key: i for i in self.issues.values()}
        self.custom_fields = {int(c["id"]): str(c["name"]) for c in data.get("custom_fields") or []}
        self.next_row_id = 1
        self.grids = {g.id: g for g in map(self._grid, data.get("grids") or [])}
        self.templates = {t.id: t for t in map(self._template, data.get("templates") or [])}
        for key, forms in (data.get("forms") or {}).items():
            self._forms(self._issue_key(key, "forms"), forms)

    def _user(self, raw: dict[str, Any]) -> User:
        perms = {str(p): set(v) for p, v in (raw.get("permissions") or {}).items()}
        for project, granted in perms.items():
            if not granted <= set(PERMISSIONS):
                raise FixtureError(
                    f"User {raw['name']}: unknown permission(s) {granted - set(PERMISSIONS)} on {project}"
                )
        return User(
            name=str(raw["name"]),
            password=raw.get("password"),
            tokens=[str(t) for t in raw.get("tokens") or []],
            display_name=raw.get("display_name") or str(raw["name"]).title(),
            email=raw.get("email") or f"{raw['name']}@example.com",
            admin=bool(raw.get("admin")),
            sysadmin=bool(raw.get("sysadmin")),
            export=bool(raw.get("export")),
            permissions=perms,
        )

    @staticmethod
    def _project(raw: dict[str, Any]) -> Project:
        return Project(str(raw["key"]), int(raw["id"]), str(raw.get("name", raw["key"])), bool(raw.get("service_desk")))

    def _issue(self, raw: dict[str, Any]) -> Issue:
        key = str(raw["key"])
        project = key.rsplit("-", 1)[0]
        if project not in self.projects:
            raise FixtureError(f"Issue {key}: project {project} is not defined")
        return Issue(
            id=int(raw["id"]),
            key=key,
            project=project,
            summary=str(raw.get("summary", key)),
            status=str(raw.get("status", "Open")),
            fields=dict(raw.get("fields") or {}),
            properties=dict(raw.get("properties") or {}),  # raw issue properties, e.g. a null proforma.forms
        )

    def _issue_key(self, key: str, where: str) -> Issue:
        if key not in self.by_key:
            raise FixtureError(f"{where}: issue {key} is not defined")
        return self.by_key[key]

    def _grid(self, raw: dict[str, Any]) -> Grid:
        grid_id = int(raw["id"])
        columns = []
        for col in raw.get("columns") or []:
            if col.get("type") not in COLUMN_TYPES:
                raise FixtureError(f"Grid {grid_id}: column {col.get('name')} has unknown type {col.get('type')}")
            options = [{"name": str(o["name"]), "value": str(o["value"])} for o in col.get("options") or []]
            columns.append(Column(str(col["name"]), col["type"], bool(col.get("required")), options))
        projects = raw.get("projects")
        grid = Grid(grid_id, str(raw["name"]), str(raw.get("table", f"grid{grid_id}")), projects, columns)
        for key, rows in (raw.get("rows") or {}).items():
            issue = self._issue_key(key, f"Grid {grid_id} rows")
            target = grid.rows.setdefault(issue.id, {})
            for index, values in enumerate(rows):
                modified = int(values.pop("modified", 0))
                try:
                    stored = {c.name: c.coerce(values.get(c.name), self.users.__contains__) for c in columns}
                except InvalidValue as exc:
                    raise FixtureError(f"Grid {grid_id} row {index} on {key}: {exc}") from None
                unknown = set(values) - set(grid.column_map)
                if unknown:
                    raise FixtureError(f"Grid {grid_id} row {index} on {key}: unknown column(s) {sorted(unknown)}")
                row_id = self._row_id()
                target[row_id] = Row(row_id, modified, {k: v for k, v in stored.items() if v is not None})
        usernames = sorted(self.users)
        for key, count in (raw.get("generate") or {}).items():
            issue = self._issue_key(key, f"Grid {grid_id} generate")
            target = grid.rows.setdefault(issue.id, {})
            for index in range(int(count)):
                row_id = self._row_id()
                values = {c.name: synthetic_value(c, index, usernames) for c in columns}
                target[row_id] = Row(row_id, 0, {k: v for k, v in values.items() if v is not None})
        return grid

    def _row_id(self) -> int:
        self.next_row_id += 1
        return self.next_row_id - 1

    @staticmethod
    def _template(raw: dict[str, Any]) -> Template:
        questions = {str(k): dict(v) for k, v in (raw.get("questions") or {}).items()}
        return Template(
            int(raw["id"]),
            str(raw["name"]),
            questions,
            bool(raw.get("lock_on_submit")),
            raw.get("transition_on_submit"),
        )

    def _forms(self, issue: Issue, forms: list[dict[str, Any]]) -> None:
        for raw in forms:
            template = self.templates.get(int(raw["template"]))
            if template is None:
                raise FixtureError(f"Forms on {issue.key}: template {raw['template']} is not defined")
            status, visibility = raw.get("status", "o"), raw.get("visibility", "i")
            if status not in STATUSES or visibility not in VISIBILITIES:
                raise FixtureError(f"Forms on {issue.key}: bad status {status!r} or visibility {visibility!r}")
            form_id = int(raw.get("id", issue.next_form_id))
            if form_id in form_ids(issue.properties):
                raise FixtureError(f"Forms on {issue.key}: duplicate form id {form_id}")
            answers = {str(k): v for k, v in (raw.get("answers") or {}).items()}
            submitted = str(raw.get("submitted", FIXTURE_SUBMITTED))  # YAML may have parsed a datetime
            put_form(issue.properties, form_id, new_form(template, status, visibility, answers, submitted))
            issue.next_form_id = max(issue.next_form_id, form_id + 1)
