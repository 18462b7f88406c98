"""Run a command while its output streams to the console (and a log), keeping the lines to read afterwards.

Standard library only: hacking/dev.py imports it before the venv exists.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TextIO


def run_streaming(command: list[str], log: TextIO | None = None, **popen) -> tuple[int, list[str]]:
    """Run ``command`` (stderr merged into stdout, no stdin), copying each line as it comes to stdout and ``log``.

    Returns (exit code, the lines without their newline). ``popen`` is passed to subprocess.Popen
    (``cwd``, ``env``); an OSError from starting the command is the caller's to handle.
    """
    lines = []
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
        **popen,
    )
    assert proc.stdout is not None
    with proc.stdout:
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if log is not None:
                log.write(line)
            lines.append(line.rstrip("\n"))
    return proc.wait(), lines
