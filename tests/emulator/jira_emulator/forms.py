"""ProForma forms as they live in Jira issue properties.

``proforma.forms`` is the index of an issue's forms; ``proforma.forms.i{id}`` holds one form
(design copied from the template, plus its state). An issue without forms has neither.

Forms are kept in the documented shape; ``shown_property`` is what a property read returns, in the
shapes real servers store beyond the vendor documents when the ``forms_shapes`` setting asks for
them: designs in base64 parts, an index without ``templateId``, a cleared (null) index,
forms without ``state.status``, and legacy ``schemaVersion`` 5 forms.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

INDEX_KEY = "proforma.forms"
SCHEMA_VERSION = 8
STATUSES = ("o", "s", "l")
VISIBILITIES = ("i", "e")
LEGACY_SCHEMA_VERSION = 5
FORM_PROPERTY = re.compile(r"proforma\.forms\.i([0-9]+)(?:\.([0-9]+))?")
UNDATED = "2024-01-01T08:00:00.000Z"  # created/updated of index entries whose form was never submitted

# The ``forms_shapes`` setting; every key is optional, and these defaults are the documented shapes.
SHAPES: dict[str, Any] = {
    "chunk_size": 0,  # > 0: each design is sent as base64 in parts of this many characters (rawData)
    "index_template_id": True,  # False: index entries leave templateId out (and carry uuid, created, updated)
    "cleared_index": False,  # True: an issue without forms has proforma.forms holding null
    "without_status": [],  # forms ("KEY#id", or "*" for all) whose state.status is left out
    "legacy": [],  # forms ("KEY#id", or "*") shown as schemaVersion 5: a questions list and a submitted flag
}


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


# -- the shapes of real servers ------------------------------------------------------------------


def check_shapes(value: Any) -> None:
    """Refuse a malformed ``forms_shapes`` setting (ValueError naming the key)."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise ValueError(f"forms_shapes must be an object, got {value!r}")
    unknown = set(value) - set(SHAPES)
    if unknown:
        raise ValueError(f"forms_shapes: unknown key(s) {sorted(unknown)}; known: {', '.join(SHAPES)}")
    size = value.get("chunk_size", 0)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"forms_shapes.chunk_size must be a whole number of 0 or more, got {size!r}")
    for name in ("index_template_id", "cleared_index"):
        if not isinstance(value.get(name, SHAPES[name]), bool):
            raise ValueError(f"forms_shapes.{name} must be true or false, got {value[name]!r}")
    for name in ("without_status", "legacy"):
        forms = value.get(name, [])
        if forms != "*" and not (isinstance(forms, list) and all(isinstance(f, str) for f in forms)):
            raise ValueError(f'forms_shapes.{name} must be "*" or a list of "KEY#id", got {forms!r}')


def shapes_of(settings: dict[str, Any]) -> dict[str, Any]:
    """The ``forms_shapes`` setting with its defaults filled in."""
    return {**SHAPES, **(settings.get("forms_shapes") or {})}


def _listed(forms: Any, issue_key: str, form_id: int) -> bool:
    return forms == "*" or f"{issue_key}#{form_id}" in (forms or [])


def shown_property(issue_key: str, properties: dict[str, Any], key: str, shapes: dict[str, Any]) -> tuple[bool, Any]:
    """``(exists, value)`` of the issue property ``key`` as a read shows it, in ``shapes``."""
    if key == INDEX_KEY:
        if key not in properties:
            return bool(shapes["cleared_index"]), None
        index = properties[key]
        if index is None or shapes["index_template_id"]:
            return True, copy.deepcopy(index)
        return True, {"forms": [_entry_without_template(issue_key, e) for e in index.get("forms") or []]}
    match = FORM_PROPERTY.fullmatch(key)
    if match is None or form_key(int(match[1])) not in properties:
        return key in properties, copy.deepcopy(properties.get(key))
    form_id, part = int(match[1]), match[2]
    form = copy.deepcopy(properties[form_key(form_id)])
    if _listed(shapes["legacy"], issue_key, form_id):
        return (True, legacy_form(form)) if part is None else (False, None)
    if _listed(shapes["without_status"], issue_key, form_id):
        form["state"].pop("status", None)
    if not shapes["chunk_size"]:
        return (True, form) if part is None else (False, None)
    parts = design_parts(form["design"], shapes["chunk_size"])
    if part is None:
        return True, {
            "schemaVersion": form["schemaVersion"],
            "rawData": {"part": f"1/{len(parts)}", "data": parts[0]},
            "state": form["state"],
        }
    number = int(part) + 1  # proforma.forms.i3.1 holds part 2
    if not 2 <= number <= len(parts):
        return False, None
    return True, {"part": f"{number}/{len(parts)}", "data": parts[number - 1]}


def design_parts(design: dict, size: int) -> list[str]:
    """The design as base64 of its JSON, cut into parts of ``size`` characters (at least one part)."""
    encoded = base64.b64encode(json.dumps(design, separators=(",", ":")).encode()).decode()
    return [encoded[i : i + size] for i in range(0, len(encoded), size)] or [""]


def _entry_without_template(issue_key: str, entry: dict) -> dict:
    shown = {k: v for k, v in entry.items() if k != "templateId"}
    shown["uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"proforma:{issue_key}:{entry['id']}"))
    shown["created"] = shown["updated"] = UNDATED
    return shown


def legacy_form(form: dict) -> dict:
    """A form as a ``schemaVersion`` 5 property: name, a ``submitted`` flag and a flat ``questions`` list.

    Each question carries its id, label and type, and its ``answer`` when it has one. There is no
    template id, visibility, lock-on-submit setting or status letter.
    """
    settings, state = form["design"]["settings"], form["state"]
    answers = state.get("answers") or {}
    questions = []
    for qid, question in sorted(form["design"]["questions"].items(), key=lambda q: (len(q[0]), q[0])):
        shown = {"id": int(qid) if qid.isdigit() else qid, **question}
        if qid in answers:
            shown["answer"] = answers[qid]
        questions.append(shown)
    return {
        "schemaVersion": LEGACY_SCHEMA_VERSION,
        "name": settings["name"],
        "submitted": state["status"] != "o",
        "questions": questions,
    }
