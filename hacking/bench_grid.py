"""Figures for tge_grid_rows: requests, speed against the floor, the uri loop, the planner, faults.

Run with ``python3 hacking/dev.py bench grid`` (or the venv's python). Prints figures; asserts nothing
about time. ``--quick`` skips the 10,000-row grid and the fault run; ``--smoke`` runs every part on tiny
sizes, only to show the script still works (the test suite runs it so; its figures mean nothing).
The fault run's correctness (no duplicate or lost row, every grid exactly as desired) is a test of its
own, tests/integration/test_fault_run.py, which calls ``fault_run`` on a small scale.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import ADMIN, EmulatorProcess, collections_root, default_fixture, run_module, table

from tests.integration.runner import run_playbook  # noqa: I001  (the same runner the integration tests use)

GRID = 10310
SIZES = {"BENCH-1": 100, "BENCH-2": 1000, "BENCH-3": 10000}
SMOKE_SIZES = {"BENCH-1": 12, "BENCH-2": 250}
PAGE = 100  # the emulator's max_results: what the module gets per page, whatever it asks for
OPTIONS = [{"name": "Alpha", "value": "A"}, {"name": "Beta", "value": "B"}, {"name": "Gamma", "value": "C"}]

FLOOR_SCRIPT = r"""
import sys, requests
url, grid, issue = sys.argv[1], sys.argv[2], sys.argv[3]
s = requests.Session(); s.auth = ("admin", "admin-pass")
start, rows = 0, []
while True:
    page = s.get("%s/rest/idalko-igrid/1.0/grid/%s/issue/%s" % (url, grid, issue),
                 params={"startAt": start, "maxResults": 1000}).json()
    rows += page["values"]; start += len(page["values"])
    if not page["values"] or start >= page["total"]:
        break
print(len(rows))
"""


def fixture(sizes=None):
    """The default fixture plus a BENCH project holding grids of ``sizes`` rows (100, 1,000 and 10,000)."""
    data = default_fixture()
    data["projects"].append({"key": "BENCH", "id": 20000, "name": "Benchmarks"})
    data["issues"].extend({"key": "BENCH-%d" % n, "id": 20000 + n, "summary": "bench %d" % n} for n in range(1, 8))
    data["grids"].append(
        {
            "id": GRID,
            "name": "Bench Grid",
            "table": "bench",
            "projects": ["BENCH"],
            "columns": [
                {"name": "tag", "type": "string", "required": True},
                {"name": "qty", "type": "integer"},
                {"name": "price", "type": "number"},
                {"name": "day", "type": "date"},
                {"name": "opt", "type": "list", "options": OPTIONS},
                {"name": "flag", "type": "checkbox"},
            ],
            "generate": dict(SIZES if sizes is None else sizes),
        }
    )
    return data


def read_rows(emulator, issue_id):
    import requests  # pylint: disable=import-outside-toplevel

    rows, start = [], 0
    while True:
        page = requests.get(
            "%s/rest/idalko-igrid/1.0/grid/%s/issue/%s" % (emulator.url, GRID, issue_id),
            params={"startAt": start, "maxResults": 1000},
            auth=(ADMIN["username"], ADMIN["password"]),
            timeout=30,
        ).json()
        rows += page["values"]
        start += len(page["values"])
        if not page["values"] or start >= page["total"]:
            return rows


def as_user_writes(row):
    """A row as a user would write it in YAML: ISO dates, numbers as strings, options by name."""
    out = {}
    for column, value in row.items():
        if column in ("id", "issueId", "modified"):
            continue
        if column == "day":
            value = datetime.datetime.fromtimestamp(value / 1000, datetime.UTC).strftime("%Y-%m-%d")
        elif isinstance(value, dict):
            value = value["name"]
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = str(value)
        out[column] = value
    return out


def module_args(emulator, issue, rows, **extra):
    args = dict(url=emulator.url, grid=str(GRID), issue=issue, key=["tag"], state="exact", rows=rows, **ADMIN)
    args.update(extra)
    return args


# The same module with the same arguments, made to exit as soon as Ansible has handed them over: Python start,
# imports, Ansible's argument validation (a deep copy of every row) and its result formatting (which walks
# every value, including the rows echoed back as ``invocation``). No Ansible module can be faster than this.
ANSIBLE_ALONE = (
    "import sys\n"
    "from ansible_collections.jira.addons.plugins.modules import tge_grid_rows\n"
    "from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule\n"
    "JiraModule.run = lambda self, *args, **kwargs: self.exit_json(changed=False)\n"
    "tge_grid_rows.main()\n"
)


def ansible_alone_seconds(args):
    """Wall time of ANSIBLE_ALONE with ``args``: what being an Ansible module costs before any work."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    env = dict(os.environ, PYTHONPATH=collections_root())
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", ANSIBLE_ALONE, handle.name], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    os.unlink(handle.name)
    assert '"changed": false' in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    return seconds


def floor_seconds(emulator, issue_id):
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", FLOOR_SCRIPT, emulator.url, str(GRID), str(issue_id)], check=True, capture_output=True
    )
    return time.perf_counter() - started


def bench_sizes(emulator, sizes, attempts=3):
    print(
        "\n== Requests and wall time per run (module run as its own process; floor: a plain requests script;"
        " Ansible alone: the module exiting as soon as Ansible handed it the same arguments)"
    )
    rows_out = []
    for issue, size in sizes.items():
        issue_id = 20000 + int(issue.split("-")[1])
        desired = [as_user_writes(r) for r in read_rows(emulator, issue_id)]
        idem_times, lean_times, floor_times, alone_times = [], [], [], []
        for _attempt in range(attempts):
            emulator.clear_requests()
            result, seconds = run_module("tge_grid_rows", module_args(emulator, issue, desired))
            assert not result.get("failed") and result["changed"] is False, result.get("msg")
            counters = emulator.counters()
            idem_times.append(seconds)
            result, seconds = run_module("tge_grid_rows", module_args(emulator, issue, desired, return_rows=False))
            assert result["changed"] is False and "rows" not in result, result.get("msg")
            lean_times.append(seconds)
            floor_times.append(floor_seconds(emulator, issue_id))
            alone_times.append(ansible_alone_seconds(module_args(emulator, issue, desired)))
        # A change: 10 updated, 5 added, 5 removed.
        changed = copy.deepcopy(desired)
        for row in changed[:10]:
            row["qty"] = "999"
        changed = changed[5:] + [{"tag": "new %d" % n, "qty": n} for n in range(5)]
        emulator.clear_requests()
        result, change_seconds = run_module("tge_grid_rows", module_args(emulator, issue, changed))
        assert result["changed"] and len(result["added"]) == 5 and len(result["removed"]) == 5, result.get("msg")
        change_counters = emulator.counters()
        module_s, floor_s = statistics.median(idem_times), statistics.median(floor_times)
        lean_s, alone_s = statistics.median(lean_times), statistics.median(alone_times)
        rows_out.append(
            (
                "%d" % size,
                "%d (= 1 lookup + %d pages)" % (counters["total"], math.ceil(size / PAGE)),
                counters["writes"],
                "%d (%d writes)" % (change_counters["total"], change_counters["writes"]),
                "%.2fs" % floor_s,
                "%.2fs (%.2fx)" % (alone_s, alone_s / floor_s),
                "%.2fs (%.2fx)" % (module_s, module_s / floor_s),
                "%.2fs (%.2fx)" % (lean_s, lean_s / floor_s),
                "%.2fs" % change_seconds,
            )
        )
    table(
        [
            "rows",
            "requests, no change",
            "writes",
            "requests, change",
            "floor",
            "Ansible alone",
            "module",
            "return_rows=false",
            "change run",
        ],
        rows_out,
    )


def bench_create(emulator, tmp, count=100):
    print("\n== Creating %d rows: the module vs. ansible.builtin.uri once per row (both with ansible-playbook)" % count)
    rows = [
        {"tag": "item %03d" % n, "qty": n, "opt": "Beta", "day": "2026-01-%02d" % (n % 28 + 1)} for n in range(count)
    ]
    common = "- hosts: localhost\n  gather_facts: false\n  vars:\n    rows: %s\n  tasks:\n" % (rows,)
    module_play = os.path.join(tmp, "module.yml")
    with open(module_play, "w", encoding="utf-8") as handle:
        handle.write(
            common + "    - jira.addons.tge_grid_rows:\n"
            "        url: %s\n        username: admin\n        password: admin-pass\n"
            "        grid: %d\n        issue: BENCH-4\n        key: [tag]\n        rows: '{{ rows }}'\n"
            # The grid is empty, so the module cannot learn that 'day' holds dates: say so, as a user must.
            "        columns: {day: date}\n" % (emulator.url, GRID)
        )
    uri_play = os.path.join(tmp, "uri.yml")
    with open(uri_play, "w", encoding="utf-8") as handle:
        handle.write(
            common + "    - ansible.builtin.uri:\n"
            "        url: %s/rest/idalko-igrid/1.0/grid/%d/issue/20005\n        method: POST\n"
            "        user: admin\n        password: admin-pass\n        force_basic_auth: true\n"
            "        body_format: json\n        body: {rows: ['{{ item }}']}\n        status_code: 201\n"
            "      loop: '{{ rows }}'\n" % (emulator.url, GRID)
        )
    timings = {}
    for name, play in (("module", module_play), ("uri loop", uri_play)):
        emulator.clear_requests()
        started = time.perf_counter()
        proc = run_playbook(play, tmp)
        timings[name] = time.perf_counter() - started
        assert proc.returncode == 0, proc.stdout[-3000:]
        timings[name + " requests"] = emulator.counters()["total"]
    assert len(read_rows(emulator, 20004)) == count and len(read_rows(emulator, 20005)) == count
    table(
        ["", "wall time", "requests"],
        [
            ("tge_grid_rows", "%.2fs" % timings["module"], timings["module requests"]),
            ("uri loop", "%.2fs" % timings["uri loop"], timings["uri loop requests"]),
            ("speed-up", "%.1fx" % (timings["uri loop"] / timings["module"]), ""),
        ],
    )


def bench_planner(n=100000, repeat=5):
    print(f"\n== The planner alone (in process), {n:,} rows")
    sys.path.insert(0, collections_root())
    from ansible_collections.jira.addons.plugins.module_utils.grid_plan import (  # pylint: disable=import-outside-toplevel
        plan_rows,
    )

    current = [
        {
            "id": i,
            "issueId": 1,
            "modified": 1,
            "tag": "t%06d" % i,
            "qty": i % 50,
            "price": i * 1.5,
            "day": 1704067200000 + (i % 365) * 86400000,
            "opt": OPTIONS[i % 3],
            "flag": i % 2 == 0,
        }
        for i in range(n)
    ]
    desired = [as_user_writes(r) for r in current]
    for row in desired[::100]:
        row["qty"] = "77"  # 1% of rows change
    out = []
    for label, key in (("with key [tag]", ["tag"]), ("whole-row match", None)):
        times = []
        for _attempt in range(repeat):
            started = time.perf_counter()
            plan = plan_rows(current, desired, key=key, state="exact")
            times.append(time.perf_counter() - started)
        out.append(
            (
                label,
                "%.2fs" % statistics.median(times),
                "%.2f-%.2fs" % (min(times), max(times)),
                len(plan.add),
                len(plan.update),
                len(plan.remove),
            )
        )
    table(["matching", "plan time (median of %d)" % repeat, "range", "add", "update", "remove"], out)


FAULT_RULES = [
    {"action": "status", "status": 503, "rate": 0.15},
    {"action": "drop", "rate": 0.10},
    {"action": "drop", "rate": 0.10, "after_apply": True},  # the write is done, the client never hears
]
# Writes answered 1.5 and 2.5 times the module's timeout late (applied after that delay, as a slow server does),
# first among the rules so they are drawn first: the module gives up on them and must wait, not send twice.
LATE_WRITES = [(1.5, 0.08), (2.5, 0.07)]


def late_write_rules(timeout):
    """Latency rules for POST, PUT and DELETE: late by LATE_WRITES times ``timeout``, at their rates."""
    return [
        {"method": method, "action": "latency", "latency": factor * timeout, "rate": rate}
        for factor, rate in LATE_WRITES
        for method in WRITES
    ]


FAULT_ISSUE, FAULT_ISSUE_ID = "BENCH-6", 20006  # empty at the start; each reconcile starts from the last one's rows

WRITES = ("POST", "PUT", "DELETE")


@dataclasses.dataclass
class FaultReconcile:
    """One reconcile of the fault run: the desired rows, the grid's rows afterwards, what the request log saw."""

    desired: list
    rows: list
    failed: str | None  # the module's message, when it failed
    requests: int
    faulted: int
    applied_then_dropped: int  # writes that took effect, their connection then dropped
    late_writes: int = 0  # writes answered after the module's timeout
    result_rows: list | None = None  # the rows the module's result says the grid holds

    @property
    def result_matches(self):
        """The module's result says what the grid holds (ids and tags), or the module failed and said why."""
        if self.result_rows is None:
            return self.failed is not None
        return sorted((r["id"], r["tag"]) for r in self.result_rows) == sorted((r["id"], r["tag"]) for r in self.rows)

    @property
    def duplicate_rows(self):
        tags = [row["tag"] for row in self.rows]
        return len(tags) - len(set(tags))

    @property
    def lost_rows(self):
        return len({row["tag"] for row in self.desired} - {row["tag"] for row in self.rows})

    @property
    def exact(self):
        """The grid holds every desired row once, with the desired values, and no other row."""
        option = {"A": "A", "Beta": "B", "C": "C"}  # given by value or by name; TGE returns the value
        expected = {d["tag"]: (d["qty"], option[d["opt"]], d["flag"] in (True, "true")) for d in self.desired}
        actual = {r["tag"]: (r.get("qty"), (r.get("opt") or {}).get("value"), r.get("flag")) for r in self.rows}
        return self.duplicate_rows == 0 and actual == expected


def random_desired(rng):
    """Up to 20 rows drawn from 30 tags, with random values written the ways a user may write them."""
    return [
        {
            "tag": tag,
            "qty": rng.randint(0, 9),
            "opt": rng.choice(["A", "Beta", "C"]),
            "flag": rng.choice([True, False, "true", "false"]),
        }
        for tag in sorted(rng.sample(["K%02d" % n for n in range(30)], rng.randint(0, 20)))
    ]


def fault_run(emulator, runs, seed, timeout=5.0, late=False):
    """Reconcile ``runs`` random desired states (state exact) on FAULT_ISSUE under FAULT_RULES, one module run each.

    The same ``seed`` gives the same desired states, and reseeds the emulator's faults at the start
    of each reconcile. ``timeout`` is the module's; with ``late``, writes may also be answered 1.5 or
    2.5 times ``timeout`` late. Returns a FaultReconcile per reconcile.
    """
    rng = random.Random(seed)
    rules = (late_write_rules(timeout) if late else []) + FAULT_RULES
    out = []
    for run in range(runs):
        desired = random_desired(rng)
        emulator.settings(seed=seed * 1000 + run)
        emulator.clear_requests()
        emulator.set_faults(rules)
        try:
            result, _seconds = run_module(
                "tge_grid_rows", module_args(emulator, FAULT_ISSUE, desired, retries=10, timeout=timeout)
            )
            log = emulator.requests()
        finally:
            emulator.clear_faults()
        out.append(
            FaultReconcile(
                desired=desired,
                rows=read_rows(emulator, FAULT_ISSUE_ID),
                failed=result.get("msg", "failed") if result.get("failed") else None,
                requests=len(log),
                faulted=sum(1 for r in log if r.get("fault")),
                applied_then_dropped=sum(
                    1 for r in log if r.get("fault") == "drop" and r.get("status") and r["method"] in WRITES
                ),
                late_writes=sum(1 for r in log if r.get("fault") == "latency" and r["method"] in WRITES),
                result_rows=None if result.get("failed") else result.get("rows"),
            )
        )
    return out


def bench_faults(emulator, runs, seed, late=False, timeout=2.0):
    what = "503s, drops, drops after the write was applied" + (
        ", writes answered 1.5x/2.5x timeout late" if late else ""
    )
    print("\n== Fault run: %d reconciles of random desired states; faults: %s; timeout %ss" % (runs, what, timeout))
    reconciles = fault_run(emulator, runs, seed, timeout=timeout, late=late)
    for run, reconcile in enumerate(reconciles):
        if reconcile.failed:
            print("  run %d failed: %s" % (run, reconcile.failed))
    requests_total = sum(r.requests for r in reconciles)
    faults_total = sum(r.faulted for r in reconciles)
    table(
        [
            "runs",
            "exactly desired",
            "duplicate rows",
            "lost rows",
            "result = grid",
            "module failed",
            "requests",
            "faulted",
            "dropped after applying",
            "late writes",
        ],
        [
            (
                runs,
                sum(1 for r in reconciles if r.exact),
                sum(r.duplicate_rows for r in reconciles),
                sum(r.lost_rows for r in reconciles),
                sum(1 for r in reconciles if r.result_matches),
                sum(1 for r in reconciles if r.failed),
                requests_total,
                "%d (%.0f%%)" % (faults_total, 100.0 * faults_total / max(requests_total, 1)),
                sum(r.applied_then_dropped for r in reconciles),
                sum(r.late_writes for r in reconciles),
            )
        ],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-row grid and the fault run")
    parser.add_argument("--fault-runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="every part on tiny sizes: does the script still work?")
    options = parser.parse_args()
    sizes = dict(SMOKE_SIZES if options.smoke else SIZES)
    if options.quick:
        sizes.pop("BENCH-3", None)
    print("jira.addons grid benchmark (%s)" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
    with EmulatorProcess(fixture(sizes)) as emulator, tempfile.TemporaryDirectory() as tmp:
        print("emulator at %s; page size %d" % (emulator.url, PAGE))
        if options.smoke:
            print("SMOKE RUN: tiny sizes, one sample each; the figures below mean nothing")
        bench_sizes(emulator, sizes, attempts=1 if options.smoke else 3)
        bench_create(emulator, tmp, count=3 if options.smoke else 100)
        bench_planner(n=1000 if options.smoke else 100000, repeat=1 if options.smoke else 5)
        if not options.quick:
            runs = 3 if options.smoke else options.fault_runs
            bench_faults(emulator, runs, options.seed)
            bench_faults(emulator, runs, options.seed, late=True, timeout=1.0)


if __name__ == "__main__":
    main()
