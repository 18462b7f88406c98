# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read grids for tge_grid_info: the grid list, the rows of one issue, of every issue, or of a search's issues.

Reads only. With ``as_declared``, the rows go through ``grid_declared`` and each issue gets
its key, so the result is what a grid file of ``playbooks/grids/`` holds.

Requests: a grid given by name costs the grid list; one issue costs its lookup and its
pages; every issue costs the pages of "Read Grid Data for all issues" (which page over
issues) plus, with ``as_declared``, one search per 200 issues for their keys;
``jql`` costs the search's pages and the same pages of all issues, filtered.
"""

from __future__ import annotations

from ansible_collections.jira.addons.plugins.module_utils.errors import InputError, JiraApiError
from ansible_collections.jira.addons.plugins.module_utils.grid_declared import check_declaration, declare_grid


def read_grids(
    tge,
    core,
    grid=None,
    issue=None,
    jql=None,
    columns=None,
    datasource=False,
    as_declared=False,
    column_types=None,
    key=None,
    timezone="UTC",
):
    """What tge_grid_info returns for these options; nothing here writes.

    Bad options fail before any request.
    """
    if not as_declared and (column_types or key):
        raise InputError("column_types and key shape the rows as declared: they need as_declared=true")
    tz = check_declaration(column_types, key, timezone) if as_declared else None
    if key and columns:
        unread = [column for column in key if column not in columns]
        if unread:
            raise InputError("key column(s) %s must be among the columns read: %s" % (", ".join(unread), columns))
    result = {"changed": False}
    if grid is None:
        result["grids"] = tge.list_grids()
        return result
    grid_id = result["grid_id"] = tge.resolve_grid(grid)
    if issue is not None:
        found = core.issue(issue) if as_declared else {"id": core.issue_id(issue)}
        result["issue_id"] = found["id"]
        result["rows"] = tge.read_rows(grid_id, found["id"], columns)
        result["row_count"] = len(result["rows"])
        if as_declared:
            result["issue_key"] = found["key"]
            export = declare_grid([(found["key"], result["rows"])], column_types, key, tz)
            result.update(export["issues"][0], columns=export["columns"])
            result["row_count"] = len(result["rows"])
            result["warnings"] = export["warnings"] + result["warnings"]
    else:
        issues = _issues_with_rows(tge, core, grid_id, jql, columns, as_declared)
        result["issues"] = issues
        result["row_count"] = sum(item["row_count"] for item in issues)
        if as_declared:
            _declare_issues(result, issues, column_types, key, tz)
    if datasource:
        result["datasource"] = tge.datasource(grid_id)
    return result


def _issues_with_rows(tge, core, grid_id, jql, columns, with_keys):
    """``[{"issue_id", "issue_key"?, "row_count", "rows"}]`` for the issues with rows (of ``jql``, if given)."""
    keys = None
    if jql is not None:
        keys = dict((found["id"], found["key"]) for found in core.search_issues(jql))
        if not keys:
            return []  # nothing matched: no need to read the grid
    issues = []
    for item in tge.read_all_issues(grid_id, columns):
        issue_id = int(item["issueId"])
        if keys is not None and issue_id not in keys:
            continue
        issues.append({"issue_id": issue_id, "row_count": len(item["values"]), "rows": item["values"]})
    if keys is None and with_keys:
        keys = issue_keys(core, [item["issue_id"] for item in issues])
    if keys is not None:
        for item in issues:
            if item["issue_id"] in keys:
                item["issue_key"] = keys[item["issue_id"]]
    return issues


def issue_keys(core, issue_ids):
    """``{id: key}`` of the issues Jira shows, found with a few searches (``JiraCoreApi.find_issues``).

    An issue Jira does not show (deleted, or not browsable) is left out.
    """
    keys = {}
    for outcome in core.find_issues(issue_ids).values():
        if outcome.failed:
            if isinstance(outcome.error, JiraApiError) and outcome.error.status == 404:
                continue
            raise outcome.error
        keys[outcome.value["id"]] = outcome.value["key"]
    return keys


def _declare_issues(result, issues, column_types, key, tz):
    """Replace each issue's rows with the rows as declared; warn about what a file will say."""
    hidden = [item for item in issues if "issue_key" not in item]
    shown = [item for item in issues if "issue_key" in item]
    export = declare_grid([(item["issue_key"], item["rows"]) for item in shown], column_types, key, tz)
    warnings = list(export["warnings"])
    if hidden:
        warnings.append(
            "issue ids %s hold rows of this grid, but Jira does not show these issues (deleted, or not browsable):"
            " left out" % ", ".join(str(item["issue_id"]) for item in hidden)
        )
    for item, declared in zip(shown, export["issues"]):
        item.update(declared, columns=export["columns"], row_count=len(declared["rows"]))
        warnings.extend("%s: %s" % (item["issue_key"], warning) for warning in declared["warnings"])
    result["issues"] = shown
    result["columns"] = export["columns"]
    result["row_count"] = sum(item["row_count"] for item in shown)
    result["warnings"] = warnings
