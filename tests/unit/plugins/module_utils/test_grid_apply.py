# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apply layer's unknown-outcome path: a write that may or may not have landed is never re-sent blindly."""

from __future__ import annotations

import pytest

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError, OutcomeUnknownError
from ansible_collections.jira.addons.plugins.module_utils.grid_apply import GridWriteError, reconcile_rows

GRID, ISSUE = 10301, 10001


class FakeTge:
    """A grid held in memory, with TGE's three write calls; ``faults`` says which call fails and how.

    ``faults[method] = "after"``: the write is applied, then the answer is lost (OutcomeUnknownError).
    ``faults[method] = "before"``: the connection drops before the server acts on it.
    Each fault fires once.
    """

    def __init__(self, rows, faults=None):
        self.rows = [dict(r) for r in rows]
        self.next_id = max([r["id"] for r in rows] + [0]) + 1
        self.faults = dict(faults or {})
        self.calls = []

    def read_rows(self, grid_id, issue_id, columns=None):
        self.calls.append("read")
        return [dict(r, issueId=issue_id, modified=1) for r in self.rows]

    def _fault(self, method, apply):
        when = self.faults.pop(method, None)
        if when == "before":
            raise OutcomeUnknownError(method, "/grid", reason="connection dropped")
        result = apply()
        if when == "after":
            raise OutcomeUnknownError(method, "/grid", reason="read timed out")
        return result

    def add_rows(self, grid_id, issue_id, rows):
        self.calls.append("add")

        def apply():
            ids = []
            for row in rows:
                self.rows.append(dict(row, id=self.next_id))
                ids.append(self.next_id)
                self.next_id += 1
            return ids

        return self._fault("POST", apply)

    def edit_rows(self, grid_id, issue_id, updates):
        self.calls.append("edit")

        def apply():
            by_id = {u["rowId"]: u["values"] for u in updates}
            for row in self.rows:
                row.update(by_id.get(row["id"], {}))

        return self._fault("PUT", apply)

    def remove_rows(self, grid_id, issue_id, row_ids):
        self.calls.append("remove")

        def apply():
            gone = set(row_ids)
            self.rows = [r for r in self.rows if r["id"] not in gone]

        return self._fault("DELETE", apply)

    def cells(self):
        return sorted(tuple(sorted((k, v) for k, v in r.items() if k != "id")) for r in self.rows)


CURRENT = [{"id": 1, "name": "brad", "age": 50}, {"id": 2, "name": "old", "age": 1}]
DESIRED = [{"name": "brad", "age": 51}, {"name": "new", "age": 3}]
WANTED = sorted(tuple(sorted(r.items())) for r in DESIRED)

# Each case changes the grid with all three writes (add "new", edit brad, remove "old").
CASES = [(method, when) for method in ("POST", "PUT", "DELETE") for when in ("after", "before")]


@pytest.mark.parametrize(("method", "when"), CASES, ids=["%s-%s" % c for c in CASES])
def test_an_unknown_outcome_is_read_back_and_only_what_is_missing_is_sent(method, when):
    tge = FakeTge(CURRENT, {method: when})
    result = reconcile_rows(tge, GRID, ISSUE, DESIRED, key=["name"], state="exact")
    # The grid ends exactly as desired: no row added twice, none lost.
    assert tge.cells() == WANTED
    assert [r["name"] for r in tge.rows].count("new") == 1
    # The fault made the module look again, and nothing was sent twice when it had landed.
    write = {"POST": "add", "PUT": "edit", "DELETE": "remove"}[method]
    assert tge.calls.count("read") == 2
    assert tge.calls.count(write) == (1 if when == "after" else 2)
    # The result says what the grid holds and what changed, whichever way the fault went.
    assert result["changed"] is True
    assert sorted(r["name"] for r in result["rows"]) == ["brad", "new"]
    assert [r["name"] for r in result["added"]] == ["new"]
    assert [r["name"] for r in result["removed"]] == ["old"]
    assert [u["values"] for u in result["updated"]] == [{"age": 51}]


def test_an_unknown_outcome_that_keeps_happening_fails_saying_what_the_grid_holds():
    tge = FakeTge(CURRENT)

    def always_lost(grid_id, issue_id, rows):
        tge.calls.append("add")
        raise OutcomeUnknownError("POST", "/grid", reason="read timed out")

    tge.add_rows = always_lost
    with pytest.raises(GridWriteError) as info:
        reconcile_rows(tge, GRID, ISSUE, [{"name": "new"}], key=["name"], max_rounds=3)
    assert "did not settle after 3 rounds" in str(info.value)
    assert tge.calls.count("add") == 3
    assert sorted(r["name"] for r in info.value.result["rows"]) == ["brad", "old"]


def test_a_refused_write_after_an_applied_one_reports_the_applied_one():
    tge = FakeTge(CURRENT)

    def refused(grid_id, issue_id, updates):
        raise JiraApiError("PUT", "/grid", 400, "bad value")

    tge.edit_rows = refused
    with pytest.raises(GridWriteError) as info:
        reconcile_rows(tge, GRID, ISSUE, DESIRED, key=["name"], state="exact")
    err = info.value
    assert err.api_error.status == 400
    assert "already applied: 1 row(s) added" in str(err)
    assert [r["name"] for r in err.result["added"]] == ["new"]
    assert err.result["removed"] == [] and err.result["updated"] == []
    # The DELETE after the failed PUT was never sent.
    assert "remove" not in tge.calls


def test_check_mode_sends_only_the_read():
    tge = FakeTge(CURRENT)
    result = reconcile_rows(tge, GRID, ISSUE, DESIRED, key=["name"], state="exact", check_mode=True)
    assert tge.calls == ["read"]
    assert result["changed"] is True and [r["id"] for r in result["added"]] == [None]
    assert tge.cells() == sorted(tuple(sorted((k, v) for k, v in r.items() if k != "id")) for r in CURRENT)
