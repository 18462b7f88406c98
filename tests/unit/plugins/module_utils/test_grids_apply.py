# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many grids in one task: each as a single-grid run, failures per grid, the task failing at the end."""

from __future__ import annotations

import re
import threading

import pytest

from ansible_collections.jira.addons.plugins.module_utils.errors import InputError, JiraApiError
from ansible_collections.jira.addons.plugins.module_utils.grids_apply import GridsError, apply_grids
from ansible_collections.jira.addons.plugins.module_utils.jira_api import JiraCoreApi

ISSUES = {"DEMO-1": 10001, "DEMO-2": 10002, "DEMO-3": 10003}


class FakeCore(JiraCoreApi):
    """Jira core in memory: ``key in (...)`` searches, refused whole (400) when they name a missing issue."""

    def __init__(self):
        super().__init__(client=None)
        self.looked_up = []
        self.searches = []

    def search_issues(self, jql):
        self.searches.append(jql)
        named = re.findall(r'"([^"]+)"', jql)
        missing = [key for key in named if key.upper() not in ISSUES]
        if missing:
            raise JiraApiError("GET", "/rest/api/2/search", 400, "An issue with key '%s' does not exist" % missing[0])
        return [{"id": ISSUES[key.upper()], "key": key.upper()} for key in named]

    def issue(self, ref):
        self.looked_up.append(ref)
        if ref not in ISSUES:
            raise JiraApiError("GET", "/rest/api/2/issue/%s" % ref, 404, "Issue does not exist")
        return {"id": ISSUES[ref], "key": ref}


class FakeTge:
    """Grids in memory, per (grid, issue); ``refuse`` makes the POST to one issue fail with a 400."""

    def __init__(self, rows=None, refuse=None):
        self.rows = {k: [dict(r) for r in v] for k, v in (rows or {}).items()}
        self.refuse = refuse
        self.lock = threading.Lock()
        self.next_id = 100
        self.writes = []
        self.threads = set()

    def resolve_grid(self, ref):
        return {"Family List": 10301}.get(ref) or int(ref)

    def read_rows(self, grid_id, issue_id, columns=None):
        self.threads.add(threading.get_ident())
        return [dict(r) for r in self.rows.get((grid_id, issue_id), [])]

    def sample_rows(self, grid_id, columns):
        return []

    def add_rows(self, grid_id, issue_id, rows):
        if issue_id == self.refuse:
            raise JiraApiError("POST", "/grid/%s/issue/%s" % (grid_id, issue_id), 400, "Column 'colour' does not exist")
        with self.lock:
            ids = list(range(self.next_id, self.next_id + len(rows)))
            self.next_id += len(rows)
            self.writes.append(("POST", grid_id, issue_id))
        self.rows.setdefault((grid_id, issue_id), []).extend(dict(r, id=i) for r, i in zip(rows, ids))
        return ids

    def edit_rows(self, grid_id, issue_id, updates):
        self.writes.append(("PUT", grid_id, issue_id))

    def remove_rows(self, grid_id, issue_id, ids):
        self.writes.append(("DELETE", grid_id, issue_id))
        gone = set(ids)
        self.rows[(grid_id, issue_id)] = [r for r in self.rows[(grid_id, issue_id)] if r["id"] not in gone]


def entry(issue, *names, **extra):
    return dict({"grid": "Family List", "issue": issue, "rows": [{"name": n} for n in names]}, **extra)


def test_every_grid_is_reconciled_with_top_level_options_as_defaults():
    tge = FakeTge({(10301, 10002): [{"id": 1, "name": "old"}, {"id": 2, "name": "kept"}]})
    grids = [entry("DEMO-1", "knox"), entry("DEMO-2", "kept", state="present"), entry("DEMO-3", "zed")]
    result = apply_grids(tge, FakeCore(), grids, {"key": ["name"], "state": "exact"}, concurrency=4)
    assert [g["changed"] for g in result["grids"]] == [True, False, True]
    assert result["changed"] is True
    # DEMO-2's own state (present) wins over the default: "old" stays.
    assert sorted(r["name"] for r in tge.rows[(10301, 10002)]) == ["kept", "old"]
    assert [g["issue_id"] for g in result["grids"]] == [10001, 10002, 10003]
    assert sorted(w[2] for w in tge.writes) == [10001, 10003]


def test_one_failing_grid_does_not_stop_the_others_and_the_task_fails_naming_it():
    tge = FakeTge(refuse=10002)
    grids = [entry("DEMO-1", "knox"), entry("DEMO-2", "shiloh"), entry("DEMO-404", "x"), entry("DEMO-3", "zed")]
    with pytest.raises(GridsError) as info:
        apply_grids(tge, FakeCore(), grids, {"key": ["name"]}, concurrency=2)
    err = info.value
    results = err.result["grids"]
    assert [g["failed"] for g in results] == [False, True, True, False]
    assert "2 of 4 grid(s) failed" in str(err)
    assert "grids[1] (grid Family List on issue DEMO-2)" in str(err) and "Column 'colour'" in str(err)
    assert "grids[2] (grid Family List on issue DEMO-404)" in str(err) and "HTTP 404" in str(err)
    assert "applied: grids[0] 1 added; grids[3] 1 added" in str(err)
    assert err.result["changed"] is True
    assert results[1]["error"]["status"] == 400 and results[2]["issue_id"] is None


def test_bad_entries_fail_before_any_request_naming_the_entry():
    core, tge = FakeCore(), FakeTge()
    for grids, message in [
        ([entry("DEMO-1", "a"), {"grid": 1, "issue": "DEMO-2"}], "grids[1] needs rows"),
        ([entry("DEMO-1", "a", colour="x")], "grids[0] has unknown key(s) colour"),
        ([entry("DEMO-1", "a", "a", key=["name"])], "grids[0] (grid Family List on issue DEMO-1): rows[0] and rows[1]"),
        (["DEMO-1"], "grids[0] must be a dict"),
    ]:
        with pytest.raises(InputError) as info:
            apply_grids(tge, core, grids, {})
        assert message in str(info.value)
    assert core.searches == core.looked_up == [] and tge.writes == []


def test_two_entries_for_the_same_grid_and_issue_are_refused_before_any_write():
    tge = FakeTge()
    grids = [entry("DEMO-1", "a"), entry("10001", "b")]
    with pytest.raises(InputError) as info:
        apply_grids(tge, FakeCore(), grids, {}, concurrency=4)
    assert "grids[0] (grid Family List on issue DEMO-1) and grids[1]" in str(info.value)
    assert tge.writes == []


def test_check_mode_writes_nothing_and_says_what_each_grid_would_get():
    tge = FakeTge()
    result = apply_grids(tge, FakeCore(), [entry("DEMO-1", "a"), entry("DEMO-2")], {}, check_mode=True)
    assert tge.writes == []
    assert [g["changed"] for g in result["grids"]] == [True, False]
    assert result["grids"][0]["added"] == [{"id": None, "name": "a"}]


def test_concurrency_one_reconciles_in_this_thread():
    tge = FakeTge()
    apply_grids(tge, FakeCore(), [entry(i, "a") for i in ISSUES], {}, concurrency=1)
    assert tge.threads == {threading.get_ident()}


def test_issue_keys_are_found_with_one_search_and_a_missing_one_fails_its_own_entry_only():
    core = FakeCore()
    result = apply_grids(FakeTge(), core, [entry("DEMO-2", "a"), entry("demo-1", "b"), entry("10003", "c")], {})
    # Keys in one search, ids as they are; a key written in lower case is the issue Jira names.
    assert core.searches == ['key in ("DEMO-2", "demo-1")'] and core.looked_up == []
    assert [g["issue_id"] for g in result["grids"]] == [10002, 10001, 10003]

    core = FakeCore()
    with pytest.raises(GridsError) as info:
        apply_grids(FakeTge(), core, [entry("DEMO-1", "a"), entry("DEMO-404", "b"), entry("DEMO-2", "c")], {})
    # Jira refuses the whole search; each key is then looked up on its own, so only DEMO-404 fails.
    assert sorted(core.looked_up) == ["DEMO-1", "DEMO-2", "DEMO-404"]
    assert [g["failed"] for g in info.value.result["grids"]] == [False, True, False]
    assert "1 of 3 grid(s) failed" in str(info.value) and "HTTP 404" in str(info.value)
