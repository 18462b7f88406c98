"""What the benchmarks share: the emulator, running a module as its own process, and a table printer.

Benchmarks print figures; they assert nothing about time (see hacking/bench.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))
sys.path.insert(0, ROOT)

import yaml  # noqa: E402  pylint: disable=wrong-import-position
from jira_emulator.process import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position
from paths import collections_root  # noqa: E402  pylint: disable=wrong-import-position

DEFAULT_FIXTURE = os.path.join(ROOT, "tests", "emulator", "jira_emulator", "fixtures", "default.yml")
ADMIN = {"username": "admin", "password": "admin-pass"}

__all__ = ["EmulatorProcess", "default_fixture", "collections_root", "run_module", "table", "ADMIN"]


def default_fixture():
    """The emulator's default fixture as a dict, to extend."""
    with open(DEFAULT_FIXTURE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def run_module(name, args):
    """Run ``jira.addons.<name>`` as its own Python process, as Ansible would; return (result, seconds).

    The module gets its arguments from a file (Ansible's debugging entry point), so the time is the
    module's alone: Python start, imports, its requests and its work, without ansible-playbook around it.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    env = dict(os.environ, PYTHONPATH=collections_root())
    command = [sys.executable, "-m", "ansible_collections.jira.addons.plugins.modules." + name, handle.name]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    os.unlink(handle.name)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise RuntimeError(
            "module %s printed no JSON:\n%s\n%s" % (name, proc.stdout[-2000:], proc.stderr[-2000:])
        ) from None
    return result, seconds


def table(headers, rows):
    """Print rows as an aligned text table."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, headers))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join("%-*s" % (w, c) for w, c in zip(widths, row)))
    sys.stdout.flush()
