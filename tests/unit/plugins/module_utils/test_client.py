# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import email.utils
import socket
import threading
import time

import pytest

from ansible_collections.jira.addons.plugins.module_utils.client import (
    InputError,
    JiraApiError,
    JiraClient,
    OutcomeUnknownError,
    retry_after_seconds,
    secret_forms,
    server_message,
    url_userinfo,
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
    # Not cut short here: the client compares the wait the server asks for with max_retry_wait, and names it.
    assert retry_after_seconds("100000") == 100000.0
    assert retry_after_seconds("-5") == 0.0


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


# -- hostile inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, userinfo",
    [
        # urlsplit splits at the last "@": so must the mask, or the tail of the password shows.
        ("http://admin:Ab@Cd-Tail-55@host", "admin:Ab@Cd-Tail-55"),
        # "/", "?" and "#" end the authority for urlsplit, but a typed password may hold them.
        ("https://admin:Ab/Cd?Ef#Gh@jira.example.com/jira", "admin:Ab/Cd?Ef#Gh"),
        ("admin:no-scheme@127.0.0.1:8080", "admin:no-scheme"),
        ("https://jira.example.com/jira", None),
    ],
)
def test_credentials_in_url_run_to_its_last_at(url, userinfo):
    assert url_userinfo(url) == userinfo


def test_a_password_with_an_at_in_the_url_is_dropped_and_masked_whole(server):
    password = "Ab@Cd-Tail-55"
    server.script = [(400, {}, "rejected %s" % password)]
    client = make_client("http://admin:%s@%s" % (password, server.url.split("://", 1)[1]), retries=0)
    assert client.base_url == server.url
    with pytest.raises(JiraApiError) as info:
        client.get("/p")
    assert "Tail" not in str(info.value) and "Cd" not in str(info.value)


def test_a_redirect_to_a_login_page_with_an_at_in_its_query_names_the_page(server):
    server.script = [(302, {"Location": "https://sso.example.com/login?login_hint=alice@example.com"}, "")]
    with pytest.raises(JiraApiError) as info:
        make_client(server.url).get("/rest/x")
    assert "redirects to https://sso.example.com/login?login_hint=alice@example.com;" in str(info.value)


def basic(user, password):
    return base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


@pytest.mark.parametrize(
    "password, echo, secret",
    [
        (PASSWORD, "Authorization=Basic %s" % basic("alice", PASSWORD), basic("alice", PASSWORD)),
        # Percent-encoded, as in a form body or a query string a gateway shows.
        ("p@ss/w rd", "password=p%40ss%2Fw%20rd", "p%40ss%2Fw%20rd"),
        ("p@ss/w rd", "password=p%40ss%2Fw+rd", "p%40ss%2Fw+rd"),
    ],
)
def test_credentials_echoed_in_another_encoding_are_masked(server, password, echo, secret):
    server.script = [(400, {}, "gateway refused: %s" % echo)]
    with pytest.raises(JiraApiError) as info:
        make_client(server.url, password=password, retries=0).get("/p")
    text = str(info.value) + repr(info.value.as_dict())
    assert secret not in text and "gateway refused: " in text and "********" in text


def test_an_authorization_header_echoed_is_masked_whole(server):
    server.script = [(400, {}, "bad header Authorization: Bearer %s" % TOKEN)]
    with pytest.raises(JiraApiError) as info:
        make_client(server.url, username=None, password=None, token=TOKEN, retries=0).get("/p")
    assert str(info.value).endswith("bad header Authorization: ********")


def test_secret_forms_hold_the_header_and_its_base64_part():
    forms = secret_forms("alice", PASSWORD)
    assert "Basic " + basic("alice", PASSWORD) in forms and basic("alice", PASSWORD) in forms and PASSWORD in forms
    assert secret_forms(token=TOKEN) == ["Bearer " + TOKEN, TOKEN]
    assert secret_forms() == []


def test_a_secret_across_the_length_limit_is_masked_before_the_message_is_cut(server):
    # Cut first, the mask would no longer find the secret, and its first characters would show.
    server.script = [(400, {}, "x" * 493 + PASSWORD)]
    with pytest.raises(JiraApiError) as info:
        make_client(server.url, retries=0).get("/p")
    assert PASSWORD[:4] not in str(info.value)
    assert info.value.server_message.endswith("...")


def test_a_retry_after_beyond_max_retry_wait_fails_at_once_naming_the_wait(server):
    server.script = [(503, {"Retry-After": "3600"}, "maintenance")] * 4
    sleeps = []
    with pytest.raises(JiraApiError) as info:
        make_client(server.url, sleeps).get("/rest/x")
    assert sleeps == [] and len(server.requests) == 1
    assert str(info.value) == (
        "GET /rest/x failed with HTTP 503 (service unavailable): maintenance; not retried: the server asked to wait"
        " 3600 s before a retry (Retry-After), more than max_retry_wait (60 s) allows"
    )
    assert not isinstance(info.value, OutcomeUnknownError)


def test_the_waits_of_all_retries_of_one_request_add_up_to_max_retry_wait_at_most(server):
    server.script = [(429, {"Retry-After": "40"}, "slow down"), (429, {"Retry-After": "40"}, "slow down")]
    sleeps = []
    with pytest.raises(JiraApiError) as info:
        make_client(server.url, sleeps, max_retry_wait=60).request("POST", "/rows", json={})
    assert sleeps == [40.0] and len(server.requests) == 2
    assert "asked to wait 40 s" in str(info.value) and "the 20 s left of max_retry_wait (60 s)" in str(info.value)


def test_the_backoff_is_cut_to_what_is_left_of_max_retry_wait(server):
    server.script = [(503, {}, "busy")] * 3
    sleeps = []
    with pytest.raises(JiraApiError) as info:
        make_client(server.url, sleeps, retries=5, backoff=6, max_retry_wait=7).get("/x")
    assert sum(sleeps) <= 7 and len(sleeps) == 2 and len(server.requests) == 3
    assert "not retried again: the retries already waited 7 s" in str(info.value)


def test_max_retry_wait_bounds_the_retries_of_a_dropped_connection(server):
    server.script = ["drop", (200, {}, {})]
    sleeps = []
    with pytest.raises(JiraApiError) as info:
        make_client(server.url, sleeps, max_retry_wait=0).get("/x")
    assert sleeps == [] and len(server.requests) == 1
    assert str(info.value).endswith("; not retried: max_retry_wait is 0")


def test_a_login_page_answered_with_200_is_named_as_such(server):
    page = "<html><head><title>Log in - Example SSO</title></head><body>user: password:</body></html>"
    server.script = [(200, {"Content-Type": "text/html;charset=UTF-8"}, page)]
    with pytest.raises(JiraApiError) as info:
        make_client(server.url).get("/rest/api/2/myself")
    assert str(info.value) == (
        "GET /rest/api/2/myself failed with HTTP 200: the server answered HTML (a page titled 'Log in - Example SSO')"
        " instead of JSON: a login page (SSO) or a proxy in front of Jira is the likely cause; set url to the address"
        " Jira itself answers on"
    )


def test_json_cut_short_is_not_called_a_login_page(server):
    server.script = [(200, {"Content-Type": "application/json"}, '{"values": [')]
    with pytest.raises(JiraApiError) as info:
        make_client(server.url).get("/x")
    assert "application/json that is not valid JSON" in str(info.value) and "login" not in str(info.value)


def test_https_to_a_plain_http_port_says_the_port_does_not_speak_tls(server):
    sleeps = []
    url = server.url.replace("http://", "https://")
    with pytest.raises(JiraApiError) as info:
        make_client(url, sleeps).get("/x")
    text = str(info.value)
    port = url.rsplit(":", 1)[1]
    assert "does not speak TLS on that port" in text and "127.0.0.1:%s" % port in text and "http://" in text
    assert "validate_certs" not in text and "ca_path" not in text
    assert sleeps == [], "a plain-text port stays one on a retry"


@pytest.mark.parametrize("url", ["127.0.0.1:8080", "", "   ", "ftp://jira.example.com", "https://", "http://:80"])
def test_a_url_without_http_or_https_and_a_host_is_refused_before_any_request(url):
    with pytest.raises(InputError) as info:
        JiraClient(url)
    assert str(info.value).startswith("url ") and "https:// or http://" in str(info.value)


def test_a_retry_after_told_to_one_thread_pauses_the_others(server):
    server.script = [(200, {}, {"ok": 1})]
    now = [100.0]
    sleeps = []
    client = make_client(server.url, sleeps, concurrency=4, clock=lambda: now[0])
    told = threading.Thread(target=client._pause_others, args=(5.0,))
    told.start()
    told.join()
    assert client.get("/x") == {"ok": 1}
    assert sleeps == [5.0], "this thread waited out the pause the other thread was told of"
