# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Adopting what Jira holds: playbooks/grid_export_to_git.yml writes grid files that apply back with no change.

Real ansible-playbook runs against the emulator: export every grid of the default fixture, apply the
files with grid_contents.yml (state: exact), count the writes; then change one row in Jira and export again.
"""

from __future__ import annotations

import re
import subprocess

import requests
import yaml

from .jira_state import ADMIN, writes
from .runner import REPO, run_playbook

EXPORT = REPO / "playbooks" / "grid_export_to_git.yml"
APPLY = REPO / "playbooks" / "grid_contents.yml"
ENV = {"JIRA_USERNAME": ADMIN[0], "JIRA_PASSWORD": ADMIN[1]}
TIMEZONE = "Europe/Berlin"  # not UTC: datetimes get +01:00/+02:00, the fixture's UTC-midnight dates stay numbers
# Every grid of the default fixture: its key, and the date and datetime columns TGE cannot tell from numbers.
GRIDS = {
    "Family List": (["name"], {"dob": "date"}),
    "Asset Inventory": (["asset"], {"purchased": "datetime"}),
    "Sandwich Order": (["sandwich"], {}),
    "Maintenance Log": (["task"], {"due": "date", "started": "datetime"}),
}
RECAP = re.compile(r"localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0\s")


def run(emulator, tmp_path, playbook, extra_vars, check=False, diff=False):
    proc = run_playbook(
        playbook, tmp_path, extra_vars=extra_vars, env=dict(ENV, JIRA_URL=emulator.url), check=check, diff=diff
    )
    assert proc.returncode == 0, "%s\n%s" % (proc.stdout[-8000:], proc.stderr[-4000:])
    return proc.stdout + proc.stderr, int(RECAP.search(proc.stdout).group(1))


def export(emulator, tmp_path, grid, export_dir, check=False, diff=False):
    key, column_types = GRIDS[grid]
    extra_vars = {
        "export_grid": grid,
        "export_key": key,
        "export_column_types": column_types,
        "export_timezone": TIMEZONE,
        "export_dir": str(export_dir),
    }
    return run(emulator, tmp_path, EXPORT, extra_vars, check=check, diff=diff)


def summary(output, grid):
    """The export's closing message: files, rows and how many changed."""
    found = re.search(r'"msg": "%s: (\d+) file\(s\) for (\d+) row\(s\), (\d+) changed' % grid, output)
    assert found, output[-4000:]
    return tuple(int(n) for n in found.groups())


def load(path):
    return yaml.safe_load(path.read_text())


def test_every_grid_of_the_fixture_exported_then_applied_exactly_changes_nothing(emulator, tmp_path):
    grids = tmp_path / "grids"
    exported = {grid: summary(export(emulator, tmp_path, grid, grids)[0], grid) for grid in GRIDS}
    files = sorted(grids.glob("*.yml"))
    assert [f.name for f in files] == [
        "DEMO-1-family-list.yml",
        "DEMO-2-family-list.yml",
        "DEMO-4-asset-inventory.yml",
        "HR-1-sandwich-order.yml",
        "OPS-1-asset-inventory.yml",
        "OPS-2-maintenance-log.yml",
        "OPS-3-maintenance-log.yml",
    ]
    rows = sum(len(load(f)["rows"]) for f in files)
    assert rows == sum(n for _files, n, _changed in exported.values()) == 3 + 250 + 3 + 3 + 2 + 2 + 2

    emulator.clear_requests()
    output, changed = run(emulator, tmp_path, APPLY, {"grid_dir": str(grids)})
    assert changed == 0
    for f in files:
        assert '"msg": "%s: 0 added, 0 updated, 0 removed"' % f.name in output
    assert writes(emulator) == {}
    print("round trip: %d grids, %d files, %d rows, %d writes" % (len(GRIDS), len(files), rows, len(writes(emulator))))

    # What the files hold: every column type, empty cells left out, options by value, Berlin time.
    log = load(grids / "OPS-2-maintenance-log.yml")
    assert log["key"] == ["task"] and log["timezone"] == TIMEZONE
    assert log["columns"] == {
        "task": "string",
        "due": "date",
        "engineer": "string",
        "hours": "number",
        "priority": "list",
        "site": "list",
        "started": "datetime",
        "urgent": "checkbox",
        "visits": "number",
    }
    assert log["rows"] == [
        {
            "task": "Check cooling",
            "due": "2024-04-02",
            "engineer": "bob",
            "hours": 2,
            "priority": "L",
            "site": "HAM",
            "started": "2024-04-02T14:00:30.250+02:00",
            "urgent": False,
        },
        {
            "task": "Replace UPS battery",
            "due": "2024-03-29",
            "engineer": "alice",
            "hours": 1.5,
            "priority": "H",
            "site": "BER",
            "started": "2024-03-28T08:15:00+01:00",
            "urgent": True,
            "visits": 2,
        },
    ]
    # One row per line, so that a changed row is a one-line diff.
    text = (grids / "OPS-2-maintenance-log.yml").read_text()
    assert "- {task: Check cooling, due: '2024-04-02', engineer: bob, hours: 2," in text

    # Duplicates and a row without its key: no key, every row kept, and the file says why.
    assets = (grids / "DEMO-4-asset-inventory.yml").read_text()
    assert "key" not in load(grids / "DEMO-4-asset-inventory.yml")
    assert [r["asset"] for r in load(grids / "DEMO-4-asset-inventory.yml")["rows"]] == ["LAP-001", "LAP-001", "LAP-002"]
    assert re.search(
        r"^# WARNING: rows with ids \d+, \d+ share the key asset=LAP-001: so this file has no key", assets, re.M
    )
    assert re.search(
        r"^# WARNING: row id \d+ has no value for key column\(s\) task",
        (grids / "OPS-3-maintenance-log.yml").read_text(),
        re.M,
    )
    # The fixture keeps dates at midnight UTC: in Berlin they are no whole days, so they stay numbers, and say so.
    family = grids / "DEMO-1-family-list.yml"
    assert all(isinstance(r["dob"], int) for r in load(family)["rows"])
    assert "# WARNING: column dob: 3 value(s) are not at midnight in timezone Europe/Berlin" in family.read_text()
    assert load(grids / "OPS-1-asset-inventory.yml")["rows"][0]["purchased"] == "2023-03-01T10:30:00+01:00"

    # Exported again: nothing changed, so no file is written.
    before = dict((f.name, f.stat().st_mtime_ns) for f in files)
    for grid in GRIDS:
        output, changed = export(emulator, tmp_path, grid, grids)
        assert changed == 0 and summary(output, grid)[2] == 0
    assert dict((f.name, f.stat().st_mtime_ns) for f in sorted(grids.glob("*.yml"))) == before


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def test_a_row_changed_in_jira_is_one_changed_line_of_one_file(emulator, tmp_path):
    repo = tmp_path / "repo"
    grids = repo / "grids"
    grids.mkdir(parents=True)
    git(repo, "init", "--quiet")
    for grid in ("Asset Inventory", "Maintenance Log"):
        export(emulator, tmp_path, grid, grids)
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "export")

    # Someone changes SRV-002 on OPS-1 in Jira.
    base = emulator.url + "/rest/idalko-igrid/1.0/grid/10302/issue/10101"
    (srv_002,) = [r for r in requests.get(base, auth=ADMIN, timeout=30).json()["values"] if r["asset"] == "SRV-002"]
    edit = requests.put(
        base, json={"rows": [{"rowId": srv_002["id"], "values": {"quantity": 5}}]}, auth=ADMIN, timeout=30
    )
    assert edit.status_code == 200, edit.text

    # --check --diff shows the one file that would change, and writes nothing.
    output, changed = export(emulator, tmp_path, "Asset Inventory", grids, check=True, diff=True)
    assert changed == 1 and summary(output, "Asset Inventory") == (2, 6, 1)
    assert re.search(r"^-- \{asset: SRV-002, .*quantity: 1\}$", output, re.M)
    assert re.search(r"^\+- \{asset: SRV-002, .*quantity: 5\}$", output, re.M)
    assert "changed: [localhost] => (item=OPS-1-asset-inventory.yml)" in output
    assert "changed: [localhost] => (item=DEMO-4-asset-inventory.yml)" not in output
    assert git(repo, "status", "--porcelain") == ""

    for grid in ("Asset Inventory", "Maintenance Log"):
        export(emulator, tmp_path, grid, grids)
    assert git(repo, "diff", "--numstat") == "1\t1\tgrids/OPS-1-asset-inventory.yml\n"
    assert "+- {asset: SRV-002, in_service: false, location: S, owner: bob, price: 2500," in git(repo, "diff")


def test_an_export_of_a_search_writes_the_files_of_its_issues_only(emulator, tmp_path):
    grids = tmp_path / "grids"
    output, _changed = run(
        emulator,
        tmp_path,
        EXPORT,
        {"export_grid": "10302", "export_key": "asset", "export_jql": "project = OPS", "export_dir": str(grids)},
    )
    assert [f.name for f in grids.glob("*.yml")] == ["OPS-1-10302.yml"]
    assert summary(output, "10302") == (1, 3, 1)
    assert load(grids / "OPS-1-10302.yml")["grid"] == "10302"


def test_files_of_issues_jira_holds_no_rows_for_any_more_are_named(emulator, tmp_path):
    grids = tmp_path / "grids"
    export(emulator, tmp_path, "Sandwich Order", grids)
    (grids / "HR-2-sandwich-order.yml").write_text((grids / "HR-1-sandwich-order.yml").read_text())
    output, _changed = export(emulator, tmp_path, "Sandwich Order", grids)
    assert (
        "Sandwich Order: 1 file(s) for 2 row(s), 0 changed. No rows on the issues of HR-2-sandwich-order.yml any"
        " more: delete those files, or an exact apply puts their rows back." in output
    )
