# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How results read: rows and forms in id order, and the one shape of a diff.

Pure; no Ansible imports.
"""

from __future__ import annotations


def id_key(item):
    """Sort key: by ``id``, items without one (not written yet) last."""
    item_id = item.get("id")
    return (item_id is None, item_id or 0)


def in_id_order(items):
    """``items`` in id order; TGE and ProForma usually return them so, which is checked cheaply."""
    ids = [item.get("id") for item in items]
    if None not in ids and all(a < b for a, b in zip(ids, ids[1:])):
        return list(items)
    return sorted(items, key=id_key)


def diff(before, after, header):
    """The ``diff`` a module returns for ``--diff``: ``before``/``after`` mappings under one header.

    Ansible renders a diff of mappings, so lists go under a key (``{"rows": [...]}``).
    """
    return {"before": before, "after": after, "before_header": header, "after_header": header}
