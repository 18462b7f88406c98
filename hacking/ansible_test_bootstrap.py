"""Offline stand-in for the pip bootstrap script that ansible-test downloads.

When ansible-test creates a virtual environment (``--venv`` controllers and the
per-test environments of ``ansible-test sanity``: pylint, validate-modules,
yamllint, ...), it creates it ``--without-pip`` and then bootstraps pip with a
``get-pip.py`` that it downloads once from
``https://ci-files.testing.ansible.com/ansible-test/get-pip-<version>.py``
(see ``ansible_test/_util/target/setup/requirements.py``, function ``bootstrap``).
That host is not reachable from this project's machines.

The download is skipped when ``~/.ansible/test/cache/get_pip_<version with _>.py``
exists. ansible-test then runs that file (through ``runpy``, as ``__main__``) with
the venv's interpreter and these arguments::

    pip==<version> --disable-pip-version-check [--no-setuptools] [--no-wheel]

The stand-in written here does the same job with what is available offline and
from PyPI: ``python -m ensurepip`` (bundled with CPython) followed by
``python -m pip install pip==<version>``. Everything ansible-test installs after
that comes from PyPI as usual.

Standard library only; used by noxfile.py (the sanity-<version> sessions).
"""

from __future__ import annotations

import os
import re
import subprocess

MARKER_PREFIX = "# jira.addons offline get-pip stand-in"
MARKER = MARKER_PREFIX + " v2"

STANDIN = (
    '''"""Offline replacement for ansible-test's get-pip.py (written by jira.addons noxfile.py)."""
'''
    + MARKER
    + """
import subprocess
import sys


def main():
    args = sys.argv[1:]
    no_setuptools = "--no-setuptools" in args
    no_wheel = "--no-wheel" in args
    args = [arg for arg in args if arg not in ("--no-setuptools", "--no-wheel")]
    # The venv was created --without-pip: ensurepip installs the pip wheel bundled with CPython.
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
    # Then move to the exact pip version ansible-test asked for (from PyPI).
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + args)
    for name, unwanted in (("setuptools", no_setuptools), ("wheel", no_wheel)):
        if unwanted:
            subprocess.call(
                [sys.executable, "-m", "pip", "uninstall", "--yes", "--disable-pip-version-check", name],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )


if __name__ == "__main__":
    main()
"""
)

CACHE_DIR = os.path.expanduser(os.path.join("~", ".ansible", "test", "cache"))

_PIP_PIN = re.compile(r"""(?:\bpip\s*=\s*|['"]pip['"]\s*:\s*)['"](\d+(?:\.\d+)+)['"]""")


def ansible_test_root(python: str) -> str:
    """Return the directory of the ansible_test package installed for ``python``."""
    out = subprocess.check_output(
        [python, "-c", "import os, ansible_test; print(os.path.dirname(ansible_test.__file__))"],
        universal_newlines=True,
    )
    return out.strip()


def pip_versions(ansible_test_dir: str) -> list[str]:
    """Return the pip versions ansible-test bootstraps into its virtual environments."""
    source = os.path.join(ansible_test_dir, "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    start = text.find("def get_venv_packages")
    if start >= 0:
        text = text[start:]
    return sorted(set(_PIP_PIN.findall(text)))


def cache_path(version: str) -> str:
    """Where ansible-test looks for the bootstrap script of pip ``version``."""
    return os.path.join(CACHE_DIR, "get_pip_%s.py" % version.replace(".", "_"))


def ensure(python: str, log=print) -> list[str]:
    """Write the stand-in for every pip version ansible-test may bootstrap; return the paths.

    A real get-pip.py already in the cache is left alone; an older stand-in is refreshed.
    """
    versions = pip_versions(ansible_test_root(python))
    if not versions:
        raise RuntimeError(
            "could not find the pip version ansible-test bootstraps; "
            "update hacking/ansible_test_bootstrap.py for this ansible-core"
        )
    paths = []
    for version in versions:
        path = cache_path(version)
        paths.append(path)
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as handle:
                current = handle.read()
            if current == STANDIN or MARKER_PREFIX not in current:
                continue  # up to date, or a genuine get-pip.py
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".standin"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(STANDIN)
        os.replace(tmp, path)
        log("ansible-test pip %s bootstrap: wrote offline stand-in %s" % (version, path))
    return paths


if __name__ == "__main__":
    import sys

    for written in ensure(sys.argv[1] if len(sys.argv) > 1 else sys.executable):
        print(written)
