# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rows as a user declares them for tge_grid_rows, from rows as TGE returns them (``as_declared``).

Pure functions over plain data; no I/O and no Ansible.

The guarantee: applying what this returns with ``state: exact`` changes nothing. Each cell
is written in the user's form (an option by value, a date as ``YYYY-MM-DD``, a datetime as
ISO 8601 with the offset of ``timezone``, a checkbox as a boolean, an integral number as an
integer), and kept only if ``grid_values.Normaliser`` -- learnt as the apply will learn it,
from the issue's rows and the file's ``columns`` -- compares it equal to the stored value.
Otherwise the cell is written as Jira holds it, with a warning.

TGE has no schema, and dates read back as epoch milliseconds like any number: only the
declared ``column_types`` say that a column holds dates or datetimes. Without them, such a
column is a ``number`` column, its values are written as numbers, and they still apply back
unchanged.
"""

from __future__ import annotations

import datetime
import json

from ansible_collections.jira.addons.plugins.module_utils.grid_plan import validate_key
from ansible_collections.jira.addons.plugins.module_utils.grid_values import (
    EPOCH,
    ROW_META,
    GridRowsError,
    Normaliser,
    is_empty,
    tzinfo_for,
)
from ansible_collections.jira.addons.plugins.module_utils.results import in_id_order

# The type a grid file declares for a kind learnt from the rows (list and radio compare
# alike, as do number and integer, so the learnt type is the general one).
LEARNT_TYPES = {"option": "list", "checkbox": "checkbox", "numeric": "number", "string": "string"}
# An integral float below this is written as an integer; above it a float holds no exact integer.
_EXACT_INTEGERS = 2**53
# Numbers this large, in whole seconds, look like dates as epoch milliseconds (1970-04-26..2286).
_EPOCH_MS_RANGE = (10**10, 10**13)


def check_declaration(column_types=None, key=None, timezone="UTC"):
    """Refuse bad ``as_declared`` options (before any request); return the tzinfo of ``timezone``."""
    Normaliser.learn([], column_types or {})  # an unknown column type is a GridRowsError
    validate_key(key)
    return tzinfo_for(timezone)


def declare_grid(issues, column_types=None, key=None, tz=None):
    """The rows of each issue as a user declares them, and the column types a grid file declares.

    ``issues`` is ``[(label, rows)]``, rows as TGE returns them; every issue's rows teach the
    column kinds, and ``column_types`` wins. Returns ``{"columns", "issues", "warnings"}``:
    ``issues`` holds, in the same order, ``{"rows", "warnings"}`` plus ``"key"`` when every row
    has a distinct key; ``warnings`` are about the grid as a whole.
    """
    tz = tz or datetime.timezone.utc
    declared = dict(column_types or {})
    key = list(key or [])
    every_row = [row for _label, rows in issues for row in rows]
    learnt = Normaliser.learn(every_row, declared, tz)
    columns = file_columns(learnt, declared, key)
    unknown = [column for column in key if column not in columns]
    if unknown and every_row:
        raise GridRowsError(
            "key column(s) %s hold no value in any row of the grid; its columns are: %s"
            % (", ".join(unknown), ", ".join(columns) or "none")
        )
    return {
        "columns": columns,
        "issues": [declare_rows(rows, columns, key, tz) for _label, rows in issues],
        "warnings": _date_hints(learnt, every_row, declared),
    }


def file_columns(normaliser, declared, key=()):
    """``{column: type}`` for a grid file: declared types as given, learnt kinds as their general type.

    Key columns first, then the others by name, so that a re-export never reorders them.
    """
    types = dict((column, LEARNT_TYPES[kind]) for column, kind in normaliser.kinds.items() if kind in LEARNT_TYPES)
    types.update(declared)
    order = [column for column in key if column in types] + sorted(c for c in types if c not in key)
    return dict((column, types[column]) for column in order)


def declare_rows(rows, columns, key=(), tz=None):
    """One issue's rows as declared: ``{"rows", "warnings"}``, and ``"key"`` when the rows allow it.

    ``columns`` is the grid file's ``{column: type}``; the normaliser is learnt from these
    rows and ``columns``, as the apply of the file learns it.
    """
    tz = tz or datetime.timezone.utc
    key = list(key)
    norm = Normaliser.learn(rows, columns, tz)
    order = list(columns)
    kept = {}  # column -> number of values written as Jira holds them
    entries = []  # (row as read, row as declared)
    for row in in_id_order(rows):
        extra = sorted(c for c in row if c not in ROW_META and c not in columns)
        out = {}
        for column in order + extra:
            value = row.get(column)
            if column in ROW_META or is_empty(value):
                continue
            written = declared_value(norm, columns.get(column), column, value, tz)
            if written is None or norm.canonical(column, written) != norm.canonical(column, value):
                written = value  # as Jira holds it: equal by definition
                kept[column] = kept.get(column, 0) + 1
            out[column] = written
        entries.append((row, out))

    warnings = [_kept_warning(column, columns.get(column), count, tz) for column, count in sorted(kept.items())]
    for row, out in entries:
        if not out:
            _declare_empty_row(row, out, key, order, warnings)
    entries.sort(key=lambda entry: _sort_key(entry[1], key, order))
    declared = [out for _row, out in entries if out]
    duplicates = _duplicates(entries)
    if duplicates:
        warnings.append(
            "rows equal in every cell (ids %s): the file lists each copy, so that state=exact keeps them all"
            % _some(duplicates)
        )
    key_problems = _key_problems(entries, key, norm)
    result = {"rows": declared, "warnings": warnings}
    if key and not key_problems:
        result["key"] = key
    elif key:
        warnings.append(
            "%s: so this file has no key, and state=exact keeps these rows exactly as they are. Fix them in Jira%s"
            " and export again to get key: [%s]"
            % (
                _some(key_problems, "; "),
                " (tge_grid_sync clear_duplicates removes copies)" if duplicates else "",
                ", ".join(key),
            )
        )
    return result


def declared_value(norm, column_type, column, value, tz):
    """The form a user writes ``value`` (non-empty, as TGE returns it) in; None when there is none.

    The caller checks that the form reads back equal to ``value``.
    """
    kind = norm.kinds.get(column)
    if kind == "option":
        if isinstance(value, dict):
            return value.get("name") if is_empty(value.get("value")) else value.get("value")
        return value
    canonical = norm.canonical(column, value)
    if kind == "checkbox":
        return canonical if isinstance(canonical, bool) else None
    if kind in ("numeric", "date"):
        if not _is_number(canonical):
            return None
        if column_type == "date":
            return date_text(canonical, tz)
        if column_type == "datetime":
            return datetime_text(canonical, tz)
        if isinstance(canonical, float) and canonical.is_integer() and abs(canonical) < _EXACT_INTEGERS:
            return int(canonical)
        return canonical
    return value


def date_text(ms, tz):
    """``YYYY-MM-DD`` of epoch milliseconds that fall on midnight in ``tz``; None otherwise."""
    moment = _moment(ms, tz)
    if moment is None or moment.time() != datetime.time():
        return None
    return moment.date().isoformat()


def datetime_text(ms, tz):
    """ISO 8601 of epoch milliseconds with the offset of ``tz`` (``Z`` for none), to the millisecond."""
    moment = _moment(ms, tz)
    if moment is None:
        return None
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _moment(ms, tz):
    try:
        return (EPOCH + datetime.timedelta(milliseconds=ms)).astimezone(tz)
    except (OverflowError, ValueError):
        return None  # beyond the years datetime can hold: written as the number


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _sort_key(row, key, order):
    """Rows by key when given, then by every column in the file's order: a stable order whatever the row ids."""
    return tuple(_sortable(row.get(column)) for column in list(key) + order) + (_sortable(json.dumps(row)),)


def _sortable(value):
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if _is_number(value):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    return (4, json.dumps(value, sort_keys=True, default=str))


def _declare_empty_row(row, out, key, order, warnings):
    # An empty row cannot be declared, and state=exact would remove it: name one column, empty.
    columns = list(key) + order
    if columns:
        out[columns[0]] = None
        warnings.append(
            "row id %s has no value in any column: written as {%s: null} so that state=exact keeps it"
            % (row.get("id"), columns[0])
        )
    else:
        warnings.append("row id %s has no value in any column and the grid shows no column to name" % row.get("id"))


def _duplicates(entries):
    """Groups of row ids that are equal in every declared cell, as ``"7 and 8"``."""
    groups = {}
    for row, out in entries:
        if out:
            groups.setdefault(json.dumps(out, sort_keys=True, default=str), []).append(str(row.get("id")))
    return [" and ".join(ids) for ids in groups.values() if len(ids) > 1]


def _some(items, separator=", ", limit=5):
    """The first ``limit`` items joined, and how many more there are."""
    text = separator.join(items[:limit])
    return text + (" (and %d more)" % (len(items) - limit) if len(items) > limit else "")


def _key_problems(entries, key, norm):
    """Why ``key`` cannot identify these rows: rows without a key value, rows sharing a key."""
    if not key:
        return []
    problems = []
    signature = norm.signature_of(key)
    by_key = {}
    for row, out in entries:
        missing = [column for column in key if is_empty(out.get(column))]
        if missing:
            problems.append("row id %s has no value for key column(s) %s" % (row.get("id"), ", ".join(missing)))
            continue
        by_key.setdefault(signature(out), []).append((row, out))
    for rows in by_key.values():
        if len(rows) > 1:
            problems.append(
                "rows with ids %s share the key %s"
                % (", ".join(str(row.get("id")) for row, _out in rows), _key_text(rows[0][1], key))
            )
    return problems


def _key_text(row, key):
    return ", ".join("%s=%s" % (column, row.get(column)) for column in key)


def _kept_warning(column, column_type, count, tz):
    if column_type == "date":
        why = "are not at midnight in timezone %s (is it the one Jira keeps dates in?)" % _tz_name(tz)
    elif column_type == "datetime":
        why = "cannot be written as ISO datetimes that read back the same"
    else:
        why = "would not read back the same in the form a user writes"
    return "column %s: %d value(s) %s; written as Jira holds them, so that they apply back unchanged" % (
        column,
        count,
        why,
    )


def _tz_name(tz):
    return getattr(tz, "key", None) or str(tz)


def _date_hints(norm, rows, declared):
    """Warnings for number columns whose every value looks like a date in epoch milliseconds."""
    hints = []
    low, high = _EPOCH_MS_RANGE
    for column in sorted(norm.kinds):
        if norm.kinds[column] != "numeric" or column in declared:
            continue
        values = [norm.canonical(column, row.get(column)) for row in rows if not is_empty(row.get(column))]
        numbers = [v for v in values if _is_number(v)]
        if numbers and len(numbers) == len(values) and all(low <= abs(v) <= high and v % 1000 == 0 for v in numbers):
            hints.append(
                "column %s holds numbers that look like dates in epoch milliseconds: they are written as numbers"
                " (which apply back unchanged); if it is a date or datetime column, say so in column_types"
                " (%s: date) to write them as dates" % (column, column)
            )
    return hints
