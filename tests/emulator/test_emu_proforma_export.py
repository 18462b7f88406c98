"""ProForma exports: start, status with progress, download once, JSON and XLSX, JQL, permissions."""

from __future__ import annotations

import io
import json
import time

import openpyxl
import pytest
from proforma_schema import assert_proforma_response

EXPORT = "/rest/proforma/1/export"


def start(client, **body):
    response = client.post(EXPORT, json={"type": "responses-json", "projectKey": "DEMO", "templateFormId": 1} | body)
    return response, assert_proforma_response(response)


def wait(client, status_url, timeout=10.0):
    """Poll the status URL until complete; return every status body seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(status_url)
        assert response.status_code == 200
        seen.append(assert_proforma_response(response))
        if seen[-1]["complete"]:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"export did not complete: {seen[-1]}")


def download(client, emulator, **body):
    emulator.settings(export_seconds=0)
    _response, started = start(client, **body)
    final = wait(client, started["statusUrl"])[-1]
    response = client.get(final["downloadUrl"])
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    return response


def test_export_runs_in_background_with_progress(admin, emulator):
    emulator.settings(export_seconds=0.6)
    response, started = start(admin, fields=["summary"])
    assert response.status_code == 200
    assert started["type"] == "responses-json" and started["statusUrl"] == f"{emulator.url}{EXPORT}/{started['id']}"
    seen = wait(admin, started["statusUrl"])
    assert not seen[0]["complete"] and "downloadUrl" not in seen[0]
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress) and progress[-1] == 100 and 0 < max(progress[:-1]) < 100
    assert seen[-1]["downloadUrl"].endswith("/ProForma-DEMO-form-1.json")


def test_download_before_completion_is_400(admin, emulator):
    emulator.settings(export_seconds=30)
    _response, started = start(admin)
    early = admin.get(f"{started['statusUrl']}/ProForma-DEMO-form-1.json")
    assert early.status_code == 400
    assert_proforma_response(early)


def test_json_export_content_and_download_once(admin, emulator):
    emulator.settings(export_seconds=0)
    _response, started = start(admin, fields=["summary", "status"])
    final = wait(admin, started["statusUrl"])[-1]
    response = admin.get(final["downloadUrl"])
    assert response.headers["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["projectKey"] == "DEMO" and document["templateFormId"] == 1
    assert [(r["issueKey"], r["formId"], r["status"]) for r in document["responses"]] == [
        ("DEMO-1", 1, "s"),
        ("DEMO-1", 2, "o"),
        ("DEMO-4", 1, "s"),
    ]
    first = document["responses"][0]
    assert first["fields"] == {"summary": "Family of the CEO", "status": "Open"}
    assert first["answers"] == {"Asset tag": "LAP-001", "Quantity": 1, "Justification": "Old laptop broke"}
    assert first["issueId"] == 10001 and first["formName"] == "Asset request"
    again = admin.get(final["downloadUrl"])
    assert again.status_code == 404
    assert assert_proforma_response(again)["error"] == "notFound"
    gone = admin.get(started["statusUrl"])
    assert gone.status_code == 404
    assert_proforma_response(gone)


def test_two_exports_of_unchanged_data_are_equal(admin, emulator):
    first = download(admin, emulator, fields=["summary"]).json()
    second = download(admin, emulator, fields=["summary"]).json()
    assert first == second


def test_xlsx_export_is_a_real_workbook(admin, emulator):
    response = download(admin, emulator, type="responses-xlsx", projectKey="OPS", templateFormId=2, fields=["summary"])
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == [
        "issueKey",
        "issueId",
        "formId",
        "formName",
        "status",
        "submitted",
        "summary",
        "Change summary",
        "Risk",
    ]
    assert [row[0] for row in table[1:]] == ["OPS-1", "OPS-2"]
    assert table[1][7:] == ["Replace core switch", "High"]


def test_jql_filters_the_export(admin, emulator):
    by_key = download(admin, emulator, jql="key in (DEMO-4, DEMO-2) ORDER BY key").json()
    assert [r["issueKey"] for r in by_key["responses"]] == ["DEMO-4"]
    by_status = download(admin, emulator, jql='status = "Open" AND project = DEMO').json()
    assert {r["issueKey"] for r in by_status["responses"]} == {"DEMO-1", "DEMO-4"}


def test_unparsable_jql_fails_the_export(admin, emulator):
    emulator.settings(export_seconds=0)
    _response, started = start(admin, jql="description ~ broken")
    final = wait(admin, started["statusUrl"])[-1]
    assert final["complete"] is True and final["failed"] is True
    assert final["message"] == "Error constructing JQL query" and "downloadUrl" not in final
    failed_download = admin.get(f"{started['statusUrl']}/ProForma-DEMO-form-1.json")
    assert failed_download.status_code == 400
    assert_proforma_response(failed_download)


def test_synthetic_responses_for_benchmarks(admin, emulator):
    emulator.settings(export_synthetic_responses=2000)
    document = download(admin, emulator, fields=["summary"]).json()
    assert len(document["responses"]) == 3 + 2000
    assert document["responses"][-1]["fields"] == {"summary": "Synthetic issue 1999"}


def test_downloads_can_be_paced_like_a_network_link(admin, emulator):
    emulator.settings(export_synthetic_responses=2000)
    size = len(download(admin, emulator, fields=["summary"]).content)
    emulator.settings(download_bytes_per_second=size * 2)  # half a second for the file
    try:
        started = time.monotonic()
        again = download(admin, emulator, fields=["summary"]).content
        paced = time.monotonic() - started
    finally:
        emulator.settings(download_bytes_per_second=0)
    assert len(again) == size
    assert paced >= 0.4, "a download at 2x its size per second took %.2fs" % paced


@pytest.mark.parametrize(
    "body",
    [
        {"type": "responses-csv"},
        {"projectKey": "NOPE"},
        {"templateFormId": 42},
        {"templateFormId": "x"},
        {"fields": "summary"},
    ],
)
def test_bad_export_requests_are_400(admin, body):
    response, error = start(admin, **body)
    assert response.status_code == 400 and error["error"] == "client"


def test_export_needs_the_export_permission(api):
    response, error = start(api("jadmin"))
    assert response.status_code == 403
    assert (
        error["message"] == "Access to this API requires a user with the 'ProForma: Export All Data' global permission"
    )
    response, _started = start(api("erin"))
    assert response.status_code == 200
    assert api("alice").get(f"{EXPORT}/whatever").status_code == 403


def test_unknown_export_is_404(admin):
    for path in (f"{EXPORT}/responses-json-DEMO-1-1", f"{EXPORT}/responses-json-DEMO-1-1/file.json"):
        response = admin.get(path)
        assert response.status_code == 404
        assert assert_proforma_response(response)["error"] == "notFound"


def test_bad_json_body_is_400(admin):
    response = admin.post(EXPORT, data="nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "client"
    assert_proforma_response(response)
