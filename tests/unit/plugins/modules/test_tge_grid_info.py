# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from ansible.module_utils import basic

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


# --- as_declared, jql and the requests they cost ------------------------------------------------------------------


def query(request):
    return parse_qs(urlsplit(request["path"]).query)


def all_issues_page(*issues, total=None):
    values = [{"issueId": issue_id, "values": rows} for issue_id, rows in issues]
    return (
        200,
        {},
        {"startAt": 0, "maxResults": 100, "total": len(values) if total is None else total, "values": values},
    )


def search_page(*keys, start=0, total=None):
    issues = [{"id": str(issue_id), "key": key, "self": "x", "fields": {}} for issue_id, key in keys]
    return (
        200,
        {},
        {"startAt": start, "maxResults": 1000, "total": len(issues) if total is None else total, "issues": issues},
    )


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kwargs: seen.append(warning))
    return seen


def test_as_declared_on_every_issue_reads_the_pages_then_one_search_for_the_keys(server, run_module, warnings):
    server.script = [
        all_issues_page(
            (10101, [{"id": 1, "modified": 0, "asset": "B", "qty": 2.0}, {"id": 2, "modified": 1, "asset": "A"}]),
            (10004, [{"id": 3, "modified": 0, "asset": "C", "purchased": 1677663000000}]),
        ),
        search_page((10004, "DEMO-4"), (10101, "OPS-1")),
    ]
    args = {"grid": "10302", "as_declared": True, "key": ["asset"], "column_types": {"purchased": "datetime"}}
    result, failed = run_module(tge_grid_info.main, dict(args, url=server.url, token=SECRET, timezone="+01:00"))
    assert not failed, result
    assert paths(server) == [("GET", "/rest/idalko-igrid/1.0/grid/10302/issues"), ("GET", "/rest/api/2/search")]
    assert query(server.requests[1]) == {
        "jql": ["id in (10101, 10004)"],
        "fields": ["key"],
        "startAt": ["0"],
        "maxResults": ["1000"],
    }
    ops, demo = result["issues"]
    assert (ops["issue_id"], ops["issue_key"], ops["row_count"], ops["key"]) == (10101, "OPS-1", 2, ["asset"])
    assert ops["rows"] == [{"asset": "A"}, {"asset": "B", "qty": 2}]
    assert demo["rows"] == [{"asset": "C", "purchased": "2023-03-01T10:30:00+01:00"}]
    assert result["columns"] == ops["columns"] == {"asset": "string", "purchased": "datetime", "qty": "number"}
    assert result["row_count"] == 3 and result["changed"] is False and warnings == []


def test_as_declared_warns_about_what_a_file_must_say(server, run_module, warnings):
    server.script = [
        all_issues_page((10004, [{"id": 7, "asset": "LAP-1"}, {"id": 8, "asset": "LAP-1"}])),
        search_page((10004, "DEMO-4")),
    ]
    result, failed = run_module(
        tge_grid_info.main, {"url": server.url, "token": SECRET, "grid": "10302", "as_declared": True, "key": ["asset"]}
    )
    assert not failed, result
    (demo,) = result["issues"]
    assert "key" not in demo and demo["rows"] == [{"asset": "LAP-1"}, {"asset": "LAP-1"}]
    assert warnings == ["DEMO-4: %s" % warning for warning in demo["warnings"]] and len(warnings) == 2
    assert "warnings" not in result  # given to Ansible as warnings, not returned a second time


def test_issues_the_search_cannot_show_are_looked_up_one_by_one(server, run_module, warnings):
    # Jira refuses a whole search that names an issue it does not show (deleted, or not browsable).
    server.script = [
        all_issues_page((10001, [{"id": 1, "name": "a"}]), (10099, [{"id": 2, "name": "b"}])),
        (400, {}, {"errorMessages": ["An issue with key '10099' does not exist for field 'id'."], "errors": {}}),
        (200, {}, {"id": "10001", "key": "DEMO-1", "fields": {}}),
        (404, {}, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}),
    ]
    result, failed = run_module(
        tge_grid_info.main, {"url": server.url, "token": SECRET, "grid": "10301", "as_declared": True, "retries": 0}
    )
    assert not failed, result
    assert paths(server)[1:] == [
        ("GET", "/rest/api/2/search"),
        ("GET", "/rest/api/2/issue/10001"),
        ("GET", "/rest/api/2/issue/10099"),
    ]
    assert [(i["issue_key"], i["rows"]) for i in result["issues"]] == [("DEMO-1", [{"name": "a"}])]
    assert result["row_count"] == 1
    assert warnings == [
        "issue ids 10099 hold rows of this grid, but Jira does not show these issues (deleted, or not browsable):"
        " left out"
    ]


def test_jql_searches_every_page_first_and_keeps_its_issues(server, run_module):
    server.script = [
        search_page((10002, "DEMO-2"), (10001, "DEMO-1"), total=3),
        search_page((10005, "DEMO-5"), start=2, total=3),
        all_issues_page((10001, [{"id": 1, "name": "a"}]), (10003, [{"id": 2, "name": "x"}])),
    ]
    result, failed = run_module(
        tge_grid_info.main, {"url": server.url, "token": SECRET, "grid": "10301", "jql": "project = DEMO"}
    )
    assert not failed, result
    assert paths(server) == [
        ("GET", "/rest/api/2/search"),
        ("GET", "/rest/api/2/search"),
        ("GET", "/rest/idalko-igrid/1.0/grid/10301/issues"),
    ]
    assert [query(r)["startAt"] for r in server.requests[:2]] == [["0"], ["2"]]
    assert query(server.requests[0])["jql"] == ["project = DEMO"]
    # DEMO-2 and DEMO-5 hold no rows; 10003 holds rows but is not in the search. Rows as TGE returns them.
    assert result["issues"] == [
        {"issue_id": 10001, "issue_key": "DEMO-1", "row_count": 1, "rows": [{"id": 1, "name": "a"}]}
    ]


def test_a_search_that_matches_nothing_reads_no_grid(server, run_module):
    server.script = [search_page()]
    result, failed = run_module(
        tge_grid_info.main, {"url": server.url, "token": SECRET, "grid": "10301", "jql": "status = Gone"}
    )
    assert not failed and result["issues"] == [] and result["row_count"] == 0
    assert paths(server) == [("GET", "/rest/api/2/search")]


def test_a_query_jira_refuses_fails_with_its_words(server, run_module):
    server.script = [(400, {}, {"errorMessages": ["Error in the JQL Query: Expected an operator"], "errors": {}})]
    result, failed = run_module(
        tge_grid_info.main, {"url": server.url, "token": SECRET, "grid": "10301", "jql": "status", "as_declared": True}
    )
    assert failed
    assert result["msg"].startswith("GET /rest/api/2/search failed with HTTP 400")
    assert result["msg"].endswith("Error in the JQL Query: Expected an operator")
    assert len(server.requests) == 1


def test_as_declared_on_one_issue_looks_its_key_up_even_for_an_id(server, run_module):
    server.script = [
        (200, {}, {"id": "10201", "key": "HR-1", "fields": {}}),
        (
            200,
            {},
            {"startAt": 0, "maxResults": 100, "total": 1, "values": [{"id": 5, "sandwich": "Club", "count": 2.0}]},
        ),
    ]
    args = {"url": server.url, "token": SECRET, "grid": "10303", "issue": "10201", "as_declared": True}
    result, failed = run_module(tge_grid_info.main, dict(args, key=["sandwich"]))
    assert not failed, result
    assert paths(server) == [
        ("GET", "/rest/api/2/issue/10201"),
        ("GET", "/rest/idalko-igrid/1.0/grid/10303/issue/10201"),
    ]
    assert (result["issue_id"], result["issue_key"], result["key"]) == (10201, "HR-1", ["sandwich"])
    assert result["rows"] == [{"sandwich": "Club", "count": 2}] and result["row_count"] == 1
    assert result["columns"] == {"sandwich": "string", "count": "number"}


@pytest.mark.parametrize(
    "args, message",
    [
        ({"grid": "10301", "key": ["name"]}, "column_types and key shape the rows as declared: they need as_declared"),
        ({"grid": "10301", "column_types": {"dob": "date"}}, "they need as_declared=true"),
        ({"grid": "10301", "as_declared": True, "column_types": {"dob": "day"}}, "column 'dob': unknown type 'day'"),
        ({"grid": "10301", "as_declared": True, "timezone": "+25:00"}, "timezone '+25:00' is not a valid offset"),
        ({"grid": "10301", "as_declared": True, "key": ["name", "name"]}, "key names a column twice"),
        (
            {"grid": "10301", "as_declared": True, "key": ["name"], "columns": ["dob"]},
            "key column(s) name must be among",
        ),
        ({"grid": "10301", "issue": "DEMO-1", "jql": "project = DEMO"}, "mutually exclusive: issue|jql"),
        ({"jql": "project = DEMO"}, "jql"),
        ({"as_declared": True}, "as_declared is True but all of the following are missing: grid"),
    ],
)
def test_bad_options_fail_before_any_request(server, run_module, args, message):
    result, failed = run_module(tge_grid_info.main, dict(args, url=server.url, token=SECRET))
    assert failed
    assert message in result["msg"]
    assert server.requests == []
