# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.jira.addons.plugins.module_utils.client import JiraClient
from ansible_collections.jira.addons.plugins.module_utils.jira_api import JiraCoreApi, is_issue_id
from ansible_collections.jira.addons.plugins.module_utils.tge_api import GridNotFound, TgeApi, parse_grid_id


def query(request):
    return {k: v[0] for k, v in parse_qs(urlsplit(request["path"]).query).items()}


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("10301", 10301),
        (10301, 10301),
        ("customfield_10301", 10301),
        (" 42 ", 42),
        ("Asset List", None),
        ("customfield_x", None),
        ("10301a", None),
    ],
)
def test_parse_grid_id(ref, expected):
    assert parse_grid_id(ref) == expected


def test_is_issue_id():
    assert is_issue_id("10001") and is_issue_id(10001)
    assert not is_issue_id("DEMO-1")


def test_read_rows_follows_total_when_pages_are_smaller_than_asked(server):
    rows = [{"id": i, "name": "r%d" % i} for i in range(1, 6)]
    server.script = [
        (200, {}, {"startAt": 0, "maxResults": 2, "total": 5, "values": rows[0:2]}),
        (200, {}, {"startAt": 2, "maxResults": 2, "total": 5, "values": rows[2:4]}),
        (200, {}, {"startAt": 4, "maxResults": 2, "total": 5, "values": rows[4:5]}),
    ]
    api = TgeApi(JiraClient(server.url, token="t"))
    assert api.read_rows(10301, 10001, columns=["name", "dob"]) == rows
    assert [urlsplit(r["path"]).path for r in server.requests] == ["/rest/idalko-igrid/1.0/grid/10301/issue/10001"] * 3
    assert [query(r)["startAt"] for r in server.requests] == ["0", "2", "4"]
    assert {query(r)["maxResults"] for r in server.requests} == {"1000"}
    assert query(server.requests[0])["columns"] == "name,dob"


def test_read_rows_stops_on_an_empty_page_even_if_total_is_larger(server):
    server.script = [
        (200, {}, {"startAt": 0, "maxResults": 50, "total": 9, "values": [{"id": 1}]}),
        (200, {}, {"startAt": 1, "maxResults": 50, "total": 9, "values": []}),
    ]
    assert TgeApi(JiraClient(server.url)).read_rows(1, 2) == [{"id": 1}]
    assert len(server.requests) == 2


def test_resolve_grid_by_name_uses_the_grid_list(server):
    server.script = [(200, {}, [{"id": "10301", "name": "Family List"}, {"id": "10302", "name": "Asset List"}])] * 2
    api = TgeApi(JiraClient(server.url))
    assert api.resolve_grid("Asset List") == 10302
    assert api.resolve_grid("asset list") == 10302
    assert api.resolve_grid("customfield_10301") == 10301
    assert len(server.requests) == 2, "an id needs no lookup"


def test_resolve_grid_unknown_name_lists_the_grids(server):
    server.script = [(200, {}, [{"id": "10301", "name": "Family List"}])]
    with pytest.raises(GridNotFound, match=r"no grid named 'Parts'; grids on this Jira: Family List \(10301\)"):
        TgeApi(JiraClient(server.url)).resolve_grid("Parts")


def test_resolve_grid_by_name_without_admin_rights_says_what_to_do(server):
    server.script = [(403, {}, "")]
    with pytest.raises(GridNotFound, match="needs Jira administrator rights.*give the grid's custom field id"):
        TgeApi(JiraClient(server.url)).resolve_grid("Family List")


def test_issue_id_resolves_keys_but_not_ids(server):
    server.script = [(200, {}, {"id": "10001", "key": "DEMO-1", "fields": {}})]
    api = JiraCoreApi(JiraClient(server.url))
    assert api.issue_id("DEMO-1") == 10001
    assert api.issue_id("10002") == 10002
    assert len(server.requests) == 1
    assert server.requests[0]["path"] == "/rest/api/2/issue/DEMO-1?fields="


def test_issue_property_missing_is_none(server):
    server.script = [(404, {}, {"errorMessages": ["no property"]}), (200, {}, {"key": "k", "value": {"forms": []}})]
    api = JiraCoreApi(JiraClient(server.url))
    assert api.issue_property("DEMO-1", "proforma.forms") is None
    assert api.issue_property("DEMO-1", "proforma.forms") == {"forms": []}
