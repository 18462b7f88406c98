# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of server-side grid maintenance: which options fit an action, and which rows a clear removes.

Pure. ``clear_duplicates`` and ``clear_not_modified`` are predicted with the rule the
server applies (:func:`rows_to_clear`), so the apply (``grid_maintenance_apply``)
calls the server only where the prediction is not empty, and check mode is exact.
"""

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.errors import InputError
from ansible_collections.jira.addons.plugins.module_utils.grid_plan import find_duplicates, readable
from ansible_collections.jira.addons.plugins.module_utils.results import in_id_order

ACTIONS = ("synchronize", "reload", "clear_duplicates", "clear_not_modified")
CLEAR_ACTIONS = ("clear_duplicates", "clear_not_modified")
_NOT_MODIFIED = (None, 0, 0.0, False, "", "0", "false")


class MaintenanceInputError(InputError):
    """The options do not fit the action; raised before any request."""


def validate_options(action, grid=None, grids=None, issue=None, issues=None):
    """Fail with one MaintenanceInputError when the options do not fit ``action``.

    ``synchronize`` works on every grid of every issue, so it takes no grid and no
    issue; ``reload`` takes one or more grids (``grid`` or ``grids``); the clear
    actions take exactly one ``grid``. Both need ``issue`` or ``issues``.
    """
    if action not in ACTIONS:
        raise MaintenanceInputError("action must be one of %s, got '%s'" % (", ".join(ACTIONS), action))
    given = [name for name, value in (("grid", grid), ("grids", grids), ("issue", issue), ("issues", issues)) if value]
    if action == "synchronize":
        if given:
            raise MaintenanceInputError(
                "synchronize works on every grid of every issue; remove %s" % " and ".join(given)
            )
        return
    if action in CLEAR_ACTIONS and grids is not None:
        raise MaintenanceInputError("%s works on one grid: give grid, not grids" % action)
    if grids is not None and not _names(grids):
        raise MaintenanceInputError("grids must name at least one grid")
    if not grid and grids is None:
        raise MaintenanceInputError("%s needs grid%s" % (action, " or grids" if action == "reload" else ""))
    if issues is not None and not _names(issues):
        raise MaintenanceInputError("issues must name at least one issue")
    if not issue and issues is None:
        raise MaintenanceInputError("%s needs issue or issues" % action)


def _names(values):
    return [v for v in values if v is not None and str(v).strip()]


def is_modified(row):
    """True when TGE flags ``row`` as modified; a row without the flag counts as not modified (TGE's default)."""
    flag = row.get("modified")
    if isinstance(flag, str):
        flag = flag.strip().lower()
    return flag not in _NOT_MODIFIED


def rows_to_clear(action, rows):
    """The rows (as read) that TGE's clearDuplicates or clearNotModified removes from ``rows``.

    ``clear_duplicates``: every row equal in all columns to a row with a lower id
    (``grid_plan.find_duplicates``, the server's rule). ``clear_not_modified``:
    every row whose ``modified`` flag is 0.
    """
    if action == "clear_duplicates":
        return find_duplicates(rows)
    if action == "clear_not_modified":
        return [row for row in rows if not is_modified(row)]
    raise MaintenanceInputError("'%s' is not a clear action; use one of %s" % (action, ", ".join(CLEAR_ACTIONS)))


class ClearPlan:
    """What clearing one grid on one issue removes.

    ``before``: the rows as read (readable form); ``removed``: the rows the server
    will remove; ``after``: the rows left.
    """

    def __init__(self, action, label, issue_id, rows):
        self.action = action
        self.label = label
        self.issue_id = issue_id
        gone = rows_to_clear(action, rows)
        gone_ids = set(id(row) for row in gone)
        ordered = in_id_order(rows)
        self.before = [readable(row) for row in ordered]
        self.removed = [readable(row) for row in ordered if id(row) in gone_ids]
        self.after = [readable(row) for row in ordered if id(row) not in gone_ids]

    @property
    def changed(self):
        """True when the server would remove at least one row."""
        return bool(self.removed)

    def outcome(self):
        """The per-issue result item."""
        return {"issue": self.label, "issue_id": self.issue_id, "changed": self.changed, "removed": self.removed}
