"""ProForma form operations (add, submit, reopen, unlock) and their issue-property storage."""

from __future__ import annotations

import base64
import json
import threading

import pytest
from jira_emulator.process import EmulatorError
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


# -- the shapes real servers store (settings.forms_shapes) ------------------------------------------


def prop(client, key, name):
    return client.get(PROPS.format(key=key, prop=name))


def shapes(emulator, **changes):
    emulator.settings(forms_shapes=changes)


def joined_design(client, key, form_id):
    """The design of a chunked form, joined from its parts as a client of a real server must."""
    root = form(client, key, form_id)
    current, total = (int(n) for n in root["rawData"]["part"].split("/"))
    assert current == 1
    parts = [root["rawData"]["data"]]
    for number in range(1, total):
        chunk = prop(client, key, f"proforma.forms.i{form_id}.{number}").json()["value"]
        assert chunk["part"] == f"{number + 1}/{total}"
        parts.append(chunk["data"])
    assert prop(client, key, f"proforma.forms.i{form_id}.{total}").status_code == 404
    return json.loads(base64.b64decode("".join(parts))), total


def test_chunked_designs_join_to_the_documented_design(emulator, admin):
    documented = form(admin, "OPS-1", 1)
    shapes(emulator, chunk_size=40)
    chunked = form(admin, "OPS-1", 1)
    assert set(chunked) == {"schemaVersion", "rawData", "state"}
    assert chunked["state"] == documented["state"]
    design, total = joined_design(admin, "OPS-1", 1)
    assert design == documented["design"] and total > 2
    assert prop(admin, "OPS-1", "proforma.forms.i1.0").status_code == 404  # parts 2..N are .1 .. .N-1


def test_a_chunked_form_still_changes_status_and_parts_follow(emulator, admin):
    shapes(emulator, chunk_size=64)
    response, body = change(admin, "DEMO-1", 3, "submit")
    assert response.status_code == 200 and body["status"] == "l"
    assert form(admin, "DEMO-1", 3)["state"]["status"] == "l"
    assert joined_design(admin, "DEMO-1", 3)[0]["settings"]["submit"] == {"lock": True}


def test_index_without_template_ids_carries_uuid_created_updated(emulator, admin):
    documented = index(admin, "DEMO-1")
    shapes(emulator, index_template_id=False)
    shown = index(admin, "DEMO-1")
    assert [e["id"] for e in shown] == [1, 2, 3]
    assert all("templateId" not in e for e in shown)
    assert all(set(e) >= {"uuid", "created", "updated", "submitted", "lock"} for e in shown)
    assert [e["submitted"] for e in shown] == [e["submitted"] for e in documented]
    assert len(set(e["uuid"] for e in shown)) == 3 and index(admin, "DEMO-1") == shown  # stable
    assert form(admin, "DEMO-1", 3)["design"]["settings"]["templateId"] == 2  # the form still says it


def test_cleared_index_is_null_on_issues_without_forms(emulator, admin):
    shapes(emulator, cleared_index=True)
    response = prop(admin, "DEMO-5", "proforma.forms")
    assert response.status_code == 200 and response.json() == {"key": "proforma.forms", "value": None}
    assert admin.post(f"{PF}/DEMO-5/form", json={"templateFormId": 1}).status_code == 200
    assert [f["id"] for f in index(admin, "DEMO-5")] == [1]
    assert prop(admin, "DEMO-5", "other.property").status_code == 404


def test_forms_without_state_status_keep_the_index_flags(emulator, admin):
    shapes(emulator, without_status=["OPS-1#1"])
    assert "status" not in form(admin, "OPS-1", 1)["state"]
    assert form(admin, "OPS-1", 2)["state"]["status"] == "s"
    assert index(admin, "OPS-1")[0]["submitted"] is True and index(admin, "OPS-1")[0]["lock"] is True
    shapes(emulator, without_status="*")
    assert all("status" not in form(admin, "OPS-1", i)["state"] for i in (1, 2))


def test_legacy_forms_have_a_questions_list_and_a_submitted_flag(emulator, admin):
    shapes(emulator, legacy=["DEMO-1#1", "DEMO-1#2"], chunk_size=16)
    legacy = form(admin, "DEMO-1", 1)
    assert legacy == {
        "schemaVersion": 5,
        "name": "Asset request",
        "submitted": True,
        "questions": [
            {"id": 1, "label": "Asset tag", "type": "text", "answer": {"text": "LAP-001"}},
            {"id": 2, "label": "Quantity", "type": "number", "answer": {"number": 1}},
            {"id": 3, "label": "Justification", "type": "text", "answer": {"text": "Old laptop broke"}},
        ],
    }
    assert form(admin, "DEMO-1", 2)["submitted"] is False
    assert prop(admin, "DEMO-1", "proforma.forms.i1.1").status_code == 404  # legacy forms are never chunked
    assert "rawData" in form(admin, "DEMO-1", 3)
    response, body = change(admin, "DEMO-1", 2, "submit")  # ProForma still serves them
    assert response.status_code == 200 and body["status"] == "s"
    assert form(admin, "DEMO-1", 2)["submitted"] is True


def test_shapes_come_from_the_fixture_and_reset_keeps_the_start_settings(emulator, admin):
    emulator.load(
        {
            "settings": {"forms_shapes": {"index_template_id": False}},
            "users": [{"name": "admin", "password": "admin-pass", "sysadmin": True}],
            "projects": [{"key": "SH", "id": 1}],
            "issues": [{"key": "SH-1", "id": 2}],
            "templates": [{"id": 1, "name": "T"}],
            "forms": {"SH-1": [{"template": 1}]},
        }
    )
    assert "templateId" not in index(admin, "SH-1")[0]
    emulator.reset()
    assert index(admin, "DEMO-1")[0]["templateId"] == 1


@pytest.mark.parametrize(
    "value",
    [[1], {"chunk": 3}, {"chunk_size": -1}, {"chunk_size": True}, {"cleared_index": "yes"}, {"legacy": "DEMO-1#1"}],
)
def test_malformed_shapes_are_refused(emulator, value):
    with pytest.raises(EmulatorError, match="400.*forms_shapes"):
        emulator.settings(forms_shapes=value)
    with pytest.raises(EmulatorError, match="400.*forms_shapes"):
        emulator.load({"settings": {"forms_shapes": value}})


def test_a_slow_add_lands_after_its_delay_and_blocks_no_other_request(emulator, admin, api):
    # The latency fault is a slow server: the add is applied after the delay, and reads go on meanwhile
    # (the sleep is outside the store lock). What a late write does to a client depends on both.
    emulator.set_faults(
        [{"method": "POST", "path": "/issue/DEMO-5/form$", "count": 1, "action": "latency", "latency": 2}]
    )
    answered, writer = [], api("admin")  # a session of its own: sessions are not shared across threads
    slow = threading.Thread(
        target=lambda: answered.append(writer.post(f"{PF}/DEMO-5/form", json={"templateFormId": 1}, timeout=30))
    )
    slow.start()
    try:
        while emulator.control("GET", "faults")["rules"][0]["remaining"] and slow.is_alive():
            pass  # the rule is used up when the add arrives, before its delay
        assert prop(admin, "DEMO-5", "proforma.forms").status_code == 404  # not applied yet, and not blocked
        assert slow.is_alive()  # that read was answered while the add was still sleeping
    finally:
        slow.join()
    assert answered[0].status_code == 200
    assert [f["id"] for f in index(admin, "DEMO-5")] == [1]
