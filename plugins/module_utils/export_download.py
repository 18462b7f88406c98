# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Download a ProForma export once: start it, poll it, stream it to a temporary file, verify it.

The server deletes an export once it has been downloaded, so a download is never
repeated: if it breaks part way (or what arrived is incomplete), a new export is
started, up to ``retries`` times. JSON is parsed as it arrives, so memory stays flat.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
import time

from ansible_collections.jira.addons.plugins.module_utils.errors import AppliedError, JiraApiError, OutcomeUnknownError
from ansible_collections.jira.addons.plugins.module_utils.export_json_diff import is_responses
from ansible_collections.jira.addons.plugins.module_utils.export_json_stream import JsonExportError, JsonStreamParser
from ansible_collections.jira.addons.plugins.module_utils.export_poll import DOWNLOAD, FAILED, TIMEOUT, decide
from ansible_collections.jira.addons.plugins.module_utils.proforma_api import EXPORT_TYPES

CHUNK_SIZE = 1024 * 1024
EXPORT_PERMISSION = "ProForma: Export All Data"


class ExportError(AppliedError):
    """The export failed; ``result`` holds what the user needs to act (export_id, progress, exports_started)."""


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
            result={"exports_started": self.attempts},
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
                result={"exports_started": self.attempts},
            )
        began = self._clock()
        polls = 0
        while True:
            try:
                status = self.api.export_status(export_id)
            except JiraApiError as err:
                raise ExportError(
                    "checking the status of export %s failed: %s" % (export_id, err),
                    err,
                    {"export_id": export_id, "exports_started": self.attempts},
                ) from None
            polls += 1
            decision = decide(status, self._clock() - began, spec.wait_timeout, polls, spec.poll_interval)
            if decision.action == DOWNLOAD:
                return export_id, decision.filename
            if decision.action == FAILED:
                raise ExportError(
                    "export %s failed on the server at %s%% progress: %s"
                    % (export_id, decision.progress, decision.message),
                    result={"export_id": export_id, "progress": decision.progress, "exports_started": self.attempts},
                )
            if decision.action == TIMEOUT:
                raise ExportError(
                    "export %s did not complete within wait_timeout=%ss (last progress %s%%). It goes on running on "
                    "the server; raise wait_timeout, or narrow the export with jql"
                    % (export_id, _plain_number(spec.wait_timeout), decision.progress),
                    result={"export_id": export_id, "progress": decision.progress, "exports_started": self.attempts},
                )
            self._sleep(decision.delay)

    def _start_error(self, err):
        result = {"exports_started": self.attempts}
        if err.status == 403:
            who = "user %r" % self.spec.user if self.spec.user else "the user of this token"
            return ExportError(
                "%s may not export ProForma data: exporting needs the '%s' global permission in Jira (%s)"
                % (who, EXPORT_PERMISSION, err),
                err,
                result,
            )
        return ExportError("starting the export failed: %s" % err, err, result)

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
                err,
                {"export_id": export_id, "exports_started": self.attempts},
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
                        result={"export_id": export_id, "exports_started": self.attempts},
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
        self._parser = JsonStreamParser()
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._responses = [] if keep else None

    def feed(self, chunk, final=False):
        try:
            events = self._parser.feed(self._decoder.decode(chunk, final))
            if final:
                events += self._parser.close()
        except UnicodeDecodeError as err:
            raise BrokenDownload("the export is not UTF-8 text: %s" % err) from None
        except JsonExportError as err:
            raise BrokenDownload("the export is not valid JSON: %s" % err) from None
        if self._responses is not None:
            for event in events:
                if event[0] == "item" and is_responses(event[1]):
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


def _plain_number(value):
    return int(value) if float(value).is_integer() else value
