# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply an export: fetch it (``export_download``), compare it with ``dest`` (``export_compare``), put it in place.

Only a complete, verified file replaces ``dest``, and only when its content differs,
so ``dest`` is never half-written. No Ansible imports here: the module passes in how
to move a file into place.
"""

from __future__ import annotations

import os

from ansible_collections.jira.addons.plugins.module_utils.errors import InputError
from ansible_collections.jira.addons.plugins.module_utils.export_compare import compare_json, compare_xlsx, file_sha1
from ansible_collections.jira.addons.plugins.module_utils.results import diff


def validate_options(template_id, wait_timeout, poll_interval, dest=None):
    """Refuse options an export cannot run with, before any request."""
    if wait_timeout <= 0:
        raise InputError("wait_timeout must be greater than 0, got %s" % wait_timeout)
    if poll_interval <= 0:
        raise InputError("poll_interval must be greater than 0, got %s" % poll_interval)
    if template_id <= 0:
        raise InputError("template_id must be a positive number, got %s" % template_id)
    if dest is not None:
        if os.path.isdir(dest):
            raise InputError("dest %s is a directory; give the path of a file" % dest)
        if not os.path.isdir(os.path.dirname(dest) or "."):
            raise InputError("the directory of dest %s does not exist" % dest)


def export_to_file(runner, dest, check_mode, with_diff, work_dir, place):
    """Fetch an export and put it at ``dest`` if its content differs; ``dest`` is not touched otherwise.

    ``work_dir`` holds the temporary file (``dest``'s directory, so the final
    rename is atomic; any directory in check mode). ``place(temp_path, dest)``
    moves it into place (Ansible's ``atomic_move``). Returns a dict with
    ``changed``, ``export_id``, ``dest``, ``size`` and ``checksum`` (of ``dest``
    after the run, or as it would be in check mode), ``exports_started``, and ``diff``
    when ``with_diff`` and the content changed.
    """
    compare = compare_json if runner.spec.format == "json" else compare_xlsx
    download, comparison = runner.fetch(work_dir, verify=lambda d: compare(dest, d, with_diff))
    try:
        if comparison.changed:
            size, checksum = download.size, download.checksum
            if not check_mode:
                place(download.path, dest)
                download.path = None
        else:
            size, checksum = os.path.getsize(dest), comparison.dest_checksum or file_sha1(dest)
    finally:
        download.discard()
    result = {
        "changed": comparison.changed,
        "export_id": download.export_id,
        "dest": dest,
        "size": size,
        "checksum": checksum,
        "exports_started": runner.attempts,
    }
    if with_diff and comparison.changed:
        result["diff"] = diff(comparison.before, comparison.after, comparison.header)
    return result


def export_responses(runner, work_dir):
    """Fetch a JSON export and return its responses (nothing is written; ``changed`` is false)."""
    download, _nothing = runner.fetch(work_dir, keep_responses=True)
    download.discard()
    return {
        "changed": False,
        "export_id": download.export_id,
        "dest": None,
        "size": download.size,
        "checksum": download.checksum,
        "exports_started": runner.attempts,
        "responses": download.responses,
    }
