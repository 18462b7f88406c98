# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rows as declared: what an export writes, and that applying it with state=exact changes nothing."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from ansible_collections.jira.addons.plugins.module_utils.grid_declared import (
    check_declaration,
    date_text,
    datetime_text,
    declare_grid,
)
from ansible_collections.jira.addons.plugins.module_utils.grid_plan import plan_rows
from ansible_collections.jira.addons.plugins.module_utils.grid_values import GridRowsError, Normaliser, tzinfo_for

# The round trip reuses the grid kept by the emulator's column rules, from the planner's round-trip test.
from ansible_collections.jira.addons.tests.unit.plugins.module_utils.test_grid_plan import (
    DECLARED,
    StoredGrid,
    _columns,
    _forms,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC = datetime.UTC


def ms(moment):
    return int(moment.timestamp() * 1000)


def midnight(year, month, day, tz):
    return ms(datetime.datetime(year, month, day, tzinfo=tz))


def row(row_id, **cells):
    return dict({"id": row_id, "issueId": 10001, "modified": row_id % 2}, **cells)


def one_issue(rows, column_types=None, key=None, tz=UTC):
    export = declare_grid([("OPS-1", rows)], column_types, key, tz)
    return export, export["issues"][0]


def applies_unchanged(rows, export, issue, tz=UTC):
    """What the apply of the file does: plan state=exact from the file's rows, key and columns."""
    norm = Normaliser.learn(rows, export["columns"], tz)
    return not plan_rows(rows, issue["rows"], issue.get("key"), "exact", norm).changed


# --- one value of each kind ----------------------------------------------------------------------------------


def test_each_kind_is_written_as_a_user_writes_it():
    rows = [
        row(
            7,
            asset="SRV-1",
            qty=2.0,
            price=4999.5,
            day=midnight(2024, 3, 29, BERLIN),
            at=ms(datetime.datetime(2024, 4, 2, 12, 0, 30, 250000, tzinfo=UTC)),
            where={"name": "North", "value": "N"},
            ok=True,
            owner="alice",
        )
    ]
    export, issue = one_issue(rows, {"day": "date", "at": "datetime"}, ["asset"], BERLIN)
    assert issue["rows"] == [
        {
            "asset": "SRV-1",
            "at": "2024-04-02T14:00:30.250+02:00",
            "day": "2024-03-29",
            "ok": True,
            "owner": "alice",
            "price": 4999.5,
            "qty": 2,
            "where": "N",
        }
    ]
    assert isinstance(issue["rows"][0]["qty"], int) and not isinstance(issue["rows"][0]["qty"], bool)
    assert list(issue["rows"][0]) == ["asset", "at", "day", "ok", "owner", "price", "qty", "where"]
    assert export["columns"] == {
        "asset": "string",
        "at": "datetime",
        "day": "date",
        "ok": "checkbox",
        "owner": "string",
        "price": "number",
        "qty": "number",
        "where": "list",
    }
    assert issue["key"] == ["asset"] and issue["warnings"] == [] and export["warnings"] == []
    assert applies_unchanged(rows, export, issue, BERLIN)


def test_bookkeeping_and_empty_cells_are_left_out():
    rows = [row(1, asset="A", note="", qty=None, where={"name": "", "value": ""})]
    _export, issue = one_issue(rows)
    assert issue["rows"] == [{"asset": "A"}]


@pytest.mark.parametrize(
    "cell, written",
    [({"name": "North", "value": "N"}, "N"), ({"value": "N"}, "N"), ({"name": "North"}, "North")],
)
def test_options_by_value_whatever_shape_the_server_reads_them_in(cell, written):
    rows = [row(1, asset="A", where=cell), row(2, asset="B", where={"name": "South", "value": "S"})]
    export, issue = one_issue(rows, key=["asset"])
    assert issue["rows"][0]["where"] == written
    assert applies_unchanged(rows, export, issue)


def test_checkboxes_read_as_text_are_booleans():
    rows = [row(1, asset="A", ok=True), row(2, asset="B", ok="false")]
    _export, issue = one_issue(rows, key=["asset"])
    assert [r["ok"] for r in issue["rows"]] == [True, False]


def test_datetimes_in_utc_end_in_z_and_keep_their_milliseconds():
    assert datetime_text(ms(datetime.datetime(2023, 3, 1, 9, 30, tzinfo=UTC)), UTC) == "2023-03-01T09:30:00Z"
    assert datetime_text(1_000, tzinfo_for("+05:30")) == "1970-01-01T05:30:01+05:30"
    assert datetime_text(-1, UTC) == "1969-12-31T23:59:59.999Z"


def test_a_date_is_a_day_only_at_midnight_in_the_timezone():
    assert date_text(midnight(2024, 10, 28, BERLIN), BERLIN) == "2024-10-28"
    assert date_text(midnight(2024, 10, 28, UTC), BERLIN) is None
    assert date_text(10**20, UTC) is None  # beyond datetime's years


# --- what cannot be written as declared is written as Jira holds it --------------------------------------------


def test_dates_not_at_midnight_in_the_timezone_stay_numbers_with_a_warning():
    # The emulator keeps the fixture's dates at midnight UTC; exported in Berlin they are not whole days.
    rows = [row(1, name="brad", dob=midnight(1966, 12, 18, UTC)), row(2, name="ava", dob=midnight(2001, 8, 5, BERLIN))]
    export, issue = one_issue(rows, {"dob": "date"}, ["name"], BERLIN)
    assert issue["rows"] == [{"name": "ava", "dob": "2001-08-05"}, {"name": "brad", "dob": midnight(1966, 12, 18, UTC)}]
    assert issue["warnings"] == [
        "column dob: 1 value(s) are not at midnight in timezone Europe/Berlin (is it the one Jira keeps dates in?);"
        " written as Jira holds them, so that they apply back unchanged"
    ]
    assert applies_unchanged(rows, export, issue, BERLIN)


def test_a_date_column_not_declared_is_numbers_and_a_hint_says_so():
    rows = [row(1, name="brad", dob=float(midnight(1966, 12, 18, UTC))), row(2, name="ava", dob=1_714_521_600_000)]
    export, issue = one_issue(rows, key=["name"])
    assert [r["dob"] for r in issue["rows"]] == [1_714_521_600_000, midnight(1966, 12, 18, UTC)]
    assert isinstance(issue["rows"][1]["dob"], int) and not isinstance(issue["rows"][1]["dob"], bool)
    assert export["columns"]["dob"] == "number"
    assert export["warnings"] == [
        "column dob holds numbers that look like dates in epoch milliseconds: they are written as numbers (which apply"
        " back unchanged); if it is a date or datetime column, say so in column_types (dob: date) to write them as"
        " dates"
    ]
    assert applies_unchanged(rows, export, issue)


def test_numbers_that_are_not_whole_seconds_in_the_years_of_dates_get_no_hint():
    rows = [row(1, asset="A", qty=2, serial=123_456_789_012_345, price=150_000_000_123), row(2, asset="B", qty=0)]
    export, issue = one_issue(rows)
    assert export["warnings"] == [] and issue["warnings"] == []


# --- keys, duplicates and order ----------------------------------------------------------------------------------


def test_rows_are_sorted_by_key_whatever_their_ids_then_by_every_column():
    rows = [row(3, asset="B", qty=1), row(9, asset="A", qty=5), row(4, asset="C")]
    again = [row(30, asset="C"), row(31, asset="A", qty=5), row(32, asset="B", qty=1)]
    assert one_issue(rows, key=["asset"])[1] == one_issue(again, key=["asset"])[1]
    assert [r["asset"] for r in one_issue(rows, key=["asset"])[1]["rows"]] == ["A", "B", "C"]
    # Without a key: by every column in the file's order (asset, then qty).
    unkeyed = [row(1, asset="B", qty=2), row(2, asset="A", qty=9), row(3, asset="B", qty=1)]
    assert one_issue(unkeyed)[1]["rows"] == [
        {"asset": "A", "qty": 9},
        {"asset": "B", "qty": 1},
        {"asset": "B", "qty": 2},
    ]


def test_key_columns_come_first_in_columns_and_in_each_row():
    export, issue = one_issue([row(1, asset="A", zone="z", brand="b")], key=["zone"])
    assert list(export["columns"]) == ["zone", "asset", "brand"]
    assert list(issue["rows"][0]) == ["zone", "asset", "brand"]


def test_duplicates_with_a_key_give_a_file_without_key_that_keeps_every_copy():
    rows = [row(7, asset="LAP-1", qty=1), row(8, asset="LAP-1", qty=1), row(9, asset="LAP-2", qty=1)]
    export, issue = one_issue(rows, key=["asset"])
    assert "key" not in issue
    assert issue["rows"] == [{"asset": "LAP-1", "qty": 1}, {"asset": "LAP-1", "qty": 1}, {"asset": "LAP-2", "qty": 1}]
    assert issue["warnings"] == [
        "rows equal in every cell (ids 7 and 8): the file lists each copy, so that state=exact keeps them all",
        "rows with ids 7, 8 share the key asset=LAP-1: so this file has no key, and state=exact keeps these rows"
        " exactly as they are. Fix them in Jira (tge_grid_sync clear_duplicates removes copies) and export again"
        " to get key: [asset]",
    ]
    assert applies_unchanged(rows, export, issue)
    # With the key the file would not even plan: two desired rows with one key.
    with pytest.raises(GridRowsError, match="same key"):
        plan_rows(rows, issue["rows"], ["asset"], "exact")


def test_rows_sharing_a_key_but_not_equal_also_drop_the_key():
    rows = [row(1, asset="A", qty=1), row(2, asset="A", qty=2)]
    export, issue = one_issue(rows, key=["asset"])
    assert "key" not in issue and issue["warnings"][0].startswith("rows with ids 1, 2 share the key asset=A:")
    assert applies_unchanged(rows, export, issue)


def test_a_row_without_a_key_value_drops_the_key():
    rows = [row(1, task="Label", hours=1), row(2, hours=0.25)]
    export, issue = one_issue(rows, key=["task"])
    assert "key" not in issue
    assert issue["warnings"] == [
        "row id 2 has no value for key column(s) task: so this file has no key, and state=exact keeps these rows"
        " exactly as they are. Fix them in Jira and export again to get key: [task]"
    ]
    assert issue["rows"] == [{"hours": 0.25}, {"task": "Label", "hours": 1}]
    assert applies_unchanged(rows, export, issue)


def test_an_empty_row_names_one_column_empty_so_that_exact_keeps_it():
    rows = [row(1, asset="A"), row(2)]
    export, issue = one_issue(rows)
    assert issue["rows"] == [{"asset": None}, {"asset": "A"}]
    assert issue["warnings"] == [
        "row id 2 has no value in any column: written as {asset: null} so that state=exact keeps it"
    ]
    assert applies_unchanged(rows, export, issue)


def test_many_problems_are_counted_not_all_listed():
    rows = [row(i, hours=i) for i in range(1, 9)]
    _export, issue = one_issue(rows + [row(20, task="x")], key=["task"])
    assert issue["warnings"][0].startswith("row id 1 has no value for key column(s) task; row id 2 ")
    assert "(and 3 more): so this file has no key" in issue["warnings"][0]


# --- a grid of several issues ------------------------------------------------------------------------------------


def test_columns_are_learnt_from_every_issue_and_declared_for_each():
    export = declare_grid([("OPS-1", [row(1, asset="A")]), ("OPS-2", [row(2, asset="B", qty=3)])], key=["asset"])
    assert export["columns"] == {"asset": "string", "qty": "number"}
    assert [i["rows"] for i in export["issues"]] == [[{"asset": "A"}], [{"asset": "B", "qty": 3}]]
    assert all(i["key"] == ["asset"] for i in export["issues"])


def test_declared_types_win_and_are_kept_when_no_row_shows_the_column():
    export = declare_grid([("OPS-1", [row(1, asset="A", qty=1)])], {"qty": "integer", "due": "date"})
    assert export["columns"] == {"asset": "string", "due": "date", "qty": "integer"}


def test_a_key_column_no_row_holds_is_an_error():
    with pytest.raises(GridRowsError, match=r"key column\(s\) assett hold no value in any row .*: asset, qty"):
        declare_grid([("OPS-1", [row(1, asset="A", qty=1)])], key=["assett"])
    assert declare_grid([("OPS-1", [])], key=["asset"])["issues"] == [{"rows": [], "warnings": [], "key": ["asset"]}]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"column_types": {"dob": "day"}}, "column 'dob': unknown type 'day'"),
        ({"key": ["a", "a"]}, "key names a column twice: a, a"),
        ({"key": [""]}, "key must be a list of column names"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(GridRowsError, match=message):
        check_declaration(**options)


def test_good_options_give_the_timezone():
    assert check_declaration({"dob": "date"}, ["name"], "Europe/Berlin") == BERLIN


# --- the round trip: export, then plan the file -> nothing to do ------------------------------------------------
#
# Random grids of every column type, kept by the emulator's column rules (test_grid_plan's StoredGrid, whose
# values come in every form a user may write), read back in the shapes servers use, exported in a random
# timezone, written to YAML and read back as a file is: the plan of the file with state=exact is empty.

LEVELS = [{"name": "High", "value": "H"}, {"name": "Low", "value": "L"}]
META = ("id", "issueId", "modified")
TIMEZONES = ["UTC", "Europe/Berlin", "+05:30", "-03:00", "America/New_York"]


def _every_type():
    from jira_emulator.columns import Column

    columns = _columns()
    columns["level"] = Column("level", "radio", options=LEVELS)
    columns["owner"] = Column("owner", "userlist")
    return columns


class EveryTypeGrid(StoredGrid):
    """StoredGrid with a column of every TGE type (StoredGrid's own __init__ sets its columns; this keeps ours)."""

    EVERY_TYPE = None

    @property
    def columns(self):
        if EveryTypeGrid.EVERY_TYPE is None:
            EveryTypeGrid.EVERY_TYPE = _every_type()
        return EveryTypeGrid.EVERY_TYPE

    @columns.setter
    def columns(self, _value):
        pass


def _shaped(rows, option_shape, numbers_as_floats):
    """Rows as a server may read them: options as {name, value}, {value} or {name}; numbers as 2.0."""
    out = []
    for read in rows:
        cells = {}
        for column, value in read.items():
            if isinstance(value, dict) and option_shape != "both":
                value = {option_shape: value[option_shape]}
            elif numbers_as_floats and isinstance(value, int) and not isinstance(value, bool) and column not in META:
                value = float(value)
            cells[column] = value
        out.append(cells)
    return out


def _local_midnight(day, tz):
    """A day drawn as ("local", date): epoch ms of its midnight in ``tz``, as a Jira in that timezone keeps it."""
    if isinstance(day, tuple):
        return ms(datetime.datetime(day[1].year, day[1].month, day[1].day, tzinfo=tz))
    return day


def test_an_export_applies_back_unchanged_whatever_the_grid():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    forms = _forms()
    local_days = st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31))
    cells = dict(forms)
    cells["level"] = st.sampled_from(["H", "Low", {"name": "High", "value": "H"}])
    cells["owner"] = st.sampled_from(["alice", "bob", "carol"])
    cells["day"] = st.one_of(forms["day"], local_days.map(lambda d: ("local", d)))  # midnight in the export's tz
    optional = dict((c, st.one_of(st.none(), st.just(""), s)) for c, s in cells.items())
    rows = st.lists(
        st.fixed_dictionaries({"asset": st.sampled_from(["A1", "A2", "A3"])}, optional=optional), max_size=7
    )

    # Derandomized, as the planner's round trip: the same cases each run, no example database.
    @settings(
        max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        written=rows,
        zone=st.sampled_from(TIMEZONES),
        declared=st.sampled_from([DECLARED, {}, {"day": "date", "at": "datetime", "where": "radio", "qty": "integer"}]),
        key=st.sampled_from([None, ["asset"], ["asset", "where"]]),
        option_shape=st.sampled_from(["both", "value", "name"]),
        numbers_as_floats=st.booleans(),
    )
    def check(written, zone, declared, key, option_shape, numbers_as_floats):
        tz = tzinfo_for(zone)
        written = [dict(cells, day=_local_midnight(cells.get("day"), tz)) for cells in written]
        current = _shaped(EveryTypeGrid(written).read(), option_shape, numbers_as_floats)

        known = set(declared).union(*[set(r) for r in current])
        if current and not known.issuperset(key or []):  # a key column no row holds nor column_types declares
            with pytest.raises(GridRowsError, match="hold no value in any row"):
                declare_grid([("OPS-1", current)], declared, key, tz)
            return
        export = declare_grid([("OPS-1", current)], declared, key, tz)
        issue = export["issues"][0]
        text = yaml.safe_dump({"columns": export["columns"], "rows": issue["rows"]}, sort_keys=False)
        file = yaml.safe_load(text)

        norm = Normaliser.learn(current, file["columns"], tz)
        plan = plan_rows(current, file["rows"], issue.get("key"), "exact", norm)
        assert not plan.changed, (text, plan.add, plan.update, plan.remove)
        assert len(file["rows"]) == len(current)
        assert all(c not in r for r in file["rows"] for c in ("id", "issueId", "modified"))
        if declared.get("day") == "date":  # every day that is a whole day in the timezone is written as one
            whole_days = [r["day"] for r in current if "day" in r and date_text(r["day"], tz)]
            assert len([r for r in file["rows"] if isinstance(r.get("day"), str)]) == len(whole_days)

    check()
