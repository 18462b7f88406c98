"""Start and drive the emulator as a separate process: the one way tests, demo and benchmarks use it.

Only the standard library is used here (urllib), so any caller can import it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 15.0


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control request failed."""


class EmulatorProcess:
    """A running ``python -m jira_emulator``; also a context manager.

    ``data`` is a fixture file path, a fixture dict (written to a temp file), or None for the
    bundled default fixture.
    """

    def __init__(
        self,
        data: str | os.PathLike[str] | dict[str, Any] | None = None,
        context_path: str = "",
        env: dict[str, str] | None = None,
    ):
        self.data = data
        self.context_path = context_path
        self.env = env
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._stderr: Any = None
        self._data_file: str | None = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _command(self) -> list[str]:
        cmd = [sys.executable, "-m", "jira_emulator", "--port", "0"]
        data = self.data
        if isinstance(data, dict):
            fd, self._data_file = tempfile.mkstemp(prefix="jira-emulator-", suffix=".json")
            with os.fdopen(fd, "w") as out:
                json.dump(data, out, default=str)
            data = self._data_file
        if data is not None:
            cmd += ["--data", str(data)]
        if self.context_path:
            cmd += ["--context-path", self.context_path]
        return cmd

    def start(self) -> EmulatorProcess:
        """Spawn the server and wait (up to 15 s) for the URL line it prints."""
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_PARENT), env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        # stderr goes to a file: a pipe nobody reads could fill up and block the server.
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen(
            self._command(), stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL, text=True, env=env
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self._proc.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).strip()
        except queue.Empty:
            line = ""
        if not line.startswith("http"):
            self._end_process()
            stderr = self._stderr_text()
            code = self._proc.returncode
            self.stop()
            raise EmulatorError(f"Emulator did not start (exit code {code}, printed {line!r}); stderr:\n{stderr}")
        self.url = line
        return self

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()

    def _end_process(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def stop(self) -> None:
        """Terminate the server (kill it if it does not exit within 5 s) and clean up."""
        self._end_process()
        if self._proc is not None and self._proc.stdout:
            self._proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._data_file:
            os.unlink(self._data_file)
            self._data_file = None

    # -- control API --------------------------------------------------------------------------

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call ``/_emulator/<path>`` and return its JSON answer."""
        if not self.url:
            raise EmulatorError("The emulator is not started")
        data = None if body is None else json.dumps(body, default=str).encode()
        request = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise EmulatorError(f"{method} /_emulator/{path} failed: {exc.code} {exc.read().decode()}") from None

    def reset(self) -> None:
        """Restore the start data; clear the request log, the counters and the faults."""
        self.control("POST", "reset")

    def load(self, data: dict[str, Any]) -> None:
        """Replace all data with the fixture ``data``."""
        self.control("POST", "load", data)

    def requests(self) -> list[dict[str, Any]]:
        """The request log: ``seq, method, path, query, user, status, fault, route`` per request."""
        return self.control("GET", "requests")

    def clear_requests(self) -> None:
        """Clear the request log and the counters."""
        self.control("DELETE", "requests")

    def counters(self) -> dict[str, Any]:
        """``total``, ``reads``, ``writes``, ``by_method``, ``by_route``."""
        return self.control("GET", "counters")

    def set_faults(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace the fault rules; returns them as the server holds them."""
        return self.control("PUT", "faults", {"rules": rules})["rules"]

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.control("DELETE", "faults")

    def settings(self, **changes: Any) -> dict[str, Any]:
        """Merge ``changes`` into the settings (none: just read them); returns all settings."""
        return self.control("PUT", "settings", changes) if changes else self.control("GET", "settings")
