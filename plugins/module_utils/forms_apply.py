# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply one form declaration to many issues (a list, or the issues of a JQL search), several at a time.

Each issue is reconciled exactly as a single-issue run (``form_apply``): its writes stay in order.
One failing issue does not stop the others; the task fails at the end, naming every failed issue
and what was applied everywhere.
"""

from __future__ import annotations

import time

from ansible_collections.jira.addons.plugins.module_utils.errors import (
    AppliedError,
    InputError,
    JiraAddonsError,
    failure_fields,
)
from ansible_collections.jira.addons.plugins.module_utils.form_apply import reconcile_forms
from ansible_collections.jira.addons.plugins.module_utils.form_plan import validate_request
from ansible_collections.jira.addons.plugins.module_utils.jira_api import is_issue_id
from ansible_collections.jira.addons.plugins.module_utils.workers import run_all, values


class FormsError(AppliedError):
    """Some issues of a many-issue task failed; ``result["issues"]`` says what happened on each."""


def target_keys(proforma, issues=None, jql=None, concurrency=4):
    """The issue keys to work on, in order and each once: ``issues`` (keys or ids) or the issues ``jql`` finds.

    The JQL search reads every page (``fields=key``); a query Jira refuses fails with its message,
    before any write. Numeric ids are turned into keys (ProForma needs keys) with a few searches.
    """
    if jql is not None:
        if not str(jql).strip():
            raise InputError("jql is empty: give a JQL query, e.g. project = OPS AND status = Open")
        keys = [found["key"] for found in proforma.jira.search_issues(jql)]
    else:
        refs = [str(ref).strip() for ref in issues or []]
        if any(not ref for ref in refs):
            raise InputError("issues holds an empty issue key")
        ids = [ref for ref in refs if is_issue_id(ref)]
        found = proforma.jira.find_issues(ids, concurrency)
        by_id = dict(zip(ids, values([found[ref] for ref in ids])))
        keys = [by_id[ref]["key"] if ref in by_id else ref for ref in refs]
    unique = []
    for key in keys:
        if key not in unique:
            unique.append(key)
    return unique


def apply_to_issues(
    proforma,
    declaration,
    issues=None,
    jql=None,
    check_mode=False,
    concurrency=4,
    settle_timeout=90.0,
    sleep=time.sleep,
    clock=time.monotonic,
):
    """Reconcile ``declaration`` (template_id, count, form_id, status, visibility) on every target issue.

    Returns ``changed``, ``issues`` (one result per issue, in order) and ``warnings``. Raises
    FormsError at the end when any issue failed; its result holds every issue's result.
    """
    validate_request(
        declaration.get("template_id"),
        declaration.get("count", 1),
        declaration.get("form_id"),
        declaration.get("status"),
        declaration.get("visibility"),
    )
    keys = target_keys(proforma, issues, jql, concurrency)

    def reconciler(key):
        def reconcile():
            return reconcile_forms(
                proforma,
                key,
                check_mode=check_mode,
                settle_timeout=settle_timeout,
                sleep=sleep,
                clock=clock,
                **declaration,
            )

        return reconcile

    outcomes = run_all([reconciler(key) for key in keys], concurrency)
    results = [_issue_result(key, outcome) for key, outcome in zip(keys, outcomes)]
    warnings = ["%s: %s" % (r["issue"], w) for r in results for w in r.pop("warnings", None) or []]
    result = {"changed": any(r["changed"] for r in results), "issues": results, "warnings": warnings}
    failed = [r for r in results if r["failed"]]
    if failed:
        raise FormsError(_failure_message(results, failed), result=result)
    return result


def _issue_result(key, outcome):
    if not outcome.failed:
        return dict(outcome.value, issue=key, failed=False, msg=None)
    err = outcome.error
    result = dict(err.result) if isinstance(err, JiraAddonsError) else {}
    result.setdefault("changed", False)
    for name in ("forms", "added", "status_changed"):
        result.setdefault(name, [])
    result.setdefault("transitioned", False)
    result.update(failure_fields(err), issue=key)
    return result


def _failure_message(results, failed):
    parts = ["%d of %d issue(s) failed" % (len(failed), len(results))]
    parts.extend("%s: %s" % (r["issue"], r["msg"]) for r in failed)
    applied = []
    for r in results:
        done = []
        if r["added"]:
            done.append("%d form(s) added" % len(r["added"]))
        if r["status_changed"]:
            done.append("%d status change(s)" % len(r["status_changed"]))
        if done:
            applied.append("%s %s" % (r["issue"], ", ".join(done)))
    parts.append("applied: %s" % ("; ".join(applied) if applied else "nothing"))
    return ". ".join(parts)
