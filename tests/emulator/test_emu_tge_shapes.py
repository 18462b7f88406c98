"""TGE shapes of real servers (settings.tge_shapes): partial option cells, dates that must be numbers."""

from __future__ import annotations

import pytest

GRID = "/rest/idalko-igrid/1.0/grid"
FAMILY, DEMO1, DEMO3 = 10301, 10001, 10003


@pytest.fixture
def shaped(emulator_process):
    def apply(**shapes):
        emulator_process.settings(tge_shapes=shapes)

    yield apply
    emulator_process.settings(tge_shapes={})


@pytest.mark.parametrize(("cells", "expected"), [("value", {"value": "Dad"}), ("name", {"name": "Father"})])
def test_option_cells_read_back_partly_unless_the_read_names_the_column(admin, shaped, cells, expected):
    shaped(option_cells=cells)
    plain = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO1}").json()["values"][0]
    assert plain["relation"] == expected
    named = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO1}", params={"columns": "relation"}).json()["values"][0]
    assert named["relation"] == {"name": "Father", "value": "Dad"}
    every = admin.get(f"{GRID}/{FAMILY}/issues", params={"columns": "relation"}).json()["values"][0]["values"][0]
    assert every["relation"] == {"name": "Father", "value": "Dad"}


def test_date_columns_refuse_iso_text_with_tges_message_when_asked(admin, shaped):
    shaped(numbers_only_dates=True)
    refused = admin.post(f"{GRID}/{FAMILY}/issue/{DEMO3}", json={"rows": [{"name": "x", "dob": "2024-05-01"}]})
    assert refused.status_code == 400
    assert "The date and datetime column value has to be a number (milliseconds)" in refused.text
    taken = admin.post(f"{GRID}/{FAMILY}/issue/{DEMO3}", json={"rows": [{"name": "x", "dob": 1714521600000}]})
    assert taken.status_code in (200, 201)
