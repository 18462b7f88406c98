# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from urllib.parse import urlsplit

from ansible_collections.jira.addons.plugins.modules import tge_grid_info

SECRET = "hunter2-secret"


def paths(server):
    return [(r["method"], urlsplit(r["path"]).path) for r in server.requests]


def test_lists_grids_without_a_grid(server, run_module):
    server.script = [(200, {}, [{"id": "10301", "name": "Family List"}])]
    result, failed = run_module(tge_grid_info.main, {"url": server.url, "token": SECRET})
    assert not failed
    assert result["changed"] is False
    assert result["grids"] == [{"id": 10301, "name": "Family List"}]


def test_reads_rows_of_an_issue_given_by_key(server, run_module):
    server.script = [
        (200, {}, {"id": "10001", "key": "DEMO-1", "fields": {}}),
        (200, {}, {"startAt": 0, "maxResults": 1, "total": 2, "values": [{"id": 1, "name": "a"}]}),
        (200, {}, {"startAt": 1, "maxResults": 1, "total": 2, "values": [{"id": 2, "name": "b"}]}),
    ]
    result, failed = run_module(
        tge_grid_info.main, {"url": server.url, "username": "u", "password": SECRET, "grid": "10301", "issue": "DEMO-1"}
    )
    assert not failed, result
    assert result["rows"] == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    assert result["row_count"] == 2
    assert result["issue_id"] == 10001 and result["grid_id"] == 10301
    assert paths(server) == [
        ("GET", "/rest/api/2/issue/DEMO-1"),
        ("GET", "/rest/idalko-igrid/1.0/grid/10301/issue/10001"),
        ("GET", "/rest/idalko-igrid/1.0/grid/10301/issue/10001"),
    ]


def test_grid_alone_groups_rows_per_issue_and_adds_datasource(server, run_module):
    server.script = [
        (
            200,
            {},
            {
                "startAt": 0,
                "maxResults": 10,
                "total": 2,
                "values": [
                    {"issueId": 10001, "values": [{"id": 1}, {"id": 2}]},
                    {"issueId": 10002, "values": [{"id": 3}]},
                ],
            },
        ),
        (
            200,
            {},
            {"configurationTableName": "family", "databaseTableName": "family_c10301", "connectionUrl": "jdbc:x"},
        ),
    ]
    result, failed = run_module(
        tge_grid_info.main, {"url": server.url, "token": SECRET, "grid": "customfield_10301", "datasource": True}
    )
    assert not failed, result
    assert [(i["issue_id"], i["row_count"]) for i in result["issues"]] == [(10001, 2), (10002, 1)]
    assert result["row_count"] == 3
    assert result["datasource"]["databaseTableName"] == "family_c10301"


def test_issue_without_grid_fails_before_any_request(server, run_module):
    result, failed = run_module(tge_grid_info.main, {"url": server.url, "token": SECRET, "issue": "DEMO-1"})
    assert failed
    assert "grid" in result["msg"]
    assert server.requests == []


def test_password_and_token_are_exclusive(server, run_module):
    args = {"url": server.url, "username": "u", "password": SECRET, "token": SECRET}
    result, failed = run_module(tge_grid_info.main, args)
    assert failed and "mutually exclusive" in result["msg"]
    assert server.requests == []


def test_http_error_fails_with_one_clear_message_and_no_secret(server, run_module):
    server.script = [(403, {}, "User %s has no permission to browse DEMO-1" % SECRET)]
    result, failed = run_module(
        tge_grid_info.main, {"url": server.url, "token": SECRET, "grid": "10301", "issue": "10001", "retries": 0}
    )
    assert failed
    assert result["msg"].startswith("GET /rest/idalko-igrid/1.0/grid/10301/issue/10001 failed with HTTP 403")
    assert result["error"]["status"] == 403
    assert SECRET not in repr(result)


def test_env_fallbacks_supply_the_connection(server, run_module, monkeypatch):
    monkeypatch.setenv("JIRA_URL", server.url)
    monkeypatch.setenv("JIRA_TOKEN", SECRET)
    server.script = [(200, {}, [])]
    result, failed = run_module(tge_grid_info.main, {})
    assert not failed and result["grids"] == []
    assert server.requests[0]["headers"]["Authorization"] == "Bearer " + SECRET


def test_explicit_password_wins_over_a_token_in_the_environment(server, run_module, monkeypatch):
    monkeypatch.setenv("JIRA_TOKEN", "env-token")
    monkeypatch.setenv("JIRA_USERNAME", "env-user")
    server.script = [(200, {}, [])]
    result, failed = run_module(tge_grid_info.main, {"url": server.url, "username": "u", "password": SECRET})
    assert not failed, result
    assert server.requests[0]["headers"]["Authorization"].startswith("Basic ")


def test_both_secrets_in_the_environment_is_an_error_before_any_request(server, run_module, monkeypatch):
    monkeypatch.setenv("JIRA_TOKEN", "env-token")
    monkeypatch.setenv("JIRA_PASSWORD", SECRET)
    monkeypatch.setenv("JIRA_USERNAME", "env-user")
    result, failed = run_module(tge_grid_info.main, {"url": server.url})
    assert failed and "JIRA_PASSWORD and JIRA_TOKEN are both set" in result["msg"]
    assert server.requests == []


def test_password_without_username_is_an_error(server, run_module):
    result, failed = run_module(tge_grid_info.main, {"url": server.url, "password": SECRET})
    assert failed and result["msg"].startswith("password needs username")
    assert SECRET not in repr(result)


def test_a_failure_inside_the_module_is_reported_as_itself(server, run_module):
    # fail_json raises SystemExit: JiraModule.run must not wrap it as an "unexpected error".
    server.script = [(200, {}, [{"id": "10301", "name": "Family List"}])]
    result, failed = run_module(tge_grid_info.main, {"url": server.url, "token": SECRET, "grid": "Parts"})
    assert failed
    assert result["msg"] == "no grid named 'Parts'; grids on this Jira: Family List (10301)"
