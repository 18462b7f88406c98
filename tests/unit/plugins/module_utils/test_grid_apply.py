# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apply layer's unknown-outcome path: a write that may or may not have landed is never re-sent blindly."""

from __future__ import annotations

import pytest

from ansible_collections.jira.addons.plugins.module_utils.errors import JiraApiError, OutcomeUnknownError
from ansible_collections.jira.addons.plugins.module_utils.grid_apply import GridWriteError, reconcile_rows
from ansible_collections.jira.addons.plugins.module_utils.grid_values import GridRowsError

GRID, ISSUE = 10301, 10001


class FakeTge:
    """A grid held in memory, with TGE's three write calls; ``faults`` says which call fails and how.

    ``faults[method] = "after"``: the write is applied, then the answer is lost (OutcomeUnknownError).
    ``faults[method] = "before"``: the connection drops before the server acts on it.
    Each fault fires once.
    """

    def __init__(self, rows, faults=None):
        self.rows = [dict(r) for r in rows]
        self.next_id = max([r["id"] for r in rows] + [0]) + 1
        self.faults = dict(faults or {})
        self.calls = []

    def read_rows(self, grid_id, issue_id, columns=None):
        self.calls.append("read")
        return [dict(r, issueId=issue_id, modified=1) for r in self.rows]

    def sample_rows(self, grid_id, columns):
        self.calls.append("sample")
        return []

    def _fault(self, method, apply):
        when = self.faults.pop(method, None)
        if when == "before":
            raise OutcomeUnknownError(method, "/grid", reason="connection dropped")
        result = apply()
        if when == "after":
            raise OutcomeUnknownError(method, "/grid", reason="read timed out")
        return result

    def add_rows(self, grid_id, issue_id, rows):
        self.calls.append("add")

        def apply():
            ids = []
            for row in rows:
                self.rows.append(dict(row, id=self.next_id))
                ids.append(self.next_id)
                self.next_id += 1
            return ids

        return self._fault("POST", apply)

    def edit_rows(self, grid_id, issue_id, updates):
        self.calls.append("edit")

        def apply():
            by_id = {u["rowId"]: u["values"] for u in updates}
            for row in self.rows:
                row.update(by_id.get(row["id"], {}))

        return self._fault("PUT", apply)

    def remove_rows(self, grid_id, issue_id, row_ids):
        self.calls.append("remove")

        def apply():
            gone = set(row_ids)
            self.rows = [r for r in self.rows if r["id"] not in gone]

        return self._fault("DELETE", apply)

    def cells(self):
        return sorted(tuple(sorted((k, v) for k, v in r.items() if k != "id")) for r in self.rows)


class FakeClock:
    """Time that passes only when the module sleeps."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def reconcile(tge, desired, clock=None, **kwargs):
    clock = clock or FakeClock()
    kwargs.setdefault("settle_timeout", 3.0)
    return reconcile_rows(tge, GRID, ISSUE, desired, sleep=clock.sleep, clock=clock, **kwargs)


CURRENT = [{"id": 1, "name": "brad", "age": 50}, {"id": 2, "name": "old", "age": 1}]
DESIRED = [{"name": "brad", "age": 51}, {"name": "new", "age": 3}]
WANTED = sorted(tuple(sorted(r.items())) for r in DESIRED)

# Each case changes the grid with all three writes (add "new", edit brad, remove "old").
CASES = [(method, when) for method in ("POST", "PUT", "DELETE") for when in ("after", "before")]


@pytest.mark.parametrize(("method", "when"), CASES, ids=["%s-%s" % c for c in CASES])
def test_an_unknown_outcome_is_read_back_and_only_what_is_missing_is_sent(method, when):
    tge = FakeTge(CURRENT, {method: when})
    clock = FakeClock()
    result = reconcile(tge, DESIRED, clock, key=["name"], state="exact")
    # The grid ends exactly as desired: no row added twice, none lost.
    assert tge.cells() == WANTED
    assert [r["name"] for r in tge.rows].count("new") == 1
    write = {"POST": "add", "PUT": "edit", "DELETE": "remove"}[method]
    if when == "after":
        # It landed: one look shows it, nothing is sent twice and nothing waits.
        assert tge.calls.count("read") == 2
        assert tge.calls.count(write) == 1
        assert clock.slept == []
    else:
        # It never landed: the module waits the whole bound before it sends it again, then verifies.
        assert tge.calls.count(write) == 2
        assert sum(clock.slept) == pytest.approx(3.0)
        assert tge.calls[-1] == "read" or tge.calls[-2:] == ["read", "remove"]
    # The result says what the grid holds and what changed, whichever way the fault went.
    assert result["changed"] is True
    assert sorted(r["name"] for r in result["rows"]) == ["brad", "new"]
    assert [r["name"] for r in result["added"]] == ["new"]
    assert [r["name"] for r in result["removed"]] == ["old"]
    assert [u["values"] for u in result["updated"]] == [{"age": 51}]


def test_an_unknown_outcome_that_keeps_happening_fails_saying_what_the_grid_holds():
    tge = FakeTge(CURRENT)

    def always_lost(grid_id, issue_id, rows):
        tge.calls.append("add")
        raise OutcomeUnknownError("POST", "/grid", reason="read timed out")

    tge.add_rows = always_lost
    with pytest.raises(GridWriteError) as info:
        reconcile(tge, [{"name": "new"}], key=["name"], max_rounds=3)
    assert "did not settle after 3 rounds" in str(info.value)
    assert tge.calls.count("add") == 3
    assert sorted(r["name"] for r in info.value.result["rows"]) == ["brad", "old"]


def test_a_refused_write_after_an_applied_one_reports_the_applied_one():
    tge = FakeTge(CURRENT)

    def refused(grid_id, issue_id, updates):
        raise JiraApiError("PUT", "/grid", 400, "bad value")

    tge.edit_rows = refused
    with pytest.raises(GridWriteError) as info:
        reconcile(tge, DESIRED, key=["name"], state="exact")
    err = info.value
    assert err.api_error.status == 400
    assert "already applied: 1 row(s) added" in str(err)
    assert [r["name"] for r in err.result["added"]] == ["new"]
    assert err.result["removed"] == [] and err.result["updated"] == []
    # The DELETE after the failed PUT was never sent.
    assert "remove" not in tge.calls


def test_check_mode_sends_only_the_read():
    tge = FakeTge(CURRENT)
    result = reconcile(tge, DESIRED, key=["name"], state="exact", check_mode=True)
    assert tge.calls == ["read"]
    assert result["changed"] is True and [r["id"] for r in result["added"]] == [None]
    assert tge.cells() == sorted(tuple(sorted((k, v) for k, v in r.items() if k != "id")) for r in CURRENT)


class LateTge(FakeTge):
    """The first POST times out and lands later: after ``land_after`` seconds, or at the first read after a re-send."""

    def __init__(self, rows, clock, land_after=None):
        super().__init__(rows)
        self.clock = clock
        self.land_after = land_after
        self.in_flight = None
        self.adds = 0

    def read_rows(self, grid_id, issue_id, columns=None):
        due = self.land_after is not None and self.clock() >= self.land_after
        if self.in_flight is not None and (due or (self.land_after is None and self.adds > 1)):
            rows, self.in_flight = self.in_flight, None
            FakeTge.add_rows(self, grid_id, issue_id, rows)
            self.calls.pop()  # the late landing is not a call of the module
        return super().read_rows(grid_id, issue_id, columns)

    def add_rows(self, grid_id, issue_id, rows):
        self.adds += 1
        if self.adds == 1:
            self.calls.append("add")
            self.in_flight = rows
            raise OutcomeUnknownError("POST", "/grid", reason="read timed out")
        return super().add_rows(grid_id, issue_id, rows)


NEW = [{"name": "shiloh"}, {"name": "knox"}]


def test_a_write_that_lands_within_the_bound_is_waited_for_and_not_sent_again():
    clock = FakeClock()
    tge = LateTge([{"id": 1, "name": "brad"}], clock, land_after=2.0)
    result = reconcile(tge, NEW, clock, key=["name"], settle_timeout=3.0)
    assert tge.calls.count("add") == 1
    assert sorted(r["name"] for r in tge.rows) == ["brad", "knox", "shiloh"]
    assert sorted(r["name"] for r in result["added"]) == ["knox", "shiloh"]
    assert len(result["rows"]) == 3 and 2.0 <= clock.now <= 3.0


def test_copies_a_late_write_adds_after_the_bound_are_found_and_removed():
    clock = FakeClock()
    tge = LateTge([{"id": 1, "name": "brad"}], clock)  # lands only once the module has sent it again
    result = reconcile(tge, NEW, clock, key=["name"], settle_timeout=3.0)
    assert tge.calls.count("add") == 2 and "remove" in tge.calls
    assert sorted(r["name"] for r in tge.rows) == ["brad", "knox", "shiloh"]
    # The result says what the grid holds at the end, and counts each row added once.
    assert sorted(r["name"] for r in result["rows"]) == ["brad", "knox", "shiloh"]
    assert sorted(r["name"] for r in result["added"]) == ["knox", "shiloh"]
    assert result["removed"] == []


def test_without_faults_nothing_waits_and_nothing_is_read_again():
    clock = FakeClock()
    tge = FakeTge(CURRENT)
    reconcile(tge, DESIRED, clock, key=["name"], state="exact")
    assert tge.calls == ["read", "add", "edit", "remove"]
    assert clock.slept == []


class SampledTge(FakeTge):
    """A grid empty on this issue; other issues hold ``elsewhere`` rows."""

    def __init__(self, rows, elsewhere):
        super().__init__(rows)
        self.elsewhere = elsewhere
        self.sampled = []

    def sample_rows(self, grid_id, columns):
        self.calls.append("sample")
        self.sampled.append(list(columns))
        return [dict((c, v) for c, v in row.items() if c in columns or c == "id") for row in self.elsewhere]


MAY_1 = 1714521600000
OTHER_ISSUES = [{"id": 90, "name": "brad", "dob": -96249600000, "relation": {"name": "Father", "value": "Dad"}}]


def test_an_empty_grid_learns_the_column_kinds_from_other_issues_in_one_request():
    tge = SampledTge([], OTHER_ISSUES)
    result = reconcile(tge, [{"name": "shiloh", "dob": "2024-05-01", "relation": "Father"}], key=["name"])
    assert tge.calls == ["read", "sample", "add"]
    assert tge.sampled == [["dob", "name", "relation"]]
    # The date went as epoch milliseconds, a number, which TGE requires of a date column.
    assert tge.rows[0]["dob"] == MAY_1 and isinstance(tge.rows[0]["dob"], int)
    assert result["changed"] is True


def test_only_columns_this_issue_does_not_show_or_declare_are_sampled():
    tge = SampledTge([{"id": 1, "name": "brad"}], OTHER_ISSUES)
    reconcile(tge, [{"name": "shiloh", "dob": "2024-05-01"}, {"name": "knox"}], key=["name"], declared={})
    assert tge.sampled == [["dob"]]
    tge = SampledTge([{"id": 1, "name": "brad"}], OTHER_ISSUES)
    reconcile(tge, [{"name": "shiloh", "dob": "2024-05-01"}], key=["name"], declared={"dob": "date"})
    assert tge.calls == ["read", "add"], "a grid whose kinds are all known sends no extra request"


def test_a_column_no_issue_shows_and_columns_does_not_declare_is_refused_before_any_write():
    tge = SampledTge([], [{"id": 90, "name": "brad"}])
    with pytest.raises(GridRowsError) as info:
        reconcile(tge, [{"name": "shiloh", "dob": "2024-05-01"}], key=["name"])
    assert "rows[0].dob is '2024-05-01', a date written as text" in str(info.value)
    assert tge.calls == ["read", "sample"]


class PartialOptionsTge(SampledTge):
    """List cells read back as ``{"value"}`` only; a read that names the column gets the whole option."""

    OPTIONS = {"N": "North", "E": "East"}

    def read_rows(self, grid_id, issue_id, columns=None):
        rows = super().read_rows(grid_id, issue_id, columns)
        return [dict(r, location={"value": r["location"]}) if "location" in r else r for r in rows]

    def sample_rows(self, grid_id, columns):
        self.calls.append("sample")
        self.sampled.append(list(columns))
        return [
            {"id": r["id"], "location": {"value": r["location"], "name": self.OPTIONS[r["location"]]}}
            for r in self.rows
            if "location" in r
        ]


def test_options_written_by_name_match_cells_that_read_back_by_value_only():
    tge = PartialOptionsTge([{"id": 1, "asset": "A", "location": "N"}, {"id": 2, "asset": "B", "location": "E"}], [])
    result = reconcile(tge, [{"asset": "A", "location": "North"}, {"asset": "B", "location": "E"}], key=["asset"])
    assert result["changed"] is False
    assert tge.calls == ["read", "sample"] and tge.sampled == [["location"]]


def test_options_written_by_value_need_no_names():
    tge = PartialOptionsTge([{"id": 1, "asset": "A", "location": "N"}], [])
    result = reconcile(tge, [{"asset": "A", "location": {"value": "N"}}], key=["asset"])
    assert result["changed"] is False and tge.calls == ["read"]


class SlowReadTge(LateTge):
    """Each read takes ``read_seconds``; it shows the grid as it was when the read began."""

    def __init__(self, rows, clock, land_after, read_seconds):
        super().__init__(rows, clock, land_after=land_after)
        self.read_seconds = read_seconds

    def read_rows(self, grid_id, issue_id, columns=None):
        rows = super().read_rows(grid_id, issue_id, columns)
        self.clock.now += self.read_seconds
        return rows


def test_a_slow_read_that_began_before_the_bound_is_not_the_last_word():
    # Reads take 1 s. The POST fails at 1 s (after the first read), so the bound ends at 4 s; the settle reads
    # begin at 1, 2.25 and 3.75 s. The last ends after the bound, showing the grid of 3.75 s, and the write lands
    # at 3.9 s: only a read that begins after the bound may decide to send the rows again.
    clock = FakeClock()
    tge = SlowReadTge([{"id": 1, "name": "brad"}], clock, land_after=3.9, read_seconds=1.0)
    result = reconcile(tge, NEW, clock, key=["name"], settle_timeout=3.0)
    assert tge.calls.count("add") == 1, "the rows were not sent twice"
    assert sorted(r["name"] for r in tge.rows) == ["brad", "knox", "shiloh"]
    assert sorted(r["name"] for r in result["added"]) == ["knox", "shiloh"]


def test_a_last_round_whose_write_landed_after_all_is_a_success():
    # Each of the rounds' adds loses its answer; the last one's write shows when the grid is read again,
    # so the grid is as desired and the run succeeds (it used to fail as "did not settle").
    tge = FakeTge([])
    lost = {"count": 0}

    def lost_answers(grid_id, issue_id, rows):
        lost["count"] += 1
        tge.calls.append("add")
        if lost["count"] == 3:  # the last round's add lands, its answer is lost
            FakeTge.add_rows(tge, grid_id, issue_id, rows)
            tge.calls.pop()
        raise OutcomeUnknownError("POST", "/grid", reason="read timed out")

    tge.add_rows = lost_answers
    result = reconcile(tge, [{"name": "new"}], key=["name"], max_rounds=3)
    assert [r["name"] for r in tge.rows] == ["new"]
    assert result["changed"] is True and [r["name"] for r in result["added"]] == ["new"]
