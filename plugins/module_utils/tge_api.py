# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wrappers for the Table Grid Editor REST API (``/rest/idalko-igrid/1.0/grid``).

Each method is one endpoint of TGE's REST API documentation; reads
follow pagination to the end. TGE takes numeric ids only: resolve grid names
and issue keys before calling.
"""

from __future__ import annotations

import re

from ansible_collections.jira.addons.plugins.module_utils.errors import InputError, JiraApiError
from ansible_collections.jira.addons.plugins.module_utils.workers import run_all, values

BASE = "/rest/idalko-igrid/1.0/grid"
# Ask for big pages; the server may cap them, so paging always follows ``total``.
PAGE_SIZE = 1000
# Issues read to learn what a column holds when the issue being changed shows no value of it.
SAMPLE_ISSUES = 10


class GridNotFound(InputError):
    """A grid given by name does not exist (or the user cannot see it)."""


def parse_grid_id(ref):
    """The numeric custom field id of ``10301`` or ``customfield_10301``; None for a name."""
    match = re.match(r"^\s*(?:customfield_)?(\d+)\s*$", str(ref))
    return int(match.group(1)) if match else None


class TgeApi:
    """The TGE endpoints, one method each."""

    def __init__(self, client):
        self.client = client

    def list_grids(self):
        """All TGE custom fields as ``[{"id": int, "name": str}]`` (admins only)."""
        grids = self.client.get(BASE + "/list") or []
        return [{"id": int(g["id"]), "name": g.get("name")} for g in grids]

    def resolve_grid(self, ref):
        """The grid id for an id, ``customfield_<id>`` or a grid name.

        Looking a name up lists the grids, which TGE allows admins only; a 403
        says so and suggests the id instead.
        """
        grid_id = parse_grid_id(ref)
        if grid_id is not None:
            return grid_id
        try:
            grids = self.list_grids()
        except JiraApiError as err:
            if err.status == 403:
                raise GridNotFound(
                    "looking grid '%s' up by name needs Jira administrator rights (GET %s/list answered 403); "
                    "give the grid's custom field id instead, e.g. grid: 10301" % (ref, BASE)
                ) from None
            raise
        matches = [g for g in grids if g["name"] == ref]
        if not matches:
            matches = [g for g in grids if (g["name"] or "").lower() == str(ref).lower()]
        if len(matches) == 1:
            return matches[0]["id"]
        names = ", ".join("%s (%s)" % (g["name"], g["id"]) for g in grids) or "none"
        if not matches:
            raise GridNotFound("no grid named '%s'; grids on this Jira: %s" % (ref, names))
        raise GridNotFound("several grids are named '%s'; give one of their ids: %s" % (ref, names))

    def datasource(self, grid_id):
        """Table name, database table and connection URL of a grid (admins only)."""
        return self.client.get("%s/%s/datasource" % (BASE, grid_id))

    def read_rows(self, grid_id, issue_id, columns=None):
        """Every row of a grid on one issue, reading page after page until ``total``."""
        return self._read_pages("%s/%s/issue/%s" % (BASE, grid_id, issue_id), columns)

    def read_all_issues(self, grid_id, columns=None):
        """Rows of a grid on every issue: ``[{"issueId": int, "values": [rows]}]``.

        That endpoint pages over issues: its ``total`` counts issues, not rows.
        """
        return self._read_pages("%s/%s/issues" % (BASE, grid_id), columns)

    def sample_rows(self, grid_id, columns, issues=SAMPLE_ISSUES):
        """Rows of a few issues holding values of ``columns``, in one request (to learn what the columns hold).

        The first page of "Read Grid Data for all issues", limited to ``columns``; the rows of every issue on it.
        """
        params = {"startAt": 0, "maxResults": issues, "columns": ",".join(columns)}
        page = self.client.get("%s/%s/issues" % (BASE, grid_id), params=params) or {}
        rows = []
        for item in page.get("values") or []:
            rows.extend(item.get("values") or [])
        return rows

    def _read_pages(self, path, columns):
        """Every item of a paged read: the first page gives ``total``, the others are read in parallel.

        Pages are as large as the server makes them (it may cap ``maxResults``); if the pages read in
        parallel do not add up to ``total`` (the data changed meanwhile), the rest is read page after page.
        """
        params = {"startAt": 0, "maxResults": PAGE_SIZE}
        if columns:
            params["columns"] = ",".join(columns)
        if self.client.concurrency <= 1:
            return self._read_on(path, params, [])
        first = self.client.get(path, params=dict(params)) or {}
        items = list(first.get("values") or [])
        total = first.get("total")
        size = len(items)
        if not size or total is None or size >= int(total):
            return items
        starts = range(size, int(total), size)
        pages = values(run_all([self._page_reader(path, params, start) for start in starts], self.client.concurrency))
        for page in pages:
            items.extend(page.get("values") or [])
        if len(items) == int(total) and all(len(page.get("values") or []) == size for page in pages[:-1]):
            return items
        return self._read_on(path, params, items[: len(items) - sum(len(p.get("values") or []) for p in pages)])

    def _page_reader(self, path, params, start):
        def read():
            return self.client.get(path, params=dict(params, startAt=start)) or {}

        return read

    def _read_on(self, path, params, items):
        """Read page after page from ``len(items)`` until ``total``."""
        params = dict(params, startAt=len(items))
        while True:
            page = self.client.get(path, params=dict(params)) or {}
            page_items = page.get("values") or []
            items.extend(page_items)
            total = page.get("total")
            # A page may hold fewer items than asked for: advance by what came back.
            params["startAt"] += len(page_items)
            if not page_items or total is None or params["startAt"] >= int(total):
                return items

    def add_rows(self, grid_id, issue_id, rows):
        """Add rows in one request; return their new ids, in order.

        Not retried once it may have reached the server (OutcomeUnknownError):
        the caller re-reads the grid instead of risking duplicate rows.
        """
        ids = self.client.request("POST", "%s/%s/issue/%s" % (BASE, grid_id, issue_id), json={"rows": rows})
        return [int(i) for i in (ids or [])]

    def edit_rows(self, grid_id, issue_id, updates):
        """Edit rows in one request: ``[{"rowId": id, "values": {column: value}}]``."""
        self.client.request("PUT", "%s/%s/issue/%s" % (BASE, grid_id, issue_id), json={"rows": updates})

    def remove_rows(self, grid_id, issue_id, row_ids):
        """Remove rows by id in one request (a repeat would answer 404, so it is not idempotent)."""
        self.client.request("DELETE", "%s/%s/issue/%s" % (BASE, grid_id, issue_id), json={"rows": list(row_ids)})

    def reload(self, issue_id, grid_ids):
        """Reload one or more grids on one issue in one request.

        Reloading twice does no harm, so the request is retried like a read.
        """
        self.client.request(
            "POST",
            "%s/issue/%s/reload" % (BASE, issue_id),
            json={"gridIds": [int(g) for g in grid_ids]},
            idempotent=True,
        )

    def clear_duplicates(self, grid_id, issue_id):
        """Remove rows equal in every column to a row with a lower id (``grid_plan.find_duplicates``)."""
        self.client.request("PUT", "%s/%s/issue/%s/clearDuplicates" % (BASE, grid_id, issue_id))

    def clear_not_modified(self, grid_id, issue_id):
        """Remove the rows whose ``modified`` flag is 0."""
        self.client.request("PUT", "%s/%s/issue/%s/clearNotModified" % (BASE, grid_id, issue_id))

    def synchronize(self):
        """Synchronise the custom field values of every grid on every issue (sysadmins only, TGE 1.19+)."""
        self.client.request("PUT", BASE + "/synchronize")
