# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply a form plan: read the forms of an issue, plan (``form_plan``), add in one request, then change statuses.

Reads: the ``proforma.forms`` index and the property of each selected form. After an add, the
index is read again (ProForma does not return the new ids), and the new forms' properties only
when a status must be set on them (their design says whether submitting locks them).
"""

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.errors import AppliedError, JiraApiError, OutcomeUnknownError
from ansible_collections.jira.addons.plugins.module_utils.form_plan import (
    STATUS_WORDS,
    VISIBILITY_LETTERS,
    FormPlanError,
    describe,
    form_result,
    next_operation,
    parse_index,
    plan_forms,
    plan_status,
    planned_result,
    read_form,
    select_forms,
    status_after,
    status_change,
    validate_request,
)
from ansible_collections.jira.addons.plugins.module_utils.jira_api import is_issue_id

PAST = {"submit": "submitted", "reopen": "reopened", "unlock": "unlocked"}


class FormWriteError(AppliedError):
    """A write failed or could not go on; ``result`` says what was already applied."""


def issue_key(proforma, issue):
    """The issue key ProForma's endpoints need; a numeric id is looked up (one request)."""
    if is_issue_id(issue):
        return proforma.jira.issue(issue)["key"]
    return str(issue).strip()


def read_index(proforma, key):
    """The index entries of ``key``; an issue without forms is checked to exist (404 otherwise)."""
    entries = parse_index(proforma.form_index(key))
    if not entries:
        # A missing index reads like a missing issue (both 404): tell them apart.
        proforma.jira.issue(key)
    return entries


def read_entries(proforma, key, entries, answers=False):
    """``read_form`` for each entry, one property read each."""
    return [read_form(e, proforma.form(key, e["id"]), answers) for e in entries]


def forms_info(proforma, issue, template_id=None, form_id=None, answers=False):
    """The forms on ``issue`` (optionally only copies of ``template_id`` or the form ``form_id``)."""
    for name, value in (("template_id", template_id), ("form_id", form_id)):
        if value is not None and value < 1:
            raise FormPlanError("%s must be a positive number, got %s" % (name, value))
    key = issue_key(proforma, issue)
    entries = read_index(proforma, key)
    if template_id is not None or form_id is not None:
        entries = select_forms(entries, key, template_id, form_id)
        if template_id is not None and form_id is not None:
            entries = [e for e in entries if e["id"] == form_id]
    return key, read_entries(proforma, key, entries, answers)


class AppliedForms:
    """The selected forms as this run has changed them so far."""

    def __init__(self, forms):
        self.before = [dict(f) for f in forms]
        self.forms = [dict(f) for f in forms]
        self.added = []
        self.status_changed = []
        self.transitioned = False

    def summary(self):
        done = []
        if self.added:
            done.append("added %s" % ", ".join("form %s" % f["id"] for f in self.added))
        for change in self.status_changed:
            done.append("form %s %s -> %s" % (change["id"], change["before"], change["after"]))
        return "; already applied: %s" % ", ".join(done) if done else "; nothing was changed"

    def result(self, key):
        return form_result(key, self.before, self.forms, self.added, self.status_changed, self.transitioned)


def reconcile_forms(
    proforma, issue, template_id=None, count=1, form_id=None, status=None, visibility=None, check_mode=False
):
    """Bring the forms of ``issue`` to the declared state and return the module result.

    Bad input and unreachable statuses raise FormPlanError before any write (bad input before any
    request). A failed write raises FormWriteError whose result tells what was already applied.
    """
    validate_request(template_id, count, form_id, status, visibility)
    key = issue_key(proforma, issue)
    entries = read_index(proforma, key)
    selected = select_forms(entries, key, template_id, form_id)
    plan = plan_forms(read_entries(proforma, key, selected), template_id, count, form_id, status, visibility)
    if check_mode:
        result = planned_result(key, plan)
    else:
        result = _apply(proforma, key, plan, entries, template_id, form_id, status, visibility)
    result["warnings"] = plan.warnings
    return result


def _apply(proforma, key, plan, entries, template_id, form_id, status, visibility):
    applied = AppliedForms(plan.before)
    # Steps for forms not added yet are planned again once their ids (and designs) are known.
    steps = [s for s in plan.steps if s["form"]["id"] is not None]
    if plan.add:
        what = "add %d copy(ies) of template %s to %s" % (plan.add, template_id, key)
        try:
            proforma.add_form(key, template_id, VISIBILITY_LETTERS.get(visibility), plan.add)
        except JiraApiError as err:
            raise _write_error(err, what, applied, key) from None
        try:
            # ProForma does not answer with the new ids: read the index again to learn them.
            known = set(e["id"] for e in entries)
            new_entries = [e for e in parse_index(proforma.form_index(key)) if e["id"] not in known]
            new_entries = [e for e in new_entries if e["template_id"] in (template_id, None)]
            if status in ("submitted", "locked") and form_id is None:
                new_forms = _read_new(proforma, key, new_entries)
            else:
                new_forms = [_new_form(e, template_id, plan) for e in new_entries]
        except JiraApiError as err:
            # The copies were added; only their ids are unknown. Report them as added, ids unknown.
            applied.added = [dict(f, id=None) for f in plan.added]
            applied.forms.extend(dict(f) for f in applied.added)
            raise FormWriteError(
                "added %d copy(ies) of template %s to %s, but reading the forms back failed: %s; already applied: "
                "the copies were added (their ids are unknown); run again to read them and finish"
                % (plan.add, template_id, key, err),
                err,
                applied.result(key),
            ) from None
        applied.added = [dict(f) for f in new_forms]  # as added: the status steps below change the forms
        applied.forms.extend(new_forms)
        if form_id is None:
            try:
                steps += plan_status(new_forms, status)
            except FormPlanError as err:
                raise FormWriteError(str(err) + applied.summary(), None, applied.result(key)) from None
    for step in steps:
        _run_step(proforma, key, step, status, applied)
    return applied.result(key)


def _read_new(proforma, key, entries):
    forms = read_entries(proforma, key, entries)
    for form in forms:
        if form["status"] is None:  # not readable yet: ProForma made it open
            form["status"] = "open"
    return forms


def _new_form(entry, template_id, plan):
    form = dict(plan.added[0]) if plan.added else {}
    form.update(id=entry["id"], template_id=entry["template_id"] or template_id)
    form["name"] = entry["name"] or form.get("name")
    return form


def _run_step(proforma, key, step, target, applied):
    """Take one form to ``target``, following the server's answers (a submit may lock)."""
    form = next(f for f in applied.forms if f["id"] == step["form"]["id"])
    before = form["status"]
    for _attempt in range(4):
        operation = next_operation(form, target)
        if operation is None:
            break
        call = getattr(proforma, "%s_form" % operation)
        try:
            answer = call(key, form["id"]) or {}
        except JiraApiError as err:
            what = "%s form %s on %s" % (operation, form["id"], key)
            raise _write_error(err, what, applied, key) from None
        reached = STATUS_WORDS.get(answer.get("status")) or status_after(operation, form)
        if operation == "submit":
            form["locks_on_submit"] = reached == "locked"
            applied.transitioned = applied.transitioned or bool(answer.get("transitioned"))
        _record(applied, form, before, reached)
        form["status"] = reached
    if form["status"] != target:
        raise FormWriteError(
            "%s did not reach status %s (it is %s)%s" % (describe(form), target, form["status"], applied.summary()),
            None,
            applied.result(key),
        )


def _record(applied, form, before, reached):
    for change in applied.status_changed:
        if change["id"] == form["id"]:
            change["after"] = reached
            return
    applied.status_changed.append(
        status_change({"form": form, "before": before, "after": reached, "operations": []}, form["id"])
    )


def _write_error(err, what, applied, key):
    if isinstance(err, OutcomeUnknownError):
        tail = "; it may have been applied: run again to read the forms and finish"
    else:
        tail = ""
    return FormWriteError("failed to %s: %s%s%s" % (what, err, tail, applied.summary()), err, applied.result(key))
