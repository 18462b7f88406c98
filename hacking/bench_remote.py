"""Figures on a remote Jira: every request answered 50 ms late, reads in parallel, many grids in one task.

Run with ``python3 hacking/dev.py bench remote`` (or the venv's python). Prints figures; asserts nothing
about time. ``--smoke`` runs every part on tiny sizes, only to show the script still works (the test
suite runs it so; its figures mean nothing). The emulator's ``latency`` fault delays each request on its
own (the emulator answers requests concurrently), like a Jira that is ``--latency`` seconds away.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import tempfile
import time

import bench_grid
from benchlib import ADMIN, EmulatorProcess, run_module, table

from tests.integration.runner import run_playbook  # noqa: I001  (the same runner the integration tests use)

FILES_GRID = 10320
FILES_PROJECT, FILES_PROJECT_ID = "FILE", 30000


def latency(emulator, seconds):
    """Every request of the emulator answered ``seconds`` late."""
    emulator.set_faults([{"action": "latency", "latency": seconds}])


# -- an idempotent 10,000-row grid --------------------------------------------------------------------


def bench_big_grid(emulator, issue, seconds, concurrencies, attempts):
    issue_id = 20000 + int(issue.split("-")[1])
    emulator.clear_faults()
    desired = [bench_grid.as_user_writes(r) for r in bench_grid.read_rows(emulator, issue_id)]
    print("\n== An idempotent %d-row grid, %d ms a request" % (len(desired), seconds * 1000))
    latency(emulator, seconds)
    floors = [bench_grid.floor_seconds(emulator, issue_id) for _attempt in range(attempts)]
    floor = min(floors)
    out = [("plain sequential requests read", "-", "-", "%.2fs" % floor, "1.00x")]
    for concurrency in concurrencies:
        times = []
        for _attempt in range(attempts):
            emulator.clear_requests()
            args = bench_grid.module_args(emulator, issue, desired, concurrency=concurrency, return_rows=False)
            result, took = run_module("tge_grid_rows", args)
            assert not result.get("failed") and result["changed"] is False, result.get("msg")
            times.append(took)
        counters = emulator.counters()
        best = min(times)
        out.append(
            (
                "tge_grid_rows, concurrency %d" % concurrency,
                counters["total"],
                counters["max_in_flight"],
                "%.2fs" % best,
                "%.2fx" % (best / floor),
            )
        )
    table(["run", "requests", "most in flight", "wall time (best of %d)" % attempts, "vs. floor"], out)


# -- many grid files ----------------------------------------------------------------------------------


def files_fixture(count, sizes):
    """The grid benchmark's fixture (grids of ``sizes`` rows) plus ``count`` issues FILE-n, each with 5 rows of one grid."""
    data = bench_grid.fixture(sizes=sizes)
    data["projects"].append({"key": FILES_PROJECT, "id": FILES_PROJECT_ID, "name": "Grid files"})
    data["issues"].extend(
        {"key": "FILE-%d" % n, "id": FILES_PROJECT_ID + n, "summary": "file %d" % n} for n in range(1, count + 1)
    )
    rows = {"FILE-%d" % n: [{"part": "P-%d" % i, "qty": i, "site": "N"} for i in range(5)] for n in range(1, count + 1)}
    data["grids"].append(
        {
            "id": FILES_GRID,
            "name": "Parts",
            "table": "parts",
            "projects": [FILES_PROJECT],
            "columns": [
                {"name": "part", "type": "string", "required": True},
                {"name": "qty", "type": "integer"},
                {"name": "site", "type": "list", "options": [{"name": "North", "value": "N"}]},
            ],
            "rows": rows,
        }
    )
    return data


def grid_files(count):
    """What the grid files of FILE-1..count hold (the declared state, equal to Jira's)."""
    return [
        {
            "grid": FILES_GRID,
            "issue": "FILE-%d" % n,
            "key": ["part"],
            "rows": [{"part": "P-%d" % i, "qty": i, "site": "North"} for i in range(5)],
        }
        for n in range(1, count + 1)
    ]


LOOP_PLAY = """
- hosts: localhost
  gather_facts: false
  vars_files: ["%(vars)s"]
  module_defaults:
    group/jira.addons.jira: {url: "%(url)s", username: admin, password: admin-pass, concurrency: %(concurrency)d}
  tasks:
    - name: One task a file, as before grids
      jira.addons.tge_grid_rows:
        grid: "{{ item.grid }}"
        issue: "{{ item.issue }}"
        key: "{{ item.key }}"
        state: exact
        rows: "{{ item.rows }}"
      loop: "{{ files }}"
      loop_control:
        label: "{{ item.issue }}"
"""

GRIDS_PLAY = """
- hosts: localhost
  gather_facts: false
  vars_files: ["%(vars)s"]
  module_defaults:
    group/jira.addons.jira: {url: "%(url)s", username: admin, password: admin-pass, concurrency: %(concurrency)d}
  tasks:
    - name: Every file in one task
      jira.addons.tge_grid_rows:
        state: exact
        return_rows: false
        grids: "{{ files }}"
      register: out
    - ansible.builtin.assert:
        that: [out is not changed, out.grids | length == files | length]
"""


def play(emulator, tmp, text, files, concurrency):
    """Run the play ``text`` with ``files`` (from a vars file: 500 of them do not fit a command line)."""
    path, variables = os.path.join(tmp, "play.yml"), os.path.join(tmp, "vars.json")
    with open(variables, "w", encoding="utf-8") as handle:
        json.dump({"files": files}, handle)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text % {"url": emulator.url, "concurrency": concurrency, "vars": variables})
    emulator.clear_requests()
    started = time.perf_counter()
    proc = run_playbook(path, tmp)
    took = time.perf_counter() - started
    assert proc.returncode == 0, proc.stdout[-3000:]
    return took, emulator.counters()


def loop_against_one_task(emulator, tmp, plays, items, loop_count, concurrencies, what, search_route=None):
    """Time ``plays = (a task an item, all items in one task)`` on ``items``; print the table.

    The loop is timed on ``loop_count`` items, less the start of ansible-playbook (the same play with
    nothing to loop over), and counted per item for all of them; the one task runs on all items at each
    of ``concurrencies``.
    """
    loop_play, one_play = plays
    count = len(items)
    startup, _counters = play(emulator, tmp, loop_play, [], 4)
    loop_s, loop_counters = play(emulator, tmp, loop_play, items[:loop_count], 4)
    per_item = max(loop_s - startup, 0.0) / loop_count
    loop_total = startup + per_item * count
    rows = [
        (
            "a task for each %s (timed on %d)" % (what, loop_count),
            "%.3fs" % per_item,
            "%.1fs (start %.1fs + %d x per %s)" % (loop_total, startup, count, what),
            "%d (%.1f per %s)" % (loop_counters["total"], loop_counters["total"] / float(loop_count), what),
            "-",
            loop_counters["writes"],
            loop_counters["max_in_flight"],
            "1x",
        )
    ]
    for concurrency in concurrencies:
        took, counters = play(emulator, tmp, one_play, items, concurrency)
        search = counters["by_route"].get(search_route, 0) if search_route else 0
        rows.append(
            (
                "one task, concurrency %d" % concurrency,
                "%.3fs" % (took / count),
                "%.1fs" % took,
                "%d (%.1f per %s)" % (counters["total"], (counters["total"] - search) / float(count), what),
                search if search_route else "-",
                counters["writes"],
                counters["max_in_flight"],
                "%.1fx" % (loop_total / took),
            )
        )
    headers = ["run", "per " + what, "%d %ss" % (count, what), "requests", "search pages", "writes", "most in flight"]
    table(headers + ["faster"], rows)


def bench_files(emulator, tmp, count, loop_count, seconds, concurrencies):
    print(
        "\n== %d grid files of 5 rows, idempotent, %d ms a request: a task a file vs. one grids task"
        % (count, seconds * 1000)
    )
    latency(emulator, seconds)
    plays = (LOOP_PLAY, GRIDS_PLAY)
    files = grid_files(count)
    loop_against_one_task(emulator, tmp, plays, files, loop_count, concurrencies, "file", "GET /rest/api/2/search")


# -- forms on the issues of one JQL search ------------------------------------------------------------

FORMS_PROJECT, FORMS_PROJECT_ID, TEMPLATE = "ROLL", 40000, 1

FORMS_LOOP_PLAY = """
- hosts: localhost
  gather_facts: false
  vars_files: ["%(vars)s"]
  module_defaults:
    group/jira.addons.jira: {url: "%(url)s", username: admin, password: admin-pass, concurrency: %(concurrency)d}
  tasks:
    - name: One task an issue, as before jql
      jira.addons.proforma_form:
        issue: "{{ item }}"
        template_id: 1
      loop: "{{ files }}"
"""

FORMS_JQL_PLAY = """
- hosts: localhost
  gather_facts: false
  vars_files: ["%(vars)s"]
  module_defaults:
    group/jira.addons.jira: {url: "%(url)s", username: admin, password: admin-pass, concurrency: %(concurrency)d}
  tasks:
    - name: Every issue of the search in one task
      jira.addons.proforma_form:
        jql: project = ROLL
        template_id: 1
      register: out
    - ansible.builtin.assert:
        that: [out is not changed, out.issues | length == files | length]
"""


def add_forms_project(data, count):
    """ROLL-1..count, each already holding one copy of the template (so every run is idempotent)."""
    data["projects"].append({"key": FORMS_PROJECT, "id": FORMS_PROJECT_ID, "name": "Rollout"})
    data["issues"].extend({"key": "ROLL-%d" % n, "id": FORMS_PROJECT_ID + n} for n in range(1, count + 1))
    data["forms"].update(
        ("ROLL-%d" % n, [{"template": TEMPLATE, "status": "o", "visibility": "i"}]) for n in range(1, count + 1)
    )


def bench_forms(emulator, tmp, count, loop_count, seconds, concurrencies):
    print(
        "\n== A form on %d issues from one JQL search, idempotent, %d ms a request: a task an issue vs. one jql task"
        % (count, seconds * 1000)
    )
    latency(emulator, seconds)
    keys = ["ROLL-%d" % n for n in range(1, count + 1)]
    plays = (FORMS_LOOP_PLAY, FORMS_JQL_PLAY)
    loop_against_one_task(emulator, tmp, plays, keys, loop_count, concurrencies, "issue", "GET /rest/api/2/search")


# -- the fault run at the new scale -------------------------------------------------------------------


def bench_grid_faults(emulator, runs, grids, seed, concurrency=4, timeout=2.0):
    print(
        "\n== Fault run: %d reconciles of a %d-grid grids task (state exact), ~31%% of requests faulted,"
        " concurrency %d" % (runs, grids, concurrency)
    )
    emulator.clear_faults()
    rng = random.Random(seed)
    totals = {"exact": 0, "duplicate": 0, "lost": 0, "failed": 0, "requests": 0, "faulted": 0, "in_flight": 0}
    for run in range(runs):
        desired = {"FILE-%d" % n: bench_grid_rows(rng) for n in range(1, grids + 1)}
        entries = [
            {"grid": FILES_GRID, "issue": issue, "key": ["part"], "rows": rows} for issue, rows in desired.items()
        ]
        emulator.settings(seed=seed * 1000 + run)
        emulator.clear_requests()
        emulator.set_faults(bench_grid.FAULT_RULES)
        try:
            args = dict(
                url=emulator.url,
                grids=entries,
                state="exact",
                return_rows=False,
                retries=10,
                timeout=timeout,
                concurrency=concurrency,
                **ADMIN,
            )
            result, _took = run_module("tge_grid_rows", args)
            log, counters = emulator.requests(), emulator.counters()
        finally:
            emulator.clear_faults()
        if result.get("failed"):
            totals["failed"] += 1
            print("  reconcile %d failed: %s" % (run, (result.get("msg") or "")[:600]))
        totals["requests"] += len(log)
        totals["faulted"] += sum(1 for r in log if r.get("fault"))
        totals["in_flight"] = max(totals["in_flight"], counters["max_in_flight"])
        for issue, rows in desired.items():
            held = bench_grid_read(emulator, FILES_PROJECT_ID + int(issue.split("-")[1]))
            parts = [r["part"] for r in held]
            totals["duplicate"] += len(parts) - len(set(parts))
            totals["lost"] += len({r["part"] for r in rows} - set(parts))
            wanted = {r["part"]: r["qty"] for r in rows}
            totals["exact"] += (
                1 if {r["part"]: r.get("qty") for r in held} == wanted and len(parts) == len(set(parts)) else 0
            )
    table(
        [
            "reconciles",
            "grids exactly desired",
            "duplicate rows",
            "lost rows",
            "task failed",
            "requests",
            "faulted",
            "most in flight",
        ],
        [
            (
                runs,
                "%d of %d" % (totals["exact"], runs * grids),
                totals["duplicate"],
                totals["lost"],
                totals["failed"],
                totals["requests"],
                "%d (%.0f%%)" % (totals["faulted"], 100.0 * totals["faulted"] / max(totals["requests"], 1)),
                "%d (concurrency %d)" % (totals["in_flight"], concurrency),
            )
        ],
    )
    return totals


def bench_grid_rows(rng):
    return [{"part": "P-%d" % i, "qty": rng.randint(0, 9)} for i in sorted(rng.sample(range(12), rng.randint(0, 8)))]


def bench_grid_read(emulator, issue_id):
    import requests  # pylint: disable=import-outside-toplevel

    page = requests.get(
        "%s/rest/idalko-igrid/1.0/grid/%s/issue/%s" % (emulator.url, FILES_GRID, issue_id),
        params={"maxResults": 100},
        auth=(ADMIN["username"], ADMIN["password"]),
        timeout=30,
    ).json()
    return page["values"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each request is answered late")
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument(
        "--loop-files", type=int, default=50, help="files (and issues) the one-task-each loops are timed on"
    )
    parser.add_argument("--issues", type=int, default=500, help="issues the form goes on")
    parser.add_argument("--fault-runs", type=int, default=20)
    parser.add_argument("--fault-grids", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", help="comma-separated parts to run: grid, files, forms, faults (default: all)")
    parser.add_argument("--smoke", action="store_true", help="every part on tiny sizes: does the script still work?")
    options = parser.parse_args()
    if options.smoke:
        options.files, options.loop_files, options.fault_runs, options.fault_grids = 6, 2, 1, 4
        options.issues = 6
    sizes = {"BENCH-2": 250} if options.smoke else {"BENCH-3": 10000}
    print("jira.addons remote benchmark (%s)" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
    data = files_fixture(max(options.files, options.fault_grids), sizes)
    add_forms_project(data, options.issues)
    with EmulatorProcess(data) as emulator, tempfile.TemporaryDirectory() as tmp:
        print("emulator at %s; page size %d" % (emulator.url, bench_grid.PAGE))
        if options.smoke:
            print("SMOKE RUN: tiny sizes, one sample each; the figures below mean nothing")
        attempts = 1 if options.smoke else 3
        parts = options.only.split(",") if options.only else ["grid", "files", "forms", "faults"]
        if "grid" in parts:
            bench_big_grid(emulator, next(iter(sizes)), options.latency, (1, 4, 8), attempts)
        if "files" in parts:
            bench_files(emulator, tmp, options.files, options.loop_files, options.latency, (1, 4, 8))
        if "forms" in parts:
            bench_forms(emulator, tmp, options.issues, options.loop_files, options.latency, (1, 4, 8))
        if "faults" in parts:
            bench_grid_faults(emulator, options.fault_runs, options.fault_grids, options.seed)


if __name__ == "__main__":
    main()
