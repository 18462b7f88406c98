# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's EXAMPLES, run as one play with real ansible-playbook against the emulator.

The examples are the text ``ansible-doc`` shows, unchanged. As a user would, the test sets the
connection through the environment (JIRA_URL, JIRA_USERNAME, JIRA_PASSWORD) and gives the
variables the examples name (``jira_url``, ``jira_token``, ``audit_dir``) as extra vars.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import textwrap
from datetime import UTC, datetime

import openpyxl
import pytest
import yaml

from .jira_state import ADMIN, forms, grid_differences, grid_rows, jira_get, writes
from .runner import REPO, run_playbook

MODULES_DIR = REPO / "plugins" / "modules"
MODULES = sorted(p.stem for p in MODULES_DIR.glob("*.py") if not p.name.startswith("_"))
CONNECTION_OPTIONS = {"url", "username", "password", "token"}
ENV = {
    "JIRA_USERNAME": ADMIN[0],
    "JIRA_PASSWORD": ADMIN[1],
    # proforma_export's example commits to git
    "GIT_AUTHOR_NAME": "Nightly export",
    "GIT_AUTHOR_EMAIL": "exports@example.com",
    "GIT_COMMITTER_NAME": "Nightly export",
    "GIT_COMMITTER_EMAIL": "exports@example.com",
}


def examples_text(module):
    """The EXAMPLES string of ``plugins/modules/<module>.py``, read without importing it."""
    tree = ast.parse((MODULES_DIR / ("%s.py" % module)).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "EXAMPLES":
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % module)


def module_tasks(tasks):
    """Every task of ``tasks`` (blocks included) that calls a jira.addons module, as (name, args)."""
    for task in tasks:
        for inner in ("block", "rescue", "always"):
            yield from module_tasks(task.get(inner, []))
        for action, args in task.items():
            if action.startswith("jira.addons."):
                yield task.get("name"), args


def example_play(module, tmp_path):
    """A playbook of one play whose tasks are the module's EXAMPLES, verbatim."""
    play = "- name: EXAMPLES of jira.addons.%s\n  hosts: localhost\n  gather_facts: false\n  tasks:\n" % module
    path = tmp_path / ("examples_%s.yml" % module)
    path.write_text(play + textwrap.indent(examples_text(module), "    "))
    return path


def task_statuses(stdout):
    """Map each task name of the default callback's output to the statuses it printed (ok, changed, ...)."""
    statuses, current = {}, None
    for line in stdout.splitlines():
        header = re.match(r"TASK \[(.*)\] \*+$", line)
        if header:
            current = statuses.setdefault(header.group(1), [])
            continue
        status = re.match(r"(ok|changed|skipping|failed|fatal): \[localhost\]", line)
        if status and current is not None:
            current.append(status.group(1))
    return statuses


def changed_tasks(stdout):
    return {name for name, seen in task_statuses(stdout).items() if "changed" in seen}


def debug_message(stdout, msg):
    """Whether a debug task printed exactly ``msg``."""
    return ('"msg": %s' % json.dumps(msg)) in stdout


def run_examples(module, emulator, tmp_path):
    audit_dir = tmp_path / "audit"
    audit_dir.mkdir()
    subprocess.run(["git", "init", "--quiet", str(audit_dir)], check=True)
    # The grid files of playbooks/grids, beside the play as a user keeps them (tge_grid_rows reads them).
    (tmp_path / "grids").mkdir()
    for path in sorted((REPO / "playbooks" / "grids").glob("*.yml")):
        (tmp_path / "grids" / path.name).write_text(path.read_text())
    proc = run_playbook(
        example_play(module, tmp_path),
        tmp_path,
        extra_vars={"jira_url": emulator.url, "jira_token": "admin-token", "audit_dir": str(audit_dir)},
        env=dict(ENV, JIRA_URL=emulator.url),
    )
    assert proc.returncode == 0, "%s\n%s" % (proc.stdout[-8000:], proc.stderr[-4000:])
    assert re.search(r"localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0\s", proc.stdout)
    return proc.stdout


# ----------------------------------------------------------------------------- the convention


@pytest.mark.parametrize("module", MODULES)
def test_examples_follow_the_connection_convention(module):
    """A list of named tasks; only the first module task sets the connection, with url and token variables."""
    text = examples_text(module)
    assert text.lstrip().startswith("# Connection:"), "EXAMPLES start with the comment on the connection"
    tasks = yaml.safe_load(text)
    assert isinstance(tasks, list) and tasks and all(isinstance(t, dict) and t.get("name") for t in tasks)
    calls = list(module_tasks(tasks))
    assert calls, "no example calls a jira.addons module"
    assert all(name for name, _args in calls)
    first, rest = calls[0][1], calls[1:]
    assert first.get("url") == "{{ jira_url }}" and first.get("token") == "{{ jira_token }}"
    assert not {"username", "password"} & set(first)
    for name, args in rest:
        assert not CONNECTION_OPTIONS & set(args), "%r sets connection options" % name


# ----------------------------------------------------------------------------- one test per module


def test_every_module_has_an_examples_test():
    tested = [name[len("test_") : -len("_examples")] for name in globals() if re.fullmatch(r"test_\w+_examples", name)]
    assert sorted(tested) == MODULES


def test_tge_grid_info_examples(emulator, tmp_path):
    out = run_examples("tge_grid_info", emulator, tmp_path)
    assert changed_tasks(out) == set()
    assert debug_message(out, "OPS-1 holds 3 assets: SRV-001, SRV-002, SW-01")
    assert debug_message(
        out, "250 names on issue 10002; the grid has rows on 2 issues and keeps them in table family_c10301"
    )
    assert writes(emulator) == {}


def test_tge_grid_rows_examples(emulator, tmp_path):
    out = run_examples("tge_grid_rows", emulator, tmp_path)
    tasks = yaml.safe_load(examples_text("tge_grid_rows"))
    assert changed_tasks(out) == {name for name, _args in module_tasks(tasks)}
    # The grid files come last, in one task: DEMO-3 already holds what its file says (written as M/Female
    # before, Male/F in the file), the other two differ.
    assert task_statuses(out)[tasks[-2]["name"]] == ["changed"]
    assert debug_message(out, "Family List on DEMO-3: 0 added, 0 removed")
    assert debug_message(out, "Sandwich Order on HR-1: 1 added, 0 removed")
    assert debug_message(out, "added ['Falafel'], updated 1, removed ['Caprese']")
    assert debug_message(out, "DEMO-4 lists 4 assets (1 new)")

    for path in sorted((REPO / "playbooks" / "grids").glob("*.yml")):
        assert grid_differences(emulator, yaml.safe_load(path.read_text())) == [], path.name
    assert {r["sandwich"]: r["count"] for r in grid_rows(emulator, 10303, "HR-1")} == {
        "Club": 3,
        "Caprese": 2,
        "Falafel": 1,
    }
    demo4 = {row["asset"]: row for row in grid_rows(emulator, 10302, "DEMO-4")}
    berlin_morning = datetime(2024, 5, 2, 7, 30, tzinfo=UTC)  # 09:30 in Berlin (CEST)
    assert demo4["LAP-002"]["purchased"] == berlin_morning.timestamp() * 1000
    assert demo4["LAP-002"]["owner"] == "carol"
    assert demo4["MON-7"]["quantity"] == 2


def test_tge_grid_sync_examples(emulator, tmp_path):
    out = run_examples("tge_grid_sync", emulator, tmp_path)
    tasks = yaml.safe_load(examples_text("tge_grid_sync"))
    assert changed_tasks(out) == {name for name, _args in module_tasks(tasks)}
    assert re.search(r'"msg": "DEMO-4: removed rows \[\d+\]"', out)
    assert "OPS-1: removed" not in out
    assert debug_message(out, "Not modified since the import: ['SRV-001', 'SW-01']")
    # One write per action that runs for real: no clear on issues without duplicates, none in check mode.
    grid = "/rest/idalko-igrid/1.0/grid"
    assert writes(emulator) == {
        "PUT %s/synchronize" % grid: 1,
        "POST %s/issue/{issueId}/reload" % grid: 1,
        "PUT %s/{gridId}/issue/{issueId}/clearDuplicates" % grid: 1,
    }
    assert sorted(row["asset"] for row in grid_rows(emulator, 10302, "DEMO-4")) == ["LAP-001", "LAP-002"]
    assert len(grid_rows(emulator, 10302, "OPS-1")) == 3


def test_proforma_form_examples(emulator, tmp_path):
    out = run_examples("proforma_form", emulator, tmp_path)
    tasks = yaml.safe_load(examples_text("proforma_form"))
    assert changed_tasks(out) == {name for name, _args in module_tasks(tasks)}
    assert debug_message(out, "[1, 2] (2 added)")
    assert debug_message(out, "locked -> open")
    assert debug_message(out, "OPS-2 moved on in its workflow")

    assert forms(emulator, "OPS-3") == {1: (2, "o", "e")}
    assert forms(emulator, "DEMO-5") == {1: (1, "s", "i"), 2: (1, "s", "i")}
    assert forms(emulator, "OPS-1")[1] == (2, "o", "e")
    assert forms(emulator, "OPS-2") == {1: (2, "l", "e")}
    assert jira_get(emulator, "/rest/api/2/issue/OPS-2?fields=status")["fields"]["status"]["name"] == "Approved"


def test_proforma_form_info_examples(emulator, tmp_path):
    out = run_examples("proforma_form_info", emulator, tmp_path)
    assert changed_tasks(out) == set()
    assert debug_message(out, "Submitted: LAP-001")
    assert debug_message(out, "OPS-1 form 2 (Asset request): {'Asset tag': 'SRV-003', 'Quantity': 4}")
    assert task_statuses(out)["Wait until the change approval form is locked"] == ["ok"]
    assert "RETRYING" not in out
    assert writes(emulator) == {}


def test_proforma_export_examples(emulator, tmp_path):
    emulator.settings(export_seconds=0)  # exports complete at once (the reset puts the default back)
    out = run_examples("proforma_export", emulator, tmp_path)
    tasks = yaml.safe_load(examples_text("proforma_export"))
    read_only = "Read the responses without writing a file"
    assert changed_tasks(out) == {name for name, _args in module_tasks(tasks) if name != read_only} | {
        "Commit the file only when a response changed"
    }
    assert debug_message(out, "Asset tags requested: LAP-001, LAP-002, MON-7")
    assert writes(emulator) == {"POST /rest/proforma/1/export": 3}

    audit = tmp_path / "audit"
    document = json.loads((audit / "ops-change-approvals.json").read_text())
    assert [(r["issueKey"], r["fields"]["status"]) for r in document["responses"]] == [
        ("OPS-1", "Open"),
        ("OPS-2", "Waiting for approval"),
    ]
    assert (audit / "ops-change-approvals.json").stat().st_mode & 0o777 == 0o640
    log = subprocess.run(
        ["git", "-C", str(audit), "log", "--format=%s", "--name-only"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert log[:3] == ["ProForma", "export", log[2]] and log[2].startswith("responses-json-OPS-2-")
    assert log[3:] == ["ops-change-approvals.json"]

    (sheet,) = audit.glob("ops-change-approvals-*.xlsx")
    assert re.fullmatch(r"ops-change-approvals-\d{4}-\d\d-\d\d\.xlsx", sheet.name)
    rows = list(openpyxl.load_workbook(sheet, read_only=True).active.iter_rows(values_only=True))
    assert [row[0] for row in rows] == ["issueKey", "OPS-1", "OPS-2"]
