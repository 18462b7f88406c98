"""Authentication and global permissions on every API family."""

from __future__ import annotations

import pytest
from proforma_schema import assert_proforma_response

AUTH_MESSAGE = "You are not authenticated. Authentication required to perform this operation."
ENDPOINTS = [
    ("GET", "/rest/idalko-igrid/1.0/grid/list"),
    ("GET", "/rest/idalko-igrid/1.0/grid/10301/issue/10001"),
    ("PUT", "/rest/idalko-igrid/1.0/grid/synchronize"),
    ("GET", "/rest/api/2/myself"),
    ("GET", "/rest/api/2/issue/DEMO-1"),
    ("POST", "/rest/proforma/1/export"),
    ("GET", "/rest/proforma/1/export/unknown"),
    ("POST", "/rest/proforma/1/issue/DEMO-1/form/1/submit"),
    ("GET", "/rest/no/such/endpoint"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("how", ["none", "wrong-password", "unknown-user", "bad-token", "garbage"])
def test_every_endpoint_requires_credentials(api, method, path, how):
    client = {
        "none": lambda: api(None),
        "wrong-password": lambda: api("alice", password="nope"),
        "unknown-user": lambda: api("mallory", password="x"),
        "bad-token": lambda: api(token="not-a-token"),
        "garbage": lambda: api(None),
    }[how]()
    headers = {"Authorization": "Basic !!!notbase64"} if how == "garbage" else {}
    response = client.request(method, path, json={}, headers=headers)
    assert response.status_code == 401
    assert "WWW-Authenticate" not in response.headers
    assert response.json() == {"errorMessages": [AUTH_MESSAGE], "errors": {}}
    if path.startswith("/rest/proforma/"):
        assert_proforma_response(response)


def test_bearer_token_and_basic_auth_both_work(api):
    assert api(token="alice-token").get("/rest/api/2/myself").json()["name"] == "alice"
    me = api("bob").get("/rest/api/2/myself").json()
    assert me == {
        "self": me["self"],
        "name": "bob",
        "key": "bob",
        "displayName": "Bob Reader",
        "emailAddress": "bob@example.com",
        "active": True,
    }


def test_admin_only_endpoints(api):
    assert api("alice").get("/rest/idalko-igrid/1.0/grid/list").status_code == 403
    assert api("jadmin").get("/rest/idalko-igrid/1.0/grid/list").status_code == 200
    assert api("alice").get("/rest/idalko-igrid/1.0/grid/10301/datasource").status_code == 403


def test_synchronize_is_sysadmin_only(api):
    assert api("jadmin").put("/rest/idalko-igrid/1.0/grid/synchronize").status_code == 403
    response = api("admin").put("/rest/idalko-igrid/1.0/grid/synchronize")
    assert response.status_code == 204
    assert response.content == b""


def test_unknown_path_is_404_and_wrong_method_405(admin):
    assert admin.get("/rest/api/2/nothing-here").status_code == 404
    assert admin.delete("/rest/api/2/myself").status_code == 405
