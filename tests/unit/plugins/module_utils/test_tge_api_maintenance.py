# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The TGE maintenance endpoints: which request each method sends."""

from __future__ import annotations

import json

import pytest

from ansible_collections.jira.addons.plugins.module_utils.client import JiraClient
from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError
from ansible_collections.jira.addons.plugins.module_utils.tge_api import TgeApi

BASE = "/rest/idalko-igrid/1.0/grid"


def client(server, **kwargs):
    return JiraClient(server.url, token="secret-token", sleep=lambda _s: None, **kwargs)


def test_reload_posts_the_grid_ids(server):
    server.script = [(200, {}, "")]
    TgeApi(client(server)).reload(10004, ["10302", 10301])
    (request,) = server.requests
    assert (request["method"], request["path"]) == ("POST", BASE + "/issue/10004/reload")
    assert json.loads(request["body"]) == {"gridIds": [10302, 10301]}


def test_reload_is_retried_after_a_gateway_error(server):
    # A reload done twice is harmless, so a 502 after a POST is retried instead of reported as unknown.
    server.script = [(502, {}, "bad gateway"), (200, {}, "")]
    TgeApi(client(server, retries=1)).reload(10004, [10302])
    assert [r["method"] for r in server.requests] == ["POST", "POST"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("clear_duplicates", "/10302/issue/10004/clearDuplicates"),
        ("clear_not_modified", "/10302/issue/10004/clearNotModified"),
    ],
)
def test_clear_endpoints_put_without_a_body(server, method, path):
    server.script = [(200, {}, "")]
    getattr(TgeApi(client(server)), method)(10302, 10004)
    (request,) = server.requests
    assert (request["method"], request["path"]) == ("PUT", BASE + path)
    assert request["body"] == b""


def test_synchronize_accepts_204(server):
    server.script = [(204, {}, "")]
    assert TgeApi(client(server)).synchronize() is None
    assert [(r["method"], r["path"]) for r in server.requests] == [("PUT", BASE + "/synchronize")]


def test_synchronize_refused_carries_status_and_server_message(server):
    server.script = [(403, {}, "User 'jadmin' is not a system administrator")]
    with pytest.raises(JiraApiError) as info:
        TgeApi(client(server)).synchronize()
    assert info.value.status == 403
    assert info.value.server_message == "User 'jadmin' is not a system administrator"
