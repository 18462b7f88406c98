"""Developer and CI entry point of the jira.addons collection: nox, made ready, then run.

Standard library only; run it with any Python 3.10 or newer::

    python3 hacking/dev.py test      # every check, as CI runs it (.ci/run): nox -t ci, two sessions at a time
    python3 hacking/dev.py test -s units-2.16 sanity-2.16   # those sessions instead, two at a time
    python3 hacking/dev.py demo      # playbooks/demo.yml against a local Jira emulator (nox -s demo)
    python3 hacking/dev.py demo --playbook playbooks/nightly_export.yml [-- ANSIBLE_PLAYBOOK_ARGS]
    python3 hacking/dev.py bench [grid|forms|export] [-- ARGS]   # benchmarks; they print figures
    python3 hacking/dev.py nox [NOX_ARGS]   # nox itself, e.g. nox -s integration-2.21, nox -t 2.16, nox -l

The sessions are in noxfile.py (and antsibull-nox.toml). What this script adds is what nox does not
do: a venv with nox, antsibull-nox and uv (.cache/nox-venv, from tests/requirements-nox.txt, made
again when that file changes), and for ``test`` the sessions run two at a time with a summary at the
end: each session's result and time, and the tests all pytest sessions ran.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOX_VENV = os.path.join(ROOT, ".cache", "nox-venv")
NOX_PYTHON = os.path.join(NOX_VENV, "bin", "python")
NOX = os.path.join(NOX_VENV, "bin", "nox")
REQUIREMENTS = os.path.join(ROOT, "tests", "requirements-nox.txt")
STAMP = os.path.join(NOX_VENV, ".jira-addons-requirements.sha256")

# Sessions at a time under `test`: the machines CI runs on have 2 cores.
PARALLEL = os.environ.get("NOX_PARALLEL", "2")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from streaming import run_streaming  # noqa: E402  # pylint: disable=wrong-import-position


def say(message: str = "") -> None:
    print(message, flush=True)


def rel(path: str) -> str:
    return os.path.relpath(path, ROOT)


def _stamp() -> str:
    digest = hashlib.sha256(b"stamp-v1 python%d.%d\n" % sys.version_info[:2])
    with open(REQUIREMENTS, "rb") as handle:
        digest.update(handle.read())
    return digest.hexdigest()


def ensure_nox() -> None:
    """Create .cache/nox-venv with nox, antsibull-nox and uv unless its stamp says it is up to date."""
    wanted = _stamp()
    if os.path.exists(NOX) and os.path.exists(STAMP):
        with open(STAMP, encoding="utf-8") as handle:
            if handle.read().strip() == wanted:
                return
    if sys.version_info < (3, 10):  # noqa: UP036  # dev.py runs on whatever python3 there is
        raise SystemExit("dev.py: nox needs Python 3.10 or newer (this is %s)" % sys.version.split()[0])
    say("==> installing %s into %s" % (rel(REQUIREMENTS), rel(NOX_VENV)))
    started = time.monotonic()
    shutil.rmtree(NOX_VENV, ignore_errors=True)
    subprocess.check_call([sys.executable, "-m", "venv", NOX_VENV], stdin=subprocess.DEVNULL)
    command = [NOX_PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", "-q"]
    code = subprocess.call(command + ["-r", REQUIREMENTS], stdin=subprocess.DEVNULL, cwd=ROOT)
    if code:
        raise SystemExit("dev.py: pip install into %s failed with exit code %d" % (rel(NOX_VENV), code))
    with open(STAMP, "w", encoding="utf-8") as handle:
        handle.write(wanted + "\n")
    say("==> %s ready (%.1fs)" % (rel(NOX_VENV), time.monotonic() - started))


def nox_env() -> dict[str, str]:
    env = dict(os.environ)
    # uv and nox from the venv; no interpreter downloads (nothing but the package registries is reachable).
    env["PATH"] = os.path.dirname(NOX) + os.pathsep + env.get("PATH", "")
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    return env


def nox(args: list[str]) -> int:
    ensure_nox()
    return subprocess.call([NOX, "-f", os.path.join(ROOT, "noxfile.py")] + args, cwd=ROOT, env=nox_env())


# --------------------------------------------------------------------------- test

_SESSION_DONE = re.compile(r"^nox > Session (\S+) (was successful|failed|was skipped|aborted)")
_SESSION_COST = re.compile(r"^nox > cost of (\S+): (\d+) s wall, (\d+) s CPU$")
_PYTEST_SUMMARY = re.compile(r"^=+ (?P<counts>(\d+ \w+(, )?)+) in [\d.]+s( \([\d:]+\))? =+$")


def cmd_test(args: list[str]) -> int:
    """nox -t ci (what CI runs), PARALLEL sessions at a time; then a summary."""
    ensure_nox()
    env = nox_env()
    # What CI runs, locally too: antsibull-nox's formatters check rather than rewrite files when CI is set.
    env.setdefault("CI", "true")
    # Sessions chosen with -s/-t/-k run instead of the ci ones (nox joins those options with "or").
    chosen = any(arg.split("=")[0] in ("-s", "-e", "--session", "--sessions", "-t", "--tags", "-k") for arg in args)
    command = [NOX, "-f", os.path.join(ROOT, "noxfile.py"), "--parallel", PARALLEL]
    command += args if chosen else ["-t", "ci"] + args
    say("$ " + " ".join(command))
    started = time.monotonic()
    code, lines = run_streaming(command, cwd=ROOT, env=env)
    total = round(time.monotonic() - started)

    counts: dict[str, int] = {}
    results: dict[str, str] = {}
    costs: dict[str, tuple[int, int]] = {}
    for line in lines:
        done = _SESSION_DONE.match(line)
        if done:
            results[done.group(1)] = "OK" if done.group(2) == "was successful" else done.group(2).split()[-1].upper()
        cost = _SESSION_COST.match(line)
        if cost:
            costs[cost.group(1)] = (int(cost.group(2)), int(cost.group(3)))
        summary = _PYTEST_SUMMARY.match(line.strip())
        if summary:
            for part in summary.group("counts").split(", "):
                number, word = part.split(" ", 1)
                counts[word] = counts.get(word, 0) + int(number)
    say()
    say("dev.py test: each session's result, wall time and the CPU time of what it ran")
    for name in sorted(set(results) | set(costs), key=lambda name: -costs.get(name, (0, 0))[0]):
        wall, cpu = costs.get(name, (0, 0))
        say("  %-24s %-8s %5d s %6d s CPU" % (name, results.get(name, "?"), wall, cpu))
    failed = sorted(name for name, result in results.items() if result != "OK")
    cpu_total = sum(cpu for _wall, cpu in costs.values())
    say(
        "dev.py test: %s in %d s (%d:%02d), %d s CPU in the sessions"
        % (
            "OK" if code == 0 else "FAILED: %s" % (", ".join(failed) or "nox exit code %d" % code),
            total,
            total // 60,
            total % 60,
            cpu_total,
        )
    )
    passed = counts.pop("passed", 0)
    failed = counts.pop("failed", 0) + counts.pop("error", 0) + counts.pop("errors", 0)
    skipped = counts.pop("skipped", 0)
    # One line with the tests of every pytest session, so the test counts are the last thing printed.
    say("pytest: %d passed, %d failed%s" % (passed, failed, ", %d skipped" % skipped if skipped else ""))
    return code


# --------------------------------------------------------------------------- demo / bench


def cmd_demo(args: list[str]) -> int:
    """nox -s demo -- ARGS (``--playbook FILE``, ``--context-path P``, then ansible-playbook's after ``--``)."""
    return nox(["-s", "demo", "--"] + args)


def cmd_bench(args: list[str]) -> int:
    return nox(["-s", "bench", "--"] + args)


COMMANDS = {
    "test": cmd_test,
    "demo": cmd_demo,
    "bench": cmd_bench,
    "nox": nox,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        say(__doc__.strip())
        return 0 if argv[:1] in ([], ["-h"], ["--help"]) else 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
