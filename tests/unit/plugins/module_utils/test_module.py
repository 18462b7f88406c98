# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JiraModule: what it refuses before any request, what it masks, and the options it gives the client."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.jira.addons.plugins.module_utils import module as module_base
from ansible_collections.jira.addons.plugins.module_utils.client import JiraClient
from ansible_collections.jira.addons.plugins.module_utils.module import JiraModule
from ansible_collections.jira.addons.plugins.modules import tge_grid_info

# ansible.module_utils.testing has patch_module_args from ansible-core 2.19 on; this works before it too.
from ansible_collections.jira.addons.tests.unit.module_args import patch_module_args

PASSWORD = "Ab@Cd-Tail-55"
TOKEN = "tok-1a2b3c4d5e"


def printed(main, args, capsys):
    """Run ``main`` with the real exit_json/fail_json: the text it prints (what -vvv shows) and its result."""
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            main()
    out = capsys.readouterr().out
    return out, json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def sleeps(monkeypatch):
    """The waits of the module's client, recorded instead of slept."""
    recorded = []

    def client(url, **options):
        return JiraClient(url, sleep=recorded.append, **options)

    monkeypatch.setattr(module_base, "JiraClient", client)
    return recorded


def basic(user, password):
    return base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def test_a_password_with_an_at_in_url_shows_nowhere_in_what_the_module_prints(server, capsys):
    host = server.url.split("://", 1)[1]
    out, result = printed(tge_grid_info.main, {"url": "http://admin:%s@%s" % (PASSWORD, host)}, capsys)
    assert result["failed"] and result["msg"].startswith("url must not hold credentials")
    for part in ("Cd-Tail-55", "Ab@Cd", "Tail", basic("admin", PASSWORD)):
        assert part not in out
    assert server.requests == []


def test_basic_credentials_echoed_by_a_server_show_nowhere_in_what_the_module_prints(server, capsys):
    echoed = "Authorization=Basic %s" % basic("admin", PASSWORD)
    server.script = [(400, {}, {"errorMessages": ["gateway refused a request with %s" % echoed]})]
    out, result = printed(
        tge_grid_info.main, {"url": server.url, "username": "admin", "password": PASSWORD, "retries": 0}, capsys
    )
    assert result["failed"] and "gateway refused a request with Authorization=********" in result["msg"]
    assert basic("admin", PASSWORD) not in out and "Tail" not in out


@pytest.mark.parametrize(
    "credentials, forms",
    [
        ({"username": "admin", "password": PASSWORD}, ["Basic " + basic("admin", PASSWORD), basic("admin", PASSWORD)]),
        ({"token": TOKEN}, ["Bearer " + TOKEN]),
    ],
)
def test_no_log_values_hold_the_authorization_header_and_its_base64_part(credentials, forms):
    # The module masks these itself: a message that does not pass through the client is covered too.
    with patch_module_args(dict(url="https://jira.example.com", **credentials)):
        module = JiraModule(argument_spec={})
    assert set(forms) <= module.no_log_values


def test_a_retry_after_beyond_max_retry_wait_fails_at_once_naming_the_wait(server, sleeps, run_module):
    server.script = [(503, {"Retry-After": "3600"}, "down for maintenance")] * 4
    result, failed = run_module(tge_grid_info.main, {"url": server.url, "token": TOKEN})
    assert failed and sleeps == [] and len(server.requests) == 1
    assert "asked to wait 3600 s before a retry (Retry-After), more than max_retry_wait (60 s)" in result["msg"]


def test_max_retry_wait_goes_to_the_client(server, sleeps, run_module):
    server.script = [(503, {"Retry-After": "3600"}, "down for maintenance"), (200, {}, [])]
    result, failed = run_module(tge_grid_info.main, {"url": server.url, "token": TOKEN, "max_retry_wait": 4000})
    assert not failed, result
    assert sleeps == [3600.0]


def test_a_negative_max_retry_wait_is_refused(server, run_module):
    result, failed = run_module(tge_grid_info.main, {"url": server.url, "token": TOKEN, "max_retry_wait": -1})
    assert failed and result["msg"] == "max_retry_wait must be 0 or more seconds, got -1.0"
    assert server.requests == []


@pytest.mark.parametrize("url", ["", "{host}", "localhost"])
def test_a_url_without_https_or_http_is_refused_before_any_request(server, sleeps, run_module, url):
    url = url.format(host=server.url.split("://", 1)[1])
    result, failed = run_module(tge_grid_info.main, {"url": url, "token": TOKEN})
    assert failed and server.requests == [] and sleeps == []
    assert result["msg"].startswith("url ") and "it needs https:// or http://" in result["msg"]
