"""The evaluator's half of the formula library: strict functions, one Python function each.

Values follow SPEC §1 blanks: blank text is "", a blank number/date/grade is None. A
function that cannot produce a value for its input raises `FormulaError`; the evaluator
turns that into an `EvalError` value for the one record, never a crash. The lazy
functions (AND, OR, IF, CASE, BLANKVALUE, NULLVALUE) live in the evaluator.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

NUMBER_TEXT = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*")


class FormulaError(Exception):
    """A function cannot give a value for these arguments (VALUE("n/a"), MOD(1, 0))."""


def is_blank(value: object) -> bool:
    return value is None or value == ""


def parse_number(text: str) -> Decimal | None:
    """A decimal read from text (sign, digits, optional point; spaces around), else None."""
    if not NUMBER_TEXT.fullmatch(text):
        return None
    return Decimal(text.strip())


def number_text(value: Decimal) -> str:
    """`5`, `5.25`, `-0.5`: no exponent, no trailing zeros, no point for whole numbers."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text


def to_text(value: object) -> str:
    """TEXT(): the value as Salesforce shows it; blank is ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _value(text: str) -> Decimal | None:
    if text.strip() == "":
        return None
    number = parse_number(text)
    if number is None:
        raise FormulaError(f'VALUE("{text}"): not a number')
    return number


def _isnumber(text: str) -> bool:
    return parse_number(text) is not None


@lru_cache(maxsize=512)
def java_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a Java regular expression as Python's `re` reads it.

    The syntax real validation rules use (classes, quantifiers, anchors, groups, \\d \\w
    \\s, possessive-free) is the same in both; Java's `\\p{Alpha}`-style classes are mapped.
    """
    translated = (
        pattern.replace(r"\p{Alpha}", "[A-Za-z]")
        .replace(r"\p{Digit}", "[0-9]")
        .replace(r"\p{Alnum}", "[A-Za-z0-9]")
        .replace(r"\p{Upper}", "[A-Z]")
        .replace(r"\p{Lower}", "[a-z]")
        .replace(r"\p{Punct}", r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]""")
        .replace(r"\p{L}", r"[^\W\d_]")
    )
    try:
        return re.compile(translated)
    except re.error as error:
        raise FormulaError(f"REGEX: invalid pattern {pattern!r}: {error}") from None


def _regex(text: str, pattern: str) -> bool:
    return java_pattern(pattern).fullmatch(text) is not None


def _left(text: str, n: Decimal | None) -> str:
    if n is None:
        return ""
    count = int(n)
    return text[: max(count, 0)]


def _right(text: str, n: Decimal | None) -> str:
    if n is None:
        return ""
    count = int(n)
    return text[len(text) - count :] if count > 0 else ""


def _mid(text: str, start: Decimal | None, length: Decimal | None) -> str:
    if start is None or length is None:
        return ""
    begin = max(int(start), 1) - 1
    return text[begin : begin + max(int(length), 0)]


def _date(year: Decimal | None, month: Decimal | None, day: Decimal | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise FormulaError(f"DATE({year}, {month}, {day}): not a date") from None


def _datevalue(value: object) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise FormulaError(f'DATEVALUE("{value}"): not a date') from None


def _datetimevalue(value: object) -> dt.datetime | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise FormulaError(f'DATETIMEVALUE("{value}"): not a date/time') from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _mod(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or b is None:
        return None
    if b == 0:
        raise FormulaError("MOD by zero")
    return a % b  # the sign follows the dividend, as in Java and Salesforce


def _round(n: Decimal | None, digits: Decimal | None) -> Decimal | None:
    if n is None or digits is None:
        return None
    return n.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)


def _nullsafe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A numeric/date function that is null when any argument is null."""

    def wrapper(*args: Any) -> Any:
        if any(a is None for a in args):
            return None
        return fn(*args)

    return wrapper


def _find(search: str, text: str) -> Decimal:
    if search == "":
        return Decimal(0)
    return Decimal(text.find(search) + 1)


def _includes(values: str, wanted: str) -> bool:
    return wanted != "" and wanted in values.split(";")


STRICT: dict[str, Callable[..., Any]] = {
    "ISBLANK": is_blank,
    "ISNULL": lambda v: v is None,
    "ISPICKVAL": lambda value, wanted: (value or "") == wanted,
    "INCLUDES": _includes,
    "TEXT": to_text,
    "VALUE": _value,
    "LEN": lambda t: Decimal(len(t)),
    "BEGINS": lambda t, s: t.startswith(s),
    "CONTAINS": lambda t, s: s in t,
    "REGEX": _regex,
    "UPPER": str.upper,
    "LOWER": str.lower,
    "TRIM": str.strip,
    "LEFT": _left,
    "RIGHT": _right,
    "MID": _mid,
    "ISNUMBER": _isnumber,
    "DATE": _date,
    "DATEVALUE": _datevalue,
    "DATETIMEVALUE": _datetimevalue,
    "YEAR": _nullsafe(lambda d: Decimal(d.year)),
    "MONTH": _nullsafe(lambda d: Decimal(d.month)),
    "DAY": _nullsafe(lambda d: Decimal(d.day)),
    "MOD": _mod,
    "ABS": _nullsafe(abs),
    "ROUND": _round,
    "FLOOR": _nullsafe(lambda n: n.to_integral_value(rounding=ROUND_FLOOR)),
    "CEILING": _nullsafe(lambda n: n.to_integral_value(rounding=ROUND_CEILING)),
    "MAX": _nullsafe(max),
    "MIN": _nullsafe(min),
    "FIND": _find,
    "SUBSTITUTE": lambda t, old, new: t.replace(old, new) if old else t,
}


def call_strict(name: str, args: list[Any]) -> Any:
    """Apply a strict function; Python-level failures become FormulaError."""
    try:
        return STRICT[name](*args)
    except FormulaError:
        raise
    except (InvalidOperation, ValueError, OverflowError, TypeError) as error:
        raise FormulaError(f"{name}: {error}") from None
