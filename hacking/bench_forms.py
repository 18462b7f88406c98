"""Figures for ProForma forms: the rollout of playbooks/forms_rollout.yml over 200 issues, and a fault run.

Starts the emulator, loads the default fixture plus a ROLL project of 200 issues (every tenth
already holds the form), then runs the rollout playbook with ansible-playbook: in check mode, for
real, and again (the idempotent run). Prints wall time and request counts per run.

The fault run ("Fault run: N form declarations"): random proforma_form declarations (a template,
a count, a status) on the issues of a FLT project, each run as its own module process while the
emulator answers writes 1-3x timeout late, drops connections after a write landed and answers 503s.
After each run (and once every late write has landed) it counts the copies on the issue: a copy
beyond max(count, copies before) is an extra copy. Asserts nothing about time.

    .venv/bin/python hacking/bench_forms.py [--issues 200] [--fault-runs 20] [--fault-timeout 0.5] [--seed 7]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import sys
import tempfile
import time
import urllib.error
import urllib.request

from benchlib import ADMIN, EmulatorProcess, default_fixture, run_module, table

from tests.integration.runner import REPO, run_playbook  # noqa: I001  (the runner the integration tests use)

PLAYBOOK = os.path.join(str(REPO), "playbooks", "forms_rollout.yml")
TEMPLATE = 1
SEARCH = "GET /rest/api/2/search"


FAULT_ISSUES = 5
STATUS_WORDS = {"o": "open", "s": "submitted", "l": "locked"}


def fixture(issues):
    """The default fixture plus ROLL-1..N (every tenth already holds one copy of the template) and FLT-1..5."""
    data = default_fixture()
    data["projects"].append({"key": "FLT", "id": 41000, "name": "Faults"})
    data["issues"].extend({"key": "FLT-%d" % n, "id": 41000 + n} for n in range(1, FAULT_ISSUES + 1))
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
    parser.add_argument(
        "--issues", type=int, default=200, help="issues in the ROLL project (default 200; 0: no rollout)"
    )
    parser.add_argument("--fault-runs", type=int, default=20, help="declarations of the fault run (0: skip it)")
    parser.add_argument("--fault-timeout", type=float, default=0.5, help="the modules' timeout in the fault run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with EmulatorProcess() as emulator, tempfile.TemporaryDirectory(prefix="bench-forms-") as tmp_dir:
        emulator.load(fixture(args.issues))
        if args.issues:
            bench_rollout(emulator, tmp_dir, args.issues)
        if args.fault_runs:
            bench_faults(emulator, args.fault_runs, args.fault_timeout, args.seed)


def bench_rollout(emulator, tmp_dir, issues):
    """The rollout playbook over ROLL-1..N: check mode, first run, second run."""
    print("emulator %s: %d ROLL issues, %d already hold template %d" % (emulator.url, issues, issues // 10, TEMPLATE))
    rows = [
        run(emulator, tmp_dir, "check mode (--check)", check=True),
        run(emulator, tmp_dir, "first run"),
        run(emulator, tmp_dir, "second run (idempotent)"),
    ]
    table(
        ["run", "wall s", "requests", "search GETs", "module GETs", "writes", "add POSTs", "changed items"],
        rows,
    )
    forms = sum(1 for n in range(1, issues + 1) if emulator_has_form(emulator, n))
    print("ROLL issues holding the form afterwards: %d of %d" % (forms, issues))


def issue_property(emulator, key, name):
    """The value of an issue property, read through the Jira API as admin (None when it does not exist)."""
    request = urllib.request.Request("%s/rest/api/2/issue/%s/properties/%s" % (emulator.url, key, name))
    token = base64.b64encode(("%s:%s" % (ADMIN["username"], ADMIN["password"])).encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["value"]
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise


def emulator_has_form(emulator, number):
    """Whether ROLL-<number> holds a copy of the template."""
    value = issue_property(emulator, "ROLL-%d" % number, "proforma.forms")
    return any(f.get("templateId") == TEMPLATE for f in (value or {}).get("forms") or [])


def copies_on(emulator, key, template_id):
    """``{form id: status word}`` of the copies of ``template_id`` on ``key``, as the emulator holds them."""
    index = issue_property(emulator, key, "proforma.forms") or {}
    ids = [f["id"] for f in index.get("forms") or [] if f.get("templateId") == template_id]
    return dict(
        (i, STATUS_WORDS[issue_property(emulator, key, "proforma.forms.i%d" % i)["state"]["status"]]) for i in ids
    )


def fault_rules(timeout):
    """Writes answered 1.2, 2 and 2.8 x timeout late (after they landed), drops after a write, and 503s."""
    return [
        {"method": "POST", "action": "latency", "latency": 1.2 * timeout, "rate": 0.08},
        {"method": "POST", "action": "latency", "latency": 2.0 * timeout, "rate": 0.08},
        {"method": "POST", "action": "latency", "latency": 2.8 * timeout, "rate": 0.08},
        {"method": "POST", "action": "drop", "after_apply": True, "rate": 0.1},
        {"action": "status", "status": 503, "rate": 0.1},
    ]


def declaration(rng):
    """One random proforma_form declaration: an issue, a template, a count and a status it can reach."""
    template = rng.choice([1, 2, 3])
    statuses = [None, "open", "submitted"] + (["locked"] if template == 2 else [])  # only template 2 locks
    return {
        "issue": "FLT-%d" % rng.randint(1, FAULT_ISSUES),
        "template_id": template,
        "count": rng.randint(1, 3),
        "status": rng.choice(statuses),
    }


def bench_faults(emulator, runs, timeout, seed):
    """The fault run: declarations under late writes, drops after apply and 503s; counts extra copies."""
    print(
        "\n== Fault run: %d form declarations, writes 1.2-2.8 x timeout late (timeout %ss, settle_timeout "
        "3 x timeout), drops after apply, 503s" % (runs, timeout)
    )
    rng = random.Random(seed)
    rules = fault_rules(timeout)
    exact = extra = missing = wrong_status = mismatch = failed = 0
    requests_total = faults_total = late_total = 0
    started = time.perf_counter()
    for run in range(runs):
        args = declaration(rng)
        before = copies_on(emulator, args["issue"], args["template_id"])
        emulator.settings(seed=seed * 1000 + run)
        emulator.clear_requests()
        emulator.set_faults(rules)
        module_args = dict(args, url=emulator.url, timeout=timeout, retries=10, **ADMIN)
        result, _seconds = run_module("proforma_form", dict((k, v) for k, v in module_args.items() if v is not None))
        time.sleep(2.8 * timeout + 0.3)  # a write the module gave up on lands by then, or never
        log = emulator.requests()
        emulator.clear_faults()
        requests_total += len(log)
        faults_total += sum(1 for r in log if r.get("fault"))
        late_total += sum(1 for r in log if r.get("fault") == "latency")
        after = copies_on(emulator, args["issue"], args["template_id"])
        wanted = max(args["count"], len(before))
        extra += max(0, len(after) - wanted)
        if len(after) > wanted:
            writes = [(r["method"], r["path"].rsplit("/issue/", 1)[-1], r["status"], r["fault"]) for r in log]
            print("  run %d (%s): %d copies, %d wanted; requests %s" % (run, args, len(after), wanted, writes))
        missing += max(0, wanted - len(after))
        status_ok = args["status"] is None or set(after.values()) <= {args["status"]}
        wrong_status += 0 if status_ok else 1
        if result.get("failed"):
            failed += 1
            print("  run %d (%s) failed: %s" % (run, args, result.get("msg")))
        else:
            told = dict((f["id"], f["status"]) for f in result.get("forms") or [])
            if told != after:
                mismatch += 1
                print("  run %d (%s): the result says %s, the issue holds %s" % (run, args, told, after))
        exact += 1 if (len(after) == wanted and status_ok) else 0
    seconds = time.perf_counter() - started
    table(
        [
            "declarations",
            "exactly as declared",
            "extra copies",
            "missing copies",
            "wrong status",
            "result differs",
            "module failed",
            "requests",
            "faulted",
            "late writes",
            "wall s",
        ],
        [
            (
                runs,
                exact,
                extra,
                missing,
                wrong_status,
                mismatch,
                failed,
                requests_total,
                "%d (%.0f%%)" % (faults_total, 100.0 * faults_total / max(requests_total, 1)),
                late_total,
                "%.0f" % seconds,
            )
        ],
    )


if __name__ == "__main__":
    main()
