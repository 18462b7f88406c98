# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ansible_collections.jira.addons.plugins.modules import tge_grid_sync

SECRET = "hunter2-secret"
PAGE = {
    "startAt": 0,
    "maxResults": 100,
    "total": 2,
    "values": [
        {"id": 5, "issueId": 10004, "modified": 0, "asset": "LAP-001"},
        {"id": 6, "issueId": 10004, "modified": 0, "asset": "LAP-001"},
    ],
}


def args(server, **options):
    return dict({"url": server.url, "token": SECRET}, **options)


def calls(server):
    return [(r["method"], urlsplit(r["path"]).path) for r in server.requests]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"action": "synchronize", "issue": "DEMO-4"}, "remove issue"),
        ({"action": "reload", "grid": "10302", "grids": ["10301"], "issue": "DEMO-4"}, "mutually exclusive"),
        ({"action": "clear_duplicates", "grids": ["10302"], "issue": "DEMO-4"}, "give grid, not grids"),
        ({"action": "clear_not_modified", "grid": "10302"}, "needs issue or issues"),
    ],
)
def test_bad_options_fail_before_any_request(server, run_module, options, message):
    result, failed = run_module(tge_grid_sync.main, args(server, **options))
    assert failed
    assert message in result["msg"]
    assert not result["msg"].startswith("unexpected error")
    assert server.requests == []


def test_clear_in_check_mode_with_diff_reads_only(server, run_module):
    server.script = [(200, {}, PAGE)]
    options = args(server, action="clear_duplicates", grid="10302", issue="10004", _ansible_check_mode=True)
    options["_ansible_diff"] = True
    result, failed = run_module(tge_grid_sync.main, options)
    assert not failed, result
    assert calls(server) == [("GET", "/rest/idalko-igrid/1.0/grid/10302/issue/10004")]
    assert result["changed"] is True
    assert result["removed"] == [{"id": 6, "asset": "LAP-001"}]
    assert result["results"] == [
        {"issue": "10004", "issue_id": 10004, "changed": True, "removed": [{"id": 6, "asset": "LAP-001"}]}
    ]
    assert result["diff"]["before"] == {"10004": [{"id": 5, "asset": "LAP-001"}, {"id": 6, "asset": "LAP-001"}]}
    assert result["diff"]["after"] == {"10004": [{"id": 5, "asset": "LAP-001"}]}
    assert "before" not in result and "after" not in result


def test_refused_clear_fails_with_the_server_message_and_no_secret(server, run_module):
    server.script = [(200, {}, PAGE), (403, {}, "User 'bob' has no permission to edit issue DEMO-4")]
    result, failed = run_module(
        tge_grid_sync.main, args(server, action="clear_duplicates", grid="10302", issue="10004")
    )
    assert failed
    assert "needs permission to edit the issue" in result["msg"]
    assert "User 'bob' has no permission to edit issue DEMO-4" in result["msg"]
    assert result["error"]["status"] == 403
    assert result["changed"] is False and result["removed"] == []
    assert SECRET not in repr(result)
