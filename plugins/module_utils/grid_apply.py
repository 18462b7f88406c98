# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply a grid plan: make the rows of one grid on one issue match the desired rows.

Check the input, resolve the grid and the issue, read every page, plan
(``grid_plan.plan_rows``), then write with at most one POST, one PUT and one DELETE. A write whose outcome is unknown (dropped
connection, gateway timeout) is never re-sent as it was: the grid is read again
and re-planned, so faults cannot duplicate or lose rows.
"""

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.errors import (
    AppliedError,
    JiraAddonsError,
    JiraApiError,
    OutcomeUnknownError,
)
from ansible_collections.jira.addons.plugins.module_utils.grid_plan import plan_rows, readable, validate_desired
from ansible_collections.jira.addons.plugins.module_utils.grid_values import Normaliser, tzinfo_for


class GridWriteError(AppliedError):
    """A write failed; ``result`` says what was applied before it (rows, added, updated, removed)."""


def apply_grid(tge, core, grid, issue, rows, key=None, state="present", columns=None, timezone="UTC", check_mode=False):
    """Check the input, resolve ``grid`` and ``issue``, and reconcile; the result has ``grid_id`` and ``issue_id``.

    Bad input fails before any request. Every error raised after the grid or the
    issue is resolved carries their ids in its ``result``.
    """
    validate_desired(rows, key, state)
    tz = tzinfo_for(timezone)
    Normaliser.learn([], columns or {})  # refuses an unknown column type before any request
    ids = {}
    try:
        ids["grid_id"] = tge.resolve_grid(grid)
        ids["issue_id"] = core.issue_id(issue)
        outcome = reconcile_rows(
            tge, ids["grid_id"], ids["issue_id"], rows, key, state, columns, tz, check_mode=check_mode
        )
    except JiraAddonsError as err:
        err.result.update(ids)
        raise
    outcome.update(ids)
    return outcome


class AppliedRows:
    """The grid as this run has changed it so far, by row id."""

    def __init__(self, rows):
        self.initial = [readable(r) for r in rows]
        self.rows = [dict(r) for r in self.initial]

    def reset_to(self, rows):
        self.rows = [readable(r) for r in rows]

    def add(self, rows, ids):
        for row, row_id in zip(rows, ids):
            self.rows.append(dict({"id": row_id}, **row))

    def update(self, updates):
        by_id = dict((u["rowId"], u["values"]) for u in updates)
        for row in self.rows:
            if row["id"] in by_id:
                row.update(by_id[row["id"]])

    def remove(self, ids):
        gone = set(ids)
        self.rows = [r for r in self.rows if r["id"] not in gone]

    def summary(self):
        """added, updated and removed rows between the first read and now."""
        before = dict((r["id"], r) for r in self.initial)
        now = dict((r["id"], r) for r in self.rows if r["id"] is not None)
        added = [r for r in self.rows if r["id"] is None or r["id"] not in before]
        removed = [r for r in self.initial if r["id"] not in now]
        updated = []
        for row in self.rows:
            old = before.get(row["id"])
            if old is None or row["id"] is None:
                continue
            values = dict((c, v) for c, v in row.items() if c != "id" and old.get(c) != v)
            if values:
                updated.append({"id": row["id"], "values": values, "previous": dict((c, old.get(c)) for c in values)})
        return {"rows": self.rows, "added": added, "updated": updated, "removed": removed}


def reconcile_rows(
    tge, grid_id, issue_id, desired, key=None, state="present", declared=None, tz=None, check_mode=False, max_rounds=4
):
    """Reconcile and return the result: changed, rows, added, updated, removed, before, after.

    In check mode the same plan is computed and nothing is sent but the reads;
    rows it would add have ``id: null``.
    """
    current = tge.read_rows(grid_id, issue_id)
    plan = plan_rows(current, desired, key, state, Normaliser.learn(current, declared, tz))
    if not plan.changed:
        # The common case of a scheduled run: nothing to write, nothing to compare row by row.
        rows = [readable(r) for r in current]
        return {
            "changed": False,
            "rows": rows,
            "added": [],
            "updated": [],
            "removed": [],
            "before": rows,
            "after": rows,
        }
    applied = AppliedRows(current)
    if check_mode:
        applied.remove(plan.remove)
        applied.update(plan.update)
        applied.add(plan.add, [None] * len(plan.add))
        return _result(applied)

    step = None
    for _round in range(max_rounds):
        if not plan.changed:
            break
        try:
            step = "add %d row(s)" % len(plan.add)
            if plan.add:
                ids = tge.add_rows(grid_id, issue_id, plan.add)
                applied.add(plan.add, ids)
            step = "update %d row(s)" % len(plan.update)
            if plan.update:
                tge.edit_rows(grid_id, issue_id, plan.update)
                applied.update(plan.update)
            step = "remove %d row(s)" % len(plan.remove)
            if plan.remove:
                tge.remove_rows(grid_id, issue_id, plan.remove)
                applied.remove(plan.remove)
            break
        except OutcomeUnknownError:
            # The write may or may not have happened: look, then plan what is still missing.
            current = _read_after_fault(tge, grid_id, issue_id, applied, step)
            applied.reset_to(current)
            plan = plan_rows(current, desired, key, state, Normaliser.learn(current, declared, tz))
        except JiraApiError as err:
            raise _write_error(err, step, applied) from None
    else:
        raise GridWriteError(
            "the grid did not settle after %d rounds of writes with unknown outcomes" % max_rounds,
            result=_result(applied),
        )
    return _result(applied)


def _read_after_fault(tge, grid_id, issue_id, applied, step):
    try:
        return tge.read_rows(grid_id, issue_id)
    except JiraApiError as err:
        raise _write_error(err, step + " (outcome unknown; re-reading the grid failed too)", applied) from None


def _write_error(err, step, applied):
    result = _result(applied)
    done = []
    for name in ("added", "updated", "removed"):
        if result[name]:
            done.append("%d row(s) %s (ids %s)" % (len(result[name]), name, _ids(result[name])))
    already = "; already applied: " + ", ".join(done) if done else "; nothing was changed"
    return GridWriteError("failed to %s: %s%s" % (step, err, already), err, result)


def _ids(rows):
    return ", ".join(str(r["id"]) for r in rows)


def _result(applied):
    summary = applied.summary()
    changed = bool(summary["added"] or summary["updated"] or summary["removed"])
    summary.update(changed=changed, before=applied.initial, after=summary["rows"])
    return summary
