# /// script
# dependencies = ["nox==2026.10.20", "antsibull-nox==1.10.0", "uv==0.13.9"]
# ///
"""nox sessions of the jira.addons collection.

``python3 hacking/dev.py test`` runs the sessions tagged ``ci`` (what CI runs), two at a time;
``nox -l`` lists them all. The sessions of one ansible-core version, e.g. 2.21::

    nox -s sanity-2.21          # ansible-test sanity --local, that version's own rules, no ignore file
    nox -s units-2.21           # pytest tests/unit
    nox -s integration-2.21     # pytest tests/integration/test_targets.py: every target, real
                                # ansible-playbook against the emulator process (the real-shapes
                                # runs of the targets: on the newest, in the pytest session)
    nox -t 2.21                 # the three of them
    nox -s pytest -- tests/unit -k grid    # test paths after -- replace a pytest session's own

On the newest version the ``pytest`` session runs every test (the unit tests and the integration
targets with the rest), so CI runs units-2.21 and integration-2.21 only through it. A failing
session is named after its version; its first lines say which ansible-core and Python it ran.

Every session that tests the collection works on its own copy of it (git-tracked files plus
untracked ones that are not ignored), staged by antsibull-nox's prepare_collections into
``.cache/nox/<session>/collection-root/ansible_collections/jira/addons``. Each session's venv is
kept in ``.cache/nox/<session>`` and reused on the next run; uv fills it from its cache in
~/.cache/uv, which outlives a fresh clone. The interpreters come from PATH or pyenv (find_python).

The sessions from antsibull-nox (lint, docs-check, extra-checks, build-import-check,
ansible-lint) are configured in antsibull-nox.toml.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import antsibull_nox
import nox
import nox.registry
from antsibull_nox.sessions import prepare_collections

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "hacking"))
import ansible_test_bootstrap  # noqa: E402  # pylint: disable=wrong-import-position

nox.needs_version = ">=2026.10.20"
nox.options.envdir = str(ROOT / ".cache" / "nox")
nox.options.reuse_venv = "yes"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.download_python = "never"
nox.options.error_on_missing_interpreters = True
nox.options.allow_parallel = True  # under nox --parallel N (hacking/dev.py test runs two at a time)
nox.options.tags = ["ci"]  # plain `nox` runs what CI runs

# The ansible-core versions meta/runtime.yml's requires_ansible promises, each with the release tested
# and the controller Python it runs on. The last one is the newest: the full suite runs on it.
MATRIX = {
    "2.16": ("2.16.19", "3.11"),
    "2.17": ("2.17.14", "3.11"),
    "2.18": ("2.18.19", "3.11"),
    "2.19": ("2.19.14", "3.11"),
    "2.20": ("2.20.10", "3.12"),
    "2.21": ("2.21.5", "3.13"),
}
NEWEST = list(MATRIX)[-1]
NEWEST_CORE, NEWEST_PYTHON = MATRIX[NEWEST]

TEST_REQUIREMENTS = "tests/requirements.txt"  # what the tests import, beside ansible-core
TOOL_REQUIREMENTS = "tests/requirements-tools.txt"  # docs site, changelog, EE check


def find_python(version: str) -> str:
    """An interpreter of Python ``version``: ``python<version>`` on PATH when it runs, else pyenv's.

    pyenv puts a shim for every version it has on PATH, which fails unless that version is selected,
    so a command name alone is not enough. Without either, the bare version is left to nox to find
    (and to report as missing).
    """
    found = shutil.which("python" + version)
    if found:
        # The interpreter itself, not a venv's (hacking/dev.py puts its own first on PATH) nor a shim.
        probe = subprocess.run(
            [found, "-c", "import sys; print('%d.%d' % sys.version_info[:2]); print(sys._base_executable)"],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = probe.stdout.split()
        if probe.returncode == 0 and len(lines) == 2 and lines[0] == version:
            return lines[1]
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    for root in filter(None, roots):
        candidates = sorted(glob.glob(os.path.join(root, "versions", version + ".*", "bin", "python" + version)))
        if candidates:
            return candidates[-1]
    return version


def venv_python(session: nox.Session) -> str:
    return os.path.join(session.virtualenv.location, "bin", "python")


def stage(session: nox.Session):
    """Copy the collection into this session's own ansible_collections/jira/addons; return antsibull-nox's setup."""
    setup = prepare_collections(session, install_in_site_packages=False)
    if setup is None:
        session.error("cannot stage the collection without a venv")
    # ansible-test lists a collection's files with git when it finds a .git directory, walking up;
    # without one of its own the copy would resolve to this checkout, where .cache/ is ignored.
    subprocess.run(["git", "init", "-q", str(setup.current_path)], check=True)
    return setup


def ansible_env(session: nox.Session, setup) -> dict[str, str]:
    """Environment for Ansible and the tests: the staged collection, this venv's Python, private temp dirs."""
    tmp = Path(session.create_tmp())
    for name in ("remote", "local"):
        (tmp / name).mkdir(exist_ok=True)
    return {
        "ANSIBLE_COLLECTIONS_PATH": str(setup.current_place),
        # ``import ansible_collections.jira.addons`` in the tests, as ansible-test's unit runner does it.
        "PYTHONPATH": str(setup.current_place),
        "ANSIBLE_PYTHON_INTERPRETER": venv_python(session),
        "ANSIBLE_REMOTE_TMP": str(tmp / "remote"),
        "ANSIBLE_LOCAL_TEMP": str(tmp / "local"),
        "NO_COLOR": "1",
    }


def show_versions(session: nox.Session) -> None:
    session.run(
        "python",
        "-c",
        "import sys, ansible; print('ansible-core %s on Python %s' % (ansible.__version__, sys.version.split()[0]))",
        silent=False,
    )


def pytest_jobs(session: nox.Session) -> list[str]:
    """``-n N`` for pytest-xdist: PYTEST_JOBS, else 2 (each worker starts its own emulator)."""
    jobs = int(os.environ.get("PYTEST_JOBS", "2"))
    return ["-n", str(jobs)] if jobs > 1 else []


def run_pytest(session: nox.Session, core: str, paths: list[str]) -> None:
    session.install("ansible-core==%s" % core, "-r", TEST_REQUIREMENTS)
    show_versions(session)
    setup = stage(session)
    # Test paths after -- replace the session's own: nox -s pytest -- tests/unit/plugins -k grid
    if any((setup.current_path / arg.split("::")[0]).exists() for arg in session.posargs if not arg.startswith("-")):
        paths = []
    with session.chdir(setup.current_path):
        session.run(
            "python",
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            *pytest_jobs(session),
            *paths,
            *session.posargs,
            env=ansible_env(session, setup),
        )


NEWEST_INTERPRETER = find_python(NEWEST_PYTHON)


# --------------------------------------------------------------------------- the full suite, on the newest
# nox --parallel starts sessions in the order they are defined here: the longest first, so that the
# two at a time end together (the full pytest, the integration runs, sanity, then the short ones).


@nox.session(python=NEWEST_INTERPRETER, tags=["ci"])
def pytest(session: nox.Session) -> None:
    """Every test on the newest ansible-core: unit, emulator, integration (targets, playbooks, examples, AWX, benchmarks smoke)."""
    run_pytest(session, NEWEST_CORE, ["tests/unit", "tests/emulator", "tests/integration"])


# --------------------------------------------------------------------------- the matrix


def matrix_sessions(version: str) -> dict:
    """The sessions of one ansible-core version: {kind: (session function, tags)}."""
    core, python = MATRIX[version]
    interpreter = find_python(python)
    newest = version == NEWEST

    def sanity(session: nox.Session) -> None:
        session.install("ansible-core==%s" % core)
        show_versions(session)
        setup = stage(session)
        # ansible-test bootstraps pip into its venvs with a get-pip.py it downloads; the host is unreachable.
        ansible_test_bootstrap.ensure(venv_python(session), log=session.log)
        with session.chdir(setup.current_path):
            session.run(
                "ansible-test",
                "sanity",
                "--local",
                "--python",
                python,
                "--color",
                "no",
                *session.posargs,
                env=ansible_env(session, setup),
            )

    def units(session: nox.Session) -> None:
        run_pytest(session, core, ["tests/unit"])

    def integration(session: nox.Session) -> None:
        # Every target, against the default fixture. The targets' second runs, against the data shapes
        # real servers store, test what the modules read, which is the same code on every ansible-core;
        # they run once, in the pytest session on the newest (a third of these sessions' CPU).
        run_pytest(session, core, ["tests/integration/test_targets.py", "-m", "not real_shapes"])

    what = "ansible-core %s on Python %s" % (core, python)
    sanity.__doc__ = "ansible-test sanity --local under %s's rules (no ignore file)" % what
    units.__doc__ = "pytest tests/unit with %s" % what
    integration.__doc__ = (
        "every integration target with real ansible-playbook against the emulator (default shapes), %s" % what
    )
    sessions = {}
    for kind, func in (("sanity", sanity), ("units", units), ("integration", integration)):
        tags = [version, kind]
        # On the newest version the pytest session runs these tests with everything else.
        if kind == "sanity" or not newest:
            tags.append("ci")
        sessions[kind] = (func, interpreter, tags)
    return sessions


_MATRIX_SESSIONS = {version: matrix_sessions(version) for version in MATRIX}
for _kind in ("integration", "sanity", "units"):
    for _version, _sessions in _MATRIX_SESSIONS.items():
        _func, _interpreter, _tags = _sessions[_kind]
        nox.session(name="%s-%s" % (_kind, _version), python=_interpreter, tags=_tags)(_func)


# --------------------------------------------------------------------------- the rest of the full suite, on the newest


@nox.session(python=NEWEST_INTERPRETER, tags=["ci"])
def changelog(session: nox.Session) -> None:
    """antsibull-changelog lint: the changelog fragments."""
    session.install("-r", TOOL_REQUIREMENTS)
    session.run("antsibull-changelog", "lint")


@nox.session(name="docs-site", python=NEWEST_INTERPRETER, tags=["ci"])
def docs_site(session: nox.Session) -> None:
    """The collection docs site, built offline with antsibull-docs and Sphinx; any warning fails it (.cache/docs-site)."""
    session.install("ansible-core==%s" % NEWEST_CORE, "-r", TOOL_REQUIREMENTS)
    setup = stage(session)
    session.run(
        "python",
        "hacking/docs_site.py",
        "--collections-path",
        str(setup.current_place),
        "--dest",
        str(ROOT / ".cache" / "docs-site"),
        env={"NO_COLOR": "1"},
    )


@nox.session(python=NEWEST_INTERPRETER, tags=["ci"])
def ee(session: nox.Session) -> None:
    """ansible-builder create + introspect on docs/execution-environment, without containers."""
    session.install("ansible-core==%s" % NEWEST_CORE, "-r", TOOL_REQUIREMENTS)
    setup = stage(session)
    tested = [arg for core, _python in MATRIX.values() for arg in ("--tested-ansible-core", core)]
    session.run("python", "hacking/check_release.py", "ee", "--collections", str(setup.current_place), *tested)


# --------------------------------------------------------------------------- demo and benchmarks


def newest_available() -> tuple[str, str, str]:
    """(ansible-core release, Python version, interpreter) of the newest matrix entry whose Python is here."""
    for core, python in reversed(list(MATRIX.values())):
        interpreter = find_python(python)
        if os.path.isabs(interpreter):
            return core, python, interpreter
    return NEWEST_CORE, NEWEST_PYTHON, NEWEST_PYTHON


DEMO_CORE, DEMO_PYTHON, DEMO_INTERPRETER = newest_available()


def working_tree_env(session: nox.Session) -> dict[str, str]:
    """Ansible on this checkout itself (through the symlink tree .cache/collections), as a user runs it."""
    from paths import linked_collections  # pylint: disable=import-outside-toplevel

    tmp = Path(session.create_tmp())
    return {
        "ANSIBLE_COLLECTIONS_PATH": linked_collections(),
        "ANSIBLE_PYTHON_INTERPRETER": venv_python(session),
        "ANSIBLE_REMOTE_TMP": str(tmp / "remote"),
        "ANSIBLE_LOCAL_TEMP": str(tmp / "local"),
    }


@nox.session(python=DEMO_INTERPRETER, default=False)
def demo(session: nox.Session) -> None:
    """playbooks/demo.yml against the Jira emulator: nox -s demo -- [--playbook FILE] [--context-path /jira] [ARGS]"""
    import argparse  # pylint: disable=import-outside-toplevel

    parser = argparse.ArgumentParser(prog="nox -s demo --")
    parser.add_argument("--playbook", default="playbooks/demo.yml", help="the playbook to run (default: demo)")
    parser.add_argument("--context-path", default="", help="serve the emulator under this URL prefix")
    posargs = list(session.posargs)
    after = posargs.index("--") if "--" in posargs else len(posargs)
    options, playbook_args = parser.parse_known_args(posargs[:after])
    playbook_args += posargs[after + 1 :]
    playbook = os.path.abspath(options.playbook)
    if not os.path.exists(playbook):
        session.error("%s does not exist" % options.playbook)
    session.install("ansible-core==%s" % DEMO_CORE, "-r", TEST_REQUIREMENTS)
    # The emulator's admin, whatever JIRA_* the shell holds (a JIRA_TOKEN beside JIRA_PASSWORD is an error).
    env = {name: None for name in os.environ if name.startswith("JIRA_")}
    env.update(
        working_tree_env(session),
        JIRA_USERNAME="admin",
        JIRA_PASSWORD="admin-pass",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
    )
    command = ["python", "hacking/with_emulator.py"]
    if options.context_path:
        command += ["--context-path", options.context_path]
    session.run(*command, "--", "ansible-playbook", playbook, *playbook_args, env=env)


@nox.session(python=DEMO_INTERPRETER, default=False)
def bench(session: nox.Session) -> None:
    """The benchmarks, which print figures: nox -s bench -- [grid|forms|export ...] [-- ARGS]"""
    session.install("ansible-core==%s" % DEMO_CORE, "-r", TEST_REQUIREMENTS)
    session.run("python", "hacking/bench.py", *session.posargs, env=working_tree_env(session))


# --------------------------------------------------------------------------- antsibull-nox's sessions

antsibull_nox.load_antsibull_nox_toml()


def _antsibull_nox_sessions() -> None:
    """Run antsibull-nox's sessions on the newest ansible-core, with the others under nox --parallel."""
    toml = (ROOT / "antsibull-nox.toml").read_text(encoding="utf-8")
    pinned = sorted(set(re.findall(r"ansible-core==([\w.]+)", toml)))
    if pinned != [NEWEST_CORE]:
        raise SystemExit(
            "antsibull-nox.toml pins ansible-core %s; the newest of noxfile.py's MATRIX is %s"
            % (", ".join(pinned), NEWEST_CORE)
        )
    registry = nox.registry.get()
    for name in ("lint", "docs-check", "extra-checks", "build-import-check", "ansible-lint"):
        registry[name].tags.append("ci")
    for func in registry.values():
        if func.python is None:  # the interpreter running nox: may be too old for the newest ansible-core
            func.python = NEWEST_INTERPRETER


_antsibull_nox_sessions()


def _timed(func):
    """Log what a session cost at its end: wall time and the CPU time of the processes it ran."""

    @functools.wraps(func)
    def session_func(session: nox.Session) -> None:
        started, children = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            func(session)
        finally:
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = used.ru_utime + used.ru_stime - children.ru_utime - children.ru_stime
            # hacking/dev.py test reads these lines for its summary.
            session.log("cost of %s: %.0f s wall, %.0f s CPU" % (session.name, time.monotonic() - started, cpu))

    return session_func


for _func in nox.registry.get().values():
    _func.func = _timed(_func.func)
