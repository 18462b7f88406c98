# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error contract of the collection.

Three families, each mapped to ``fail_json`` once, in ``JiraModule.run``:

- :class:`InputError`: what the task asks for cannot be done. Bad options are refused
  before any request; a name that does not resolve or a status that cannot be reached
  is refused after reads and before any write. Nothing was written.
- :class:`JiraApiError`: a request failed (method, path, HTTP status, the server's own
  words). :class:`OutcomeUnknownError` is the one whose write may have been applied.
- :class:`AppliedError`: a run stopped after part of its work: ``(message, api_error,
  result)``, where ``result`` says what was applied, so a failed run never hides it.

Every error carries ``result``: what the module returns beside ``msg`` (ids resolved
so far, what was applied). No Ansible imports here.
"""

from __future__ import annotations


class JiraAddonsError(Exception):
    """Base of every error a module reports; ``result`` goes into the failed result."""

    api_error = None  # the JiraApiError behind it, if any

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = dict(result or {})


class InputError(JiraAddonsError, ValueError):
    """The task asks for something that cannot be done; nothing was written."""


class AppliedError(JiraAddonsError):
    """A run stopped after part of its work; ``result`` says what was applied, ``api_error`` why it stopped."""

    def __init__(self, message, api_error=None, result=None):
        super().__init__(message, result)
        self.api_error = api_error


def failure_fields(err):
    """What a result says of an error that stopped one piece of a task (a grid, an issue): failed, msg, error."""
    fields = {"failed": True}
    fields["msg"] = str(err) if isinstance(err, JiraAddonsError) else "unexpected error: %s" % err
    if getattr(err, "api_error", None) is not None:
        fields["error"] = err.api_error.as_dict()
    return fields


STATUS_HINTS = {
    400: "bad request",
    401: "not authenticated: check url, username/password or token",
    403: "forbidden: the user lacks the permission for this operation",
    404: "not found",
    409: "conflict",
    429: "too many requests",
    500: "server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
}


class JiraApiError(JiraAddonsError):
    """A request to Jira failed.

    ``method`` and ``path`` say which request, ``status`` the HTTP status (None
    when no response arrived) and ``server_message`` what the server said, already
    reduced to readable text and scrubbed of secrets. ``reason`` is the client's own
    word on it (no response; an answer that is not JSON; a retry not made).
    """

    def __init__(self, method, path, status=None, server_message=None, reason=None):
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        self.reason = reason
        super().__init__(self._text())

    def _text(self):
        what = "%s %s" % (self.method, self.path)
        if self.status is not None:
            text = "%s failed with HTTP %s" % (what, self.status)
            hint = STATUS_HINTS.get(self.status)
            if hint:
                text += " (%s)" % hint
        else:
            text = "%s failed: %s" % (what, self.reason or "no response")
        if self.server_message:
            text += ": %s" % self.server_message
        if self.status is not None and self.reason:
            text += "%s %s" % (";" if self.server_message else ":", self.reason)
        return text

    @property
    def api_error(self):
        """Itself: every family answers ``api_error`` (None, or the request that failed)."""
        return self

    def as_dict(self):
        """The error as plain data for a module result."""
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "server_message": self.server_message,
        }


class OutcomeUnknownError(JiraApiError):
    """A non-idempotent request may have reached the server, but no answer came.

    The client does not send it again: the caller must read the current state and
    decide (the grid apply re-reads the grid and re-plans).
    """
