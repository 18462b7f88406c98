# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import hashlib
import json

import pytest

from ansible_collections.jira.addons.plugins.module_utils import export_json_stream
from ansible_collections.jira.addons.plugins.module_utils.export_json_diff import (
    JsonDigest,
    ResponseIndex,
    ResponseKeys,
    collect_responses,
    diff_responses,
    diff_summary,
    digest_file,
    summary_header,
)
from ansible_collections.jira.addons.plugins.module_utils.export_json_stream import (
    JsonExportError,
    JsonStreamParser,
    iter_file_events,
)


def response(key, form, **answers):
    return {"issueKey": key, "formId": form, "status": "s", "answers": answers or {"Asset tag": "LAP-%s" % form}}


DOC = {
    "projectKey": "DEMO",
    "templateFormId": 1,
    "responses": [response("DEMO-1", 1), response("DEMO-1", 2, Quantity=12345), response("DEMO-4", 1)],
    "meta": {"note": "x [not an array] {", "n": -1.5e3},
    "tags": [],
}


def events_of(text, size):
    parser = JsonStreamParser()
    events = []
    for start in range(0, len(text), size):
        events += parser.feed(text[start : start + size])
    return events + parser.close()


def rebuild(events):
    """Turn events back into the document they came from."""
    doc = None
    for event in events:
        if event[0] == "array" and event[1] is None:
            doc = []
        elif doc is None:
            doc = {}
        if event[0] == "member":
            doc[event[1]] = event[2]
        elif event[0] == "array" and event[1] is not None:
            doc[event[1]] = []
        elif event[0] == "item":
            (doc if event[1] is None else doc[event[1]]).append(event[2])
    return doc


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100000])
def test_any_chunking_gives_the_document_back(size):
    text = json.dumps(DOC, indent=2)
    assert rebuild(events_of(text, size)) == DOC


@pytest.mark.parametrize("size", [1, 5, 1000])
def test_a_top_level_array_is_streamed_as_items(size):
    items = [response("A-1", 1), 7, "x", None, [1, 2]]
    events = events_of(" \n" + json.dumps(items) + "\n", size)
    assert events[0] == ("array", None)
    assert [e[2] for e in events[1:]] == items


def test_a_number_split_across_chunks_is_not_cut_short():
    parser = JsonStreamParser()
    events = parser.feed('{"n": 12')
    events += parser.feed('345, "t": tr')
    events += parser.feed("ue}")
    events += parser.close()
    assert events == [("member", "n", 12345), ("member", "t", True)]


def test_elements_arrive_as_soon_as_they_are_complete():
    parser = JsonStreamParser()
    assert parser.feed('{"responses": [{"a": 1}, {"b"') == [("array", "responses"), ("item", "responses", {"a": 1})]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        '{"responses": [{"a": 1}, {"b": 2}',  # truncated
        '{"responses": [{"a": 1}, {"b": 2}]',  # missing the closing brace
        '{"a": 1} {"b": 2}',  # extra data
        '{"a": 1,}',
        '{"a" 1}',
        '{"responses": [1 2]}',
        '{"responses": [1,]}',
        "42",
        '"text"',
        "{a: 1}",
        '{"a": tru}',
    ],
)
def test_invalid_documents_are_refused(text):
    with pytest.raises(JsonExportError):
        events_of(text, 3)


def test_the_error_says_where(tmp_path):
    with pytest.raises(JsonExportError, match="at character 9"):
        events_of('{"a": 1, 2}', 4)


def test_a_value_larger_than_a_chunk_is_read_whole_and_not_rescanned_each_time(monkeypatch):
    monkeypatch.setattr(export_json_stream, "CHUNK_SIZE", 100)
    big = {"answers": {"text": "y" * 5000}}
    text = json.dumps({"responses": [big, 1]})
    calls = []
    real = export_json_stream._SCAN

    def counting(text, index):
        calls.append(index)
        return real(text, index)

    monkeypatch.setattr(export_json_stream, "_SCAN", counting)
    events = events_of(text, 10)
    assert [e[2] for e in events if e[0] == "item"] == [big, 1]
    assert 2 <= len(calls) < 40  # doubling: a few retries, not one per 10-character chunk (about 500)


def test_a_single_value_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(export_json_stream, "MAX_PENDING", 1000)
    monkeypatch.setattr(export_json_stream, "CHUNK_SIZE", 100)
    with pytest.raises(JsonExportError, match="larger than"):
        events_of('{"responses": ["' + "z" * 5000, 100)


def test_files_are_read_as_utf8_with_or_without_bom(tmp_path):
    path = tmp_path / "e.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"responses": [{"name": "Jos\u00e9 \u2713"}]}).encode("utf-8"))
    assert list(iter_file_events(str(path), chunk_size=3)) == [
        ("array", "responses"),
        ("item", "responses", {"name": "Jos\u00e9 \u2713"}),
    ]


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "e.json"
    path.write_bytes(b'{"a": "\xff\xfe"}')
    with pytest.raises(JsonExportError, match="UTF-8"):
        list(iter_file_events(str(path)))


def write(tmp_path, name, doc, **dumps):
    path = tmp_path / name
    path.write_text(json.dumps(doc, **dumps), encoding="utf-8")
    return str(path)


def test_equal_data_is_equal_whatever_the_formatting_and_key_order(tmp_path):
    reordered = {key: DOC[key] for key in reversed(list(DOC))}
    reordered["responses"] = [dict(reversed(list(r.items()))) for r in DOC["responses"]]
    one = digest_file(write(tmp_path, "a.json", DOC))
    two = digest_file(write(tmp_path, "b.json", reordered, indent=4, sort_keys=True))
    assert one == two
    assert one.count == 3


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["responses"][1]["answers"].update(Quantity=1),
        lambda d: d["responses"].reverse(),  # order is part of the data
        lambda d: d["responses"].pop(),
        lambda d: d.update(projectKey="OPS"),
        lambda d: d["tags"].append("x"),
        lambda d: d.pop("tags"),
        lambda d: d.update(extra=None),
    ],
)
def test_any_difference_in_the_data_is_a_difference(tmp_path, change):
    changed = json.loads(json.dumps(DOC))
    change(changed)
    assert digest_file(write(tmp_path, "a.json", DOC)) != digest_file(write(tmp_path, "b.json", changed))


def test_response_keys_name_by_issue_and_form_and_stay_unique():
    keys = ResponseKeys()
    names = [keys.next(r) for r in (response("A-1", 1), {"x": 1}, response("A-1", 1), "text", response("A-2", 3))]
    assert names == ["A-1 form 1", "#2", "A-1 form 1 (2)", "#4", "A-2 form 3"]


def index_of(*responses):
    index = ResponseIndex()
    for name, content in responses:
        index.add(name, hashlib.sha1(content).digest())
    return index


def test_diff_responses_finds_added_removed_changed_in_document_order():
    before = index_of(("A-1 form 1", b"1"), ("A-1 form 2", b"2"), ("A-2 form 1", b"3"), ("A-2 form 2", b"4"))
    after = index_of(("A-3 form 1", b"9"), ("A-2 form 2", b"4b"), ("A-1 form 2", b"2b"), ("A-1 form 1", b"1"))
    assert diff_responses(before, after) == {
        "added": [0],
        "removed": [2],
        "changed": [(3, 1), (1, 2)],
        "counts": {"added": 1, "removed": 1, "changed": 2},
    }
    # Only the first `limit` of each kind are listed; the counts stay exact.
    capped = diff_responses(before, after, limit=1)
    assert capped["changed"] == [(3, 1)] and capped["counts"]["changed"] == 2


def test_a_diff_index_costs_16_bytes_a_response():
    index = index_of(*(("DEMO-%d form 1" % n, b"x%d" % n) for n in range(10000)))
    assert len(index) == 10000
    assert index.names.itemsize + index.contents.itemsize == 16
    assert index.find(index.names[1234]) == 1234 and index.find(12345) is None


def digests(tmp_path, old, new):
    old_path, new_path = write(tmp_path, "old.json", old), write(tmp_path, "new.json", new)
    return old_path, new_path, digest_file(old_path, index=True), digest_file(new_path, index=True)


def test_diff_summary_shows_only_what_changed_keyed_by_issue_and_form(tmp_path):
    new = json.loads(json.dumps(DOC))
    new["responses"][1]["answers"]["Quantity"] = 2  # changed
    del new["responses"][2]  # removed
    new["responses"].append(response("DEMO-5", 1))  # added
    new["projectKey"] = "DEMO2"
    old_path, new_path, before, after = digests(tmp_path, DOC, new)
    changes = diff_responses(before.index, after.index)
    old_values = collect_responses(old_path, changes["removed"] + [was for was, _now in changes["changed"]])
    new_values = collect_responses(new_path, changes["added"] + [now for _was, now in changes["changed"]])
    old_side, new_side = diff_summary(before, after, changes, old_values, new_values)
    assert old_side == {
        "total": 3,
        "responses": {"DEMO-4 form 1": DOC["responses"][2], "DEMO-1 form 2": DOC["responses"][1]},
        "document": {"projectKey": "DEMO"},
    }
    assert new_side == {
        "total": 3,
        "responses": {"DEMO-1 form 2": new["responses"][1], "DEMO-5 form 1": new["responses"][2]},
        "document": {"projectKey": "DEMO2"},
    }
    assert summary_header("/x.json", changes) == "/x.json (1 added, 1 changed, 1 removed)"


def test_diff_summary_is_capped_and_says_how_many_are_not_shown(tmp_path):
    old = {"responses": []}
    new = {"responses": [response("A-%d" % n, 1) for n in range(7)]}
    old_path, new_path, before, after = digests(tmp_path, old, new)
    changes = diff_responses(before.index, after.index, limit=3)
    new_values = collect_responses(new_path, changes["added"])
    old_side, new_side = diff_summary(before, after, changes, {}, new_values)
    assert list(new_side["responses"]) == ["A-0 form 1", "A-1 form 1", "A-2 form 1"]
    assert new_side["not_shown"] == "4 more changed responses"
    assert old_side == {"total": 0, "responses": {}}


def test_diff_summary_without_a_previous_file_and_other_arrays(tmp_path):
    old = {"responses": [], "tags": ["a"]}
    new = {"responses": [response("A-1", 1)], "tags": ["a", "b"]}
    _old_path, _new_path, before, after = digests(tmp_path, old, new)
    changes = diff_responses(before.index, after.index)
    old_side, new_side = diff_summary(before, after, changes, {}, {})
    assert old_side["document"] == {"tags": "1 items"} and new_side["document"] == {"tags": "2 items"}
    no_file_old, _new = diff_summary(None, after, changes, {}, {})
    assert no_file_old == {"total": 0, "responses": {}}
    for side in (old_side, new_side, no_file_old):
        assert all(not isinstance(value, list) for value in side.values())


def test_digest_without_index_keeps_no_per_response_data(tmp_path):
    digest = digest_file(write(tmp_path, "a.json", DOC))
    assert digest.index is None and len(JsonDigest(index=True).index) == 0
