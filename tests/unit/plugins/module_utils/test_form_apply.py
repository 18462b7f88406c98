# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError, OutcomeUnknownError
from ansible_collections.jira.addons.plugins.module_utils.form_apply import (
    FormWriteError,
    forms_info,
    reconcile_forms,
)
from ansible_collections.jira.addons.plugins.module_utils.form_plan import FormPlanError


class FakeJira:
    def __init__(self, api):
        self.api = api

    def issue(self, ref):
        self.api.calls.append(("issue", ref))
        if ref in ("MISSING-1",):
            raise JiraApiError("GET", "/rest/api/2/issue/%s" % ref, 404, "Issue does not exist")
        return {"id": 10001, "key": "DEMO-1" if str(ref).isdigit() else ref}


class FakeProforma:
    """Forms of one issue kept as ProForma would, with scripted failures per operation."""

    def __init__(self, forms, index_value="list", fail=None):
        self.forms = dict((i, form) for i, form in enumerate(forms, 1))
        self.index_value = index_value
        self.fail = dict(fail or {})
        self.calls = []
        self.jira = FakeJira(self)

    def form_index(self, key):
        self.calls.append(("index", key))
        self._maybe_fail("index %d" % sum(1 for c in self.calls if c[0] == "index"))
        if self.index_value is None:
            return []
        return [{"id": i, "templateId": f["template"], "name": "T%s" % f["template"]} for i, f in self.forms.items()]

    def form(self, key, form_id):
        self.calls.append(("form", form_id))
        f = self.forms[form_id]
        return {
            "design": {"settings": {"name": "T", "submit": {"lock": f["lock"]}}},
            "state": {"status": f["status"], "visibility": f["visibility"], "answers": {}},
        }

    def add_form(self, key, template_id, visibility=None, count=1):
        self.calls.append(("add", template_id, visibility, count))
        self._maybe_fail("add")
        for _copy in range(count):
            new_id = max(self.forms or [0]) + 1
            self.forms[new_id] = {
                "template": template_id,
                "status": "o",
                "visibility": visibility or "i",
                "lock": False,
            }

    def _change(self, operation, form_id, status):
        self.calls.append((operation, form_id))
        self._maybe_fail("%s %s" % (operation, form_id))
        self.forms[form_id]["status"] = status
        return {"status": status, "transitioned": operation == "submit"}

    def submit_form(self, key, form_id):
        return self._change("submit", form_id, "l" if self.forms[form_id]["lock"] else "s")

    def reopen_form(self, key, form_id):
        return self._change("reopen", form_id, "o")

    def unlock_form(self, key, form_id):
        return self._change("unlock", form_id, "s")

    def _maybe_fail(self, what):
        if what in self.fail:
            raise self.fail.pop(what)

    def writes(self):
        return [c for c in self.calls if c[0] not in ("index", "form", "issue")]


def f(template, status="o", visibility="i", lock=False):
    return {"template": template, "status": status, "visibility": visibility, "lock": lock}


def test_bad_input_sends_nothing():
    api = FakeProforma([])
    with pytest.raises(FormPlanError):
        reconcile_forms(api, "DEMO-1", template_id=1, count=-2)
    assert api.calls == []


def test_no_forms_checks_the_issue_exists():
    api = FakeProforma([], index_value=None)
    key, forms = forms_info(api, "DEMO-5")
    assert (key, forms) == ("DEMO-5", [])
    assert ("issue", "DEMO-5") in api.calls
    with pytest.raises(JiraApiError):
        forms_info(api, "MISSING-1")


def test_numeric_issue_is_looked_up_for_its_key():
    api = FakeProforma([f(1)])
    key, forms = forms_info(api, "10001")
    assert key == "DEMO-1" and [x["id"] for x in forms] == [1]


def test_check_mode_writes_nothing_and_matches_the_real_run():
    check_api = FakeProforma([f(1, "s"), f(1, "o")])
    planned = reconcile_forms(check_api, "DEMO-1", template_id=1, count=3, status="submitted", check_mode=True)
    assert check_api.writes() == []
    real_api = FakeProforma([f(1, "s"), f(1, "o")])
    real = reconcile_forms(real_api, "DEMO-1", template_id=1, count=3, status="submitted")
    assert real_api.writes() == [("add", 1, None, 1), ("submit", 2), ("submit", 3)]
    assert real["changed"] is True
    assert planned["changed"] is True
    assert [dict(x, id=None) for x in real["forms"]] == [dict(x, id=None) for x in planned["forms"]]
    assert real["forms"][-1]["id"] == 3 and planned["forms"][-1]["id"] is None
    assert real["added"] == [{"id": 3, "template_id": 1, "name": "T1", "status": "open", "visibility": "internal"}]
    assert real["transitioned"] is True and planned["transitioned"] is None
    again = reconcile_forms(real_api, "DEMO-1", template_id=1, count=3, status="submitted")
    assert again["changed"] is False and again["added"] == [] and again["status_changed"] == []


def test_new_forms_are_read_only_when_a_status_needs_their_design():
    api = FakeProforma([])
    reconcile_forms(api, "DEMO-1", template_id=1, count=2, visibility="external")
    assert [c for c in api.calls if c[0] == "form"] == []
    assert api.forms[1]["visibility"] == "e"


def test_a_failed_status_change_says_what_was_already_applied():
    denied = JiraApiError("POST", "/rest/proforma/1/issue/DEMO-1/form/2/reopen", 403, "no edit issue permission")
    api = FakeProforma([f(2, "l", lock=True), f(2, "l", lock=True)], fail={"reopen 2": denied})
    with pytest.raises(FormWriteError) as info:
        reconcile_forms(api, "DEMO-1", template_id=2, count=2, status="open")
    err = info.value
    assert "failed to reopen form 2 on DEMO-1" in str(err)
    assert "HTTP 403" in str(err) and "no edit issue permission" in str(err)
    assert "already applied: form 1 locked -> open, form 2 locked -> submitted" in str(err)
    assert err.result["status_changed"] == [
        {"id": 1, "template_id": 2, "before": "locked", "after": "open"},
        {"id": 2, "template_id": 2, "before": "locked", "after": "submitted"},
    ]
    assert err.result["changed"] is True


def test_a_failed_add_changed_nothing():
    refused = JiraApiError("POST", "/rest/proforma/1/issue/DEMO-1/form", 400, "bad template")
    api = FakeProforma([], fail={"add": refused})
    with pytest.raises(FormWriteError, match="failed to add 1 copy.*HTTP 400.*nothing was changed") as info:
        reconcile_forms(api, "DEMO-1", template_id=1)
    assert info.value.result["changed"] is False


def test_an_add_whose_forms_cannot_be_read_back_is_reported_as_applied():
    # The add went through; only the read that learns the new ids failed. The result must not hide the add.
    busy = JiraApiError("GET", "/rest/api/2/issue/DEMO-1/properties/proforma.forms", 503, "busy")
    api = FakeProforma([f(1)], fail={"index 2": busy})
    with pytest.raises(FormWriteError) as info:
        reconcile_forms(api, "DEMO-1", template_id=1, count=3, visibility="external")
    err = info.value
    assert api.writes() == [("add", 1, "e", 2)]
    assert "added 2 copy(ies) of template 1 to DEMO-1, but reading the forms back failed" in str(err)
    assert "HTTP 503" in str(err) and "nothing was changed" not in str(err)
    assert err.result["changed"] is True
    assert [(a["id"], a["template_id"], a["visibility"]) for a in err.result["added"]] == [
        (None, 1, "external"),
        (None, 1, "external"),
    ]


def test_an_add_with_unknown_outcome_asks_for_another_run():
    dropped = OutcomeUnknownError("POST", "/rest/proforma/1/issue/DEMO-1/form", reason="connection dropped")
    api = FakeProforma([], fail={"add": dropped})
    with pytest.raises(FormWriteError, match="may have been applied: run again"):
        reconcile_forms(api, "DEMO-1", template_id=1)


def test_submit_that_locks_unexpectedly_is_followed_by_unlock():
    # The copy was read as not locking, but the server locked it: the reconciler follows the answers.
    api = FakeProforma([f(1, "o")])
    original = api.submit_form

    def submit_locks(key, form_id):
        api.forms[form_id]["lock"] = True
        return original(key, form_id)

    api.submit_form = submit_locks
    result = reconcile_forms(api, "DEMO-1", form_id=1, status="submitted")
    assert api.writes() == [("submit", 1), ("unlock", 1)]
    assert result["forms"][0]["status"] == "submitted"
