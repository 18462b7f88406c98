"""The request log and counters the control API exposes (control requests are never recorded)."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

MAX_ENTRIES = 100_000  # keeps a long benchmark from growing memory without bound; counters stay exact


class RequestLog:
    """Thread-safe log of API requests with running counters."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.flight_lock = threading.Lock()
        self.in_flight = 0
        self.clear()

    def clear(self) -> None:
        """Forget all entries and reset the counters."""
        with self.lock:
            self.entries: deque[dict[str, Any]] = deque(maxlen=MAX_ENTRIES)
            self.seq = 0
            self.by_method: Counter[str] = Counter()
            self.by_route: Counter[str] = Counter()
            self.max_in_flight = 0
        with self.flight_lock:
            self.max_in_flight = self.in_flight  # requests still being answered count on

    def started(self) -> None:
        """An API request is being answered (from its first byte read to its last byte sent)."""
        with self.flight_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def finished(self) -> None:
        """An API request was answered (or dropped)."""
        with self.flight_lock:
            self.in_flight -= 1

    def record(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        user: str | None,
        route: str,
        status: int | None,
        fault: str | None,
    ) -> None:
        """Add one request (``route`` is ``METHOD template`` and keys ``by_route``)."""
        with self.lock:
            self.seq += 1
            self.entries.append(
                {
                    "seq": self.seq,
                    "method": method,
                    "path": path,
                    "query": query,
                    "user": user,
                    "status": status,
                    "fault": fault,
                    "route": route,
                }
            )
            self.by_method[method] += 1
            self.by_route[route] += 1

    def list(self) -> list[dict[str, Any]]:
        """The entries, oldest first."""
        with self.lock:
            return list(self.entries)

    def counters(self) -> dict[str, Any]:
        """Totals: all requests, reads (GET), writes (everything else), by method and by route."""
        with self.lock:
            total = sum(self.by_method.values())
            reads = self.by_method.get("GET", 0)
            return {
                "total": total,
                "reads": reads,
                "writes": total - reads,
                "by_method": dict(self.by_method),
                "by_route": dict(self.by_route),
                # The most API requests answered at the same time since the last clear.
                "max_in_flight": self.max_in_flight,
            }
