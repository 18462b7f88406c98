"""Release check for jira.addons: the example execution environment, without containers.

Standard library only; run it with an interpreter whose venv has ansible-builder (the nox session ``ee``)::

    python hacking/check_release.py ee [--collections DIR] [--tested-ansible-core VERSION ...]

``ansible-builder create`` on docs/execution-environment/ into a temporary directory (it writes the
build context only: no Podman or Docker needed) and checks that context; then ``ansible-builder
introspect`` on a collections directory holding jira.addons must report every line of the
collection's Python requirements, as an image build would install them; and the example's
ansible-core must be one of the releases CI tests (each ``--tested-ansible-core``, from noxfile.py's
MATRIX). DIR is an ANSIBLE_COLLECTIONS_PATH-style directory (with ansible_collections/jira/addons);
by default the symlink tree .cache/collections that the demo and the benchmarks use.

Galaxy's importer runs in antsibull-nox's build-import-check session (antsibull-nox.toml).

Exit status: 0 when the checks pass, 1 when one fails, 2 when the check cannot run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

from paths import linked_collections

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.dirname(sys.executable)  # the venv's bin/, where ansible-builder is

EE_DIR = os.path.join(ROOT, "docs", "execution-environment")
EE_DEFINITION = os.path.join(EE_DIR, "execution-environment.yml")
EE_GALAXY_REQUIREMENTS = os.path.join(EE_DIR, "requirements.yml")
COLLECTION = "jira.addons"


class CannotRun(Exception):
    """The check could not run at all (a missing tool or file): exit status 2."""


def say(message: str = "") -> None:
    print(message, flush=True)


def rel(path: str) -> str:
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def tool(name: str) -> str:
    path = os.path.join(TOOLS, name)
    if not os.path.exists(path):
        raise CannotRun("%s not found next to %s: run this script in the nox session ee" % (name, sys.executable))
    return path


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run ``command`` with its output captured (text); print the command first."""
    say("$ " + " ".join(rel(part) for part in command))
    return subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, errors="replace", **kwargs
    )


def requirement_lines(path: str) -> list[str]:
    """The requirement lines of a pip requirements file, without comments and blank lines."""
    with open(path, encoding="utf-8") as handle:
        lines = [re.sub(r"(^|\s+)#.*$", "", line).strip() for line in handle]
    return [line for line in lines if line]


def pinned_version(path: str, package: str) -> str | None:
    """The version ``path`` pins ``package`` to with ``package==VERSION`` (a requirements or YAML file), or None."""
    with open(path, encoding="utf-8") as handle:
        found = re.search(r"(?<![\w.-])%s==([\w.+-]+)" % re.escape(package), handle.read())
    return found.group(1) if found else None


# --------------------------------------------------------------------------- ee


def collection_python_requirements(collection_dir: str) -> str:
    """The Python requirements file the collection declares in meta/execution-environment.yml."""
    meta = os.path.join(collection_dir, "meta", "execution-environment.yml")
    if not os.path.exists(meta):
        raise CannotRun("%s is missing" % meta)
    with open(meta, encoding="utf-8") as handle:
        found = re.search(r"^\s+python:\s*['\"]?([^'\"\s#]+)", handle.read(), re.MULTILINE)
    if not found:
        raise CannotRun("meta/execution-environment.yml names no `python:` requirements file")
    return os.path.join(collection_dir, found.group(1))


def check_context(context: str) -> list[str]:
    """Problems with the build context that ``ansible-builder create`` wrote into ``context``."""
    problems = []
    containerfile = os.path.join(context, "Containerfile")
    if not os.path.isfile(containerfile):
        return ["no Containerfile in the build context"]
    with open(containerfile, encoding="utf-8") as handle:
        text = handle.read()
    if "ansible-galaxy collection install" not in text or "-r requirements.yml" not in text:
        problems.append("the Containerfile installs no collections from requirements.yml")
    if "introspect.py introspect" not in text:
        problems.append("the Containerfile does not introspect the collections' Python and system requirements")

    # The galaxy requirements, copied as they are.
    staged = os.path.join(context, "_build", "requirements.yml")
    if not os.path.isfile(staged):
        problems.append("_build/requirements.yml (the galaxy requirements) is missing")
    else:
        with open(staged, encoding="utf-8") as handle, open(EE_GALAXY_REQUIREMENTS, encoding="utf-8") as source:
            galaxy = handle.read()
            if galaxy != source.read():
                problems.append("_build/requirements.yml differs from %s" % rel(EE_GALAXY_REQUIREMENTS))
        if not re.search(r"^\s*-?\s*name:\s*['\"]?jira\.addons\b", galaxy, re.MULTILINE):
            problems.append("_build/requirements.yml does not install %s" % COLLECTION)

    # The Python requirements: the collection's come from the collection itself, read at build
    # time by this script; definition-level ones (a `python:` entry) would be _build/requirements.txt.
    if not os.path.isfile(os.path.join(context, "_build", "scripts", "introspect.py")):
        problems.append("_build/scripts/introspect.py (reads the collections' requirements at build time) is missing")
    return problems


def check_introspection(builder: str, collections: str, scratch: str) -> list[str]:
    """Problems with what ``ansible-builder introspect`` reports for jira.addons in ``collections``."""
    collection_dir = os.path.join(collections, "ansible_collections", "jira", "addons")
    if not os.path.isdir(collection_dir):
        raise CannotRun("%s holds no ansible_collections/jira/addons" % collections)
    requirements = collection_python_requirements(collection_dir)
    if not os.path.isfile(requirements):
        return [
            "meta/execution-environment.yml names %s, which is missing" % os.path.relpath(requirements, collection_dir)
        ]
    wanted = requirement_lines(requirements)
    pip_out = os.path.join(scratch, "introspected-requirements.txt")
    bindep_out = os.path.join(scratch, "introspected-bindep.txt")
    proc = run([builder, "introspect", collections, "--write-pip", pip_out, "--write-bindep", bindep_out])
    if proc.returncode:
        return ["ansible-builder introspect failed (exit code %d):\n%s" % (proc.returncode, proc.stdout + proc.stderr)]
    found = []
    if os.path.exists(pip_out):
        with open(pip_out, encoding="utf-8") as handle:
            found = [line.strip() for line in handle if line.strip()]
    ours = [line.split("  # from collection ")[0] for line in found if line.endswith("# from collection " + COLLECTION)]
    say("introspected Python requirements of %s: %s" % (COLLECTION, ", ".join(ours) or "none"))
    system = []
    if os.path.exists(bindep_out):
        with open(bindep_out, encoding="utf-8") as handle:
            system = [line.strip() for line in handle if line.strip().endswith("# from collection " + COLLECTION)]
    say("introspected system requirements of %s: %s" % (COLLECTION, ", ".join(system) or "none"))
    missing = [line for line in wanted if line not in ours]
    if missing:
        return ["ansible-builder introspect does not report %s from %s" % (", ".join(missing), COLLECTION)]
    if not ours:
        return ["ansible-builder introspect reports no Python requirements for %s" % COLLECTION]
    return []


def cmd_ee(args) -> int:
    builder = tool("ansible-builder")
    collections = os.path.abspath(args.collections) if args.collections else linked_collections()
    problems = []
    with tempfile.TemporaryDirectory(prefix="jira-addons-ee-") as scratch:
        context = os.path.join(scratch, "context")
        proc = run(
            [builder, "create", "--file", EE_DEFINITION, "--context", context, "--output-filename", "Containerfile"],
            cwd=EE_DIR,
        )
        sys.stdout.write(proc.stdout + proc.stderr)
        if proc.returncode:
            problems.append("ansible-builder create failed (exit code %d)" % proc.returncode)
        else:
            problems += check_context(context)
            built = sorted(
                os.path.relpath(os.path.join(folder, name), context)
                for folder, _dirs, names in os.walk(context)
                for name in names
            )
            say("build context: %s" % ", ".join(built))
        problems += check_introspection(builder, collections, scratch)
    # The example's ansible-core is a release CI tests the collection with.
    example = pinned_version(EE_DEFINITION, "ansible-core")
    if args.tested_ansible_core and example not in args.tested_ansible_core:
        problems.append(
            "%s pins ansible-core==%s, which CI does not test (noxfile.py's MATRIX tests %s)"
            % (rel(EE_DEFINITION), example, ", ".join(args.tested_ansible_core))
        )
    return report("ee", problems)


# --------------------------------------------------------------------------- main


def report(name: str, problems: list[str]) -> int:
    say()
    if problems:
        say("check_release.py %s: FAILED" % name)
        for problem in problems:
            say("  - " + problem)
        return 1
    say("check_release.py %s: passed" % name)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    ee = commands.add_parser("ee", help="ansible-builder create on the example EE, and introspection of the collection")
    ee.add_argument("--collections", metavar="DIR", help="a directory holding ansible_collections/jira/addons")
    ee.add_argument(
        "--tested-ansible-core",
        action="append",
        default=[],
        metavar="VERSION",
        help="an ansible-core release CI tests (repeat it); the example must pin one of them",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        code = cmd_ee(args)
    except CannotRun as exc:
        say("check_release.py %s: cannot run: %s" % (args.command, exc))
        return 2
    say("(%.1fs)" % (time.monotonic() - started))
    return code


if __name__ == "__main__":
    sys.exit(main())
