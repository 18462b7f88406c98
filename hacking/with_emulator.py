"""Run a command while the Jira emulator serves, with JIRA_URL pointing at it.

Usage (with the venv interpreter, which has the emulator's dependencies)::

    .venv/bin/python hacking/with_emulator.py [--context-path /jira] -- COMMAND [ARGS...]

The emulator is started through ``tests/emulator/jira_emulator/process.py``'s
``EmulatorProcess`` and stopped when the command ends; the exit code is the
command's. Used by ``hacking/dev.py demo``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--context-path", default="", help="URL prefix the emulator serves under, e.g. /jira")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run (after --)")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))
    from jira_emulator.process import EmulatorProcess  # pylint: disable=import-outside-toplevel

    with EmulatorProcess(data=None, context_path=args.context_path) as emulator:
        url = emulator.url
        print("Jira emulator listening at %s" % url, flush=True)
        env = dict(os.environ, JIRA_URL=url)
        try:
            return subprocess.call(command, env=env)
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main())
