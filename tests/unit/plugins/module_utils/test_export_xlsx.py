# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime
import zipfile

import pytest

from ansible_collections.jira.addons.plugins.module_utils.export_xlsx import (
    Workbook,
    XlsxError,
    column_index,
    compare_workbooks,
    read_summary,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_xlsx(path, sheets, strings=None, absolute_targets=False, chart_sheet=False):
    """A minimal workbook written by hand: ``sheets`` is ``[(name, sheet XML rows)]``."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            % (PKG, REL),
        )
        entries, rels = [], []
        for number, (name, _rows) in enumerate(sheets, 1):
            entries.append('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (name, number, number))
            target = "/xl/worksheets/sheet%d.xml" % number if absolute_targets else "worksheets/sheet%d.xml" % number
            rels.append('<Relationship Id="rId%d" Type="%s/worksheet" Target="%s"/>' % (number, REL, target))
        if chart_sheet:
            entries.append('<sheet name="Chart" sheetId="99" r:id="rId99"/>')
            rels.append('<Relationship Id="rId99" Type="%s/chartsheet" Target="chartsheets/sheet1.xml"/>' % REL)
        if strings is not None:
            rels.append('<Relationship Id="rIdS" Type="%s/sharedStrings" Target="sharedStrings.xml"/>' % REL)
            z.writestr("xl/sharedStrings.xml", '<sst xmlns="%s">%s</sst>' % (MAIN, "".join(strings)))
        z.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="%s" xmlns:r="%s"><sheets>%s</sheets></workbook>' % (MAIN, REL, "".join(entries)),
        )
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="%s">%s</Relationships>' % (PKG, "".join(rels)))
        for number, (_name, rows) in enumerate(sheets, 1):
            z.writestr(
                "xl/worksheets/sheet%d.xml" % number,
                '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (MAIN, rows),
            )
    return str(path)


STRINGS = [
    "<si><t>issueKey</t></si>",
    "<si><r><t>Rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh><t>IGNORED</t></rPh></si>",
    '<si><t xml:space="preserve"> DEMO-1 </t></si>',
]
ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>10001</v></c><c r="C2" t="n"><v>2.5</v></c>'
    '<c r="D2" t="b"><v>1</v></c><c r="E2" t="inlineStr"><is><t>inline</t></is></c><c r="F2" t="str"><v>=x</v></c>'
    '<c r="G2"/></row>'
    '<row r="3"><c r="A3" s="1"/></row>'
    '<row r="5"><c r="AB5" t="e"><v>#N/A</v></c></row>'
)


def test_column_index():
    assert [column_index(r) for r in ("A1", "Z9", "AA1", "AB7", "ab2", "1A", "")] == [0, 25, 26, 27, 27, None, None]


@pytest.mark.parametrize("absolute", [False, True])
def test_reads_sheet_names_and_every_kind_of_cell(tmp_path, absolute):
    path = write_xlsx(tmp_path / "a.xlsx", [("Responses", ROWS), ("Empty", "")], STRINGS, absolute, chart_sheet=True)
    with Workbook(path) as book:
        assert [name for name, _part in book.sheets] == ["Responses", "Empty"]
        rows = list(book.rows(book.sheets[0][1]))
    assert rows == [
        (1, ["issueKey", None, "Rich text"]),
        (2, [" DEMO-1 ", 10001, 2.5, True, "inline", "=x"]),
        (5, [None] * 27 + ["#N/A"]),
    ]
    assert read_summary(path) == {"Responses": 3, "Empty": 0}


def test_rows_and_cells_without_references_are_numbered_in_order(tmp_path):
    rows = "<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>"
    path = write_xlsx(tmp_path / "a.xlsx", [("S", rows)])
    with Workbook(path) as book:
        assert list(book.rows(book.sheets[0][1])) == [(1, [1, 2]), (2, [3])]


@pytest.mark.parametrize(
    "rows, strings, message",
    [
        ('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', ["<si><t>a</t></si>"], "bad s cell"),
        ('<row r="1"><c r="A1"><v>abc</v></c></row>', None, "bad n cell"),
        ('<row r="x"><c r="A1"><v>1</v></c></row>', None, "bad row number"),
        ('<row r="1"><c r="1A"><v>1</v></c></row>', None, "bad cell reference"),
        ('<row r="1"><c r="A1"><v>1</v></c>', None, "sheet1.xml"),  # broken XML
    ],
)
def test_unreadable_cells_fail_with_the_file_named(tmp_path, rows, strings, message):
    path = write_xlsx(tmp_path / "bad.xlsx", [("S", rows)], strings)
    with pytest.raises(XlsxError, match=message) as info:
        read_summary(path)
    assert info.value.path == path


def test_a_truncated_or_foreign_file_is_not_a_workbook(tmp_path):
    good = write_xlsx(tmp_path / "a.xlsx", [("S", ROWS)], STRINGS)
    data = open(good, "rb").read()
    truncated = tmp_path / "half.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    text = tmp_path / "text.xlsx"
    text.write_text("<html>login</html>")
    no_workbook = tmp_path / "nowb.xlsx"
    with zipfile.ZipFile(no_workbook, "w") as z:
        z.writestr("hello.txt", "x")
    for path in (truncated, text, no_workbook):
        with pytest.raises(XlsxError):
            read_summary(str(path))


def test_equal_cells_compare_equal_even_with_shared_vs_inline_strings(tmp_path):
    shared = write_xlsx(
        tmp_path / "a.xlsx",
        [("R", '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row>')],
        ["<si><t>x</t></si>"],
    )
    inline = write_xlsx(
        tmp_path / "b.xlsx",
        [("R", '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1"><v>1.0</v></c></row>')],
    )
    result = compare_workbooks(shared, inline)
    assert result.equal
    assert result.before == result.after == {"sheets": {"R": {"rows": 1, "changed_rows": {}}}}


def test_differences_show_the_first_differing_rows_on_each_side(tmp_path):
    old_rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
    new_rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>3</v></c></row><row r="4"><c r="A4"><v>4</v></c></row>'
    result = compare_workbooks(
        write_xlsx(tmp_path / "a.xlsx", [("R", old_rows)]), write_xlsx(tmp_path / "b.xlsx", [("R", new_rows)])
    )
    assert not result.equal
    assert result.before == {"sheets": {"R": {"rows": 2, "changed_rows": {"2": [2]}}}}
    assert result.after == {"sheets": {"R": {"rows": 3, "changed_rows": {"2": [3], "4": [4]}}}}


def test_differing_rows_beyond_the_limit_are_counted(tmp_path):
    old = "".join('<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(1, 11))
    new = "".join('<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n + 100) for n in range(1, 11))
    result = compare_workbooks(
        write_xlsx(tmp_path / "a.xlsx", [("R", old)]), write_xlsx(tmp_path / "b.xlsx", [("R", new)]), limit=3
    )
    assert list(result.after["sheets"]["R"]["changed_rows"]) == ["1", "2", "3"]
    assert result.after["sheets"]["R"]["not_shown"] == "7 more differing rows"


def test_sheet_names_and_sheet_count_matter(tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    base = write_xlsx(tmp_path / "a.xlsx", [("R", rows)])
    renamed = write_xlsx(tmp_path / "b.xlsx", [("Other", rows)])
    extra = write_xlsx(tmp_path / "c.xlsx", [("R", rows), ("More", "")])
    assert not compare_workbooks(base, renamed).equal
    more = compare_workbooks(base, extra)
    assert not more.equal and more.after["sheets"]["More"] == {"rows": 0, "changed_rows": {}}


def test_an_unreadable_side_is_named_in_the_error(tmp_path):
    good = write_xlsx(tmp_path / "a.xlsx", [("R", '<row r="1"><c r="A1"><v>1</v></c></row>')])
    bad = write_xlsx(tmp_path / "b.xlsx", [("R", '<row r="1"><c r="A1"><v>x</v></c></row>')])
    with pytest.raises(XlsxError) as info:
        compare_workbooks(good, bad)
    assert info.value.path == bad


def test_workbooks_written_by_openpyxl_twice_compare_equal_though_their_bytes_differ(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")

    def save(path, when, quantity):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Responses"
        sheet.append(["issueKey", "formId", "Quantity", "done"])
        sheet.append(["DEMO-1", 1, quantity, True])
        sheet.append(["DEMO-4", 1, None, False])
        book.properties.created = when
        book.save(path)
        return str(path)

    first = save(tmp_path / "a.xlsx", datetime.datetime(2024, 1, 1), 2)
    second = save(tmp_path / "b.xlsx", datetime.datetime(2025, 6, 1), 2)
    third = save(tmp_path / "c.xlsx", datetime.datetime(2025, 6, 1), 3)
    assert open(first, "rb").read() != open(second, "rb").read()
    assert compare_workbooks(first, second).equal
    assert not compare_workbooks(first, third).equal
    with Workbook(first) as book:
        assert list(book.rows(book.sheets[0][1])) == [
            (1, ["issueKey", "formId", "Quantity", "done"]),
            (2, ["DEMO-1", 1, 2, True]),
            (3, ["DEMO-4", 1, None, False]),
        ]


def test_the_same_sheets_in_new_zip_bytes_are_equal_without_reading_a_cell(tmp_path, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")

    def save(path, when):
        book = openpyxl.Workbook()
        book.active.title = "Responses"
        book.active.append(["DEMO-1", 1, 2.5, True])
        book.properties.created = when
        book.save(path)
        return str(path)

    first = save(tmp_path / "a.xlsx", datetime.datetime(2024, 1, 1))
    second = save(tmp_path / "b.xlsx", datetime.datetime(2025, 6, 1))

    def no_cells(self, part):
        raise AssertionError("cells were read")

    monkeypatch.setattr(Workbook, "rows", no_cells)
    result = compare_workbooks(first, second)
    assert result.equal and result.before is None and result.after is None


def test_a_damaged_member_of_the_new_file_fails_even_when_its_sheets_match(tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    old = write_xlsx(tmp_path / "a.xlsx", [("R", rows)])
    new = write_xlsx(tmp_path / "b.xlsx", [("R", rows)])
    with zipfile.ZipFile(new, "a", compression=zipfile.ZIP_STORED) as z:
        z.writestr("docProps/core.xml", "<coreProperties>created 2026</coreProperties>")
    data = bytearray(open(new, "rb").read())
    at = data.index(b"created 2026")
    data[at : at + 7] = b"CREATED"  # the member's bytes no longer match its CRC
    open(new, "wb").write(bytes(data))
    with pytest.raises(XlsxError, match="docProps/core.xml") as info:
        compare_workbooks(old, new)
    assert info.value.path == new
