"""ProForma forms as they live in Jira issue properties.

``proforma.forms`` is the index of an issue's forms; ``proforma.forms.i{id}`` holds one form
(design copied from the template, plus its state). An issue without forms has neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

INDEX_KEY = "proforma.forms"
SCHEMA_VERSION = 8
STATUSES = ("o", "s", "l")
VISIBILITIES = ("i", "e")


@dataclass
class Template:
    """A ProForma template form."""

    id: int
    name: str
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock_on_submit: bool = False
    transition_on_submit: str | None = None


def form_key(form_id: int) -> str:
    """The issue property key holding one form."""
    return f"{INDEX_KEY}.i{form_id}"


def now_iso() -> str:
    """The current UTC time as ProForma writes timestamps."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_form(template: Template, status: str, visibility: str, answers: dict[str, Any], submitted: str | None) -> dict:
    """The ``proforma.forms.i{id}`` property value for a form made from ``template``."""
    state: dict[str, Any] = {"status": status, "visibility": visibility, "answers": answers}
    if status != "o":
        state["submitted"] = submitted or now_iso()
    return {
        "schemaVersion": SCHEMA_VERSION,
        "design": {
            "settings": {
                "templateId": template.id,
                "name": template.name,
                "submit": {"lock": template.lock_on_submit},
            },
            "questions": {qid: dict(q) for qid, q in template.questions.items()},
        },
        "state": state,
    }


def index_entry(form_id: int, form: dict) -> dict:
    """The entry describing ``form`` in the ``proforma.forms`` index."""
    settings, state = form["design"]["settings"], form["state"]
    return {
        "id": form_id,
        "name": settings["name"],
        "templateId": settings["templateId"],
        "submitted": state["status"] != "o",
        "lock": state["status"] == "l",
        "internal": state["visibility"] == "i",
    }


def put_form(properties: dict[str, Any], form_id: int, form: dict) -> None:
    """Store ``form`` and refresh its index entry (creating the index on the first form)."""
    properties[form_key(form_id)] = form
    index = properties.get(INDEX_KEY) or {"forms": []}  # the property may hold null
    properties[INDEX_KEY] = index
    entries = [e for e in index.get("forms") or [] if e["id"] != form_id]
    entries.append(index_entry(form_id, form))
    index["forms"] = sorted(entries, key=lambda e: e["id"])


def form_ids(properties: dict[str, Any]) -> list[int]:
    """Ids of the forms on an issue, ascending."""
    return [e["id"] for e in (properties.get(INDEX_KEY) or {}).get("forms") or []]


def answer_value(answer: Any) -> Any:
    """The plain value of a stored answer (``{"text": "x"}`` -> ``"x"``), for exports."""
    if isinstance(answer, dict):
        for key in ("text", "number", "date", "time", "choices", "users", "value"):
            if key in answer:
                return answer[key]
    return answer
