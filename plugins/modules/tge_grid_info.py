#!/usr/bin/python
# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tge_grid_info
short_description: Read Table Grid Editor grids and their rows
version_added: 1.0.0
description:
  - Reads Table Grid Editor (TGE) grids from Jira Data Center through the TGE REST API.
  - Without O(grid), lists the grids of the Jira instance (needs Jira administrator rights).
  - With O(grid) and O(issue), returns every row of that grid on that issue, reading every page.
  - With O(grid) alone, returns the rows of that grid on every issue the user can see, grouped per issue.
  - This module only reads; it never reports a change.
author:
  - jira.addons developers (@jira-addons)
extends_documentation_fragment:
  - jira.addons.connection
  - jira.addons.attributes
  - jira.addons.attributes.INFO_MODULE
options:
  grid:
    description:
      - The grid, by custom field id (V(10301) or V(customfield_10301)) or by name (V(Asset Inventory)).
      - Looking a grid up by name lists the grids, which TGE allows Jira administrators only.
      - Leave it out to list the grids.
    type: str
  issue:
    description:
      - The issue, by key (V(DEMO-1)) or numeric id (V(10001)). Needs O(grid).
      - A key costs one extra request to find the issue's id, which TGE needs.
    type: str
  columns:
    description:
      - Only return these columns (by their names in the grid definition). Row C(id) and
        C(modified) are always returned.
    type: list
    elements: str
  datasource:
    description:
      - Also return the grid's datasource (configuration table, database table and connection URL).
        Needs O(grid) and Jira administrator rights.
    type: bool
    default: false
seealso:
  - name: Table Grid Editor REST API
    description: The vendor's documentation of the endpoints this module calls.
    link: https://docs.idalko.com/tge/display/TGE/REST+API
"""

EXAMPLES = r"""
# Connection: the first example sets url and credentials on the task; the others leave them out.
# Set them once for every jira.addons module with module_defaults (group/jira.addons.jira), or
# export JIRA_URL with JIRA_USERNAME and JIRA_PASSWORD (or JIRA_TOKEN), as an AWX credential does.

- name: List the grids of the Jira instance (Jira administrators only)
  jira.addons.tge_grid_info:
    url: "{{ jira_url }}"
    token: "{{ jira_token }}"
  register: grids

- name: Show their names and ids
  ansible.builtin.debug:
    msg: "{{ grids.grids | items2dict(key_name='name', value_name='id') }}"

- name: Read every row of the asset grid on one issue, by grid name
  jira.addons.tge_grid_info:
    grid: Asset Inventory
    issue: OPS-1
  register: assets

- name: Show how many assets the issue holds
  ansible.builtin.debug:
    msg: "OPS-1 holds {{ assets.row_count }} assets: {{ assets.rows | map(attribute='asset') | join(', ') }}"

- name: Read two columns of a large grid, every page, by custom field id and numeric issue id
  jira.addons.tge_grid_info:
    grid: customfield_10301
    issue: 10002
    columns: [name, dob]
  register: family_register

- name: Read the family grid on every issue, with where TGE keeps its data
  jira.addons.tge_grid_info:
    grid: 10301
    columns: [name, relation]
    datasource: true
  register: family

- name: Show what was read
  ansible.builtin.debug:
    msg: >-
      {{ family_register.row_count }} names on issue 10002; the grid has rows on {{ family.issues | length }} issues
      and keeps them in table {{ family.datasource.databaseTableName }}
"""

RETURN = r"""
grids:
  description: The TGE grids of the Jira instance. Only when O(grid) is not given.
  returned: when O(grid) is not given
  type: list
  elements: dict
  contains:
    id:
      description: Custom field id of the grid.
      type: int
      sample: 10301
    name:
      description: Name of the grid custom field.
      type: str
      sample: Family List
  sample: [{"id": 10301, "name": "Family List"}]
grid_id:
  description: Custom field id of the grid that was read.
  returned: when O(grid) is given
  type: int
  sample: 10301
issue_id:
  description: Numeric id of the issue.
  returned: when O(issue) is given
  type: int
  sample: 10001
rows:
  description:
    - Every row of the grid on the issue, in the form TGE returns them.
    - Each row has its C(id), C(modified) flag and one key per column. Empty cells may be left out.
    - Dates are epoch milliseconds; list and radio values are C({name, value}) objects.
  returned: when O(grid) and O(issue) are given
  type: list
  elements: dict
  sample: [{"id": 1, "issueId": 10001, "modified": 1, "name": "brad", "dob": -96249600000,
            "relation": {"name": "Father", "value": "Dad"}}]
row_count:
  description: Number of rows read (on the issue, or on all issues together).
  returned: when O(grid) is given
  type: int
  sample: 2
issues:
  description: Rows of the grid per issue, for every issue that has rows and that the user can see.
  returned: when O(grid) is given without O(issue)
  type: list
  elements: dict
  contains:
    issue_id:
      description: Numeric id of the issue.
      type: int
      sample: 10001
    row_count:
      description: Number of rows on that issue.
      type: int
      sample: 2
    rows:
      description: The rows, as in RV(rows).
      type: list
      elements: dict
      sample: [{"id": 1, "modified": 1, "name": "brad"}]
datasource:
  description: Where TGE keeps the grid's data.
  returned: when O(datasource=true)
  type: dict
  contains:
    configurationTableName:
      description: Table name of the grid's configuration.
      type: str
      sample: family
    databaseTableName:
      description: Database table holding the rows.
      type: str
      sample: family_c10301
    connectionUrl:
      description: JDBC URL of the database.
      type: str
      sample: jdbc:h2:mem:jira
"""

from ansible_collections.jira.addons.plugins.module_utils.jira_api import JiraCoreApi
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.plugins.module_utils.tge_api import TgeApi


def read_grids(module):
    """Read what the options ask for; nothing here writes."""
    p = module.params
    tge = TgeApi(module.client)
    result = {"changed": False}
    if p["grid"] is None:
        result["grids"] = tge.list_grids()
        return result
    grid_id = result["grid_id"] = tge.resolve_grid(p["grid"])
    if p["issue"] is not None:
        result["issue_id"] = JiraCoreApi(module.client).issue_id(p["issue"])
        result["rows"] = tge.read_rows(grid_id, result["issue_id"], p["columns"])
        result["row_count"] = len(result["rows"])
    else:
        issues = [
            {"issue_id": int(item["issueId"]), "row_count": len(item["values"]), "rows": item["values"]}
            for item in tge.read_all_issues(grid_id, p["columns"])
        ]
        result["issues"] = issues
        result["row_count"] = sum(item["row_count"] for item in issues)
    if p["datasource"]:
        result["datasource"] = tge.datasource(grid_id)
    return result


def main():
    module = JiraModule(
        argument_spec=dict(
            grid=dict(type="str"),
            issue=dict(type="str"),
            columns=dict(type="list", elements="str"),
            datasource=dict(type="bool", default=False),
        ),
        required_by={"issue": "grid", "columns": "grid"},
        required_if=[("datasource", True, ("grid",))],
    )
    module.run(read_grids)


if __name__ == "__main__":
    main()
