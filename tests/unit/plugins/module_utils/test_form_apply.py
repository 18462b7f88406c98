# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import json

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


class Clock:
    """Fake time: ``sleep`` moves it on and runs what was due by then (a write landing late)."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []
        self.events = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds):
        """Time passing without the code under test sleeping (a slow request)."""
        self.now += seconds
        due = [e for e in self.events if e[0] <= self.now]
        self.events = [e for e in self.events if e[0] > self.now]
        for _when, action in due:
            action()

    def later(self, delay, action):
        self.events.append((self.now + delay, action))


class Late:
    """A fault: no answer (OutcomeUnknownError), and the write lands ``delay`` seconds later (never: None)."""

    def __init__(self, delay=None):
        self.delay = delay


class Dropped:
    """A fault: the write lands, then the connection drops before the answer."""


class Before:
    """Not a fault: ``action`` runs just before the request is served (something landing in between)."""

    def __init__(self, action):
        self.action = action


def _quietly(apply):
    try:
        apply()
    except JiraApiError:
        pass  # a late write the server refuses when it finally runs: nobody hears of it


UNKNOWN = OutcomeUnknownError("POST", "/rest/proforma/1/issue/DEMO-1/form", reason="read timed out")


class FakeProforma:
    """Forms of one issue kept as ProForma would, shown in the shapes real servers store, with scripted faults.

    ``shapes``: ``chunk`` (part size of designs, 0: whole), ``no_template_ids`` (index entries without
    templateId), ``cleared`` (no forms: the index holds null), ``without_status`` (forms whose state has no
    status), ``legacy`` (forms shown as schemaVersion 5). ``fail`` maps ``add``, ``add 2`` (the 2nd add),
    ``submit 3``, ``index 2`` (the 2nd index read) to an error, a Late or a Dropped.
    """

    def __init__(self, forms, index_value="list", fail=None, clock=None, **shapes):
        self.forms = dict((i, dict(form)) for i, form in enumerate(forms, 1))
        self.index_value = index_value
        self.fail = dict(fail or {})
        self.clock = clock or Clock()
        self.shapes = shapes
        self.calls = []
        self.jira = FakeJira(self)

    def count(self, kind):
        return sum(1 for c in self.calls if c[0] == kind)

    def form_index(self, key):
        self.calls.append(("index", key))
        self._fault("index %d" % self.count("index"))
        entries = self._index()
        self.clock.advance(self.shapes.get("read_seconds", 0))  # a slow read answers with what it saw when it began
        return entries

    def _index(self):
        if not self.forms and self.index_value is None:
            return [] if self.shapes.get("cleared") else None
        entries = []
        for i, f in self.forms.items():
            entry = {
                "id": i,
                "name": "T%s" % f["template"],
                "submitted": f["status"] != "o",
                "lock": f["status"] == "l",
            }
            if not self.shapes.get("no_template_ids"):
                entry["templateId"] = f["template"]
            entries.append(entry)
        return entries

    def _design(self, f):
        return {
            "settings": {"templateId": f["template"], "name": "T", "submit": {"lock": f["lock"]}},
            "questions": {"1": {"label": "Asset tag"}, "2": {"label": "Quantity"}},
        }

    def _parts(self, f):
        size = self.shapes.get("chunk") or 0
        encoded = base64.b64encode(json.dumps(self._design(f)).encode()).decode()
        return [encoded[i : i + size] for i in range(0, len(encoded), size)]

    def form(self, key, form_id):
        self.calls.append(("form", form_id))
        f = self.forms[form_id]
        if form_id in self.shapes.get("legacy", ()):
            return {"schemaVersion": 5, "name": "T", "submitted": f["status"] != "o", "questions": []}
        state = {"status": f["status"], "visibility": f["visibility"], "answers": f.get("answers", {})}
        if form_id in self.shapes.get("without_status", ()):
            del state["status"]
        if not self.shapes.get("chunk"):
            return {"schemaVersion": 8, "design": self._design(f), "state": state}
        parts = self._parts(f)
        return {"schemaVersion": 8, "rawData": {"part": "1/%d" % len(parts), "data": parts[0]}, "state": state}

    def form_part(self, key, form_id, number):
        self.calls.append(("part", form_id, number))
        parts = self._parts(self.forms[form_id])
        if number >= len(parts):
            return None
        return {"part": "%d/%d" % (number + 1, len(parts)), "data": parts[number]}

    def add_form(self, key, template_id, visibility=None, count=1):
        self.calls.append(("add", template_id, visibility, count))

        def apply():
            for _copy in range(count):
                new_id = max(self.forms or [0]) + 1
                self.forms[new_id] = {
                    "template": template_id,
                    "status": "o",
                    "visibility": visibility or "i",
                    "lock": self.shapes.get("new_lock", False),
                }

        self._fault("add %d" % self.count("add"), apply)
        apply()

    def _change(self, operation, form_id, status):
        self.calls.append((operation, form_id))
        path = "/rest/proforma/1/issue/DEMO-1/form/%s/%s" % (form_id, operation)

        def apply():
            if self.forms[form_id]["status"] != {"submit": "o", "reopen": "s", "unlock": "l"}[operation]:
                raise JiraApiError("POST", path, 400, "Form %s cannot be %s from its status" % (form_id, operation))
            self.forms[form_id]["status"] = status() if callable(status) else status

        self._fault("%s %s" % (operation, form_id), apply)
        apply()
        return {"status": self.forms[form_id]["status"], "transitioned": operation == "submit"}

    def submit_form(self, key, form_id):
        return self._change("submit", form_id, lambda: "l" if self.forms[form_id]["lock"] else "s")

    def reopen_form(self, key, form_id):
        return self._change("reopen", form_id, "o")

    def unlock_form(self, key, form_id):
        return self._change("unlock", form_id, "s")

    def _fault(self, what, apply=None):
        name = what if what in self.fail else what.split(" ")[0] if what.split(" ")[0] in self.fail else None
        if name is None:
            return
        faults = self.fail[name] if isinstance(self.fail[name], list) else [self.fail[name]]
        fault = faults.pop(0)
        if not faults or not isinstance(self.fail[name], list):
            del self.fail[name]
        if isinstance(fault, Before):
            fault.action()
            return
        if isinstance(fault, Dropped):
            apply()
            raise UNKNOWN
        if isinstance(fault, Late):
            if fault.delay is not None:
                self.clock.later(fault.delay, lambda: _quietly(apply))
            raise UNKNOWN
        raise fault

    def writes(self):
        return [c for c in self.calls if c[0] not in ("index", "form", "part", "issue")]


def f(template, status="o", visibility="i", lock=False):
    return {"template": template, "status": status, "visibility": visibility, "lock": lock}


def reconcile(api, *args, **kwargs):
    """reconcile_forms on fake time: settle waits move the fake clock on, never the real one."""
    kwargs.setdefault("settle_timeout", 3.0)
    return reconcile_forms(api, *args, sleep=api.clock.sleep, clock=api.clock, **kwargs)


def test_bad_input_sends_nothing():
    api = FakeProforma([])
    with pytest.raises(FormPlanError):
        reconcile(api, "DEMO-1", template_id=1, count=-2)
    assert api.calls == []


def test_no_forms_checks_the_issue_exists():
    api = FakeProforma([], index_value=None)
    key, forms, warnings = forms_info(api, "DEMO-5")
    assert (key, forms, warnings) == ("DEMO-5", [], [])
    assert ("issue", "DEMO-5") in api.calls
    with pytest.raises(JiraApiError):
        forms_info(api, "MISSING-1")


def test_numeric_issue_is_looked_up_for_its_key():
    api = FakeProforma([f(1)])
    key, forms, _warnings = forms_info(api, "10001")
    assert key == "DEMO-1" and [x["id"] for x in forms] == [1]


def test_check_mode_writes_nothing_and_matches_the_real_run():
    check_api = FakeProforma([f(1, "s"), f(1, "o")])
    planned = reconcile(check_api, "DEMO-1", template_id=1, count=3, status="submitted", check_mode=True)
    assert check_api.writes() == []
    real_api = FakeProforma([f(1, "s"), f(1, "o")])
    real = reconcile(real_api, "DEMO-1", template_id=1, count=3, status="submitted")
    assert real_api.writes() == [("add", 1, None, 1), ("submit", 2), ("submit", 3)]
    assert real["changed"] is True
    assert planned["changed"] is True
    assert [dict(x, id=None) for x in real["forms"]] == [dict(x, id=None) for x in planned["forms"]]
    assert real["forms"][-1]["id"] == 3 and planned["forms"][-1]["id"] is None
    assert real["added"] == [{"id": 3, "template_id": 1, "name": "T1", "status": "open", "visibility": "internal"}]
    assert real["transitioned"] is True and planned["transitioned"] is None
    again = reconcile(real_api, "DEMO-1", template_id=1, count=3, status="submitted")
    assert again["changed"] is False and again["added"] == [] and again["status_changed"] == []


def test_new_forms_are_read_only_when_a_status_needs_their_design():
    api = FakeProforma([])
    reconcile(api, "DEMO-1", template_id=1, count=2, visibility="external")
    assert [c for c in api.calls if c[0] == "form"] == []
    assert api.forms[1]["visibility"] == "e"


def test_a_failed_status_change_says_what_was_already_applied():
    denied = JiraApiError("POST", "/rest/proforma/1/issue/DEMO-1/form/2/reopen", 403, "no edit issue permission")
    api = FakeProforma([f(2, "l", lock=True), f(2, "l", lock=True)], fail={"reopen 2": denied})
    with pytest.raises(FormWriteError) as info:
        reconcile(api, "DEMO-1", template_id=2, count=2, status="open")
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
        reconcile(api, "DEMO-1", template_id=1)
    assert info.value.result["changed"] is False


def test_an_add_whose_forms_cannot_be_read_back_is_reported_as_applied():
    # The add went through; only the read that learns the new ids failed. The result must not hide the add.
    busy = JiraApiError("GET", "/rest/api/2/issue/DEMO-1/properties/proforma.forms", 503, "busy")
    api = FakeProforma([f(1)], fail={"index 2": busy})
    with pytest.raises(FormWriteError) as info:
        reconcile(api, "DEMO-1", template_id=1, count=3, visibility="external")
    err = info.value
    assert api.writes() == [("add", 1, "e", 2)]
    assert "added 2 copy(ies) of template 1 to DEMO-1, but reading the forms back failed" in str(err)
    assert "HTTP 503" in str(err) and "nothing was changed" not in str(err)
    assert err.result["changed"] is True
    assert [(a["id"], a["template_id"], a["visibility"]) for a in err.result["added"]] == [
        (None, 1, "external"),
        (None, 1, "external"),
    ]


def test_submit_that_locks_unexpectedly_is_followed_by_unlock():
    # The copy was read as not locking, but the server locked it: the reconciler follows the answers.
    api = FakeProforma([f(1, "o")])
    original = api.submit_form

    def submit_locks(key, form_id):
        api.forms[form_id]["lock"] = True
        return original(key, form_id)

    api.submit_form = submit_locks
    result = reconcile(api, "DEMO-1", form_id=1, status="submitted")
    assert api.writes() == [("submit", 1), ("unlock", 1)]
    assert result["forms"][0]["status"] == "submitted"


# -- reading the shapes real servers store ---------------------------------------------------------


def reads(api):
    return [c for c in api.calls if c[0] in ("index", "form", "part", "issue")]


def test_a_chunked_form_is_read_part_by_part_with_answers_by_label():
    api = FakeProforma([dict(f(2, "l", lock=True), answers={"1": {"text": "X-1"}, "2": {"number": 3}})], chunk=20)
    key, forms, _warnings = forms_info(api, "DEMO-1", answers=True)
    parts = len(api._parts(api.forms[1]))
    assert parts > 3
    assert reads(api) == [("index", "DEMO-1"), ("form", 1)] + [("part", 1, n) for n in range(1, parts)]
    # Issue 12: answers were keyed by question id, and the lock setting was unknown, for chunked designs.
    assert forms[0]["answers"] == {"Asset tag": "X-1", "Quantity": 3}
    assert forms[0]["locks_on_submit"] is True and forms[0]["status"] == "locked"


def test_a_missing_part_fails_naming_the_issue_and_the_form():
    api = FakeProforma([f(1)], chunk=20)
    api.form_part = lambda key, form_id, number: (
        None if number == 2 else FakeProforma.form_part(api, key, form_id, number)
    )
    with pytest.raises(
        FormPlanError, match="cannot read the design of form 1 on DEMO-1: .*proforma.forms.i1.2 holds no"
    ):
        forms_info(api, "DEMO-1")
    with pytest.raises(FormPlanError, match="form 1 on DEMO-1"):
        reconcile(api, "DEMO-1", template_id=1)
    assert api.writes() == []


def test_with_template_ids_in_the_index_only_the_selected_forms_are_read():
    api = FakeProforma([f(1), f(1), f(2)])
    reconcile(api, "DEMO-1", template_id=2, count=1, status="open")
    assert reads(api) == [("index", "DEMO-1"), ("form", 3)]


def test_without_template_ids_every_form_is_read_once_to_learn_its_template():
    api = FakeProforma([f(1), f(1), f(2)], no_template_ids=True)
    result = reconcile(api, "DEMO-1", template_id=2, count=1, status="open")
    assert reads(api) == [("index", "DEMO-1"), ("form", 1), ("form", 2), ("form", 3)]
    assert [x["id"] for x in result["forms"]] == [3] and result["forms"][0]["template_id"] == 2


def test_without_template_ids_in_the_index_a_second_run_adds_no_copy():
    # Issue 12: template_id 1, count 1 added another copy on every run when the index left templateId out.
    api = FakeProforma([f(2)], no_template_ids=True)
    first = reconcile(api, "DEMO-1", template_id=1, count=1)
    assert first["changed"] and [x["id"] for x in first["added"]] == [2]
    for _run in range(3):
        again = reconcile(api, "DEMO-1", template_id=1, count=1)
        assert again["changed"] is False and again["added"] == []
    assert [c for c in api.writes() if c[0] == "add"] == [("add", 1, None, 1)]
    assert sorted(x["template"] for x in api.forms.values()) == [1, 2]


def test_a_form_whose_template_cannot_be_known_is_never_guessed_around():
    api = FakeProforma([f(1), f(1)], no_template_ids=True, legacy=(2,))
    with pytest.raises(
        FormPlanError, match=r"cannot tell how many copies of template 1 are on DEMO-1: for form\(s\) 2"
    ):
        reconcile(api, "DEMO-1", template_id=1, count=2)
    assert api.writes() == []
    result = reconcile(api, "DEMO-1", template_id=1, count=1)
    assert result["changed"] is False and "form(s) 2 on DEMO-1" in result["warnings"][0]
    key, forms, warnings = forms_info(api, "DEMO-1", template_id=1)
    assert [x["id"] for x in forms] == [1] and "form(s) 2 on DEMO-1 are left out" in warnings[0]


def test_a_cleared_index_is_no_forms_and_needs_no_issue_check():
    api = FakeProforma([], index_value=None, cleared=True)
    assert forms_info(api, "DEMO-5") == ("DEMO-5", [], [])
    assert reads(api) == [("index", "DEMO-5")]
    assert reconcile(api, "DEMO-5", template_id=1)["added"][0]["id"] == 1


def test_a_form_without_state_status_is_read_from_the_index():
    api = FakeProforma([f(1, "s"), f(2, "l", lock=True)], without_status=(1, 2))
    _key, forms, _warnings = forms_info(api, "DEMO-1")
    assert [x["status"] for x in forms] == ["submitted", "locked"]
    result = reconcile(api, "DEMO-1", form_id=1, status="open")
    assert result["status_changed"] == [{"id": 1, "template_id": 1, "before": "submitted", "after": "open"}]


def test_legacy_forms_are_read_and_a_status_they_cannot_plan_fails_clearly():
    api = FakeProforma([f(1, "s"), f(1, "o")], legacy=(1, 2))
    _key, forms, _warnings = forms_info(api, "DEMO-1")
    assert [(x["status"], x["visibility"], x["legacy"]) for x in forms] == [
        ("submitted", None, True),
        ("open", None, True),
    ]
    with pytest.raises(FormPlanError, match=r"form 2 \(template 1\): it is a legacy form"):
        reconcile(api, "DEMO-1", form_id=2, status="locked")
    assert api.writes() == []
    result = reconcile(api, "DEMO-1", template_id=1, count=2, status="submitted")
    assert api.writes() == [("submit", 2)] and result["forms"][1]["status"] == "submitted"


# -- first use: a status on copies added in the same task ------------------------------------------


def test_first_use_locked_adds_reads_the_new_form_then_submits():
    api = FakeProforma([], new_lock=True)
    result = reconcile(api, "DEMO-1", template_id=2, status="locked")
    assert api.writes() == [("add", 2, None, 1), ("submit", 1)]
    assert ("form", 1) in api.calls  # the new form's design says it locks on submit
    assert result["forms"][0]["status"] == "locked" and result["changed"]


def test_first_use_locked_for_a_template_that_does_not_lock_names_the_added_forms():
    api = FakeProforma([], new_lock=False)
    with pytest.raises(FormWriteError) as info:
        reconcile(api, "DEMO-1", template_id=1, count=2, status="locked")
    assert api.writes() == [("add", 1, None, 2)]
    assert "form 1 (template 1) cannot be locked" in str(info.value)
    assert "already applied: added form 1 (open), form 2 (open)" in str(info.value)
    assert info.value.result["changed"] is True
    assert [(x["id"], x["status"]) for x in info.value.result["added"]] == [(1, "open"), (2, "open")]


def test_first_use_in_check_mode_predicts_locked_with_a_warning():
    api = FakeProforma([])
    result = reconcile(api, "DEMO-1", template_id=2, status="locked", check_mode=True)
    assert api.writes() == []
    assert result["changed"] is True and [x["status"] for x in result["forms"]] == ["locked"]
    assert "locks on submit is read from the 1 form(s) a real run adds" in result["warnings"][-1]


def test_first_use_in_check_mode_predicts_from_a_copy_on_the_issue():
    api = FakeProforma([f(2, "l", lock=True)])
    result = reconcile(api, "DEMO-1", template_id=2, count=2, status="locked", check_mode=True)
    assert result["warnings"] == [] and [x["status"] for x in result["forms"]] == ["locked", "locked"]
    with pytest.raises(FormPlanError, match="cannot be locked"):
        reconcile(FakeProforma([f(1)]), "DEMO-1", template_id=1, count=2, status="locked", check_mode=True)


# -- writes whose outcome is unknown ---------------------------------------------------------------


def test_an_add_whose_answer_was_lost_is_reported_as_added():
    # Issue 13 item 4: this reported changed false and "nothing was changed" while the form was there.
    api = FakeProforma([], fail={"add": Dropped()})
    result = reconcile(api, "DEMO-1", template_id=1, count=1)
    assert result["changed"] is True and [x["id"] for x in result["added"]] == [1]
    assert api.writes() == [("add", 1, None, 1)] and api.clock.sleeps == []


def test_a_submit_whose_answer_was_lost_is_reported_as_done():
    api = FakeProforma([f(1)], fail={"submit 1": Dropped()})
    result = reconcile(api, "DEMO-1", form_id=1, status="submitted")
    assert api.writes() == [("submit", 1)]
    assert result["status_changed"] == [{"id": 1, "template_id": 1, "before": "open", "after": "submitted"}]
    assert result["changed"] is True and result["transitioned"] is None  # only the lost answer said it


def test_an_add_that_lands_late_is_waited_for_not_sent_again():
    # Issue 13 item 1: the add lands 2.5 s after its answer was given up on; the bound is 3 s.
    api = FakeProforma([], fail={"add": Late(2.5)})
    result = reconcile(api, "DEMO-1", template_id=1, count=2, settle_timeout=3.0)
    assert api.writes() == [("add", 1, None, 2)]
    assert [x["id"] for x in result["added"]] == [1, 2] and len(api.forms) == 2
    assert api.clock.sleeps == [0.25, 0.5, 1.0, 1.25]  # the last look at 3.0 s, as late as the bound allows


def test_an_add_that_never_lands_is_sent_again_after_the_bound():
    api = FakeProforma([f(1)], fail={"add": Late(None)})
    result = reconcile(api, "DEMO-1", template_id=1, count=3, settle_timeout=3.0)
    assert list(api.writes()) == [("add", 1, None, 2), ("add", 1, None, 2)]
    assert api.clock.sleeps == [0.25, 0.5, 1.0, 1.25] and api.clock.now == 3.0
    assert [x["id"] for x in result["added"]] == [2, 3] and result["warnings"] == []


def test_a_partial_landing_only_adds_what_is_missing():
    api = FakeProforma([], fail={"add": Late(None)})
    original = api.add_form

    def one_landed(key, template_id, visibility=None, count=1):
        if api.count("add") == 0:
            api.forms[1] = f(template_id)  # one of the two copies made it
        return original(key, template_id, visibility, count)

    api.add_form = one_landed
    result = reconcile(api, "DEMO-1", template_id=1, count=2, settle_timeout=1.0)
    assert api.writes() == [("add", 1, None, 2), ("add", 1, None, 1)]
    assert [x["id"] for x in result["added"]] == [1, 2]


def test_an_add_landing_after_the_bound_is_the_residual_risk_and_the_next_run_adds_none():
    api = FakeProforma([], fail={"add": Late(10.0)})
    result = reconcile(api, "DEMO-1", template_id=1, count=1, settle_timeout=3.0)
    assert [x["id"] for x in result["added"]] == [1] and len(api.forms) == 1
    api.clock.sleep(10.0)  # the first add lands after all: one copy more than count
    again = reconcile(api, "DEMO-1", template_id=1, count=1, settle_timeout=3.0)
    assert len(api.forms) == 2 and again["changed"] is False and [x["id"] for x in again["forms"]] == [1, 2]


def test_a_late_copy_seen_after_sending_again_is_warned_about():
    api = FakeProforma([], fail={"add": [Late(None), Before(lambda: api.forms.update({1: f(1)}))]})
    result = reconcile(api, "DEMO-1", template_id=1, count=1, settle_timeout=1.0)
    assert [x["id"] for x in result["added"]] == [1, 2]
    assert "landed late: 2 copies of template 1 were added to DEMO-1 (forms 1, 2), 1 more" in result["warnings"][0]


def test_a_status_change_that_never_lands_is_sent_again_after_the_bound():
    api = FakeProforma([f(1, "s")], fail={"reopen 1": Late(None)})
    result = reconcile(api, "DEMO-1", form_id=1, status="open", settle_timeout=2.0)
    assert api.writes() == [("reopen", 1), ("reopen", 1)] and api.clock.now == 2.0
    assert result["forms"][0]["status"] == "open"


def test_a_refused_resend_after_a_lost_answer_reads_what_landed():
    # The first submit lands just before it is sent again: ProForma refuses the second one (400).
    api = FakeProforma([f(1)], fail={"submit 1": [Late(None), Before(lambda: api.forms[1].update(status="s"))]})
    result = reconcile(api, "DEMO-1", form_id=1, status="submitted", settle_timeout=0.5)
    assert api.writes() == [("submit", 1), ("submit", 1)]
    assert result["forms"][0]["status"] == "submitted" and result["changed"] is True


def test_when_reading_again_fails_too_the_result_says_the_add_may_have_landed():
    busy = JiraApiError("GET", "/rest/api/2/issue/DEMO-1/properties/proforma.forms", 503, "busy")
    api = FakeProforma([], fail={"add": Late(None), "index 2": busy})
    with pytest.raises(FormWriteError) as info:
        reconcile(api, "DEMO-1", template_id=1)
    assert "the outcome is unknown, and reading the forms again failed too" in str(info.value)
    assert "add 1 copy(ies) of template 1 to DEMO-1 may have been applied" in str(info.value)
    assert "nothing was changed" not in str(info.value) and info.value.result["changed"] is True


def test_adds_that_never_answer_stop_after_a_few_rounds():
    api = FakeProforma([], fail={"add": [Late(None)] * 4})
    with pytest.raises(FormWriteError, match="no answer came 4 times") as info:
        reconcile(api, "DEMO-1", template_id=1, settle_timeout=0.5)
    assert len(api.writes()) == 4 and info.value.result["changed"] is True


def test_a_negative_settle_timeout_is_refused_before_any_request():
    api = FakeProforma([])
    with pytest.raises(FormPlanError, match="settle_timeout must be 0 or more"):
        reconcile(api, "DEMO-1", template_id=1, settle_timeout=-1)
    assert api.calls == []


def test_a_slow_read_that_began_before_the_bound_is_not_the_last_word():
    # Every read takes 0.5 s and answers with what it saw when it began. The add's answer is lost at 0.5 s
    # (bound: 1.5 s); it lands at 1.4 s, during a read that began at 1.25 s and answered at 1.75 s. Giving
    # up on that read's word sent the add again: a second copy. A read that began after the bound decides.
    api = FakeProforma([], fail={"add": Late(0.9)}, read_seconds=0.5)
    result = reconcile(api, "DEMO-1", template_id=1, count=1, settle_timeout=1.0)
    assert api.writes() == [("add", 1, None, 1)] and len(api.forms) == 1
    assert [x["id"] for x in result["added"]] == [1]
    assert api.count("index") == 4 and api.clock.sleeps == [0.25]  # plan; at 0.5 s, 1.25 s and 1.75 s after
