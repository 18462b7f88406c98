# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dates that do not exist: refused naming the row, the column and the value, before any write."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.jira.addons.plugins.module_utils.grid_plan import plan_rows
from ansible_collections.jira.addons.plugins.module_utils.grid_values import GridRowsError, Normaliser, epoch_ms

# The grid holds a date, so the column is known to hold numbers or dates.
CURRENT = [{"id": 1, "issueId": 10001, "modified": 0, "name": "ava", "dob": 1714521600000.0}]


@pytest.mark.parametrize("value", ["2024-13-45", "2024-02-30", "2024-05-01T25:00:00"])
def test_a_date_that_does_not_exist_is_not_a_date(value):
    assert epoch_ms(value, datetime.UTC) is None


@pytest.mark.parametrize("value", ["2024-13-45", "2024-02-30", "2024-05-01T25:00:00"])
@pytest.mark.parametrize("columns", [None, {"dob": "date"}, {"dob": "datetime"}])
def test_a_date_that_does_not_exist_names_the_row_the_column_and_the_value(value, columns):
    # Before: "month must be in 1..12" from datetime, reported as an unexpected error.
    desired = [{"name": "bo"}, {"name": "cy", "dob": value}]
    with pytest.raises(GridRowsError) as info:
        plan_rows(CURRENT, desired, key=["name"], normaliser=Normaliser.learn(CURRENT, columns))
    assert str(info.value).startswith("rows[1].dob is %r, which is not a valid date or datetime" % value)
    assert str(info.value).endswith("nothing was sent")


def test_a_date_that_does_not_exist_in_a_column_of_unknown_type_is_named_as_such():
    with pytest.raises(GridRowsError, match=r"^rows\[0\]\.dob is '2024-13-45', which is not a valid date"):
        plan_rows([], [{"name": "cy", "dob": "2024-13-45"}], key=["name"])
