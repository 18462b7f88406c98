# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""XLSX exports read with the standard library only: sheet names and cell values.

openpyxl is not guaranteed on a managed host, and two exports of the same data
differ in their zip bytes (timestamps), so workbooks are compared by what a
person sees: the sheet names, in order, and the value of every cell. Sheets are
read with ``iterparse`` one row at a time, so memory stays flat whatever the size;
only the shared-string table (deduplicated text) is held in memory. When the
sheets' XML and the shared strings of two workbooks are the same bytes (the usual
case for two exports of unchanged data: only the zip's timestamps and the document
properties differ), their cells are equal without reading them.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from xml.etree import ElementTree

DIFF_LIMIT = 20
_REF = re.compile(r"^([A-Za-z]+)(\d*)$")
OFFICE_DOCUMENT = "/officeDocument"
WORKSHEET = "/worksheet"
SHARED_STRINGS = "/sharedStrings"


class XlsxError(ValueError):
    """A file is not a workbook this reader can read; ``path`` says which file."""

    def __init__(self, path, message):
        super().__init__("%s is not a readable XLSX workbook: %s" % (path, message))
        self.path = path


_LOCAL_NAMES = {}


def _local(tag):
    """The local name of a tag (``{namespace}c`` -> ``c``); cached, as a sheet repeats a few tags a million times."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_LOCAL_NAMES) < 1000:
            _LOCAL_NAMES[tag] = name
    return name


def _text(element):
    """The text of a string item (``si`` or ``is``): plain ``t`` or rich-text runs, without phonetic hints."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            for run_part in child:
                if _local(run_part.tag) == "t":
                    parts.append(run_part.text or "")
    return "".join(parts)


_COLUMNS = {}


def column_index(reference):
    """0-based column of a cell reference (``"A1"`` -> 0, ``"AB7"`` -> 27); None if it is not one."""
    letters = (reference or "").rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is not None:
        return index
    if not _REF.match(reference or ""):
        return None
    index = 0
    for char in letters.upper():
        index = index * 26 + (ord(char) - 64)
    if len(_COLUMNS) < 20000:
        _COLUMNS[letters] = index - 1
    return index - 1


def _number(text):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


class Workbook:
    """One XLSX file opened for reading: ``sheets`` (``[(name, part)]``, in order), ``strings_part``, :meth:`rows`."""

    def __init__(self, path):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as err:
            raise XlsxError(path, str(err)) from None
        try:
            self.sheets, self.strings_part = self._read_workbook()
        except Exception:
            self._zip.close()
            raise
        self._string_table = None

    def close(self):
        """Close the file."""
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _parse(self, part):
        try:
            with self._zip.open(part) as source:
                return ElementTree.parse(source).getroot()
        except KeyError:
            raise XlsxError(self.path, "it has no %s" % part) from None
        except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError) as err:
            raise XlsxError(self.path, "%s: %s" % (part, err)) from None

    def _relations(self, part):
        """``{id: (type, target part)}`` of a part's relationships file, targets resolved to zip names."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        if rels_part not in self._zip.namelist():
            return {}
        relations = {}
        for rel in self._parse(rels_part):
            target = rel.get("Target") or ""
            if rel.get("TargetMode") == "External":
                continue
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            relations[rel.get("Id")] = (rel.get("Type") or "", resolved)
        return relations

    def _read_workbook(self):
        workbook_part = "xl/workbook.xml"
        for rel_type, target in self._relations("").values():
            if rel_type.endswith(OFFICE_DOCUMENT):
                workbook_part = target
        relations = self._relations(workbook_part)
        sheets = []
        for element in self._parse(workbook_part).iter():
            if _local(element.tag) != "sheet":
                continue
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            rel_type, part = relations.get(rel_id, ("", None))
            if part is None or not rel_type.endswith(WORKSHEET):
                continue  # a chart sheet or dialog sheet holds no cells
            sheets.append((element.get("name"), part))
        strings_part = None
        for rel_type, target in relations.values():
            if rel_type.endswith(SHARED_STRINGS):
                strings_part = target
        if strings_part is None and "xl/sharedStrings.xml" in self._zip.namelist():
            strings_part = "xl/sharedStrings.xml"
        return sheets, strings_part

    def _iterparse(self, part):
        try:
            with self._zip.open(part) as source:
                yield from ElementTree.iterparse(source, events=("start", "end"))
        except KeyError:
            raise XlsxError(self.path, "it has no %s" % part) from None
        except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError) as err:
            raise XlsxError(self.path, "%s: %s" % (part, err)) from None

    @property
    def _strings(self):
        """The shared-string table, read when the first cell needs it."""
        if self._string_table is None:
            self._string_table = self._read_strings(self.strings_part) if self.strings_part else []
        return self._string_table

    def content_digests(self):
        """SHA-1 of each sheet's XML, in sheet order, and of the shared strings: equal digests, equal cells.

        Reading a member to its end also checks its CRC, so a damaged member raises XlsxError.
        """
        parts = [part for _name, part in self.sheets] + [self.strings_part]
        return [self._digest(part) if part else None for part in parts]

    def check_members(self, skip=()):
        """Every member other than ``skip`` decompresses to its recorded CRC: the file is complete."""
        for info in self._zip.infolist():
            if info.filename not in skip and not info.is_dir():
                self._digest(info.filename)

    def _digest(self, part):
        digest = hashlib.sha1()
        try:
            with self._zip.open(part) as source:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    digest.update(chunk)
        except KeyError:
            raise XlsxError(self.path, "it has no %s" % part) from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise XlsxError(self.path, "%s: %s" % (part, err)) from None
        return digest.digest()

    def _read_strings(self, part):
        strings = []
        parent = None
        for event, element in self._iterparse(part):
            if event == "start":
                if parent is None:
                    parent = element
                continue
            if _local(element.tag) == "si":
                strings.append(_text(element))
                parent.clear()
        return strings

    def rows(self, part):
        """Yield ``(row_number, values)`` for every row of a sheet that has a value.

        ``values`` is the list of cell values by column (None for an empty cell,
        trailing empty cells dropped): text as str, numbers as int or float,
        booleans as bool, errors and formulas' cached text as str.
        """
        sheet_data = None
        row_number = 0
        for event, element in self._iterparse(part):
            if event == "start":
                if sheet_data is None and _local(element.tag) == "sheetData":
                    sheet_data = element
                continue
            if _local(element.tag) != "row":
                continue
            try:
                row_number = int(element.get("r") or row_number + 1)
            except ValueError:
                raise XlsxError(self.path, "%s: bad row number %r" % (part, element.get("r"))) from None
            values = self._row_values(element, part)
            if sheet_data is not None:
                sheet_data.clear()  # rows already read are not kept
            else:
                element.clear()
            if values:
                yield row_number, values

    def _row_values(self, row, part):
        values = []
        column = -1
        for cell in row:
            if _local(cell.tag) != "c":
                continue
            reference = cell.get("r")
            index = column_index(reference) if reference else column + 1
            if index is None:
                raise XlsxError(self.path, "%s: bad cell reference %r" % (part, reference))
            column = index
            value = self._cell_value(cell, part)
            if value is None:
                continue
            if index >= len(values):
                values.extend([None] * (index + 1 - len(values)))
            values[index] = value
        return values

    def _cell_value(self, cell, part):
        kind = cell.get("t") or "n"
        if kind == "inlineStr":
            for child in cell:
                if _local(child.tag) == "is":
                    return _text(child)
            return None
        raw = None
        for child in cell:
            if _local(child.tag) == "v":
                raw = child.text or ""
        if raw is None:
            return None
        try:
            if kind == "s":
                return self._strings[int(raw)]
            if kind == "b":
                return raw.strip() in ("1", "true")
            if kind in ("str", "e", "d"):
                return raw
            return _number(raw)
        except (ValueError, IndexError):
            raise XlsxError(self.path, "%s: bad %s cell %s: %r" % (part, kind, cell.get("r"), raw)) from None


def check_workbook(path):
    """The workbook at ``path`` opens: its structure parses and every member matches its CRC (no cell is read)."""
    with Workbook(path) as book:
        book.check_members()


def read_summary(path):
    """Read every cell of the workbook at ``path``; return ``{sheet name: row count}``.

    This is the check that a downloaded XLSX file is complete and readable.
    """
    summary = {}
    with Workbook(path) as book:
        for name, part in book.sheets:
            summary[name] = sum(1 for _row in book.rows(part))
    return summary


class WorkbookComparison:
    """The result of :func:`compare_workbooks`: ``equal``, and ``before``/``after`` summaries for a diff."""

    def __init__(self, equal, before, after):
        self.equal = equal
        self.before = before
        self.after = after


def compare_workbooks(before_path, after_path, limit=DIFF_LIMIT):
    """Compare two workbooks by sheet names and cell values, reading both once, side by side.

    Returns a :class:`WorkbookComparison`. When the sheets' XML and shared strings are
    the same bytes, the workbooks are equal without reading a cell (``before`` and
    ``after`` are None then). Otherwise ``before``/``after`` are mappings
    ``{"sheets": {name: {"rows": n, "changed_rows": {"<row number>": values}}}}``
    holding at most ``limit`` differing rows per sheet (rows only in one file
    appear on that side only). Raises XlsxError (with the file's ``path``) if
    either file cannot be read.
    """
    with Workbook(before_path) as old, Workbook(after_path) as new:
        equal = [name for name, _part in old.sheets] == [name for name, _part in new.sheets]
        if equal:
            # The usual nightly case: the same data exported again. ``after_path`` is the new download, so
            # every member of it is still checked (CRC) before it is called equal; its cells are not read.
            new_digests = new.content_digests()
            if new_digests == old.content_digests():
                new.check_members(skip=[part for _name, part in new.sheets] + [new.strings_part])
                return WorkbookComparison(True, None, None)
        before, after = {}, {}
        for position in range(max(len(old.sheets), len(new.sheets))):
            old_sheet = old.sheets[position] if position < len(old.sheets) else None
            new_sheet = new.sheets[position] if position < len(new.sheets) else None
            old_rows = old.rows(old_sheet[1]) if old_sheet else iter(())
            new_rows = new.rows(new_sheet[1]) if new_sheet else iter(())
            old_info, new_info, same = _compare_rows(old_rows, new_rows, limit)
            equal = equal and same
            if old_sheet:
                before[old_sheet[0]] = old_info
            if new_sheet:
                after[new_sheet[0]] = new_info
    return WorkbookComparison(equal, {"sheets": before}, {"sheets": after})


def _compare_rows(old_rows, new_rows, limit):
    """Walk two sheets' rows in row-number order; count rows and keep the first differing ones."""
    old_info = {"rows": 0, "changed_rows": {}}
    new_info = {"rows": 0, "changed_rows": {}}
    differing = 0
    old_row, new_row = next(old_rows, None), next(new_rows, None)
    while old_row is not None or new_row is not None:
        if new_row is None or (old_row is not None and old_row[0] < new_row[0]):
            pair = (old_row, None)
        elif old_row is None or new_row[0] < old_row[0]:
            pair = (None, new_row)
        else:
            pair = (old_row, new_row)
        if pair[0] is not None:
            old_info["rows"] += 1
            old_row = next(old_rows, None)
        if pair[1] is not None:
            new_info["rows"] += 1
            new_row = next(new_rows, None)
        if pair[0] is None or pair[1] is None or pair[0][1] != pair[1][1]:
            differing += 1
            if differing <= limit:
                for side, info in zip(pair, (old_info, new_info)):
                    if side is not None:
                        info["changed_rows"][str(side[0])] = side[1]
    if differing > limit:
        new_info["not_shown"] = "%d more differing rows" % (differing - limit)
    return old_info, new_info, differing == 0
