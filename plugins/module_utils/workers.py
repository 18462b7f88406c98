# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run independent pieces of work (grids, issues, pages) a few at a time, in threads.

Requests are what the threads wait on; the one client bounds how many are in flight
(``JiraClient.concurrency``), so nesting (pages of grids of a task) cannot exceed it.
"""

from __future__ import annotations

import traceback
from concurrent.futures import ThreadPoolExecutor


class Outcome:
    """What one piece of work gave: ``value``, or the ``error`` it raised (and its ``trace`` when unexpected)."""

    def __init__(self, value=None, error=None, trace=None):
        self.value = value
        self.error = error
        self.trace = trace

    @property
    def failed(self):
        """True when the work raised."""
        return self.error is not None


def _outcome(work):
    try:
        return Outcome(work())
    except Exception as err:  # noqa: BLE001 - reported per piece, the others go on
        return Outcome(error=err, trace=traceback.format_exc())


def run_all(works, concurrency):
    """Call every function of ``works`` with at most ``concurrency`` running at once; their Outcomes, in order.

    One failing piece does not stop the others. ``concurrency`` 1 runs them one after another,
    in this thread.
    """
    works = list(works)
    if concurrency <= 1 or len(works) <= 1:
        return [_outcome(work) for work in works]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(works))) as pool:
        return list(pool.map(_outcome, works))


def values(outcomes):
    """The values of ``outcomes``, raising the first error (for work where any failure fails the whole)."""
    for outcome in outcomes:
        if outcome.failed:
            raise outcome.error
    return [outcome.value for outcome in outcomes]
