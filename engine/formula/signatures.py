"""What each formula function accepts and returns: the checker's half of the library.

Parameters are described by the value kinds they accept. `Rest` repeats the last kind.
Functions keep their Salesforce meaning; the evaluator's half is `engine.formula.functions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.fieldtypes import VType


class P(StrEnum):
    """A parameter kind."""

    BOOL = "a boolean"
    NUMBER = "a number"
    TEXT = "a text"
    ANY = "any value"
    PICKLIST = "a picklist field"
    MULTIPICKLIST = "a multi-select picklist field"
    FIELD = "a field"
    DATE = "a date"
    DATE_OR_TEXT = "a date or a text"
    DATETIME_OR_TEXT = "a date/time, a date or a text"
    DATETIME = "a date/time"
    DATE_OR_DATETIME = "a date or a date/time"
    TEXTABLE = "a number, date, date/time, picklist or text"
    LITERAL_TEXT = "a quoted text"


class R(StrEnum):
    """How a return type is found when it is not fixed."""

    UNIFY = "unify"  # IF, BLANKVALUE: the common type of the value arguments
    FIRST = "first"  # PRIORVALUE: the type of the argument
    CASE = "case"


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    params: tuple[P, ...]
    returns: VType | R
    min_args: int
    max_args: int | None  # None: any number
    context: str | None = None  # "validation": needs a record before and after a write
    doc: str = ""


def _sig(
    name: str,
    params: tuple[P, ...],
    returns: VType | R,
    *,
    min_args: int | None = None,
    max_args: int | str | None = "fixed",
    context: str | None = None,
    doc: str = "",
) -> Signature:
    lo = len(params) if min_args is None else min_args
    hi = len(params) if max_args == "fixed" else max_args
    assert hi is None or isinstance(hi, int)
    return Signature(name, params, returns, lo, hi, context, doc)


B, N, T, A = P.BOOL, P.NUMBER, P.TEXT, P.ANY

SIGNATURES: dict[str, Signature] = {
    s.name: s
    for s in (
        _sig("AND", (B,), VType.BOOLEAN, min_args=1, max_args=None, doc="all true"),
        _sig("OR", (B,), VType.BOOLEAN, min_args=1, max_args=None, doc="any true"),
        _sig("NOT", (B,), VType.BOOLEAN, doc="negation"),
        _sig("IF", (B, A, A), R.UNIFY, doc="IF(test, then, else)"),
        _sig("CASE", (A,), R.CASE, min_args=4, max_args=None, doc="CASE(x, v1, r1, …, else)"),
        _sig("ISBLANK", (A,), VType.BOOLEAN, doc="true when blank"),
        _sig("ISNULL", (A,), VType.BOOLEAN, doc="true when blank (legacy)"),
        _sig("BLANKVALUE", (A, A), R.UNIFY, doc="the first argument, or the second if blank"),
        _sig("NULLVALUE", (A, A), R.UNIFY, doc="the first argument, or the second if blank"),
        _sig("ISPICKVAL", (P.PICKLIST, P.LITERAL_TEXT), VType.BOOLEAN, doc="picklist equals"),
        _sig("INCLUDES", (P.MULTIPICKLIST, P.LITERAL_TEXT), VType.BOOLEAN, doc="value selected"),
        _sig("TEXT", (P.TEXTABLE,), VType.TEXT, doc="a value as text"),
        _sig("VALUE", (T,), VType.NUMBER, doc="a text as a number"),
        _sig("LEN", (T,), VType.NUMBER, doc="number of characters"),
        _sig("BEGINS", (T, T), VType.BOOLEAN, doc="starts with (case-sensitive)"),
        _sig("CONTAINS", (T, T), VType.BOOLEAN, doc="contains (case-sensitive)"),
        _sig("REGEX", (T, T), VType.BOOLEAN, doc="the whole text matches the pattern"),
        _sig("UPPER", (T,), VType.TEXT, doc="upper case"),
        _sig("LOWER", (T,), VType.TEXT, doc="lower case"),
        _sig("TRIM", (T,), VType.TEXT, doc="without leading and trailing spaces"),
        _sig("LEFT", (T, N), VType.TEXT, doc="the first n characters"),
        _sig("RIGHT", (T, N), VType.TEXT, doc="the last n characters"),
        _sig("MID", (T, N, N), VType.TEXT, doc="MID(text, start, length), 1-based"),
        _sig("ISNUMBER", (T,), VType.BOOLEAN, doc="the text reads as a number"),
        _sig("ISNEW", (), VType.BOOLEAN, context="validation", doc="the write creates"),
        _sig("ISCLONE", (), VType.BOOLEAN, context="validation", doc="always false here"),
        _sig("ISCHANGED", (P.FIELD,), VType.BOOLEAN, context="validation", doc="changed"),
        _sig("PRIORVALUE", (P.FIELD,), R.FIRST, context="validation", doc="value before"),
        _sig("TODAY", (), VType.DATE, doc="the run's date"),
        _sig("NOW", (), VType.DATETIME, doc="the run's date and time"),
        _sig("DATE", (N, N, N), VType.DATE, doc="DATE(year, month, day)"),
        _sig("DATEVALUE", (P.DATETIME_OR_TEXT,), VType.DATE, doc="a date from text"),
        _sig("DATETIMEVALUE", (P.DATETIME_OR_TEXT,), VType.DATETIME, doc="a date/time"),
        _sig("YEAR", (P.DATE,), VType.NUMBER, doc="the year of a date"),
        _sig("MONTH", (P.DATE,), VType.NUMBER, doc="the month of a date"),
        _sig("DAY", (P.DATE,), VType.NUMBER, doc="the day of a date"),
        _sig("MOD", (N, N), VType.NUMBER, doc="remainder"),
        _sig("ABS", (N,), VType.NUMBER, doc="absolute value"),
        _sig("ROUND", (N, N), VType.NUMBER, doc="ROUND(number, digits)"),
        _sig("FLOOR", (N,), VType.NUMBER, doc="round down"),
        _sig("CEILING", (N,), VType.NUMBER, doc="round up"),
        _sig("MAX", (N,), VType.NUMBER, min_args=1, max_args=None, doc="the largest"),
        _sig("MIN", (N,), VType.NUMBER, min_args=1, max_args=None, doc="the smallest"),
        _sig("FIND", (T, T), VType.NUMBER, doc="FIND(search, text): 1-based position or 0"),
        _sig("SUBSTITUTE", (T, T, T), VType.TEXT, doc="replace every occurrence"),
        # -- more of Salesforce's library (issue 6: what real validation rules use) --------
        _sig("EXP", (N,), VType.NUMBER, doc="e raised to the power n"),
        _sig("LN", (N,), VType.NUMBER, doc="natural logarithm"),
        _sig("LOG", (N,), VType.NUMBER, doc="base-10 logarithm"),
        _sig("SQRT", (N,), VType.NUMBER, doc="square root"),
        _sig("MCEILING", (N,), VType.NUMBER, doc="round up, away from zero"),
        _sig("MFLOOR", (N,), VType.NUMBER, doc="round down, towards zero"),
        _sig("TRUNC", (N, N), VType.NUMBER, min_args=1, doc="TRUNC(n[, digits]): cut digits"),
        _sig("LPAD", (T, N, T), VType.TEXT, min_args=2, doc="LPAD(text, length[, pad])"),
        _sig("RPAD", (T, N, T), VType.TEXT, min_args=2, doc="RPAD(text, length[, pad])"),
        _sig("INITCAP", (T,), VType.TEXT, doc="each word capitalised"),
        _sig("REVERSE", (T,), VType.TEXT, doc="the characters in reverse order"),
        _sig("ASCII", (T,), VType.NUMBER, doc="the code point of the first character"),
        _sig("CHR", (N,), VType.TEXT, doc="the character of a code point"),
        _sig("BR", (), VType.TEXT, doc="a line break"),
        _sig("CASESAFEID", (T,), VType.TEXT, doc="the 18-character form of a record Id"),
        _sig("HTMLENCODE", (T,), VType.TEXT, doc="HTML-escaped text"),
        _sig("JSENCODE", (T,), VType.TEXT, doc="JavaScript-escaped text"),
        _sig("JSINHTMLENCODE", (T,), VType.TEXT, doc="JavaScript-then-HTML-escaped text"),
        _sig("URLENCODE", (T,), VType.TEXT, doc="URL-encoded text (UTF-8)"),
        _sig("HYPERLINK", (T, T, T), VType.TEXT, min_args=2, doc="an HTML link"),
        _sig("IMAGE", (T, T, N), VType.TEXT, min_args=2, max_args=4, doc="an HTML image"),
        _sig("ADDMONTHS", (P.DATE_OR_DATETIME, N), R.FIRST, doc="ADDMONTHS(date, n)"),
        _sig("WEEKDAY", (P.DATE,), VType.NUMBER, doc="1 = Sunday … 7 = Saturday"),
        _sig("DAYOFYEAR", (P.DATE,), VType.NUMBER, doc="1 … 366"),
        _sig("ISOWEEK", (P.DATE,), VType.NUMBER, doc="the ISO 8601 week number"),
        _sig("ISOYEAR", (P.DATE,), VType.NUMBER, doc="the ISO 8601 week-numbering year"),
        _sig("HOUR", (P.DATETIME,), VType.NUMBER, doc="the hour (UTC)"),
        _sig("MINUTE", (P.DATETIME,), VType.NUMBER, doc="the minute"),
        _sig("SECOND", (P.DATETIME,), VType.NUMBER, doc="the second"),
        _sig("MILLISECOND", (P.DATETIME,), VType.NUMBER, doc="the millisecond"),
        _sig("UNIXTIMESTAMP", (P.DATE_OR_DATETIME,), VType.NUMBER, doc="seconds since 1970"),
        _sig("FROMUNIXTIME", (N,), VType.DATETIME, doc="a date/time from seconds since 1970"),
        _sig("TIMEVALUE", (P.DATETIME_OR_TEXT,), VType.DATETIME, doc="a time of day (1970-01-01)"),
        _sig("TIMENOW", (), VType.DATETIME, doc="the run's time of day (1970-01-01)"),
        # need org data syncrules does not have: they check, and report "cannot evaluate"
        _sig("VLOOKUP", (A, A, A), VType.ANY, doc="needs other records: cannot be evaluated"),
        _sig("GETRECORDIDS", (A,), VType.ANY, doc="needs a list view: cannot be evaluated"),
        _sig("GETSESSIONID", (), VType.TEXT, doc="needs a session: cannot be evaluated"),
        _sig("CURRENCYRATE", (T,), VType.NUMBER, doc="needs the org's rates: cannot be evaluated"),
    )
}

# Functions that need org data or a session: they type-check, and evaluate to a located
# "cannot evaluate" value (never a guess, never a crash).
UNAVAILABLE: dict[str, str] = {
    "VLOOKUP": "VLOOKUP reads other records of a custom object, which a record set does not hold",
    "GETRECORDIDS": "GETRECORDIDS needs a list view selection",
    "GETSESSIONID": "GETSESSIONID needs a user session",
    "CURRENCYRATE": "CURRENCYRATE needs the org's currency rates",
}


def arity_text(sig: Signature) -> str:
    """`1`, `2 or more`, `3`…: how many arguments a function takes, in words."""
    if sig.max_args is None:
        return f"{sig.min_args} or more"
    if sig.min_args == sig.max_args:
        return str(sig.min_args)
    return f"{sig.min_args} to {sig.max_args}"


def param_for(sig: Signature, index: int) -> P:
    if sig.name == "CASE":
        return P.ANY
    if index < len(sig.params):
        return sig.params[index]
    return sig.params[-1]
