# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan that brings the forms of an issue to the declared state (the forms as ``form_data`` reads them).

No I/O here. Status changes use the three documented operations: submit (open -> submitted, or
locked when the form's design locks on submit), reopen (submitted -> open) and unlock (locked ->
submitted). Paths are found by walking those edges, so an unreachable status (locked, for a form
that does not lock on submit) is known before anything is sent.
"""

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.form_data import (
    LEGACY_SCHEMA_VERSION,
    FormNotFound,
    FormPlanError,
)
from ansible_collections.jira.addons.plugins.module_utils.results import diff, id_key

VISIBILITY_LETTERS = {"internal": "i", "external": "e"}
STATUSES = ("open", "submitted", "locked")
MAX_STEPS = 3  # the longest path: locked -> submitted -> open, or submitted -> open -> locked


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

    Entries must know their template by now (read from the form when the index leaves it out); one
    that still does not is never taken for a copy. Raises FormNotFound when ``form_id`` is not on the
    issue, and FormPlanError when it is a copy of another template than ``template_id`` (or of one
    that cannot be known).
    """
    selected = [e for e in entries if template_id is not None and e["template_id"] == template_id]
    if form_id is not None:
        match = [e for e in entries if e["id"] == form_id]
        if not match:
            have = ", ".join(str(e["id"]) for e in entries) or "none"
            raise FormNotFound("form %s not found on issue %s (forms on it: %s)" % (form_id, issue, have))
        if template_id is not None and match[0]["template_id"] is None:
            raise FormPlanError(
                "form %s on issue %s: %s, so it cannot be checked to be a copy of template_id %s"
                % (form_id, issue, UNKNOWN_TEMPLATE, template_id)
            )
        if template_id is not None and match[0]["template_id"] != template_id:
            raise FormPlanError(
                "form %s on issue %s is a copy of template %s, not of template_id %s"
                % (form_id, issue, match[0]["template_id"], template_id)
            )
        if match[0] not in selected:
            selected.append(match[0])
    return sorted(selected, key=id_key)


UNKNOWN_TEMPLATE = "neither the proforma.forms index nor the form's own data says which template it is a copy of"


# -- status paths ----------------------------------------------------------------------------------


def describe(form):
    """``form 3 (template 2)``, or ``a new copy of template 2`` for a form not added yet."""
    if form.get("id") is None:
        return "a new copy of template %s" % form.get("template_id")
    template = form.get("template_id")
    return "form %s (template %s)" % (form["id"], "unknown" if template is None else template)


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
    if target == "locked" and form.get("legacy"):
        raise FormPlanError(
            "cannot plan status locked for %s: it is a legacy form (schemaVersion %d), which does not hold "
            "whether it locks on submit" % (describe(form), LEGACY_SCHEMA_VERSION)
        )
    if target == "locked" and lock is None:
        raise FormPlanError(
            "cannot plan status locked for %s: whether it locks on submit could not be read" % describe(form)
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
    end (``id: None``); ``added`` the forms to add; ``warnings`` what the module cannot change;
    ``lock_unknown`` is true when the forms to add must be locked and no copy on the issue says whether
    the template locks on submit (a real run reads it from the added forms; check mode predicts locked).
    """

    def __init__(self, before, add, visibility, new_forms, steps, warnings, lock_unknown=False):
        self.before = before
        self.add = add
        self.visibility = visibility
        self.added = new_forms
        self.steps = steps
        self.warnings = warnings
        self.lock_unknown = lock_unknown
        by_id = dict((id(s["form"]), s["after"]) for s in steps)
        self.after = [dict(f, status=by_id.get(id(f), f["status"])) for f in before + new_forms]

    @property
    def changed(self):
        """Whether the plan adds a form or changes a status."""
        return bool(self.add or self.steps)


def lock_unknown_warning(template_id, count):
    """The check-mode warning for locking copies of a template whose lock-on-submit no form on the issue shows."""
    return (
        "whether template %s locks on submit is read from the %d form(s) a real run adds, once they exist; "
        "status locked is predicted, and the real run fails naming the added forms if the template does not "
        "lock on submit" % (template_id, count)
    )


def _unknown_template(unknown, issue, template_id, add, status, form_id):
    """FormPlanError when forms of unknown template could be copies that matter; else the warning."""
    names = ", ".join(str(f["id"]) for f in unknown)
    where = "form(s) %s on %s" % (names, issue or "the issue")
    if add:
        raise FormPlanError(
            "cannot tell how many copies of template %s are on %s: for %s, %s; no copy is added on a guess"
            % (template_id, issue or "the issue", where, UNKNOWN_TEMPLATE)
        )
    if status is not None and form_id is None:
        raise FormPlanError(
            "cannot set status %s on every copy of template %s: for %s, %s"
            % (status, template_id, where, UNKNOWN_TEMPLATE)
        )
    return "%s: %s, so they are not counted as copies of template %s" % (where, UNKNOWN_TEMPLATE, template_id)


def plan_forms(forms, template_id=None, count=1, form_id=None, status=None, visibility=None, unknown=(), issue=None):
    """Plan the request against ``forms`` (the selected forms as ``read_form`` returns them).

    With ``template_id``, ``count`` copies must be on the issue: the missing ones are added (never
    removed) with ``visibility`` (default internal). ``status`` applies to ``form_id`` when given,
    otherwise to every copy of ``template_id``, the ones to add included. ``unknown`` are the forms on
    ``issue`` whose template cannot be known: when they could be copies that the plan counts, it fails
    rather than add a copy on a guess. Raises FormPlanError when a status cannot be reached, so nothing
    is sent.
    """
    forms = sorted((dict(f) for f in forms), key=id_key)
    copies = [f for f in forms if template_id is not None and f["template_id"] == template_id]
    add = max(0, (count or 0) - len(copies)) if template_id is not None else 0
    warnings = []
    if template_id is not None and unknown:
        warnings.append(_unknown_template(unknown, issue, template_id, add, status, form_id))
    newest = copies[-1] if copies else {}
    # A new copy is made from the template's current design; the newest copy that shows it is the best guess.
    designed = [f for f in copies if f.get("locks_on_submit") is not None]
    lock = designed[-1]["locks_on_submit"] if designed else None
    new_forms = [
        {
            "id": None,
            "template_id": template_id,
            "name": newest.get("name"),
            "status": "open",
            "visibility": visibility or "internal",
            "submitted": None,
            "locks_on_submit": lock,
            "legacy": False,
        }
        for _copy in range(add)
    ]
    if form_id is not None:
        targets = [f for f in forms if f["id"] == form_id]
    else:
        targets = copies + new_forms
    lock_unknown = bool(status == "locked" and new_forms and lock is None and form_id is None)
    if lock_unknown:
        # Only the added forms will tell; predict a submit that locks (a real run plans them once added).
        targets = copies
    steps = plan_status(targets, status)
    if lock_unknown:
        steps += [{"form": f, "operations": ["submit"], "before": "open", "after": "locked"} for f in new_forms]
    if visibility is not None:
        for form in copies:
            if form["visibility"] is not None and form["visibility"] != visibility:
                warnings.append(
                    "%s is %s, not %s: ProForma's API cannot change the visibility of a form already on an "
                    "issue; visibility applies to the forms this task adds"
                    % (describe(form), form["visibility"], visibility)
                )
    return FormPlan(forms, add, visibility, new_forms, steps, warnings, lock_unknown)


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
