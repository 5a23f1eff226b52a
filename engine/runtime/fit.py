"""Type fitting (SPEC §3.6): does a value fit the field it is written into?"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from engine.fieldtypes import GRADE_RANK, MAX_NUMBER_DIGITS, FieldType, Kind
from engine.formula.functions import is_blank, parse_number, to_text
from engine.plan import DropCode
from engine.records.model import Value

# A pragmatic address check: one @, no spaces, a dotted domain (what Salesforce rejects).
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def blank_of(ftype: FieldType) -> Value:
    """The blank value of a field type: "" for text-like, False for booleans, else None."""
    if ftype.value_type.value in ("text", "picklist", "multipicklist"):
        return ""
    if ftype.kind is Kind.BOOLEAN:
        return False
    return None


def fit(value: Value, ftype: FieldType) -> tuple[Value, DropCode | None]:
    """The value as the field would store it, or the code Salesforce would drop it with."""
    if is_blank(value):
        return blank_of(ftype), None
    match ftype.kind:
        case Kind.NUMBER:
            return _fit_number(value, ftype)
        case Kind.BOOLEAN:
            return (value, None) if isinstance(value, bool) else (None, DropCode.INVALID_TYPE)
        case Kind.DATE:
            return _fit_date(value)
        case Kind.DATETIME:
            return _fit_datetime(value)
        case Kind.GRADE:
            text = to_text(value).strip()
            return (text, None) if text in GRADE_RANK else (None, DropCode.INVALID_TYPE)
        case Kind.PICKLIST:
            text = to_text(value)
            ok = ftype.allows(text)
            return (text, None) if ok else (None, DropCode.INVALID_PICKLIST_VALUE)
        case Kind.MULTIPICKLIST:
            parts = to_text(value).split(";")
            ok = all(ftype.allows(p) for p in parts)
            return (";".join(parts), None) if ok else (None, DropCode.INVALID_PICKLIST_VALUE)
        case Kind.EMAIL:
            text = to_text(value)
            if not EMAIL.fullmatch(text):
                return None, DropCode.INVALID_EMAIL_ADDRESS
            return _fit_length(text, ftype)
        case _:
            if isinstance(value, bool):
                return None, DropCode.INVALID_TYPE
            return _fit_length(to_text(value), ftype)


def _fit_length(text: str, ftype: FieldType) -> tuple[Value, DropCode | None]:
    limit = ftype.max_length
    if limit is not None and len(text) > limit:
        return None, DropCode.STRING_TOO_LONG
    return text, None


def _fit_number(value: Value, ftype: FieldType) -> tuple[Value, DropCode | None]:
    number = value if isinstance(value, Decimal) else None
    if isinstance(value, str):
        number = parse_number(value)
    if number is None:
        return None, DropCode.INVALID_TYPE
    if whole_digits(number) > ftype.whole_digits:
        # a 29-digit or 1.5e300 value: more digits than the field holds (issue 11)
        return None, DropCode.NUMBER_OUTSIDE_VALID_RANGE
    return number, None


def whole_digits(number: Decimal) -> int:
    """Digits left of the point, read from the exact digits (never rounded): 0 for 0.5,
    3 for -123.45, 301 for 1.5e300."""
    if not number.is_finite():
        return MAX_NUMBER_DIGITS + 1  # never fits
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if digits == (0,):
        return 0
    return max(0, len(digits) + exponent)


def _fit_date(value: Value) -> tuple[Value, DropCode | None]:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()), None
        except ValueError:
            pass
    return None, DropCode.INVALID_TYPE


def _fit_datetime(value: Value) -> tuple[Value, DropCode | None]:
    if isinstance(value, dt.datetime):
        return value, None
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC), None
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None, DropCode.INVALID_TYPE
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)), None
    return None, DropCode.INVALID_TYPE


def same(a: Value, a_type: FieldType, b: Value, b_type: FieldType) -> bool:
    """Whether two sides already hold the same value, each in its own field type.

    Values compare in either side's type, so `" 100 "` in a text field and `100` in a
    number field are the same value and syncing them again writes nothing.
    """
    if is_blank(a) and is_blank(b):
        return True
    if is_blank(a) or is_blank(b):
        return False
    into_b, code_b = fit(a, b_type)
    if code_b is None and into_b == b:
        return True
    into_a, code_a = fit(b, a_type)
    return code_a is None and into_a == a
