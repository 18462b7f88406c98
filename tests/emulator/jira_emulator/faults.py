"""Fault injection rules: answer a status, drop the connection, truncate the body, or add latency."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from typing import Any

ACTIONS = ("status", "drop", "truncate", "latency")


@dataclass
class FaultRule:
    """One rule; it applies to matching requests with probability ``rate`` or to the next ``count``."""

    method: str | None
    path: str | None
    action: str
    rate: float | None = None
    count: int | None = None
    status: int = 503
    retry_after: str | None = None
    latency: float = 0.5
    after_apply: bool = False

    def __post_init__(self) -> None:
        self.pattern = re.compile(self.path) if self.path else None

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule covers this request (path is a regex searched in the request path)."""
        if self.method and self.method.upper() != method:
            return False
        return self.pattern is None or self.pattern.search(path) is not None

    def describe(self) -> dict[str, Any]:
        """The rule as JSON, with ``remaining`` for count rules."""
        out = {
            "method": self.method,
            "path": self.path,
            "action": self.action,
            "rate": self.rate,
            "remaining": self.count,
            "status": self.status,
            "retry_after": self.retry_after,
            "latency": self.latency,
            "after_apply": self.after_apply,
        }
        return out


def parse_rule(raw: Any) -> FaultRule:
    """Validate one rule from JSON; raises ValueError with a readable message."""
    if not isinstance(raw, dict):
        raise ValueError(f"A fault rule must be an object, got {raw!r}")
    unknown = set(raw) - {
        "method",
        "path",
        "action",
        "rate",
        "count",
        "status",
        "retry_after",
        "latency",
        "after_apply",
    }
    if unknown:
        raise ValueError(f"Unknown fault rule keys: {sorted(unknown)}")
    action = raw.get("action")
    if action not in ACTIONS:
        raise ValueError(f"Fault action must be one of {ACTIONS}, got {action!r}")
    rate, count = raw.get("rate"), raw.get("count")
    if rate is not None and count is not None:
        raise ValueError("A fault rule takes either rate or count, not both")
    if rate is not None and not (isinstance(rate, (int, float)) and 0 <= rate <= 1):
        raise ValueError(f"rate must be a probability between 0 and 1, got {rate!r}")
    if count is not None and not (isinstance(count, int) and count >= 1):
        raise ValueError(f"count must be a positive integer, got {count!r}")
    status = int(raw.get("status") or 503)
    if not 100 <= status <= 599:
        raise ValueError(f"status must be an HTTP status code, got {status}")
    try:
        return FaultRule(
            method=raw.get("method"),
            path=raw.get("path"),
            action=action,
            rate=float(rate) if rate is not None else None,
            count=count,
            status=status,
            retry_after=str(raw["retry_after"]) if raw.get("retry_after") is not None else None,
            latency=float(raw.get("latency", 0.5)),
            after_apply=bool(raw.get("after_apply")),
        )
    except re.error as exc:
        raise ValueError(f"path is not a valid regular expression: {exc}") from None


class Faults:
    """The active rules; the first rule that matches and fires wins."""

    def __init__(self, seed: int = 0):
        self.lock = threading.Lock()
        self.rules: list[FaultRule] = []
        self.rng = random.Random(seed)

    def set(self, raw_rules: Any, seed: int) -> None:
        """Replace the rules (validating all first) and reseed, so runs are reproducible."""
        if not isinstance(raw_rules, list):
            raise ValueError('Body must be {"rules": [rule, ...]}')
        rules = [parse_rule(r) for r in raw_rules]
        with self.lock:
            self.rules = rules
            self.rng = random.Random(seed)

    def reseed(self, seed: int) -> None:
        """Restart the random sequence (keeps the rules)."""
        with self.lock:
            self.rng = random.Random(seed)

    def clear(self, seed: int) -> None:
        """Remove every rule and reseed."""
        self.set([], seed)

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (count rules are used up)."""
        with self.lock:
            for rule in self.rules:
                if not rule.matches(method, path):
                    continue
                if rule.count is not None:
                    if rule.count <= 0:
                        continue
                    rule.count -= 1
                    return rule
                if rule.rate is None or self.rng.random() < rule.rate:
                    return rule
        return None

    def describe(self) -> list[dict[str, Any]]:
        """All rules as JSON."""
        with self.lock:
            return [r.describe() for r in self.rules]
