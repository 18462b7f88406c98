# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Row matching: pair desired rows with current rows, each current row used once (augmenting paths).

Pure functions; the grid plan (``grid_plan``) says which current rows each desired row may take.
"""

from __future__ import annotations


def match_rows(found_for, groups, specific_first=False):
    """Pair desired rows with current rows, each current row used once; return the match of each (or None).

    ``found_for[i]`` lists the current rows desired row ``i`` may take (id order);
    ``groups[i]`` is hashable and equal for desired rows with the same candidates.
    As many desired rows as possible get a row: first each takes its first free
    candidate (the more columns a row names, the earlier it chooses, when
    ``specific_first``; columns are ``groups[i][0]``), then any row left without one
    takes a row from another that can move to a different candidate (augmenting
    paths). So ``[{a: x}, {a: x, b: 1}]`` matches a grid holding ``{a: x, b: 2}`` and
    ``{a: x, b: 1}`` whatever order the rows are written in.
    """
    count = len(found_for)
    order = list(range(count))
    if specific_first:
        order.sort(key=lambda i: -len(groups[i][0]))
    chosen = [None] * count
    owner = {}  # id(current row) -> desired index holding it
    waiting = []
    cursor = {}  # group -> index of its first candidate that may still be free (taken rows stay taken here)
    for i in order:
        found = found_for[i]
        at = cursor.get(groups[i], 0)
        while at < len(found) and id(found[at]) in owner:
            at += 1
        cursor[groups[i]] = at
        if at < len(found):
            owner[id(found[at])] = i
            chosen[i] = found[at]
        elif found:
            waiting.append(i)
    dead = set()  # groups that cannot get a row in the current matching
    for start in waiting:
        if groups[start] in dead:
            continue
        if _augment(start, found_for, groups, chosen, owner, dead):
            dead.clear()  # the matching changed: a group that could not move may move now
        else:
            dead.add(groups[start])
    return chosen


def _augment(start, found_for, groups, chosen, owner, dead):
    """Find a path of moves that gives desired row ``start`` a current row; apply it. Iterative DFS.

    Rows of one group have the same candidates, so a group is never entered twice on one
    path (what the inner one could reach, the outer one reaches too) nor again once it
    failed: on many equal rows the search stays linear.
    """
    visited = set()
    failed = set()
    active = set([groups[start]])
    stack = [(start, iter(found_for[start]))]
    path = []  # (desired index, current row it would take)
    while stack:
        i, candidates = stack[-1]
        advanced = False
        for candidate in candidates:
            if id(candidate) in visited:
                continue
            visited.add(id(candidate))
            holder = owner.get(id(candidate))
            if holder is None:
                path.append((i, candidate))
                for j, row in path:
                    owner[id(row)] = j
                    chosen[j] = row
                return True
            if groups[holder] in failed or groups[holder] in dead or groups[holder] in active:
                continue
            path.append((i, candidate))
            stack.append((holder, iter(found_for[holder])))
            active.add(groups[holder])
            advanced = True
            break
        if not advanced:
            failed.add(groups[i])
            active.discard(groups[i])
            stack.pop()
            if path:
                path.pop()
    return False
