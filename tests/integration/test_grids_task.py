# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tge_grid_rows with ``grids``: many grids in one task, through real ansible-playbook."""

from __future__ import annotations

from .jira_state import grid_rows, writes
from .runner import run_task

GRIDS = [
    {"grid": "Family List", "issue": "DEMO-3", "key": ["name"], "rows": [{"name": "shiloh", "dob": "2006-05-27"}]},
    {
        "grid": 10302,
        "issue": "OPS-1",
        "key": ["asset"],
        "state": "present",
        "rows": [{"asset": "SRV-001", "quantity": 5}],
    },
    {"grid": 10301, "issue": "DEMO-404", "rows": [{"name": "nobody"}]},
    {"grid": 10301, "issue": "DEMO-2", "rows": [{"name": "x", "colour": "blue"}]},
]


def run(emulator, tmp_path, grids, **kwargs):
    args = {"url": emulator.url, "username": "admin", "password": "admin-pass", "state": "exact", "grids": grids}
    return run_task("jira.addons.tge_grid_rows", args, tmp_path, **kwargs)


def test_a_failing_grid_among_good_ones_fails_the_task_at_the_end_naming_it(emulator, tmp_path):
    result, _proc = run(emulator, tmp_path, GRIDS)
    assert result["failed"] is True and result["changed"] is True
    assert [g["failed"] for g in result["grids"]] == [False, False, True, True]
    assert "2 of 4 grid(s) failed" in result["msg"]
    assert "grids[2] (grid 10301 on issue DEMO-404)" in result["msg"]
    assert "grids[3] (grid 10301 on issue DEMO-2)" in result["msg"] and "colour" in result["msg"]
    assert "applied: grids[0] 1 added; grids[1] 1 updated" in result["msg"]
    # The good grids were applied, with the top-level state as default and the entry's own state winning.
    assert [r["name"] for r in grid_rows(emulator, 10301, "DEMO-3")] == ["shiloh"]
    ops1 = {r["asset"]: r["quantity"] for r in grid_rows(emulator, 10302, "OPS-1")}
    assert ops1["SRV-001"] == 5 and len(ops1) == 3, "present left OPS-1's other rows alone"


def test_check_mode_and_diff_give_one_diff_per_grid_and_write_nothing(emulator, tmp_path):
    good = GRIDS[:2]
    result, proc = run(emulator, tmp_path, good, check=True, diff=True)
    assert result["changed"] is True and not result.get("failed")
    assert not writes(emulator)
    assert "grid Family List on issue DEMO-3" in proc.stdout and "grid 10302 on issue OPS-1" in proc.stdout
    again, _proc = run(emulator, tmp_path, good)
    assert [g["changed"] for g in again["grids"]] == [True, True]
    third, _proc = run(emulator, tmp_path, good)
    assert third["changed"] is False and [g["changed"] for g in third["grids"]] == [False, False]
