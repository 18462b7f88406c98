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
    With O(grid) and O(jql), only those of the issues the search returns.
  - With O(as_declared=true), returns the rows as a user writes them for M(jira.addons.tge_grid_rows), with the
    column types to declare, so that a dump applied back with O(jira.addons.tge_grid_rows#module:state=exact)
    changes nothing. C(playbooks/grid_export_to_git.yml) writes them to grid files, one per issue.
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
  jql:
    description:
      - With O(grid) and no O(issue), only the issues this JQL search returns (those of them that hold rows).
      - Costs the search's pages (1000 issues each) on top of the pages of the grid's rows on every issue, which
        TGE cannot filter by issue. Each issue in RV(issues) gets its RV(issues[].issue_key).
      - A query Jira refuses fails with Jira's message.
    type: str
  datasource:
    description:
      - Also return the grid's datasource (configuration table, database table and connection URL).
        Needs O(grid) and Jira administrator rights.
    type: bool
    default: false
  as_declared:
    description:
      - Return the rows as a user declares them for M(jira.addons.tge_grid_rows) (the rows of a grid file of
        C(playbooks/grids/)), instead of in TGE's form. Needs O(grid).
      - No C(id), C(issueId) or C(modified); list and radio options by value; checkboxes as booleans; integral
        numbers as integers; empty cells left out. Dates as V(YYYY-MM-DD) and datetimes as ISO 8601 with the
        offset of O(timezone), for the columns O(column_types) declares as V(date) or V(datetime).
      - Every value is checked to compare equal to what Jira holds, the way M(jira.addons.tge_grid_rows) compares
        it; a value that would not (a date that is not at midnight in O(timezone)) is written as Jira holds it,
        with a warning. So applying the rows with O(jira.addons.tge_grid_rows#module:state=exact), O(key) as
        returned and RV(columns) as declared changes nothing.
      - Rows are sorted by O(key), then by every column, so that an export of unchanged data is the same text.
      - Adds RV(columns), and RV(issue_key) (one issue) or RV(issues[].issue_key) (every issue; their keys cost
        one search per 200 issues).
    type: bool
    default: false
  column_types:
    description:
      - With O(as_declared=true), the types of columns, as in the O(jira.addons.tge_grid_rows#module:columns) option
        of M(jira.addons.tge_grid_rows), a map of column name to V(string), V(number), V(integer), V(date),
        V(datetime), V(list), V(radio), V(checkbox) or V(userlist). It is not called O(columns) here because that
        option already limits the columns read.
      - TGE has no schema and returns dates and datetimes as epoch milliseconds, like any number, so this is the
        only way to know that a column holds dates. A V(date) or V(datetime) column is written as dates; a column
        not declared is a number column, written as numbers, which apply back unchanged too (a warning names
        number columns whose values look like dates).
      - Other columns' types are learnt from the rows; a declared type wins.
    type: dict
  key:
    description:
      - With O(as_declared=true), the columns that identify a row, as in O(jira.addons.tge_grid_rows#module:key).
        Rows are sorted by them.
      - An issue whose rows all have distinct values in these columns gets RV(key) (RV(issues[].key)). One with
        rows sharing a key, or rows without a value in a key column, gets no key, so that a
        O(jira.addons.tge_grid_rows#module:state=exact) apply keeps those rows as they are, and a warning says why.
    type: list
    elements: str
  timezone:
    description:
      - With O(as_declared=true), the timezone dates and datetimes are written in, as in
        O(jira.addons.tge_grid_rows#module:timezone) (V(UTC), an offset such as V(+02:00), or an IANA name such as
        V(Europe/Berlin) on Python 3.9 or newer). Use the timezone Jira keeps dates in, and apply the rows with the
        same O(jira.addons.tge_grid_rows#module:timezone).
    type: str
    default: UTC
notes:
  - Requests. A grid given by name costs the grid list. With O(issue), one request looks the issue up (none for a
    numeric id, unless O(as_declared=true)), then one reads each page of rows. Without O(issue), one reads each page
    of issues of TGE's Read Grid Data for all issues; O(as_declared=true) adds one search per 200 issues for their
    keys, and O(jql) the search's pages instead.
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

- name: Read the assets of every issue as a user declares them (the rows of a grid file), in Berlin time
  jira.addons.tge_grid_info:
    grid: Asset Inventory
    as_declared: true
    key: [asset]
    timezone: Europe/Berlin
    column_types:
      purchased: datetime  # TGE returns datetimes as epoch milliseconds, like any number
  register: declared_assets

- name: Show the first asset of each issue, in the form tge_grid_rows takes
  ansible.builtin.debug:
    msg: "{{ item.issue_key }}: {{ item.rows[0] }} (key {{ item.key | default('none: see the warnings') }})"
  loop: "{{ declared_assets.issues }}"
  loop_control:
    label: "{{ item.issue_key }}"

- name: Read the family list of the DEMO issues still open, as declared
  jira.addons.tge_grid_info:
    grid: 10301
    jql: project = DEMO AND status = Open
    as_declared: true
    key: [name]
    column_types:
      dob: date
  register: open_families
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
issue_key:
  description: Key of the issue.
  returned: when O(issue) is given with O(as_declared=true)
  type: str
  sample: DEMO-1
rows:
  description:
    - Every row of the grid on the issue, in the form TGE returns them.
    - Each row has its C(id), C(modified) flag and one key per column. Empty cells may be left out.
    - Dates are epoch milliseconds; list and radio values are C({name, value}) objects.
    - With O(as_declared=true), the rows as a user declares them for M(jira.addons.tge_grid_rows), sorted.
  returned: when O(grid) and O(issue) are given
  type: list
  elements: dict
  sample: [{"id": 1, "issueId": 10001, "modified": 1, "name": "brad", "dob": -96249600000,
            "relation": {"name": "Father", "value": "Dad"}}]
columns:
  description:
    - With O(as_declared=true), the column types a grid file declares (the O(jira.addons.tge_grid_rows#module:columns)
      option of M(jira.addons.tge_grid_rows)), for every column the rows read hold a value in, and those of
      O(column_types).
    - Key columns first, then by name. A type learnt from the rows is V(list) (list and radio), V(checkbox),
      V(number) (number, integer, and date or datetime columns not declared) or V(string) (string and userlist).
  returned: when O(as_declared=true)
  type: dict
  sample: {"name": "string", "dob": "date", "gender": "list", "relation": "list"}
key:
  description:
    - With O(as_declared=true) and O(key), the key, when every row of the issue has a distinct one.
    - Missing when rows share a key or lack a key column; the module then warns, naming them.
  returned: when O(issue) and O(key) are given with O(as_declared=true), and the rows allow it
  type: list
  elements: str
  sample: [name]
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
    issue_key:
      description: Key of the issue. Only with O(as_declared=true) or O(jql).
      type: str
      sample: DEMO-1
    row_count:
      description: Number of rows on that issue.
      type: int
      sample: 2
    rows:
      description: The rows, as in RV(rows) (as declared with O(as_declared=true)).
      type: list
      elements: dict
      sample: [{"id": 1, "modified": 1, "name": "brad"}]
    columns:
      description: With O(as_declared=true), the column types a grid file declares, as RV(columns).
      type: dict
      sample: {"name": "string", "dob": "date"}
    key:
      description: With O(as_declared=true) and O(key), the key, when the issue's rows allow it (as RV(key)).
      type: list
      elements: str
      sample: [name]
    warnings:
      description:
        - With O(as_declared=true), what a grid file of this issue should say about its rows (duplicates, rows
          without a key value, values written as Jira holds them). Also among the task's warnings.
      type: list
      elements: str
      sample: ["rows equal in every cell (ids 7 and 8): the file lists each copy, so that state=exact keeps them all"]
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

from ansible_collections.jira.addons.plugins.module_utils.grid_read import read_grids
from ansible_collections.jira.addons.plugins.module_utils.jira_api import JiraCoreApi
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.plugins.module_utils.tge_api import TgeApi

OPTIONS = ("grid", "issue", "jql", "columns", "datasource", "as_declared", "column_types", "key", "timezone")


def read(module):
    """Read what the options ask for; nothing here writes."""
    client = module.client
    result = read_grids(TgeApi(client), JiraCoreApi(client), **dict((name, module.params[name]) for name in OPTIONS))
    for warning in result.pop("warnings", []):
        module.warn(warning)
    return result


def main():
    module = JiraModule(
        argument_spec=dict(
            grid=dict(type="str"),
            issue=dict(type="str"),
            jql=dict(type="str"),
            columns=dict(type="list", elements="str"),
            datasource=dict(type="bool", default=False),
            as_declared=dict(type="bool", default=False),
            column_types=dict(type="dict"),
            key=dict(type="list", elements="str", no_log=False),
            timezone=dict(type="str", default="UTC"),
        ),
        mutually_exclusive=[("issue", "jql")],
        required_by={"issue": "grid", "columns": "grid", "jql": "grid"},
        required_if=[("datasource", True, ("grid",)), ("as_declared", True, ("grid",))],
    )
    module.run(read)


if __name__ == "__main__":
    main()
