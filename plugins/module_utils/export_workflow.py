# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Export ProForma form responses to a file: start, poll, download once, verify, compare, put in place.

The server deletes an export once it has been downloaded, so a download is never
repeated: if it breaks part way (or what arrived is incomplete), a new export is
started, up to ``retries`` times. The download streams to a temporary file beside
``dest`` and only a complete, verified file replaces ``dest`` (and only when its
content differs), so ``dest`` is never half-written and memory stays flat.
No Ansible imports here: the module passes in how to move a file into place.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
import time

from ansible_collections.jira.addons.plugins.module_utils import export_json, export_xlsx
from ansible_collections.jira.addons.plugins.module_utils.client import JiraApiError, OutcomeUnknownError
from ansible_collections.jira.addons.plugins.module_utils.export_poll import DOWNLOAD, FAILED, TIMEOUT, decide
from ansible_collections.jira.addons.plugins.module_utils.proforma_api import EXPORT_TYPES

CHUNK_SIZE = 1024 * 1024
EXPORT_PERMISSION = "ProForma: Export All Data"


class ExportError(Exception):
    """The export failed; ``result`` holds what the user needs to act (export_id, progress, ...)."""

    def __init__(self, message, result=None, error=None):
        super().__init__(message)
        self.result = result or {}
        self.error = error


class BrokenDownload(Exception):
    """A download did not deliver a complete, readable file (a new export is needed)."""


class ExportSpec:
    """What to export and how to wait: the module's options as plain values."""

    def __init__(
        self,
        project,
        template_id,
        format="json",
        fields=None,
        jql=None,
        wait_timeout=600.0,
        poll_interval=5.0,
        retries=3,
        user=None,
    ):
        self.project = project
        self.template_id = template_id
        self.format = format
        self.fields = list(fields or [])
        self.jql = jql
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.retries = retries
        self.user = user

    @property
    def export_type(self):
        """The API's export type: ``responses-json`` or ``responses-xlsx``."""
        return EXPORT_TYPES[self.format]


class Download:
    """A complete, verified export in a temporary file: path, size, sha1, and (JSON) its responses if kept."""

    def __init__(self, export_id, path, size, checksum, responses=None):
        self.export_id = export_id
        self.path = path
        self.size = size
        self.checksum = checksum
        self.responses = responses

    def discard(self):
        """Delete the temporary file."""
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)
        self.path = None


class ExportRunner:
    """Runs one export to completion (with new exports after broken downloads).

    ``sleep`` and ``clock`` are injectable for tests.
    """

    def __init__(self, api, spec, sleep=time.sleep, clock=time.monotonic):
        self.api = api
        self.spec = spec
        self._sleep = sleep
        self._clock = clock
        self.attempts = 0

    def fetch(self, work_dir, keep_responses=False, verify=None):
        """Start exports until one downloads completely (at most ``retries + 1``).

        ``verify(download)``, if given, runs on each complete download and may
        raise BrokenDownload too (an XLSX file that cannot be read). Returns
        ``(download, what verify returned)``; the caller discards the download.
        """
        problems = []
        for _attempt in range(self.spec.retries + 1):
            export_id, filename = self.start_and_wait()
            try:
                download = self.download(export_id, filename, work_dir, keep_responses)
            except BrokenDownload as err:
                problems.append("export %s: %s" % (export_id, err))
                continue
            try:
                return download, (verify(download) if verify is not None else None)
            except BrokenDownload as err:
                download.discard()
                problems.append("export %s: %s" % (export_id, err))
            except BaseException:
                download.discard()
                raise
        raise ExportError(
            "the download broke %d time(s), each time with a new export (the server deletes an export once "
            "it is downloaded); nothing was written. %s" % (len(problems), "; ".join(problems)),
            {"exports_started": self.attempts},
        )

    def start_and_wait(self):
        """Start an export and poll it until it is complete; return ``(export_id, filename)``."""
        spec = self.spec
        try:
            started = self.api.start_export(spec.export_type, spec.project, spec.template_id, spec.fields, spec.jql)
        except JiraApiError as err:
            raise self._start_error(err) from None
        self.attempts += 1
        export_id = (started or {}).get("id")
        if not export_id:
            raise ExportError(
                "the server started an export but gave no export id: %r" % (started,),
                {"exports_started": self.attempts},
            )
        began = self._clock()
        polls = 0
        while True:
            try:
                status = self.api.export_status(export_id)
            except JiraApiError as err:
                raise ExportError(
                    "checking the status of export %s failed: %s" % (export_id, err),
                    {"export_id": export_id, "exports_started": self.attempts},
                    err,
                ) from None
            polls += 1
            decision = decide(status, self._clock() - began, spec.wait_timeout, polls, spec.poll_interval)
            if decision.action == DOWNLOAD:
                return export_id, decision.filename
            if decision.action == FAILED:
                raise ExportError(
                    "export %s failed on the server at %s%% progress: %s"
                    % (export_id, decision.progress, decision.message),
                    {"export_id": export_id, "progress": decision.progress, "exports_started": self.attempts},
                )
            if decision.action == TIMEOUT:
                raise ExportError(
                    "export %s did not complete within wait_timeout=%ss (last progress %s%%). It goes on running on "
                    "the server; raise wait_timeout, or narrow the export with jql"
                    % (export_id, _number(spec.wait_timeout), decision.progress),
                    {"export_id": export_id, "progress": decision.progress, "exports_started": self.attempts},
                )
            self._sleep(decision.delay)

    def _start_error(self, err):
        result = {"exports_started": self.attempts}
        if err.status == 403:
            who = "user %r" % self.spec.user if self.spec.user else "the user of this token"
            return ExportError(
                "%s may not export ProForma data: exporting needs the '%s' global permission in Jira (%s)"
                % (who, EXPORT_PERMISSION, err),
                result,
                err,
            )
        return ExportError("starting the export failed: %s" % err, result, err)

    def download(self, export_id, filename, work_dir, keep_responses=False):
        """Download a completed export once, streaming into a temporary file in ``work_dir``, and verify it.

        JSON is parsed as it arrives (one response at a time); the size must
        match ``Content-Length``. Raises BrokenDownload when the file is not
        complete (the export is gone then: a new one is needed).
        """
        handle, path = tempfile.mkstemp(dir=work_dir, prefix=".proforma-export-", suffix=".part")
        download = None
        try:
            with os.fdopen(handle, "wb") as out:
                download = self._stream(export_id, filename, out, path, keep_responses)
            return download
        finally:
            if download is None and os.path.exists(path):
                os.unlink(path)

    def _stream(self, export_id, filename, out, path, keep_responses):
        try:
            response = self.api.download_export(export_id, filename)
        except OutcomeUnknownError as err:
            raise BrokenDownload("the download failed: %s" % err) from None
        except JiraApiError as err:
            if err.status == 404:
                raise BrokenDownload("the export was gone when downloaded: %s" % err) from None
            raise ExportError(
                "downloading export %s failed: %s" % (export_id, err),
                {"export_id": export_id, "exports_started": self.attempts},
                err,
            ) from None
        digest = hashlib.sha1()
        size = 0
        reader = _JsonCheck(keep_responses) if self.spec.format == "json" else None
        try:
            expected = _expected_size(response.headers)
            chunks = response.iter_content(CHUNK_SIZE)
            while True:
                try:
                    chunk = next(chunks, None)
                except OSError as err:  # requests' errors are OSErrors: the connection broke
                    raise BrokenDownload("the connection broke after %d bytes: %s" % (size, err)) from None
                if chunk is None:
                    break
                try:
                    out.write(chunk)
                except OSError as err:  # a full disk is not a broken download: a new export would not help
                    raise ExportError(
                        "writing the download to %s failed: %s; nothing was written to dest" % (path, err),
                        {"export_id": export_id, "exports_started": self.attempts},
                    ) from None
                digest.update(chunk)
                size += len(chunk)
                if reader is not None:
                    reader.feed(chunk)
        finally:
            response.close()
        if expected is not None and size != expected:
            raise BrokenDownload("got %d bytes of %d (Content-Length)" % (size, expected))
        responses = reader.close() if reader is not None else None
        return Download(export_id, path, size, digest.hexdigest(), responses)


class _JsonCheck:
    """Parses a JSON export as its bytes arrive; keeps the responses only if asked."""

    def __init__(self, keep):
        self._parser = export_json.JsonStreamParser()
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._responses = [] if keep else None

    def feed(self, chunk, final=False):
        try:
            events = self._parser.feed(self._decoder.decode(chunk, final))
            if final:
                events += self._parser.close()
        except UnicodeDecodeError as err:
            raise BrokenDownload("the export is not UTF-8 text: %s" % err) from None
        except export_json.JsonExportError as err:
            raise BrokenDownload("the export is not valid JSON: %s" % err) from None
        if self._responses is not None:
            for event in events:
                if event[0] == "item" and export_json.is_responses(event[1]):
                    self._responses.append(event[2])

    def close(self):
        self.feed(b"", final=True)
        return self._responses


def _expected_size(headers):
    if (headers.get("Content-Encoding") or "identity").lower() != "identity":
        return None  # the body is decoded as it arrives, so its size differs from Content-Length
    try:
        return int(headers.get("Content-Length"))
    except (TypeError, ValueError):
        return None


def _number(value):
    return int(value) if float(value).is_integer() else value


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
    after = export_json.digest_file(download.path, index=with_diff)
    before, unreadable = None, None
    if exists:
        try:
            before = export_json.digest_file(dest, index=with_diff)
        except (export_json.JsonExportError, OSError) as err:
            unreadable = str(err)
    changed = before is None or before != after
    if not changed or not with_diff:
        return Comparison(changed, dest_checksum=dest_checksum)
    changes = export_json.diff_responses(
        before.index if before is not None else export_json.ResponseIndex(), after.index
    )
    shown_old = changes["removed"] + [was for was, _now in changes["changed"]]
    shown_new = changes["added"] + [now for _was, now in changes["changed"]]
    old_values = export_json.collect_responses(dest, shown_old) if before is not None else {}
    new_values = export_json.collect_responses(download.path, shown_new)
    old_side, new_side = export_json.diff_summary(before, after, changes, old_values, new_values)
    if unreadable:
        old_side["unreadable"] = unreadable
    return Comparison(True, old_side, new_side, export_json.summary_header(dest, changes))


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
        result["diff"] = {
            "before": comparison.before,
            "after": comparison.after,
            "before_header": comparison.header,
            "after_header": comparison.header,
        }
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
