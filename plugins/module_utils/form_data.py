# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ProForma forms on an issue as plain data, read from the issue properties in every shape servers store.

No I/O here. The index (``proforma.forms``) and each form (``proforma.forms.i{id}``, its design
possibly in base64 parts in sibling properties) become forms described in the words the modules
speak: status ``open`` / ``submitted`` / ``locked`` and visibility ``internal`` / ``external``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from ansible_collections.jira.addons.plugins.module_utils.errors import InputError
from ansible_collections.jira.addons.plugins.module_utils.proforma_api import FORM_PART, FORM_PROPERTY
from ansible_collections.jira.addons.plugins.module_utils.results import id_key

STATUS_WORDS = {"o": "open", "s": "submitted", "l": "locked"}
VISIBILITY_WORDS = {"i": "internal", "e": "external"}


class FormPlanError(InputError):
    """The request cannot be planned (bad input, unreachable status). Nothing was written."""


class FormNotFound(FormPlanError):
    """A form named by id is not on the issue."""


# Real servers store more shapes than the vendor documents show: an index
# without templateId, a cleared (null) index, designs in base64 parts, legacy schemaVersion 5 forms and
# forms without state.status. Everything below reads all of them.

LEGACY_SCHEMA_VERSION = 5
_PART = re.compile(r"^([0-9]+)/([0-9]+)$")


class FormDataError(FormPlanError):
    """A form's data on the server cannot be read (a missing or inconsistent part). Nothing was written."""


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flag(value):
    return value if isinstance(value, bool) else None


def parse_index(forms):
    """Index entries (the ``forms`` list of ``proforma.forms``) as ``{id, template_id, name, submitted, locked}``.

    Sorted by id. ``None`` or an empty list means no forms; entries without a usable id are skipped.
    ``template_id`` is None when the index leaves it out (the form's design then says it);
    ``submitted`` and ``locked`` are the entry's flags (None when absent), the status of a form that
    does not say its own.
    """
    entries = []
    for raw in forms or []:
        if not isinstance(raw, dict) or _int_or_none(raw.get("id")) is None:
            continue
        entries.append(
            {
                "id": int(raw["id"]),
                "template_id": _int_or_none(raw.get("templateId")),
                "name": raw.get("name"),
                "submitted": _flag(raw.get("submitted")),
                "locked": _flag(raw.get("lock")),
            }
        )
    return sorted(entries, key=id_key)


def _where(issue, form_id):
    return "form %s on %s" % (form_id, issue)


def _part(chunk, issue, form_id, key):
    """``(number, total)`` of one stored part; FormDataError when it is not ``{"part": "k/N", "data": str}``."""
    if not isinstance(chunk, dict) or not isinstance(chunk.get("data"), str):
        raise FormDataError(
            "cannot read the design of %s: issue property %s holds no design part (%s)"
            % (_where(issue, form_id), key, "missing" if chunk is None else "no part and data")
        )
    match = _PART.match(str(chunk.get("part")).strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise FormDataError(
            "cannot read the design of %s: issue property %s has part %r, not k/N"
            % (_where(issue, form_id), key, chunk.get("part"))
        )
    return int(match.group(1)), int(match.group(2))


def design_part_count(form_property, issue, form_id):
    """How many parts the design of a form is stored in (0 when it is not chunked)."""
    raw = form_property.get("rawData") if isinstance(form_property, dict) else None
    if raw is None:
        return 0
    number, total = _part(raw, issue, form_id, FORM_PROPERTY % form_id)
    if number != 1:
        raise FormDataError(
            "cannot read the design of %s: %s holds part %s/%s, not the first part"
            % (_where(issue, form_id), FORM_PROPERTY % form_id, number, total)
        )
    return total


def _merge(base, over):
    merged = dict(base)
    for name, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            value = _merge(merged[name], value)
        merged[name] = value
    return merged


def join_design(form_property, parts, issue, form_id):
    """The form with its chunked design joined: ``design`` decoded from the parts, merged over any root ``design``.

    ``parts`` are the values of ``proforma.forms.i{id}.1`` ... ``.N-1`` in order (None for a missing one).
    A form that is not chunked comes back as it is. A missing part, totals that disagree or data that
    does not decode to a JSON object raise FormDataError naming the issue and the form.
    """
    total = design_part_count(form_property, issue, form_id)
    if not total:
        return form_property
    if len(parts) != total - 1:
        raise FormDataError(
            "cannot read the design of %s: it is stored in %d parts, %d were read"
            % (_where(issue, form_id), total, len(parts) + 1)
        )
    data = [form_property["rawData"]["data"]]
    for number, chunk in enumerate(parts, 1):
        key = FORM_PART % (form_id, number)
        got = _part(chunk, issue, form_id, key)
        if got != (number + 1, total):
            raise FormDataError(
                "cannot read the design of %s: issue property %s holds part %s/%s, expected %s/%s (inconsistent parts)"
                % (_where(issue, form_id), key, got[0], got[1], number + 1, total)
            )
        data.append(chunk["data"])
    try:
        decoded = json.loads(base64.b64decode("".join(data).encode("ascii"), validate=True).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error) as err:
        raise FormDataError(
            "cannot read the design of %s: its %d parts do not decode to JSON (%s)"
            % (_where(issue, form_id), total, err)
        ) from None
    if not isinstance(decoded, dict):
        raise FormDataError(
            "cannot read the design of %s: its parts decode to %s, not a design object"
            % (_where(issue, form_id), type(decoded).__name__)
        )
    root = form_property.get("design") if isinstance(form_property.get("design"), dict) else {}
    joined = dict((k, v) for k, v in form_property.items() if k != "rawData")
    joined["design"] = _merge(root, decoded)
    return joined


def is_legacy(form_property):
    """Whether a form property is a legacy ``schemaVersion`` 5 form (flat ``questions`` list, ``submitted`` flag)."""
    if not isinstance(form_property, dict):
        return False
    if _int_or_none(form_property.get("schemaVersion")) == LEGACY_SCHEMA_VERSION:
        return True
    return isinstance(form_property.get("questions"), list) and "design" not in form_property


def answer_value(answer):
    """The plain value of a stored answer: ``{"text": "x"}`` -> ``"x"``, ``{"choices": [..]}`` -> the list."""
    if isinstance(answer, dict):
        for key in ("text", "number", "date", "time", "datetime", "choices", "users", "value"):
            if key in answer:
                return answer[key]
    return answer


def _labelled(pairs):
    """``{label: value}`` from ``(question_id, label, answer)``; a repeated label gets its question id appended."""
    result = {}
    for question_id, label, answer in sorted(
        pairs, key=lambda p: (_int_or_none(p[0]) is None, _int_or_none(p[0]) or 0, str(p[0]))
    ):
        label = label or str(question_id)
        if label in result:
            label = "%s (%s)" % (label, question_id)
        result[label] = answer_value(answer)
    return result


def answers_by_label(form_property):
    """A form's answers keyed by question label (the question id when it has no label).

    A label used by two questions gets the question id appended to the later one, so no answer is lost.
    Legacy forms hold their answers in their ``questions`` list.
    """
    prop = form_property or {}
    if is_legacy(prop):
        return _labelled(
            (q.get("id"), q.get("label"), q["answer"])
            for q in prop.get("questions") or []
            if isinstance(q, dict) and "answer" in q
        )
    questions = (prop.get("design") or {}).get("questions") or {}
    answers = (prop.get("state") or {}).get("answers") or {}
    return _labelled((qid, (questions.get(str(qid)) or {}).get("label"), answers[qid]) for qid in answers)


def status_from_index(entry):
    """The status the index entry's flags say: ``submitted`` (``lock`` too: locked), or open; None if it says none."""
    if entry.get("submitted") is None:
        return None
    if not entry["submitted"]:
        return "open"
    return "locked" if entry.get("locked") else "submitted"


def read_form(entry, form_property, answers=False):
    """One form as the modules return it, from its index entry and its ``proforma.forms.i{id}`` value.

    Keys: ``id``, ``template_id``, ``name``, ``status``, ``visibility``, ``submitted`` (ProForma's
    timestamp, or None), ``locks_on_submit``, ``legacy``, and ``answers`` when asked for. The value must
    have its design joined already (``join_design``). A form whose property could not be read has
    ``status``, ``visibility`` and ``locks_on_submit`` None; so has a legacy form its visibility and
    lock setting, which it does not hold.
    """
    prop = form_property if isinstance(form_property, dict) else {}
    legacy = is_legacy(prop)
    if legacy:
        settings, state = prop, {}
        status = {True: "submitted", False: "open"}.get(_flag(prop.get("submitted")))
    else:
        settings = (prop.get("design") or {}).get("settings") or {}
        state = prop.get("state") or {}
        status = STATUS_WORDS.get(state.get("status"))
    if status is None and prop:
        status = status_from_index(entry)
    template_id = entry.get("template_id")
    if template_id is None:
        template_id = _int_or_none(settings.get("templateId"))
    submitted = state.get("submitted")
    form = {
        "id": entry["id"],
        "template_id": template_id,
        "name": entry.get("name") or settings.get("name"),
        "status": status,
        "visibility": VISIBILITY_WORDS.get(state.get("visibility"), "internal") if prop and not legacy else None,
        "submitted": submitted if isinstance(submitted, str) else None,
        "locks_on_submit": bool((settings.get("submit") or {}).get("lock")) if prop and not legacy else None,
        "legacy": legacy,
    }
    if answers:
        form["answers"] = answers_by_label(prop)
    return form
