# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply many grid declarations in one task: each exactly as a single-grid run, several at a time.

Every entry is checked before any request; grids and issues are resolved, then each
grid is reconciled by ``grid_apply`` (at most three writes, the same normalisation
and fault handling). One failing grid does not stop the others; the task fails at
the end, naming every failed grid and what was applied everywhere.
"""

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.errors import (
    AppliedError,
    InputError,
    JiraAddonsError,
    failure_fields,
)
from ansible_collections.jira.addons.plugins.module_utils.grid_apply import reconcile_rows, settle_bound
from ansible_collections.jira.addons.plugins.module_utils.grid_plan import validate_desired
from ansible_collections.jira.addons.plugins.module_utils.grid_values import Normaliser, tzinfo_for
from ansible_collections.jira.addons.plugins.module_utils.jira_api import is_issue_id
from ansible_collections.jira.addons.plugins.module_utils.workers import Outcome, run_all

ENTRY_KEYS = ("grid", "issue", "rows", "key", "state", "columns", "timezone")
DEFAULTS = {"key": None, "state": "present", "columns": None, "timezone": "UTC"}


class GridsError(AppliedError):
    """Some grids of a ``grids`` task failed; ``result["grids"]`` says what happened to each."""


class Entry:
    """One declaration of ``grids``, with the task's options as defaults, and what became of it."""

    def __init__(self, index, raw, defaults):
        self.index = index
        spec = dict(DEFAULTS)
        spec.update((k, v) for k, v in (defaults or {}).items() if v is not None)
        spec.update((k, v) for k, v in raw.items() if v is not None)
        self.grid, self.issue, self.rows = spec["grid"], spec["issue"], spec["rows"]
        self.key, self.state, self.columns = spec["key"], spec["state"], spec["columns"]
        self.timezone = spec["timezone"]
        self.grid_id = self.issue_id = None
        self.tz = None

    @property
    def label(self):
        """``grids[3] (grid Family List on issue DEMO-3)``: how messages name it."""
        return "grids[%d] (grid %s on issue %s)" % (self.index, self.grid, self.issue)

    def validate(self):
        """Refuse what cannot be planned, naming the entry; no request is sent."""
        try:
            validate_desired(self.rows, self.key, self.state)
            self.tz = tzinfo_for(self.timezone)
            Normaliser.learn([], self.columns or {})
        except InputError as err:
            raise InputError("%s: %s" % (self.label, err)) from None


def parse_entries(grids, defaults):
    """The entries of ``grids``, each checked; one InputError naming the first bad entry."""
    if not isinstance(grids, list):
        raise InputError("grids must be a list of {grid, issue, rows, key, state, columns}")
    entries = []
    for index, raw in enumerate(grids):
        if not isinstance(raw, dict):
            raise InputError("grids[%d] must be a dict with grid, issue and rows, got %r" % (index, raw))
        unknown = sorted(set(raw) - set(ENTRY_KEYS))
        if unknown:
            raise InputError(
                "grids[%d] has unknown key(s) %s; an entry takes %s"
                % (index, ", ".join(unknown), ", ".join(ENTRY_KEYS))
            )
        missing = [name for name in ("grid", "issue", "rows") if raw.get(name) is None]
        if missing:
            raise InputError("grids[%d] needs %s" % (index, " and ".join(missing)))
        entry = Entry(index, raw, defaults)
        entry.validate()
        entries.append(entry)
    return entries


def apply_grids(tge, core, grids, defaults=None, check_mode=False, concurrency=4, settle_timeout=None, timeout=30.0):
    """Reconcile every entry of ``grids``; the result has ``changed`` and ``grids`` (one result per entry).

    Raises InputError before any request for bad entries, and before any write when two
    entries name the same grid on the same issue (their writes would race). Raises
    GridsError at the end when any grid failed; its result holds every grid's result.
    """
    entries = parse_entries(grids, defaults)
    settle_timeout = settle_bound(settle_timeout, timeout)
    outcomes = [None] * len(entries)
    _resolve(tge, core, entries, outcomes, concurrency)
    _refuse_twice_declared(entries, outcomes)
    pending = [e for e in entries if outcomes[e.index] is None]
    done = run_all([_reconciler(tge, e, check_mode, settle_timeout) for e in pending], concurrency)
    for entry, outcome in zip(pending, done):
        outcomes[entry.index] = outcome
    results = [_entry_result(entry, outcome) for entry, outcome in zip(entries, outcomes)]
    result = {"changed": any(r["changed"] for r in results), "grids": results}
    failed = [r for r in results if r["failed"]]
    if failed:
        raise GridsError(_failure_message(results, failed), result=result)
    return result


def _resolve(tge, core, entries, outcomes, concurrency):
    """Grid and issue ids for every entry, each distinct name resolved once; failures are per entry."""
    grid_ids = {}
    for entry in entries:
        ref = str(entry.grid).strip()
        if ref not in grid_ids:
            grid_ids[ref] = run_all([lambda ref=ref: tge.resolve_grid(ref)], 1)[0]
    issue_ids = _issue_ids(core, sorted(set(str(e.issue).strip() for e in entries)), concurrency)
    for entry in entries:
        for outcome, name in (
            (grid_ids[str(entry.grid).strip()], "grid_id"),
            (issue_ids[str(entry.issue).strip()], "issue_id"),
        ):
            if outcome.failed:
                outcomes[entry.index] = outcomes[entry.index] or outcome
            else:
                setattr(entry, name, outcome.value)


def _issue_ids(core, refs, concurrency):
    """``{ref: Outcome(issue id)}``: numeric ids as they are, keys found with a few searches (``find_issues``)."""
    keys = [ref for ref in refs if not is_issue_id(ref)]
    found = core.find_issues(keys, concurrency)
    ids = {}
    for ref in refs:
        if is_issue_id(ref):
            ids[ref] = Outcome(int(ref))
        else:
            outcome = found[ref]
            ids[ref] = outcome if outcome.failed else Outcome(outcome.value["id"])
    return ids


def _refuse_twice_declared(entries, outcomes):
    seen = {}
    for entry in entries:
        if outcomes[entry.index] is not None:
            continue
        target = (entry.grid_id, entry.issue_id)
        if target in seen:
            raise InputError(
                "%s and %s declare the same grid on the same issue (grid %s, issue id %s); merge them into one "
                "entry; nothing was changed" % (seen[target].label, entry.label, entry.grid_id, entry.issue_id)
            )
        seen[target] = entry


def _reconciler(tge, entry, check_mode, settle_timeout):
    def reconcile():
        return reconcile_rows(
            tge,
            entry.grid_id,
            entry.issue_id,
            entry.rows,
            entry.key,
            entry.state,
            entry.columns,
            entry.tz,
            check_mode=check_mode,
            settle_timeout=settle_timeout,
        )

    return reconcile


EMPTY = {"changed": False, "rows": None, "added": [], "updated": [], "removed": [], "before": None, "after": None}


def _entry_result(entry, outcome):
    head = {"grid": entry.grid, "issue": entry.issue, "grid_id": entry.grid_id, "issue_id": entry.issue_id}
    if not outcome.failed:
        return dict(head, failed=False, msg=None, **outcome.value)
    err = outcome.error
    applied = dict(EMPTY)
    if isinstance(err, JiraAddonsError):
        applied.update((k, v) for k, v in err.result.items() if k in EMPTY)
    return dict(head, **dict(applied, **failure_fields(err)))


def _failure_message(results, failed):
    parts = ["%d of %d grid(s) failed" % (len(failed), len(results))]
    for index, result in enumerate(results):
        if result["failed"]:
            parts.append(
                "grids[%d] (grid %s on issue %s): %s" % (index, result["grid"], result["issue"], result["msg"])
            )
    applied = []
    for index, result in enumerate(results):
        counts = ["%d %s" % (len(result[k]), k) for k in ("added", "updated", "removed") if result[k]]
        if counts:
            applied.append("grids[%d] %s" % (index, ", ".join(counts)))
    parts.append("applied: %s" % ("; ".join(applied) if applied else "nothing"))
    return ". ".join(parts)
