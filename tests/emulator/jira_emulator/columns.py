"""TGE column types: how a value written through REST is validated and how it is stored.

Stored (and returned) forms: string -> str, number -> float, integer -> int, date/datetime ->
epoch milliseconds (a date at 00:00 UTC), list/radio -> ``{"name", "value"}``, checkbox -> bool,
userlist -> username. ``None`` is an empty cell.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

COLUMN_TYPES = ("string", "number", "integer", "date", "datetime", "list", "radio", "checkbox", "userlist")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class InvalidValue(ValueError):
    """A value a column does not accept; the message names the column and the value."""


@dataclass
class Column:
    """One grid column as configured in the grid definition."""

    name: str
    type: str
    required: bool = False
    options: list[dict[str, str]] = field(default_factory=list)

    def coerce(self, value: Any, user_exists: Callable[[str], bool]) -> Any:
        """Validate a written value and return its stored form (``None`` clears the cell)."""
        if value is None or value == "":
            if self.required:
                raise InvalidValue(f"Column '{self.name}' is required and cannot be empty")
            return None
        try:
            return _COERCERS[self.type](self, value, user_exists)
        except InvalidValue as exc:
            raise InvalidValue(f"Invalid value {_show(value)} for column '{self.name}' ({self.type}): {exc}") from None


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string(_col: Column, value: Any, _users: Callable[[str], bool]) -> str:
    if isinstance(value, str):
        return value
    if _is_number(value):
        return str(value)
    raise InvalidValue("expected a string")


def _to_float(value: Any) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidValue("expected a number") from None
    if not _is_number(value) or not math.isfinite(value):
        raise InvalidValue("expected a number")
    return float(value)


def _number(_col: Column, value: Any, _users: Callable[[str], bool]) -> float:
    return _to_float(value)


def _integer(_col: Column, value: Any, _users: Callable[[str], bool]) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())  # exactly, as a Java long would parse it (a float would round 2**53 + 1)
        except ValueError:
            pass
    number = _to_float(value)
    if not number.is_integer():
        raise InvalidValue("expected an integer")
    return int(number)


def _epoch_ms(value: Any, date_only: bool) -> int:
    """Epoch ms from a number, an ISO date/datetime string or a date/datetime object (YAML)."""
    if _is_number(value):
        if not math.isfinite(value) or not float(value).is_integer():
            raise InvalidValue("expected epoch milliseconds as a whole number")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
        except ValueError:
            raise InvalidValue("expected epoch milliseconds or an ISO date (2024-05-01) or datetime") from None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if date_only:
            day = moment.astimezone(dt.UTC).date()
            moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        return int((moment - EPOCH).total_seconds() * 1000)
    if isinstance(value, dt.date):
        return int((dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC) - EPOCH).total_seconds()) * 1000
    raise InvalidValue("expected epoch milliseconds or an ISO date/datetime string")


def _date(_col: Column, value: Any, _users: Callable[[str], bool]) -> int:
    return _epoch_ms(value, date_only=True)


def _datetime(_col: Column, value: Any, _users: Callable[[str], bool]) -> int:
    return _epoch_ms(value, date_only=False)


def _option(col: Column, value: Any, _users: Callable[[str], bool]) -> dict[str, str]:
    if isinstance(value, dict):
        wanted_value, wanted_name = value.get("value"), value.get("name")
        for option in col.options:
            if (
                (wanted_value is None or option["value"] == wanted_value)
                and (wanted_name is None or option["name"] == wanted_name)
                and (wanted_value is not None or wanted_name is not None)
            ):
                return dict(option)
    elif isinstance(value, str):
        # The option's value wins over another option's name, as the value is the stored key.
        for key in ("value", "name"):
            for option in col.options:
                if option[key] == value:
                    return dict(option)
    allowed = ", ".join(f"{o['value']} ({o['name']})" for o in col.options)
    raise InvalidValue(f"expected one of the options: {allowed}")


def _checkbox(_col: Column, value: Any, _users: Callable[[str], bool]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidValue("expected true or false")


def _userlist(_col: Column, value: Any, user_exists: Callable[[str], bool]) -> str:
    if not isinstance(value, str):
        raise InvalidValue("expected a username")
    if not user_exists(value):
        raise InvalidValue(f"user '{value}' does not exist")
    return value


_COERCERS: dict[str, Callable[[Column, Any, Callable[[str], bool]], Any]] = {
    "string": _string,
    "number": _number,
    "integer": _integer,
    "date": _date,
    "datetime": _datetime,
    "list": _option,
    "radio": _option,
    "checkbox": _checkbox,
    "userlist": _userlist,
}


def synthetic_value(col: Column, index: int, usernames: list[str]) -> Any:
    """A deterministic stored value for generated rows (``grids[].generate``)."""
    if col.type == "string":
        return f"{col.name} {index}"
    if col.type == "number":
        return index * 1.5
    if col.type == "integer":
        return index
    if col.type in ("date", "datetime"):
        day_ms = 86_400_000
        return 1_704_067_200_000 + index * day_ms + (0 if col.type == "date" else 3_600_000 * (index % 24))
    if col.type in ("list", "radio"):
        return dict(col.options[index % len(col.options)]) if col.options else None
    if col.type == "checkbox":
        return index % 2 == 0
    return usernames[index % len(usernames)] if usernames else None


# settings.tge_shapes, what real servers send beyond the vendor document:
#   option_cells: how a list/radio cell reads back when the read names no columns: "name_value" (the documented
#     {"name", "value"}), "value" ({"value"} only) or "name" ({"name"} only). A read that names the column in
#     columns= gets all its data, as the document says of "a special column like list".
#   numbers_only_dates: date and datetime cells refuse ISO text with TGE's own 400 (they take epoch milliseconds).
OPTION_CELLS = ("name_value", "value", "name")
DATES_MUST_BE_NUMBERS = "The date and datetime column value has to be a number (milliseconds)"


def check_tge_shapes(shapes: Any) -> None:
    """Refuse a tge_shapes setting the emulator does not know."""
    if shapes is None:
        return
    if not isinstance(shapes, dict) or set(shapes) - {"option_cells", "numbers_only_dates"}:
        raise ValueError("tge_shapes takes option_cells and numbers_only_dates")
    if shapes.get("option_cells", "name_value") not in OPTION_CELLS:
        raise ValueError("tge_shapes.option_cells must be one of %s" % ", ".join(OPTION_CELLS))
