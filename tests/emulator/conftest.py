"""Fixtures for the emulator's own tests: one emulator process per session, reset per test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # pyproject's pythonpath does this too; keep direct runs working
    sys.path.insert(0, str(HERE))

from jira_emulator.process import EmulatorProcess  # noqa: E402
from jira_emulator.pytest_plugin import emulator, emulator_process  # noqa: E402,F401  pylint: disable=unused-import

PASSWORDS = {
    "admin": "admin-pass",
    "jadmin": "jadmin-pass",
    "alice": "alice-pass",
    "bob": "bob-pass",
    "carol": "carol-pass",
    "erin": "erin-pass",
}


class Api:
    """A requests session bound to the emulator's base URL and one user's credentials."""

    def __init__(self, base_url: str, auth: Any = None, token: str | None = None):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.auth = auth
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send ``method path`` (path relative to the base URL, or an absolute URL)."""
        url = path if path.startswith("http") else self.base_url + path
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, url, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api(emulator: EmulatorProcess) -> Iterator[Callable[..., Api]]:  # noqa: F811 - the imported fixture
    """``api("alice")`` -> an Api logged in as alice (basic auth); ``api(token="...")``; ``api(None)``."""
    made: list[Api] = []

    def make(user: str | None = "admin", token: str | None = None, password: str | None = None) -> Api:
        auth = (user, password or PASSWORDS[user]) if user and not token else None
        client = Api(emulator.url, auth=auth, token=token)
        made.append(client)
        return client

    yield make
    for client in made:
        client.session.close()


@pytest.fixture
def admin(api: Callable[..., Api]) -> Api:
    """An Api for the sysadmin ``admin``."""
    return api("admin")
