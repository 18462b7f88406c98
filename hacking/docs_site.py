"""Build the collection docs site with antsibull-docs and Sphinx, offline; any warning fails the build.

The nox session ``docs-site`` runs it on its staged copy of the collection (``nox -s docs-site``). By
hand, from a checkout, with an interpreter whose venv has antsibull-docs, Sphinx and the theme::

    python hacking/docs_site.py [--collections-path DIR] [--dest DIR]

The collection is looked up, in this order, in ``--collections-path`` (a directory holding
``ansible_collections/jira/addons``), in ``ANSIBLE_COLLECTIONS_PATH``, in the directory this checkout
sits in when it is itself ``.../ansible_collections/jira/addons`` (a staged copy), and
otherwise through a symlink ``.cache/collections/ansible_collections/jira/addons`` to this checkout.

Steps: ``antsibull-docs sphinx-init`` writes the Sphinx project into ``--dest`` (default
``.cache/docs-site``, emptied first), ``antsibull-docs collection`` writes the RST of the modules and
of ``docs/docsite``, then ``sphinx-build -W --keep-going`` builds ``<dest>/build/html``. The site opens
at ``<dest>/build/html/collections/jira/addons/index.html``.

Nothing is fetched. The generated ``conf.py`` would fetch intersphinx inventories (Python, Jinja and
Ansible docs), so its ``intersphinx_mapping`` is replaced by one local inventory, written here, of the
few Ansible documentation pages the generated RST links to (ANSIBLE_DOCS_LABELS). A new link to another
page of the Ansible docs shows as an ``undefined label`` warning: add the label there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import zlib

from paths import NAME, NAMESPACE, ROOT, collections_root, holds_collection

COLLECTION = "%s.%s" % (NAMESPACE, NAME)
DEFAULT_DEST = os.path.join(ROOT, ".cache", "docs-site")
MARKER = ".docs_site"  # in --dest: this script may empty it

ANSIBLE_DOCS_URL = "https://docs.ansible.com/projects/ansible/devel/"


def _builtin_module(name: str) -> tuple[str, str]:
    anchor = "ansible-collections-ansible-builtin-%s-module" % name.replace("_", "-")
    return "collections/ansible/builtin/%s_module.html#%s" % (name, anchor), "ansible.builtin.%s module" % name


# Labels of the Ansible documentation that the generated RST refers to: label -> (page#anchor, title).
ANSIBLE_DOCS_LABELS = {
    "ansible_configuration_settings": (
        "reference_appendices/config.html#ansible-configuration-settings",
        "Ansible Configuration Settings",
    ),
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    # ansible.builtin modules named in the "See Also" of a module or in a guide
    "ansible_collections.ansible.builtin.copy_module": _builtin_module("copy"),
    "ansible_collections.ansible.builtin.get_url_module": _builtin_module("get_url"),
}

# Appended to the conf.py that sphinx-init writes; the later assignment wins.
CONF_OFFLINE = """
# --- added by hacking/docs_site.py: build offline ---------------------------------------------
# sphinx-init's mapping fetches inventories from the network. Use one local inventory instead, of
# the Ansible documentation labels the generated RST links to; links still point at %(url)s.
intersphinx_mapping = {
    'ansible_devel': (%(url)r, %(inventory)r),
}
"""


def say(message: str = "") -> None:
    print(message, flush=True)


def fresh_dest(dest: str) -> None:
    """Empty ``dest`` (only if it is empty or was made by this script) and make it private, as antsibull-docs wants."""
    if os.path.isdir(dest) and os.listdir(dest):
        if not os.path.isfile(os.path.join(dest, MARKER)):
            raise SystemExit("docs_site.py: %s is not empty and was not made by this script; not removing it" % dest)
        shutil.rmtree(dest)
    os.makedirs(dest, exist_ok=True)
    os.chmod(dest, 0o700)
    with open(os.path.join(dest, MARKER), "w", encoding="utf-8") as handle:
        handle.write("Made by hacking/docs_site.py, which empties this directory on each run.\n")


def write_inventory(path: str) -> None:
    """A Sphinx objects.inv (version 2) holding ANSIBLE_DOCS_LABELS."""
    lines = "".join(
        "%s std:label -1 %s %s\n" % (label, uri, title) for label, (uri, title) in sorted(ANSIBLE_DOCS_LABELS.items())
    )
    header = (
        "# Sphinx inventory version 2\n"
        "# Project: Ansible\n"
        "# Version: devel\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    with open(path, "wb") as handle:
        handle.write(header.encode("utf-8") + zlib.compress(lines.encode("utf-8")))


def tool(name: str) -> str:
    """A command from the venv this script runs in, else from PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else (shutil.which(name) or name)


def run(command: list[str], env: dict[str, str], log: str) -> tuple[int, str]:
    """Run ``command`` with its output in ``log``; return (exit code, output)."""
    with open(log, "w", encoding="utf-8") as handle:
        code = subprocess.call(command, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT)
    with open(log, encoding="utf-8", errors="replace") as handle:
        return code, handle.read()


def build(collections: str, dest: str) -> int:
    """Run the three steps; return 0 when the site built without a warning, else 1."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, NO_COLOR="1")
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    rst = os.path.join(dest, "rst")
    html = os.path.join(dest, "build", "html")
    warnings = os.path.join(dest, "warnings.txt")
    inventory = os.path.join(dest, "ansible_devel.inv")
    guides = os.path.join(rst, "collections", NAMESPACE, NAME, "docsite") + os.sep
    steps = [
        (
            "sphinx-init",
            [tool("antsibull-docs"), "sphinx-init", "--use-current", "--dest-dir", dest]
            + ["--project", COLLECTION, "--title", "%s collection" % COLLECTION, COLLECTION],
        ),
        (
            "collection",
            [tool("antsibull-docs"), "--config-file", os.path.join(dest, "antsibull-docs.cfg"), "collection"]
            + ["--use-current", "--fail-on-error", "--cleanup", "everything", "--dest-dir", rst, COLLECTION],
        ),
        (
            "sphinx-build",
            [tool("sphinx-build"), "-b", "html", "-c", dest, "-W", "--keep-going", "-q", "-w", warnings, rst, html],
        ),
    ]
    say("Collection from %s; site in %s" % (collections, dest))
    for name, command in steps:
        started = time.monotonic()
        code, output = run(command, env, os.path.join(dest, name + ".log"))
        say("%-13s %5.1f s  exit %d" % (name, time.monotonic() - started, code))
        if name == "sphinx-init" and code == 0:
            with open(os.path.join(dest, "conf.py"), "a", encoding="utf-8") as conf:
                conf.write(CONF_OFFLINE % {"url": ANSIBLE_DOCS_URL, "inventory": inventory})
            write_inventory(inventory)
            os.makedirs(rst, exist_ok=True)
            os.chmod(rst, 0o700)  # antsibull-docs writes only into a directory no one else can write to
        if name == "sphinx-build" and os.path.isfile(warnings) and os.path.getsize(warnings):
            with open(warnings, encoding="utf-8", errors="replace") as handle:
                found = handle.read().strip().splitlines()
            say("\n%d warning(s) (each one fails the build):" % len(found))
            say("\n".join(line.replace(guides, "docs/docsite/rst/") for line in found))
            say(
                "(docs/docsite/rst/ files are copied unchanged, so line numbers are theirs; <module>_module.rst is"
                " generated from plugins/modules/<module>.py and kept in %s)" % rst
            )
            return 1
        if code != 0:
            say("\n%s failed:\n%s" % (name, output.strip()))
            return 1
    say("\nBuilt without warnings: %s" % os.path.join(html, "collections", NAMESPACE, NAME, "index.html"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections-path", help="directory holding ansible_collections/%s/%s" % (NAMESPACE, NAME))
    parser.add_argument("--dest", default=DEFAULT_DEST, help="output directory, emptied first (default: %(default)s)")
    args = parser.parse_args(argv)
    dest = os.path.abspath(args.dest)
    if args.collections_path:
        if not holds_collection(args.collections_path):
            raise SystemExit(
                "docs_site.py: %s holds no ansible_collections/%s/%s" % (args.collections_path, NAMESPACE, NAME)
            )
        collections = os.path.abspath(args.collections_path)
    else:
        collections = collections_root()
    fresh_dest(dest)
    started = time.monotonic()
    code = build(collections, dest)
    say("docs_site.py: %s in %.1f s" % ("ok" if code == 0 else "FAILED", time.monotonic() - started))
    return code


if __name__ == "__main__":
    sys.exit(main())
