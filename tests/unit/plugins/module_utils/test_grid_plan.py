# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime
import re

import pytest

from ansible_collections.jira.addons.plugins.module_utils.grid_plan import find_duplicates, plan_rows, validate_desired
from ansible_collections.jira.addons.plugins.module_utils.grid_values import (
    GridRowsError,
    Normaliser,
    epoch_ms,
    tzinfo_for,
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
    # Another row; "3" goes out as the number it was compared as (quantity holds numbers).
    assert result.add == [{"asset": "LAP-2", "quantity": 3}], "without key a different value is another row"


def test_current_rows_missing_key_columns_never_match():
    current = [{"id": 1, "quantity": 1.0}, {"id": 2, "asset": "A"}]
    result = plan_rows(current, [{"asset": "A"}], key=["asset"], state="exact")
    assert result.remove == [1]


def test_declared_column_types_apply_when_the_grid_has_no_rows():
    norm = Normaliser.learn([], declared={"dob": "date", "active": "checkbox", "price": "number"})
    result = plan_rows([], [{"dob": "2024-05-01", "active": "true", "price": "2.5"}], normaliser=norm)
    # Sent as compared: a number and a boolean, not the text the user wrote.
    assert result.add == [{"dob": MAY_1_UTC_MS, "active": True, "price": 2.5}]
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
        ([{"asset": "A"}, {"asset": "A"}], ["asset"], r"rows\[0\] and rows\[1\] have the same key"),
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


def test_duplicates_follow_the_stored_cells_not_the_normalised_values():
    # Two options with one value but different names are different cells to the server.
    rows = [
        {"id": 1, "a": "x", "opt": {"name": "North", "value": "N"}},
        {"id": 2, "a": "x", "opt": {"name": "Nord", "value": "N"}},
        {"id": 3, "a": "x", "opt": {"value": "N", "name": "North"}},
    ]
    assert [r["id"] for r in find_duplicates(rows)] == [3]


def test_whole_row_matching_gives_each_desired_row_a_row_whatever_their_order():
    # Already satisfied: row 2 is {a: x}, row 1 is {a: x, b: 1}. First-fit in the written order would
    # give row 1 to {a: x} and then add a copy of row 1 (present) or also drop row 2 (exact).
    current = [{"id": 1, "a": "x", "b": "1"}, {"id": 2, "a": "x", "b": "2"}]
    desired = [{"a": "x"}, {"a": "x", "b": "1"}]
    for state in ("present", "exact"):
        assert not plan_rows(current, desired, state=state).changed, state


def test_whole_row_matching_moves_an_earlier_choice_when_rows_name_different_columns():
    # Same specificity, so only an augmenting path finds it: {a, b} can take row 1 or 2, {a, c} only row 1.
    current = [{"id": 1, "a": "x", "b": "1", "c": "5"}, {"id": 2, "a": "x", "b": "1", "c": "6"}]
    result = plan_rows(current, [{"a": "x", "b": "1"}, {"a": "x", "c": "5"}], state="exact")
    assert not result.changed
    # One more copy than the grid holds: one add, and the plan stays fast on many equal rows.
    many = [{"id": n, "a": "x"} for n in range(1, 20001)]
    result = plan_rows(many, [{"a": "x"}] * 20001, state="exact")
    assert len(result.add) == 1 and result.remove == []


def test_large_integers_compare_exactly():
    current = [{"id": 1, "serial": 9007199254740992, "n": "a"}]
    assert plan_rows(current, [{"n": "a", "serial": 9007199254740993}], key=["n"]).update == [
        {"rowId": 1, "values": {"serial": 9007199254740993}}
    ]
    assert not plan_rows(current, [{"n": "a", "serial": "9007199254740992"}], key=["n"]).changed
    # Two serials a float cannot tell apart are two keys.
    assert len(plan_rows([], [{"serial": 9007199254740992}, {"serial": 9007199254740993}], key=["serial"]).add) == 2


def test_keys_differing_in_case_or_spaces_are_two_rows():
    current = [{"id": 1, "user": "Bob"}, {"id": 2, "user": "bob"}, {"id": 3, "user": "A1 "}]
    desired = [{"user": "Bob"}, {"user": "bob"}, {"user": "A1 "}]
    assert not plan_rows(current, desired, key=["user"], state="exact").changed


@pytest.mark.parametrize(
    "desired, message",
    [
        ({"asset": "LAP-2", "quantity": "two"}, r"rows\[1\]\.quantity is 'two', but column 'quantity' holds numbers"),
        ({"asset": "LAP-2", "purchased": "May 1st"}, r"rows\[1\]\.purchased is 'May 1st'"),
        ({"asset": "LAP-2", "in_service": "maybe"}, r"rows\[1\]\.in_service is 'maybe', but column 'in_service' is a"),
    ],
)
def test_values_a_known_column_cannot_hold_fail_before_any_write(desired, message):
    # rows[0] alone would add a row: the bad value must stop the plan, not a 400 after that POST.
    with pytest.raises(GridRowsError, match=message):
        plan([{"asset": "LAP-9"}, desired], key=["asset"])


def test_values_are_sent_in_the_form_they_were_compared_in():
    result = plan(
        [{"asset": "LAP-9", "quantity": "3", "in_service": "yes", "purchased": datetime.date(2024, 5, 1)}],
        key=["asset"],
    )
    assert result.add == [{"asset": "LAP-9", "quantity": 3, "in_service": True, "purchased": MAY_1_UTC_MS}]
    text = Normaliser.learn([{"id": 1, "version": "1.0", "note": "n"}])
    assert text.wire("version", 2.0) == "2.0" and text.wire("version", True) == "true"
    assert text.wire("note", datetime.date(2024, 5, 1)) == "2024-05-01"


@pytest.mark.parametrize("name", ["+25:00", "-24:00", "+02:75"])
def test_offsets_of_a_day_or_more_are_a_clear_error(name):
    with pytest.raises(GridRowsError, match="not a valid offset"):
        tzinfo_for(name)


# --- Round trip: whatever form a user writes a value in, the second run changes nothing ------------------------
#
# The grid is kept by the emulator's own column rules (jira_emulator.columns: what a written value is stored
# as, and what a read returns), so this checks the planner and the wire form against a server, not against
# themselves: plan, apply the plan as the server would, plan again -> nothing to do.

OPTIONS = [{"name": "North", "value": "N"}, {"name": "South", "value": "S"}]
DECLARED = {"day": "date", "at": "datetime"}  # dates must be declared while the grid may have none


def _columns():
    from jira_emulator.columns import Column  # the emulator (tests/emulator) is on the test path

    return dict(
        (c.name, c)
        for c in (
            Column("asset", "string", required=True),
            Column("note", "string"),
            Column("qty", "integer"),
            Column("price", "number"),
            Column("day", "date"),
            Column("at", "datetime"),
            Column("where", "list", options=OPTIONS),
            Column("ok", "checkbox"),
        )
    )


class StoredGrid:
    """One grid on one issue, stored as the emulator stores it; ``read()`` returns rows as TGE shows them."""

    def __init__(self, rows):
        from jira_emulator.columns import InvalidValue

        self.columns = _columns()
        self.rows = {}
        self.next_id = 1
        for row in rows:
            cells = {}
            for column, value in row.items():
                try:
                    cells[column] = self.columns[column].coerce(value, lambda user: True)
                except InvalidValue:
                    pass  # a value this server would refuse: the cell stays empty
            self.add(cells)

    def add(self, row):
        values = dict((name, None) for name in self.columns)
        values.update((c, self.columns[c].coerce(v, lambda user: True)) for c, v in row.items())
        self.rows[self.next_id] = values
        self.next_id += 1

    def apply(self, plan):
        for row in plan.add:
            self.add(row)
        for update in plan.update:
            self.rows[update["rowId"]].update(
                (c, self.columns[c].coerce(v, lambda user: True)) for c, v in update["values"].items()
            )
        for row_id in plan.remove:
            del self.rows[row_id]

    def read(self):
        # Empty cells are left out, as servers may do.
        return [
            dict({"id": i, "issueId": 10001, "modified": 1}, **dict((c, v) for c, v in r.items() if v is not None))
            for i, r in sorted(self.rows.items())
        ]


def _forms():
    from hypothesis import strategies as st

    def written(strategy, *forms):
        return strategy.flatmap(lambda value: st.sampled_from([form(value) for form in forms]))

    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

    def ms(moment):
        return int((moment - epoch).total_seconds() * 1000)

    days = st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31))
    moments = st.datetimes(
        datetime.datetime(1990, 1, 1), datetime.datetime(2030, 12, 31), timezones=st.just(datetime.UTC)
    ).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
    return {
        "note": st.one_of(
            st.text("abAB 1.-", min_size=1, max_size=6), st.integers(-(10**18), 10**18), st.floats(-1e9, 1e9)
        ),
        "qty": written(st.integers(-(10**17), 10**17), lambda n: n, str, lambda n: " %d " % n, float),
        "price": written(st.floats(-1e6, 1e6).map(lambda f: round(f, 3)), lambda f: f, repr, lambda f: str(f) + " "),
        "day": written(
            days,
            lambda d: d,
            lambda d: d.isoformat(),
            lambda d: ms(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.UTC)),
        ),
        "at": written(
            moments,
            lambda m: m,
            lambda m: m.isoformat(),
            lambda m: m.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            lambda m: m.replace(tzinfo=None).isoformat(),  # no offset: read in 'timezone' (UTC)
            ms,
        ),
        "where": st.sampled_from(["N", "North", "S", {"name": "South", "value": "S"}, {"value": "N"}]),
        "ok": st.sampled_from([True, False, "true", "false", "yes", "no", "True"]),
    }


def _rows(assets):
    from hypothesis import strategies as st

    forms = _forms()
    cell = dict((c, st.one_of(st.none(), st.just(""), strategy)) for c, strategy in forms.items())
    return st.lists(st.fixed_dictionaries({"asset": st.sampled_from(assets)}, optional=cell), max_size=6)


def test_a_second_run_changes_nothing_whatever_form_the_values_are_written_in():
    from hypothesis import HealthCheck, given, reject, settings
    from hypothesis import strategies as st

    # Derandomized: the suite (and CI) runs the same 300 cases each time, and writes no example database.
    # To search wider: pytest -k second_run --hypothesis-seed=N, for a few N.
    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        current=_rows(["A1", "A2", "A3"]),
        desired=_rows(["A1", "A2", "A3", "A4"]),
        keyed=st.booleans(),
        state=st.sampled_from(["present", "exact"]),
    )
    def check(current, desired, keyed, state):
        if keyed:  # one row per key
            desired = list(dict((row["asset"], row) for row in desired).values())
        key = ["asset"] if keyed else None
        from jira_emulator.columns import InvalidValue

        grid = StoredGrid(current)
        norm = Normaliser.learn(grid.read(), DECLARED)
        first = plan_rows(grid.read(), desired, key, state, norm)
        try:
            grid.apply(first)
        except InvalidValue as err:
            # The server refuses a value ('yes' for a checkbox) with a 400: only acceptable for a column
            # whose type the module could not know (no value on the issue, nothing declared).
            column = re.search(r"for column '(\w+)'", str(err)).group(1)
            assert column not in norm.kinds, err
            reject()
        again = plan_rows(grid.read(), desired, key, state, Normaliser.learn(grid.read(), DECLARED))
        assert not again.changed, (first.add, first.update, first.remove, again.add, again.update, again.remove)
        if state == "exact":
            assert len(grid.rows) == len(desired)

    check()


@pytest.mark.parametrize(
    "cell",
    [{"name": "North", "value": "N"}, {"value": "N"}, {"name": "North"}],
    ids=["name and value", "value only", "name only"],
)
@pytest.mark.parametrize("written", ["N", "North", {"value": "N"}, {"name": "North", "value": "N"}])
def test_list_cells_in_every_shape_real_servers_send_compare_equal(cell, written):
    # One {name, value} cell elsewhere in the grid teaches the name of N, as real grids hold many rows.
    current = [
        {"id": 1, "asset": "A", "location": cell},
        {"id": 2, "asset": "Z", "location": {"name": "North", "value": "N"}},
    ]
    plan = plan_rows(current, [{"asset": "A", "location": written}], key=["asset"])
    assert not plan.changed


def test_options_read_back_by_name_only_stay_apart():
    # Two different options, each shown as {name} only: neither may stand for the other.
    current = [
        {"id": 1, "asset": "A", "location": {"name": "North"}},
        {"id": 2, "asset": "B", "location": {"name": "South"}},
    ]
    plan = plan_rows(current, [{"asset": "A", "location": "North"}, {"asset": "B", "location": "North"}], key=["asset"])
    assert [u["rowId"] for u in plan.update] == [2]
