# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os
import shutil

import pytest

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError, OutcomeUnknownError
from ansible_collections.jira.addons.plugins.module_utils.export_apply import export_responses, export_to_file
from ansible_collections.jira.addons.plugins.module_utils.export_download import ExportError, ExportRunner, ExportSpec

DOC = {
    "projectKey": "DEMO",
    "templateFormId": 1,
    "responses": [
        {"issueKey": "DEMO-1", "formId": 1, "answers": {"Quantity": 1}},
        {"issueKey": "DEMO-4", "formId": 1, "answers": {"Quantity": 2}},
    ],
}
BODY = json.dumps(DOC).encode()


class FakeResponse:
    def __init__(self, body, length=None, broken=False):
        self.headers = {"Content-Length": str(len(body) if length is None else length)}
        self.body = body
        self.broken = broken
        self.closed = False

    def iter_content(self, size):
        yield self.body[: len(self.body) // 2]
        if self.broken:
            raise OSError("Connection broken: IncompleteRead")
        yield self.body[len(self.body) // 2 :]

    def close(self):
        self.closed = True


class FakeApi:
    """Answers the three export operations from a script of downloads (one per export)."""

    def __init__(self, downloads, statuses=None, start_error=None):
        self.downloads = list(downloads)
        self.statuses = statuses
        self.start_error = start_error
        self.calls = []
        self.started = 0

    def start_export(self, export_type, project, template_id, fields=None, jql=None):
        self.calls.append(("start", export_type, project, template_id, fields, jql))
        if self.start_error:
            raise self.start_error
        self.started += 1
        return {"id": "exp-%d" % self.started, "type": export_type, "statusUrl": "u"}

    def export_status(self, export_id):
        self.calls.append(("status", export_id))
        if self.statuses:
            return self.statuses.pop(0)
        url = "http://jira/rest/proforma/1/export/%s/ProForma-DEMO-form-1.json" % export_id
        return {"id": export_id, "complete": True, "failed": False, "progress": 100, "downloadUrl": url}

    def download_export(self, export_id, filename):
        self.calls.append(("download", export_id, filename))
        answer = self.downloads.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def runner(api, clock=None, **spec):
    clock = clock or Clock()
    return ExportRunner(api, ExportSpec("DEMO", 1, **spec), sleep=clock.sleep, clock=clock)


def move(src, dest):
    shutil.move(src, dest)


def leftovers(directory):
    return [name for name in os.listdir(directory) if name.endswith(".part")]


def test_exports_to_a_new_file_then_reports_unchanged(tmp_path):
    dest = str(tmp_path / "out.json")
    api = FakeApi([FakeResponse(BODY), FakeResponse(BODY)])
    first = export_to_file(runner(api, fields=["summary"], jql="key = DEMO-1"), dest, False, False, str(tmp_path), move)
    assert first["changed"] is True and first["export_id"] == "exp-1" and first["exports_started"] == 1
    assert json.load(open(dest)) == DOC and first["size"] == len(BODY)
    assert api.calls[0] == ("start", "responses-json", "DEMO", 1, ["summary"], "key = DEMO-1")
    assert ("download", "exp-1", "ProForma-DEMO-form-1.json") in api.calls
    second = export_to_file(runner(api), dest, False, False, str(tmp_path), move)
    assert second["changed"] is False and second["checksum"] == first["checksum"]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("written", [BODY, json.dumps(DOC, indent=2).encode()], ids=["same bytes", "same data"])
def test_an_unchanged_dest_is_hashed_once_and_reported_as_it_is(tmp_path, monkeypatch, written):
    from ansible_collections.jira.addons.plugins.module_utils import export_apply, export_compare

    dest = tmp_path / "out.json"
    dest.write_bytes(written)
    hashed = []
    real = export_compare.file_sha1

    def counting(path):
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(export_compare, "file_sha1", counting)
    monkeypatch.setattr(export_apply, "file_sha1", counting)
    result = export_to_file(runner(FakeApi([FakeResponse(BODY)])), str(dest), False, False, str(tmp_path), move)
    assert result["changed"] is False
    assert result["checksum"] == real(str(dest)) and result["size"] == len(written)
    assert hashed.count(str(dest)) == 1


def test_the_same_data_formatted_differently_is_unchanged_and_dest_is_left_alone(tmp_path):
    dest = tmp_path / "out.json"
    dest.write_text(json.dumps(DOC, indent=2, sort_keys=True))
    before = dest.read_bytes()
    result = export_to_file(runner(FakeApi([FakeResponse(BODY)])), str(dest), False, True, str(tmp_path), move)
    assert result["changed"] is False and "diff" not in result
    assert dest.read_bytes() == before
    assert result["size"] == len(before)


def test_a_broken_download_starts_a_new_export_and_dest_only_sees_the_complete_file(tmp_path):
    dest = tmp_path / "out.json"
    dest.write_text('{"responses": []}')
    api = FakeApi(
        [
            FakeResponse(BODY, broken=True),  # connection breaks
            FakeResponse(BODY[:-20], length=len(BODY)),  # short body
            OutcomeUnknownError("GET", "/x", reason="dropped"),  # no answer: the export may be gone
            FakeResponse(BODY),
        ]
    )
    result = export_to_file(runner(api, retries=3), str(dest), False, True, str(tmp_path), move)
    assert result["exports_started"] == 4 and result["export_id"] == "exp-4"
    assert json.loads(dest.read_text()) == DOC
    assert result["diff"]["after"]["responses"].keys() == {"DEMO-1 form 1", "DEMO-4 form 1"}
    assert leftovers(tmp_path) == []


def test_when_every_download_breaks_the_module_fails_and_dest_is_untouched(tmp_path):
    dest = tmp_path / "out.json"
    dest.write_text("old")
    api = FakeApi([FakeResponse(BODY, broken=True), FakeResponse(b'{"responses": [1,')])
    with pytest.raises(ExportError, match="broke 2 time") as info:
        export_to_file(runner(api, retries=1), str(dest), False, False, str(tmp_path), move)
    assert "not valid JSON" in str(info.value) and info.value.result["exports_started"] == 2
    assert dest.read_text() == "old" and leftovers(tmp_path) == []


def test_check_mode_reports_exactly_and_writes_nothing(tmp_path):
    dest = tmp_path / "out.json"
    dest.write_text('{"responses": []}')
    work = tmp_path / "work"
    work.mkdir()
    result = export_to_file(runner(FakeApi([FakeResponse(BODY)])), str(dest), True, True, str(work), move)
    assert result["changed"] is True and result["size"] == len(BODY)
    assert result["diff"]["before"] == {"total": 0, "responses": {}, "document": {}}
    assert result["diff"]["after"]["document"] == {"projectKey": "DEMO", "templateFormId": 1}
    assert dest.read_text() == '{"responses": []}' and os.listdir(work) == []


def test_polls_with_growing_delays_until_complete(tmp_path):
    running = {"id": "exp-1", "complete": False, "failed": False, "progress": 10}
    clock = Clock()
    api = FakeApi([FakeResponse(BODY)], statuses=[running, running, running])
    export_responses(runner(api, clock, poll_interval=0.6), str(tmp_path))
    assert clock.sleeps == [0.25, 0.5, 0.6]


def test_a_timeout_fails_with_the_export_id_and_last_progress(tmp_path):
    running = {"id": "exp-1", "complete": False, "failed": False, "progress": 40}
    api = FakeApi([], statuses=[dict(running)] * 100)
    with pytest.raises(ExportError, match="exp-1 did not complete within wait_timeout=3s .last progress 40%") as info:
        export_responses(runner(api, wait_timeout=3, poll_interval=1), str(tmp_path))
    assert info.value.result == {"export_id": "exp-1", "progress": 40, "exports_started": 1}


def test_a_failed_export_fails_with_the_servers_message(tmp_path):
    failed = {
        "id": "exp-1",
        "complete": True,
        "failed": True,
        "progress": 77,
        "message": "Error constructing JQL query",
    }
    with pytest.raises(ExportError, match="failed on the server at 77% progress: Error constructing JQL query"):
        export_responses(runner(FakeApi([], statuses=[failed])), str(tmp_path))


def test_403_says_the_permission_in_plain_words(tmp_path):
    denied = JiraApiError("POST", "/rest/proforma/1/export", status=403, server_message="no")
    with pytest.raises(ExportError, match="user 'alice' may not export ProForma data.*Export All Data"):
        export_responses(runner(FakeApi([], start_error=denied), user="alice"), str(tmp_path))


def test_other_download_errors_fail_without_new_exports(tmp_path):
    error = JiraApiError("GET", "/x", status=401, server_message="who are you")
    api = FakeApi([error, FakeResponse(BODY)])
    with pytest.raises(ExportError, match="downloading export exp-1 failed"):
        export_responses(runner(api), str(tmp_path))
    assert api.started == 1


def test_without_dest_the_responses_are_returned(tmp_path):
    result = export_responses(runner(FakeApi([FakeResponse(BODY)])), str(tmp_path))
    assert result["responses"] == DOC["responses"] and result["changed"] is False and result["dest"] is None
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("with_diff", [True, False])
def test_an_unreadable_xlsx_download_counts_as_broken(tmp_path, with_diff):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["issueKey"])
    good = tmp_path / "good.xlsx"
    book.save(good)
    data = good.read_bytes()
    api = FakeApi([FakeResponse(b"<html>proxy login</html>"), FakeResponse(data)])
    dest = tmp_path / "out.xlsx"
    result = export_to_file(runner(api, format="xlsx"), str(dest), False, with_diff, str(tmp_path), move)
    assert result["exports_started"] == 2 and dest.read_bytes() == data
    if with_diff:
        assert result["diff"]["after"] == {"sheets": {"Sheet": {"rows": 1}}}
    else:
        assert "diff" not in result


def test_an_export_started_without_an_id_fails_saying_how_many_were_started(tmp_path):
    class NoId(FakeApi):
        def start_export(self, *args, **kwargs):
            super().start_export(*args, **kwargs)
            return {"type": "responses-json"}

    api = NoId([])
    with pytest.raises(ExportError, match="gave no export id") as info:
        export_to_file(runner(api), str(tmp_path / "out.json"), False, False, str(tmp_path), move)
    assert info.value.result == {"exports_started": 1}
    assert [c[0] for c in api.calls] == ["start"]
