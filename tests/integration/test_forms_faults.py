# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proforma_form under writes that land late or whose answer is lost: never a second copy, never a false result.

The small-scale version of the fault run of ``hacking/bench_forms.py``: named cases through
ansible-playbook (an add answered after the client gave up, a first-use add and submit whose
answers are lost), then a few random declarations under the benchmark's faults.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import requests

from .runner import REPO, run_playbook

TIMEOUT = 0.5  # the module gives up on an answer after this; settle_timeout is 3 x that

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/jira.addons.jira:
      url: "{{ jira_url }}"
      username: admin
      password: admin-pass
      timeout: %(timeout)s
  tasks:
    - name: The next add on DEMO-5 lands 2 x timeout after it was sent, when the client has given up
      ansible.builtin.uri:
        url: "{{ jira_url }}/_emulator/faults"
        method: PUT
        body_format: json
        body: {rules: [{method: POST, path: "/issue/DEMO-5/form$", count: 1, action: latency, latency: %(late)s}]}

    - name: Two asset requests on DEMO-5
      jira.addons.proforma_form:
        issue: DEMO-5
        template_id: 1
        count: 2
      register: late_add

    - name: The next add on OPS-3 lands and its connection drops; its submit lands 1.5 x timeout late
      ansible.builtin.uri:
        url: "{{ jira_url }}/_emulator/faults"
        method: PUT
        body_format: json
        body:
          rules:
            - {method: POST, path: "/issue/OPS-3/form$", count: 1, action: drop, after_apply: true}
            - {method: POST, path: "/issue/OPS-3/form/[0-9]+/submit$", count: 1, action: latency, latency: %(slow)s}

    - name: A locked change approval on OPS-3, a template no form on the issue shows yet
      jira.addons.proforma_form:
        issue: OPS-3
        template_id: 2
        status: locked
      register: lost_first_use

    - name: No faults
      ansible.builtin.uri:
        url: "{{ jira_url }}/_emulator/faults"
        method: DELETE

    - name: Both again
      jira.addons.proforma_form:
        issue: "{{ item.issue }}"
        template_id: "{{ item.template_id }}"
        count: "{{ item.count }}"
        status: "{{ item.status | default(omit) }}"
      loop:
        - {issue: DEMO-5, template_id: 1, count: 2}
        - {issue: OPS-3, template_id: 2, count: 1, status: locked}
      register: again

    - name: Keep the results for the test
      ansible.builtin.copy:
        content: "{{ {'late_add': late_add, 'lost_first_use': lost_first_use, 'again': again.results} | to_json }}"
        dest: "{{ results_file }}"
        mode: "0600"
""" % {"timeout": TIMEOUT, "late": 2 * TIMEOUT, "slow": 1.5 * TIMEOUT}


def index(emulator, key):
    url = "%s/rest/api/2/issue/%s/properties/proforma.forms" % (emulator.url, key)
    return requests.get(url, auth=("admin", "admin-pass"), timeout=10).json()["value"]["forms"]


def test_late_and_lost_writes_make_no_second_copy_and_results_say_what_landed(emulator, tmp_path):
    playbook = tmp_path / "faults.yml"
    playbook.write_text(PLAYBOOK)
    results_file = tmp_path / "results.json"
    proc = run_playbook(playbook, tmp_path, extra_vars={"jira_url": emulator.url, "results_file": str(results_file)})
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    results = json.loads(results_file.read_text())

    demo5, ops3 = index(emulator, "DEMO-5"), index(emulator, "OPS-3")
    assert [(f["id"], f["templateId"]) for f in demo5] == [(1, 1), (2, 1)]  # not 4: the late add was waited for
    assert [(f["id"], f["templateId"], f["lock"]) for f in ops3] == [(1, 2, True)]

    late = results["late_add"]
    assert late["changed"] is True and [f["id"] for f in late["added"]] == [1, 2]
    lost = results["lost_first_use"]
    assert lost["changed"] is True and [f["id"] for f in lost["added"]] == [1]
    assert lost["status_changed"] == [{"id": 1, "template_id": 2, "before": "open", "after": "locked"}]
    assert [r["changed"] for r in results["again"]] == [False, False]

    posts = [(r["method"], r["path"]) for r in emulator.requests() if r["method"] == "POST"]
    assert posts.count(("POST", "/rest/proforma/1/issue/DEMO-5/form")) == 1
    assert posts.count(("POST", "/rest/proforma/1/issue/OPS-3/form")) == 1
    assert posts.count(("POST", "/rest/proforma/1/issue/OPS-3/form/1/submit")) == 1


def test_random_declarations_under_faults_make_no_extra_copy():
    """The benchmark's fault run, on 4 declarations: 0 extra copies, every result as the issue holds it."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "hacking" / "bench_forms.py"), "--issues", "0", "--fault-runs", "4", "--seed", "3"],
        cwd=str(REPO),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    row = re.search(r"^(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s", proc.stdout, re.M)
    assert row, proc.stdout
    declarations, exact, extra, missing, wrong_status, differs, failed, requests = map(int, row.groups())
    assert (declarations, extra, missing, wrong_status, differs, failed) == (4, 0, 0, 0, 0, 0), proc.stdout
    assert exact == 4 and requests > 0
