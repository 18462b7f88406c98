# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.jira.addons.plugins.module_utils.export_poll import (
    DOWNLOAD,
    FAILED,
    TIMEOUT,
    WAIT,
    decide,
    download_filename,
    next_delay,
)

RUNNING = {"type": "responses-json", "id": "x", "complete": False, "failed": False, "progress": 25}
DONE = {
    "type": "responses-json",
    "id": "x",
    "complete": True,
    "failed": False,
    "progress": 100,
    "downloadUrl": "https://jira.example.com/jira/rest/proforma/1/export/x/ProForma-ABC-form-1.json",
}


def test_delays_start_short_and_double_up_to_the_poll_interval():
    assert [next_delay(n, 5, 1000) for n in range(7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_a_poll_interval_below_the_first_delay_wins():
    assert next_delay(0, 0.1, 1000) == 0.1


def test_no_wait_goes_past_the_deadline():
    assert next_delay(10, 30, 2.5) == 2.5
    assert next_delay(10, 30, -1) == 0.0


def test_a_running_export_means_wait_with_a_growing_delay():
    first = decide(RUNNING, elapsed=0.1, wait_timeout=600, polls=1, poll_interval=5)
    third = decide(RUNNING, elapsed=1.0, wait_timeout=600, polls=3, poll_interval=5)
    assert (first.action, first.delay, first.progress) == (WAIT, 0.25, 25)
    assert (third.action, third.delay) == (WAIT, 1.0)


def test_a_running_export_past_the_deadline_times_out_with_its_progress():
    decision = decide(RUNNING, elapsed=600.01, wait_timeout=600, polls=40, poll_interval=5)
    assert (decision.action, decision.progress) == (TIMEOUT, 25)


def test_the_last_wait_ends_on_the_deadline():
    decision = decide(RUNNING, elapsed=599.0, wait_timeout=600, polls=40, poll_interval=5)
    assert decision.action == WAIT and decision.delay == pytest.approx(1.0)


def test_a_complete_export_is_downloaded_by_the_file_name_of_its_url():
    decision = decide(DONE, elapsed=700, wait_timeout=600, polls=3, poll_interval=5)
    assert (decision.action, decision.filename) == (DOWNLOAD, "ProForma-ABC-form-1.json")


def test_a_failed_export_carries_the_servers_message_and_progress():
    status = dict(RUNNING, complete=True, failed=True, progress=77, message="Error constructing JQL query")
    decision = decide(status, elapsed=1, wait_timeout=600, polls=1, poll_interval=5)
    assert (decision.action, decision.progress, decision.message) == (FAILED, 77, "Error constructing JQL query")


def test_a_failed_export_without_message_still_says_something():
    decision = decide(dict(RUNNING, complete=True, failed=True), elapsed=1, wait_timeout=600, polls=1, poll_interval=5)
    assert decision.action == FAILED and decision.message


def test_complete_without_download_url_is_a_failure():
    status = dict(DONE)
    del status["downloadUrl"]
    decision = decide(status, elapsed=1, wait_timeout=600, polls=1, poll_interval=5)
    assert decision.action == FAILED and "downloadUrl" in decision.message


def test_download_filename_is_unquoted_and_ignores_the_query():
    assert download_filename("http://h/jira/rest/proforma/1/export/x/My%20Form.xlsx?a=1") == "My Form.xlsx"
    assert download_filename(None) == ""
