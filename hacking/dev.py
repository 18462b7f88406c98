"""Developer and CI entry point for the jira.addons collection.

Standard library only; run it with any Python 3.11::

    python3 hacking/dev.py venv      # create/refresh .venv from tests/requirements.txt + requirements.txt
    python3 hacking/dev.py test      # every check, as CI runs it (.ci/run)
    python3 hacking/dev.py test --only sanity,pytest
    python3 hacking/dev.py test --only pytest -k grid -- -x -vv
    python3 hacking/dev.py sanity    # = test --only sanity
    python3 hacking/dev.py lint      # = test --only ruff,docs,changelog,ansible-lint
    python3 hacking/dev.py demo      # playbooks/demo.yml against a local Jira emulator
    python3 hacking/dev.py demo --playbook playbooks/nightly_export.yml [-- ANSIBLE_PLAYBOOK_ARGS]
    python3 hacking/dev.py bench [grid|forms|export] [-- ARGS]   # benchmarks; they print figures

`test` copies the collection (git-tracked files, plus untracked files that are
not ignored) into the real directory .cache/ci/ansible_collections/jira/addons
and runs every step there, even after a failure; it exits non-zero if any step
failed. Logs of each step are kept in .cache/ci/logs/.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE, NAME = "jira", "addons"
VENV = os.path.join(ROOT, ".venv")
VENV_BIN = os.path.join(VENV, "bin")
VENV_PY = os.path.join(VENV_BIN, "python")
STAMP = os.path.join(VENV, ".jira-addons-requirements.sha256")
REQUIREMENT_FILES = ("tests/requirements.txt", "requirements.txt")
PYTHON_VERSION = "3.11"

CACHE = os.path.join(ROOT, ".cache")
CI_DIR = os.path.join(CACHE, "ci")  # ANSIBLE_COLLECTIONS_PATH for the staged copy
CI_COLLECTION = os.path.join(CI_DIR, "ansible_collections", NAMESPACE, NAME)
CI_LOGS = os.path.join(CI_DIR, "logs")

STEPS = ("ruff", "sanity", "pytest", "docs", "docs-site", "changelog", "ansible-lint", "build", "ee", "importer")
LINT_STEPS = ("ruff", "docs", "docs-site", "changelog", "ansible-lint")
RUFF_PATHS = ("plugins", "tests", "hacking")
PYTEST_PATHS = ("tests/unit", "tests/emulator", "tests/integration")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ansible_test_bootstrap  # noqa: E402  # pylint: disable=wrong-import-position
from paths import linked_collections  # noqa: E402  # pylint: disable=wrong-import-position
from streaming import run_streaming  # noqa: E402  # pylint: disable=wrong-import-position


def say(message: str = "") -> None:
    print(message, flush=True)


def fail(message: str) -> None:
    say("dev.py: error: %s" % message)
    sys.exit(2)


def rel(path: str) -> str:
    return os.path.relpath(path, ROOT)


# --------------------------------------------------------------------------- venv


def _base_python() -> str:
    """An interpreter of PYTHON_VERSION to build the venv with."""
    if "%d.%d" % sys.version_info[:2] == PYTHON_VERSION:
        return sys.executable
    found = shutil.which("python" + PYTHON_VERSION)
    if not found:
        fail("Python %s is required (running %s)" % (PYTHON_VERSION, sys.version.split()[0]))
    return found


def _requirements_hash() -> str:
    digest = hashlib.sha256()
    digest.update(("stamp-v1 python%s\n" % PYTHON_VERSION).encode())
    for name in REQUIREMENT_FILES:
        path = os.path.join(ROOT, name)
        digest.update(name.encode() + b"\0")
        if os.path.exists(path):
            with open(path, "rb") as handle:
                digest.update(handle.read())
        digest.update(b"\0")
    return digest.hexdigest()


def _venv_usable() -> bool:
    if not os.path.exists(VENV_PY):
        return False
    try:
        out = subprocess.check_output(
            [VENV_PY, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            universal_newlines=True,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError):
        return False
    return out.strip() == PYTHON_VERSION


def ensure_venv(force: bool = False) -> None:
    """Create .venv if needed and install the pinned requirements unless the stamp matches."""
    wanted = _requirements_hash()
    if not _venv_usable():
        if os.path.exists(VENV):
            say("==> removing unusable %s" % rel(VENV))
            shutil.rmtree(VENV)
        say("==> creating %s" % rel(VENV))
        subprocess.check_call([_base_python(), "-m", "venv", VENV], stdin=subprocess.DEVNULL)
    elif not force and os.path.exists(STAMP):
        with open(STAMP, encoding="utf-8") as handle:
            if handle.read().strip() == wanted:
                return
    files = [name for name in REQUIREMENT_FILES if os.path.exists(os.path.join(ROOT, name))]
    say("==> installing %s into %s (first run takes about a minute)" % (" + ".join(files), rel(VENV)))
    started = time.monotonic()
    command = [VENV_PY, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", "-q"]
    for name in files:
        command += ["-r", os.path.join(ROOT, name)]
    if os.path.exists(STAMP):
        os.unlink(STAMP)
    code = subprocess.call(command, stdin=subprocess.DEVNULL, cwd=ROOT)
    if code:
        fail("pip install failed with exit code %d" % code)
    with open(STAMP, "w", encoding="utf-8") as handle:
        handle.write(wanted + "\n")
    say("==> %s ready (%.1fs)" % (rel(VENV), time.monotonic() - started))


def tool_env(**extra: str) -> dict[str, str]:
    """Environment for tools from the venv: venv first on PATH, Ansible temp dirs private."""
    env = dict(os.environ)
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = VENV
    env.pop("PYTHONHOME", None)
    env["ANSIBLE_PYTHON_INTERPRETER"] = VENV_PY
    tmp = tempfile.mkdtemp(prefix="ansible-", dir=_tmp_root())
    env["ANSIBLE_REMOTE_TMP"] = tmp
    env["ANSIBLE_LOCAL_TEMP"] = tmp
    if not sys.stdout.isatty():
        env.setdefault("NO_COLOR", "1")  # plain logs in CI and in .cache/ci/logs
    env.update(extra)
    return env


_TMP_ROOT = [os.path.join(CACHE, "tmp")]


def _tmp_root() -> str:
    os.makedirs(_TMP_ROOT[0], exist_ok=True)
    return _TMP_ROOT[0]


# --------------------------------------------------------------------------- staging


def _list_files() -> list[str]:
    """Files of the collection: git-tracked plus untracked-but-not-ignored (relative paths)."""
    try:
        out = subprocess.check_output(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError):
        fail("`git ls-files` failed: run from a git checkout of the collection")
    names = sorted({name for name in out.decode("utf-8", "surrogateescape").split("\0") if name})
    return [name for name in names if os.path.lexists(os.path.join(ROOT, name))]


def stage() -> int:
    """Copy the collection into CI_COLLECTION (a real directory, fresh each run)."""
    if os.path.lexists(os.path.join(CI_DIR, "ansible_collections")):
        shutil.rmtree(os.path.join(CI_DIR, "ansible_collections"))
    os.makedirs(CI_COLLECTION)
    files = _list_files()
    for name in files:
        source = os.path.join(ROOT, name)
        target = os.path.join(CI_COLLECTION, name)
        if os.path.isdir(source) and not os.path.islink(source):
            continue  # a submodule; the collection has none
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    # ansible-test (and ansible-lint) list content with git when they find a .git directory;
    # without one of its own the copy would resolve to this repo, where .cache/ is ignored.
    subprocess.check_call(["git", "init", "-q", CI_COLLECTION], stdin=subprocess.DEVNULL)
    return len(files)


# --------------------------------------------------------------------------- steps


class Step:
    def __init__(self, name: str, title: str) -> None:
        self.name = name
        self.title = title
        self.ok = None  # type: bool | None
        self.seconds = 0.0
        self.note = ""
        self.closing = ""  # a line to repeat at the very end (pytest's summary line)


def run(command: list[str], env: dict[str, str], log, cwd: str = CI_COLLECTION) -> tuple[int, list[str]]:
    """Run ``command``, streaming its output to the console and to ``log``; return (code, lines)."""
    say("$ " + " ".join(command))
    log.write("$ %s\n" % " ".join(command))
    try:
        code, lines = run_streaming(command, log, cwd=cwd, env=env)
    except OSError as exc:
        say("cannot run %s: %s" % (command[0], exc))
        return 127, []
    log.write("[exit code %d]\n" % code)
    return code, lines


def venv_tool(name: str) -> str:
    return os.path.join(VENV_BIN, name)


def step_ruff(step: Step, options, log) -> bool:
    paths = [path for path in RUFF_PATHS if os.path.isdir(os.path.join(CI_COLLECTION, path))]
    env = tool_env()
    code_check = run([venv_tool("ruff"), "check", "--no-cache", *paths], env, log)[0]
    code_format = run([venv_tool("ruff"), "format", "--no-cache", "--check", "--diff", *paths], env, log)[0]
    notes = []
    if code_check:
        notes.append("ruff check failed")
    if code_format:
        notes.append("ruff format --check failed (run: .venv/bin/ruff format plugins tests hacking)")
    step.note = "; ".join(notes)
    return not (code_check or code_format)


_SANITY_ISSUES = re.compile(r"^ERROR: Found (\d+) (\S+) issue\(s\) which need to be resolved")


_SANITY_RUNNING = re.compile(r'^Running sanity test "([^"]+)"')


def step_sanity(step: Step, options, log) -> bool:
    ansible_test_bootstrap.ensure(VENV_PY, log=say)
    command = [venv_tool("ansible-test"), "sanity", "--local", "--python", PYTHON_VERSION, "--color", "no"]
    if options.verbose:
        command.append("-v")
    code, lines = run(command, tool_env(), log)
    notes = []
    current = ""
    failed_tests = []
    listing = False
    for line in lines:
        running = _SANITY_RUNNING.match(line)
        if running:
            current = running.group(1)
        issues = _SANITY_ISSUES.match(line)
        if issues:
            notes.append("%s: %s issue(s)" % (issues.group(2), issues.group(1)))
        elif line.startswith("ERROR: Command ") and current:
            notes.append("%s: command failed" % current)
        elif line.startswith("FATAL: The ") and "sanity test(s) listed below" in line:
            listing = True
        elif listing and re.match(r"^[\w.-]+$", line):
            failed_tests.append(line)
        elif line.startswith("FATAL: "):
            notes.append("%s: aborted the run (%s)" % (current or "ansible-test", line[7:90]))
    if failed_tests:
        notes.append("failed tests: " + ", ".join(failed_tests))
    if code and not notes:
        notes.append("exit code %d" % code)
    step.note = "; ".join(notes)
    return code == 0


_PYTEST_SUMMARY = re.compile(r"^(\d+ \w+(, \d+ \w+)*|no tests ran) in [\d.]+s( \([\d:]+\))?$")


def step_pytest(step: Step, options, log) -> bool:
    paths = [path for path in PYTEST_PATHS if os.path.isdir(os.path.join(CI_COLLECTION, path))]
    if not paths:
        step.note = "no test directories (%s)" % ", ".join(PYTEST_PATHS)
        return False
    command = [venv_tool("python"), "-m", "pytest", "--ansible-unit-inject-only", "-p", "no:cacheprovider"]
    # Most of the time goes to ansible-playbook processes waiting on each other; each xdist worker
    # starts its own emulator, so the integration tests do not share state.
    command += ["-n", str(options.jobs)] if options.jobs > 1 else []
    if options.k:
        command += ["-k", options.k]
    command += list(options.pytest_args) + paths
    env = tool_env(ANSIBLE_COLLECTIONS_PATH=CI_DIR, PYTHONDONTWRITEBYTECODE="1")
    code, lines = run(command, env, log)
    summary = [line for line in lines if _PYTEST_SUMMARY.match(line.strip("= "))]
    step.note = summary[-1].strip("= ") if summary else "no pytest summary line"
    step.closing = summary[-1].strip() if summary else ""
    if code == 5:
        step.note += " (exit code 5: no tests collected)"
    return code == 0


def step_docs(step: Step, options, log) -> bool:
    command = [venv_tool("antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."]
    code = run(command, tool_env(ANSIBLE_COLLECTIONS_PATH=CI_DIR), log)[0]
    return code == 0


def step_docs_site(step: Step, options, log) -> bool:
    # Built outside the staged copy, which the next run wipes; every Sphinx warning fails the step.
    dest = os.path.join(CI_DIR, "docs-site")
    command = [VENV_PY, os.path.join(CI_COLLECTION, "hacking", "docs_site.py"), "--dest", dest]
    code = run(command, tool_env(ANSIBLE_COLLECTIONS_PATH=CI_DIR), log)[0]
    if code == 0:
        step.note = "open %s" % rel(os.path.join(dest, "build", "html", "collections", NAMESPACE, NAME, "index.html"))
    return code == 0


def step_changelog(step: Step, options, log) -> bool:
    code = run([venv_tool("antsibull-changelog"), "lint"], tool_env(), log)[0]
    return code == 0


def step_ansible_lint(step: Step, options, log) -> bool:
    env = tool_env(ANSIBLE_COLLECTIONS_PATH=CI_DIR)
    code = run([venv_tool("ansible-lint"), "--offline"], env, log)[0]
    return code == 0


def step_build(step: Step, options, log) -> bool:
    # ansible-lint leaves its cache in <project>/.ansible; it is not part of the collection.
    shutil.rmtree(os.path.join(CI_COLLECTION, ".ansible"), ignore_errors=True)
    output = os.path.join(CI_DIR, "dist")
    shutil.rmtree(output, ignore_errors=True)
    os.makedirs(output)
    command = [venv_tool("ansible-galaxy"), "collection", "build", "--force", "--output-path", output]
    code = run(command, tool_env(), log)[0]
    built = sorted(name for name in os.listdir(output) if name.endswith(".tar.gz"))
    if built:
        size = os.path.getsize(os.path.join(output, built[-1]))
        step.note = "%s (%d KiB)" % (rel(os.path.join(output, built[-1])), size // 1024)
    return code == 0 and bool(built)


def step_ee(step: Step, options, log) -> bool:
    command = [VENV_PY, os.path.join(ROOT, "hacking", "check_release.py"), "ee", "--collections", CI_DIR]
    return run(command, tool_env(), log)[0] == 0


def step_importer(step: Step, options, log) -> bool:
    output = os.path.join(CI_DIR, "dist")
    built = sorted(name for name in os.listdir(output) if name.endswith(".tar.gz")) if os.path.isdir(output) else []
    if not built:
        step.note = "no built collection in %s: the build step must run first" % rel(output)
        return False
    # Run from the checkout, not the staged copy: galaxy-importer's venv is kept in the checkout's .cache.
    checker = os.path.join(ROOT, "hacking", "check_release.py")
    code = run([VENV_PY, checker, "importer", "--strict", os.path.join(output, built[-1])], tool_env(), log)[0]
    return code == 0


STEP_FUNCS = {
    "ruff": (step_ruff, "ruff check + ruff format --check"),
    "sanity": (step_sanity, "ansible-test sanity --local --python " + PYTHON_VERSION),
    "pytest": (step_pytest, "pytest " + " ".join(PYTEST_PATHS)),
    "docs": (step_docs, "antsibull-docs lint-collection-docs --plugin-docs"),
    "docs-site": (step_docs_site, "antsibull-docs + sphinx-build -W: the collection docs site, offline"),
    "changelog": (step_changelog, "antsibull-changelog lint"),
    "ansible-lint": (step_ansible_lint, "ansible-lint --offline"),
    "build": (step_build, "ansible-galaxy collection build"),
    "ee": (step_ee, "ansible-builder create + introspect (docs/execution-environment)"),
    "importer": (step_importer, "galaxy-importer on the built collection"),
}


def _parse_steps(value: str | None, default: tuple[str, ...]) -> list[str]:
    if not value:
        return list(default)
    names = [name.strip() for name in value.split(",") if name.strip()]
    aliases = {"lint": "ansible-lint", "ansible_lint": "ansible-lint", "galaxy": "build", "units": "pytest"}
    names = [aliases.get(name, name) for name in names]
    unknown = [name for name in names if name not in STEPS]
    if unknown:
        fail("unknown step(s) %s; choose from %s" % (", ".join(unknown), ", ".join(STEPS)))
    return [name for name in STEPS if name in names]


def cmd_test(options) -> int:
    selected = _parse_steps(options.only, STEPS)
    skipped = set(_parse_steps(options.skip, ())) if options.skip else set()
    selected = [name for name in selected if name not in skipped]
    started = time.monotonic()
    ensure_venv()
    count = stage()
    for path in (CI_LOGS, os.path.join(CI_DIR, "tmp")):
        shutil.rmtree(path, ignore_errors=True)
    os.makedirs(CI_LOGS)
    _TMP_ROOT[0] = os.path.join(CI_DIR, "tmp")
    say("==> staged %d files in %s" % (count, rel(CI_COLLECTION)))

    steps = []
    for index, name in enumerate(selected, 1):
        func, title = STEP_FUNCS[name]
        step = Step(name, title)
        steps.append(step)
        say()
        say("=" * 100)
        say("==> [%d/%d] %s: %s" % (index, len(selected), name, title))
        say("=" * 100)
        began = time.monotonic()
        with open(os.path.join(CI_LOGS, name + ".log"), "w", encoding="utf-8") as log:
            try:
                step.ok = func(step, options, log)
            except Exception as exc:  # pylint: disable=broad-exception-caught
                step.ok = False
                step.note = "dev.py error: %s: %s" % (type(exc).__name__, exc)
                say(step.note)
        step.seconds = time.monotonic() - began
        say("<== %s %s in %.1fs%s" % (name, "OK" if step.ok else "FAILED", step.seconds, _note(step)))

    say()
    say("=" * 100)
    say("dev.py test summary (logs in %s)" % rel(CI_LOGS))
    for step in steps:
        say("  %-13s %-7s %7.1fs%s" % (step.name, "OK" if step.ok else "FAILED", step.seconds, _note(step)))
    failed = [step.name for step in steps if not step.ok]
    total = time.monotonic() - started
    if failed:
        say("dev.py test: FAILED step(s): %s (total %.1fs)" % (", ".join(failed), total))
    else:
        say("dev.py test: all %d step(s) OK (total %.1fs)" % (len(steps), total))
    for step in steps:
        if step.closing:
            say(step.closing)  # pytest's own closing line, so the test counts are the last thing printed
    return 1 if failed else 0


def _note(step: Step) -> str:
    return "  -- " + step.note if step.note else ""


# --------------------------------------------------------------------------- demo / bench


def cmd_demo(options) -> int:
    ensure_venv()
    collections = linked_collections()
    playbook = os.path.abspath(options.playbook) if options.playbook else os.path.join(ROOT, "playbooks", "demo.yml")
    if not os.path.exists(playbook):
        fail("%s does not exist" % options.playbook)
    # The emulator's admin, whatever JIRA_* the shell holds (a JIRA_TOKEN beside JIRA_PASSWORD is an error).
    for name in [name for name in os.environ if name.startswith("JIRA_")]:
        del os.environ[name]
    env = tool_env(
        JIRA_USERNAME="admin",
        JIRA_PASSWORD="admin-pass",
        ANSIBLE_COLLECTIONS_PATH=collections,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
    )
    env.pop("ANSIBLE_NOCOLOR", None)
    command = [VENV_PY, os.path.join(ROOT, "hacking", "with_emulator.py")]
    if options.context_path:
        command += ["--context-path", options.context_path]
    command += ["--", venv_tool("ansible-playbook"), playbook] + list(options.playbook_args)
    say("$ " + " ".join(command[command.index("--") + 1 :]))
    return subprocess.call(command, cwd=ROOT, env=env)


def cmd_bench(options) -> int:
    ensure_venv()
    env = tool_env(ANSIBLE_COLLECTIONS_PATH=linked_collections())
    command = [VENV_PY, os.path.join(ROOT, "hacking", "bench.py")] + list(options.args)
    say("$ " + " ".join(command))
    return subprocess.call(command, cwd=ROOT, env=env)


def cmd_venv(options) -> int:
    ensure_venv(force=options.force)
    say("venv: %s (activate with: . .venv/bin/activate)" % rel(VENV))
    return 0


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hacking/dev.py", description="jira.addons developer tooling")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    venv = sub.add_parser("venv", help="create/refresh .venv")
    venv.add_argument("--force", action="store_true", help="reinstall even if the requirements did not change")
    venv.set_defaults(func=cmd_venv)

    def add_test_options(p, only_help: bool = True) -> None:
        if only_help:
            p.add_argument("--only", metavar="STEPS", help="comma-separated steps to run: " + ",".join(STEPS))
            p.add_argument("--skip", metavar="STEPS", help="comma-separated steps to leave out")
        p.add_argument("-k", metavar="EXPR", help="passed to pytest -k")
        p.add_argument(
            "-j",
            "--jobs",
            type=int,
            default=min(os.cpu_count() or 1, 4),
            help="pytest workers (pytest-xdist); 1 runs the tests in one process (default: CPUs, at most 4)",
        )
        p.add_argument("-v", "--verbose", action="store_true", help="more output from ansible-test")
        p.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS", help="extra pytest arguments (after --)")

    test = sub.add_parser("test", help="run every check (what CI runs)")
    add_test_options(test)
    test.set_defaults(func=cmd_test)

    sanity = sub.add_parser("sanity", help="ansible-test sanity only")
    add_test_options(sanity, only_help=False)
    sanity.set_defaults(func=cmd_test, only="sanity", skip=None)

    lint = sub.add_parser("lint", help="ruff, antsibull-docs, antsibull-changelog and ansible-lint")
    add_test_options(lint, only_help=False)
    lint.set_defaults(func=cmd_test, only=",".join(LINT_STEPS), skip=None)

    demo = sub.add_parser("demo", help="run playbooks/demo.yml (or --playbook) against the Jira emulator")
    demo.add_argument(
        "--playbook", metavar="FILE", help="another playbook to run, e.g. playbooks/forms_rollout.yml (default: demo)"
    )
    demo.add_argument("--context-path", default="", help="serve the emulator under this URL prefix")
    demo.add_argument("playbook_args", nargs="*", metavar="-- ANSIBLE_PLAYBOOK_ARGS")
    demo.set_defaults(func=cmd_demo)

    bench = sub.add_parser("bench", help="run the benchmarks")
    bench.add_argument("args", nargs="*", metavar="-- ARGS")
    bench.set_defaults(func=cmd_bench)

    options = parser.parse_args(argv)
    return options.func(options)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
