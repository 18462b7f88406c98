# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tge_grid_rows under injected faults ends in exactly the desired rows: none twice, none lost.

The grid benchmark's fault run (hacking/bench_grid.py ``fault_run``), small and seeded: random
desired states reconciled with ``state: exact``, the module run as its own process against the real
emulator process, while about 30% of requests answer 503, lose their connection, or lose it after
the write was applied (the case a retry must not turn into a duplicate row). The benchmark prints
these figures; here every reconcile must be exact.
"""

from __future__ import annotations

import sys

import pytest

from .runner import REPO

sys.path.append(str(REPO / "hacking"))  # after everything else: its script names shadow nothing

import bench_grid  # noqa: E402  pylint: disable=wrong-import-position

RECONCILES = 10
SEED = 7
# The module's per-request timeout. Shorter than the benchmark's, as it also bounds how long the
# module waits for a write that was dropped before it landed; the emulator answers in milliseconds.
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def grid_emulator():
    """An emulator of its own with the benchmark's grid (no generated rows): faults set here stay here."""
    with bench_grid.EmulatorProcess(bench_grid.fixture(sizes={})) as emulator:
        yield emulator


def test_every_reconcile_under_faults_ends_in_the_desired_rows(grid_emulator):
    reconciles = bench_grid.fault_run(grid_emulator, RECONCILES, SEED, timeout=TIMEOUT)

    assert len(reconciles) == RECONCILES
    # The run means something only if faults hit it, among them writes applied and then dropped.
    assert sum(r.faulted for r in reconciles) > 0
    assert sum(r.applied_then_dropped for r in reconciles) > 0
    assert sum(len(r.desired) for r in reconciles) > 0
    for number, reconcile in enumerate(reconciles):
        where = "reconcile %d (desired %s, grid holds %s)" % (number, reconcile.desired, reconcile.rows)
        assert reconcile.failed is None, "%s: the module failed: %s" % (where, reconcile.failed)
        assert reconcile.duplicate_rows == 0, where
        assert reconcile.lost_rows == 0, where
        assert reconcile.exact, where


def test_writes_answered_after_the_timeout_are_waited_for_and_never_duplicate_a_row(grid_emulator):
    # Writes may also be answered 1.5 or 2.5 times the timeout late; the module gives up on the answer, then
    # waits for the write to show (its settle bound is 3 x timeout) instead of sending it again.
    reconciles = bench_grid.fault_run(grid_emulator, 6, SEED + 1, timeout=1.0, late=True)
    assert sum(r.late_writes for r in reconciles) > 0, "some writes were late"
    for number, reconcile in enumerate(reconciles):
        where = "reconcile %d (desired %s, grid holds %s)" % (number, reconcile.desired, reconcile.rows)
        assert reconcile.failed is None, "%s: the module failed: %s" % (where, reconcile.failed)
        assert reconcile.duplicate_rows == 0 and reconcile.lost_rows == 0 and reconcile.exact, where
        assert reconcile.result_matches, "%s: the result says %s" % (where, reconcile.result_rows)
