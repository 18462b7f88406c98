"""Jira core endpoints: issue, issue properties, myself, search."""

from __future__ import annotations

NO_ISSUE = {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}


def test_issue_by_key_and_id(admin, emulator):
    by_key = admin.get("/rest/api/2/issue/DEMO-1").json()
    assert by_key["id"] == "10001" and by_key["key"] == "DEMO-1"
    assert by_key["self"] == f"{emulator.url}/rest/api/2/issue/10001"
    assert by_key["fields"]["summary"] == "Family of the CEO"
    assert by_key["fields"]["status"] == {"name": "Open"}
    assert by_key["fields"]["project"]["key"] == "DEMO"
    assert admin.get("/rest/api/2/issue/10001").json()["key"] == "DEMO-1"


def test_issue_fields_parameter(admin):
    empty = admin.get("/rest/api/2/issue/DEMO-1?fields=").json()
    assert empty == {"id": "10001", "key": "DEMO-1", "self": empty["self"], "fields": {}}
    assert admin.get("/rest/api/2/issue/DEMO-1", params={"fields": "summary"}).json()["fields"] == {
        "summary": "Family of the CEO"
    }


def test_invisible_issue_is_404_like_a_missing_one(api):
    missing = api("admin").get("/rest/api/2/issue/DEMO-999")
    hidden = api("carol").get("/rest/api/2/issue/DEMO-1")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json() == NO_ISSUE
    assert api("carol").get("/rest/api/2/issue/DEMO-1/properties/proforma.forms").json() == NO_ISSUE


def test_property_read(api):
    bob = api("bob")
    body = bob.get("/rest/api/2/issue/DEMO-1/properties/proforma.forms.i1").json()
    assert body["key"] == "proforma.forms.i1" and body["value"]["state"]["status"] == "s"
    missing = bob.get("/rest/api/2/issue/DEMO-1/properties/proforma.forms.i99")
    assert missing.status_code == 404 and missing.json()["errorMessages"]
    assert bob.put("/rest/api/2/issue/DEMO-1/properties/x", json={}).status_code == 405


def test_search(api):
    admin = api("admin")
    body = admin.get("/rest/api/2/search", params={"jql": "project = OPS ORDER BY key", "fields": "summary"}).json()
    assert body["total"] == 3 and [i["key"] for i in body["issues"]] == ["OPS-1", "OPS-2", "OPS-3"]
    assert body["issues"][0]["fields"] == {"summary": "Datacenter inventory"}
    page = admin.get("/rest/api/2/search", params={"jql": "", "startAt": 2, "maxResults": 3}).json()
    assert (page["startAt"], page["maxResults"], page["total"], len(page["issues"])) == (2, 3, 9, 3)
    keys = admin.get("/rest/api/2/search", params={"jql": "key in (DEMO-1, OPS-2) OR status = Done"}).json()
    assert [i["key"] for i in keys["issues"]] == ["DEMO-1", "DEMO-5", "OPS-2"]
    status = admin.get("/rest/api/2/search", params={"jql": 'status = "In Progress"'}).json()
    assert [i["key"] for i in status["issues"]] == ["DEMO-3"]
    assert api("bob").get("/rest/api/2/search", params={"jql": "project = OPS"}).json()["total"] == 0
    bad = admin.get("/rest/api/2/search", params={"jql": "summary ~ oops"})
    assert bad.status_code == 400 and bad.json()["errorMessages"][0].startswith("Error in the JQL Query")


def test_search_takes_issue_ids_where_it_takes_keys(api):
    # As in Jira, id, key and issuekey are one field: issue keys and numeric ids alike.
    admin = api("admin")

    def keys(jql):
        body = admin.get("/rest/api/2/search", params={"jql": jql, "fields": "key"}).json()
        assert all(issue["fields"] == {} and issue["id"].isdigit() for issue in body["issues"])
        return [issue["key"] for issue in body["issues"]]

    assert keys("id in (10101, 10003, DEMO-1)") == ["DEMO-1", "DEMO-3", "OPS-1"]
    assert keys("key = 10201") == ["HR-1"]
    assert keys("issuekey in (10201, OPS-2) AND id != 10102") == ["HR-1"]
    assert keys("project = OPS AND id not in (10101)") == ["OPS-2", "OPS-3"]


def test_a_search_naming_an_issue_jira_does_not_show_is_refused_whole(api):
    # As in Jira: a missing key, or an issue the user may not browse, is a 400 naming each one, not fewer results.
    answer = api("admin").get("/rest/api/2/search", params={"jql": 'key in ("DEMO-1", "DEMO-999", NOPE-1)'})
    assert answer.status_code == 400
    assert answer.json()["errorMessages"] == [
        "An issue with key 'DEMO-999' does not exist for field 'key'.",
        "An issue with key 'NOPE-1' does not exist for field 'key'.",
    ]
    hidden = api("bob").get("/rest/api/2/search", params={"jql": "id = 10101"})
    assert hidden.status_code == 400
    assert hidden.json()["errorMessages"] == ["An issue with key '10101' does not exist for field 'id'."]
    assert api("admin").get("/rest/api/2/search", params={"jql": "id = 10101"}).json()["total"] == 1
