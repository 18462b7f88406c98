# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime

import pytest

from ansible_collections.jira.addons.plugins.module_utils.grid_rows import (
    GridRowsError,
    Normaliser,
    epoch_ms,
    find_duplicates,
    plan_rows,
    tzinfo_for,
    validate_desired,
)

MAY_1_UTC_MS = 1714521600000

# Rows as TGE returns them: dates in epoch ms, numbers as floats, options as objects,
# empty cells left out.
CURRENT = [
    {
        "id": 1,
        "issueId": 10001,
        "modified": 1,
        "asset": "LAP-1",
        "quantity": 2.0,
        "purchased": MAY_1_UTC_MS,
        "location": {"name": "North", "value": "N"},
        "in_service": True,
    },
    {
        "id": 2,
        "issueId": 10001,
        "modified": 0,
        "asset": "LAP-2",
        "quantity": 1.0,
        "location": {"name": "South", "value": "S"},
        "in_service": False,
    },
    {"id": 3, "issueId": 10001, "modified": 0, "asset": "LAP-3"},
]


def plan(desired, **kwargs):
    return plan_rows(CURRENT, desired, **kwargs)


@pytest.mark.parametrize(
    "desired",
    [
        # Every form a user may write the same values in.
        {"asset": "LAP-1", "quantity": "2", "purchased": "2024-05-01", "location": "N", "in_service": "true"},
        {"asset": "LAP-1", "quantity": 2, "purchased": MAY_1_UTC_MS, "location": "North", "in_service": True},
        {
            "asset": "LAP-1",
            "quantity": 2.0,
            "purchased": "2024-05-01T00:00:00Z",
            "location": {"name": "North", "value": "N"},
        },
        {"asset": "LAP-1", "quantity": "2.0", "purchased": datetime.date(2024, 5, 1), "in_service": "yes"},
        {"asset": "LAP-1", "purchased": "2024-05-01T02:00:00+02:00", "hobbies": None, "notes": ""},
    ],
)
def test_values_in_any_form_are_no_change(desired):
    result = plan([desired], key=["asset"])
    assert not result.changed, (result.add, result.update)


def test_matched_rows_update_only_differing_named_columns():
    result = plan([{"asset": "LAP-2", "quantity": 5, "location": "South"}], key=["asset"])
    assert result.update == [{"rowId": 2, "values": {"quantity": 5}}]
    assert result.updated_rows == [{"id": 2, "values": {"quantity": 5}, "previous": {"quantity": 1.0}}]
    assert result.add == [] and result.remove == []
    assert {
        "id": 2,
        "asset": "LAP-2",
        "quantity": 5,
        "location": {"name": "South", "value": "S"},
        "in_service": False,
    } in result.after


def test_present_adds_missing_rows_and_leaves_the_rest():
    result = plan([{"asset": "LAP-9", "purchased": "2024-05-01"}], key=["asset"])
    # Dates the user wrote are sent as epoch ms, so the server stores what was compared.
    assert result.add == [{"asset": "LAP-9", "purchased": MAY_1_UTC_MS}]
    assert result.remove == [] and result.update == []
    assert [r["id"] for r in result.after] == [1, 2, 3, None]


def test_exact_removes_unmatched_rows():
    result = plan([{"asset": "LAP-1"}], key=["asset"], state="exact")
    assert result.remove == [2, 3]
    assert [r["id"] for r in result.removed_rows] == [2, 3]
    assert [r["id"] for r in result.after] == [1]


def test_exact_with_no_rows_empties_the_grid():
    result = plan([], state="exact")
    assert result.remove == [1, 2, 3]
    assert result.after == []


def test_exact_removes_extra_copies_of_duplicates():
    current = [
        {"id": 7, "asset": "A", "quantity": 1.0},
        {"id": 5, "asset": "A", "quantity": 1.0},
        {"id": 9, "asset": "B"},
    ]
    result = plan_rows(current, [{"asset": "A", "quantity": 1}, {"asset": "B"}], state="exact")
    assert result.remove == [7], "the lowest id stays, the later copy goes"
    keyed = plan_rows(current, [{"asset": "A", "quantity": 1}, {"asset": "B"}], key=["asset"], state="exact")
    assert keyed.remove == [7]


def test_without_key_two_equal_desired_rows_mean_two_copies():
    current = [{"id": 1, "asset": "A"}]
    result = plan_rows(current, [{"asset": "A"}, {"asset": "A"}], state="exact")
    assert result.add == [{"asset": "A"}]
    assert result.remove == []


def test_absent_removes_every_matching_copy():
    current = [{"id": 1, "asset": "A"}, {"id": 2, "asset": "A"}, {"id": 3, "asset": "B"}]
    result = plan_rows(current, [{"asset": "A"}], state="absent")
    assert result.remove == [1, 2]
    assert [r["id"] for r in result.after] == [3]
    assert plan_rows(current, [{"asset": "Z"}], state="absent").changed is False


def test_whole_row_matching_uses_only_named_columns():
    result = plan([{"asset": "LAP-2", "quantity": "1"}])
    assert not result.changed
    result = plan([{"asset": "LAP-2", "quantity": "3"}])
    assert result.add == [{"asset": "LAP-2", "quantity": "3"}], "without key a different value is another row"


def test_current_rows_missing_key_columns_never_match():
    current = [{"id": 1, "quantity": 1.0}, {"id": 2, "asset": "A"}]
    result = plan_rows(current, [{"asset": "A"}], key=["asset"], state="exact")
    assert result.remove == [1]


def test_declared_column_types_apply_when_the_grid_has_no_rows():
    norm = Normaliser.learn([], declared={"dob": "date", "active": "checkbox", "price": "number"})
    result = plan_rows([], [{"dob": "2024-05-01", "active": "true", "price": "2.5"}], normaliser=norm)
    assert result.add == [{"dob": MAY_1_UTC_MS, "active": "true", "price": "2.5"}]
    assert norm.canonical("active", "yes") is True
    with pytest.raises(GridRowsError, match="unknown type 'colour'"):
        Normaliser.learn([], declared={"x": "colour"})


def test_timezone_shifts_dates_without_offset():
    berlin = tzinfo_for("+02:00")
    assert epoch_ms("2024-05-01", berlin) == MAY_1_UTC_MS - 2 * 3600 * 1000
    assert epoch_ms("2024-05-01T00:00:00Z", berlin) == MAY_1_UTC_MS
    assert epoch_ms("not a date", berlin) is None
    norm = Normaliser.learn(CURRENT, tz=berlin)
    result = plan_rows(CURRENT, [{"asset": "LAP-1", "purchased": "2024-05-01"}], key=["asset"], normaliser=norm)
    assert result.update == [{"rowId": 1, "values": {"purchased": MAY_1_UTC_MS - 7200000}}]


@pytest.mark.parametrize("value, hint", [("2024-05-02T09:30:00", "datetime"), ("2024-05-02", "date")])
def test_a_date_as_text_for_a_column_of_unknown_type_is_refused(value, hint):
    # No current row has a value in 'purchased' and nothing declares it: Jira would read the text in its own
    # timezone (or keep it as text) while the next run compares in 'timezone', so the run would not settle.
    empty = [{"id": 1, "issueId": 10001, "modified": 1, "asset": "LAP-1"}]
    with pytest.raises(GridRowsError, match=r"rows\[0\]\.purchased .*columns: \{purchased: %s\}" % hint):
        plan_rows(empty, [{"asset": "LAP-1", "purchased": value}], key=["asset"])
    declared = Normaliser.learn(empty, declared={"purchased": hint})
    assert plan_rows(empty, [{"asset": "LAP-1", "purchased": value}], key=["asset"], normaliser=declared).update
    as_text = Normaliser.learn(empty, declared={"purchased": "string"})
    result = plan_rows(empty, [{"asset": "LAP-1", "purchased": value}], key=["asset"], normaliser=as_text)
    assert result.update == [{"rowId": 1, "values": {"purchased": value}}]


def test_dates_with_an_offset_or_in_known_columns_or_being_removed_pass():
    empty = [{"id": 1, "issueId": 10001, "modified": 1, "asset": "LAP-1"}]
    assert plan_rows(empty, [{"asset": "LAP-1", "purchased": "2024-05-02T09:30:00Z"}], key=["asset"]).update
    assert plan_rows(empty, [{"asset": "LAP-2", "note": "2024-05-02 notes"}], key=["asset"]).add
    assert plan_rows(empty, [{"asset": "LAP-1", "purchased": "2024-05-02"}], key=["asset"], state="absent").remove == [
        1
    ]
    result = plan_rows(CURRENT, [{"asset": "LAP-1", "purchased": "2024-05-01"}], key=["asset"])
    assert result.update == []  # CURRENT shows 'purchased' as a date


def test_unknown_timezone_is_a_clear_error():
    with pytest.raises(GridRowsError, match="unknown timezone 'Mars/Olympus'"):
        tzinfo_for("Mars/Olympus")
    assert tzinfo_for("Europe/Berlin").utcoffset(datetime.datetime(2024, 1, 1)) == datetime.timedelta(hours=1)


def test_empty_forms_are_equal_and_clearing_is_an_update():
    current = [{"id": 1, "asset": "A", "notes": "x"}, {"id": 2, "asset": "B"}]
    assert not plan_rows(current, [{"asset": "B", "notes": None}], key=["asset"]).changed
    assert not plan_rows(current, [{"asset": "B", "notes": ""}], key=["asset"]).changed
    result = plan_rows(current, [{"asset": "A", "notes": None}], key=["asset"])
    assert result.update == [{"rowId": 1, "values": {"notes": None}}]


@pytest.mark.parametrize(
    "rows, key, message",
    [
        (["not a dict"], None, r"rows\[0\] must be a dict"),
        ([{"asset": "A"}, {"quantity": 1}], ["asset"], r"rows\[1\] has no value for key column\(s\) asset"),
        ([{"asset": "A"}, {"asset": "a"}], ["asset"], r"rows\[0\] and rows\[1\] have the same key"),
        ([{"id": 4, "asset": "A"}], None, "names 'id', which TGE assigns itself"),
        ([{"asset": ["A", "B"]}], None, "column 'asset': a value must be"),
        ([{}], None, r"rows\[0\] is empty"),
        ("A", None, "rows must be a list"),
    ],
)
def test_invalid_desired_rows_fail_with_one_clear_message(rows, key, message):
    with pytest.raises(GridRowsError, match=message):
        validate_desired(rows, key)


def test_unknown_state_fails():
    with pytest.raises(GridRowsError, match="state must be one of present, absent, exact"):
        validate_desired([], None, "latest")


def test_keys_equal_only_after_normalisation_are_refused():
    with pytest.raises(GridRowsError, match="same key once normalised"):
        plan_rows([{"id": 1, "n": 1.0}], [{"n": 1}, {"n": "1"}], key=["n"])


def test_find_duplicates_ignores_id_and_modified_and_keeps_lowest_id():
    rows = [
        {"id": 4, "modified": 1, "a": "x", "b": 1.0},
        {"id": 2, "modified": 0, "a": "x", "b": 1.0},
        {"id": 3, "modified": 0, "a": "x", "b": 2.0},
        {"id": 6, "modified": 0, "a": "x", "b": 1.0, "c": None},
    ]
    assert [r["id"] for r in find_duplicates(rows)] == [4, 6]
    assert find_duplicates([]) == []
