# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ansible-playbook against the emulator, the way a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGETS = Path(__file__).resolve().parent / "targets"


def collections_root(tmp_dir):
    """A directory holding ``ansible_collections/jira/addons`` for this checkout.

    In CI the checkout already sits in a real ``ansible_collections/jira/addons``
    tree; elsewhere a symlink tree is made (ansible-playbook accepts symlinks).
    """
    if REPO.parent.name == "jira" and REPO.parent.parent.name == "ansible_collections":
        return REPO.parents[2]
    root = Path(tmp_dir) / "collections"
    link = root / "ansible_collections" / "jira" / "addons"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO)
    return root


def run_playbook(playbook, tmp_dir, extra_vars=None, env=None, verbosity=0, check=False, diff=False):
    """Run ``playbook`` on localhost; return the CompletedProcess (text output)."""
    tmp_dir = Path(tmp_dir)
    full_env = dict(os.environ)
    full_env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections_root(tmp_dir)),
        ANSIBLE_ROLES_PATH=str(TARGETS),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_REMOTE_TMP=str(tmp_dir / "remote_tmp"),
        ANSIBLE_LOCAL_TEMP=str(tmp_dir / "local_tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        # ansible-core 2.21 leaves the module arguments (``invocation``) out of task results unless asked;
        # the tests read them at -vvv and -vvvv, as earlier versions print them, to check what is masked.
        ANSIBLE_INJECT_INVOCATION="1",
    )
    # A user's JIRA_* variables must not leak into the tests.
    for name in list(full_env):
        if name.startswith("JIRA_"):
            del full_env[name]
    full_env.update(env or {})
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if verbosity:
        command.append("-" + "v" * verbosity)
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    return subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=600, check=False)


def target_playbook(target, tmp_dir):
    """A playbook that runs one target role with the connection set once for the group."""
    path = Path(tmp_dir) / ("%s.yml" % target)
    path.write_text(
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  module_defaults:\n"
        "    group/jira.addons.jira:\n"
        "      url: '{{ jira_url }}'\n"
        "      username: '{{ jira_admin.username }}'\n"
        "      password: '{{ jira_admin.password }}'\n"
        "  roles:\n"
        "    - %s\n" % target
    )
    return path


TASK_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: The task under test
      %s: "{{ task_args }}"
      register: out
      ignore_errors: true
    - name: Print its result for the test to read
      ansible.builtin.debug:
        msg: "RESULT={{ out | to_json }}"
"""


def run_task(module, args, tmp_dir, **kwargs):
    """Run one task of ``module`` (e.g. ``jira.addons.tge_grid_rows``) with ``args``; return (its result, the process).

    The task may fail (``ignore_errors``); its result is read from what the playbook printed.
    """
    path = Path(tmp_dir) / "task.yml"
    path.write_text(TASK_PLAY % module)
    extra_vars = dict(kwargs.pop("extra_vars", None) or {}, task_args=args)
    proc = run_playbook(path, tmp_dir, extra_vars=extra_vars, **kwargs)
    lines = [line for line in proc.stdout.splitlines() if '"msg": "RESULT=' in line]
    assert proc.returncode == 0 and lines, "%s\n%s" % (proc.stdout[-6000:], proc.stderr[-3000:])
    return json.loads(json.loads("{%s}" % lines[-1].strip().rstrip(","))["msg"][len("RESULT=") :]), proc
