"""Figures for the ProForma form rollout: playbooks/forms_rollout.yml over 200 issues.

Starts the emulator, loads the default fixture plus a ROLL project of 200 issues (every tenth
already holds the form), then runs the rollout playbook with ansible-playbook: in check mode, for
real, and again (the idempotent run). Prints wall time and request counts per run. Asserts nothing
about time.

    .venv/bin/python hacking/bench_forms.py [--issues 200]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
import urllib.request

from benchlib import ADMIN, EmulatorProcess, default_fixture, table

from tests.integration.runner import REPO, run_playbook  # noqa: I001  (the runner the integration tests use)

PLAYBOOK = os.path.join(str(REPO), "playbooks", "forms_rollout.yml")
TEMPLATE = 1
SEARCH = "GET /rest/api/2/search"


def fixture(issues):
    """The default fixture plus ROLL-1..N; every tenth issue already holds one copy of the template."""
    data = default_fixture()
    data["projects"].append({"key": "ROLL", "id": 40000, "name": "Rollout"})
    data["issues"].extend(
        {"key": "ROLL-%d" % n, "id": 40000 + n, "summary": "rollout %d" % n} for n in range(1, issues + 1)
    )
    data["forms"].update(
        ("ROLL-%d" % n, [{"template": TEMPLATE, "status": "o", "visibility": "i"}]) for n in range(10, issues + 1, 10)
    )
    return data


def run(emulator, tmp_dir, label, check=False):
    """Run the rollout once; return a row of figures."""
    emulator.clear_requests()
    env = {
        "JIRA_URL": emulator.url,
        "JIRA_USERNAME": ADMIN["username"],
        "JIRA_PASSWORD": ADMIN["password"],
    }
    extra = {"rollout_jql": "project = ROLL", "rollout_template_id": TEMPLATE, "rollout_visibility": "external"}
    started = time.perf_counter()
    proc = run_playbook(PLAYBOOK, tmp_dir, extra_vars=extra, env=env, check=check)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit("%s failed:\n%s\n%s" % (label, proc.stdout[-4000:], proc.stderr[-2000:]))
    counters = emulator.counters()
    search = counters["by_route"].get(SEARCH, 0)
    module_reads = counters["reads"] - search
    changed = proc.stdout.count("changed: [localhost]")
    return [
        label,
        "%.1f" % seconds,
        counters["total"],
        search,
        module_reads,
        counters["writes"],
        counters["by_route"].get("POST /rest/proforma/1/issue/{issueKey}/form", 0),
        changed,
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=200, help="issues in the ROLL project (default 200)")
    args = parser.parse_args(argv)
    with EmulatorProcess() as emulator, tempfile.TemporaryDirectory(prefix="bench-forms-") as tmp_dir:
        emulator.load(fixture(args.issues))
        print(
            "emulator %s: %d ROLL issues, %d already hold template %d"
            % (emulator.url, args.issues, args.issues // 10, TEMPLATE)
        )
        rows = [
            run(emulator, tmp_dir, "check mode (--check)", check=True),
            run(emulator, tmp_dir, "first run"),
            run(emulator, tmp_dir, "second run (idempotent)"),
        ]
        table(
            ["run", "wall s", "requests", "search GETs", "module GETs", "writes", "add POSTs", "changed items"],
            rows,
        )
        forms = sum(1 for n in range(1, args.issues + 1) if emulator_has_form(emulator, n))
        print("ROLL issues holding the form afterwards: %d of %d" % (forms, args.issues))


def emulator_has_form(emulator, number):
    """Whether ROLL-<number> holds a copy of the template (read through the Jira API, as admin)."""
    request = urllib.request.Request("%s/rest/api/2/issue/ROLL-%d/properties/proforma.forms" % (emulator.url, number))
    token = base64.b64encode(("%s:%s" % (ADMIN["username"], ADMIN["password"])).encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            value = json.loads(response.read())["value"]
    except OSError:
        return False
    return any(f.get("templateId") == TEMPLATE for f in (value or {}).get("forms") or [])


if __name__ == "__main__":
    main()
