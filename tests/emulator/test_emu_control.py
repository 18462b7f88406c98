"""Control API, fault injection, context path and the process wrapper."""

from __future__ import annotations

import base64
import http.client
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests
from jira_emulator.process import PACKAGE_PARENT, EmulatorError, EmulatorProcess

ROWS = "/rest/idalko-igrid/1.0/grid/10302/issue/10101"


def test_reset_restores_start_data_and_clears_log_and_faults(emulator, admin):
    admin.delete(ROWS, json={"rows": "all"})
    emulator.set_faults([{"path": "/nowhere", "action": "status", "status": 500}])
    assert admin.get(f"{ROWS}/rowcount").json() == {"rowCount": 0}
    emulator.reset()
    assert emulator.requests() == [] and emulator.control("GET", "faults") == {"rules": []}
    assert admin.get(f"{ROWS}/rowcount").json() == {"rowCount": 3}


def test_load_replaces_data(emulator, api):
    emulator.load(
        {
            "users": [{"name": "zoe", "password": "z", "tokens": ["zt"]}],
            "projects": [{"key": "Z", "id": 1}],
            "issues": [{"key": "Z-1", "id": 5, "summary": "Only issue"}],
        }
    )
    zoe = api(token="zt")
    assert zoe.get("/rest/api/2/issue/Z-1").status_code == 404  # zoe has no browse permission
    assert api("admin").get("/rest/api/2/myself").status_code == 401  # admin is gone
    with pytest.raises(EmulatorError, match="400"):
        emulator.load({"grids": [{"id": 1, "name": "x", "columns": [{"name": "a", "type": "colour"}]}]})


def test_settings_merge(emulator, admin):
    assert emulator.settings()["max_results"] == 100
    assert emulator.settings(max_results=10)["default_max_results"] == 50
    page = admin.get("/rest/idalko-igrid/1.0/grid/10301/issue/10002", params={"maxResults": 50}).json()
    assert page["maxResults"] == 10 and len(page["values"]) == 10


def test_request_log_and_counters(emulator, api):
    admin = api("admin")
    admin.get("/rest/api/2/myself", params={"a": "1"})
    admin.post(ROWS, json={"rows": [{"asset": "x"}]})
    api(None).get("/rest/api/2/myself")
    emulator.counters()  # control calls are neither logged nor counted
    log = emulator.requests()
    assert [(e["seq"], e["method"], e["path"], e["user"], e["status"]) for e in log] == [
        (1, "GET", "/rest/api/2/myself", "admin", 200),
        (2, "POST", ROWS, "admin", 201),
        (3, "GET", "/rest/api/2/myself", None, 401),
    ]
    assert log[0]["query"] == {"a": "1"} and log[0]["fault"] is None
    counters = emulator.counters()
    assert (counters["total"], counters["reads"], counters["writes"]) == (3, 2, 1)
    assert counters["by_method"] == {"GET": 2, "POST": 1}
    assert counters["by_route"]["POST /rest/idalko-igrid/1.0/grid/{gridId}/issue/{issueId}"] == 1
    emulator.clear_requests()
    assert emulator.requests() == [] and emulator.counters()["total"] == 0


def test_fault_status_with_retry_after_for_count_requests(emulator, admin):
    rules = emulator.set_faults(
        [{"method": "GET", "path": "/myself", "count": 2, "action": "status", "status": 503, "retry_after": "2"}]
    )
    assert rules[0]["remaining"] == 2
    first = admin.get("/rest/api/2/myself")
    assert first.status_code == 503 and first.headers["Retry-After"] == "2"
    assert admin.post(ROWS, json={"rows": []}).status_code == 201  # other method: untouched
    assert admin.get("/rest/api/2/myself").status_code == 503
    assert admin.get("/rest/api/2/myself").status_code == 200
    assert [e["fault"] for e in emulator.requests()] == ["status", None, "status", None]
    assert emulator.control("GET", "faults")["rules"][0]["remaining"] == 0


def test_fault_rate_is_reproducible_with_the_seed(emulator, admin):
    def run():
        emulator.set_faults([{"path": "/myself", "rate": 0.5, "action": "status", "status": 502}])
        return [admin.get("/rest/api/2/myself").status_code for _attempt in range(20)]

    first, second = run(), run()
    assert first == second and {502, 200} == set(first)
    emulator.settings(seed=7)
    assert run() != first


def test_fault_drop_without_and_with_apply(emulator, admin):
    emulator.set_faults([{"method": "POST", "count": 1, "action": "drop"}])
    with pytest.raises(requests.ConnectionError):
        admin.post(ROWS, json={"rows": [{"asset": "lost"}]})
    assert admin.get(f"{ROWS}/rowcount").json() == {"rowCount": 3}  # not applied
    emulator.set_faults([{"method": "POST", "count": 1, "action": "drop", "after_apply": True}])
    with pytest.raises(requests.ConnectionError):
        admin.post(ROWS, json={"rows": [{"asset": "applied"}]})
    assert admin.get(f"{ROWS}/rowcount").json() == {"rowCount": 4}  # applied, the client never knew
    drops = [e for e in emulator.requests() if e["fault"] == "drop"]
    assert [e["status"] for e in drops] == [None, 201]


def test_fault_truncate_download(emulator, admin):
    emulator.settings(export_seconds=0)
    started = admin.post(
        "/rest/proforma/1/export", json={"type": "responses-json", "projectKey": "DEMO", "templateFormId": 1}
    ).json()
    while not (status := admin.get(started["statusUrl"]).json())["complete"]:
        time.sleep(0.05)
    emulator.set_faults([{"path": "/export/.+/.+", "count": 1, "action": "truncate"}])
    parts = urlsplit(status["downloadUrl"])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    token = base64.b64encode(b"admin:admin-pass").decode()
    connection.request("GET", parts.path, headers={"Authorization": f"Basic {token}"})
    response = connection.getresponse()
    declared = int(response.getheader("Content-Length"))
    with pytest.raises(http.client.IncompleteRead) as info:
        response.read()
    assert len(info.value.partial) == declared // 2
    connection.close()
    assert admin.get(status["downloadUrl"]).status_code == 404  # the export was consumed anyway


def test_fault_latency(emulator, admin):
    emulator.set_faults([{"path": "/myself", "count": 1, "action": "latency", "latency": 0.3}])
    started = time.monotonic()
    assert admin.get("/rest/api/2/myself").status_code == 200
    assert time.monotonic() - started >= 0.3
    assert emulator.requests()[0]["fault"] == "latency"


@pytest.mark.parametrize(
    "rule",
    [
        {"action": "explode"},
        {"action": "status", "rate": 2},
        {"action": "drop", "rate": 0.1, "count": 1},
        {"action": "status", "path": "("},
        {"action": "status", "colour": 1},
    ],
)
def test_invalid_fault_rules_are_rejected(emulator, rule):
    with pytest.raises(EmulatorError, match="400"):
        emulator.set_faults([rule])


def test_unknown_control_endpoint(emulator):
    with pytest.raises(EmulatorError, match="404"):
        emulator.control("GET", "nothing")


def test_context_path_and_dict_fixture():
    fixture = {
        "users": [{"name": "u", "password": "p", "sysadmin": True}],
        "projects": [{"key": "P", "id": 1}],
        "issues": [{"key": "P-1", "id": 2}],
    }
    with EmulatorProcess(data=fixture, context_path="/jira") as process:
        assert process.url.endswith("/jira")
        assert requests.get(f"{process.url}/rest/api/2/issue/P-1", auth=("u", "p"), timeout=5).json()["key"] == "P-1"
        base = process.url[: -len("/jira")]
        assert requests.get(f"{base}/rest/api/2/issue/P-1", auth=("u", "p"), timeout=5).status_code == 404
        assert process.counters()["total"] == 2
    assert process._proc.poll() is not None


def test_start_failure_reports_stderr(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("grids: [{id: 1, name: x, columns: [{name: a, type: colour}]}]\n")
    with pytest.raises(EmulatorError, match="unknown type colour"):
        EmulatorProcess(data=broken).start()


def test_cli_prints_the_url_first():
    proc = subprocess.Popen(
        [sys.executable, "-m", "jira_emulator", "--port", "0", "--context-path", "jira/"],
        cwd=PACKAGE_PARENT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:") and line.endswith("/jira")
        assert requests.get(f"{line}/rest/api/2/myself", timeout=5).status_code == 401
    finally:
        proc.terminate()
        assert proc.wait(timeout=5) == 0
        proc.stdout.close()


def test_slow_requests_are_answered_at_the_same_time_and_counted_in_flight(emulator, admin):
    # Each of four requests waits 1 s in the server. Answered one after another, at most one would be in
    # flight; the emulator serves each on its own thread, so all four overlap.
    emulator.set_faults([{"method": "GET", "path": "/rowcount", "action": "latency", "latency": 1.0}])
    emulator.clear_requests()
    barrier = threading.Barrier(4)

    def read():
        barrier.wait()
        return admin.get(f"{ROWS}/rowcount").json()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _i: read(), range(4)))
    assert answers == [{"rowCount": 3}] * 4
    assert emulator.counters()["max_in_flight"] == 4
    emulator.clear_requests()
    assert emulator.counters()["max_in_flight"] == 0
