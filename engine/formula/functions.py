"""The evaluator's half of the formula library: strict functions, one Python function each.

Values follow SPEC §1 blanks: blank text is "", a blank number/date/grade is None. A
function that cannot produce a value for its input raises `FormulaError`; the evaluator
turns that into an `EvalError` value for the one record, never a crash. The lazy
functions (AND, OR, IF, CASE, BLANKVALUE, NULLVALUE) live in the evaluator.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
import urllib.parse
import warnings
from collections.abc import Callable
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
    Overflow,
)
from functools import lru_cache
from typing import Any

# SPEC §3.6: ASCII digits 0-9 only ("١٢" is not a number, though str.isdigit says so)
NUMBER_TEXT = re.compile(r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*")


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
    # exact text, never quantize() or normalize(): a 29-digit or 1.5e300 value has more
    # digits than the decimal context holds, and those would fail or round it
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


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


# Java's POSIX and Unicode classes, as the contents of a Python character class. Java
# reads \w, \d, \s and \b as ASCII by default, so patterns compile with re.ASCII; the
# letter classes name Unicode ranges explicitly (Latin, Greek, Cyrillic, Hebrew, Arabic,
# Indic, Thai, CJK …): an approximation of \p{L}, as `re` has no Unicode database.
_LETTERS = (
    r"A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0370-\u03ff"
    r"\u0400-\u052f\u0531-\u0587\u05d0-\u05ea\u0620-\u064a\u0671-\u06d3\u0900-\u0dff"
    r"\u0e00-\u0e7f\u1e00-\u1fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
)
_UPPER = r"A-Z\u00c0-\u00d6\u00d8-\u00de\u0391-\u03a9\u0410-\u042f"
_LOWER = r"a-z\u00df-\u00f6\u00f8-\u00ff\u03b1-\u03c9\u0430-\u044f"
_DIGITS = r"0-9\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\uff10-\uff19"
_PUNCT = r"!-#%-*,-/:;?@\[-\]_{}\u00a1\u00a7\u00ab\u00b6\u00b7\u00bb\u00bf\u2010-\u2027"
_SPACES = r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CLASSES = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": r"\x00-\x7f",
    "Alpha": "A-Za-z",
    "Digit": "0-9",
    "Alnum": "A-Za-z0-9",
    "Punct": r"!-/:-@\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": r" \t",
    "Cntrl": r"\x00-\x1f\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": r" \t\n\x0b\f\r",
    "L": _LETTERS,
    "Alphabetic": _LETTERS,
    "Letter": _LETTERS,
    "Latin": r"A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff",
    "Lu": _UPPER,
    "Uppercase": _UPPER,
    "javaUpperCase": _UPPER,
    "Ll": _LOWER,
    "Lowercase": _LOWER,
    "javaLowerCase": _LOWER,
    "N": _DIGITS,
    "Nd": _DIGITS,
    "Digit_": _DIGITS,
    "P": _PUNCT,
    "Punctuation": _PUNCT,
    "Z": _SPACES,
    "Zs": _SPACES,
    "White_Space": r" \t\n\x0b\f\r\u0085" + _SPACES,
    "InBasicLatin": r"\x00-\x7f",
    "InLatin1Supplement": r"\x80-\xff",
    "InGreek": r"\u0370-\u03ff",
    "InCyrillic": r"\u0400-\u04ff",
    "InHebrew": r"\u0590-\u05ff",
    "InArabic": r"\u0600-\u06ff",
}
_HORIZONTAL = r" \t\u00a0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"
_JAVA_ESCAPE = re.compile(
    r"\\(?:[pP]\{(\w+)\}|[pP]([LNPZ])|Q(.*?)(?:\\E|$)|x\{([0-9a-fA-F]+)\}|(k)<(\w+)>|([zhH])|.)",
    re.S,
)


@lru_cache(maxsize=512)
def java_pattern(pattern: str) -> re.Pattern[str]:
    r"""Compile a Java regular expression (what Salesforce's REGEX reads) with Python's `re`.

    Translated: POSIX classes (`\p{Alpha}` …) and common Unicode classes (`\p{L}`, `\p{Lu}`,
    `\p{IsAlphabetic}` …) and their `\P{…}` negations, `\Q…\E` quoting, `\x{…}`, `\z`,
    `\h`, named groups `(?<name>…)` and `\k<name>`. Java's ASCII meaning of `\w`, `\d`, `\s`
    and `\b` (and its ASCII-only case folding) is kept with re.ASCII. Possessive quantifiers
    and atomic groups Python 3.11 reads as they are.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # `[[`: Java's class union
            return re.compile(_translate(pattern), re.ASCII)
    except (re.error, OverflowError, ValueError) as error:
        raise FormulaError(f"REGEX: invalid pattern {pattern!r}: {error}") from None


_INLINE_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")


def _translate(pattern: str) -> str:
    out: list[str] = []
    index = 0
    in_class = 0
    # per open group, how many scoped-flag groups to close with it: Java allows `(?i)`
    # anywhere, Python 3.11 only at the start, so `a(?i)b` becomes `a(?i:b)`
    closers = [0]
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            match = _JAVA_ESCAPE.match(pattern, index)
            assert match is not None
            out.append(_escape(match, pattern, in_class > 0))
            index = match.end()
            continue
        if in_class:
            if pattern.startswith("&&", index):
                raise FormulaError(f"REGEX: class intersection (&&) is not supported: {pattern!r}")
            in_class += char == "["
            in_class -= char == "]"
            out.append(char)
            index += 1
            continue
        flags = _INLINE_FLAGS.match(pattern, index)
        if flags is not None and index > 0:
            out.append(f"(?{flags.group(1)}:")
            closers[-1] += 1
            index = flags.end()
            continue
        if char in "^$" and pattern[index + 1 : index + 2] in ("*", "?", "+"):
            # Java quantifies an anchor (`$*`); Python refuses: `$*`, `$?` match anywhere,
            # `$+` is `$`
            if pattern[index + 1] == "+":
                out.append(char)
            index += 2
            continue
        if char == "[":
            in_class = 1
        elif char == "(":
            closers.append(0)
            if pattern.startswith("(?<", index) and pattern[index + 3 : index + 4] not in "=!":
                out.append("(?P<")  # Java's named group
                index += 3
                continue
        elif char == ")" and len(closers) > 1:
            out.append(")" * closers.pop())
        out.append(char)
        index += 1
    out.append(")" * closers[0])
    return "".join(out)


def _escape(match: re.Match[str], pattern: str, in_class: bool) -> str:
    whole = match.group()
    name = match.group(1) or match.group(2)
    if name is not None:
        body = _CLASSES.get(name) or _CLASSES.get(name.removeprefix("Is"))
        if body is None and name.removeprefix("Is") == "Digit":
            body = _DIGITS
        if body is None:
            raise FormulaError(f"REGEX: unknown character class {whole!r} in {pattern!r}")
        negated = whole[1] == "P"
        if in_class:
            if negated:
                raise FormulaError(f"REGEX: {whole!r} inside [...] is not supported")
            return body
        return f"[^{body}]" if negated else f"[{body}]"
    if whole.startswith("\\Q"):
        return re.escape(match.group(3) or "")
    if match.group(4) is not None:
        return f"\\U{int(match.group(4), 16):08x}"
    if match.group(5):
        return f"(?P={match.group(6)})"
    letter = match.group(7)
    if letter == "z":
        return r"\Z"
    if letter == "h":
        return _HORIZONTAL if in_class else f"[{_HORIZONTAL}]"
    if letter == "H":
        return f"[^{_HORIZONTAL}]"
    return whole


# A backtracking match may take exponential time ("(a+)+$" on "aaa…ab"). Patterns RE2 can
# express run on RE2, in time linear in the text; the rest (backreferences, lookaround,
# possessive quantifiers, atomic groups) run on the `regex` package's backtracking engine
# under a time budget. A pattern that runs out of it is this record's formula error, as
# VALUE("x") is: Salesforce's own REGEX has limits too.
REGEX_BUDGET_SECONDS = 0.5


def _regex(text: str, pattern: str) -> bool:
    java_pattern(pattern)  # Python's reading of the pattern decides what is valid
    linear = _re2_pattern(pattern)
    if linear is not None and _re2_agrees(pattern, text):
        return linear.fullmatch(text) is not None
    try:
        return _budgeted_pattern(pattern).fullmatch(text, timeout=REGEX_BUDGET_SECONDS) is not None
    except TimeoutError:
        raise FormulaError(
            f"REGEX: the pattern {pattern!r} took more than {REGEX_BUDGET_SECONDS} s on this "
            "value (catastrophic backtracking); rewrite it without nested repetition"
        ) from None


@lru_cache(maxsize=512)
def _re2_pattern(pattern: str) -> Any:
    """The pattern compiled by RE2, or None when RE2 cannot express it."""
    import re2  # type: ignore[import-untyped]

    translated = _for_re2(_translate(pattern))
    if translated is None:
        return None
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(translated, options)
    except re2.error:
        return None


@lru_cache(maxsize=512)
def _budgeted_pattern(pattern: str) -> Any:
    import regex  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return regex.compile(_translate(pattern), regex.ASCII | regex.VERSION0)


_CASE_FLAG = re.compile(r"\(\?[a-zA-Z]*i[a-zA-Z]*[:)]")
_DOLLAR = re.compile(r"(?<!\\)(?:\\\\)*\$")


def _re2_agrees(pattern: str, text: str) -> bool:
    """Whether RE2 gives Python's answer for this text. RE2 folds case beyond ASCII (Java
    and re.ASCII do not), and its `$` is the end of the text only, where Python's also
    matches before a final newline."""
    translated = _translate(pattern)
    if not text.isascii():
        try:
            text.encode("utf-8")  # RE2 reads UTF-8: a lone surrogate cannot be given to it
        except UnicodeEncodeError:
            return False
    if not (translated.isascii() and text.isascii()) and _CASE_FLAG.search(translated):
        return False
    return "\n" not in text or _DOLLAR.search(translated) is None


_PY_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)
_RE2_SPACE = r"\t\n\x0b\f\r "


def _for_re2(translated: str) -> str | None:
    r"""A Python pattern (as `_translate` writes it) in RE2's syntax, or None if RE2's
    meaning would differ: `\u` and four hex digits become `\x{…}`, `\Z` `\z`, and `\s` spells out
    Java's set (RE2's leaves out the vertical tab)."""
    out: list[str] = []
    index = 0
    class_start = -1  # where the open [...] begins in out, -1 outside one
    while index < len(translated):
        char = translated[index]
        if char == "\\":
            match = _PY_ESCAPE.match(translated, index)
            if match is None:
                return None
            index = match.end()
            code = match.group(1) or match.group(2)
            letter = match.group(3)
            if code is not None:
                out.append(f"\\x{{{code}}}")
            elif letter == "Z":
                out.append("\\z")
            elif letter == "s":
                out.append(_RE2_SPACE if class_start >= 0 else f"[{_RE2_SPACE}]")
            elif letter == "S":
                if class_start >= 0:
                    return None
                out.append(f"[^{_RE2_SPACE}]")
            elif letter.isdigit() and letter != "0":
                return None  # a backreference
            else:
                out.append(match.group())
            continue
        if class_start < 0:
            class_start = len(out) if char == "[" else -1
        elif char == "]" and out[class_start + 1 :] not in ([], ["^"]):
            class_start = -1  # a `]` first in the class is a literal
        out.append(char)
        index += 1
    return "".join(out)


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


def _addmonths(start: dt.date | None, months: Decimal | None) -> dt.date | None:
    """Salesforce's ADDMONTHS: the same day n months on, or the last day of that month
    when it is shorter (ADDMONTHS of Jan 31 is Feb 28 or 29)."""
    if start is None or months is None:
        return None
    total = start.year * 12 + (start.month - 1) + int(months)
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise FormulaError("ADDMONTHS: the date is out of range")
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    if isinstance(start, dt.datetime):
        return start.replace(year=year, month=month + 1, day=day)
    return dt.date(year, month + 1, day)


def _as_date(value: dt.date) -> dt.date:
    return value.astimezone(dt.UTC).date() if isinstance(value, dt.datetime) else value


def _weekday(value: dt.date) -> Decimal:
    return Decimal(_as_date(value).isoweekday() % 7 + 1)  # 1 = Sunday … 7 = Saturday


def _as_datetime(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def _unixtimestamp(value: dt.date) -> Decimal:
    return Decimal(int(_as_datetime(value).timestamp()))


def _fromunixtime(seconds: Decimal) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(seconds), tz=dt.UTC)


def _timevalue(value: object) -> dt.datetime | None:
    """A time of day, as a date/time on 1970-01-01 UTC (how formulon represents Time)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        t = value.astimezone(dt.UTC)
    else:
        text = str(value).strip().removesuffix("Z")
        try:
            t = dt.datetime.combine(dt.date(1970, 1, 1), dt.time.fromisoformat(text), dt.UTC)
        except ValueError:
            raise FormulaError(f'TIMEVALUE("{value}"): not a time') from None
    return t.replace(year=1970, month=1, day=1)


def _pad(left: bool) -> Callable[..., str]:
    def pad(text: str, length: Decimal | None, filler: str = " ") -> str:
        if length is None:
            return ""
        size = max(int(length), 0)
        if len(text) >= size or filler == "":
            return text[:size]
        room = size - len(text)
        fill = (filler * (room // len(filler) + 1))[:room]
        return fill + text if left else text + fill

    return pad


def _initcap(text: str) -> str:
    return re.sub(r"\S+", lambda m: m.group()[:1].upper() + m.group()[1:].lower(), text)


def _casesafeid(text: str) -> str:
    if len(text) < 15:
        return text
    base = text[:15]
    suffix = ""
    for chunk in (base[0:5], base[5:10], base[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return base + suffix


def _ascii(text: str) -> Decimal | None:
    return Decimal(ord(text[0])) if text else None


def _chr(code: Decimal | None) -> str:
    if code is None:
        return ""
    try:
        return chr(int(code))
    except (ValueError, OverflowError):
        raise FormulaError(f"CHR({code}): not a character code") from None


def _htmlencode(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def _jsencode(text: str) -> str:
    out = text.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r")
    return out.replace("<", "\\u003C").replace(">", "\\u003E")


def _hyperlink(url: str, name: str, target: str = "") -> str:
    where = f' target="{_htmlencode(target)}"' if target else ""
    return f'<a href="{_htmlencode(url)}"{where}>{_htmlencode(name)}</a>'


def _image(url: str, alt: str, height: Decimal | None = None, width: Decimal | None = None) -> str:
    size = "".join(
        f' {name}="{number_text(v)}"' for name, v in (("height", height), ("width", width)) if v
    )
    return f'<img src="{_htmlencode(url)}" alt="{_htmlencode(alt)}" border="0"{size}/>'


def _trunc(n: Decimal | None, digits: Decimal | None = Decimal(0)) -> Decimal | None:
    if n is None or digits is None:
        return None
    return n.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_DOWN)


def _positive(name: str, fn: Callable[[Decimal], Decimal]) -> Callable[..., Any]:
    def apply(n: Decimal | None) -> Decimal | None:
        if n is None:
            return None
        if (n <= 0 and name != "SQRT") or n < 0:
            raise FormulaError(f"{name}({number_text(n)}): not defined")
        return fn(n)

    return apply


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
    # Salesforce's FLOOR goes towards zero and CEILING away from it (FLOOR(-2.5) = -2,
    # CEILING(-2.5) = -3); MFLOOR and MCEILING are the mathematical ones
    "FLOOR": _nullsafe(lambda n: n.to_integral_value(rounding=ROUND_DOWN)),
    "CEILING": _nullsafe(lambda n: n.to_integral_value(rounding=ROUND_UP)),
    "MAX": _nullsafe(max),
    "MIN": _nullsafe(min),
    "FIND": _find,
    "SUBSTITUTE": lambda t, old, new: t.replace(old, new) if old else t,
    "EXP": _nullsafe(lambda n: n.exp()),
    "LN": _positive("LN", lambda n: n.ln()),
    "LOG": _positive("LOG", lambda n: n.log10()),
    "SQRT": _positive("SQRT", lambda n: n.sqrt()),
    "MCEILING": _nullsafe(lambda n: n.to_integral_value(rounding=ROUND_CEILING)),
    "MFLOOR": _nullsafe(lambda n: n.to_integral_value(rounding=ROUND_FLOOR)),
    "TRUNC": _trunc,
    "LPAD": _pad(left=True),
    "RPAD": _pad(left=False),
    "INITCAP": _initcap,
    "REVERSE": lambda t: t[::-1],
    "ASCII": _ascii,
    "CHR": _chr,
    "BR": lambda: "\n",
    "CASESAFEID": _casesafeid,
    "HTMLENCODE": _htmlencode,
    "JSENCODE": _jsencode,
    "JSINHTMLENCODE": lambda t: _htmlencode(_jsencode(t)),
    "URLENCODE": lambda t: urllib.parse.quote(t, safe=""),
    "HYPERLINK": _hyperlink,
    "IMAGE": _image,
    "ADDMONTHS": _addmonths,
    "WEEKDAY": _nullsafe(_weekday),
    "DAYOFYEAR": _nullsafe(lambda d: Decimal(_as_date(d).timetuple().tm_yday)),
    "ISOWEEK": _nullsafe(lambda d: Decimal(_as_date(d).isocalendar()[1])),
    "ISOYEAR": _nullsafe(lambda d: Decimal(_as_date(d).isocalendar()[0])),
    "HOUR": _nullsafe(lambda t: Decimal(_as_datetime(t).hour)),
    "MINUTE": _nullsafe(lambda t: Decimal(_as_datetime(t).minute)),
    "SECOND": _nullsafe(lambda t: Decimal(_as_datetime(t).second)),
    "MILLISECOND": _nullsafe(lambda t: Decimal(_as_datetime(t).microsecond // 1000)),
    "UNIXTIMESTAMP": _nullsafe(_unixtimestamp),
    "FROMUNIXTIME": _nullsafe(_fromunixtime),
    "TIMEVALUE": _timevalue,
}


def call_strict(name: str, args: list[Any]) -> Any:
    """Apply a strict function; Python-level failures become FormulaError."""
    try:
        return STRICT[name](*args)
    except FormulaError:
        raise
    except Overflow:  # EXP(1000000): beyond the decimal context's exponents
        raise FormulaError(f"{name}: number overflow") from None
    except (InvalidOperation, ValueError, OverflowError, TypeError) as error:
        raise FormulaError(f"{name}: {error}") from None
