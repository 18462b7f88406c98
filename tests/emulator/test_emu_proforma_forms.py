"""ProForma form operations (add, submit, reopen, unlock) and their issue-property storage."""

from __future__ import annotations

import pytest
from proforma_schema import assert_proforma_response

PF = "/rest/proforma/1/issue"
PROPS = "/rest/api/2/issue/{key}/properties/{prop}"


def index(client, key):
    """The ``proforma.forms`` index of an issue."""
    return client.get(PROPS.format(key=key, prop="proforma.forms")).json()["value"]["forms"]


def form(client, key, form_id):
    """One form property."""
    return client.get(PROPS.format(key=key, prop=f"proforma.forms.i{form_id}")).json()["value"]


def change(client, key, form_id, action):
    response = client.post(f"{PF}/{key}/form/{form_id}/{action}")
    return response, assert_proforma_response(response)


def test_fixture_forms_are_stored_as_issue_properties(admin):
    assert index(admin, "DEMO-1") == [
        {"id": 1, "name": "Asset request", "templateId": 1, "submitted": True, "lock": False, "internal": True},
        {"id": 2, "name": "Asset request", "templateId": 1, "submitted": False, "lock": False, "internal": True},
        {"id": 3, "name": "Change approval", "templateId": 2, "submitted": False, "lock": False, "internal": True},
    ]
    locked = form(admin, "OPS-1", 1)
    assert locked["schemaVersion"] == 8
    assert locked["design"]["settings"] == {"templateId": 2, "name": "Change approval", "submit": {"lock": True}}
    assert locked["design"]["questions"]["1"]["label"] == "Change summary"
    assert locked["state"]["status"] == "l" and locked["state"]["visibility"] == "e"
    assert locked["state"]["answers"]["1"] == {"text": "Replace core switch"}
    assert locked["state"]["submitted"]
    missing = admin.get(PROPS.format(key="DEMO-5", prop="proforma.forms"))
    assert missing.status_code == 404 and missing.json()["errorMessages"]


def test_add_form_copies_and_ids_are_never_reused(api):
    alice = api("alice")
    response = alice.post(f"{PF}/DEMO-5/form", json={"templateFormId": 1, "visibility": "e", "add": 2})
    assert response.status_code == 200 and response.content == b""
    assert_proforma_response(response)
    forms = index(alice, "DEMO-5")
    assert [(f["id"], f["internal"], f["submitted"]) for f in forms] == [(1, False, False), (2, False, False)]
    assert form(alice, "DEMO-5", 2)["state"] == {"status": "o", "visibility": "e", "answers": {}}
    alice.post(f"{PF}/DEMO-1/form", json={"templateFormId": 3})
    assert [f["id"] for f in index(alice, "DEMO-1")] == [1, 2, 3, 4]
    assert index(alice, "DEMO-1")[-1]["internal"] is True  # default visibility i


@pytest.mark.parametrize(
    "body",
    [{}, {"templateFormId": "one"}, {"templateFormId": 1, "visibility": "x"}, {"templateFormId": 1, "add": 0}, [1]],
)
def test_add_form_bad_body_is_400_client_error(admin, body):
    response = admin.post(f"{PF}/DEMO-5/form", json=body)
    assert response.status_code == 400
    assert assert_proforma_response(response)["error"] == "client"


def test_add_form_errors(api):
    invalid_json = api("admin").post(f"{PF}/DEMO-5/form", data="{", headers={"Content-Type": "application/json"})
    assert invalid_json.status_code == 400
    assert_proforma_response(invalid_json)
    unknown_template = api("admin").post(f"{PF}/DEMO-5/form", json={"templateFormId": 99})
    assert unknown_template.status_code == 404
    assert_proforma_response(unknown_template)
    forbidden = api("bob").post(f"{PF}/DEMO-5/form", json={"templateFormId": 1})
    assert forbidden.status_code == 403
    assert assert_proforma_response(forbidden)["error"] == "forbidden"
    unknown_issue = api("admin").post(f"{PF}/NOPE-1/form", json={"templateFormId": 1})
    assert unknown_issue.status_code == 400
    assert_proforma_response(unknown_issue)
    assert api("admin").get(PROPS.format(key="DEMO-5", prop="proforma.forms")).status_code == 404


def test_submit_reopen_cycle_without_lock(admin):
    response, body = change(admin, "DEMO-1", 2, "submit")
    assert response.status_code == 200 and body == {"status": "s", "transitioned": False}
    state = form(admin, "DEMO-1", 2)["state"]
    assert state["status"] == "s" and state["submitted"].endswith("Z")
    assert index(admin, "DEMO-1")[1]["submitted"] is True
    _response, body = change(admin, "DEMO-1", 2, "reopen")
    assert body == {"status": "o", "transitioned": False}
    assert "submitted" not in form(admin, "DEMO-1", 2)["state"]


def test_submit_locks_and_transitions_when_the_template_says_so(admin):
    response, body = change(admin, "DEMO-1", 3, "submit")
    assert body == {"status": "l", "transitioned": True}
    assert admin.get("/rest/api/2/issue/DEMO-1", params={"fields": "status"}).json()["fields"]["status"]["name"] == (
        "Approved"
    )
    assert index(admin, "DEMO-1")[2]["lock"] is True
    _response, body = change(admin, "DEMO-1", 3, "unlock")
    assert body == {"status": "s", "transitioned": False}
    _response, body = change(admin, "DEMO-1", 3, "reopen")
    assert body["status"] == "o"
    _response, body = change(admin, "DEMO-1", 3, "submit")
    assert body == {"status": "l", "transitioned": False}  # the issue is already Approved


@pytest.mark.parametrize(
    ("key", "form_id", "action"),
    [
        ("DEMO-1", 1, "submit"),  # already submitted
        ("DEMO-1", 2, "reopen"),  # open
        ("DEMO-1", 1, "unlock"),  # submitted, not locked
        ("OPS-1", 1, "submit"),  # locked
        ("DEMO-1", 99, "submit"),  # no such form
        ("DEMO-1", "abc", "submit"),
        ("NOPE-9", 1, "submit"),  # no such issue
    ],
)
def test_state_changes_that_cannot_happen_are_400(admin, key, form_id, action):
    response, body = change(admin, key, form_id, action)
    assert response.status_code == 400
    assert body["error"] == "client" and body["message"]


@pytest.mark.parametrize("user", ["bob", "carol"])
def test_state_changes_need_edit_permission(api, user):
    response, body = change(api(user), "DEMO-1", 2, "submit")
    assert response.status_code == 403 and body["error"] == "forbidden"
    assert form(api("admin"), "DEMO-1", 2)["state"]["status"] == "o"


def test_alice_can_change_forms_in_her_projects(api):
    response, body = change(api("alice"), "OPS-1", 1, "unlock")
    assert response.status_code == 200 and body["status"] == "s"


def test_fixture_issue_properties_and_a_null_form_index(emulator, admin):
    emulator.load(
        {
            "users": [{"name": "admin", "password": "admin-pass", "sysadmin": True}],
            "projects": [{"key": "NUL", "id": 1}],
            "issues": [{"key": "NUL-1", "id": 2, "properties": {"proforma.forms": None}}],
            "templates": [{"id": 1, "name": "T"}],
        }
    )
    response = admin.get(PROPS.format(key="NUL-1", prop="proforma.forms"))
    assert response.status_code == 200 and response.json()["value"] is None
    assert admin.post(f"{PF}/NUL-1/form", json={"templateFormId": 1}).status_code == 200
    assert [f["id"] for f in index(admin, "NUL-1")] == [1]
