# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ProForma forms on an issue as plain data, and the plan that brings them to the declared state.

No I/O here. Forms are read from the issue properties ProForma keeps (``proforma.forms`` and
``proforma.forms.i{id}``) and described in the words the modules speak: status ``open`` /
``submitted`` / ``locked`` and visibility ``internal`` / ``external``, never the API's letters.

Status changes use the three documented operations: submit (open -> submitted, or locked when the
form's design locks on submit), reopen (submitted -> open) and unlock (locked -> submitted). Paths
are found by walking those edges, so an unreachable status (locked, for a form that does not lock
on submit) is known before anything is sent.
"""

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.errors import InputError
from ansible_collections.jira.addons.plugins.module_utils.results import diff, id_key

STATUS_WORDS = {"o": "open", "s": "submitted", "l": "locked"}
VISIBILITY_WORDS = {"i": "internal", "e": "external"}
VISIBILITY_LETTERS = {"internal": "i", "external": "e"}
STATUSES = ("open", "submitted", "locked")
MAX_STEPS = 3  # the longest path: locked -> submitted -> open, or submitted -> open -> locked


class FormPlanError(InputError):
    """The request cannot be planned (bad input, unreachable status). Nothing was written."""


class FormNotFound(FormPlanError):
    """A form named by id is not on the issue."""


# -- reading ---------------------------------------------------------------------------------------


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_index(forms):
    """Index entries (the ``forms`` list of ``proforma.forms``) as ``{id, template_id, name}``, by id.

    ``None`` or an empty list means the issue has no forms. Entries without a usable id are skipped.
    """
    entries = []
    for raw in forms or []:
        if not isinstance(raw, dict) or _int_or_none(raw.get("id")) is None:
            continue
        entries.append(
            {"id": int(raw["id"]), "template_id": _int_or_none(raw.get("templateId")), "name": raw.get("name")}
        )
    return sorted(entries, key=id_key)


def answer_value(answer):
    """The plain value of a stored answer: ``{"text": "x"}`` -> ``"x"``, ``{"choices": [..]}`` -> the list."""
    if isinstance(answer, dict):
        for key in ("text", "number", "date", "time", "datetime", "choices", "users", "value"):
            if key in answer:
                return answer[key]
    return answer


def answers_by_label(form_property):
    """A form's answers keyed by question label (the question id when it has no label).

    A label used by two questions gets the question id appended to the later one, so no answer is lost.
    """
    design = (form_property or {}).get("design") or {}
    questions = design.get("questions") or {}
    answers = ((form_property or {}).get("state") or {}).get("answers") or {}
    result = {}
    for question_id in sorted(answers, key=lambda q: (_int_or_none(q) is None, _int_or_none(q) or 0, str(q))):
        question = questions.get(str(question_id)) or {}
        label = question.get("label") or str(question_id)
        if label in result:
            label = "%s (%s)" % (label, question_id)
        result[label] = answer_value(answers[question_id])
    return result


def read_form(entry, form_property, answers=False):
    """One form as the modules return it, from its index entry and its ``proforma.forms.i{id}`` value.

    Keys: ``id``, ``template_id``, ``name``, ``status``, ``visibility``, ``submitted`` (ProForma's
    timestamp, or None), ``locks_on_submit``, and ``answers`` when asked for. A form whose property
    could not be read has ``status``, ``visibility`` and ``locks_on_submit`` None.
    """
    prop = form_property if isinstance(form_property, dict) else {}
    settings = (prop.get("design") or {}).get("settings") or {}
    state = prop.get("state") or {}
    template_id = entry.get("template_id")
    if template_id is None:
        template_id = _int_or_none(settings.get("templateId"))
    submitted = state.get("submitted")
    form = {
        "id": entry["id"],
        "template_id": template_id,
        "name": entry.get("name") or settings.get("name"),
        "status": STATUS_WORDS.get(state.get("status")),
        "visibility": VISIBILITY_WORDS.get(state.get("visibility"), "internal") if prop else None,
        "submitted": submitted if isinstance(submitted, str) else None,
        "locks_on_submit": bool((settings.get("submit") or {}).get("lock")) if prop else None,
    }
    if answers:
        form["answers"] = answers_by_label(prop)
    return form


# -- input -----------------------------------------------------------------------------------------


def validate_request(template_id=None, count=1, form_id=None, status=None, visibility=None):
    """Reject input that cannot be planned, before any request is sent."""
    if template_id is None and form_id is None:
        raise FormPlanError("one of template_id or form_id is required")
    if template_id is not None and template_id < 1:
        raise FormPlanError("template_id must be a positive number, got %s" % template_id)
    if form_id is not None and form_id < 1:
        raise FormPlanError("form_id must be a positive number, got %s" % form_id)
    if count is not None and count < 0:
        raise FormPlanError("count must be 0 or more, got %s" % count)
    if status is not None and status not in STATUSES:
        raise FormPlanError("status must be one of %s, got %s" % (", ".join(STATUSES), status))
    if visibility is not None and visibility not in VISIBILITY_LETTERS:
        raise FormPlanError("visibility must be internal or external, got %s" % visibility)
    if visibility is not None and template_id is None:
        raise FormPlanError("visibility applies to forms the module adds, so it needs template_id")


def select_forms(entries, issue, template_id=None, form_id=None):
    """The index entries a request is about: every copy of ``template_id`` and the form ``form_id``.

    Raises FormNotFound when ``form_id`` is not on the issue, and FormPlanError when it is a copy of
    another template than ``template_id``.
    """
    selected = [e for e in entries if template_id is not None and e["template_id"] == template_id]
    if form_id is not None:
        match = [e for e in entries if e["id"] == form_id]
        if not match:
            have = ", ".join(str(e["id"]) for e in entries) or "none"
            raise FormNotFound("form %s not found on issue %s (forms on it: %s)" % (form_id, issue, have))
        if template_id is not None and match[0]["template_id"] != template_id:
            raise FormPlanError(
                "form %s on issue %s is a copy of template %s, not of template_id %s"
                % (form_id, issue, match[0]["template_id"], template_id)
            )
        if match[0] not in selected:
            selected.append(match[0])
    return sorted(selected, key=id_key)


# -- status paths ----------------------------------------------------------------------------------


def describe(form):
    """``form 3 (template 2)``, or ``a new copy of template 2`` for a form not added yet."""
    if form.get("id") is None:
        return "a new copy of template %s" % form.get("template_id")
    return "form %s (template %s)" % (form["id"], form.get("template_id"))


def next_operation(form, target):
    """The next operation (``submit``, ``reopen``, ``unlock``) towards ``target``, or None when there.

    Raises FormPlanError when ``target`` cannot be reached from the form's status.
    """
    status, lock = form.get("status"), form.get("locks_on_submit")
    if status == target:
        return None
    if status not in STATUSES:
        raise FormPlanError("cannot set the status of %s: its status could not be read" % describe(form))
    if status == "locked":
        return "unlock"
    if target == "locked" and lock is None:
        raise FormPlanError(
            "cannot plan status locked for %s: whether its template locks on submit is only known from a form "
            "of that template on the issue; add the form first, then set status locked" % describe(form)
        )
    if target == "locked" and not lock:
        raise FormPlanError(
            "%s cannot be locked: its design does not lock on submit, and ProForma's API has no operation "
            "that locks a form" % describe(form)
        )
    if status == "open":
        return "submit"
    return "reopen"  # submitted -> open, also on the way to locked (submitting again locks it)


def status_after(operation, form):
    """The status ``operation`` leads to (a submit locks a form whose design locks on submit)."""
    if operation == "submit":
        return "locked" if form.get("locks_on_submit") else "submitted"
    if operation == "reopen":
        return "open"
    return "submitted"


def status_path(form, target):
    """The operations that take ``form`` to ``target``, in order (``[]`` when it is there already)."""
    current = dict(form)
    operations = []
    for _step in range(MAX_STEPS + 1):
        operation = next_operation(current, target)
        if operation is None:
            return operations
        operations.append(operation)
        current["status"] = status_after(operation, current)
    raise FormPlanError("no path to status %s for %s" % (target, describe(form)))  # pragma: no cover


def plan_status(forms, target):
    """Status steps for ``forms``: ``[{"form", "operations", "before", "after"}]``, only forms that change.

    Every form is checked before any step is returned, so one unreachable form stops them all.
    """
    if target is None:
        return []
    steps = []
    for form in forms:
        operations = status_path(form, target)
        if operations:
            steps.append({"form": form, "operations": operations, "before": form["status"], "after": target})
    return steps


# -- the plan --------------------------------------------------------------------------------------


class FormPlan:
    """What to do: ``add`` copies of the template, then ``steps`` of status operations.

    ``before`` holds the selected forms as read; ``after`` as they will be, with forms to add at the
    end (``id: None``); ``added`` the forms to add; ``warnings`` what the module cannot change.
    """

    def __init__(self, before, add, visibility, new_forms, steps, warnings):
        self.before = before
        self.add = add
        self.visibility = visibility
        self.added = new_forms
        self.steps = steps
        self.warnings = warnings
        by_id = dict((id(s["form"]), s["after"]) for s in steps)
        self.after = [dict(f, status=by_id.get(id(f), f["status"])) for f in before + new_forms]

    @property
    def changed(self):
        """Whether the plan adds a form or changes a status."""
        return bool(self.add or self.steps)


def plan_forms(forms, template_id=None, count=1, form_id=None, status=None, visibility=None):
    """Plan the request against ``forms`` (the selected forms as ``read_form`` returns them).

    With ``template_id``, ``count`` copies must be on the issue: the missing ones are added (never
    removed) with ``visibility`` (default internal). ``status`` applies to ``form_id`` when given,
    otherwise to every copy of ``template_id``, the ones to add included. Raises FormPlanError when
    a status cannot be reached, so nothing is sent.
    """
    forms = sorted((dict(f) for f in forms), key=id_key)
    copies = [f for f in forms if template_id is not None and f["template_id"] == template_id]
    add = max(0, (count or 0) - len(copies)) if template_id is not None else 0
    newest = copies[-1] if copies else {}
    new_forms = [
        {
            "id": None,
            "template_id": template_id,
            "name": newest.get("name"),
            "status": "open",
            "visibility": visibility or "internal",
            "submitted": None,
            # A new copy is made from the template's current design; the newest copy is the best guess.
            "locks_on_submit": newest.get("locks_on_submit"),
        }
        for _copy in range(add)
    ]
    if form_id is not None:
        targets = [f for f in forms if f["id"] == form_id]
    else:
        targets = copies + new_forms
    steps = plan_status(targets, status)
    warnings = []
    if visibility is not None:
        for form in copies:
            if form["visibility"] is not None and form["visibility"] != visibility:
                warnings.append(
                    "%s is %s, not %s: ProForma's API cannot change the visibility of a form already on an "
                    "issue; visibility applies to the forms this task adds"
                    % (describe(form), form["visibility"], visibility)
                )
    return FormPlan(forms, add, visibility, new_forms, steps, warnings)


# -- result ----------------------------------------------------------------------------------------

PUBLIC_KEYS = ("id", "template_id", "name", "status", "visibility")


def public(form):
    """A form as ``proforma_form`` returns it: id, template_id, name, status, visibility."""
    return dict((k, form.get(k)) for k in PUBLIC_KEYS)


def status_change(step, form_id=None):
    """One status change for the result: ``{id, template_id, before, after}``."""
    form = step["form"]
    return {
        "id": form["id"] if form_id is None else form_id,
        "template_id": form["template_id"],
        "before": step["before"],
        "after": step["after"],
    }


def forms_by_id(forms):
    """Forms keyed by id for a diff (``new 1``, ``new 2`` for forms not added yet)."""
    keyed = {}
    new = 0
    for form in forms:
        if form.get("id") is None:
            new += 1
            key = "new %d" % new
        else:
            key = str(form["id"])
        keyed[key] = dict((k, form.get(k)) for k in PUBLIC_KEYS if k != "id")
    return keyed


def form_result(issue, before, after, added, status_changed, transitioned):
    """The module result: changed, issue, forms, added, status_changed, transitioned, and the diff."""
    return {
        "changed": bool(added or status_changed),
        "issue": issue,
        "forms": [public(f) for f in after],
        "added": [public(f) for f in added],
        "status_changed": list(status_changed),
        "transitioned": transitioned,
        "diff": diff({"forms": forms_by_id(before)}, {"forms": forms_by_id(after)}, "forms on %s" % issue),
    }


def planned_result(issue, plan):
    """The result of a check-mode run: what a real run would report (new forms with id None).

    ``transitioned`` is None when a form would be submitted: only the server knows whether
    ProForma's automation would move the issue.
    """
    submits = any("submit" in s["operations"] for s in plan.steps)
    return form_result(
        issue,
        plan.before,
        plan.after,
        plan.added,
        [status_change(s) for s in plan.steps],
        None if submits else False,
    )
