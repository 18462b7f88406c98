# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads in parallel through the one client: never more than ``concurrency`` requests in flight."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.jira.addons.plugins.module_utils.client import JiraClient
from ansible_collections.jira.addons.plugins.module_utils.tge_api import TgeApi

ASSETS, DEMO4 = 10302, 10004


def client(emulator, concurrency):
    return JiraClient(emulator.url, username="admin", password="admin-pass", concurrency=concurrency, timeout=10)


@pytest.fixture
def big_grid(emulator):
    rows = [{"asset": "A-%04d" % i, "quantity": i} for i in range(950)]
    api = client(emulator, 1)
    api.request("POST", "/rest/idalko-igrid/1.0/grid/%d/issue/%d" % (ASSETS, DEMO4), json={"rows": rows})
    # Pages are capped at 100 rows, so the grid's 953 rows take 10 pages.
    emulator.set_faults([{"method": "GET", "path": "/grid/10302/issue/", "action": "latency", "latency": 0.2}])
    emulator.clear_requests()
    return api


@pytest.mark.parametrize("concurrency", [1, 3])
def test_pages_after_the_first_are_read_in_parallel_up_to_concurrency(emulator, big_grid, concurrency):
    expected = TgeApi(big_grid).read_rows(ASSETS, DEMO4)  # one page after the other
    emulator.clear_requests()
    rows = TgeApi(client(emulator, concurrency)).read_rows(ASSETS, DEMO4)
    assert len(rows) == 953 and rows == expected, "every row once, in id order"
    counters = emulator.counters()
    assert counters["total"] == 10, "one request a page, none repeated"
    assert counters["max_in_flight"] == concurrency


def test_threads_sharing_a_client_never_exceed_its_concurrency(emulator, big_grid):
    shared = client(emulator, 2)
    api = TgeApi(shared)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(len(api.read_rows(ASSETS, DEMO4)))) for _thread in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [953] * 3
    assert emulator.counters()["max_in_flight"] == 2
    assert shared.request_count == 30
