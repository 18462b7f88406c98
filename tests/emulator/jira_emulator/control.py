"""Control API under ``/_emulator/`` for tests and benchmarks (no auth, never logged or counted)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from .forms import check_shapes
from .store import FixtureError
from .web import Response, json_response

if TYPE_CHECKING:
    from .server import App


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def _body(body: bytes) -> Any:
    # YAML is a superset of JSON, and it turns ISO dates into dates the way fixture files do.
    try:
        return yaml.safe_load(body.decode() or "null")
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"Body is not valid JSON: {exc}") from None


def handle(app: App, method: str, path: str, body: bytes) -> Response:
    """Answer one control request; ``path`` is relative to ``/_emulator``."""
    route = f"{method} {path.rstrip('/')}"
    try:
        if route == "POST /reset":
            app.reset()
            return json_response(200, {"reset": True})
        if route == "POST /load":
            app.load(_body(body))
            return json_response(200, {"loaded": True})
        if route == "GET /settings":
            return json_response(200, app.store.settings)
        if route == "PUT /settings":
            changes = _body(body)
            if not isinstance(changes, dict):
                raise ValueError("Body must be an object of settings to change")
            check_shapes(changes.get("forms_shapes"))
            return json_response(200, app.update_settings(changes))
        if route == "GET /requests":
            return json_response(200, app.log.list())
        if route == "DELETE /requests":
            app.log.clear()
            return json_response(200, {"cleared": True})
        if route == "GET /counters":
            return json_response(200, app.log.counters())
        if route == "GET /faults":
            return json_response(200, {"rules": app.faults.describe()})
        if route == "PUT /faults":
            data = _body(body)
            app.faults.set(data.get("rules") if isinstance(data, dict) else None, app.store.settings["seed"])
            return json_response(200, {"rules": app.faults.describe()})
        if route == "DELETE /faults":
            app.faults.clear(app.store.settings["seed"])
            return json_response(200, {"rules": []})
    except (FixtureError, ValueError, KeyError, TypeError) as exc:
        return _error(400, f"{type(exc).__name__}: {exc}")
    return _error(404, f"No control endpoint {route}; see tests/emulator/README.md")
