"""Release checks for jira.addons: the example execution environment, and Galaxy's importer.

Standard library only; run it with the venv's interpreter, whose tools it uses::

    .venv/bin/python hacking/check_release.py ee [--collections DIR]
    .venv/bin/python hacking/check_release.py importer [--strict] ARTIFACT

``ee``
    ``ansible-builder create`` on docs/execution-environment/ into a temporary directory (it
    writes the build context only: no Podman or Docker needed) and checks that context; then
    ``ansible-builder introspect`` on a collections directory holding jira.addons must report
    every line of the collection's Python requirements, as an image build would install them;
    and the example's ansible-core must be the one tests/requirements.txt pins.
    DIR is an ANSIBLE_COLLECTIONS_PATH-style directory (with ansible_collections/jira/addons);
    by default the symlink tree .cache/collections that the demo and the benchmarks use.

``importer``
    galaxy-importer, the checks Galaxy runs on an upload, on a tarball built by
    ``ansible-galaxy collection build``. It runs from its own venv, .cache/importer-venv
    (tests/importer-requirements.txt; rebuilt when that file changes), offline and without
    containers: manifest and file checksums, galaxy.yml metadata (licence, tags, version),
    ansible-doc on every plugin, flake8, ansible-lint with the production profile, the
    changelog, meta/runtime.yml and meta/execution-environment.yml. Not ansible-test: sanity
    runs in ``hacking/dev.py test``. Fails on an importer error; prints every warning, and
    fails on them too with --strict. galaxy-importer's own environment variables override an
    option, e.g. GALAXY_IMPORTER_RUN_ANSIBLE_LINT=False.

Exit status: 0 when the checks pass, 1 when one fails, 2 when the check cannot run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from paths import linked_collections
from streaming import run_streaming

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".cache")
TOOLS = os.path.dirname(sys.executable)  # the venv's bin/, where ansible-builder is

EE_DIR = os.path.join(ROOT, "docs", "execution-environment")
EE_DEFINITION = os.path.join(EE_DIR, "execution-environment.yml")
EE_GALAXY_REQUIREMENTS = os.path.join(EE_DIR, "requirements.yml")
COLLECTION = "jira.addons"

TEST_REQUIREMENTS = os.path.join(ROOT, "tests", "requirements.txt")
IMPORTER_REQUIREMENTS = os.path.join(ROOT, "tests", "importer-requirements.txt")
IMPORTER_VENV = os.path.join(CACHE, "importer-venv")
IMPORTER_PYTHON = os.path.join(IMPORTER_VENV, "bin", "python")
IMPORTER_STAMP = os.path.join(IMPORTER_VENV, ".jira-addons-requirements.sha256")

# galaxy-importer's options (galaxy_importer/config.py): everything that runs offline and
# without a container runtime is on.
IMPORTER_CONFIG = """\
[galaxy-importer]
log_level_main = INFO
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
run_flake8 = True
check_changelog = True
check_required_tags = True
# Off: Galaxy accepts 0.x versions (turn it on to insist on a 1.0.0+ release).
require_v1_or_greater = False
run_ansible_test = False
ansible_test_local_image = False
local_image_docker = False
infra_osd = False
ansible_local_tmp = {tmp}/ansible
tmp_root_dir = {tmp}
"""

ARTIFACT_NAME = re.compile(r"^(?P<namespace>\w+)-(?P<name>\w+)-(?P<version>[0-9a-zA-Z.+-]+)\.tar\.gz$")
IMPORTER_MESSAGE = re.compile(r"^(WARNING|ERROR|CRITICAL): ")


class CannotRun(Exception):
    """The check could not run at all (a missing tool or file): exit status 2."""


def say(message: str = "") -> None:
    print(message, flush=True)


def rel(path: str) -> str:
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def tool(name: str) -> str:
    path = os.path.join(TOOLS, name)
    if not os.path.exists(path):
        raise CannotRun("%s not found next to %s: run this script with .venv/bin/python" % (name, sys.executable))
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
    # The example's ansible-core is the one CI tests the collection with.
    tested, example = pinned_version(TEST_REQUIREMENTS, "ansible-core"), pinned_version(EE_DEFINITION, "ansible-core")
    if tested != example:
        problems.append(
            "%s pins ansible-core==%s but %s tests with ansible-core==%s"
            % (rel(EE_DEFINITION), example, rel(TEST_REQUIREMENTS), tested)
        )
    return report("ee", problems)


# --------------------------------------------------------------------------- importer


def _importer_stamp() -> str:
    digest = hashlib.sha256(b"stamp-v1 python%d.%d\n" % sys.version_info[:2])
    with open(IMPORTER_REQUIREMENTS, "rb") as handle:
        digest.update(handle.read())
    return digest.hexdigest()


def ensure_importer_venv() -> None:
    """Create .cache/importer-venv and install tests/importer-requirements.txt, unless its stamp matches."""
    wanted = _importer_stamp()
    if os.path.exists(IMPORTER_PYTHON) and os.path.exists(IMPORTER_STAMP):
        with open(IMPORTER_STAMP, encoding="utf-8") as handle:
            if handle.read().strip() == wanted:
                return
    say("==> installing %s into %s" % (rel(IMPORTER_REQUIREMENTS), rel(IMPORTER_VENV)))
    started = time.monotonic()
    shutil.rmtree(IMPORTER_VENV, ignore_errors=True)
    # No pip of its own (ensurepip costs seconds): this interpreter's pip installs into it, and
    # --no-compile leaves byte-compiling to the first import of what is used.
    subprocess.check_call([sys.executable, "-m", "venv", "--without-pip", IMPORTER_VENV], stdin=subprocess.DEVNULL)
    command = [sys.executable, "-m", "pip", "--python", IMPORTER_PYTHON, "install", "--disable-pip-version-check"]
    command += ["--progress-bar", "off", "-q", "--no-compile", "-r", IMPORTER_REQUIREMENTS]
    code = subprocess.call(command, stdin=subprocess.DEVNULL, cwd=ROOT)
    if code:
        raise CannotRun("pip install into %s failed with exit code %d" % (rel(IMPORTER_VENV), code))
    with open(IMPORTER_STAMP, "w", encoding="utf-8") as handle:
        handle.write(wanted + "\n")
    say("==> %s ready (%.1fs)" % (rel(IMPORTER_VENV), time.monotonic() - started))


def run_importer(artifact: str, scratch: str) -> tuple[int, list[str], dict]:
    """Run galaxy-importer on ``artifact``; return (exit code, output lines, its result or {})."""
    config = os.path.join(scratch, "galaxy-importer.cfg")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(IMPORTER_CONFIG.format(tmp=scratch))
    os.makedirs(os.path.join(scratch, "ansible"))
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("ANSIBLE_") or name in ("PYTHONPATH", "PYTHONHOME"):
            del env[name]  # the importer sets what Ansible needs per command
        elif name.startswith("GALAXY_IMPORTER_") and name != "GALAXY_IMPORTER_CONFIG":
            say("galaxy-importer option from the environment: %s=%s" % (name, env[name]))
    bin_dir = os.path.dirname(IMPORTER_PYTHON)
    env.update(
        GALAXY_IMPORTER_CONFIG=config,
        PATH=bin_dir + os.pathsep + env.get("PATH", ""),  # ansible-doc, ansible-lint, flake8 of its venv
        VIRTUAL_ENV=IMPORTER_VENV,
        HOME=scratch,  # ansible-lint and ansible-doc write their caches under ~
        NO_COLOR="1",
    )
    command = [IMPORTER_PYTHON, "-m", "galaxy_importer.main", artifact]
    say("$ " + " ".join(rel(part) for part in command))
    code, lines = run_streaming(command, cwd=scratch, env=env)  # it writes importer_result.json into its cwd
    result = {}
    result_path = os.path.join(scratch, "importer_result.json")
    if os.path.exists(result_path):
        with open(result_path, encoding="utf-8") as handle:
            result = json.load(handle)
    return code, lines, result


def summarise_result(result: dict) -> None:
    """Print what the importer found in the collection."""
    metadata = result.get("metadata") or {}
    say(
        "imported %s.%s %s (requires_ansible %s)"
        % (metadata.get("namespace"), metadata.get("name"), metadata.get("version"), result.get("requires_ansible"))
    )
    contents = {}
    for item in result.get("contents") or []:
        contents.setdefault(item.get("content_type"), []).append(item.get("name"))
    for content_type in sorted(contents):
        say("  %s: %s" % (content_type, ", ".join(sorted(contents[content_type]))))
    # Plugins carry doc strings (from ansible-doc); module_utils, doc fragments and playbooks have none.
    plugins = [
        item
        for item in (result.get("docs_blob") or {}).get("contents") or []
        if item.get("content_type") not in ("module_utils", "doc_fragments", "playbook", "role")
    ]
    undocumented = sorted(item.get("content_name") for item in plugins if not item.get("doc_strings"))
    say("  plugins documented by ansible-doc: %d of %d" % (len(plugins) - len(undocumented), len(plugins)))
    if undocumented:
        say("  plugins without doc strings: %s" % ", ".join(undocumented))


def cmd_importer(args) -> int:
    artifact = os.path.abspath(args.artifact)
    if not os.path.isfile(artifact):
        raise CannotRun("no such artifact: %s (build one with `ansible-galaxy collection build`)" % args.artifact)
    if not ARTIFACT_NAME.match(os.path.basename(artifact)):
        raise CannotRun("%s is not named NAMESPACE-NAME-VERSION.tar.gz" % os.path.basename(artifact))
    if not os.path.exists(IMPORTER_REQUIREMENTS):
        raise CannotRun("%s is missing" % rel(IMPORTER_REQUIREMENTS))
    ensure_importer_venv()
    for package in ("ansible-core", "ansible-lint"):
        tested, used = pinned_version(TEST_REQUIREMENTS, package), pinned_version(IMPORTER_REQUIREMENTS, package)
        if tested != used:  # galaxy-importer may cap a tool: a note, not a failure
            say("note: the importer uses %s==%s, tests/requirements.txt pins %s" % (package, used, tested))
    with tempfile.TemporaryDirectory(prefix="galaxy-importer-") as scratch:
        code, lines, result = run_importer(artifact, scratch)
    messages = [line for line in lines if IMPORTER_MESSAGE.match(line)]
    errors = [line for line in messages if not line.startswith("WARNING: ")]
    warnings = [line[len("WARNING: ") :] for line in messages if line.startswith("WARNING: ")]
    say()
    if result:
        summarise_result(result)
    problems = ["importer: " + line for line in errors]
    if code or not result:
        problems.append("galaxy-importer failed (exit code %d)" % code)
    say("galaxy-importer: %d error(s), %d warning(s)" % (len(errors), len(warnings)))
    for warning in warnings:
        say("  warning: " + warning)
    if args.strict:
        problems += ["importer warning: " + warning for warning in warnings]
    return report("importer", problems)


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
    importer = commands.add_parser("importer", help="galaxy-importer on a built collection tarball")
    importer.add_argument("artifact", metavar="ARTIFACT", help="jira-addons-VERSION.tar.gz")
    importer.add_argument("--strict", action="store_true", help="fail on importer warnings too")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        code = cmd_ee(args) if args.command == "ee" else cmd_importer(args)
    except CannotRun as exc:
        say("check_release.py %s: cannot run: %s" % (args.command, exc))
        return 2
    say("(%.1fs)" % (time.monotonic() - started))
    return code


if __name__ == "__main__":
    sys.exit(main())
