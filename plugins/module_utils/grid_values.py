# Copyright: (c) 2026, jira.addons developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Grid cell values: column kinds, timezones, dates, numbers, and the normaliser that compares them.

Pure functions over plain data; no I/O and no Ansible.

Values are compared in a canonical form per column *kind*, so a run is idempotent
whatever form the user wrote a value in and whatever form the server returns:

``option``   list/radio: ``{"name", "value"}``, ``{"value"}`` or ``{"name"}`` from the server;
             the user may give the option's value, its name or the object. Canonical: the
             option value.
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
import math
import re

from ansible_collections.jira.addons.plugins.module_utils.errors import InputError

# Columns TGE adds to every row it returns; they are not grid columns.
ROW_META = ("id", "issueId", "modified")
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
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_OFFSET = re.compile(r"(Z|z|[+-]\d{2}:?\d{2})$")


class GridRowsError(InputError):
    """The desired rows or options are invalid; raised before any request."""


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

    A date, or a datetime without an offset, is read in ``tz``. A date that does not
    exist (``2024-13-45``) is not one: None.
    """
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.match(text):
            try:
                value = datetime.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
            except ValueError:
                return None
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


def parse_number(value):
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
                    # A cell read back as {name} only says nothing of the value its name stands for.
                    if not is_empty(value.get("name")) and not is_empty(value.get("value")):
                        options.setdefault(column, {})[value["name"]] = value["value"]
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
                number = parse_number(value)
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
        if isinstance(canonical, str) and _looks_like_a_date(canonical):
            raise GridRowsError(
                "rows[%d].%s is %r, which is not a valid date or datetime (column '%s' holds numbers or dates):"
                " write a real one, as 2024-05-01 or 2024-05-01T09:30:00; nothing was sent"
                % (index, column, value, column)
            )
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
    if _looks_like_a_date(text) and epoch_ms(text, datetime.timezone.utc) is None:
        raise GridRowsError(
            "rows[%d].%s is %r, which is not a valid date or datetime: write a real one, as 2024-05-01 or"
            " 2024-05-01T09:30:00 (or declare the column a string in 'columns'); nothing was sent"
            % (index, column, value)
        )
    naive_datetime = _ISO_DATETIME.match(text) and not _OFFSET.search(text)
    if _ISO_DATE.match(text) or naive_datetime:
        raise GridRowsError(
            "rows[%d].%s is %r, a date written as text, but column '%s' has no value on this issue yet and"
            " 'columns' does not declare its type, so the module cannot tell whether Jira will keep it as"
            " text or read it as a date (and in which timezone). Declare the column, for example"
            " columns: {%s: %s} (or string)" % (index, column, value, column, column, _kind_hint(text))
        )


def _looks_like_a_date(text):
    text = text.strip()
    return bool(_ISO_DATE.match(text) or _ISO_DATETIME.match(text))


def _kind_hint(text):
    return "date" if _ISO_DATE.match(text) else "datetime"
