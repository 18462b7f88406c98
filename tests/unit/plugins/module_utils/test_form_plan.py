# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.jira.addons.plugins.module_utils.form_data import (
    FormDataError,
    answers_by_label,
    design_part_count,
    join_design,
    parse_index,
    read_form,
)
from ansible_collections.jira.addons.plugins.module_utils.form_plan import (
    FormNotFound,
    FormPlanError,
    forms_by_id,
    lock_unknown_warning,
    plan_forms,
    planned_result,
    select_forms,
    status_path,
    validate_request,
)


def form(form_id, template_id=1, status="open", lock=False, visibility="internal", name=None):
    return {
        "id": form_id,
        "template_id": template_id,
        "name": name or "Template %s" % template_id,
        "status": status,
        "visibility": visibility,
        "submitted": None,
        "locks_on_submit": lock,
    }


def prop(status="o", visibility="i", lock=False, template_id=1, questions=None, answers=None, submitted=None):
    state = {"status": status, "visibility": visibility, "answers": answers or {}}
    if submitted:
        state["submitted"] = submitted
    return {
        "schemaVersion": 8,
        "design": {
            "settings": {"templateId": template_id, "name": "Asset request", "submit": {"lock": lock}},
            "questions": questions or {},
        },
        "state": state,
    }


# -- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, [], [None, "x", {"name": "no id"}]])
def test_no_forms(value):
    assert parse_index(value) == []


def test_index_entries_are_sorted_and_typed():
    raw = [{"id": "3", "templateId": "2", "name": "B"}, {"id": 1, "templateId": 1, "name": "A", "submitted": True}]
    assert parse_index(raw) == [
        {"id": 1, "template_id": 1, "name": "A", "submitted": True, "locked": None},
        {"id": 3, "template_id": 2, "name": "B", "submitted": None, "locked": None},
    ]


def test_read_form_speaks_in_words_not_letters():
    entry = {"id": 4, "template_id": 2, "name": "Change approval"}
    got = read_form(entry, prop("l", "e", lock=True, submitted="2024-01-02T09:00:00.000Z"))
    assert got == {
        "id": 4,
        "template_id": 2,
        "name": "Change approval",
        "status": "locked",
        "visibility": "external",
        "submitted": "2024-01-02T09:00:00.000Z",
        "locks_on_submit": True,
        "legacy": False,
    }


def test_read_form_without_its_property():
    got = read_form({"id": 4, "template_id": None, "name": None}, None)
    assert got["status"] is None and got["visibility"] is None and got["locks_on_submit"] is None


def test_read_form_takes_template_and_name_from_the_design_when_the_index_lacks_them():
    got = read_form({"id": 1, "template_id": None, "name": None}, prop("s", template_id=7))
    assert got["template_id"] == 7 and got["name"] == "Asset request" and got["status"] == "submitted"


def test_answers_keyed_by_label_with_plain_values():
    questions = {
        "1": {"label": "Asset tag"},
        "2": {"label": "Risk"},
        "3": {"label": "Asset tag"},
        "10": {},
    }
    answers = {"10": {"date": "2024-06-01"}, "2": {"choices": ["High"]}, "1": {"text": "LAP-1"}, "3": {"text": "X"}}
    assert answers_by_label(prop(questions=questions, answers=answers)) == {
        "Asset tag": "LAP-1",
        "Risk": ["High"],
        "Asset tag (3)": "X",
        "10": "2024-06-01",
    }
    assert read_form({"id": 1, "template_id": 1, "name": "A"}, prop(), answers=True)["answers"] == {}


# -- input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "one of template_id or form_id"),
        ({"template_id": 0}, "template_id must be a positive"),
        ({"form_id": -1}, "form_id must be a positive"),
        ({"template_id": 1, "count": -1}, "count must be 0 or more"),
        ({"template_id": 1, "status": "closed"}, "status must be one of"),
        ({"form_id": 1, "visibility": "external"}, "needs template_id"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(FormPlanError, match=message):
        validate_request(**kwargs)


ENTRIES = [
    {"id": 1, "template_id": 1, "name": "A"},
    {"id": 2, "template_id": 1, "name": "A"},
    {"id": 3, "template_id": 2, "name": "B"},
]


def test_select_copies_of_a_template_and_one_form():
    assert [e["id"] for e in select_forms(ENTRIES, "DEMO-1", template_id=1)] == [1, 2]
    assert [e["id"] for e in select_forms(ENTRIES, "DEMO-1", form_id=3)] == [3]
    assert [e["id"] for e in select_forms(ENTRIES, "DEMO-1", template_id=1, form_id=2)] == [1, 2]
    assert select_forms(ENTRIES, "DEMO-1", template_id=9) == []


def test_select_a_missing_form_is_not_found():
    with pytest.raises(FormNotFound, match=r"form 9 not found on issue DEMO-1 \(forms on it: 1, 2, 3\)"):
        select_forms(ENTRIES, "DEMO-1", form_id=9)
    with pytest.raises(FormNotFound, match="forms on it: none"):
        select_forms([], "DEMO-5", form_id=1)


def test_select_a_form_of_another_template():
    with pytest.raises(FormPlanError, match="form 3 on issue DEMO-1 is a copy of template 2, not of template_id 1"):
        select_forms(ENTRIES, "DEMO-1", template_id=1, form_id=3)


# -- status paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, lock, target, operations",
    [
        ("open", False, "open", []),
        ("open", False, "submitted", ["submit"]),
        ("open", True, "submitted", ["submit", "unlock"]),
        ("open", True, "locked", ["submit"]),
        ("submitted", False, "open", ["reopen"]),
        ("submitted", True, "locked", ["reopen", "submit"]),
        ("submitted", False, "submitted", []),
        ("locked", True, "submitted", ["unlock"]),
        ("locked", True, "open", ["unlock", "reopen"]),
        ("locked", True, "locked", []),
        # A form locked under a design that no longer locks: still unlockable.
        ("locked", False, "open", ["unlock", "reopen"]),
    ],
)
def test_status_paths(status, lock, target, operations):
    assert status_path(form(1, status=status, lock=lock), target) == operations


@pytest.mark.parametrize("status", ["open", "submitted"])
def test_locked_is_unreachable_when_the_design_does_not_lock(status):
    with pytest.raises(FormPlanError, match=r"form 1 \(template 1\) cannot be locked: its design does not lock"):
        status_path(form(1, status=status, lock=False), "locked")


def test_unknown_status_cannot_be_changed():
    with pytest.raises(FormPlanError, match="its status could not be read"):
        status_path(form(1, status=None), "open")


# -- plans -----------------------------------------------------------------------------------------

DEMO_1 = [form(1, 1, "submitted"), form(2, 1, "open"), form(3, 2, "open", lock=True)]


def test_only_missing_copies_are_added():
    plan = plan_forms(DEMO_1[:2], template_id=1, count=3, visibility="external")
    assert plan.add == 1 and plan.changed
    assert plan.added == [
        {
            "id": None,
            "template_id": 1,
            "name": "Template 1",
            "status": "open",
            "visibility": "external",
            "submitted": None,
            "locks_on_submit": False,
            "legacy": False,
        }
    ]
    assert [f["id"] for f in plan.after] == [1, 2, None]
    assert plan.steps == []


def test_enough_copies_is_no_change_and_extra_copies_stay():
    plan = plan_forms(DEMO_1[:2], template_id=1, count=1)
    assert plan.add == 0 and not plan.changed
    assert plan.after == plan.before


def test_count_zero_applies_status_to_existing_copies_only():
    plan = plan_forms([], template_id=1, count=0, status="submitted")
    assert not plan.changed


def test_status_applies_to_every_copy_including_new_ones():
    plan = plan_forms(DEMO_1[:2], template_id=1, count=3, status="submitted")
    assert [(s["form"]["id"], s["operations"]) for s in plan.steps] == [(2, ["submit"]), (None, ["submit"])]
    assert [f["status"] for f in plan.after] == ["submitted", "submitted", "submitted"]
    assert [f["status"] for f in plan.before] == ["submitted", "open"]


def test_status_with_form_id_applies_to_that_form_only():
    plan = plan_forms(DEMO_1, template_id=1, count=2, form_id=1, status="open")
    assert [(s["form"]["id"], s["operations"]) for s in plan.steps] == [(1, ["reopen"])]
    assert [f["status"] for f in plan.after] == ["open", "open", "open"]


def test_new_copies_learn_locking_from_the_newest_copy():
    plan = plan_forms([DEMO_1[2]], template_id=2, count=2, status="locked")
    assert [(s["form"]["id"], s["operations"]) for s in plan.steps] == [(3, ["submit"]), (None, ["submit"])]


def test_locked_for_a_template_not_on_the_issue_is_predicted_not_refused():
    # First use: no copy on the issue says whether template 2 locks on submit. Today's "add the form first"
    # refusal is gone: the plan predicts locked, and says the lock is only known once the form exists.
    plan = plan_forms([], template_id=2, count=1, status="locked")
    assert plan.lock_unknown and plan.add == 1
    assert [(s["form"]["id"], s["operations"], s["after"]) for s in plan.steps] == [(None, ["submit"], "locked")]
    assert [f["status"] for f in plan.after] == ["locked"]
    assert "read from the 1 form(s) a real run adds" in lock_unknown_warning(2, plan.add)


def test_one_unreachable_form_stops_the_whole_plan():
    forms = [form(1, 1, "submitted"), form(2, 1, "open", lock=True)]
    with pytest.raises(FormPlanError, match=r"form 1 \(template 1\) cannot be locked"):
        plan_forms(forms, template_id=1, count=2, status="locked")


def test_visibility_of_existing_copies_is_warned_about_not_changed():
    plan = plan_forms(DEMO_1[:2], template_id=1, count=2, visibility="external")
    assert not plan.changed
    assert len(plan.warnings) == 2
    assert "form 1 (template 1) is internal, not external" in plan.warnings[0]
    assert plan_forms(DEMO_1[:2], template_id=1, count=2).warnings == []


# -- results ---------------------------------------------------------------------------------------


def test_planned_result_and_diff_by_id():
    plan = plan_forms([DEMO_1[2]], template_id=2, count=2, status="locked")
    result = planned_result("DEMO-1", plan)
    assert result["changed"] is True
    assert result["transitioned"] is None  # a submit would run: only the server knows
    assert result["status_changed"] == [
        {"id": 3, "template_id": 2, "before": "open", "after": "locked"},
        {"id": None, "template_id": 2, "before": "open", "after": "locked"},
    ]
    assert result["added"] == [
        {"id": None, "template_id": 2, "name": "Template 2", "status": "open", "visibility": "internal"}
    ]
    assert result["diff"]["before"] == {
        "forms": {"3": {"template_id": 2, "name": "Template 2", "status": "open", "visibility": "internal"}}
    }
    assert result["diff"]["after"]["forms"]["3"]["status"] == "locked"
    assert result["diff"]["after"]["forms"]["new 1"]["status"] == "locked"
    assert "locks_on_submit" not in result["forms"][0]


def test_planned_result_without_submit_did_not_transition():
    plan = plan_forms(DEMO_1[:1], form_id=1, status="open")
    result = planned_result("DEMO-1", plan)
    assert result["transitioned"] is False
    assert result["forms"] == [
        {"id": 1, "template_id": 1, "name": "Template 1", "status": "open", "visibility": "internal"}
    ]


def test_forms_by_id_numbers_new_forms():
    assert list(forms_by_id([form(2), form(None), form(None)])) == ["2", "new 1", "new 2"]


# -- the shapes real servers store ----------------------------------------------------------------


def chunked(form_property, size=24, root_design=None):
    """``form_property`` stored as a real server stores a large design: ``(root, parts 2..N)``."""
    encoded = base64.b64encode(json.dumps(form_property["design"]).encode()).decode()
    pieces = [encoded[i : i + size] for i in range(0, len(encoded), size)]
    total = len(pieces)
    root = {"schemaVersion": 8, "rawData": {"part": "1/%d" % total, "data": pieces[0]}, "state": form_property["state"]}
    if root_design is not None:
        root["design"] = root_design
    return root, [{"part": "%d/%d" % (n + 1, total), "data": pieces[n]} for n in range(1, total)]


QUESTIONS = {"1": {"label": "Asset tag"}, "2": {"label": "Quantity"}}
ANSWERS = {"1": {"text": "LAP-1"}, "2": {"number": 2}}


def test_a_chunked_design_is_joined_and_read_like_a_plain_one():
    documented = prop("l", "e", lock=True, template_id=2, questions=QUESTIONS, answers=ANSWERS)
    root, parts = chunked(documented)
    assert design_part_count(root, "DEMO-1", 3) == len(parts) + 1 > 2
    assert design_part_count(documented, "DEMO-1", 3) == 0
    joined = join_design(root, parts, "DEMO-1", 3)
    assert joined["design"] == documented["design"] and "rawData" not in joined
    entry = {"id": 3, "template_id": None, "name": None}
    # Issue 12: before, a chunked form read as no design: answers keyed by id, lock unknown, template unknown.
    got = read_form(entry, joined, answers=True)
    assert got["answers"] == {"Asset tag": "LAP-1", "Quantity": 2}
    assert got["locks_on_submit"] is True and got["template_id"] == 2 and got["status"] == "locked"
    assert join_design(documented, [], "DEMO-1", 3) is documented


def test_a_chunked_design_is_merged_over_the_design_at_the_root():
    root, parts = chunked(
        prop(questions=QUESTIONS), root_design={"questions": {"9": {"label": "Root only"}}, "extra": {"a": 1}}
    )
    design = join_design(root, parts, "DEMO-1", 1)["design"]
    assert set(design["questions"]) == {"1", "2", "9"} and design["extra"] == {"a": 1}
    assert design["settings"]["templateId"] == 1


def _corrupt(change):
    root, parts = chunked(prop(questions=QUESTIONS))
    change(root, parts)
    return root, parts


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda root, parts: parts.pop(), r"stored in \d+ parts, \d+ were read"),
        (lambda root, parts: parts.__setitem__(0, None), r"proforma.forms.i3.1 holds no design part \(missing\)"),
        (
            lambda root, parts: parts[1].update(part="3/99"),
            r"proforma.forms.i3.2 holds part 3/99, expected 3/\d+ \(inconsistent parts\)",
        ),
        (lambda root, parts: parts[0].update(part="3/%d" % (len(parts) + 1)), r"i3.1 holds part 3/\d+, expected 2/"),
        (lambda root, parts: parts[0].update(part="two"), r"i3.1 has part 'two', not k/N"),
        (lambda root, parts: parts[0].update(data="%%%"), r"do not decode to JSON"),
        (lambda root, parts: root["rawData"].update(part="2/4"), r"proforma.forms.i3 holds part 2/4, not the first"),
        (lambda root, parts: root["rawData"].update(part="5/4"), r"proforma.forms.i3 has part '5/4'"),
    ],
)
def test_a_chunked_design_that_does_not_add_up_names_the_issue_and_the_form(change, message):
    root, parts = _corrupt(change)
    with pytest.raises(FormDataError, match="cannot read the design of form 3 on DEMO-1: .*" + message):
        join_design(root, parts[: design_part_count(root, "DEMO-1", 3) - 1], "DEMO-1", 3)


def test_chunks_that_decode_to_something_else_than_a_design():
    not_json = base64.b64encode(b"not json").decode()
    with pytest.raises(FormDataError, match="do not decode to JSON"):
        join_design({"rawData": {"part": "1/1", "data": not_json}}, [], "DEMO-1", 3)
    a_list = base64.b64encode(b"[1, 2]").decode()
    with pytest.raises(FormDataError, match="decode to list, not a design object"):
        join_design({"rawData": {"part": "1/1", "data": a_list}}, [], "DEMO-1", 3)


def test_index_entries_without_template_id_keep_their_flags():
    raw = [{"id": 2, "uuid": "u-2", "name": "A", "created": "x", "updated": "y", "submitted": True, "lock": True}]
    assert parse_index(raw) == [{"id": 2, "template_id": None, "name": "A", "submitted": True, "locked": True}]


@pytest.mark.parametrize(
    "flags, status",
    [
        ({"submitted": False}, "open"),
        ({"submitted": True}, "submitted"),
        ({"submitted": True, "locked": True}, "locked"),
        ({"submitted": True, "locked": False}, "submitted"),
        ({}, None),
    ],
)
def test_a_form_without_state_status_takes_it_from_the_index(flags, status):
    without = prop()
    del without["state"]["status"]
    entry = dict({"id": 1, "template_id": 1, "name": "A"}, **flags)
    assert read_form(entry, without)["status"] == status


LEGACY = {
    "schemaVersion": 5,
    "name": "Asset request",
    "submitted": True,
    "questions": [
        {"id": 1, "label": "Asset tag", "type": "text", "answer": {"text": "LAP-9"}},
        {"id": 2, "label": "Quantity", "type": "number"},
        {"id": 3, "label": "Asset tag", "answer": {"text": "again"}},
    ],
}


def test_a_legacy_form_is_read_for_what_it_holds():
    got = read_form({"id": 5, "template_id": 1, "name": None}, LEGACY, answers=True)
    assert got == {
        "id": 5,
        "template_id": 1,
        "name": "Asset request",
        "status": "submitted",
        "visibility": None,  # a legacy form does not hold it
        "submitted": None,
        "locks_on_submit": None,
        "legacy": True,
        "answers": {"Asset tag": "LAP-9", "Asset tag (3)": "again"},
    }
    assert read_form({"id": 5, "template_id": None, "name": None}, dict(LEGACY, submitted=False))["status"] == "open"
    assert read_form({"id": 5, "template_id": None, "name": None}, LEGACY)["template_id"] is None
    assert read_form({"id": 5, "template_id": None, "name": None}, dict(LEGACY, templateId=4))["template_id"] == 4


def test_a_legacy_form_changes_status_but_cannot_be_planned_locked():
    legacy = read_form({"id": 5, "template_id": 1, "name": None}, LEGACY)
    assert status_path(legacy, "open") == ["reopen"]
    with pytest.raises(FormPlanError, match=r"form 5 \(template 1\): it is a legacy form \(schemaVersion 5\)"):
        status_path(legacy, "locked")
    # Nor does a legacy copy tell new copies whether they lock: no plan can lock the legacy copy itself.
    with pytest.raises(FormPlanError, match="legacy form"):
        plan_forms([legacy], template_id=1, count=2, status="locked")


def test_new_copies_do_not_learn_locking_from_a_legacy_copy():
    legacy = read_form({"id": 5, "template_id": 1, "name": None}, dict(LEGACY, submitted=False))
    plan = plan_forms([legacy, form(6, 1, "open", lock=True)], template_id=1, count=3, status="submitted")
    assert plan.added[0]["locks_on_submit"] is True
    plan = plan_forms([form(6, 1, "locked", lock=True), legacy], template_id=1, count=3, status="open")
    assert plan.added[0]["locks_on_submit"] is True


UNKNOWN = [{"id": 7, "template_id": None, "name": None, "status": "open", "locks_on_submit": None, "legacy": True}]


def test_a_form_of_unknown_template_is_never_made_up_for_by_an_add():
    # Issue 12: before, such a form was just not a copy, and template_id 1, count 1 added one on every run.
    with pytest.raises(FormPlanError, match="cannot tell how many copies of template 1 are on DEMO-4: for form"):
        plan_forms([], template_id=1, count=1, unknown=UNKNOWN, issue="DEMO-4")
    with pytest.raises(FormPlanError, match=r"form\(s\) 7 on DEMO-4.*no copy is added on a guess"):
        plan_forms([], template_id=1, count=1, unknown=UNKNOWN, issue="DEMO-4")
    with pytest.raises(FormPlanError, match="cannot set status submitted on every copy of template 1"):
        plan_forms([form(1)], template_id=1, count=1, status="submitted", unknown=UNKNOWN, issue="DEMO-4")


def test_a_form_of_unknown_template_is_only_warned_about_when_it_cannot_count():
    plan = plan_forms([form(1)], template_id=1, count=1, unknown=UNKNOWN, issue="DEMO-4")
    assert not plan.changed and "not counted as copies of template 1" in plan.warnings[0]
    plan = plan_forms([form(1)], template_id=1, count=1, form_id=1, status="submitted", unknown=UNKNOWN)
    assert [s["form"]["id"] for s in plan.steps] == [1]
    assert plan_forms([], form_id=None, template_id=None, unknown=UNKNOWN).warnings == []


def test_select_a_form_of_unknown_template_with_template_id():
    entries = ENTRIES + [{"id": 4, "template_id": None, "name": None}]
    assert [e["id"] for e in select_forms(entries, "DEMO-1", template_id=1)] == [1, 2]
    assert [e["id"] for e in select_forms(entries, "DEMO-1", form_id=4)] == [4]
    with pytest.raises(FormPlanError, match="form 4 on issue DEMO-1: neither the proforma.forms index nor"):
        select_forms(entries, "DEMO-1", template_id=1, form_id=4)


def test_first_use_predicts_locking_from_a_copy_already_on_the_issue():
    plan = plan_forms([form(3, 2, "locked", lock=True)], template_id=2, count=2, status="locked")
    assert not plan.lock_unknown
    assert [(s["form"]["id"], s["operations"]) for s in plan.steps] == [(None, ["submit"])]
    with pytest.raises(FormPlanError, match=r"form 3 \(template 2\) cannot be locked"):
        plan_forms([form(3, 2, "open", lock=False)], template_id=2, count=2, status="locked")
