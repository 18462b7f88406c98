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

import base64
import email.utils
import random
import re
import ssl
import time

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError, OutcomeUnknownError

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
MAX_RETRY_AFTER = 300.0
MAX_MESSAGE_LENGTH = 500
MASK = "********"


def server_message(response):
    """Reduce an error response to the server's own words.

    Understands ProForma (``{"error", "message"}``), Jira (``errorMessages`` and
    ``errors``) and plain text (TGE). HTML pages are stripped to their text.
    """
    text = response.text or ""
    try:
        data = response.json()
    except ValueError:
        data = None
    parts = []
    if isinstance(data, dict):
        if data.get("message"):
            parts.append(str(data["message"]))
        elif data.get("error"):
            parts.append(str(data["error"]))
        for msg in data.get("errorMessages") or []:
            parts.append(str(msg))
        errors = data.get("errors")
        if isinstance(errors, dict):
            for field in sorted(errors):
                parts.append("%s: %s" % (field, errors[field]))
    elif isinstance(data, str):
        parts.append(data)
    if not parts and data is None:
        stripped = re.sub(r"<[^>]+>", " ", text)
        stripped = " ".join(stripped.split())
        if stripped:
            parts.append(stripped)
    message = "; ".join(parts)
    if len(message) > MAX_MESSAGE_LENGTH:
        message = message[: MAX_MESSAGE_LENGTH - 3] + "..."
    return message or None


def retry_after_seconds(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


_USERINFO = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*://)([^/@]*)@")


def url_userinfo(url):
    """The ``user:password`` part of ``https://user:password@host/...``, or None (the one parser of it)."""
    match = _USERINFO.match(url or "")
    return match.group(2) if match else None


class _PreemptiveAuth:
    """Sets one Authorization header on every request (a requests auth callable)."""

    def __init__(self, header):
        self._header = header

    def __call__(self, prepared):
        prepared.headers["Authorization"] = self._header
        return prepared

    def __repr__(self):
        return "<credentials hidden>"


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
        backoff=0.5,
        max_backoff=30.0,
        sleep=time.sleep,
        user_agent="jira.addons",
    ):
        if not HAS_REQUESTS:
            raise RuntimeError("the requests library is required")
        self.base_url = self._clean_url(url)
        self.timeout = timeout
        self.retries = max(int(retries or 0), 0)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._random = random.Random()
        self._secrets = [s for s in (password, token, self._url_password(url)) if s]
        self.request_count = 0

        session = requests.Session()
        session.headers["Accept"] = "application/json"
        session.headers["User-Agent"] = user_agent
        # Jira does not always send a 401 challenge, so credentials go with every request.
        # Setting session.auth also stops requests from swapping in ~/.netrc credentials.
        if token:
            session.auth = _PreemptiveAuth("Bearer %s" % token)
        elif username is not None and password is not None:
            raw = ("%s:%s" % (username, password)).encode("utf-8")
            session.auth = _PreemptiveAuth("Basic %s" % base64.b64encode(raw).decode("ascii"))
        # Given with every request, not only set on the session: requests lets REQUESTS_CA_BUNDLE or
        # CURL_CA_BUNDLE (set in many execution environments) override a session's verify and cert.
        self._verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self._cert = (client_cert, client_key) if (client_cert and client_key) else (client_cert or None)
        session.verify = self._verify
        session.cert = self._cert
        self.session = session

    @staticmethod
    def _url_password(url):
        return (url_userinfo(url) or "").partition(":")[2] or None

    @staticmethod
    def _clean_url(url):
        # Credentials in the URL would leak into every message; drop them.
        return _USERINFO.sub(r"\1", (url or "").strip()).rstrip("/")

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
        :class:`OutcomeUnknownError` is raised and the caller decides.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = self.base_url + path
        attempt = 0
        while True:
            self.request_count += 1
            try:
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
                if attempt < self.retries and (idempotent or not sent) and not self._certificate_refused(exc):
                    attempt += 1
                    self._sleep(self._backoff(attempt))
                    continue
                if sent and not idempotent:
                    raise OutcomeUnknownError(
                        method, path, reason="%s; the request may have been applied" % reason
                    ) from None
                raise JiraApiError(method, path, reason=reason) from None

            status = response.status_code
            if 300 <= status < 400:
                location = self.scrub(self._clean_url(response.headers.get("Location") or "")) or "nowhere"
                response.close()
                raise JiraApiError(
                    method,
                    path,
                    status=status,
                    server_message="the server redirects to %s; the request was not followed, so nothing was "
                    "changed by it. Set url to the address Jira answers on itself (https://, context path)" % location,
                )
            if status in RETRY_STATUSES and attempt < self.retries and (idempotent or status in REFUSED_STATUSES):
                delay = retry_after_seconds(response.headers.get("Retry-After"))
                response.close()
                attempt += 1
                self._sleep(self._backoff(attempt) if delay is None else delay)
                continue
            ok = (status in expected) if expected else (200 <= status < 300)
            if not ok:
                message = self.scrub(server_message(response))
                response.close()
                if status in RETRY_STATUSES and not idempotent and status not in REFUSED_STATUSES:
                    # A gateway error on a write: the server behind it may have applied it.
                    raise OutcomeUnknownError(method, path, status=status, server_message=message)
                raise JiraApiError(method, path, status=status, server_message=message)
            if stream:
                return response
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise JiraApiError(method, path, status=status, reason="the server did not answer with JSON") from None

    def get(self, path, params=None, **kwargs):
        """GET ``path`` and return the decoded JSON."""
        return self.request("GET", path, params=params, **kwargs)

    def _backoff(self, attempt):
        # Full exponential backoff, with jitter so parallel jobs do not retry in step.
        delay = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return delay * self._random.uniform(0.5, 1.0)

    @staticmethod
    def _failed_before_sending(exc):
        """True when the request certainly never reached the server, decided by the types of its causes."""
        if isinstance(exc, (requests_exceptions.ConnectTimeout, requests_exceptions.InvalidURL)):
            return True
        if isinstance(exc, requests_exceptions.MissingSchema):
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
    def _certificate_refused(exc):
        """A certificate check failed: trying again cannot help, so it is not retried."""
        return any(isinstance(cause, (ssl.SSLCertVerificationError, ssl.CertificateError)) for cause in _causes(exc))

    @staticmethod
    def _describe(exc):
        if isinstance(exc, requests_exceptions.SSLError):
            return "TLS error (certificate checks are on; set ca_path, or validate_certs=false): %s" % exc
        if isinstance(exc, requests_exceptions.Timeout):
            return "timed out: %s" % exc
        if isinstance(exc, requests_exceptions.ConnectionError):
            return "connection failed: %s" % exc
        return str(exc)


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
