# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each directory under targets/ is a role of tasks that assert; each runs in a real ansible-playbook."""

from __future__ import annotations

import pytest

from .runner import TARGETS, run_playbook, target_playbook

NAMES = sorted(p.name for p in TARGETS.iterdir() if (p / "tasks" / "main.yml").is_file())


def target_vars(emulator):
    return {
        "jira_url": emulator.url,
        "emulator_control": emulator.url + "/_emulator",
        "jira_admin": {"username": "admin", "password": "admin-pass"},
        "jira_alice": {"username": "alice", "password": "alice-pass"},
        "jira_bob": {"username": "bob", "password": "bob-pass"},
        "jira_carol": {"username": "carol", "password": "carol-pass"},
    }


@pytest.mark.parametrize("target", NAMES)
def test_target(target, emulator, tmp_path):
    proc = run_playbook(target_playbook(target, tmp_path), tmp_path, extra_vars=target_vars(emulator))
    assert proc.returncode == 0, "%s\n%s" % (proc.stdout[-8000:], proc.stderr[-4000:])
    assert "failed=0" in proc.stdout
