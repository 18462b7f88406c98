# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare a downloaded export with the file at ``dest``: JSON as data, XLSX by sheet names and cell values.

Equal bytes are equal content without parsing; otherwise a digest decides, and a
readable diff (``before``/``after`` mappings) is built only when asked for.
"""

from __future__ import annotations

import hashlib
import os

from ansible_collections.jira.addons.plugins.module_utils import export_json_diff, export_xlsx
from ansible_collections.jira.addons.plugins.module_utils.export_download import CHUNK_SIZE, BrokenDownload
from ansible_collections.jira.addons.plugins.module_utils.export_json_stream import JsonExportError


def file_sha1(path):
    """SHA-1 of a file's bytes, read in chunks."""
    digest = hashlib.sha1()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Comparison:
    """Whether a new export differs from ``dest``; a readable diff (``before``/``after`` mappings) if asked.

    ``dest_checksum`` is the SHA-1 of ``dest`` when the comparison already computed it
    (so an unchanged ``dest`` is not read a second time), else None.
    """

    def __init__(self, changed, before=None, after=None, header=None, dest_checksum=None):
        self.changed = changed
        self.before = before
        self.after = after
        self.header = header
        self.dest_checksum = dest_checksum


def compare_json(dest, download, with_diff):
    """Compare a verified JSON export with ``dest`` as data (equal bytes first: then equal data, no parsing)."""
    exists = os.path.isfile(dest)
    if not exists and not with_diff:
        return Comparison(True)
    dest_checksum = file_sha1(dest) if exists and os.path.getsize(dest) == download.size else None
    if dest_checksum == download.checksum:
        return Comparison(False, dest_checksum=dest_checksum)
    after = export_json_diff.digest_file(download.path, index=with_diff)
    before, unreadable = None, None
    if exists:
        try:
            before = export_json_diff.digest_file(dest, index=with_diff)
        except (JsonExportError, OSError) as err:
            unreadable = str(err)
    changed = before is None or before != after
    if not changed or not with_diff:
        return Comparison(changed, dest_checksum=dest_checksum)
    changes = export_json_diff.diff_responses(
        before.index if before is not None else export_json_diff.ResponseIndex(), after.index
    )
    shown_old = changes["removed"] + [was for was, _now in changes["changed"]]
    shown_new = changes["added"] + [now for _was, now in changes["changed"]]
    old_values = export_json_diff.collect_responses(dest, shown_old) if before is not None else {}
    new_values = export_json_diff.collect_responses(download.path, shown_new)
    old_side, new_side = export_json_diff.diff_summary(before, after, changes, old_values, new_values)
    if unreadable:
        old_side["unreadable"] = unreadable
    return Comparison(True, old_side, new_side, export_json_diff.summary_header(dest, changes))


def compare_xlsx(dest, download, with_diff):
    """Compare a downloaded XLSX export with ``dest`` by sheet names and cell values, verifying it on the way.

    Raises BrokenDownload if the new file cannot be read.
    """
    if os.path.isfile(dest):
        try:
            result = export_xlsx.compare_workbooks(dest, download.path)
        except export_xlsx.XlsxError as err:
            if err.path == download.path:
                raise BrokenDownload(str(err)) from None
            unreadable = {"unreadable": str(err)}
        else:
            if result.equal:
                return Comparison(False)
            return Comparison(True, result.before, result.after, dest)
    else:
        unreadable = {"sheets": {}}
    if not with_diff:
        # Nothing to compare with: the file only has to open (as openpyxl's read-only mode would open it).
        try:
            export_xlsx.check_workbook(download.path)
        except export_xlsx.XlsxError as err:
            raise BrokenDownload(str(err)) from None
        return Comparison(True)
    summary = verify_xlsx(download.path)
    after = {"sheets": dict((name, {"rows": rows}) for name, rows in summary.items())}
    return Comparison(True, unreadable, after, dest)


def verify_xlsx(path):
    """Read every cell of a downloaded XLSX export; ``{sheet: rows}``. Raises BrokenDownload if unreadable."""
    try:
        return export_xlsx.read_summary(path)
    except export_xlsx.XlsxError as err:
        raise BrokenDownload(str(err)) from None
