"""HTTP plumbing: the threaded server, authentication, routing, fault injection and request log."""

from __future__ import annotations

import base64
import binascii
import copy
import hmac
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import control, jira_core, proforma, tge
from .exports import ExportManager
from .faults import FaultRule, Faults
from .request_log import RequestLog
from .store import Store, User
from .web import (
    AUTH_REQUIRED,
    ApiError,
    Request,
    Response,
    Router,
    jira_error_body,
    json_response,
    proforma_error,
    text_response,
)

CHUNK = 256 * 1024


class App:
    """Everything behind the socket: state, routes, exports, faults and the request log."""

    def __init__(self, fixture: dict[str, Any], context_path: str = ""):
        self.initial = copy.deepcopy(fixture)
        self.context_path = context_path
        self.base_url = ""  # set once the socket is bound
        self.store = Store(fixture)
        self.exports = ExportManager(self.store)
        self.log = RequestLog()
        self.faults = Faults(self.store.settings["seed"])
        self.router = Router()
        tge.register(self.router, self.store)
        proforma.register(self.router, self.store, self.exports)
        jira_core.register(self.router, self.store)

    def reset(self) -> None:
        """Back to the data loaded at start; clear the log, the faults and the exports."""
        self.load(copy.deepcopy(self.initial))
        self.log.clear()
        self.faults.clear(self.store.settings["seed"])

    def load(self, fixture: Any) -> None:
        """Replace all data with ``fixture``."""
        self.store.load(fixture)
        self.exports.clear()

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` into the settings; a new seed reseeds fault randomness."""
        with self.store.lock:
            self.store.settings.update(changes)
            if "seed" in changes:
                self.faults.reseed(int(changes["seed"]))
            return dict(self.store.settings)

    def authenticate(self, header: str | None) -> User | None:
        """The user for a Basic or Bearer ``Authorization`` header, or None."""
        if not header:
            return None
        scheme, _sep, credentials = header.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer":
            return self.store.tokens.get(credentials)
        if scheme.lower() != "basic":
            return None
        try:
            name, _sep, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user = self.store.users.get(name)
        if user is None or user.password is None or not hmac.compare_digest(user.password, password):
            return None
        return user

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes,
        user: User | None,
        route: Any,
        params: dict[str, str],
        path_known: bool,
    ) -> Response:
        """Answer an API request (after authentication and routing, before any fault is applied)."""
        if user is None:
            return json_response(401, jira_error_body(AUTH_REQUIRED))
        if route is None:
            status = 405 if path_known else 404
            reason = "Method not allowed" if path_known else "Not found"
            return json_response(status, jira_error_body(f"{reason}: {method} {path}"))
        request = Request(method, path, query, body, user, params, self.base_url)
        try:
            with self.store.lock:
                return route.handler(request)
        except ApiError as exc:
            return exc.response
        except Exception as exc:  # a bug in the emulator must show up as a 500, not a hung client
            traceback.print_exc(file=sys.stderr)
            if path.startswith(proforma.BASE):
                return proforma_error(500, "server", f"Internal error: {exc}").response
            return text_response(500, f"Internal error: {exc}")


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive, every response has a Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "JiraEmulator/1.0"
    disable_nagle_algorithm = True  # headers and body are separate writes; avoid 40 ms Nagle stalls
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature from the base class
        """Silence the default per-request stderr line (the control API has the log)."""

    def do_GET(self) -> None:  # noqa: N802 - names required by BaseHTTPRequestHandler
        """Dispatch GET (and every other method); API requests count as in flight while they are answered."""
        control = urlsplit(self.path).path.startswith(self.server.app.context_path + "/_emulator")
        if control:
            self._dispatch()
            return
        self.server.app.log.started()
        try:
            self._dispatch()
        finally:
            self.server.app.log.finished()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET  # noqa: N815

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        app = self.server.app
        raw_path = urlsplit(self.path).path
        query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        path = unquote(raw_path)
        body = self._read_body()
        control_prefix = app.context_path + "/_emulator"
        if path == control_prefix or path.startswith(control_prefix + "/"):
            self._send(control.handle(app, self.command, path[len(control_prefix) :], body))
            return

        user = app.authenticate(self.headers.get("Authorization"))
        local = path[len(app.context_path) :] if path.startswith(app.context_path + "/") else None
        route, params, known = (None, {}, False)
        if local is not None:
            route, params, known = app.router.match(self.command, local.rstrip("/") or "/")
        route_key = f"{self.command} {route.template if route else '(unmatched)'}"
        rule = app.faults.pick(self.command, raw_path)

        def record(status: int | None) -> None:
            # Logged before the response goes out, so a client reading the log right after sees it.
            app.log.record(
                self.command,
                raw_path,
                query,
                user.name if user else None,
                route_key,
                status,
                rule.action if rule else None,
            )

        if rule and rule.action == "status":
            response = text_response(rule.status, f"Injected fault: HTTP {rule.status}")
            if rule.retry_after is not None:
                response.headers["Retry-After"] = rule.retry_after
            record(rule.status)
            self._send(response)
            return
        if rule and rule.action == "drop" and not rule.after_apply:
            record(None)
            self._drop()
            return
        if rule and rule.action == "latency":
            time.sleep(rule.latency)

        response = app.handle(self.command, local or path, query, body, user, route, params, known)
        record(response.status)
        if rule and rule.action == "drop":  # after_apply: the request took effect, the client never hears
            if response.on_sent:
                response.on_sent()
            self._drop()
            return
        self._send(response, rule)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, response: Response, rule: FaultRule | None = None) -> None:
        truncate = rule is not None and rule.action == "truncate"
        try:
            self.send_response(response.status)
            if response.content_type:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(response.length))
            for name, value in response.headers.items():
                self.send_header(name, value)
            if truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            limit = response.length // 2 if truncate else response.length
            if self.command == "HEAD":
                limit = 0
            if response.file_path:
                self._stream_file(response.file_path, limit)
            elif limit:
                self.wfile.write(response.body[:limit])
            if truncate:
                self.wfile.flush()
                self._drop()
        finally:
            if response.on_sent:
                response.on_sent()

    def _stream_file(self, file_path: str, limit: int) -> None:
        # settings.download_bytes_per_second paces file downloads like a network link would (0: loopback speed).
        rate = float(self.server.app.store.settings.get("download_bytes_per_second") or 0)
        started, sent = time.monotonic(), 0
        with open(file_path, "rb") as source:
            while limit > 0:
                chunk = source.read(min(CHUNK, limit))
                if not chunk:
                    break
                sent += len(chunk)
                if rate > 0:  # a chunk leaves when a link of that rate would have carried it
                    ahead = sent / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
                self.wfile.write(chunk)
                limit -= len(chunk)


class EmulatorServer(ThreadingHTTPServer):
    """A threaded HTTP server that carries the App."""

    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, host: str, port: int, app: App):
        super().__init__((host, port), Handler)
        self.app = app
        bound_host, bound_port = self.server_address[:2]
        app.base_url = f"http://{bound_host}:{bound_port}{app.context_path}"
