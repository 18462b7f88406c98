# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait for a write whose outcome is unknown to show, within a bound, before anything is sent again.

A write that timed out, or whose connection dropped, may still land. The state is read again with
backoff (0.25 s, doubling, at most 5 s apart) until the write shows, or until a read that *began*
after the bound shows it has not: a read that began earlier (a slow one, retried by the client) may
predate a write landing meanwhile. Used by the grid and the form apply alike.
"""

from __future__ import annotations

FIRST_DELAY = 0.25  # seconds before the second look; doubling up to MAX_DELAY
MAX_DELAY = 5.0


def settle(read, landed, bound, sleep, clock):
    """``read()`` until ``landed(seen)`` or a read began after ``bound`` seconds; return ``(seen, landed)``.

    Errors of ``read`` go to the caller, who knows what the unknown write was.
    """
    deadline = clock() + bound
    delay = FIRST_DELAY
    while True:
        began = clock()
        seen = read()
        if landed(seen):
            return seen, True
        if began >= deadline:
            return seen, False
        remaining = deadline - clock()
        if remaining > 0:
            sleep(min(delay, remaining))
            delay = min(delay * 2, MAX_DELAY)
