"""Where this checkout is, and a collections directory that holds it as jira.addons.

Standard library only: noxfile.py (demo, bench) and the scripts here import it from any interpreter.
"""

from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE, NAME = "jira", "addons"
LINKED_COLLECTIONS = os.path.join(ROOT, ".cache", "collections")


def holds_collection(path: str) -> bool:
    """Whether ``path`` is a collections directory with ansible_collections/jira/addons in it."""
    return os.path.isdir(os.path.join(path, "ansible_collections", NAMESPACE, NAME))


def linked_collections() -> str:
    """.cache/collections, whose ansible_collections/jira/addons is a symlink to this checkout (made if missing)."""
    link = os.path.join(LINKED_COLLECTIONS, "ansible_collections", NAMESPACE, NAME)
    if os.path.realpath(link) == os.path.realpath(ROOT):
        return LINKED_COLLECTIONS
    if os.path.lexists(link) and not os.path.islink(link):
        raise SystemExit("%s is not a link to %s: remove it, or give the collections directory to use" % (link, ROOT))
    os.makedirs(os.path.dirname(link), exist_ok=True)
    # A link that leads elsewhere (a moved checkout) is replaced by renaming a new one over it,
    # so a command running at the same time finds one link or the other, never none.
    temp = "%s.%d.tmp" % (link, os.getpid())
    if os.path.lexists(temp):
        os.unlink(temp)
    os.symlink(ROOT, temp)
    os.replace(temp, link)
    return LINKED_COLLECTIONS


def collections_root() -> str:
    """A directory holding ansible_collections/jira/addons, absolute.

    The first ANSIBLE_COLLECTIONS_PATH entry that holds the collection; else the directory this
    checkout sits in when it is itself .../ansible_collections/jira/addons (the CI staging copy);
    else linked_collections().
    """
    for entry in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        if entry and holds_collection(entry):
            return os.path.abspath(entry)
    parts = ROOT.split(os.sep)
    if parts[-3:] == ["ansible_collections", NAMESPACE, NAME]:
        return os.sep.join(parts[:-3])
    return linked_collections()
