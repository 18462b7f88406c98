# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError
from ansible_collections.jira.addons.plugins.module_utils.grid_maintenance_apply import MaintenanceError, run_action
from ansible_collections.jira.addons.plugins.module_utils.grid_maintenance_plan import (
    ClearPlan,
    MaintenanceInputError,
    is_modified,
    rows_to_clear,
    validate_options,
)

# DEMO-4 of the emulator's fixture, as TGE returns it: one exact duplicate, one modified row.
DEMO4 = [
    {"id": 5, "issueId": 10004, "modified": 0, "asset": "LAP-001", "quantity": 1, "price": 1299.99},
    {"id": 6, "issueId": 10004, "modified": 0, "asset": "LAP-001", "quantity": 1, "price": 1299.99},
    {"id": 7, "issueId": 10004, "modified": 1, "asset": "LAP-002", "quantity": 1, "price": 999.0},
]


class FakeTge:
    """TgeApi over in-memory grids, applying the server's clear rules; records every call."""

    def __init__(self, rows_by_issue, fail=None):
        self.rows = dict((k, [dict(r) for r in v]) for k, v in rows_by_issue.items())
        self.calls = []
        self.fail = fail or {}

    def _maybe_fail(self, name, *args):
        self.calls.append((name,) + args)
        status = self.fail.get((name,) + args)
        if status:
            raise JiraApiError(
                "GET" if name == "read_rows" else "PUT", "/%s" % name, status=status, server_message="refused"
            )

    def resolve_grid(self, ref):
        return {"Asset Inventory": 10302}.get(ref) or int(ref)

    def read_rows(self, grid_id, issue_id):
        self._maybe_fail("read_rows", grid_id, issue_id)
        return [dict(r) for r in self.rows.get(issue_id, [])]

    def clear_duplicates(self, grid_id, issue_id):
        self._maybe_fail("clear_duplicates", grid_id, issue_id)
        seen, keep = set(), []
        for row in sorted(self.rows.get(issue_id, []), key=lambda r: r["id"]):
            signature = tuple(sorted((k, v) for k, v in row.items() if k not in ("id", "issueId", "modified")))
            if signature not in seen:
                keep.append(row)
            seen.add(signature)
        self.rows[issue_id] = keep

    def clear_not_modified(self, grid_id, issue_id):
        self._maybe_fail("clear_not_modified", grid_id, issue_id)
        self.rows[issue_id] = [r for r in self.rows.get(issue_id, []) if r["modified"]]

    def reload(self, issue_id, grid_ids):
        self._maybe_fail("reload", issue_id, tuple(grid_ids))

    def synchronize(self):
        self._maybe_fail("synchronize")

    def writes(self):
        return [c for c in self.calls if c[0] != "read_rows"]


class FakeCore:
    def __init__(self):
        self.lookups = []

    def issue_id(self, ref):
        self.lookups.append(ref)
        return {"DEMO-4": 10004, "OPS-1": 10101, "DEMO-5": 10005}.get(ref) or int(ref)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(action="synchronize", grid="10302"), "synchronize works on every grid of every issue; remove grid"),
        (dict(action="synchronize", issues=["DEMO-4"]), "remove issues"),
        (dict(action="reload", issue="DEMO-4"), "reload needs grid or grids"),
        (dict(action="reload", grids=[], issue="DEMO-4"), "grids must name at least one grid"),
        (dict(action="reload", grid="10302"), "reload needs issue or issues"),
        (dict(action="clear_duplicates", grids=["10302"], issue="DEMO-4"), "works on one grid: give grid"),
        (dict(action="clear_not_modified", issue="DEMO-4"), "clear_not_modified needs grid$"),
        (dict(action="clear_duplicates", grid="10302", issues=[]), "issues must name at least one issue"),
        (dict(action="clear", grid="10302", issue="DEMO-4"), "action must be one of"),
    ],
)
def test_options_that_do_not_fit_the_action_fail(kwargs, message):
    with pytest.raises(MaintenanceInputError, match=message):
        validate_options(**kwargs)


def test_options_that_fit():
    validate_options("synchronize")
    validate_options("reload", grids=["10301", "Asset Inventory"], issue="DEMO-1")
    validate_options("clear_duplicates", grid="10302", issues=["DEMO-4", "OPS-1"])


@pytest.mark.parametrize(
    "flag, modified", [(0, False), (None, False), (False, False), ("0", False), (1, True), (True, True), ("1", True)]
)
def test_is_modified(flag, modified):
    assert is_modified({"id": 1, "modified": flag}) is modified


def test_a_row_without_the_flag_counts_as_not_modified():
    assert is_modified({"id": 1}) is False


def test_duplicates_are_found_by_the_shared_rule_keeping_the_lowest_id():
    rows = [dict(DEMO4[1]), dict(DEMO4[0]), dict(DEMO4[2])]
    assert [r["id"] for r in rows_to_clear("clear_duplicates", rows)] == [6]


def test_duplicates_ignore_the_modified_flag_and_the_form_of_values():
    rows = [
        {"id": 1, "modified": 1, "asset": "A", "quantity": 2},
        {"id": 2, "modified": 0, "asset": "A", "quantity": 2.0, "owner": None},
        {"id": 3, "modified": 0, "asset": "A", "quantity": 3},
    ]
    assert [r["id"] for r in rows_to_clear("clear_duplicates", rows)] == [2]


def test_not_modified_rows():
    assert [r["id"] for r in rows_to_clear("clear_not_modified", DEMO4)] == [5, 6]


def test_rows_to_clear_rejects_other_actions():
    with pytest.raises(MaintenanceInputError):
        rows_to_clear("reload", DEMO4)


def test_clear_plan_before_after_and_removed_are_readable_rows_in_id_order():
    plan = ClearPlan("clear_duplicates", "DEMO-4", 10004, list(reversed(DEMO4)))
    assert plan.changed
    assert [r["id"] for r in plan.before] == [5, 6, 7]
    assert plan.removed == [{"id": 6, "asset": "LAP-001", "quantity": 1, "price": 1299.99}]
    assert [r["id"] for r in plan.after] == [5, 7]
    assert "modified" not in plan.before[0] and "issueId" not in plan.before[0]


def test_clear_removes_what_the_plan_predicted_and_the_second_run_writes_nothing():
    tge = FakeTge({10004: DEMO4, 10101: [{"id": 1, "modified": 0, "asset": "SRV-001"}]})
    first = run_action(tge, FakeCore(), "clear_duplicates", grid="Asset Inventory", issues=["DEMO-4", "OPS-1"])
    assert first["changed"] is True
    assert first["grid_id"] == 10302 and "issue_id" not in first
    assert [(r["issue"], r["issue_id"], r["changed"]) for r in first["results"]] == [
        ("DEMO-4", 10004, True),
        ("OPS-1", 10101, False),
    ]
    assert [r["id"] for r in first["removed"]] == [6]
    assert tge.writes() == [("clear_duplicates", 10302, 10004)], "no request for an issue with nothing to clear"
    # The server removed exactly what was reported.
    assert sorted(r["id"] for r in tge.rows[10004]) == [5, 7]

    tge.calls = []
    second = run_action(tge, FakeCore(), "clear_duplicates", grid="10302", issues=["DEMO-4", "OPS-1"])
    assert second["changed"] is False and second["removed"] == []
    assert tge.writes() == []


def test_check_mode_sends_nothing_and_reports_what_a_real_run_does():
    checked_tge = FakeTge({10004: DEMO4})
    checked = run_action(checked_tge, FakeCore(), "clear_not_modified", grid="10302", issue="DEMO-4", check_mode=True)
    assert checked_tge.writes() == []
    real_tge = FakeTge({10004: DEMO4})
    real = run_action(real_tge, FakeCore(), "clear_not_modified", grid="10302", issue="DEMO-4")
    assert real_tge.writes() == [("clear_not_modified", 10302, 10004)]
    assert checked == real
    assert real["issue_id"] == 10004
    assert [r["id"] for r in real["removed"]] == [5, 6]
    assert real["before"] == {
        "DEMO-4": [dict((k, v) for k, v in r.items() if k not in ("issueId", "modified")) for r in DEMO4]
    }
    assert [r["id"] for r in real["after"]["DEMO-4"]] == [7]


def test_every_issue_is_read_before_the_first_write():
    tge = FakeTge({10004: DEMO4, 10101: DEMO4})
    run_action(tge, FakeCore(), "clear_duplicates", grid="10302", issues=["DEMO-4", "OPS-1"])
    assert [c[0] for c in tge.calls] == ["read_rows", "read_rows", "clear_duplicates", "clear_duplicates"]


def test_an_issue_named_twice_is_handled_once():
    tge = FakeTge({10004: DEMO4})
    result = run_action(tge, FakeCore(), "clear_duplicates", grid="10302", issues=["DEMO-4", "10004"])
    assert [r["issue"] for r in result["results"]] == ["DEMO-4"]
    assert len(tge.writes()) == 1


def test_a_refused_clear_says_what_was_already_applied():
    tge = FakeTge({10004: DEMO4, 10101: DEMO4}, fail={("clear_duplicates", 10302, 10101): 403})
    with pytest.raises(MaintenanceError) as info:
        run_action(tge, FakeCore(), "clear_duplicates", grid="10302", issues=["DEMO-4", "OPS-1"])
    message = str(info.value)
    assert "clear_duplicates of grid 10302 on issue OPS-1 (1 row(s) to remove) needs permission to edit" in message
    assert "HTTP 403" in message and "refused" in message
    assert message.endswith("already applied: DEMO-4: 1 row(s) removed")
    result = info.value.result
    assert result["changed"] is True and result["grid_id"] == 10302
    assert [r["issue"] for r in result["results"]] == ["DEMO-4"]
    assert info.value.api_error.status == 403


def test_a_refused_read_names_the_browse_permission_before_any_write():
    tge = FakeTge({10004: DEMO4, 10101: DEMO4}, fail={("read_rows", 10302, 10101): 403})
    with pytest.raises(MaintenanceError) as info:
        run_action(tge, FakeCore(), "clear_duplicates", grid="10302", issues=["DEMO-4", "OPS-1"])
    assert "clear_duplicates reads grid 10302 on issue OPS-1 first, which needs permission to browse" in str(info.value)
    assert info.value.result["changed"] is False and info.value.result["results"] == []
    assert tge.writes() == []


def test_other_read_errors_pass_through():
    tge = FakeTge({}, fail={("read_rows", 10302, 10004): 404})
    with pytest.raises(JiraApiError):
        run_action(tge, FakeCore(), "clear_duplicates", grid="10302", issue="DEMO-4")


def test_a_failing_first_clear_changed_nothing():
    tge = FakeTge({10004: DEMO4}, fail={("clear_not_modified", 10302, 10004): 500})
    with pytest.raises(MaintenanceError, match=r"failed to clear_not_modified .*HTTP 500.*; nothing was changed$"):
        run_action(tge, FakeCore(), "clear_not_modified", grid="10302", issue="DEMO-4")


def test_reload_sends_all_grids_per_issue_and_always_changes():
    tge = FakeTge({})
    result = run_action(
        tge, FakeCore(), "reload", grids=["Asset Inventory", "10301", "10302"], issues=["DEMO-4", "OPS-1"]
    )
    assert result["changed"] is True and result["grid_ids"] == [10302, 10301]
    assert tge.writes() == [("reload", 10004, (10302, 10301)), ("reload", 10101, (10302, 10301))]
    assert result["results"] == [
        {"issue": "DEMO-4", "issue_id": 10004, "changed": True},
        {"issue": "OPS-1", "issue_id": 10101, "changed": True},
    ]


def test_reload_in_check_mode_sends_nothing_but_resolves_the_issues():
    tge = FakeTge({})
    core = FakeCore()
    result = run_action(tge, core, "reload", grid="10302", issue="DEMO-4", check_mode=True)
    assert tge.writes() == []
    assert core.lookups == ["DEMO-4"]
    assert result == {
        "changed": True,
        "action": "reload",
        "grid_ids": [10302],
        "issue_id": 10004,
        "results": [{"issue": "DEMO-4", "issue_id": 10004, "changed": True}],
    }


def test_reload_refused_names_the_missing_right_and_what_was_reloaded():
    tge = FakeTge({}, fail={("reload", 10101, (10302,)): 403})
    with pytest.raises(MaintenanceError) as info:
        run_action(tge, FakeCore(), "reload", grid="10302", issues=["DEMO-4", "OPS-1"])
    assert "reload grid(s) 10302 on issue OPS-1 needs permission to edit the issue" in str(info.value)
    assert str(info.value).endswith("already reloaded on: DEMO-4")
    assert info.value.result["changed"] is True


def test_synchronize_always_changes_and_sends_nothing_in_check_mode():
    tge = FakeTge({})
    assert run_action(tge, FakeCore(), "synchronize", check_mode=True) == {"changed": True, "action": "synchronize"}
    assert tge.calls == []
    assert run_action(tge, FakeCore(), "synchronize") == {"changed": True, "action": "synchronize"}
    assert tge.calls == [("synchronize",)]


@pytest.mark.parametrize(
    "status, words",
    [(403, "needs a Jira system administrator"), (404, "needs Table Grid Editor 1.19 or later"), (500, "failed")],
)
def test_synchronize_errors_in_plain_words(status, words):
    tge = FakeTge({}, fail={("synchronize",): status})
    with pytest.raises(MaintenanceError, match=words) as info:
        run_action(tge, FakeCore(), "synchronize")
    assert "HTTP %d" % status in str(info.value)
    assert info.value.result == {"changed": False, "action": "synchronize"}


def test_bad_options_fail_before_any_lookup():
    tge, core = FakeTge({}), FakeCore()
    with pytest.raises(MaintenanceInputError):
        run_action(tge, core, "clear_duplicates", grids=["10302"], issue="DEMO-4")
    assert tge.calls == [] and core.lookups == []
