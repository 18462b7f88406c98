# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proforma_form with ``issues`` or ``jql``: one declaration on many issues, through real ansible-playbook."""

from __future__ import annotations

from .jira_state import forms, writes
from .runner import run_task

ADMIN = {"username": "admin", "password": "admin-pass"}


def run(emulator, tmp_path, **args):
    return run_task("jira.addons.proforma_form", dict(ADMIN, url=emulator.url, **args), tmp_path, diff=True)


def test_a_jql_search_puts_the_form_on_every_issue_it_returns_and_a_second_run_changes_nothing(emulator, tmp_path):
    first, proc = run(emulator, tmp_path, jql="project = OPS", template_id=2, count=1)
    assert not first.get("failed"), first.get("msg")
    assert [i["issue"] for i in first["issues"]] == ["OPS-1", "OPS-2", "OPS-3"]
    added_on = [i["issue"] for i in first["issues"] if i["added"]]
    assert first["changed"] is True and added_on and all(len(forms(emulator, k)) >= 1 for k in added_on)
    assert "forms on %s" % added_on[0] in proc.stdout, "one diff per issue, headed by the issue"
    searches = [r for r in emulator.requests() if r["path"].endswith("/rest/api/2/search")]
    assert searches and all(r["query"].get("fields") == "key" for r in searches)
    emulator.clear_requests()
    second, _proc = run(emulator, tmp_path, jql="project = OPS", template_id=2, count=1)
    assert second["changed"] is False and not writes(emulator)


def test_a_failing_issue_among_good_ones_fails_the_task_at_the_end_naming_it(emulator, tmp_path):
    result, _proc = run(emulator, tmp_path, issues=["OPS-3", "NOPE-1", "10101", "OPS-3"], template_id=1, count=1)
    assert result["failed"] is True
    assert [i["issue"] for i in result["issues"]] == ["OPS-3", "NOPE-1", "OPS-1"], "named twice, worked on once"
    assert [i["failed"] for i in result["issues"]] == [False, True, False]
    assert "1 of 3 issue(s) failed" in result["msg"] and "NOPE-1" in result["msg"]
    assert "applied: OPS-3 1 form(s) added" in result["msg"]
    assert forms(emulator, "OPS-3") == {1: (1, "o", "i")}
    # The id is turned into its key by a search naming it, not by a lookup of its own.
    searches = [r["query"]["jql"] for r in emulator.requests() if r["path"].endswith("/rest/api/2/search")]
    assert searches == ["id in (10101)"]
    assert not [r for r in emulator.requests() if r["path"].endswith("/rest/api/2/issue/10101")]


def test_bad_jql_gets_the_servers_message_before_any_write(emulator, tmp_path):
    result, _proc = run(emulator, tmp_path, jql="project = = OPS", template_id=1)
    assert result["failed"] is True and "search" in result["msg"] and "HTTP 400" in result["msg"]
    assert not writes(emulator)
