# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every playbook of playbooks/, run the way its header comment says, against the emulator.

Each playbook's header holds the command a user types, ``python3 hacking/dev.py demo
[--playbook playbooks/<name>.yml] [-- ANSIBLE-PLAYBOOK OPTIONS]``. The test reads those commands and
runs the same playbook with the same options and the environment ``dev.py demo`` gives (JIRA_URL of
a freshly reset emulator, JIRA_USERNAME=admin, JIRA_PASSWORD=admin-pass), then checks what it did.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import time
from datetime import UTC, datetime

import openpyxl
import pytest
import yaml
from ansible.parsing.splitter import parse_kv

from .jira_state import forms, grid_differences, grid_rows, writes
from .runner import REPO, run_playbook

PLAYBOOKS = REPO / "playbooks"
GRID_FILES = sorted((PLAYBOOKS / "grids").glob("*.yml"))
DEMO_ENV = {"JIRA_USERNAME": "admin", "JIRA_PASSWORD": "admin-pass"}  # as cmd_demo in hacking/dev.py
COMMAND = "python3 hacking/dev.py demo"


def header_commands(playbook):
    """The ``python3 hacking/dev.py demo ...`` commands in the playbook's leading comment, split into words."""
    lines = []
    for line in playbook.read_text().splitlines():
        if line == "---":
            continue
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    text = "\n".join(lines).replace("\\\n", " ")
    return [shlex.split(line) for line in text.splitlines() if line.startswith(COMMAND)]


def ansible_options(playbook, words):
    """``(extra_vars, check, diff)`` from the words of a header command, which must run ``playbook``."""
    words = words[len(COMMAND.split()) :]
    ansible_args = words[words.index("--") + 1 :] if "--" in words else []
    demo_args = words[: words.index("--")] if "--" in words else words
    named = demo_args[demo_args.index("--playbook") + 1] if "--playbook" in demo_args else "playbooks/demo.yml"
    assert REPO / named == playbook, "the header of %s runs %s" % (playbook.name, named)
    extra_vars, check, diff = {}, False, False
    args = iter(ansible_args)
    for arg in args:
        if arg in ("-e", "--extra-vars"):
            value = next(args)
            # How ansible-playbook reads -e: YAML/JSON when it starts with { or [, else key=value pairs.
            extra_vars.update(yaml.safe_load(value) if value[:1] in "{[" else parse_kv(value))
        elif arg in ("-C", "--check"):
            check = True
        elif arg in ("-D", "--diff"):
            diff = True
        else:
            raise AssertionError("%s: option %s is not understood by this test; teach it" % (playbook.name, arg))
    return extra_vars, check, diff


CASES = [
    pytest.param(playbook, words, id="%s-%d" % (playbook.stem, n))
    for playbook in sorted(PLAYBOOKS.glob("*.yml"))
    for n, words in enumerate(header_commands(playbook), 1)
]


def test_every_playbook_says_how_to_run_it():
    assert sorted(PLAYBOOKS.glob("*.yml")) == sorted({case.values[0] for case in CASES})
    assert {p.name for p in PLAYBOOKS.glob("*.yml")} >= {
        "demo.yml",
        "grid_contents.yml",
        "forms_rollout.yml",
        "nightly_export.yml",
    }


@pytest.mark.parametrize("playbook, words", CASES)
def test_playbook(playbook, words, emulator, tmp_path):
    extra_vars, check, diff = ansible_options(playbook, words)
    if "export_dir" in extra_vars:  # the test's own directory, not the one the header shows
        extra_vars["export_dir"] = str(tmp_path / "exports")
    prepare = PREPARE.get(playbook.stem)
    if prepare:
        prepare(tmp_path)
    run = {"extra_vars": extra_vars, "check": check, "started": datetime.now(UTC)}
    proc = run_playbook(
        playbook,
        tmp_path,
        extra_vars=extra_vars,
        env=dict(DEMO_ENV, JIRA_URL=emulator.url),
        check=check,
        diff=diff,
    )
    assert proc.returncode == 0, "%s\n%s" % (proc.stdout[-8000:], proc.stderr[-4000:])
    assert re.search(r"localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0\s", proc.stdout)
    CHECKS[playbook.stem](emulator, proc.stdout, run)


def debug_message(stdout, msg):
    """Whether a debug task printed exactly ``msg``."""
    return ('"msg": %s' % json.dumps(msg)) in stdout


def grids_match_files(emulator):
    for path in GRID_FILES:
        assert grid_differences(emulator, yaml.safe_load(path.read_text())) == [], path.name


# ----------------------------------------------------------------------------- what each playbook did


def check_demo(emulator, stdout, run):
    assert debug_message(stdout, "First run: 4 rows added, 2 updated, 1 removed. Second run: no change.")
    assert "DEMO-2 holds 250 rows" in stdout
    assert debug_message(
        stdout, "Exported 6 asset rows to 2 files (DEMO-4, OPS-1); applied back with state exact: no change."
    )
    grids_match_files(emulator)


def check_grid_contents(emulator, stdout, run):
    assert debug_message(stdout, "DEMO-3-family-list.yml: 2 added, 0 updated, 0 removed")
    assert debug_message(stdout, "HR-1-sandwich-order.yml: 1 added, 2 updated, 0 removed")
    assert debug_message(stdout, "OPS-1-asset-inventory.yml: 1 added, 0 updated, 1 removed")
    if run["check"]:
        assert writes(emulator) == {}
        assert [row["sandwich"] for row in grid_rows(emulator, "Sandwich Order", "HR-1")] == ["Club", "Caprese"]
        assert re.search(r"^\+.*Falafel", stdout, re.MULTILINE), "--diff shows the row to add"
    else:
        grids_match_files(emulator)


def check_forms_rollout(emulator, stdout, run):
    # OPS issues in status Open: OPS-1 already holds an Asset request (template 1), OPS-3 holds no form.
    assert run["extra_vars"]["rollout_jql"] == "project = OPS AND status = Open"
    # The search is the module's own (jql): no hand-written REST call is left in the playbook.
    assert "ansible.builtin.uri" not in (REPO / "playbooks" / "forms_rollout.yml").read_text()
    assert debug_message(
        stdout, '2 issue(s) matched "project = OPS AND status = Open"; forms added on 1, already in place on 1.'
    )
    assert forms(emulator, "OPS-3") == {1: (1, "o", "i")}
    assert forms(emulator, "OPS-1") == {1: (2, "l", "e"), 2: (1, "s", "i")}
    assert forms(emulator, "OPS-2") == {1: (2, "o", "e")}
    assert writes(emulator) == {"POST /rest/proforma/1/issue/{issueKey}/form": 1}


def prepare_nightly_export(tmp_path):
    """An export older than export_keep_days, which the run removes, and a file it must leave alone."""
    exports = tmp_path / "exports"
    exports.mkdir()
    old = exports / "DEMO-form-1-2020-01-31.json"
    old.write_text("{}")
    long_ago = time.time() - 400 * 86400
    os.utime(old, (long_ago, long_ago))
    (exports / "README.txt").write_text("kept")


def check_nightly_export(emulator, stdout, run):
    exports = run["extra_vars"]["export_dir"]
    names = sorted(os.listdir(exports))
    # Files are dated in UTC, when the run started or, past midnight, a day later.
    dates = [d.strftime("%Y-%m-%d") for d in (run["started"], datetime.now(UTC))]
    date = next((d for d in dates if "DEMO-form-1-%s.json" % d in names), None)
    assert names == ["DEMO-form-1-%s.json" % date, "OPS-form-2-%s.xlsx" % date, "README.txt"]
    assert oct(os.stat(exports).st_mode & 0o777) == "0o750"

    document = json.loads(open(os.path.join(exports, names[0])).read())
    assert document["projectKey"] == "DEMO" and document["templateFormId"] == 1
    assert [(r["issueKey"], r["formId"], sorted(r["fields"])) for r in document["responses"]] == [
        ("DEMO-1", 1, ["status", "summary"]),
        ("DEMO-1", 2, ["status", "summary"]),
        ("DEMO-4", 1, ["status", "summary"]),
    ]
    sheet = openpyxl.load_workbook(os.path.join(exports, names[1]), read_only=True).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["issueKey", "OPS-1", "OPS-2"]  # jql: not Done
    for name in names[:2]:
        assert oct(os.stat(os.path.join(exports, name)).st_mode & 0o777) == "0o640"
    assert writes(emulator) == {"POST /rest/proforma/1/export": 2}


def check_grid_export_to_git(emulator, stdout, run):
    exports = run["extra_vars"]["export_dir"]
    assert writes(emulator) == {}
    if run["check"]:  # the files it would write are shown, none is
        assert debug_message(stdout, "Asset Inventory: 2 file(s) for 6 row(s), 2 changed.")
        assert re.search(r"^\+- \{asset: SRV-001, .*purchased: '2023-03-01T09:30:00Z', quantity: 2\}$", stdout, re.M)
        assert not os.path.exists(exports)
    else:
        assert debug_message(stdout, "Maintenance Log: 2 file(s) for 4 row(s), 2 changed.")
        assert sorted(os.listdir(exports)) == ["OPS-2-maintenance-log.yml", "OPS-3-maintenance-log.yml"]
        log = yaml.safe_load(open(os.path.join(exports, "OPS-2-maintenance-log.yml")).read())
        assert [row["due"] for row in log["rows"]] == ["2024-04-02", "2024-03-29"]


PREPARE = {"nightly_export": prepare_nightly_export}
CHECKS = {
    "demo": check_demo,
    "grid_contents": check_grid_contents,
    "forms_rollout": check_forms_rollout,
    "nightly_export": check_nightly_export,
    "grid_export_to_git": check_grid_export_to_git,
}


def test_nightly_export_in_check_mode_before_the_first_night(emulator, tmp_path):
    """--check with no export_dir yet: the run succeeds, creates nothing and starts no export."""
    export_dir = tmp_path / "not-yet"
    proc = run_playbook(
        REPO / "playbooks" / "nightly_export.yml",
        tmp_path,
        extra_vars={"export_dir": str(export_dir)},
        env=dict(DEMO_ENV, JIRA_URL=emulator.url),
        check=True,
    )
    assert proc.returncode == 0, "%s\n%s" % (proc.stdout[-8000:], proc.stderr[-4000:])
    assert re.search(r"localhost\s+: ok=\d+\s+changed=1\s+unreachable=0\s+failed=0\s+skipped=4\s", proc.stdout)
    assert not export_dir.exists()
    assert writes(emulator) == {}


def test_forms_rollout_with_a_token_only(emulator, tmp_path):
    """The rollout's search and its modules work with JIRA_TOKEN alone, and the token is never shown."""
    proc = run_playbook(
        REPO / "playbooks" / "forms_rollout.yml",
        tmp_path,
        extra_vars={"rollout_jql": "project = OPS AND status = Open"},
        env={"JIRA_URL": emulator.url, "JIRA_TOKEN": "admin-token"},
        verbosity=3,
    )
    assert proc.returncode == 0, "%s\n%s" % (proc.stdout[-8000:], proc.stderr[-4000:])
    assert debug_message(
        proc.stdout, '2 issue(s) matched "project = OPS AND status = Open"; forms added on 1, already in place on 1.'
    )
    assert "admin-token" not in proc.stdout + proc.stderr
    assert writes(emulator) == {"POST /rest/proforma/1/issue/{issueKey}/form": 1}
