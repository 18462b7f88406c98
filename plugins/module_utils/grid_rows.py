# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Grid rows as declared state: value normalisation, row matching and the write plan.

Pure functions over plain data (lists of dicts); no I/O and no Ansible, so every
rule here is unit-tested without a server.

Values are compared in a canonical form per column *kind*, so a run is idempotent
whatever form the user wrote a value in and whatever form the server returns:

``option``   list/radio: ``{"name", "value"}`` from the server; the user may give the
             option's value, its name or the object. Canonical: the option value.
``checkbox`` ``true`` / ``"true"`` / ``"yes"``. Canonical: bool.
``numeric``  number, integer, date, datetime: TGE returns numbers (dates as epoch
             milliseconds); the user may write ``"2"``, ``2.0``, ``2024-05-01`` or an
             ISO datetime. Canonical: the number, integers kept exact (dates in epoch
             milliseconds).
``string``   string and userlist. Canonical: str.

Empty is one value: ``None``, ``""`` and a missing cell are equal.
"""

from __future__ import annotations

import datetime
import gc
import math
import re

ROW_META = ("id", "issueId", "modified")
STATES = ("present", "absent", "exact")
# What users may declare in the ``columns`` option, and the kind each compares as.
COLUMN_TYPES = {
    "string": "string",
    "userlist": "string",
    "number": "numeric",
    "integer": "numeric",
    "date": "date",
    "datetime": "numeric",
    "list": "option",
    "radio": "option",
    "checkbox": "checkbox",
}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_TRUE = ("true", "yes", "on", "1", "y")
_FALSE = ("false", "no", "off", "0", "n")
_SCALARS = frozenset((str, int, float, bool, type(None)))
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_OFFSET = re.compile(r"(Z|z|[+-]\d{2}:?\d{2})$")


class GridRowsError(ValueError):
    """The desired rows or options are invalid; raised before any request."""


class RowPlan:
    """What to change so that the grid matches the desired rows.

    ``add``: rows to POST, in wire form. ``update``: ``{"rowId", "values"}`` items to
    PUT, each naming only the columns that differ. ``remove``: row ids to DELETE.
    ``removed_rows``, ``updated_rows`` and ``before``/``after`` are the readable side;
    ``before`` and ``after`` are built only when asked for.
    """

    def __init__(self, add, update, remove, current, updated_rows, removed_rows, merged=None):
        self.add = add
        self.update = update
        self.remove = remove
        self.updated_rows = updated_rows
        self.removed_rows = removed_rows
        self._current = current
        self._merged = merged or {}

    @property
    def before(self):
        """The current rows, readable."""
        return [readable(r) for r in self._current]

    @property
    def after(self):
        """The rows once the plan is applied; rows to add have ``id: None``."""
        gone = set(self.remove)
        after = [self._merged.get(r.get("id")) or readable(r) for r in self._current if r.get("id") not in gone]
        after.extend(dict({"id": None}, **r) for r in self.add)
        return after

    @property
    def changed(self):
        """True when any write is needed."""
        return bool(self.add or self.update or self.remove)


def tzinfo_for(name):
    """A tzinfo for ``UTC``, a fixed offset (``+02:00``) or an IANA name (Python 3.9+)."""
    text = (name or "UTC").strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return datetime.timezone.utc
    match = re.match(r"^(?:UTC)?([+-])(\d{1,2}):?(\d{2})?$", text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        delta = datetime.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        if delta >= datetime.timedelta(hours=24) or int(match.group(3) or 0) >= 60:
            raise GridRowsError("timezone '%s' is not a valid offset; use one under 24 hours, like +02:00" % text)
        return datetime.timezone(sign * delta)
    try:
        from zoneinfo import ZoneInfo  # Python 3.9+

        return ZoneInfo(text)
    except ImportError:
        raise GridRowsError("timezone '%s': only UTC or offsets like +02:00 on Python 3.8" % text) from None
    except Exception:  # zoneinfo raises several types for unknown keys
        raise GridRowsError("unknown timezone '%s' (use an IANA name like Europe/Berlin, or +02:00)" % text) from None


def is_empty(value):
    """None, an empty string and an empty option are all 'no value'."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, dict):
        return is_empty(value.get("value")) and is_empty(value.get("name"))
    return False


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def epoch_ms(value, tz, date_only=False):
    """Epoch milliseconds of an ISO date/datetime string or a date/datetime object; None if it is not one.

    A date, or a datetime without an offset, is read in ``tz``.
    """
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.match(text):
            value = datetime.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
        elif _ISO_DATETIME.match(text):
            text = text.replace(" ", "T", 1)
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            try:
                value = datetime.datetime.fromisoformat(text)
            except ValueError:
                return None
        else:
            return None
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        if date_only:
            moment = datetime.datetime.combine(moment.date(), datetime.time(), tzinfo=moment.tzinfo)
        return float(round((moment - EPOCH).total_seconds() * 1000))
    if isinstance(value, datetime.date):
        moment = datetime.datetime(value.year, value.month, value.day, tzinfo=tz)
        return float(round((moment - EPOCH).total_seconds() * 1000))
    return None


def _number(value):
    """The number ``value`` is or writes (``2``, ``2.5``, ``"2"``, ``" 2.5 "``); None if it is none.

    Integers stay ``int``, so serial numbers beyond 2**53 compare exactly (``2 == 2.0``
    and their hashes are equal, so ints and floats still match each other).
    """
    if _is_number(value):
        if isinstance(value, int):
            return value
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _cached_for_strings(convert):
    """``convert`` with its results for string inputs remembered (grids repeat values a lot)."""
    cache = {}

    def cached(value):
        if not isinstance(value, str):
            return convert(value)
        hit = cache.get(value, cache)
        if hit is cache:
            hit = cache[value] = convert(value)
        return hit

    return cached


class Normaliser:
    """Canonical, hashable forms of cell values, per column.

    ``kinds`` maps column name to kind (see the module docstring); ``options`` maps
    option columns to ``{name: value}`` learnt from the server's rows, so a value
    given by option name matches.
    """

    def __init__(self, kinds=None, options=None, tz=None):
        self.kinds = dict(kinds or {})
        self.options = dict(options or {})
        self.tz = tz or datetime.timezone.utc
        self._converters = {}

    @classmethod
    def learn(cls, rows, declared=None, tz=None):
        """Column kinds and option names from the server's rows; ``declared`` types win."""
        kinds = {}
        options = {}
        # A column's kind is settled by its first value; option columns keep collecting names.
        settled = set(ROW_META)
        for row in rows:
            for column, value in row.items():
                if value is None or column in settled:
                    continue
                if isinstance(value, dict):
                    kinds.setdefault(column, "option")
                    if value.get("name") is not None:
                        options.setdefault(column, {})[value["name"]] = value.get("value")
                    continue
                if isinstance(value, bool):
                    kinds[column] = "checkbox"
                elif _is_number(value):
                    kinds[column] = "numeric"
                elif isinstance(value, str) and value != "":
                    kinds[column] = "string"
                else:
                    continue
                settled.add(column)
        for column, column_type in (declared or {}).items():
            if column_type not in COLUMN_TYPES:
                raise GridRowsError(
                    "column '%s': unknown type '%s'; use one of %s"
                    % (column, column_type, ", ".join(sorted(COLUMN_TYPES)))
                )
            kinds[column] = COLUMN_TYPES[column_type]
        return cls(kinds, options, tz)

    def canonical(self, column, value):
        """The form ``value`` is compared in, for ``column``."""
        if value is None or value == "":
            return None
        return self.converter(column)(value)

    def converter(self, column):
        """The function giving canonical forms of non-empty values of ``column``."""
        convert = self._converters.get(column)
        if convert is None:
            convert = self._converters[column] = self._converter(column)
        return convert

    def signature_of(self, columns):
        """A function: row -> the tuple of its canonical values in ``columns`` (empty -> None)."""
        pairs = [(column, self.converter(column)) for column in columns]

        def signature(row):
            out = []
            for column, convert in pairs:
                value = row.get(column)
                out.append(None if value is None or value == "" else convert(value))
            return tuple(out)

        return signature

    def _converter(self, column):
        # One function per column, chosen once: planning calls this for every cell of every row.
        kind = self.kinds.get(column)
        if kind == "option":
            names = self.options.get(column, {})
            values = set(str(v) for v in names.values())

            def option(value):
                if isinstance(value, dict):
                    if value.get("value") is not None and value.get("value") != "":
                        return str(value["value"])
                    value = value.get("name")
                    if value is None or value == "":
                        return None
                text = str(value)
                if text in names and text not in values:
                    return str(names[text])
                return text

            return _cached_for_strings(option)
        if kind == "checkbox":

            def checkbox(value):
                if value is True or value is False:
                    return value
                text = str(value).strip().lower()
                if text in _TRUE:
                    return True
                if text in _FALSE:
                    return False
                return str(value)

            return _cached_for_strings(checkbox)
        if kind in ("numeric", "date"):
            date_only = kind == "date"

            def numeric(value):
                kind_of = type(value)
                if kind_of is int or kind_of is float:
                    return value
                number = _number(value)
                if number is not None:
                    return number
                when = epoch_ms(value, self.tz, date_only=date_only)
                return when if when is not None else str(value)

            return _cached_for_strings(numeric)
        if kind == "string":

            def string(value):
                if isinstance(value, str):
                    return value
                if isinstance(value, bool):
                    return "true" if value else "false"
                return str(value)  # 2.0 stays "2.0", as the user wrote it

            return string
        return self._guess

    def _guess(self, value):
        # No kind known (no cell of this column on the server, nothing declared): a best effort.
        if isinstance(value, dict):
            if is_empty(value):
                return None
            return str(value.get("value") if value.get("value") is not None else value.get("name"))
        if isinstance(value, bool):
            return value
        if _is_number(value):
            return value
        if isinstance(value, (datetime.date, datetime.datetime)):
            return epoch_ms(value, self.tz)
        return str(value)

    def wire(self, column, value, index=0):
        """The value to send for ``column``: the form it was compared in, where the kind is known.

        The server then stores exactly what was compared, so the next run finds it
        equal: dates become epoch milliseconds (whatever Jira's own timezone), numbers
        written as text become numbers, checkboxes ``true``/``false``, and a number
        or boolean for a text column the text it was compared as (``1e20`` is sent as
        ``"1e+20"``, which a Java server would otherwise store as ``"1.0E20"``).
        Options go as written: the server knows every option, the module only those
        it has seen.

        Every value a plan writes goes through here, so this is also where a value
        the column cannot hold is refused (``check_value``), before any request.
        ``index`` is the desired row's position, for the message.
        """
        if is_empty(value):
            return None
        kind = self.kinds.get(column)
        if kind in ("numeric", "date", "checkbox", "string"):
            wanted = self.converter(column)(value)
            if kind != "string":
                check_value(kind, wanted, index, column, value)
            if isinstance(wanted, float) and wanted.is_integer() and not isinstance(value, float):
                return int(wanted)  # a date written as text or a YAML date: whole milliseconds
            return wanted
        if isinstance(value, (datetime.date, datetime.datetime)):
            return int(epoch_ms(value, self.tz))  # a YAML date, for a column of unknown kind
        if kind is None and isinstance(value, str):
            check_value(None, value, index, column, value)
        return value


def find_duplicates(rows):
    """Rows that repeat an earlier row, the rule TGE's clearDuplicates applies.

    Two rows are duplicates when every cell holds the same stored value, ignoring the
    row id and the modified flag (an empty cell and a cell left out are the same).
    Values are compared as the server returns them, not normalised: two list options
    with the same value but different names are different cells to the server. The
    row with the lowest id stays; the others are returned.
    """
    seen = set()
    duplicates = []
    for row in sorted(rows, key=lambda r: (r.get("id") is None, r.get("id") or 0)):
        signature = tuple(
            sorted((c, _frozen(v)) for c, v in row.items() if c not in ROW_META and v is not None and v != "")
        )
        if signature in seen:
            duplicates.append(row)
        else:
            seen.add(signature)
    return duplicates


def _frozen(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def validate_desired(rows, key=None, state="present"):
    """Fail with one clear GridRowsError on rows that cannot be planned."""
    if state not in STATES:
        raise GridRowsError("state must be one of %s, got '%s'" % (", ".join(STATES), state))
    if not isinstance(rows, list):
        raise GridRowsError("rows must be a list of dicts, got %s" % type(rows).__name__)
    key = list(key or [])
    for column in key:
        if not isinstance(column, str) or not column:
            raise GridRowsError("key must be a list of column names, got %r" % (column,))
    if len(set(key)) != len(key):
        raise GridRowsError("key names a column twice: %s" % ", ".join(key))
    seen = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise GridRowsError(
                "rows[%d] must be a dict of column name to value, got %s: %r" % (index, type(row).__name__, row)
            )
        if not row:
            # An empty row would match every row: under absent it would empty the grid.
            raise GridRowsError(
                "rows[%d] is empty; name at least one column (to empty a grid use state=exact, rows=[])" % index
            )
        for column, value in row.items():
            if type(value) not in _SCALARS or column in ROW_META:
                _check_cell(index, column, value)
        if not key:
            continue
        identity = []
        for column in key:
            value = row.get(column)
            if is_empty(value):
                missing = [c for c in key if is_empty(row.get(c))]
                raise GridRowsError("rows[%d] has no value for key column(s) %s: %r" % (index, ", ".join(missing), row))
            identity.append(_plain(value))
        identity = tuple(identity)
        if identity in seen:
            raise GridRowsError(
                "rows[%d] and rows[%d] have the same key (%s); each key must appear once"
                % (seen[identity], index, ", ".join("%s=%r" % (c, row[c]) for c in key))
            )
        seen[identity] = index


def _check_cell(index, column, value):
    """Fail on a cell no TGE column can hold, or on a column TGE fills itself."""
    if column in ROW_META:
        raise GridRowsError(
            "rows[%d] names '%s', which TGE assigns itself; identify rows with the key option instead" % (index, column)
        )
    if isinstance(value, (list, tuple, set)) or (isinstance(value, dict) and not _is_option_object(value)):
        raise GridRowsError(
            "rows[%d] column '%s': a value must be a string, number, boolean, date or "
            "an option {name, value}, got %r" % (index, column, value)
        )


def _is_option_object(value):
    return set(value) <= {"name", "value"} and bool(value)


def _plain(value):
    # As written: the planner matches strings exactly, so "Bob" and "bob" are two keys.
    # Keys equal only once normalised (1 and "1") are caught by the planner.
    if isinstance(value, dict):
        return ("option", value.get("value"), value.get("name"))
    if isinstance(value, bool):
        return ("bool", value)  # True == 1 in Python; not as keys
    return value


def readable(row):
    """A row as users read it: its id and its columns, without TGE's bookkeeping."""
    out = {"id": row.get("id")}
    for column, value in row.items():
        if column not in ROW_META:
            out[column] = value
    return out


def _by_id(rows):
    """Rows in id order (rows without an id last); TGE already returns them so, which is checked cheaply."""
    ids = [r.get("id") for r in rows]
    if None not in ids and all(a < b for a, b in zip(ids, ids[1:])):
        return list(rows)
    return sorted(rows, key=lambda r: (r.get("id") is None, r.get("id") or 0))


def check_value(kind, canonical, index, column, value):
    """Refuse a value its column cannot hold or keep as compared (the plan writes it; nothing is sent yet).

    - A column known to hold numbers or dates (learnt from the grid's rows or declared
      in ``columns``) takes a number, a number written as text, or an ISO date/datetime:
      its converter falls back to text for anything else.
    - A checkbox column takes ``true``/``false`` (or yes/no, on/off, 1/0).
    - A date written as text for a column whose type is unknown (no value on the issue,
      nothing in ``columns``) would be sent as written: Jira might keep it as text, or
      read it as a date in its own timezone, while the next run would compare it in
      ``timezone``. Either way the second run could differ from the first, so the user
      is asked to declare the type. Datetimes with an explicit offset are unambiguous.

    Otherwise the server would refuse such a value with a 400 only after earlier writes
    of the same run were applied.
    """
    if kind in ("numeric", "date"):
        if isinstance(canonical, str):
            raise GridRowsError(
                "rows[%d].%s is %r, but column '%s' holds numbers or dates: write a number, or a date as"
                " 2024-05-01 or 2024-05-01T09:30:00; nothing was sent" % (index, column, value, column)
            )
    elif kind == "checkbox":
        if not isinstance(canonical, bool):
            raise GridRowsError(
                "rows[%d].%s is %r, but column '%s' is a checkbox: write true or false; nothing was sent"
                % (index, column, value, column)
            )
    elif kind is None:
        _check_unknown_date(index, column, value)


def _check_unknown_date(index, column, value):
    text = value.strip()
    naive_datetime = _ISO_DATETIME.match(text) and not _OFFSET.search(text)
    if _ISO_DATE.match(text) or naive_datetime:
        raise GridRowsError(
            "rows[%d].%s is %r, a date written as text, but column '%s' has no value on this issue yet and"
            " 'columns' does not declare its type, so the module cannot tell whether Jira will keep it as"
            " text or read it as a date (and in which timezone). Declare the column, for example"
            " columns: {%s: %s} (or string)" % (index, column, value, column, column, _kind_hint(text))
        )


def _kind_hint(text):
    return "date" if _ISO_DATE.match(text) else "datetime"


def plan_rows(current, desired, key=None, state="present", normaliser=None):
    """The writes that make ``current`` (rows as read, with ids) match ``desired``.

    ``present``: add desired rows with no match; with ``key``, update the named
    columns of matched rows that differ. ``absent``: remove every row matching a
    desired row. ``exact``: as present, and remove every current row left unmatched
    (extra copies of a duplicated row included). Without ``key`` a desired row
    matches a current row equal in every column the desired row names.
    """
    # Planning allocates a tuple per row and a value per cell but creates no reference
    # cycles; with the collector on it re-walks the whole grid hundreds of times
    # (a quarter of the time on 100,000 rows).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _plan_rows(current, desired, key, state, normaliser)
    finally:
        if collecting:
            gc.enable()


def match_rows(found_for, groups, specific_first=False):
    """Pair desired rows with current rows, each current row used once; return the match of each (or None).

    ``found_for[i]`` lists the current rows desired row ``i`` may take (id order);
    ``groups[i]`` is hashable and equal for desired rows with the same candidates.
    As many desired rows as possible get a row: first each takes its first free
    candidate (the more columns a row names, the earlier it chooses, when
    ``specific_first``; columns are ``groups[i][0]``), then any row left without one
    takes a row from another that can move to a different candidate (augmenting
    paths). So ``[{a: x}, {a: x, b: 1}]`` matches a grid holding ``{a: x, b: 2}`` and
    ``{a: x, b: 1}`` whatever order the rows are written in.
    """
    count = len(found_for)
    order = list(range(count))
    if specific_first:
        order.sort(key=lambda i: -len(groups[i][0]))
    chosen = [None] * count
    owner = {}  # id(current row) -> desired index holding it
    waiting = []
    cursor = {}  # group -> index of its first candidate that may still be free (taken rows stay taken here)
    for i in order:
        found = found_for[i]
        at = cursor.get(groups[i], 0)
        while at < len(found) and id(found[at]) in owner:
            at += 1
        cursor[groups[i]] = at
        if at < len(found):
            owner[id(found[at])] = i
            chosen[i] = found[at]
        elif found:
            waiting.append(i)
    dead = set()  # groups that cannot get a row in the current matching
    for start in waiting:
        if groups[start] in dead:
            continue
        if _augment(start, found_for, groups, chosen, owner, dead):
            dead.clear()  # the matching changed: a group that could not move may move now
        else:
            dead.add(groups[start])
    return chosen


def _augment(start, found_for, groups, chosen, owner, dead):
    """Find a path of moves that gives desired row ``start`` a current row; apply it. Iterative DFS.

    Rows of one group have the same candidates, so a group is never entered twice on one
    path (what the inner one could reach, the outer one reaches too) nor again once it
    failed: on many equal rows the search stays linear.
    """
    visited = set()
    failed = set()
    active = set([groups[start]])
    stack = [(start, iter(found_for[start]))]
    path = []  # (desired index, current row it would take)
    while stack:
        i, candidates = stack[-1]
        advanced = False
        for candidate in candidates:
            if id(candidate) in visited:
                continue
            visited.add(id(candidate))
            holder = owner.get(id(candidate))
            if holder is None:
                path.append((i, candidate))
                for j, row in path:
                    owner[id(row)] = j
                    chosen[j] = row
                return True
            if groups[holder] in failed or groups[holder] in dead or groups[holder] in active:
                continue
            path.append((i, candidate))
            stack.append((holder, iter(found_for[holder])))
            active.add(groups[holder])
            advanced = True
            break
        if not advanced:
            failed.add(groups[i])
            active.discard(groups[i])
            stack.pop()
            if path:
                path.pop()
    return False


def _plan_rows(current, desired, key, state, normaliser):
    validate_desired(desired, key, state)
    key = list(key or [])
    norm = normaliser or Normaliser.learn(current)
    ordered = _by_id(current)

    # Index the current rows once per distinct set of matching columns, so
    # planning stays linear in the number of rows.
    indexes = {}

    def candidates(columns):
        if columns not in indexes:
            index = {}
            signature_of = norm.signature_of(columns)
            for row in ordered:
                signature = signature_of(row)
                if key and any(v is None for v in signature):
                    continue  # a row missing a key column identifies nothing
                index.setdefault(signature, []).append(row)
            indexes[columns] = index
        return indexes[columns]

    keys_seen = {}
    key_columns = tuple(key)
    key_index = candidates(key_columns) if key else None
    key_signature = norm.signature_of(key_columns)
    row_signatures = {}
    found_for = []  # per desired row: the current rows it matches, in id order
    groups = []  # per desired row: its columns and signature (equal groups match the same rows)
    for index, row in enumerate(desired):
        columns = key_columns if key else tuple(sorted(row))
        if key:
            signature = key_signature(row)
        else:
            if columns not in row_signatures:
                row_signatures[columns] = norm.signature_of(columns)
            signature = row_signatures[columns](row)
        if key:
            if signature in keys_seen:
                raise GridRowsError(
                    "rows[%d] and rows[%d] have the same key once normalised (%s); each key must appear once"
                    % (keys_seen[signature], index, ", ".join("%s=%r" % (c, row[c]) for c in key))
                )
            keys_seen[signature] = index
        found_for.append((key_index if key else candidates(columns)).get(signature, ()))
        groups.append((columns, signature))

    if state == "absent":
        matches = list(zip(desired, found_for))
    else:
        chosen = match_rows(found_for, groups, specific_first=not key)
        matches = list(zip(desired, chosen))
        claimed = set(id(match) for match in chosen if match is not None)

    add, update, remove, updated_rows, removed_rows = [], [], [], [], []
    after_by_id = {}  # row id -> the row with this plan's changes
    if state == "absent":
        gone = set()
        for _row, found in matches:
            for match in found:
                if id(match) not in gone:
                    gone.add(id(match))
                    remove.append(match.get("id"))
                    removed_rows.append(readable(match))
        return RowPlan([], [], remove, ordered, [], removed_rows)

    converters = {}
    for index, (row, match) in enumerate(matches):
        if match is None:
            add.append(dict((c, norm.wire(c, v, index)) for c, v in row.items()))
            continue
        if not key:
            continue  # matched on every column it names: nothing to update
        changes = {}
        previous = {}
        for column, value in row.items():
            current_value = match.get(column)
            if value == current_value and type(value) is type(current_value):
                continue  # the same value in the same form: no need to normalise
            convert = converters.get(column)
            if convert is None:
                convert = converters[column] = norm.converter(column)
            wanted = None if value is None or value == "" else convert(value)
            have = None if current_value is None or current_value == "" else convert(current_value)
            if wanted != have:
                changes[column] = norm.wire(column, value, index)
                previous[column] = current_value
        if changes:
            update.append({"rowId": match.get("id"), "values": changes})
            updated_rows.append({"id": match.get("id"), "values": changes, "previous": previous})
            merged = readable(match)
            merged.update(changes)
            after_by_id[match.get("id")] = merged
    if state == "exact":
        for row in ordered:
            if id(row) not in claimed:
                remove.append(row.get("id"))
                removed_rows.append(readable(row))
    return RowPlan(add, update, remove, ordered, updated_rows, removed_rows, after_by_id)
