"""Figures for jira.addons.proforma_export: peak memory of the module, and download time against plain requests.

Usage (the venv interpreter has the emulator's dependencies)::

    .venv/bin/python hacking/bench_export.py [--sizes 10000 100000] [--xlsx-sizes 10000] [--repeat 3]

1. Peak memory: the module runs as its own Python process, exactly as Ansible runs it (arguments from a
   JSON file), started by a small launcher that reads its peak RSS (``RUSAGE_CHILDREN``). Runs: a new file, the same
   export again (unchanged), the same data in other bytes (compared as data), and ``--diff`` after a change.
2. Time from completed export to ``dest`` in place: the module's own code path (download streamed to a
   temporary file, verified, compared with ``dest``, renamed) against a plain ``requests`` streaming
   download of another export of the same data (a download consumes an export). Median of ``--repeat``.
   On loopback (the emulator sends as fast as it can) and, with ``--link-mbit``, over a link of that speed
   (the emulator paces the download), where the module's check runs while the bytes arrive.

Prints figures; asserts nothing (timings are not tests).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))

from jira_emulator.process import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position
from paths import collections_root  # noqa: E402  pylint: disable=wrong-import-position

ADMIN = ("admin", "admin-pass")
MODULE = "ansible_collections.jira.addons.plugins.modules.proforma_export"


# Linux gives a new process the peak RSS of the one it was forked from, so the module is started by this
# small launcher rather than by the benchmark (whose own memory would count); the launcher reports the
# peak RSS of its one child.
LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def run_module(args, tmp, coll_root):
    """Run the module as its own process; return (result, peak RSS in MB, seconds)."""
    args_file = os.path.join(tmp, "args.json")
    rss_file = os.path.join(tmp, "rss")
    with open(args_file, "w") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": dict(args, _ansible_tmpdir=tmp, _ansible_remote_tmp=tmp)}, handle)
    env = dict(os.environ, PYTHONPATH=coll_root)
    command = [sys.executable, "-c", LAUNCHER, rss_file, sys.executable, "-m", MODULE, args_file]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    with open(rss_file) as handle:
        rss_mb = int(handle.read()) / 1024.0  # ru_maxrss is in KB on Linux
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise RuntimeError("the module printed no JSON:\n%s\n%s" % (proc.stdout[-2000:], proc.stderr[-2000:])) from None
    if result.get("failed"):
        raise RuntimeError("the module failed: %s" % result.get("msg"))
    return result, rss_mb, seconds


def memory_rows(emu, fmt, size, tmp, coll_root):
    emu.settings(export_seconds=0, export_synthetic_responses=size)
    dest = os.path.join(tmp, "bench.%s" % fmt)
    if os.path.exists(dest):
        os.unlink(dest)
    base = dict(url=emu.url, username=ADMIN[0], password=ADMIN[1], project="DEMO", template_id=1)
    base.update(format=fmt, fields=["summary", "status"], dest=dest, poll_interval=0.5)
    rows = []
    result, rss, seconds = run_module(base, tmp, coll_root)
    rows.append((fmt, size, "new file", result["changed"], result["size"], rss, seconds))
    result, rss, seconds = run_module(base, tmp, coll_root)
    rows.append((fmt, size, "same export again", result["changed"], result["size"], rss, seconds))
    if fmt == "json":
        with open(dest) as handle:
            doc = json.load(handle)
        with open(dest, "w") as handle:
            json.dump(doc, handle, indent=1, sort_keys=True)  # the same data in other bytes
        del doc
        result, rss, seconds = run_module(base, tmp, coll_root)
        rows.append((fmt, size, "same data, other bytes", result["changed"], result["size"], rss, seconds))
    result, rss, seconds = run_module(dict(base, fields=["summary"], _ansible_diff=True), tmp, coll_root)
    rows.append((fmt, size, "every response changed, --diff", result["changed"], result["size"], rss, seconds))
    os.unlink(dest)
    return rows


def completed_export(session, url, fmt):
    """Start an export and wait until it is complete; return its download URL."""
    body = {"type": "responses-" + fmt, "projectKey": "DEMO", "templateFormId": 1, "fields": ["summary", "status"]}
    started = session.post(url + "/rest/proforma/1/export", json=body)
    started.raise_for_status()
    while True:
        status = session.get(started.json()["statusUrl"]).json()
        if status["complete"]:
            return status["downloadUrl"]
        time.sleep(0.05)


def plain_download(session, download_url, path):
    started = time.perf_counter()
    with session.get(download_url, stream=True) as response:
        response.raise_for_status()
        with open(path, "wb") as out:
            for chunk in response.iter_content(1024 * 1024):
                out.write(chunk)
    return time.perf_counter() - started


def module_download(emu, fmt, dest, work_dir):
    """The module's path after the export is complete: export_to_file with the wait already done."""
    from ansible_collections.jira.addons.plugins.module_utils.client import JiraClient
    from ansible_collections.jira.addons.plugins.module_utils.export_apply import export_to_file
    from ansible_collections.jira.addons.plugins.module_utils.export_download import ExportRunner, ExportSpec
    from ansible_collections.jira.addons.plugins.module_utils.proforma_api import ProformaApi

    class Prepared(ExportRunner):
        """An ExportRunner whose export was started and completed before the clock starts."""

        def prepare(self):
            self.ready = ExportRunner.start_and_wait(self)

        def start_and_wait(self):
            return self.ready

    client = JiraClient(emu.url, username=ADMIN[0], password=ADMIN[1])
    spec = ExportSpec("DEMO", 1, format=fmt, fields=["summary", "status"], poll_interval=0.05, retries=0)
    runner = Prepared(ProformaApi(client), spec)
    runner.prepare()
    started = time.perf_counter()
    result = export_to_file(runner, dest, False, False, work_dir, shutil.move)
    seconds = time.perf_counter() - started
    client.close()
    return seconds, result


# The least a verified download must check (a JSON file parses, an XLSX file opens), done by the
# standard library at C speed and with no memory limit: a lower bound for any verified download.
LEAST_CHECK = {"json": "json.load", "xlsx": "zipfile CRC test"}


def check_seconds(fmt, path):
    """Seconds for the least check of a downloaded file."""
    import zipfile

    started = time.perf_counter()
    if fmt == "json":
        with open(path, "rb") as handle:
            json.load(handle)
    else:
        with zipfile.ZipFile(path) as workbook:
            assert workbook.testzip() is None
    return time.perf_counter() - started


def timing_rows(emu, fmt, size, tmp, repeat, mbit=0):
    import requests

    rate = mbit * 1e6 / 8
    emu.settings(export_seconds=0, export_synthetic_responses=size, download_bytes_per_second=rate)
    link = "%d Mbit/s" % mbit if mbit else "loopback"
    session = requests.Session()
    session.auth = ADMIN
    dest = os.path.join(tmp, "timed.%s" % fmt)
    plain, checked, new, same = [], [], [], []
    for _round in range(repeat):
        plain_path = os.path.join(tmp, "plain")
        plain.append(plain_download(session, completed_export(session, emu.url, fmt), plain_path))
        checked.append(plain[-1] + check_seconds(fmt, plain_path))
        if os.path.exists(dest):
            os.unlink(dest)
        seconds, result = module_download(emu, fmt, dest, tmp)
        assert result["changed"], result
        new.append(seconds)
        seconds, result = module_download(emu, fmt, dest, tmp)
        assert not result["changed"], result
        same.append(seconds)
    emu.settings(download_bytes_per_second=0)
    size_mb = os.path.getsize(dest) / 1e6
    base = statistics.median(plain)
    head = (fmt, size, "%.1f" % size_mb, link)
    return [
        head + ("plain requests download", base, 1.0),
        head
        + (
            "plain download + the least check (%s)" % LEAST_CHECK[fmt],
            statistics.median(checked),
            statistics.median(checked) / base,
        ),
        head + ("module: new dest", statistics.median(new), statistics.median(new) / base),
        head + ("module: unchanged dest", statistics.median(same), statistics.median(same) / base),
    ]


def table(headers, rows):
    """Print rows as an aligned text table."""
    text = [[("%.2f" % c) if isinstance(c, float) else str(c) for c in row] for row in rows]
    widths = [max(len(x) for x in column) for column in zip(headers, *text)]
    print("  ".join(h.ljust(w) for w, h in zip(widths, headers)))
    print("  ".join("-" * w for w in widths))
    for row in text:
        print("  ".join(c.ljust(w) for w, c in zip(widths, row)))
    print(flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000, 100000], help="JSON export sizes")
    parser.add_argument("--xlsx-sizes", type=int, nargs="*", default=[10000], help="XLSX export sizes (slow)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per size (median)")
    parser.add_argument(
        "--link-mbit",
        type=int,
        nargs="*",
        default=[1000, 100],
        help="also time downloads over links of these speeds (the emulator paces them); none: loopback only",
    )
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="bench-export-")
    coll_root = collections_root()
    sys.path.insert(0, coll_root)
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    try:
        with EmulatorProcess() as emu:
            cases = [("json", n) for n in args.sizes] + [("xlsx", n) for n in args.xlsx_sizes]
            memory = []
            for fmt, size in [("json", 0)] + cases:
                memory += memory_rows(emu, fmt, size, work, coll_root)
            print("Peak RSS of the module process (RUSAGE_CHILDREN of a launcher), whole run including the export:")
            table(["format", "responses", "run", "changed", "bytes", "peak RSS MB", "seconds"], memory)
            timing = []
            for fmt, size in cases:
                for mbit in [0] + list(args.link_mbit):
                    timing += timing_rows(emu, fmt, size, work, args.repeat, mbit)
            print("Time from completed export to dest in place (median of %d):" % args.repeat)
            table(["format", "responses", "MB", "link", "how", "seconds", "x plain"], timing)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
