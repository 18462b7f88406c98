# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials and the URL: the one parser of ``user:password@`` in a URL, the checks of a URL before any
request, the Authorization header, and every form a secret may take in text (for masking).
"""

from __future__ import annotations

import base64
import re
from urllib.parse import quote, quote_plus, urlsplit

MASK = "********"


USERINFO = re.compile(r"^\s*((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//)?(.*)@", re.DOTALL)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


def url_userinfo(url):
    """The ``user:password`` part of ``https://user:password@host/...``, or None (the one parser of it).

    Everything before the last ``@`` of ``url`` counts, so no part of a password with an ``@`` in it is left out.
    """
    match = USERINFO.match(url or "")
    return match.group(2) if match else None


def url_problem(url):
    """Why ``url`` cannot be a Jira base URL (no scheme, not http(s), no host, a bad port), or None.

    Checked before any request: requests would only fail on it after every retry, in its own words.
    """
    text = (url or "").strip()
    example = "for example https://jira.example.com or http://127.0.0.1:8080"
    if not text:
        return "url is empty: it needs https:// or http:// and the host, %s" % example
    scheme = _SCHEME.match(text)
    if scheme is None:
        return "url '%s' has no scheme: it needs https:// or http:// in front, as in https://%s" % (text, text)
    if scheme.group(1).lower() not in ("http", "https"):
        return "url '%s' starts with %s://: it needs https:// or http://" % (text, scheme.group(1))
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        return "url '%s' has an invalid host or port: it needs https:// or http:// and host[:port], %s" % (
            text,
            example,
        )
    if not parts.hostname:
        return "url '%s' has no host: it needs https:// or http:// and the host, %s" % (text, example)
    return None


def authorization_header(username=None, password=None, token=None):
    """The ``Authorization`` header value the credentials give (Bearer for a token), or None."""
    if token:
        return "Bearer %s" % token
    if username is not None and password is not None:
        raw = ("%s:%s" % (username, password)).encode("utf-8")
        return "Basic %s" % base64.b64encode(raw).decode("ascii")
    return None


def secret_forms(username=None, password=None, token=None):
    """Every form the credentials may be echoed in: as given, percent-encoded, the Authorization header value
    and its base64 part. The client masks them all; the module adds them to ``no_log_values``."""
    forms = set()
    for secret in (password, token):
        if secret:
            forms.update((secret, quote(secret, safe=""), quote_plus(secret, safe="")))
    header = authorization_header(username, password, token)
    if header:
        forms.update((header, header.partition(" ")[2]))
    # Longest first: a form that holds another is masked whole.
    return sorted((form for form in forms if form), key=len, reverse=True)


class PreemptiveAuth:
    """Sets one Authorization header on every request (a requests auth callable)."""

    def __init__(self, header):
        self._header = header

    def __call__(self, prepared):
        prepared.headers["Authorization"] = self._header
        return prepared

    def __repr__(self):
        return "<credentials hidden>"
