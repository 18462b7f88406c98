# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the emulator holds after a playbook ran, read over its REST API as admin."""

from __future__ import annotations

import base64
import datetime
import json
import urllib.request

ADMIN = ("admin", "admin-pass")
GRID_IDS = {"Family List": 10301, "Asset Inventory": 10302, "Sandwich Order": 10303}


def jira_get(emulator, path):
    """GET ``path`` from the emulator as admin; the JSON answer."""
    request = urllib.request.Request(emulator.url + path)
    request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % ADMIN).encode()).decode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def grid_rows(emulator, grid, issue):
    """The rows of a grid (id or name) on an issue (key), as the emulator stores them."""
    issue_id = jira_get(emulator, "/rest/api/2/issue/%s?fields=" % issue)["id"]
    grid_id = GRID_IDS.get(grid, grid)
    return jira_get(emulator, "/rest/idalko-igrid/1.0/grid/%s/issue/%s?maxResults=100" % (grid_id, issue_id))["values"]


def forms(emulator, issue):
    """``{form id: (template id, status letter, visibility letter)}`` of the forms on ``issue``."""
    index = jira_get(emulator, "/rest/api/2/issue/%s/properties/proforma.forms" % issue)["value"]["forms"]
    found = {}
    for form in index:
        state = jira_get(emulator, "/rest/api/2/issue/%s/properties/proforma.forms.i%s" % (issue, form["id"]))
        state = state["value"]["state"]
        found[form["id"]] = (form["templateId"], state["status"], state["visibility"])
    return found


def writes(emulator):
    """``{"METHOD route": count}`` of the write requests the emulator served."""
    return {route: n for route, n in emulator.counters()["by_route"].items() if not route.startswith("GET ")}


def _stored(value):
    """A grid file's value in the form the emulator stores it (dates as epoch ms)."""
    if isinstance(value, datetime.datetime):
        return value.timestamp() * 1000
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.UTC).timestamp() * 1000
    if isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return (moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)).timestamp() * 1000
    return value


def grid_differences(emulator, spec):
    """How the grid differs from a grid file of playbooks/grids (``spec``, loaded); [] when it matches."""
    rows = grid_rows(emulator, spec["grid"], spec["issue"])
    key = spec["key"]
    by_key = {tuple(row[k] for k in key): row for row in rows}
    problems = []
    if len(rows) != len(spec["rows"]):
        problems.append("%d rows, the file declares %d" % (len(rows), len(spec["rows"])))
    for wanted in spec["rows"]:
        row = by_key.get(tuple(wanted[k] for k in key))
        if row is None:
            problems.append("no row %s" % {k: wanted[k] for k in key})
            continue
        for column, value in wanted.items():
            held = row.get(column)
            if isinstance(held, dict):  # a list or radio option: the file names it by value or by name
                same = value in (held.get("value"), held.get("name"))
            else:
                same = held == _stored(value)
            if not same:
                problems.append("%s: %s is %r, the file says %r" % (wanted[key[0]], column, held, value))
    return problems
