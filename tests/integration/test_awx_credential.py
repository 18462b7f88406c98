# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A job template's playbook runs with nothing but what the AWX credential type injects.

Each job runs as AWX runs one: ``ansible-runner run`` (the engine AWX starts every job with) on a
private data directory whose ``env/envvars`` holds docs/awx/jira_credential_type.yml's injectors
rendered the way AWX renders them, for inputs stored the way AWX stores them
(tests/unit/awx_injection.py). Without an execution environment, process isolation is off: the
playbook runs as a plain process. The playbooks set no connection option and no module_defaults.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import yaml

from ansible_collections.jira.addons.tests.unit.awx_injection import (
    CREDENTIAL_TYPE_FILE,
    guide_block,
    job_private_data_dir,
    load_credential_type,
    platform_ui_inputs,
    render_env,
    saved_inputs,
    ui_inputs,
)

from .runner import collections_root, run_playbook

# Three modules, no connection option: a grid read, a forms read and a grid change.
JOB_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Read a grid
      jira.addons.tge_grid_info:
        grid: 10301
        issue: DEMO-1
      register: grid

    - name: Read the forms of an issue
      jira.addons.proforma_form_info:
        issue: DEMO-1
      register: forms

    - name: Add a row to a grid
      jira.addons.tge_grid_rows:
        grid: 10301
        issue: DEMO-3
        key: [name]
        state: present
        rows:
          - name: awx-job
            relation: Son
      register: rows

    - name: Keep the results for the test
      ansible.builtin.copy:
        content: "{{ {'grid': grid, 'forms': forms, 'rows': rows} | ansible.builtin.to_json }}"
        dest: "{{ results_file }}"
        mode: "0600"
"""

# name: (credential inputs given the emulator's URL, user the requests must run as, validate_certs)
CREDENTIALS = {
    # (a) AWX's credential form, basic authentication; the dropdown starts on "true".
    "form-username-password": (
        lambda ct, url: ui_inputs(ct, url=url, username="alice", password="alice-pass"),
        "alice",
        True,
    ),
    # (b) the Automation Platform credential form, the admin's personal access token alone.
    "platform-form-token": (lambda ct, url: platform_ui_inputs(ct, url=url, token="admin-token"), "admin", True),
    # (c) made through the API without validate_certs: the injector turns the missing value into "true".
    "api-token-validate-certs-unset": (lambda ct, url: {"url": url, "token": "admin-token"}, "admin", True),
    # (d) the credential form with "false" chosen.
    "form-username-password-validate-certs-false": (
        lambda ct, url: ui_inputs(ct, url=url, username="alice", password="alice-pass", validate_certs="false"),
        "alice",
        False,
    ),
}
SECRETS = ("alice-pass", "admin-token")


@pytest.fixture(scope="module")
def credential_type():
    return load_credential_type()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


class Job:
    """What ``ansible-runner run`` left of a job: its exit code, its output, its status and its events."""

    def __init__(self, proc, artifacts):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.status = (artifacts / "status").read_text().strip() if (artifacts / "status").exists() else None
        events = sorted((artifacts / "job_events").glob("*.json")) if (artifacts / "job_events").is_dir() else []
        self.events_text = "\n".join(path.read_text() for path in events)
        self.events = [json.loads(path.read_text()) for path in events]


def run_job(tmp_path, playbook, injected, extra_vars=None, verbosity=0):
    """Run the ``playbook`` text as an AWX job whose credentials injected the environment ``injected``."""
    private = job_private_data_dir(
        tmp_path / "job",
        playbook,
        envvars=dict(
            injected,
            # What the execution environment would hold: the collection, and private temp dirs.
            ANSIBLE_COLLECTIONS_PATH=str(collections_root(tmp_path)),
            ANSIBLE_REMOTE_TMP=str(tmp_path / "remote_tmp"),
            ANSIBLE_LOCAL_TEMP=str(tmp_path / "local_tmp"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_DEPRECATION_WARNINGS="0",
            # ansible-core 2.21 leaves the module arguments (``invocation``) out of a task's result unless
            # asked to; -vvv shows them to the tests, which check the secrets in them are masked.
            ANSIBLE_INJECT_INVOCATION="1",
        ),
        extravars=extra_vars,
        inventory="localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable,
    )
    # A user's JIRA_* variables must not leak into the job.
    env = {name: value for name, value in os.environ.items() if not name.startswith("JIRA_")}
    command = [str(Path(sys.executable).parent / "ansible-runner"), "run", str(private), "-p", "job.yml"]
    command += ["--ident", "1"] + (["-" + "v" * verbosity] if verbosity else [])
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    return Job(proc, private / "artifacts" / "1")


@pytest.mark.parametrize("credential", list(CREDENTIALS))
def test_job_playbook_runs_with_only_the_injected_environment(emulator, tmp_path, credential_type, credential):
    make_inputs, user, validate_certs = CREDENTIALS[credential]
    env = render_env(credential_type, saved_inputs(credential_type, make_inputs(credential_type, emulator.url)))
    assert env["JIRA_VALIDATE_CERTS"] == str(validate_certs).lower()
    results_file = tmp_path / "results.json"

    job = run_job(tmp_path, JOB_PLAYBOOK, env, extra_vars={"results_file": str(results_file)}, verbosity=3)

    output = job.stdout + job.stderr
    assert job.returncode == 0, output[-6000:]
    assert job.status == "successful"
    results = json.loads(results_file.read_text())
    assert results["grid"]["row_count"] == 3
    assert [row["name"] for row in results["grid"]["rows"]] == ["brad", "angelina", "maddox"]
    assert [form["id"] for form in results["forms"]["forms"]] == [1, 2, 3]
    assert results["rows"]["changed"] is True
    assert [row["name"] for row in results["rows"]["added"]] == ["awx-job"]

    requests = emulator.requests()
    assert {r["user"] for r in requests} == {user}, requests
    assert all(r["status"] < 400 for r in requests), requests
    assert [r["method"] for r in requests if r["method"] != "GET"] == ["POST"]

    # -vvv prints each module's arguments: validate_certs as parsed, the secrets masked.
    assert output.count('"validate_certs": %s' % str(validate_certs).lower()) == 3
    assert '"validate_certs": %s' % str(not validate_certs).lower() not in output
    # AWX keeps each job event (what its UI shows) in its database.
    assert job.events
    for secret in SECRETS:
        assert secret not in output
        assert secret not in job.events_text


def test_a_wrong_token_fails_with_a_clear_401_and_never_shows_the_token(emulator, tmp_path, credential_type):
    token = "wrong-token-%s" % uuid.uuid4().hex
    env = render_env(
        credential_type, saved_inputs(credential_type, ui_inputs(credential_type, url=emulator.url, token=token))
    )

    job = run_job(tmp_path, JOB_PLAYBOOK, env, extra_vars={"results_file": str(tmp_path / "results.json")}, verbosity=3)

    output = job.stdout + job.stderr
    assert job.returncode != 0
    assert job.status == "failed"
    assert (
        "GET /rest/api/2/issue/DEMO-1 failed with HTTP 401 (not authenticated: check url, username/password or "
        "token): You are not authenticated." in job.stdout
    )
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output  # -vvv did print the module arguments
    for text in (output, job.events_text):
        assert token not in text
        assert token[-12:] not in text
    assert [(r["user"], r["status"]) for r in emulator.requests()] == [(None, 401)]


def test_the_guides_job_template_playbook_runs_with_a_token_credential(emulator, tmp_path, credential_type):
    playbook = guide_block("jira.addons.tge_grid_rows:")
    env = render_env(
        credential_type,
        saved_inputs(credential_type, ui_inputs(credential_type, url=emulator.url, token="admin-token")),
    )

    job = run_job(tmp_path, playbook, env)

    assert job.returncode == 0, job.stdout[-4000:]
    assert "1 asset(s) added; forms on OPS-1: locked, submitted" in job.stdout
    assert {r["user"] for r in emulator.requests()} == {"admin"}


STUB_MODULE = """#!/usr/bin/python
# Stands in for awx.awx.%(name)s: same options, records what it was given.
import json
import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=%(argument_spec)r)
    with open(os.environ["AWX_STUB_RECORD"], "w") as record:
        json.dump(module.params, record)
    module.exit_json(changed=True)


main()
"""
STUB_ARGUMENT_SPECS = {
    "credential_type": dict(
        name=dict(required=True),
        description=dict(),
        kind=dict(choices=["ssh", "vault", "net", "scm", "cloud", "insights"]),
        inputs=dict(type="dict"),
        injectors=dict(type="dict"),
        state=dict(choices=["present", "absent"], default="present"),
    ),
    "credential": dict(
        name=dict(required=True),
        description=dict(),
        organization=dict(),
        credential_type=dict(),
        inputs=dict(type="dict", no_log=True),
        state=dict(choices=["present", "absent", "exists"], default="present"),
    ),
}


def run_with_awx_stub(tmp_path, module, playbook, extra_vars):
    """Run ``playbook`` with a stand-in awx.awx.``module``; return (process, the module's params)."""
    stub = tmp_path / "stub" / "ansible_collections" / "awx" / "awx" / "plugins" / "modules"
    stub.mkdir(parents=True)
    (stub / ("%s.py" % module)).write_text(STUB_MODULE % {"name": module, "argument_spec": STUB_ARGUMENT_SPECS[module]})
    record = tmp_path / "record.json"
    proc = run_playbook(
        playbook,
        tmp_path,
        extra_vars=extra_vars,
        env={
            "ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (tmp_path / "stub", collections_root(tmp_path)),
            "AWX_STUB_RECORD": str(record),
        },
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc, json.loads(record.read_text())


def test_the_guides_credential_type_task_sends_the_file_as_it_is(tmp_path):
    _proc, sent = run_with_awx_stub(
        tmp_path,
        "credential_type",
        write(tmp_path, "credential_type.yml", guide_block("awx.awx.credential_type:")),
        {"jira_credential_type_file": str(CREDENTIAL_TYPE_FILE)},
    )

    shipped = yaml.safe_load(CREDENTIAL_TYPE_FILE.read_text())
    assert sent == dict(shipped, state="present")
    assert sent["injectors"]["env"]["JIRA_TOKEN"] == "{{ token }}"
    assert sent["injectors"]["env"]["JIRA_VALIDATE_CERTS"] == "{{ validate_certs or 'true' }}"


def test_the_guides_credential_task_makes_a_credential_that_checks_tls(tmp_path, credential_type):
    task = textwrap.indent(guide_block("awx.awx.credential:"), "    ")
    playbook = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + task

    _proc, sent = run_with_awx_stub(
        tmp_path, "credential", write(tmp_path, "credential.yml", playbook), {"vault_jira_token": "t-1"}
    )

    assert sent["credential_type"] == credential_type["name"]
    assert sent["inputs"] == {"url": "https://jira.example.com", "token": "t-1"}
    env = render_env(credential_type, saved_inputs(credential_type, sent["inputs"]))
    assert env["JIRA_VALIDATE_CERTS"] == "true"
    assert env["JIRA_URL"] == "https://jira.example.com"
