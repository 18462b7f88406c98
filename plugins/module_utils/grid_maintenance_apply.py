# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply server-side grid maintenance: synchronize, reload, clear duplicates, clear not modified.

``synchronize`` and ``reload`` change nothing a client can read back, so they
always report a change and in check mode send nothing. The clear actions read
the grid first and call the server only for issues where the plan
(``grid_maintenance_plan.ClearPlan``) removes rows, so a second run sends no
write and check mode reports exactly what a real run would.

The runners take a :class:`~.tge_api.TgeApi` and issues already resolved to
``(label, issue_id)`` pairs; every read happens before the first write, so a
missing grid or issue fails with nothing changed.
"""

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.errors import AppliedError, JiraApiError
from ansible_collections.jira.addons.plugins.module_utils.grid_maintenance_plan import (
    CLEAR_ACTIONS,
    ClearPlan,
    MaintenanceInputError,
    validate_options,
)


class MaintenanceError(AppliedError):
    """A request failed; ``result`` says what was already applied (``results``, ``removed``)."""


def resolve_issues(core, refs):
    """``(label, issue_id)`` for each issue key or id, in order; an issue named twice is kept once."""
    targets = []
    seen = set()
    for ref in refs:
        issue_id = core.issue_id(ref)
        if issue_id not in seen:
            seen.add(issue_id)
            targets.append((str(ref).strip(), issue_id))
    return targets


def resolve_grids(tge, refs):
    """The grid ids of grid ids, ``customfield_`` ids or names, in order and without repeats."""
    grid_ids = []
    for ref in refs:
        grid_id = tge.resolve_grid(ref)
        if grid_id not in grid_ids:
            grid_ids.append(grid_id)
    return grid_ids


def run_action(tge, core, action, grid=None, grids=None, issue=None, issues=None, check_mode=False):
    """Validate the options, resolve grids and issues, run ``action`` and return its result.

    The result holds ``changed`` and ``action``; for reload also ``grid_ids`` and
    ``results``; for the clear actions ``grid_id``, ``results``, ``removed`` and the
    rows ``before``/``after`` per issue. ``issue_id`` is added when one ``issue``
    was given.
    """
    validate_options(action, grid, grids, issue, issues)
    context = {"action": action}
    try:
        if action == "synchronize":
            result = synchronize(tge, check_mode)
        elif action == "reload":
            context["grid_ids"] = resolve_grids(tge, [grid] if grids is None else grids)
            targets = _targets(core, issue, issues, context)
            result = reload_grids(tge, targets, context["grid_ids"], check_mode)
        else:
            context["grid_id"] = tge.resolve_grid(grid)
            targets = _targets(core, issue, issues, context)
            result = clear_rows(tge, action, context["grid_id"], targets, check_mode)
    except MaintenanceError as err:
        err.result.update(context)
        raise
    result.update(context)
    return result


def _targets(core, issue, issues, context):
    targets = resolve_issues(core, [issue] if issues is None else issues)
    if issues is None:
        context["issue_id"] = targets[0][1]
    return targets


def synchronize(tge, check_mode=False):
    """Start TGE's global custom field value synchronisation; always a change, nothing sent in check mode."""
    if not check_mode:
        try:
            tge.synchronize()
        except JiraApiError as err:
            raise MaintenanceError(_synchronize_failure(err), err, {"changed": False}) from None
    return {"changed": True}


def _synchronize_failure(err):
    if err.status == 403:
        return (
            "synchronize needs a Jira system administrator, and the user this task connects as is not one "
            "(Jira administrator rights are not enough): %s" % err
        )
    if err.status == 404:
        return "synchronize needs Table Grid Editor 1.19 or later: %s" % err
    return "synchronize failed: %s" % err


def reload_grids(tge, targets, grid_ids, check_mode=False):
    """Reload ``grid_ids`` on every ``(label, issue_id)`` in ``targets``, one request per issue.

    Always a change (a reload cannot be observed); nothing is sent in check mode.
    """
    results = []
    for label, issue_id in targets:
        if not check_mode:
            try:
                tge.reload(issue_id, grid_ids)
            except JiraApiError as err:
                what = "reload grid(s) %s on issue %s" % (", ".join(str(g) for g in grid_ids), label)
                done = "; already reloaded on: %s" % ", ".join(r["issue"] for r in results) if results else ""
                raise MaintenanceError(
                    _write_failure(what, err) + done, err, {"changed": bool(results), "results": results}
                ) from None
        results.append({"issue": label, "issue_id": issue_id, "changed": True})
    return {"changed": True, "results": results}


def clear_rows(tge, action, grid_id, targets, check_mode=False):
    """Clear duplicates or not-modified rows of one grid on every issue in ``targets``.

    Reads every issue's rows first (every page), then calls the server only for
    issues with rows to remove. Returns ``changed``, ``results`` (per issue:
    ``issue``, ``issue_id``, ``changed``, ``removed``), ``removed`` (all issues)
    and ``before``/``after`` (rows per issue label, for the diff).
    """
    if action not in CLEAR_ACTIONS:
        raise MaintenanceInputError("'%s' is not a clear action" % action)
    plans = [
        ClearPlan(action, label, issue_id, _read(tge, action, grid_id, label, issue_id)) for label, issue_id in targets
    ]
    send = tge.clear_duplicates if action == "clear_duplicates" else tge.clear_not_modified
    done = []
    for plan in plans:
        if plan.changed and not check_mode:
            try:
                send(grid_id, plan.issue_id)
            except JiraApiError as err:
                what = "%s of grid %s on issue %s (%d row(s) to remove)" % (
                    action,
                    grid_id,
                    plan.label,
                    len(plan.removed),
                )
                raise MaintenanceError(_write_failure(what, err) + _applied(done), err, _clear_result(done)) from None
        # The server applies the rule the plan applied: its removed rows are the plan's, no re-read needed.
        done.append(plan)
    return _clear_result(done)


def _read(tge, action, grid_id, label, issue_id):
    try:
        return tge.read_rows(grid_id, issue_id)
    except JiraApiError as err:
        if err.status != 403:
            raise
        # Every read comes before the first write: nothing was changed yet.
        message = "%s reads grid %s on issue %s first, which needs permission to browse the issue: %s" % (
            action,
            grid_id,
            label,
            err,
        )
        raise MaintenanceError(message, err, _clear_result([])) from None


def _write_failure(what, err):
    if err.status == 403:
        return "%s needs permission to edit the issue (Edit Issues in its project), which the user lacks: %s" % (
            what,
            err,
        )
    return "failed to %s: %s" % (what, err)


def _applied(done):
    cleared = ["%s: %d row(s) removed" % (p.label, len(p.removed)) for p in done if p.changed]
    return "; already applied: %s" % ", ".join(cleared) if cleared else "; nothing was changed"


def _clear_result(plans):
    removed = []
    for plan in plans:
        removed.extend(plan.removed)
    return {
        "changed": any(plan.changed for plan in plans),
        "results": [plan.outcome() for plan in plans],
        "removed": removed,
        "before": dict((plan.label, plan.before) for plan in plans),
        "after": dict((plan.label, plan.after) for plan in plans),
    }
