"""TGE read endpoints: list, datasource, rowcount, read grid data (per issue and for all issues)."""

from __future__ import annotations

import time

GRID = "/rest/idalko-igrid/1.0/grid"
FAMILY, ASSETS, SANDWICH, STORY_POINTS = 10301, 10302, 10303, 10400
DEMO1, DEMO2, DEMO3, DEMO4, OPS1, HR1 = 10001, 10002, 10003, 10004, 10101, 10201


def test_grid_list_ids_are_strings(admin):
    response = admin.get(f"{GRID}/list")
    assert response.status_code == 200
    assert response.json() == [
        {"id": "10301", "name": "Family List"},
        {"id": "10302", "name": "Asset Inventory"},
        {"id": "10303", "name": "Sandwich Order"},
        {"id": "10304", "name": "Maintenance Log"},
    ]


def test_datasource(admin):
    body = admin.get(f"{GRID}/{FAMILY}/datasource").json()
    assert body["configurationTableName"] == "family"
    assert body["databaseTableName"] == "family_c10301"
    assert body["connectionUrl"].startswith("jdbc:")


def test_custom_field_errors_are_plain_text(admin):
    not_tge = admin.get(f"{GRID}/{STORY_POINTS}/datasource")
    assert not_tge.status_code == 400
    assert not_tge.headers["Content-Type"].startswith("text/plain")
    assert "not a TGE customfield" in not_tge.text
    assert admin.get(f"{GRID}/99999/datasource").status_code == 404
    assert admin.get(f"{GRID}/abc/issue/{DEMO1}").status_code == 404
    assert admin.get(f"{GRID}/{STORY_POINTS}/issue/{DEMO1}").status_code == 400


def test_rowcount_per_issue_and_grid_wide_by_permission(api):
    admin, bob, carol = api("admin"), api("bob"), api("carol")
    assert admin.get(f"{GRID}/{FAMILY}/issue/{DEMO2}/rowcount").json() == {"rowCount": 250}
    assert admin.get(f"{GRID}/{FAMILY}/issue/{DEMO3}/rowcount").json() == {"rowCount": 0}
    assert admin.get(f"{GRID}/{ASSETS}/rowcount").json() == {"rowCount": 6}
    assert bob.get(f"{GRID}/{ASSETS}/rowcount").json() == {"rowCount": 3}  # only DEMO-4 is visible to bob
    assert carol.get(f"{GRID}/{ASSETS}/rowcount").json() == {"rowCount": 0}
    assert carol.get(f"{GRID}/{ASSETS}/issue/{OPS1}/rowcount").status_code == 403
    assert admin.get(f"{GRID}/{ASSETS}/issue/99999/rowcount").status_code == 404
    assert admin.get(f"{GRID}/{STORY_POINTS}/rowcount").status_code == 400
    assert admin.get(f"{GRID}/{FAMILY}/issue/{OPS1}/rowcount").status_code == 400


def test_read_rows_typed_values(admin):
    body = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO1}").json()
    assert (body["startAt"], body["maxResults"], body["total"]) == (0, 50, 3)
    brad = body["values"][0]
    assert brad == {
        "id": brad["id"],
        "issueId": DEMO1,
        "modified": 1,
        "name": "brad",
        "dob": -95904000000,  # 1966-12-18 00:00 UTC in ms
        "gender": {"name": "Male", "value": "M"},
        "relation": {"name": "Father", "value": "Dad"},
        "hobbies": "Likes: Acting, Art, Basketball, Golf",
    }
    assert "hobbies" not in body["values"][1]  # empty cells are left out
    assert body["values"][1]["modified"] == 0
    assets = admin.get(f"{GRID}/{ASSETS}/issue/{OPS1}").json()["values"]
    assert assets[0]["price"] == 4999.5 and assets[0]["quantity"] == 2 and assets[0]["in_service"] is True
    assert assets[0]["purchased"] == 1677663000000 and assets[0]["owner"] == "alice"
    assert isinstance(assets[1]["price"], float)


def test_read_rows_pagination_is_capped(admin):
    first = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO2}", params={"maxResults": 500}).json()
    assert (first["maxResults"], first["total"], len(first["values"])) == (100, 250, 100)
    last = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO2}", params={"startAt": 200, "maxResults": 100}).json()
    assert (last["startAt"], len(last["values"])) == (200, 50)
    ids = [r["id"] for r in first["values"]] + [r["id"] for r in last["values"]]
    assert ids == sorted(ids) and len(set(ids)) == 150
    assert admin.get(f"{GRID}/{FAMILY}/issue/{DEMO2}", params={"startAt": "x"}).status_code == 400
    empty = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO3}").json()
    assert (empty["total"], empty["values"]) == (0, [])


def test_read_rows_columns_and_single_row(admin):
    body = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO1}", params={"columns": "name,relation"}).json()
    assert set(body["values"][0]) == {"id", "issueId", "modified", "name", "relation"}
    bad = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO1}", params={"columns": "name,colour"})
    assert bad.status_code == 400 and "colour" in bad.text
    row_id = body["values"][1]["id"]
    one = admin.get(f"{GRID}/{FAMILY}/issue/{DEMO1}/row/{row_id}").json()
    assert one["total"] == 1 and one["values"][0]["name"] == "angelina"
    assert admin.get(f"{GRID}/{FAMILY}/issue/{DEMO2}/row/{row_id}").status_code == 404
    assert admin.get(f"{GRID}/{FAMILY}/issue/{DEMO1}/").status_code == 200  # trailing slash as documented


def test_read_rows_errors(api):
    admin = api("admin")
    assert admin.get(f"{GRID}/{FAMILY}/issue/DEMO-1").status_code == 404  # ids are numeric
    assert admin.get(f"{GRID}/{FAMILY}/issue/99999").status_code == 404
    context = admin.get(f"{GRID}/{FAMILY}/issue/{OPS1}")
    assert context.status_code == 400 and "context" in context.text
    assert api("carol").get(f"{GRID}/{FAMILY}/issue/{DEMO1}").status_code == 403
    assert api("bob").get(f"{GRID}/{FAMILY}/issue/{DEMO1}").status_code == 200


def test_read_all_issues_pages_over_issues(api):
    admin = api("admin")
    body = admin.get(f"{GRID}/{ASSETS}/issues", params={"maxResults": 1, "columns": "asset"}).json()
    assert (body["total"], body["maxResults"], len(body["values"])) == (2, 1, 1)
    item = body["values"][0]
    assert item["issueId"] == DEMO4 and "issueId" not in item["values"][0]
    assert set(item["values"][0]) == {"id", "modified", "asset"}
    second = admin.get(f"{GRID}/{ASSETS}/issues", params={"startAt": 1}).json()
    assert second["values"][0]["issueId"] == OPS1
    bob = api("bob").get(f"{GRID}/{ASSETS}/issues").json()
    assert [v["issueId"] for v in bob["values"]] == [DEMO4]
    row_id = second["values"][0]["values"][1]["id"]
    only = admin.get(f"{GRID}/{ASSETS}/issues", params={"rowId": row_id}).json()
    assert only["total"] == 1 and [r["id"] for r in only["values"][0]["values"]] == [row_id]
    assert admin.get(f"{GRID}/{ASSETS}/issues", params={"columns": "nope"}).status_code == 400
    assert admin.get(f"{GRID}/99999/issues").status_code == 404
    assert admin.get(f"{GRID}/{STORY_POINTS}/issues").status_code == 400


def test_ten_thousand_row_grid_pages_fast(emulator, admin):
    emulator.load(
        {
            "users": [{"name": "admin", "password": "admin-pass", "sysadmin": True}],
            "projects": [{"key": "BIG", "id": 1}],
            "issues": [{"key": "BIG-1", "id": 2}],
            "grids": [
                {
                    "id": 3,
                    "name": "Big",
                    "columns": [{"name": "a", "type": "string"}, {"name": "b", "type": "number"}],
                    "generate": {"BIG-1": 10000},
                }
            ],
        }
    )
    started = time.monotonic()
    for start in range(0, 10000, 1000):
        page = admin.get(f"{GRID}/3/issue/2", params={"startAt": start + 900, "maxResults": 100}).json()
        assert len(page["values"]) == 100 and page["total"] == 10000
    assert (time.monotonic() - started) / 10 < 0.2
