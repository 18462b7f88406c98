"""TGE write endpoints: add, edit, remove, clear*, reload, with typed validation and all-or-nothing."""

from __future__ import annotations

import pytest

GRID = "/rest/idalko-igrid/1.0/grid"
FAMILY, ASSETS, SANDWICH, STORY_POINTS = 10301, 10302, 10303, 10400
DEMO1, DEMO3, DEMO4, OPS1, HR1 = 10001, 10003, 10004, 10101, 10201
ASSET_ROWS = f"{GRID}/{ASSETS}/issue/{OPS1}"


def rows(client, grid, issue, **params):
    """All rows of a grid on an issue (first page is enough for the small fixtures)."""
    return client.get(f"{GRID}/{grid}/issue/{issue}", params=params).json()["values"]


@pytest.mark.parametrize(
    ("column", "written", "stored"),
    [
        ("asset", "X", "X"),
        ("quantity", 3, 3),
        ("quantity", "3", 3),
        ("quantity", 4.0, 4),
        ("price", 2, 2.0),
        ("price", "2.5", 2.5),
        ("purchased", 1714557600000, 1714557600000),
        ("purchased", "2024-05-01", 1714521600000),
        ("purchased", "2024-05-01T10:00:00Z", 1714557600000),
        ("purchased", "2024-05-01T12:00:00+02:00", 1714557600000),
        ("in_service", True, True),
        ("in_service", "false", False),
        ("owner", "carol", "carol"),
        ("location", "W", {"name": "West", "value": "W"}),
        ("location", "West", {"name": "West", "value": "W"}),
        ("location", {"name": "South", "value": "S"}, {"name": "South", "value": "S"}),
    ],
)
def test_add_accepts_and_normalises_typed_values(admin, column, written, stored):
    row = {"asset": "NEW"} | {column: written}
    response = admin.post(ASSET_ROWS, json={"rows": [row]})
    assert response.status_code == 201
    (new_id,) = response.json()
    added = next(r for r in rows(admin, ASSETS, OPS1) if r["id"] == new_id)
    assert added[column] == stored and type(added[column]) is type(stored)
    assert added["modified"] == 1


def test_date_column_stores_midnight_utc(admin):
    new_id = admin.post(f"{GRID}/{FAMILY}/issue/{DEMO3}", json={"rows": [{"name": "x", "dob": "2024-05-01"}]}).json()[0]
    assert rows(admin, FAMILY, DEMO3)[0] == {
        "id": new_id,
        "issueId": DEMO3,
        "modified": 1,
        "name": "x",
        "dob": 1714521600000,
    }


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("quantity", 2.5),
        ("quantity", "many"),
        ("price", "abc"),
        ("price", True),
        ("purchased", "yesterday"),
        ("in_service", "yes"),
        ("owner", "nobody"),
        ("location", "Up"),
        ("location", {"name": "North", "value": "S"}),
        ("asset", ["a"]),
    ],
)
def test_add_rejects_bad_values_naming_column_and_value(admin, column, value):
    response = admin.post(ASSET_ROWS, json={"rows": [{"asset": "A", column: value}]})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert f"'{column}'" in response.text


def test_add_is_all_or_nothing(admin):
    before = rows(admin, ASSETS, OPS1)
    bad = admin.post(ASSET_ROWS, json={"rows": [{"asset": "ok"}, {"asset": "bad", "quantity": "x"}]})
    assert bad.status_code == 400 and "row 1" in bad.text
    missing = admin.post(ASSET_ROWS, json={"rows": [{"asset": "ok"}, {"quantity": 1}]})
    assert missing.status_code == 400 and "'asset' is required" in missing.text
    unknown = admin.post(ASSET_ROWS, json={"rows": [{"asset": "ok", "colour": "red"}]})
    assert unknown.status_code == 400 and "'colour'" in unknown.text
    assert rows(admin, ASSETS, OPS1) == before


def test_add_returns_increasing_ids(admin):
    response = admin.post(ASSET_ROWS, json={"rows": [{"asset": "a"}, {"asset": "b"}, {"asset": "c"}]})
    ids = response.json()
    assert response.status_code == 201 and ids == sorted(ids) and len(ids) == 3
    assert [r["id"] for r in rows(admin, ASSETS, OPS1)][-3:] == ids


@pytest.mark.parametrize("body", ["not json", '{"rows": 5}', '{"nope": []}', '{"rows": [5]}', "[]"])
def test_add_rejects_malformed_bodies(admin, body):
    response = admin.post(ASSET_ROWS, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_write_permissions_and_context(api):
    assert api("bob").post(f"{GRID}/{FAMILY}/issue/{DEMO1}", json={"rows": [{"name": "x"}]}).status_code == 403
    assert api("carol").post(f"{GRID}/{FAMILY}/issue/{DEMO1}", json={"rows": [{"name": "x"}]}).status_code == 403
    assert api("alice").post(f"{GRID}/{FAMILY}/issue/{DEMO1}", json={"rows": [{"name": "x"}]}).status_code == 201
    assert api("alice").post(f"{GRID}/{FAMILY}/issue/{OPS1}", json={"rows": [{"name": "x"}]}).status_code == 400
    assert api("admin").post(f"{GRID}/{FAMILY}/issue/424242", json={"rows": [{"name": "x"}]}).status_code == 404
    assert api("admin").post(f"{GRID}/{STORY_POINTS}/issue/{DEMO1}", json={"rows": []}).status_code == 400
    assert api("admin").put(f"{GRID}/{FAMILY}/issue/{DEMO1}/clear").status_code == 200
    assert api("bob").put(f"{GRID}/{FAMILY}/issue/{DEMO1}/clearDuplicates").status_code == 403


def test_edit_changes_only_given_columns(admin):
    current = rows(admin, ASSETS, OPS1)
    target = current[0]
    response = admin.put(
        ASSET_ROWS, json={"rows": [{"rowId": target["id"], "values": {"quantity": "7", "price": None}}]}
    )
    assert response.status_code == 200
    after = next(r for r in rows(admin, ASSETS, OPS1) if r["id"] == target["id"])
    assert after["quantity"] == 7 and "price" not in after and after["asset"] == target["asset"]
    assert after["modified"] == 1


def test_edit_is_all_or_nothing_and_reports_codes(admin):
    before = rows(admin, ASSETS, OPS1)
    first, second = before[0]["id"], before[1]["id"]
    bad_value = admin.put(
        ASSET_ROWS,
        json={"rows": [{"rowId": first, "values": {"asset": "Z"}}, {"rowId": second, "values": {"quantity": "x"}}]},
    )
    assert bad_value.status_code == 400
    required = admin.put(ASSET_ROWS, json={"rows": [{"rowId": first, "values": {"asset": ""}}]})
    assert required.status_code == 400 and "'asset'" in required.text
    unknown_column = admin.put(ASSET_ROWS, json={"rows": [{"rowId": first, "values": {"colour": 1}}]})
    assert unknown_column.status_code == 404 and "'colour'" in unknown_column.text
    unknown_row = admin.put(
        ASSET_ROWS,
        json={"rows": [{"rowId": first, "values": {"asset": "Z"}}, {"rowId": 999999, "values": {"asset": "Z"}}]},
    )
    assert unknown_row.status_code == 404 and "999999" in unknown_row.text
    other_issue_row = rows(admin, ASSETS, DEMO4)[0]["id"]
    assert admin.put(ASSET_ROWS, json={"rows": [{"rowId": other_issue_row, "values": {}}]}).status_code == 404
    assert admin.put(ASSET_ROWS, json={"rows": [{"values": {}}]}).status_code == 400
    assert rows(admin, ASSETS, OPS1) == before


def test_remove_rows_by_id_all_and_errors(admin):
    ids = [r["id"] for r in rows(admin, ASSETS, OPS1)]
    unknown = admin.delete(ASSET_ROWS, json={"rows": [ids[0], 999999]})
    assert unknown.status_code == 404
    assert [r["id"] for r in rows(admin, ASSETS, OPS1)] == ids  # nothing removed
    response = admin.delete(ASSET_ROWS, json={"rows": [ids[0]]})
    assert response.status_code == 204 and response.content == b""
    assert [r["id"] for r in rows(admin, ASSETS, OPS1)] == ids[1:]
    assert admin.delete(ASSET_ROWS, json={"rows": "some"}).status_code == 400
    assert admin.delete(ASSET_ROWS, json={"rows": "all"}).status_code == 204
    assert rows(admin, ASSETS, OPS1) == []


def test_clear_duplicates_keeps_lowest_id(admin):
    before = rows(admin, ASSETS, DEMO4)
    assert before[0]["asset"] == before[1]["asset"] == "LAP-001"
    assert admin.put(f"{GRID}/{ASSETS}/issue/{DEMO4}/clearDuplicates").status_code == 200
    after = rows(admin, ASSETS, DEMO4)
    assert [r["id"] for r in after] == [before[0]["id"], before[2]["id"]]


def test_clear_not_modified_and_clear(admin):
    assert admin.put(f"{GRID}/{ASSETS}/issue/{OPS1}/clearNotModified").status_code == 200
    assert [r["asset"] for r in rows(admin, ASSETS, OPS1)] == ["SRV-002"]
    assert admin.put(f"{GRID}/{ASSETS}/issue/{OPS1}/clear").status_code == 200
    assert admin.get(f"{ASSET_ROWS}/rowcount").json() == {"rowCount": 0}
    assert admin.put(f"{GRID}/{ASSETS}/issue/{HR1}/clear").status_code == 400  # outside the context
    assert admin.put(f"{GRID}/{STORY_POINTS}/issue/{OPS1}/clearNotModified").status_code == 400
    assert admin.put(f"{GRID}/99999/issue/{OPS1}/clear").status_code == 404


def test_reload(api):
    admin = api("admin")
    assert admin.post(f"{GRID}/issue/{DEMO1}/reload", json={"gridIds": [FAMILY, ASSETS, SANDWICH]}).status_code == 200
    assert admin.post(f"{GRID}/issue/{OPS1}/reload", json={"gridIds": [FAMILY]}).status_code == 400
    assert admin.post(f"{GRID}/issue/{DEMO1}/reload", json={"gridIds": [STORY_POINTS]}).status_code == 400
    assert admin.post(f"{GRID}/issue/{DEMO1}/reload", json={"gridIds": [99999]}).status_code == 404
    assert admin.post(f"{GRID}/issue/99999/reload", json={"gridIds": [FAMILY]}).status_code == 404
    assert admin.post(f"{GRID}/issue/{DEMO1}/reload", json={"grids": []}).status_code == 400
    assert api("bob").post(f"{GRID}/issue/{DEMO1}/reload", json={"gridIds": [FAMILY]}).status_code == 403
