# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of the collection.

Everything that talks to Jira goes through :class:`JiraClient`: one keep-alive
``requests.Session``, pre-emptive credentials, TLS settings, per-request
timeouts, retries with exponential backoff and jitter, and one error type
(:class:`JiraApiError`) carrying method, path, HTTP status and the server's own
message. No Ansible imports here: modules reach it through ``module.py``.
"""

from __future__ import annotations

import random
import ssl
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.jira.addons.plugins.module_utils.client_answers import (
    MAX_MESSAGE_LENGTH,
    not_json,
    retry_after_seconds,
    server_message,
)
from ansible_collections.jira.addons.plugins.module_utils.credentials import (
    MASK,
    USERINFO,
    PreemptiveAuth,
    authorization_header,
    secret_forms,
    url_problem,
    url_userinfo,
)
from ansible_collections.jira.addons.plugins.module_utils.errors import InputError, JiraApiError, OutcomeUnknownError

# Re-exported: the client is where callers and tests have always found them.
__all__ = [
    "HAS_REQUESTS",
    "MASK",
    "MAX_MESSAGE_LENGTH",
    "REQUESTS_IMPORT_ERROR",
    "JiraApiError",
    "JiraClient",
    "OutcomeUnknownError",
    "retry_after_seconds",
    "secret_forms",
    "server_message",
    "url_problem",
    "url_userinfo",
]

try:
    import requests
    from requests import exceptions as requests_exceptions
    from urllib3 import exceptions as urllib3_exceptions

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised through missing_required_lib
    requests = None
    requests_exceptions = None
    urllib3_exceptions = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc


RETRY_STATUSES = frozenset((429, 502, 503, 504))
# 429 and 503 mean the server refused the request before acting on it, so even a
# POST may be sent again. 502/504 come from a proxy that may have passed it on.
REFUSED_STATUSES = frozenset((429, 503))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT"))
# The default bound on all the waits between the tries of one request (option max_retry_wait).
MAX_RETRY_WAIT = 60.0


class JiraClient:
    """One HTTP session to one Jira instance.

    ``request`` returns the decoded JSON body (or None for an empty body), or the
    raw streaming response when ``stream=True``. Any failure raises
    :class:`JiraApiError`.
    """

    def __init__(
        self,
        url,
        username=None,
        password=None,
        token=None,
        validate_certs=True,
        ca_path=None,
        client_cert=None,
        client_key=None,
        timeout=30.0,
        retries=3,
        max_retry_wait=MAX_RETRY_WAIT,
        concurrency=1,
        backoff=0.5,
        max_backoff=30.0,
        sleep=time.sleep,
        clock=time.monotonic,
        user_agent="jira.addons",
    ):
        if not HAS_REQUESTS:
            raise RuntimeError("the requests library is required")
        url_user, _sep, url_password = (url_userinfo(url) or "").partition(":")
        self._secrets = secret_forms(username, password, token)
        if url_password:
            self._secrets = sorted(set(self._secrets + secret_forms(url_user, url_password)), key=len, reverse=True)
        problem = url_problem(self._clean_url(url))
        if problem:
            raise InputError(problem)
        self.base_url = self._clean_url(url)
        self.timeout = timeout
        self.retries = max(int(retries or 0), 0)
        self.max_retry_wait = max(float(MAX_RETRY_WAIT if max_retry_wait is None else max_retry_wait), 0.0)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._clock = clock
        self._random = random.Random()
        self.request_count = 0
        # Threads share this client (grids, issues and pages read concurrently). At most ``concurrency``
        # requests are in flight; a server's Retry-After pauses every thread, not only the one told.
        self.concurrency = max(int(concurrency or 1), 1)
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._paused_by = None

        session = requests.Session()
        session.headers["Accept"] = "application/json"
        session.headers["User-Agent"] = user_agent
        # Jira does not always send a 401 challenge, so credentials go with every request.
        # Setting session.auth also stops requests from swapping in ~/.netrc credentials.
        header = authorization_header(username, password, token)
        if header:
            session.auth = PreemptiveAuth(header)
        # Given with every request, not only set on the session: requests lets REQUESTS_CA_BUNDLE or
        # CURL_CA_BUNDLE (set in many execution environments) override a session's verify and cert.
        self._verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self._cert = (client_cert, client_key) if (client_cert and client_key) else (client_cert or None)
        session.verify = self._verify
        session.cert = self._cert
        # One keep-alive pool for every thread, as large as the requests in flight. requests.Session is shared
        # as urllib3's pool is thread-safe and nothing mutates the session after this point (no cookies are
        # relied on: credentials go with every request).
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=self.concurrency)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self.session = session

    @staticmethod
    def _clean_url(url):
        # Credentials in the URL would leak into every message; drop them.
        return USERINFO.sub(r"\1", (url or "").strip()).rstrip("/")

    @staticmethod
    def _redirect_target(location):
        # A server's Location is a well-formed URL (a query may hold an "@", as in login_hint=a@b): read it as
        # urlsplit does, and drop only its userinfo.
        try:
            parts = urlsplit((location or "").strip())
        except ValueError:
            return "an address that is not a valid URL"
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])) or "nowhere"

    def scrub(self, text):
        """Replace every secret this client knows with a mask."""
        if text is None:
            return None
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def close(self):
        """Close the keep-alive connections."""
        self.session.close()

    def request(self, method, path, params=None, json=None, expected=None, idempotent=None, stream=False):
        """Send one request, retrying where it is safe, and decode the answer.

        ``expected`` is the tuple of success statuses (default: any 2xx).
        ``idempotent`` overrides the method's default: a non-idempotent request is
        not re-sent after it may have reached the server; then
        :class:`OutcomeUnknownError` is raised and the caller decides. All the waits
        between the tries of one request add up to ``max_retry_wait`` at most: a
        ``Retry-After`` beyond what is left of it fails at once.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = self.base_url + path
        attempt = 0
        waited = 0.0
        while True:
            waited += self._wait_for_pause()
            with self._lock:
                self.request_count += 1
            try:
                with self._slots:
                    response = self.session.request(
                        method,
                        url,
                        params=params,
                        json=json,
                        timeout=self.timeout,
                        stream=stream,
                        verify=self._verify,
                        cert=self._cert,
                        # A redirect would turn a PUT or DELETE into a GET that "succeeds" (302/303), or
                        # send the credentials elsewhere: none of the documented calls redirects.
                        allow_redirects=False,
                    )
            except Exception as exc:  # requests raises many types; all are mapped below
                if requests_exceptions is None or not isinstance(exc, requests_exceptions.RequestException):
                    raise
                sent = not self._failed_before_sending(exc)
                reason = self.scrub(self._describe(exc))
                if attempt < self.retries and (idempotent or not sent) and not self._retry_cannot_help(exc):
                    left = self.max_retry_wait - waited
                    if left > 0:
                        attempt += 1
                        delay = min(self._backoff(attempt), left)
                        waited += delay
                        self._sleep(delay)
                        continue
                    reason += "; %s" % self._wait_spent(waited)
                if sent and not idempotent:
                    raise OutcomeUnknownError(
                        method, path, reason="%s; the request may have been applied" % reason
                    ) from None
                raise JiraApiError(method, path, reason=reason) from None

            status = response.status_code
            if 300 <= status < 400:
                location = self.scrub(self._redirect_target(response.headers.get("Location")))
                response.close()
                raise JiraApiError(
                    method,
                    path,
                    status=status,
                    server_message="the server redirects to %s; the request was not followed, so nothing was "
                    "changed by it. Set url to the address Jira answers on itself (https://, context path)" % location,
                )
            not_retried = None
            if status in RETRY_STATUSES and attempt < self.retries and (idempotent or status in REFUSED_STATUSES):
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                left = self.max_retry_wait - waited
                if asked is not None and asked > left:
                    not_retried = self._wait_refused(asked, waited)
                elif asked is None and left <= 0:
                    not_retried = self._wait_spent(waited)
                else:
                    response.close()
                    attempt += 1
                    delay = min(self._backoff(attempt), left) if asked is None else asked
                    if asked is not None:
                        self._pause_others(asked)
                    waited += delay
                    self._sleep(delay)
                    continue
            ok = (status in expected) if expected else (200 <= status < 300)
            if not ok:
                message = server_message(response, self.scrub)
                response.close()
                if status in RETRY_STATUSES and not idempotent and status not in REFUSED_STATUSES:
                    # A gateway error on a write: the server behind it may have applied it.
                    raise OutcomeUnknownError(method, path, status=status, server_message=message)
                raise JiraApiError(method, path, status=status, server_message=message, reason=not_retried)
            if stream:
                return response
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                reason = self.scrub(not_json(response))
                response.close()
                raise JiraApiError(method, path, status=status, reason=reason) from None

    def _pause_others(self, seconds):
        """The server asked to wait: every other thread waits that long before its next request too."""
        with self._lock:
            until = self._clock() + seconds
            if until > self._paused_until:
                self._paused_until, self._paused_by = until, threading.get_ident()

    def _wait_for_pause(self):
        """Wait out a pause another thread was told of (the thread told waits itself); return the seconds waited."""
        with self._lock:
            remaining = self._paused_until - self._clock()
            told = self._paused_by == threading.get_ident()
        if remaining <= 0 or told:
            return 0.0
        self._sleep(remaining)
        return remaining

    def get(self, path, params=None, **kwargs):
        """GET ``path`` and return the decoded JSON."""
        return self.request("GET", path, params=params, **kwargs)

    def _wait_refused(self, asked, waited):
        if waited:
            room = "the %s s left of max_retry_wait (%s s)" % (
                _seconds(self.max_retry_wait - waited),
                _seconds(self.max_retry_wait),
            )
        else:
            room = "max_retry_wait (%s s)" % _seconds(self.max_retry_wait)
        return "not retried: the server asked to wait %s s before a retry (Retry-After), more than %s allows" % (
            _seconds(asked),
            room,
        )

    def _wait_spent(self, waited):
        if not waited:
            return "not retried: max_retry_wait is 0"
        return "not retried again: the retries already waited %s s, all of max_retry_wait" % _seconds(waited)

    def _backoff(self, attempt):
        # Full exponential backoff, with jitter so parallel jobs do not retry in step.
        delay = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return delay * self._random.uniform(0.5, 1.0)

    @staticmethod
    def _failed_before_sending(exc):
        """True when the request certainly never reached the server, decided by the types of its causes."""
        if isinstance(exc, (requests_exceptions.ConnectTimeout, requests_exceptions.InvalidURL)):
            return True
        if isinstance(exc, (requests_exceptions.MissingSchema, requests_exceptions.InvalidSchema)):
            return True
        for cause in _causes(exc):
            # No connection was made (refused, unresolvable name, connect timeout).
            if isinstance(cause, (urllib3_exceptions.NewConnectionError, urllib3_exceptions.ConnectTimeoutError)):
                return True
            # A TLS handshake failure comes before any byte of the request; other TLS errors may come
            # while the answer is read, after the server got the request.
            if isinstance(cause, ssl.SSLCertVerificationError) or _handshake_failure(cause):
                return True
        return False

    @staticmethod
    def _retry_cannot_help(exc):
        """A refused certificate, a port that does not speak TLS, a URL requests cannot use: not retried."""
        bad_url = (requests_exceptions.InvalidURL, requests_exceptions.MissingSchema, requests_exceptions.InvalidSchema)
        if isinstance(exc, bad_url):
            return True
        return any(
            isinstance(cause, (ssl.SSLCertVerificationError, ssl.CertificateError)) or _plain_text_port(cause)
            for cause in _causes(exc)
        )

    def _describe(self, exc):
        if isinstance(exc, requests_exceptions.SSLError):
            plain = [cause.reason for cause in _causes(exc) if _plain_text_port(cause)]
            if plain:
                return (
                    "TLS handshake failed (%s): the server at %s does not speak TLS on that port; it answered in "
                    "plain text, likely HTTP. Use http:// in url, or the port Jira serves HTTPS on"
                    % (plain[0], self._host_port())
                )
            return "TLS error (certificate checks are on; set ca_path, or validate_certs=false): %s" % exc
        if isinstance(exc, requests_exceptions.Timeout):
            return "timed out: %s" % exc
        if isinstance(exc, requests_exceptions.ConnectionError):
            return "connection failed: %s" % exc
        return str(exc)

    def _host_port(self):
        parts = urlsplit(self.base_url)
        return "%s:%s" % (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


def _seconds(value):
    return "%g" % round(value, 1)


# OpenSSL reasons (``ssl.SSLError.reason``) that only the handshake raises.
HANDSHAKE_REASONS = frozenset(
    (
        "WRONG_VERSION_NUMBER",
        "UNSUPPORTED_PROTOCOL",
        "NO_PROTOCOLS_AVAILABLE",
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
        "TLSV1_ALERT_UNKNOWN_CA",
        "TLSV1_ALERT_INTERNAL_ERROR",
        "TLSV1_UNRECOGNIZED_NAME",
        "UNSAFE_LEGACY_RENEGOTIATION_DISABLED",
    )
)


# OpenSSL reasons for a TLS client that got plain text (an HTTP answer) where a handshake record was due.
PLAIN_TEXT_REASONS = frozenset(("WRONG_VERSION_NUMBER",))


def _plain_text_port(cause):
    return isinstance(cause, ssl.SSLError) and getattr(cause, "reason", None) in PLAIN_TEXT_REASONS


def _handshake_failure(cause):
    return isinstance(cause, ssl.SSLError) and getattr(cause, "reason", None) in HANDSHAKE_REASONS


def _causes(exc, limit=12):
    """``exc`` and the exceptions behind it: ``args``, urllib3's ``reason``, ``__cause__``, ``__context__``."""
    seen = []
    todo = [exc]
    while todo and len(seen) < limit:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or any(current is known for known in seen):
            continue
        seen.append(current)
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
        todo.extend(getattr(current, name, None) for name in ("reason", "__cause__", "__context__"))
    return seen
