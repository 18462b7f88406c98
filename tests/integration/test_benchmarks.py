# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmarks still run: each script, on tiny sizes, end to end against its own emulator.

A benchmark is only run by hand, so nothing else notices when a change breaks one (a stricter
module, a renamed option). This runs each the way ``hacking/dev.py bench`` does, with sizes small
enough for the test suite, and checks what the scripts check themselves (every module result they
read, every request count) plus that each part printed its table. Times are printed, never asserted.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .runner import REPO

HACKING = REPO / "hacking"

CASES = {
    "grid": (
        ["--smoke"],
        ["== Requests and wall time", "== Creating 3 rows", "== The planner alone", "== Fault run"],
    ),
    "export": (
        ["--sizes", "200", "--xlsx-sizes", "30", "--repeat", "1", "--link-mbit", "50"],
        ["Peak RSS of the module process", "Time from completed export to dest in place"],
    ),
    "forms": (["--issues", "10", "--fault-runs", "2"], ["first run", "second run (idempotent)"]),
}

REMOTE_SECTIONS = [
    "== An idempotent 250-row grid",
    "== 6 grid files of 5 rows",
    "== A form on 6 issues",
    "== Fault run",
]


def run_bench(name, args):
    proc = subprocess.run(
        [sys.executable, str(HACKING / ("bench_%s.py" % name))] + args,
        cwd=str(REPO),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, "bench_%s.py failed:\n%s\n%s" % (name, proc.stdout[-4000:], proc.stderr[-4000:])
    return proc.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_benchmark_runs_end_to_end(name):
    args, sections = CASES[name]
    out = run_bench(name, args)
    for section in sections:
        assert section in out, "bench_%s.py printed no '%s' part:\n%s" % (name, section, out[-3000:])


def test_grid_benchmark_counts_one_lookup_and_a_request_per_page():
    out = run_bench("grid", ["--smoke", "--quick"])
    # rows, "N (= 1 lookup + P pages)", writes, "M (W writes)": an idempotent run reads and writes nothing.
    lines = re.findall(r"^(\d+)\s+(\d+) \(= 1 lookup \+ (\d+) pages\)\s+(\d+)\s+(\d+) \((\d+) writes\)", out, re.M)
    assert [int(r[0]) for r in lines] == [12, 250], out
    for rows, total, pages, writes, change_total, change_writes in lines:
        assert int(pages) == -(-int(rows) // 100) and int(total) == 1 + int(pages), out
        assert int(writes) == 0 and int(change_writes) <= 3 and int(change_total) == int(total) + int(change_writes)


def test_forms_benchmark_leaves_the_form_on_every_issue():
    out = run_bench("forms", ["--issues", "10", "--fault-runs", "0"])
    assert "ROLL issues holding the form afterwards: 10 of 10" in out, out
    second = re.search(r"^second run \(idempotent\)\s+\S+\s+\d+\s+\d+\s+\d+\s+(\d+)\s+(\d+)\s+(\d+)", out, re.M)
    assert second and second.groups() == ("0", "0", "0"), out  # writes, add POSTs, changed items


def test_remote_benchmark_sends_no_more_requests_than_the_loop_and_never_too_many_at_once():
    out = run_bench("remote", ["--smoke"])
    for section in REMOTE_SECTIONS:
        assert section in out, out
    # run, per file, total, "N (R a file)", search pages, writes, most in flight, faster
    files = re.findall(
        r"^(a task for each file.*?|one task, concurrency (\d+))\s{2,}\S+\s+.*?\s(\d+) \(([\d.]+) per file\)\s+(-|\d+)\s+(\d+)\s+(\d+)",
        out,
        re.M,
    )
    assert len(files) == 4, out
    loop, tasks = files[0], files[1:]
    # The loop: one lookup and one page a file. One grids task: one page a file, the keys in one search.
    assert (loop[3], loop[4]) == ("2.0", "-"), out
    assert set((f[3], f[4]) for f in tasks) == {("1.0", "1")}, out
    for _run, concurrency, _total, _per, _searches, writes, in_flight in files:
        assert int(writes) == 0
        assert int(in_flight) <= int(concurrency or 1), out
    faults = re.search(r"^1\s+(\d+) of (\d+)\s+(\d+)\s+(\d+)\s+(\d+)", out, re.M)
    assert faults and faults.group(1) == faults.group(2) and faults.groups()[2:] == ("0", "0", "0"), out
