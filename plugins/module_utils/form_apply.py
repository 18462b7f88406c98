# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply a form plan: read the forms of an issue, plan (``form_plan``), add in one request, then change statuses.

Reads: the ``proforma.forms`` index, then the property of each form the request is about, and of
each form whose template the index leaves out (its design says it); a chunked design costs one read
per part. After an add, the index is read again (ProForma does not return the new ids), and the new
forms' properties when a status must be set on them or the index does not say their template.

A write whose outcome is unknown (a dropped connection, a gateway error, an answer slower than
``timeout``) may still land, and ProForma cannot remove a form. So it is never sent again on one
quick look: the index (for an add) or the form (for a status change) is re-read with backoff until
the write shows, or until ``settle_timeout`` seconds have passed, and only then planned again. A
write still in flight after that bound may land later; the next run then sees it.
"""

from __future__ import annotations

import time

from ansible_collections.jira.addons.plugins.module_utils.errors import AppliedError, JiraApiError, OutcomeUnknownError
from ansible_collections.jira.addons.plugins.module_utils.form_data import (
    STATUS_WORDS,
    design_part_count,
    join_design,
    parse_index,
    read_form,
)
from ansible_collections.jira.addons.plugins.module_utils.form_plan import (
    MAX_STEPS,
    VISIBILITY_LETTERS,
    FormPlanError,
    describe,
    form_result,
    lock_unknown_warning,
    next_operation,
    plan_forms,
    plan_status,
    planned_result,
    select_forms,
    status_after,
    status_change,
    validate_request,
)
from ansible_collections.jira.addons.plugins.module_utils.jira_api import is_issue_id
from ansible_collections.jira.addons.plugins.module_utils.settle import settle

MAX_RESENDS = 3  # an add or a status change sent again after its outcome stayed unknown, at most


class FormWriteError(AppliedError):
    """A write failed or could not go on; ``result`` says what was already applied."""


def issue_key(proforma, issue):
    """The issue key ProForma's endpoints need; a numeric id is looked up (one request)."""
    if is_issue_id(issue):
        return proforma.jira.issue(issue)["key"]
    return str(issue).strip()


class FormReader:
    """Reads the forms of one issue: the index, and each form's property with its design joined."""

    def __init__(self, proforma, key):
        self.proforma = proforma
        self.key = key

    def index(self, check_issue=True):
        """The index entries; an issue without the index property is checked to exist (404 otherwise).

        Re-reads during a run pass ``check_issue=False``: the issue was there at the start.
        """
        forms = self.proforma.form_index(self.key)
        if forms is None and check_issue:
            # A missing index reads like a missing issue (both 404): tell them apart. A cleared one is no forms.
            self.proforma.jira.issue(self.key)
        return parse_index(forms)

    def prop(self, form_id):
        """The ``proforma.forms.i{id}`` value, its design joined from ``.1`` ... ``.N-1`` when chunked."""
        root = self.proforma.form(self.key, form_id)
        parts = [
            self.proforma.form_part(self.key, form_id, n) for n in range(1, design_part_count(root, self.key, form_id))
        ]
        return join_design(root, parts, self.key, form_id)

    def form(self, entry, answers=False):
        """One form as ``read_form`` returns it."""
        return read_form(entry, self.prop(entry["id"]), answers)

    def selection(self, template_id=None, form_id=None, answers=False):
        """``(entries, forms, unknown)``: every index entry, the forms the request is about, and those of unknown template.

        With ``template_id``, a form whose template the index leaves out is read to learn it (and read
        only once); ``unknown`` holds the forms whose template even their own data does not say.
        """
        entries = self.index()
        read = {}
        if template_id is not None:
            for position, entry in enumerate(entries):
                if entry["template_id"] is None:
                    form = self.form(entry, answers)
                    read[entry["id"]] = form
                    entries[position] = dict(entry, template_id=form["template_id"])
        unknown = [read[e["id"]] for e in entries if e["template_id"] is None and e["id"] in read]
        selected = select_forms(entries, self.key, template_id, form_id)
        forms = [read.get(e["id"]) or self.form(e, answers) for e in selected]
        return entries, forms, unknown


def forms_info(proforma, issue, template_id=None, form_id=None, answers=False):
    """``(key, forms, warnings)``: the forms on ``issue`` (optionally only copies of ``template_id`` or ``form_id``)."""
    for name, value in (("template_id", template_id), ("form_id", form_id)):
        if value is not None and value < 1:
            raise FormPlanError("%s must be a positive number, got %s" % (name, value))
    key = issue_key(proforma, issue)
    reader = FormReader(proforma, key)
    if template_id is None and form_id is None:
        return key, [reader.form(e, answers) for e in reader.index()], []
    _entries, forms, unknown = reader.selection(template_id, form_id, answers)
    if template_id is not None and form_id is not None:
        forms = [f for f in forms if f["id"] == form_id]
    warnings = []
    if unknown and form_id is None:
        warnings.append(
            "form(s) %s on %s are left out: neither the proforma.forms index nor their own data says which "
            "template they are copies of" % (", ".join(str(f["id"]) for f in unknown), key)
        )
    return key, forms, warnings


class AppliedForms:
    """The selected forms as this run has changed them so far."""

    def __init__(self, forms):
        self.before = [dict(f) for f in forms]
        self.forms = [dict(f) for f in forms]
        self.added = []
        self.status_changed = []
        self.transitioned = False
        self.uncertain = []  # writes whose outcome is still unknown when the run stops

    def summary(self):
        done = []
        if self.added:
            done.append("added %s" % ", ".join(_added_words(f) for f in self.added))
        for change in self.status_changed:
            done.append("form %s %s -> %s" % (change["id"], change["before"], change["after"]))
        done.extend(self.uncertain)
        return "; already applied: %s" % ", ".join(done) if done else "; nothing was changed"

    def result(self, key):
        result = form_result(key, self.before, self.forms, self.added, self.status_changed, self.transitioned)
        if self.uncertain:
            result["changed"] = True  # may have changed: never report a write that may have landed as no change
        return result


def _added_words(form):
    if form.get("id") is None:
        return "a copy of template %s (id unknown)" % form.get("template_id")
    return "form %s (%s)" % (form["id"], form.get("status"))


def reconcile_forms(
    proforma,
    issue,
    template_id=None,
    count=1,
    form_id=None,
    status=None,
    visibility=None,
    check_mode=False,
    settle_timeout=90.0,
    sleep=time.sleep,
    clock=time.monotonic,
):
    """Bring the forms of ``issue`` to the declared state and return the module result.

    Bad input and unreachable statuses raise FormPlanError before any write (bad input before any
    request). A failed write raises FormWriteError whose result tells what was already applied.
    ``settle_timeout`` bounds the wait for a write whose outcome is unknown (``sleep`` and ``clock``
    are the time functions, injectable for tests).
    """
    validate_request(template_id, count, form_id, status, visibility)
    if settle_timeout is None or settle_timeout < 0:
        raise FormPlanError("settle_timeout must be 0 or more seconds, got %s" % settle_timeout)
    key = issue_key(proforma, issue)
    run = FormApply(proforma, key, template_id, count, form_id, status, visibility, settle_timeout, sleep, clock)
    return run.reconcile(check_mode)


class FormApply:
    """One reconcile of the forms on one issue: read, plan, add, change statuses, settle after unknown outcomes."""

    def __init__(self, proforma, key, template_id, count, form_id, status, visibility, settle_timeout, sleep, clock):
        self.proforma = proforma
        self.key = key
        self.reader = FormReader(proforma, key)
        self.template_id = template_id
        self.count = count
        self.form_id = form_id
        self.status = status
        self.visibility = visibility
        self.settle_timeout = settle_timeout
        self._sleep = sleep
        self._clock = clock
        self.warnings = []

    def reconcile(self, check_mode):
        entries, forms, unknown = self.reader.selection(self.template_id, self.form_id)
        plan = plan_forms(
            forms, self.template_id, self.count, self.form_id, self.status, self.visibility, unknown, self.key
        )
        self.warnings.extend(plan.warnings)
        if check_mode:
            result = planned_result(self.key, plan)
            if plan.lock_unknown:
                self.warnings.append(lock_unknown_warning(self.template_id, plan.add))
        else:
            result = self.apply(plan, entries)
        result["warnings"] = self.warnings
        return result

    def apply(self, plan, entries):
        applied = AppliedForms(plan.before)
        # Steps for forms not added yet are planned again once their ids (and designs) are known.
        steps = [s for s in plan.steps if s["form"]["id"] is not None]
        if plan.add:
            new_forms = self.add(plan, set(e["id"] for e in entries), applied)
            applied.added = [dict(f) for f in new_forms]  # as added: the status steps below change the forms
            applied.forms.extend(new_forms)
            if self.form_id is None:
                try:
                    steps += plan_status(new_forms, self.status)
                except FormPlanError as err:
                    raise FormWriteError(str(err) + applied.summary(), None, applied.result(self.key)) from None
        for step in steps:
            self.run_step(step, applied)
        return applied.result(self.key)

    # -- adding --------------------------------------------------------------------------------

    def add(self, plan, known, applied):
        """Add the plan's copies in one request; after an unknown outcome, settle before adding what is missing."""
        missing = plan.add
        letters = VISIBILITY_LETTERS.get(self.visibility)
        for _round in range(MAX_RESENDS + 1):
            what = "add %d copy(ies) of template %s to %s" % (missing, self.template_id, self.key)
            try:
                self.proforma.add_form(self.key, self.template_id, letters, missing)
            except OutcomeUnknownError as err:
                new = self.settle(
                    lambda: self.read_new(known, plan), lambda forms: len(forms) >= plan.add, what, err, applied
                )
                if len(new) >= plan.add:
                    return self.late_copies(new, plan)
                missing = plan.add - len(new)  # not there after the bound: add what is still missing
                continue
            except JiraApiError as err:
                raise _write_error(err, what, applied, self.key) from None
            try:
                return self.late_copies(self.read_new(known, plan), plan)
            except JiraApiError as err:
                # The copies were added; only their ids are unknown. Report them as added, ids unknown.
                applied.added = [dict(f, id=None) for f in plan.added]
                applied.forms.extend(dict(f) for f in applied.added)
                raise FormWriteError(
                    "added %d copy(ies) of template %s to %s, but reading the forms back failed: %s; already "
                    "applied: the copies were added (their ids are unknown); run again to read them and finish"
                    % (missing, self.template_id, self.key, err),
                    err,
                    applied.result(self.key),
                ) from None
        applied.uncertain.append("%d copy(ies) of template %s may have been added" % (missing, self.template_id))
        raise FormWriteError(
            "failed to add %d copy(ies) of template %s to %s: no answer came %d times, and the copies did not "
            "show within settle_timeout (%ss) of any of them%s"
            % (missing, self.template_id, self.key, MAX_RESENDS + 1, self.settle_timeout, applied.summary()),
            None,
            applied.result(self.key),
        )

    def read_new(self, known, plan):
        """The forms on the issue that are not in ``known``: copies of the template (or of one no data names)."""
        entries = [e for e in self.reader.index(check_issue=False) if e["id"] not in known]
        need_design = self.status in ("submitted", "locked") and self.form_id is None
        forms = []
        for entry in entries:
            if entry["template_id"] is None or need_design:
                form = self.reader.form(entry)
                if form["status"] is None:  # not readable yet: ProForma made it open
                    form["status"] = "open"
            else:
                form = _new_form(entry, plan)
            # A form of unknown template that appeared after this run's add is taken for one of its copies.
            if form["template_id"] in (self.template_id, None):
                forms.append(dict(form, template_id=self.template_id))
        return forms

    def late_copies(self, new, plan):
        """``new``; warn when a late add made more copies than asked for (ProForma cannot remove forms)."""
        if len(new) > plan.add:
            self.warnings.append(
                "an add whose answer was lost landed late: %d copies of template %s were added to %s (forms %s), %d "
                "more than needed; ProForma's API cannot remove forms"
                % (len(new), self.template_id, self.key, ", ".join(str(f["id"]) for f in new), len(new) - plan.add)
            )
        return new

    # -- status changes ------------------------------------------------------------------------

    def run_step(self, step, applied):
        """Take one form to the target status, following the server's answers (a submit may lock)."""
        form = next(f for f in applied.forms if f["id"] == step["form"]["id"])
        before = form["status"]
        target = self.status
        resends = 0
        doubted = False
        for _attempt in range(MAX_STEPS + MAX_RESENDS + 1):
            try:
                operation = next_operation(form, target)
            except FormPlanError as err:
                raise FormWriteError(str(err) + applied.summary(), None, applied.result(self.key)) from None
            if operation is None:
                break
            what = "%s form %s on %s" % (operation, form["id"], self.key)
            try:
                answer = getattr(self.proforma, "%s_form" % operation)(self.key, form["id"]) or {}
            except OutcomeUnknownError as err:
                doubted = True
                reached = self.settle(
                    lambda: self.read_status(form), lambda status: status != form["status"], what, err, applied
                )
                if reached == form["status"]:
                    resends += 1
                    if resends > MAX_RESENDS:
                        applied.uncertain.append("%s may have been applied" % what)
                        break
                    continue  # not there after the bound: send it again
                if operation == "submit":
                    applied.transitioned = applied.transitioned or None  # the answer that says so was lost
            except JiraApiError as err:
                # After a lost answer, a refusal may only mean the first try landed since the last look.
                reached = form["status"]
                if doubted and err.status == 400:
                    try:
                        reached = self.read_status(form)
                    except JiraApiError:
                        pass
                if reached == form["status"]:
                    raise _write_error(err, what, applied, self.key) from None
            else:
                reached = STATUS_WORDS.get(answer.get("status")) or status_after(operation, form)
                if operation == "submit":
                    applied.transitioned = applied.transitioned or bool(answer.get("transitioned"))
            if operation == "submit" and reached in ("submitted", "locked"):
                form["locks_on_submit"] = reached == "locked"
            _record(applied, form, before, reached)
            form["status"] = reached
        if form["status"] != target:
            raise FormWriteError(
                "%s did not reach status %s (it is %s)%s" % (describe(form), target, form["status"], applied.summary()),
                None,
                applied.result(self.key),
            )

    def read_status(self, form):
        """The form's status as the server has it now (the index says it when the form does not)."""
        entry = {"id": form["id"], "template_id": form["template_id"], "name": form["name"]}
        prop = self.reader.prop(form["id"])
        status = read_form(entry, prop)["status"]
        if status is None:
            entry = next((e for e in self.reader.index(check_issue=False) if e["id"] == form["id"]), entry)
            status = read_form(entry, prop)["status"]
        return status

    # -- settling ------------------------------------------------------------------------------

    def settle(self, read, landed, what, doubt, applied):
        """Re-read with backoff until ``landed(read())`` or ``settle_timeout`` has passed; return the last read."""
        try:
            seen, _landed = settle(read, landed, self.settle_timeout, self._sleep, self._clock)
        except JiraApiError as err:
            applied.uncertain.append("%s may have been applied" % what)
            raise FormWriteError(
                "failed to %s: %s; the outcome is unknown, and reading the forms again failed too: %s%s"
                % (what, doubt, err, applied.summary()),
                err,
                applied.result(self.key),
            ) from None
        return seen


def _new_form(entry, plan):
    form = dict(plan.added[0]) if plan.added else {}
    form.update(id=entry["id"], template_id=entry["template_id"])
    form["name"] = entry["name"] or form.get("name")
    return form


def _record(applied, form, before, reached):
    for change in applied.status_changed:
        if change["id"] == form["id"]:
            change["after"] = reached
            return
    applied.status_changed.append(
        status_change({"form": form, "before": before, "after": reached, "operations": []}, form["id"])
    )


def _write_error(err, what, applied, key):
    return FormWriteError("failed to %s: %s%s" % (what, err, applied.summary()), err, applied.result(key))
