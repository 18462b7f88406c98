# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.jira.addons.plugins.module_utils.form_plan import (
    FormNotFound,
    FormPlanError,
    answers_by_label,
    forms_by_id,
    parse_index,
    plan_forms,
    planned_result,
    read_form,
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
        {"id": 1, "template_id": 1, "name": "A"},
        {"id": 3, "template_id": 2, "name": "B"},
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


def test_locked_for_a_template_not_on_the_issue_fails_before_writing():
    with pytest.raises(
        FormPlanError, match="cannot plan status locked for a new copy of template 2.*add the form first"
    ):
        plan_forms([], template_id=2, count=1, status="locked")


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
