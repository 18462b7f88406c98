# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import email.utils
import socket
import time

import pytest

from ansible_collections.jira.addons.plugins.module_utils.client import (
    JiraApiError,
    JiraClient,
    OutcomeUnknownError,
    retry_after_seconds,
    server_message,
)

PASSWORD = "s3cr3t-pa55word"
TOKEN = "tok-9f8e7d6c5b4a"


def make_client(url, sleeps=None, **kwargs):
    kwargs.setdefault("username", "alice")
    kwargs.setdefault("password", PASSWORD)
    kwargs.setdefault("retries", 3)
    kwargs.setdefault("timeout", 5)
    recorded = sleeps if sleeps is not None else []
    return JiraClient(url, sleep=recorded.append, **kwargs)


def test_basic_auth_is_sent_preemptively_on_every_request(server):
    server.script = [(200, {}, {"a": 1}), (200, {}, {"b": 2})]
    client = make_client(server.url)
    assert client.get("/one") == {"a": 1}
    assert client.get("/two") == {"b": 2}
    expected = "Basic " + base64.b64encode(("alice:" + PASSWORD).encode()).decode()
    assert [r["headers"].get("Authorization") for r in server.requests] == [expected, expected]


def test_token_is_sent_as_bearer(server):
    client = make_client(server.url, username=None, password=None, token=TOKEN)
    client.get("/x")
    assert server.requests[0]["headers"]["Authorization"] == "Bearer " + TOKEN


def test_context_path_and_trailing_slash_are_kept(server):
    client = make_client(server.url + "/jira/")
    client.get("/rest/api/2/myself", params={"a": "b"})
    assert server.requests[0]["path"] == "/jira/rest/api/2/myself?a=b"


def test_retries_503_then_succeeds(server):
    server.script = [(503, {}, "busy"), (503, {}, "busy"), (200, {}, {"ok": True})]
    sleeps = []
    client = make_client(server.url, sleeps)
    assert client.get("/x") == {"ok": True}
    assert len(server.requests) == 3
    assert len(sleeps) == 2
    # Exponential backoff with jitter: attempt n waits between half and all of backoff * 2**(n-1).
    assert 0.25 <= sleeps[0] <= 0.5
    assert 0.5 <= sleeps[1] <= 1.0


def test_retry_after_seconds_is_honoured(server):
    server.script = [(429, {"Retry-After": "7"}, "slow down"), (200, {}, [])]
    sleeps = []
    assert make_client(server.url, sleeps).get("/x") == []
    assert sleeps == [7.0]


def test_retry_after_http_date_is_honoured():
    now = time.time()
    header = email.utils.formatdate(now + 20, usegmt=True)
    assert 18 <= retry_after_seconds(header, now=now) <= 21
    assert retry_after_seconds("not a date") is None
    assert retry_after_seconds("100000") == 300.0


def test_gives_up_after_retries_with_status_and_message(server):
    server.script = [(503, {}, "maintenance")] * 3
    client = make_client(server.url, retries=2)
    with pytest.raises(JiraApiError) as info:
        client.get("/rest/x")
    assert info.value.status == 503
    assert len(server.requests) == 3
    assert str(info.value) == "GET /rest/x failed with HTTP 503 (service unavailable): maintenance"


def test_post_is_retried_on_503_because_the_server_refused_it(server):
    server.script = [(503, {}, "busy"), (201, {}, [7])]
    assert make_client(server.url).request("POST", "/rows", json={"rows": [{}]}) == [7]
    assert [r["method"] for r in server.requests] == ["POST", "POST"]


def test_post_is_not_retried_on_504_which_may_have_applied_it(server):
    server.script = [(504, {}, "gateway timeout"), (201, {}, [7])]
    with pytest.raises(OutcomeUnknownError) as info:
        make_client(server.url).request("POST", "/rows", json={})
    assert info.value.status == 504
    assert len(server.requests) == 1


def test_get_is_retried_after_a_dropped_connection(server):
    server.script = ["drop", (200, {}, {"ok": 1})]
    assert make_client(server.url).get("/x") == {"ok": 1}
    assert len(server.requests) == 2


def test_post_after_a_dropped_connection_raises_outcome_unknown(server):
    server.script = ["drop", (201, {}, [1])]
    with pytest.raises(OutcomeUnknownError) as info:
        make_client(server.url).request("POST", "/rows", json={"rows": []})
    assert len(server.requests) == 1, "a POST that may have been applied must not be re-sent"
    assert "may have been applied" in str(info.value)


def test_connection_refused_is_retried_then_reported():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    sleeps = []
    client = make_client("http://127.0.0.1:%d" % port, sleeps, retries=2)
    with pytest.raises(JiraApiError) as info:
        client.request("POST", "/x", json={})
    # Nothing was sent, so even a POST is retried, and the error is not "outcome unknown".
    assert not isinstance(info.value, OutcomeUnknownError)
    assert len(sleeps) == 2
    assert info.value.status is None
    assert "connection failed" in str(info.value)


@pytest.mark.parametrize(
    "status, body, expected",
    [
        (
            401,
            {"errorMessages": ["You are not authenticated."], "errors": {}},
            "GET /p failed with HTTP 401 (not authenticated: check url, username/password or token): "
            "You are not authenticated.",
        ),
        (
            403,
            {"error": "forbidden", "message": "Access requires 'ProForma: Export All Data'"},
            "GET /p failed with HTTP 403 (forbidden: the user lacks the permission for this operation): "
            "Access requires 'ProForma: Export All Data'",
        ),
        (
            404,
            {"errorMessages": ["Issue Does Not Exist"], "errors": {"issue": "bad"}},
            "GET /p failed with HTTP 404 (not found): Issue Does Not Exist; issue: bad",
        ),
        (
            400,
            "Column 'colour' does not exist",
            "GET /p failed with HTTP 400 (bad request): Column 'colour' does not exist",
        ),
        (
            500,
            "<html><body><h1>Oops</h1> broken</body></html>",
            "GET /p failed with HTTP 500 (server error): Oops broken",
        ),
    ],
)
def test_error_messages_carry_status_and_server_words(server, status, body, expected):
    server.script = [(status, {}, body)]
    with pytest.raises(JiraApiError) as info:
        make_client(server.url, retries=0).get("/p")
    assert str(info.value) == expected
    assert info.value.status == status
    assert info.value.as_dict()["path"] == "/p"


def test_no_secret_in_any_error_text(server):
    # A server (or proxy) that echoes credentials back must not leak them.
    server.script = [(400, {}, {"errorMessages": ["bad password %s and token %s" % (PASSWORD, TOKEN)]})]
    client = make_client("http://user:%s@127.0.0.1:%s" % (PASSWORD, server.url.rsplit(":", 1)[1]), retries=0)
    with pytest.raises(JiraApiError) as info:
        client.get("/p")
    text = str(info.value) + repr(info.value.as_dict())
    assert PASSWORD not in text
    assert "********" in text
    assert PASSWORD not in client.base_url
    assert PASSWORD not in repr(client.session.auth)

    token_client = make_client(server.url, username=None, password=None, token=TOKEN, retries=0)
    server.script = [(401, {}, "token %s rejected" % TOKEN)]
    with pytest.raises(JiraApiError) as info:
        token_client.get("/p")
    assert TOKEN not in str(info.value)


def test_tls_checks_are_on_by_default():
    client = JiraClient("https://jira.example.com", username="a", password="b")
    assert client.session.verify is True
    assert JiraClient("https://j", validate_certs=True, ca_path="/etc/ca.pem").session.verify == "/etc/ca.pem"
    assert JiraClient("https://j", validate_certs=False).session.verify is False


def test_server_message_truncates_long_text():
    class Response:
        text = "x" * 2000

        def json(self):
            raise ValueError

    assert len(server_message(Response())) == 500


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_ca_path_and_validate_certs_win_over_a_ca_bundle_in_the_environment(tls_server, monkeypatch, variable):
    # Execution environments often set these; requests would let them replace the session's own setting.
    monkeypatch.setenv(variable, "/etc/ssl/certs/ca-certificates.crt")
    tls_server.script = [(200, {}, {"a": 1}), (200, {}, {"b": 2})]
    assert make_client(tls_server.url, ca_path=tls_server.ca).get("/x") == {"a": 1}
    assert make_client(tls_server.url, validate_certs=False).get("/y") == {"b": 2}
    assert [r["path"] for r in tls_server.requests] == ["/x", "/y"]


def test_a_refused_certificate_fails_at_once_and_says_how_to_trust_it(tls_server):
    sleeps = []
    with pytest.raises(JiraApiError) as info:
        make_client(tls_server.url, sleeps).request("POST", "/rows", json={})
    assert sleeps == [] and tls_server.requests == [], "a certificate check cannot pass on a retry"
    assert not isinstance(info.value, OutcomeUnknownError)  # nothing was sent
    assert "TLS error" in str(info.value) and "ca_path" in str(info.value)


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("status", [301, 302, 303, 307])
def test_a_redirect_is_reported_and_never_followed(server, method, status):
    # Followed, a 302 or 303 turns a PUT or DELETE into a GET that succeeds: the write would be reported
    # as done with nothing written.
    server.script = [(status, {"Location": "https://bob:%s@jira.example.com/jira/rest/x" % PASSWORD}, "")]
    with pytest.raises(JiraApiError) as info:
        make_client(server.url).request(method, "/rest/x", json={"rows": []})
    assert [r["method"] for r in server.requests] == [method]
    text = str(info.value)
    assert "HTTP %d" % status in text and "redirects to https://jira.example.com/jira/rest/x" in text
    assert "nothing was changed" in text and PASSWORD not in text and "bob" not in text
