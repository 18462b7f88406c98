# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When to poll a ProForma export again, and what its status says (pure, no I/O).

An export runs in the background on the server. The first status checks come
quickly (small exports finish in well under a second), then the interval
doubles up to ``poll_interval``; no wait ever goes past the deadline.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

FIRST_DELAY = 0.25

WAIT = "wait"
DOWNLOAD = "download"
FAILED = "failed"
TIMEOUT = "timeout"


class PollDecision:
    """What to do after one status answer: ``action`` (wait, download, failed, timeout) and details."""

    def __init__(self, action, delay=0.0, progress=None, message=None, filename=None):
        self.action = action
        self.delay = delay
        self.progress = progress
        self.message = message
        self.filename = filename

    def __repr__(self):
        return "PollDecision(%r, delay=%r, progress=%r)" % (self.action, self.delay, self.progress)


def next_delay(polls, poll_interval, remaining):
    """Seconds to sleep before status check number ``polls + 1``.

    0.25 s, 0.5 s, 1 s, ... capped at ``poll_interval``, and never longer than
    the ``remaining`` time before the deadline (so the last check happens on time).
    """
    delay = min(float(poll_interval), FIRST_DELAY * (2 ** min(polls, 30)))
    return max(0.0, min(delay, remaining))


def download_filename(download_url):
    """The file name (last path segment, unquoted) of a status answer's ``downloadUrl``."""
    path = urlsplit(download_url or "").path
    return unquote(path.rstrip("/").rsplit("/", 1)[-1]) if path else ""


def decide(status, elapsed, wait_timeout, polls, poll_interval):
    """Decide what follows a status answer (``getExportStatus`` body).

    ``elapsed`` is the time since the export was started, ``polls`` how many
    status checks were made so far (this one included).
    """
    status = status if isinstance(status, dict) else {}
    progress = status.get("progress")
    message = status.get("message")
    if status.get("failed"):
        return PollDecision(FAILED, progress=progress, message=message or "the server gave no reason")
    if status.get("complete"):
        filename = download_filename(status.get("downloadUrl"))
        if not filename:
            return PollDecision(FAILED, progress=progress, message="the export completed without a downloadUrl")
        return PollDecision(DOWNLOAD, progress=progress, message=message, filename=filename)
    remaining = float(wait_timeout) - float(elapsed)
    if remaining <= 0:
        return PollDecision(TIMEOUT, progress=progress)
    return PollDecision(WAIT, delay=next_delay(polls - 1, poll_interval, remaining), progress=progress)
