"""Check emulator answers against the ProForma OpenAPI file (status documented, body matches schema)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import requests
import yaml

# A copy of the vendor's ProForma OpenAPI document, kept here so the tests need nothing outside the repository.
SPEC_PATH = Path(__file__).resolve().parent / "api" / "proforma-openapi.yaml"


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    """The parsed OpenAPI document."""
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _resolve(node: Any) -> Any:
    """Inline every local ``$ref`` (the document has no recursive schemas)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec()
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(target)
        return {k: _resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v) for v in node]
    return node


def _operation(method: str, url: str) -> tuple[str, dict[str, Any]]:
    path = "/rest/proforma/" + url.split("/rest/proforma/", 1)[1].split("?", 1)[0]
    for template, item in spec()["paths"].items():
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path} is not a ProForma operation")


def assert_proforma_response(response: requests.Response) -> Any:
    """Assert the status is documented for the operation and the JSON body matches its schema.

    Returns the parsed JSON body (or None for an empty/non-JSON body).
    """
    template, operation = _operation(response.request.method, response.request.url)
    documented = operation["responses"]
    code = str(response.status_code)
    assert code in documented, f"{response.request.method} {template} answered undocumented {code}: {response.text}"
    declared = _resolve(documented[code])
    content = declared.get("content") or {}
    if not content:
        # No content declared: only 401 (where Jira's own auth filter answers) may carry a body.
        if code != "401":
            assert response.content == b"", f"{template} {code} must have no body, got {response.text!r}"
        return None
    body = response.json() if response.content and "json" in response.headers.get("Content-Type", "") else None
    schema = (content.get("application/json") or {}).get("schema")
    if schema is not None:
        assert body is not None, f"{template} {code} must have a JSON body, got {response.text!r}"
        jsonschema.validate(body, schema, cls=jsonschema.Draft4Validator)
    return body
