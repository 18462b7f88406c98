#!/usr/bin/python
# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tge_grid_sync
short_description: Server-side maintenance of Table Grid Editor grids
version_added: 1.0.0
description:
  - Runs the maintenance operations of the Table Grid Editor (TGE) REST API.
  - V(synchronize) synchronises the custom field values of every grid on every issue, for example after grid
    data was imported directly into the database with SQL. It needs a Jira system administrator and TGE 1.19 or
    later.
  - V(reload) reloads one or more grids on one or more issues.
  - V(clear_duplicates) removes rows that are equal in every column to a row with a lower id, keeping that row.
    Row ids and the C(modified) flag are ignored, and values are compared as TGE stores them (V(2) equals V(2.0)).
  - V(clear_not_modified) removes the rows whose C(modified) flag is 0, that is, rows nobody has changed since
    they were imported.
  - V(synchronize) and V(reload) change nothing the module can read back, so they always report a change. In
    check mode they send no request that changes anything.
  - V(clear_duplicates) and V(clear_not_modified) read the grid first, every page. They call the server only
    for issues that have rows to remove, so a second run reports no change and sends no write request, and
    check mode returns exactly the rows a real run removes.
author:
  - jira.addons developers (@jira-addons)
extends_documentation_fragment:
  - jira.addons.connection
  - jira.addons.attributes
  - jira.addons.attributes.ACTIONABLE
options:
  action:
    description:
      - The maintenance operation.
      - V(synchronize) takes no O(grid) and no O(issue). It works on every grid of every issue.
      - V(reload) needs O(grid) or O(grids), and O(issue) or O(issues).
      - V(clear_duplicates) and V(clear_not_modified) need O(grid), and O(issue) or O(issues).
    type: str
    required: true
    choices: [synchronize, reload, clear_duplicates, clear_not_modified]
  grid:
    description:
      - The grid, by custom field id (V(10301) or V(customfield_10301)) or by name (V(Asset Inventory)).
      - Looking a grid up by name lists the grids, which TGE allows Jira administrators only.
    type: str
  grids:
    description:
      - Several grids to reload in one request per issue, each given as in O(grid). Only for O(action=reload).
      - Mutually exclusive with O(grid).
    type: list
    elements: str
  issue:
    description:
      - The issue, by key (V(DEMO-4)) or numeric id (V(10004)). A key costs one request to find the id.
    type: str
  issues:
    description:
      - Several issues, each given as in O(issue). They are handled one after the other over the same HTTP
        connection, and the result has one entry per issue in RV(results).
      - An issue named twice (for example by key and by id) is handled once.
      - Mutually exclusive with O(issue).
    type: list
    elements: str
notes:
  - The clear actions read every issue before writing anything, so a missing issue or grid fails with nothing
    changed. If a write then fails, the module fails, and RV(results) and RV(removed) show what was already
    removed.
  - The rows a clear action reports as removed are the rows it predicted from its read. TGE removes them by
    the same rule. If someone else changes the grid between the read and the write, the report can differ
    from what the server did.
  - A row without a C(modified) flag counts as not modified, which is TGE's default.
  - Check mode cannot tell whether the user has the permission a write needs. Checks of rights happen only on
    a real run. V(synchronize) needs a system administrator. V(reload) and the clear actions need permission to
    edit the issue.
  - V(synchronize) and V(reload) return no C(diff), because what they change cannot be read.
seealso:
  - module: jira.addons.tge_grid_rows
  - module: jira.addons.tge_grid_info
"""

EXAMPLES = r"""
# Connection: the first example sets url and credentials on the task; the others leave them out.
# Set them once for every jira.addons module with module_defaults (group/jira.addons.jira), or
# export JIRA_URL with JIRA_USERNAME and JIRA_PASSWORD (or JIRA_TOKEN), as an AWX credential does.

- name: After importing grid rows with SQL, make Jira pick them up (Jira system administrators only)
  jira.addons.tge_grid_sync:
    url: "{{ jira_url }}"
    token: "{{ jira_token }}"
    action: synchronize

- name: Reload two grids on an issue
  jira.addons.tge_grid_sync:
    action: reload
    grids: [Family List, 10302]
    issue: DEMO-4

- name: Remove duplicated asset rows from a few issues
  jira.addons.tge_grid_sync:
    action: clear_duplicates
    grid: customfield_10302
    issues: [OPS-1, OPS-2, DEMO-4]
  register: dedup

- name: Show what was removed, per issue
  ansible.builtin.debug:
    msg: "{{ item.issue }}: removed rows {{ item.removed | map(attribute='id') | list }}"
  loop: "{{ dedup.results }}"
  loop_control:
    label: "{{ item.issue }}"
  when: item.changed

- name: Preview which imported rows nobody has touched since
  jira.addons.tge_grid_sync:
    action: clear_not_modified
    grid: Asset Inventory
    issue: OPS-1
  check_mode: true
  register: untouched

- name: List them
  ansible.builtin.debug:
    msg: "Not modified since the import: {{ untouched.removed | map(attribute='asset') | list }}"
"""

RETURN = r"""
action:
  description: The action that ran.
  returned: always
  type: str
  sample: clear_duplicates
grid_id:
  description: Custom field id of the grid.
  returned: when O(action) is V(clear_duplicates) or V(clear_not_modified)
  type: int
  sample: 10302
grid_ids:
  description: Custom field ids of the grids reloaded.
  returned: when O(action=reload)
  type: list
  elements: int
  sample: [10301, 10302]
issue_id:
  description: Numeric id of the issue, when one O(issue) was given.
  returned: when O(issue) is given
  type: int
  sample: 10004
results:
  description: One entry per issue, in the order given.
  returned: unless O(action=synchronize)
  type: list
  elements: dict
  contains:
    issue:
      description: The issue as given in O(issue) or O(issues).
      type: str
      sample: DEMO-4
    issue_id:
      description: Numeric id of the issue.
      type: int
      sample: 10004
    changed:
      description: Whether this issue changed (always true for V(reload)).
      type: bool
    removed:
      description:
        - The rows removed from this issue (in check mode, the rows a real run removes), each with its C(id)
          and its columns. Only for the clear actions.
      type: list
      elements: dict
      sample: [{"id": 6, "asset": "LAP-001", "quantity": 1}]
removed:
  description:
    - Every row removed, from all issues, in the order of RV(results). Row ids are unique within a grid.
      Only for the clear actions.
    - In check mode, the rows a real run removes.
  returned: when O(action) is V(clear_duplicates) or V(clear_not_modified)
  type: list
  elements: dict
  sample: [{"id": 6, "asset": "LAP-001", "quantity": 1, "price": 1299.99}]
diff:
  description:
    - For the clear actions run with C(--diff), the rows of the grid on each issue before and after.
    - C(before) and C(after) map each issue, as given, to its list of rows.
  returned: when diff mode is on and O(action) is V(clear_duplicates) or V(clear_not_modified)
  type: dict
  contains:
    before:
      description: Issue to the rows it held before the run.
      type: dict
      sample: {"DEMO-4": [{"id": 5, "asset": "LAP-001"}, {"id": 6, "asset": "LAP-001"}]}
    after:
      description: Issue to the rows it holds after the run (in check mode, would hold).
      type: dict
      sample: {"DEMO-4": [{"id": 5, "asset": "LAP-001"}]}
"""

from ansible_collections.jira.addons.plugins.module_utils.grid_maintenance_apply import run_action
from ansible_collections.jira.addons.plugins.module_utils.grid_maintenance_plan import ACTIONS
from ansible_collections.jira.addons.plugins.module_utils.jira_api import JiraCoreApi
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.plugins.module_utils.results import diff
from ansible_collections.jira.addons.plugins.module_utils.tge_api import TgeApi


def maintain(module):
    """Run the action; bad options fail before any request."""
    p = module.params
    return run_action(
        TgeApi(module.client),
        JiraCoreApi(module.client),
        p["action"],
        grid=p["grid"],
        grids=p["grids"],
        issue=p["issue"],
        issues=p["issues"],
        check_mode=module.check_mode,
    )


def shape(module, outcome):
    """The module result, with the rows per issue as a diff (clear actions only)."""
    result = dict(outcome)
    before = result.pop("before", None)
    after = result.pop("after", None)
    if module._diff and before is not None:
        result["diff"] = diff(before, after, "grid %s (%s)" % (module.params["grid"], module.params["action"]))
    return result


def main():
    module = JiraModule(
        argument_spec=dict(
            action=dict(type="str", required=True, choices=list(ACTIONS)),
            grid=dict(type="str"),
            grids=dict(type="list", elements="str"),
            issue=dict(type="str"),
            issues=dict(type="list", elements="str"),
        ),
        mutually_exclusive=[("grid", "grids"), ("issue", "issues")],
    )
    module.run(maintain, shape)


if __name__ == "__main__":
    main()
