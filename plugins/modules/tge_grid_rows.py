#!/usr/bin/python
# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tge_grid_rows
short_description: Declare the rows of a Table Grid Editor grid on a Jira issue
version_added: 1.0.0
description:
  - Makes the rows of one Table Grid Editor (TGE) grid on one Jira issue match the rows you declare,
    changing only what differs.
  - Reads every page of the grid, plans, then writes with at most one add (POST), one edit (PUT) and one
    remove (DELETE) request, however many rows change.
  - Values are compared after normalisation, so a second run reports no change whatever form a value was
    written in, for example V(2), V("2") and V(2.0); V(2024-05-01) and epoch milliseconds; a list option by
    its value, its name or as C({name, value}); V(true) and V("true"); V(null), V("") and a missing cell.
  - Values are sent in the form they were compared in (dates as epoch milliseconds, V("2") as a number for a
    number column, V(yes) as V(true) for a checkbox), and a value a column cannot hold fails before any write
    when the grid's rows show the column's type.
  - A write whose outcome is unknown (a dropped connection, a gateway timeout, or an answer slower than
    O(timeout)) is never simply sent again, because it may still land. The module re-reads the grid with backoff
    until the write shows, or until O(settle_timeout) has passed, and only then sends what is still missing.
    After sending a write again it reads the grid once more and removes copies that the first try added late.
    The result always says what the grid holds at the end.
  - Column types are learnt from the grid's rows on this issue. For a column this issue shows no value of (an
    empty grid, a new column), the module reads the rows of a few other issues in one request (only those
    columns), then falls back to O(columns).
author:
  - jira.addons developers (@jira-addons)
extends_documentation_fragment:
  - jira.addons.connection
  - jira.addons.attributes
  - jira.addons.attributes.ACTIONABLE
options:
  grid:
    description:
      - The grid, by custom field id (V(10301) or V(customfield_10301)) or by name (V(Family List)).
      - Looking a grid up by name lists the grids, which TGE allows Jira administrators only.
      - Required, with O(issue) and O(rows), unless O(grids) is given.
    type: str
  issue:
    description:
      - The issue, by key (V(DEMO-1)) or numeric id (V(10001)). A key costs one request to find the id.
    type: str
  rows:
    description:
      - The rows, each a dict of column name to value.
      - A row names only the columns it cares about; with O(state=present) the other columns of a matched
        row are left alone.
      - Dates may be written as V(YYYY-MM-DD), ISO datetimes or epoch milliseconds; list and radio options by
        value, by name or as C({name, value}).
      - Some servers return list cells as C({value}) only. An option written by name is then matched through
        one read of that column on a few other issues; where no issue shows the option with its name, write
        the option by value.
      - With O(state=exact), V([]) empties the grid.
    type: list
    elements: raw
  grids:
    description:
      - Many grids in one task, instead of O(grid), O(issue) and O(rows) - a list of dicts with the keys C(grid),
        C(issue), C(rows) and optionally C(key), C(state), C(columns) and C(timezone), the same dicts the grid
        files of C(playbooks/grids/) hold.
      - O(key), O(state), O(columns) and O(timezone) given at the top are defaults for every entry.
      - Grids are read and reconciled concurrently (at most O(concurrency) requests in flight), each exactly as a
        single-grid run would be - at most three writes, the same normalisation and the same handling of faults.
        Writes to one grid stay in order; two entries for the same grid on the same issue fail before any write.
      - The issues' keys are turned into ids with one search per 100 keys, not a request each. When Jira refuses
        such a search because it names an issue Jira does not show (deleted, or not browsable), the keys of that
        search are looked up one by one, so only the entries of that issue fail.
      - Every entry is checked before any request. One failing grid does not stop the others; the task fails at
        the end, naming every failed grid and what was applied everywhere, and RV(grids) holds every grid's
        result.
    type: list
    elements: dict
  key:
    description:
      - Columns that identify a row. A desired row matches the current row with the same values in these
        columns; its other columns are then updated where they differ.
      - Every desired row must have a value for every key column, and no two desired rows may share a key.
      - Without O(key), a desired row matches a current row whose values are equal in every column the desired
        row names; a row with any other value is a different row.
    type: list
    elements: str
  state:
    description:
      - V(present) adds the desired rows that are missing and updates matched rows; other rows stay.
      - V(absent) removes every row that matches a desired row (every copy, if the grid holds duplicates).
      - V(exact) makes the grid hold exactly O(rows) - it also removes every row that matches no desired row,
        extra copies of duplicated rows included.
    type: str
    choices: [present, absent, exact]
    default: present
  columns:
    description:
      - Column types, for columns no issue shows a value of yet. Types are otherwise learnt from the rows the
        server returns, first this issue's, then, in one request, those of a few other issues. Also tells a
        V(date) from a V(number) column, which read back alike (epoch milliseconds).
      - A date written as text (V(2024-05-01), V(2024-05-01T09:30:00)) for a column of unknown type fails before
        anything is written, because Jira could keep it as text or read it as a date in its own timezone, and the
        next run would compare it in O(timezone). Declare the column's type here. Datetimes with an offset (V(Z),
        V(+02:00)) are accepted.
      - Map of column name to one of V(string), V(number), V(integer), V(date), V(datetime), V(list), V(radio),
        V(checkbox), V(userlist).
    type: dict
  settle_timeout:
    description:
      - How long, in seconds, to wait for a write whose outcome is unknown to show in the grid before sending what
        is still missing again. The grid is re-read with backoff (0.25 s, doubling, at most 5 s between reads) and
        the wait ends as soon as the write shows.
      - Defaults to 3 x O(timeout), so a write that lands up to 4 x O(timeout) after it was sent is never sent twice.
      - A write still in flight after this bound may land later and add copies of rows; the next run removes
        them with O(state=exact), or reports them. Raise the bound for a Jira that is slow to answer large writes.
    type: float
  return_rows:
    description:
      - Return RV(rows), every row of the grid after the run.
      - Set to V(false) for large grids when the rows are not needed. Ansible checks every returned value for
        secrets to mask, which takes longer than reading the grid when it holds thousands of rows, and AWX stores
        each task's result. RV(row_count), RV(added), RV(updated) and RV(removed) are returned either way.
    type: bool
    default: true
  timezone:
    description:
      - Timezone for dates and datetimes written without an offset, as V(UTC), an offset such as V(+02:00),
        or an IANA name such as V(Europe/Berlin) (Python 3.9 or newer on the managed host).
      - Dates are sent to TGE as epoch milliseconds computed in this timezone.
    type: str
    default: UTC
notes:
  - In check mode nothing is written; rows that would be added have C(id=null) in the result.
  - If a write fails, the module fails and the result's RV(added), RV(updated) and RV(removed) tell what was
    already applied.
seealso:
  - module: jira.addons.tge_grid_info
"""

EXAMPLES = r"""
# Connection: the first example sets url and credentials on the task; the others leave them out.
# Set them once for every jira.addons module with module_defaults (group/jira.addons.jira), or
# export JIRA_URL with JIRA_USERNAME and JIRA_PASSWORD (or JIRA_TOKEN), as an AWX credential does.

- name: The lunch order of HR-1 holds exactly these sandwiches
  jira.addons.tge_grid_rows:
    url: "{{ jira_url }}"
    token: "{{ jira_token }}"
    grid: Sandwich Order
    issue: HR-1
    key: [sandwich]
    state: exact
    rows:
      - {sandwich: Club, count: 3, vegetarian: false}
      - {sandwich: Falafel, count: 2, vegetarian: true}
  register: lunch

- name: Say what changed
  ansible.builtin.debug:
    msg: >-
      added {{ lunch.added | map(attribute='sandwich') | list }},
      updated {{ lunch.updated | length }}, removed {{ lunch.removed | map(attribute='sandwich') | list }}

- name: Make sure one asset is listed, leaving the other rows alone
  jira.addons.tge_grid_rows:
    grid: 10302
    issue: OPS-1
    key: [asset]
    rows:
      - asset: LAP-0042
        quantity: 1
        location: North
        in_service: true
        purchased: 2024-05-01

- name: Remove a retired asset
  jira.addons.tge_grid_rows:
    grid: customfield_10302
    issue: OPS-1
    key: [asset]
    state: absent
    rows:
      - asset: SW-01

- name: Record deliveries in the office's time zone, without returning the rows (for large grids)
  jira.addons.tge_grid_rows:
    grid: Asset Inventory
    issue: 10004
    key: [asset]
    columns:
      purchased: datetime  # no asset on DEMO-4 has a purchase time yet to learn the type from
    timezone: Europe/Berlin
    return_rows: false
    rows:
      - {asset: LAP-002, purchased: "2024-05-02T09:30:00", owner: carol}
      - {asset: MON-7, quantity: 2, purchased: "2024-05-02T09:30:00"}
  register: deliveries

- name: Show how many assets DEMO-4 lists now
  ansible.builtin.debug:
    msg: "DEMO-4 lists {{ deliveries.row_count }} assets ({{ deliveries.added | length }} new)"

- name: Add two children to the empty family list of DEMO-3
  jira.addons.tge_grid_rows:
    grid: Family List
    issue: DEMO-3
    # No columns needed: DEMO-3 holds no rows yet, so the column types are learnt from other issues' rows.
    rows:
      - {name: shiloh, dob: 2006-05-27, gender: Female, relation: Daughter}
      - {name: knox, dob: 2008-07-12, gender: M, relation: Son}

- name: Apply grid contents kept in git, every file of grids/ in one task (see playbooks/grid_contents.yml)
  jira.addons.tge_grid_rows:
    state: exact                     # a default for every entry; an entry's own state wins
    return_rows: false
    grids: "{{ query('ansible.builtin.file', *grid_files) | map('ansible.builtin.from_yaml') | list }}"
  vars:
    grid_files: "{{ query('ansible.builtin.fileglob', playbook_dir ~ '/grids/*.yml') | sort }}"
  register: applied

- name: Say what changed, grid by grid
  ansible.builtin.debug:
    msg: "{{ item.grid }} on {{ item.issue }}: {{ item.added | length }} added, {{ item.removed | length }} removed"
  loop: "{{ applied.grids }}"
  loop_control:
    label: "{{ item.issue }}"
"""

RETURN = r"""
grid_id:
  description: Custom field id of the grid.
  returned: without O(grids), on success and on failures after the grid was resolved
  type: int
  sample: 10302
issue_id:
  description: Numeric id of the issue.
  returned: without O(grids), on success and on failures after the issue was resolved
  type: int
  sample: 10101
row_count:
  description: Number of rows of the grid after the run (in check mode, as it would be).
  returned: success, without O(grids)
  type: int
  sample: 3
rows:
  description:
    - The rows of the grid after the run (in check mode, as they would be), each with its C(id) and its columns.
    - Untouched cells are as TGE returned them (dates as epoch milliseconds, options as C({name, value}));
      cells this run wrote are as sent.
  returned: success, without O(grids), unless O(return_rows=false)
  type: list
  elements: dict
  sample: [{"id": 81, "asset": "LAP-0042", "quantity": 1, "location": "North"}]
added:
  description: Rows added, with their new ids (C(null) in check mode).
  returned: without O(grids)
  type: list
  elements: dict
  sample: [{"id": 81, "asset": "LAP-0042", "quantity": 1}]
updated:
  description: Rows updated, with the columns that changed (C(values)) and what they held before (C(previous)).
  returned: without O(grids)
  type: list
  elements: dict
  sample: [{"id": 12, "values": {"quantity": 3}, "previous": {"quantity": 2.0}}]
removed:
  description: Rows removed, as they were.
  returned: without O(grids)
  type: list
  elements: dict
  sample: [{"id": 7, "asset": "LAP-0007", "quantity": 1.0}]
grids:
  description:
    - With O(grids), one result per entry, in the order given.
  returned: when O(grids) is given
  type: list
  elements: dict
  contains:
    grid:
      description: The grid as the entry gives it.
      type: str
    issue:
      description: The issue as the entry gives it.
      type: str
    grid_id:
      description: Custom field id of the grid (C(null) if it could not be resolved).
      type: int
    issue_id:
      description: Numeric id of the issue (C(null) if it could not be resolved).
      type: int
    changed:
      description: Whether this grid changed.
      type: bool
    failed:
      description: Whether this grid failed; the others went on.
      type: bool
    msg:
      description: Why it failed; C(null) when it did not.
      type: str
    rows:
      description: The grid's rows after the run, as in RV(rows), unless O(return_rows=false).
      type: list
      elements: dict
    row_count:
      description: Number of rows after the run.
      type: int
    added:
      description: Rows added, as in RV(added).
      type: list
      elements: dict
    updated:
      description: Rows updated, as in RV(updated).
      type: list
      elements: dict
    removed:
      description: Rows removed, as in RV(removed).
      type: list
      elements: dict
  sample: [{"grid": "Family List", "issue": "DEMO-3", "grid_id": 10301, "issue_id": 10003, "changed": true,
            "failed": false, "msg": null, "row_count": 2, "added": [{"id": 7, "name": "knox"}], "updated": [],
            "removed": []}]
diff:
  description:
    - The grid's rows before and after, when run with C(--diff). With O(grids), a list of these, one per grid, each
      headed by grid and issue.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: C(rows), the rows before the run.
      type: dict
    after:
      description: C(rows), the rows after the run (in check mode, as they would be).
      type: dict
"""

from ansible_collections.jira.addons.plugins.module_utils.grid_apply import apply_grid
from ansible_collections.jira.addons.plugins.module_utils.grids_apply import apply_grids
from ansible_collections.jira.addons.plugins.module_utils.jira_api import JiraCoreApi
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.plugins.module_utils.results import diff
from ansible_collections.jira.addons.plugins.module_utils.tge_api import TgeApi


def apply_rows(module):
    """Reconcile the grid, or every grid of ``grids``; bad input fails before any request."""
    p = module.params
    tge, core = TgeApi(module.client), JiraCoreApi(module.client)
    if p["grids"] is not None:
        defaults = dict((name, p[name]) for name in ("key", "state", "columns", "timezone"))
        return apply_grids(
            tge,
            core,
            p["grids"],
            defaults,
            module.check_mode,
            concurrency=module.client.concurrency,
            settle_timeout=p["settle_timeout"],
            timeout=p["timeout"],
        )
    return apply_grid(
        tge,
        core,
        p["grid"],
        p["issue"],
        p["rows"],
        p["key"],
        p["state"],
        p["columns"],
        p["timezone"],
        module.check_mode,
        settle_timeout=p["settle_timeout"],
        timeout=p["timeout"],
    )


def shape(module, outcome):
    """The module result from the apply's outcome (also after a failure part way)."""
    if "grids" in outcome:
        grids = [shape_grid(module, item, with_diff=False) for item in outcome["grids"]]
        result = {"changed": outcome["changed"], "grids": grids}
        if module._diff:
            result["diff"] = [
                grid_diff(item["grid"], item["issue"], item) for item in outcome["grids"] if item["before"] is not None
            ]
        return result
    return shape_grid(module, outcome, with_diff=module._diff)


def shape_grid(module, outcome, with_diff):
    """One grid's result: ids, rows (unless return_rows is false), counts, and its diff when asked."""
    names = ("grid", "issue", "grid_id", "issue_id", "failed", "msg", "error")
    result = dict((name, outcome[name]) for name in names if name in outcome)
    rows = outcome["rows"]
    if module.params["return_rows"] and rows is not None:
        result["rows"] = rows
    result.update(
        changed=outcome["changed"],
        row_count=len(rows) if rows is not None else None,
        added=outcome["added"],
        updated=outcome["updated"],
        removed=outcome["removed"],
    )
    if with_diff:
        result["diff"] = grid_diff(module.params["grid"], module.params["issue"], outcome)
    return result


def grid_diff(grid, issue, outcome):
    """The diff of one grid, headed by grid and issue."""
    return diff({"rows": outcome["before"]}, {"rows": outcome["after"]}, "grid %s on issue %s" % (grid, issue))


def main():
    module = JiraModule(
        argument_spec=dict(
            grid=dict(type="str"),
            issue=dict(type="str"),
            rows=dict(type="list", elements="raw"),
            grids=dict(type="list", elements="dict"),
            key=dict(type="list", elements="str", no_log=False),
            state=dict(type="str", choices=["present", "absent", "exact"], default="present"),
            columns=dict(type="dict"),
            timezone=dict(type="str", default="UTC"),
            return_rows=dict(type="bool", default=True),
            settle_timeout=dict(type="float"),
        ),
        required_one_of=[("grid", "grids")],
        mutually_exclusive=[("grids", "grid"), ("grids", "issue"), ("grids", "rows")],
        required_together=[("grid", "issue", "rows")],
    )
    module.run(apply_rows, shape)


if __name__ == "__main__":
    main()
