# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets at every verbosity, and the client under faults the emulator injects."""

from __future__ import annotations

import json

from .runner import run_playbook

PASSWORD = "admin-pass"
TOKEN = "admin-token"

READ_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Read with a password given as an option
      jira.addons.tge_grid_info:
        url: "{{ jira_url }}"
        username: admin
        password: "%s"
        grid: 10301
        issue: DEMO-1
      register: by_password

    - name: Read with a token from the environment, and fail on a missing issue
      jira.addons.tge_grid_info:
        url: "{{ jira_url }}"
        grid: 10301
        issue: DEMO-404
      register: by_token
      ignore_errors: true

    - name: Credentials written into url are refused, and masked in what the module prints
      jira.addons.tge_grid_info:
        url: "{{ jira_url | replace('://', '://admin:%s@') }}"
        grid: 10301
        issue: DEMO-1
      register: in_url
      ignore_errors: true

    - name: Show what came back
      ansible.builtin.debug:
        var: by_token

    - name: All ran
      ansible.builtin.assert:
        that:
          - by_password.row_count > 0
          - by_token is failed
          - by_token.msg is search('HTTP 404')
          - in_url is failed
          - in_url.msg is search('url must not hold credentials')
""" % (PASSWORD, PASSWORD)


def write(tmp_path, text):
    path = tmp_path / "play.yml"
    path.write_text(text)
    return path


def test_no_secret_in_output_at_vvvv(emulator, tmp_path):
    proc = run_playbook(
        write(tmp_path, READ_PLAYBOOK),
        tmp_path,
        extra_vars={"jira_url": emulator.url},
        env={"JIRA_TOKEN": TOKEN},
        verbosity=4,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert "ansible.legacy" in output or "jira.addons" in output  # -vvvv really printed module invocations
    assert PASSWORD not in output
    assert TOKEN not in output


def fault_playbook(tmp_path, emulator):
    return write(
        tmp_path,
        """
- hosts: localhost
  gather_facts: false
  tasks:
    - jira.addons.tge_grid_info:
        url: "%s"
        username: admin
        password: "%s"
        grid: 10301
        issue: DEMO-1
      register: out
    - ansible.builtin.debug:
        msg: "ROWS={{ out.row_count }}"
"""
        % (emulator.url, PASSWORD),
    )


def grid_reads(emulator):
    return [r for r in emulator.requests() if r["path"].endswith("/grid/10301/issue/10001")]


def test_retries_injected_503_with_retry_after_then_succeeds(emulator, tmp_path):
    assert emulator.requests() == [], "the log is empty after the per-test reset"
    emulator.set_faults(
        [
            {
                "method": "GET",
                "path": "/grid/10301/issue/",
                "count": 2,
                "action": "status",
                "status": 503,
                "retry_after": "1",
            }
        ]
    )
    proc = run_playbook(fault_playbook(tmp_path, emulator), tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    reads = grid_reads(emulator)
    assert [r["status"] for r in reads] == [503, 503, 200]
    assert "ROWS=" in proc.stdout


def test_retries_a_dropped_connection_on_a_read(emulator, tmp_path):
    emulator.set_faults([{"method": "GET", "path": "/grid/10301/issue/", "count": 1, "action": "drop"}])
    proc = run_playbook(fault_playbook(tmp_path, emulator), tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    reads = grid_reads(emulator)
    assert len(reads) == 2
    assert reads[0]["fault"] and reads[1]["status"] == 200


def test_gives_up_with_a_clear_message_when_faults_persist(emulator, tmp_path):
    emulator.set_faults(
        [{"method": "GET", "path": "/grid/10301/issue/", "rate": 1.0, "action": "status", "status": 502}]
    )
    playbook = fault_playbook(tmp_path, emulator)
    text = playbook.read_text().replace("issue: DEMO-1", "issue: DEMO-1\n        retries: 1")
    playbook.write_text(text)
    proc = run_playbook(playbook, tmp_path)
    assert proc.returncode != 0
    assert "GET /rest/idalko-igrid/1.0/grid/10301/issue/10001 failed with HTTP 502" in proc.stdout
    assert len(grid_reads(emulator)) == 2
    assert json.dumps(proc.stdout).count(PASSWORD) == 0
