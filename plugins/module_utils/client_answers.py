# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a server answered, in words: its error message, its Retry-After, and why a success was not JSON.

Pure functions over a response object (``status_code``, ``headers``, ``text``, ``json()``); no
request is sent here.
"""

from __future__ import annotations

import email.utils
import html
import re
import time

MAX_MESSAGE_LENGTH = 500


def server_message(response, scrub=None):
    """Reduce an error response to the server's own words.

    Understands ProForma (``{"error", "message"}``), Jira (``errorMessages`` and
    ``errors``) and plain text (TGE). HTML pages are stripped to their text.
    ``scrub`` masks secrets before the text is cut short, so no part of one is left.
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
        stripped = html.unescape(re.sub(r"<[^>]+>", " ", text))
        stripped = " ".join(stripped.split())
        if stripped:
            parts.append(stripped)
    message = "; ".join(parts)
    if scrub is not None:
        message = scrub(message)
    if len(message) > MAX_MESSAGE_LENGTH:
        message = message[: MAX_MESSAGE_LENGTH - 3] + "..."
    return message or None


def retry_after_seconds(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date), as the server asks."""
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
    return max(seconds, 0.0)


# Credentials typed into url run to its last "@": a password is not percent-encoded by the person who
# typed it, so it may hold "@", "/", "?" or "#", which end the authority for urlsplit. A Jira base URL
# has no "@" of its own. The scheme is optional, so "user:pw@host" is found too.


def not_json(response):
    """Why a success answer did not decode: what the server sent instead of JSON, and the likely cause."""
    kind = (response.headers.get("Content-Type") or "").partition(";")[0].strip().lower()
    if "json" in kind:
        return "the server answered %s that is not valid JSON (cut short?)" % kind
    what = "HTML" if kind in ("text/html", "application/xhtml+xml") else (kind or "an answer without a content type")
    title = re.search(r"<title[^>]*>(.*?)</title>", response.text or "", re.IGNORECASE | re.DOTALL)
    page = ""
    if title and title.group(1).strip():
        page = " (a page titled '%s')" % " ".join(html.unescape(title.group(1)).split())[:80]
    return (
        "the server answered %s%s instead of JSON: a login page (SSO) or a proxy in front of Jira is the likely "
        "cause; set url to the address Jira itself answers on" % (what, page)
    )
