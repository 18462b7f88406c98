"""HTTP-independent request/response types and the router shared by every API module."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

AUTH_REQUIRED = "You are not authenticated. Authentication required to perform this operation."


@dataclass
class Response:
    """A response to send: either ``body`` bytes or a file to stream (``file_path`` + ``file_size``)."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    file_path: str | None = None
    file_size: int = 0
    on_sent: Callable[[], None] | None = None

    @property
    def length(self) -> int:
        """Content-Length of the full response body."""
        return self.file_size if self.file_path else len(self.body)


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (compact separators: large grid pages are cheaper to send)."""
    body = json.dumps(data, separators=(",", ":")).encode()
    return Response(status, body, "application/json;charset=UTF-8", headers or {})


def text_response(status: int, text: str) -> Response:
    """A plain-text response, the way TGE reports errors."""
    return Response(status, text.encode(), "text/plain;charset=UTF-8")


def empty_response(status: int) -> Response:
    """A response without a body (Content-Length: 0)."""
    return Response(status)


def jira_error_body(*messages: str) -> dict[str, Any]:
    """The body Jira core uses for errors."""
    return {"errorMessages": list(messages), "errors": {}}


class ApiError(Exception):
    """Raised by handlers to answer with an error response."""

    def __init__(self, response: Response):
        super().__init__(response.body.decode(errors="replace"))
        self.response = response


def tge_error(status: int, message: str) -> ApiError:
    """A TGE error: plain text."""
    return ApiError(text_response(status, message))


def jira_error(status: int, *messages: str) -> ApiError:
    """A Jira core error: ``{"errorMessages": [...], "errors": {}}``, one entry per message."""
    return ApiError(json_response(status, jira_error_body(*messages)))


def proforma_error(status: int, kind: str, message: str) -> ApiError:
    """A ProForma CustomerApiError: ``{"error": kind, "message": ...}``."""
    return ApiError(json_response(status, {"error": kind, "message": message}))


@dataclass
class Request:
    """What a handler gets: the authenticated user, path parameters, query and body."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    user: Any
    params: dict[str, str]
    base_url: str

    def json(self, on_error: Callable[[str], ApiError]) -> Any:
        """The body parsed as JSON; ``on_error(message)`` builds the error for a bad body."""
        if not self.body.strip():
            raise on_error("Request body is empty; a JSON body is required")
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise on_error(f"Request body is not valid JSON: {exc}") from None


Handler = Callable[[Request], Response]


@dataclass
class Route:
    """One endpoint: method, path template (used as the counter key) and handler."""

    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]


class Router:
    """Matches ``METHOD /path`` against templates such as ``/grid/{gridId}/issue/{issueId}``."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` and the path ``template``."""
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self.routes.append(Route(method, template, handler, re.compile(regex + "$")))

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """Return (route, path params, path_known). ``path_known`` tells 405 from 404."""
        path_known = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                path_known = True
                if route.method == method:
                    return route, found.groupdict(), True
        return None, {}, path_known
