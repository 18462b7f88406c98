# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply a grid plan: make the rows of one grid on one issue match the desired rows.

Check the input, resolve the grid and the issue, read every page, plan
(``grid_plan.plan_rows``), then write with at most one POST, one PUT and one DELETE.
A write whose outcome is unknown is never re-sent as it was: the grid is read again
until the write shows or a bound passes, and re-planned (:class:`GridApply`).
"""

from __future__ import annotations

import time

from ansible_collections.jira.addons.plugins.module_utils.errors import (
    AppliedError,
    InputError,
    JiraAddonsError,
    JiraApiError,
    OutcomeUnknownError,
)
from ansible_collections.jira.addons.plugins.module_utils.grid_plan import (
    find_copies,
    plan_rows,
    readable,
    validate_desired,
)
from ansible_collections.jira.addons.plugins.module_utils.grid_values import (
    GridRowsError,
    Normaliser,
    is_empty,
    tzinfo_for,
)
from ansible_collections.jira.addons.plugins.module_utils.settle import settle


class GridWriteError(AppliedError):
    """A write failed; ``result`` says what was applied before it (rows, added, updated, removed)."""


def apply_grid(
    tge,
    core,
    grid,
    issue,
    rows,
    key=None,
    state="present",
    columns=None,
    timezone="UTC",
    check_mode=False,
    settle_timeout=None,
    timeout=30.0,
):
    """Check the input, resolve ``grid`` and ``issue``, and reconcile; the result has ``grid_id`` and ``issue_id``.

    Bad input fails before any request. Every error raised after the grid or the
    issue is resolved carries their ids in its ``result``. ``settle_timeout``
    defaults to 3 x ``timeout`` (the client's per-request timeout).
    """
    validate_desired(rows, key, state)
    settle_timeout = settle_bound(settle_timeout, timeout)
    tz = tzinfo_for(timezone)
    Normaliser.learn([], columns or {})  # refuses an unknown column type before any request
    ids = {}
    try:
        ids["grid_id"] = tge.resolve_grid(grid)
        ids["issue_id"] = core.issue_id(issue)
        outcome = reconcile_rows(
            tge,
            ids["grid_id"],
            ids["issue_id"],
            rows,
            key,
            state,
            columns,
            tz,
            check_mode=check_mode,
            settle_timeout=settle_timeout,
        )
    except JiraAddonsError as err:
        err.result.update(ids)
        raise
    outcome.update(ids)
    return outcome


def settle_bound(settle_timeout, timeout):
    """The wait for a write whose outcome is unknown: ``settle_timeout``, or 3 x ``timeout`` when not given."""
    if settle_timeout is None:
        return 3 * timeout
    if settle_timeout < 0:
        raise InputError("settle_timeout must be 0 or more seconds, got %s" % settle_timeout)
    return settle_timeout


class AppliedRows:
    """The grid as this run has changed it so far, by row id."""

    def __init__(self, rows):
        self.initial = [readable(r) for r in rows]
        self.initial_ids = set(r["id"] for r in self.initial)
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
    tge,
    grid_id,
    issue_id,
    desired,
    key=None,
    state="present",
    declared=None,
    tz=None,
    check_mode=False,
    max_rounds=8,
    settle_timeout=90.0,
    sleep=time.sleep,
    clock=time.monotonic,
):
    """Reconcile and return the result: changed, rows, added, updated, removed, before, after.

    In check mode the same plan is computed and nothing is sent but the reads;
    rows it would add have ``id: null``. ``settle_timeout`` bounds the wait for a
    write whose outcome is unknown (see :class:`GridApply`).
    """
    run = GridApply(tge, grid_id, issue_id, desired, key, state, declared, tz, settle_timeout, sleep, clock)
    return run.reconcile(check_mode, max_rounds)


class GridApply:
    """One reconcile of one grid on one issue: read, plan, write, and settle after unknown outcomes.

    A write whose outcome is unknown (a dropped connection, a gateway error, an answer
    slower than ``timeout``) may still land. It is never sent again on one quick look:
    the grid is re-read with backoff until the write shows, or until ``settle_timeout``
    seconds have passed, and only then re-planned. After a write was sent again, the
    grid is verified once more and copies that the late write added are removed. A
    write still in flight after the bound may land later; the next run corrects it.
    """

    def __init__(self, tge, grid_id, issue_id, desired, key, state, declared, tz, settle_timeout, sleep, clock):
        self.tge = tge
        self.grid_id = grid_id
        self.issue_id = issue_id
        self.desired = desired
        self.key = key
        self.state = state
        self.declared = declared
        self.tz = tz
        self.settle_timeout = settle_timeout
        self._sleep = sleep
        self._clock = clock
        self.elsewhere = []  # rows of other issues, read once to learn kinds this issue does not show
        self.added_ids = set()  # ids of rows this run's POSTs answered with
        self.resent = False  # a write was sent again after its first try's outcome stayed unknown

    def read(self):
        """Every row of the grid on the issue."""
        return self.tge.read_rows(self.grid_id, self.issue_id)

    def plan(self, current):
        """The plan for ``current``, kinds learnt from this issue, then other issues, then ``columns``."""
        return plan_rows(current, self.desired, self.key, self.state, self.normaliser(current))

    def normaliser(self, current):
        # This issue's values come first: a column's kind is settled by the first value seen.
        return Normaliser.learn(list(current) + self.elsewhere, self.declared, self.tz)

    def learn_elsewhere(self, current):
        """Learn what this issue's rows do not show from a few issues' rows, in one request.

        That is the kind of a desired column no row of this issue has a value in, and the
        option names of a list column whose cells read back as ``{value}`` or ``{name}``
        only (a read that names the column gets its whole options).
        """
        known = Normaliser.learn(current, self.declared, self.tz).kinds
        partial = partial_option_columns(current)
        unknown = sorted(
            set(
                c
                for row in self.desired
                for c, v in row.items()
                if not is_empty(v) and (c not in known or (c in partial and not isinstance(v, dict)))
            )
        )
        if not unknown:
            return
        try:
            self.elsewhere = self.tge.sample_rows(self.grid_id, unknown)
        except JiraApiError as err:
            if err.status != 400:
                raise
            # TGE answers 400 when a column named in columns= is not one of the grid's.
            raise GridRowsError(
                "rows name %s, which this issue shows no value of and grid %s may not have: %s; nothing was changed"
                % (", ".join("'%s'" % c for c in unknown), self.grid_id, err),
                result=dict(_result(AppliedRows(current)), changed=False),
            ) from None

    def reconcile(self, check_mode, max_rounds):
        current = self.read()
        self.learn_elsewhere(current)
        plan = self.plan(current)
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
        doubt = None
        for _round in range(max_rounds):
            if not plan.changed:
                break
            doubt = self.write(plan, applied)
            if doubt is None:
                break
            plan = self.settle(doubt, applied)
        if plan.changed and doubt is not None:
            # Every round's last write was in doubt, and what the grid shows still needs writes.
            raise GridWriteError(
                "the grid did not settle after %d rounds of writes with unknown outcomes" % max_rounds,
                result=_result(applied),
            )
        if self.resent:
            self.verify(applied)
        return _result(applied)

    def write(self, plan, applied):
        """Send the plan's writes in order; return the step whose outcome is unknown, or None when all landed."""
        steps = (
            ("add", plan.add, "add %d row(s)" % len(plan.add)),
            ("update", plan.update, "update %d row(s)" % len(plan.update)),
            ("remove", plan.remove, "remove %d row(s)" % len(plan.remove)),
        )
        for kind, items, what in steps:
            if not items:
                continue
            try:
                if kind == "add":
                    ids = self.tge.add_rows(self.grid_id, self.issue_id, items)
                    self.added_ids.update(ids)
                    applied.add(items, ids)
                elif kind == "update":
                    self.tge.edit_rows(self.grid_id, self.issue_id, items)
                    applied.update(items)
                else:
                    self.tge.remove_rows(self.grid_id, self.issue_id, items)
                    applied.remove(items)
            except OutcomeUnknownError:
                return _Doubt(kind, items, what)
            except JiraApiError as err:
                raise _write_error(err, what, applied) from None
        return None

    def settle(self, doubt, applied):
        """Re-read with backoff until ``doubt`` shows in the grid or the bound passes; return the new plan."""
        planned = {}

        def landed(current):
            applied.reset_to(current)
            planned["plan"] = self.plan(current)
            return doubt.landed(planned["plan"], current)

        try:
            _current, shown = settle(self.read, landed, self.settle_timeout, self._sleep, self._clock)
        except JiraApiError as err:
            what = doubt.what + " (outcome unknown; re-reading the grid failed too)"
            raise _write_error(err, what, applied) from None
        if not shown:
            self.resent = True  # not there after the bound: what is still missing is sent again
        return planned["plan"]

    def verify(self, applied):
        """Read the grid once more after a write was sent again; remove copies that the first try added late."""
        what = "verify the grid after a write was sent again"
        try:
            current = self.read()
        except JiraApiError as err:
            raise _write_error(err, what, applied) from None
        applied.reset_to(current)
        ours = [r for r in current if r.get("id") in self.added_ids]
        strangers = [r for r in current if r.get("id") not in self.added_ids and r.get("id") not in applied.initial_ids]
        copies = [r["id"] for r in find_copies(ours, strangers)]
        if not copies:
            return
        try:
            self.tge.remove_rows(self.grid_id, self.issue_id, copies)
        except JiraApiError as err:
            raise _write_error(err, "remove %d late copy(ies) of added rows" % len(copies), applied) from None
        applied.remove(copies)


def partial_option_columns(rows):
    """Columns whose option cells lack their name or their value in ``rows``."""
    return set(
        c
        for row in rows
        for c, v in row.items()
        if isinstance(v, dict) and (is_empty(v.get("name")) or is_empty(v.get("value")))
    )


class _Doubt:
    """A write whose outcome is unknown: its kind (add, update, remove), what it sent, and its step's words."""

    def __init__(self, kind, items, what):
        self.kind = kind
        self.items = items
        self.what = what

    def landed(self, plan, current):
        """True when ``current`` shows the write: the plan no longer needs all that it sent."""
        if self.kind == "add":
            return len(plan.add) < len(self.items)
        if self.kind == "update":
            pending = set(u["rowId"] for u in plan.update)
            return not any(u["rowId"] in pending for u in self.items)
        present = set(r.get("id") for r in current)
        return not any(row_id in present for row_id in self.items)


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
