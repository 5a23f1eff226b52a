"""The sync cycle (SPEC §3) compiled to SQL, in DuckDB's dialect; sqlglot re-emits it for
Spark. The Python reference (`runtime/cycle.py`) is the meaning; this module must give
the same plan, byte for byte, or say — located, rule and construct — that it cannot.

Values in SQL, by field class (SPEC §1 blanks):
- text-like fields (text, textarea, email, phone, picklist, id, reference): VARCHAR, blank "";
- number fields: VARCHAR holding the exact decimal text (`str(Decimal)`), NULL when blank;
  comparisons and arithmetic read it as DECIMAL(38,10) (the data check keeps values
  inside that range, so no rounding can differ from Python's `Decimal`);
- boolean fields: BOOLEAN, never NULL (a blank checkbox is false);
- grade fields: VARCHAR, NULL when blank; compared by grade rank.

One round evaluates, for a batch of prospects, visibility → matching → stages (in the
evaluation graph's topological order) → gate → field resolution and type fits → the
Salesforce checks → the action; its writes are then applied to the lead and contact
tables before the next round (`rounds`: SPEC §3's sequential semantics).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from engine import ir
from engine.check.model import CheckedRules, FieldInfo, Mapping
from engine.fieldtypes import GRADES, FieldType, Kind, Value, VType
from engine.formula import merge_fields
from engine.formula.functions import FormulaError, java_pattern
from engine.formula.signatures import SIGNATURES
from engine.plan import DropCode
from engine.source import Span
from engine.vocabulary import BinaryOp, LogicOp, MatchMode, Sync, UnaryOp

DEC = "DECIMAL(38,10)"
NEW_LEAD_PREFIX = "00QSR"  # as runtime/cycle.py names created leads
PY_SPACE = " \\t\\n\\r"  # what str.strip() strips from text the data check admits
NUMBER_RE = r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*"  # formula.functions.NUMBER_TEXT
EMAIL_RE = r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+"  # runtime.fit.EMAIL
KEY_SEP = "\x1f"  # joins the fields of a duplicate key (the data check bars control chars)


@dataclass(frozen=True, slots=True)
class Reason:
    """What a bulk engine cannot evaluate: the rule (or record set), the construct, where."""

    rule: str
    construct: str
    location: str = ""

    def __str__(self) -> str:
        at = f"{self.location}: " if self.location else ""
        return f"{at}{self.rule}: {self.construct}"


class LinkState(StrEnum):
    """A prospect whose link needs more than a CRM-id match (SPEC §3.2, merges)."""

    DELETED = "deleted"  # skip / crm_deleted
    MERGE = "merge"  # follows a merge to its master, unless another prospect holds it


class CannotEvaluate(Exception):
    """Raised with every reason found; `auto` falls back, a named engine exits 2."""

    def __init__(self, reasons: list[Reason]) -> None:
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = tuple(reasons)


class _Unsupported(Exception):
    """What SQL cannot give exactly. `curable`: the reference evaluator, run as a DuckDB
    UDF on the values the expression reads, can (see `Host`); else the engines decline."""

    def __init__(self, construct: str, span: Span | None = None, *, curable: bool = True) -> None:
        super().__init__(construct)
        self.construct = construct
        self.span = span
        self.curable = curable


def where(span: Span | None) -> str:
    return f"{span.path}:{span.line}:{span.col}" if span is not None else ""


def q(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A quoted string literal (backslashes are literal in DuckDB strings)."""
    return "'" + text.replace("'", "''") + "'"


class Cls(StrEnum):
    """How a field's values are held in SQL."""

    TEXT = "text"
    NUMBER = "number"
    BOOL = "boolean"
    GRADE = "grade"
    DATE = "date"  # isoformat text; synced only date ↔ date, never in expressions
    DATETIME = "datetime"  # isoformat text with its offset; datetime ↔ datetime only
    MULTI = "multipicklist"  # "A;B" as the loader normalises it, blank ""; read by the UDF


_TEXT_KINDS = frozenset(
    {Kind.TEXT, Kind.TEXTAREA, Kind.EMAIL, Kind.PHONE, Kind.PICKLIST, Kind.REFERENCE, Kind.ID}
)


def cls_of(ftype: FieldType) -> Cls | None:
    """The SQL class of a field type; None for the types the SQL engines do not hold yet."""
    if ftype.kind in _TEXT_KINDS:
        return Cls.TEXT
    return {
        Kind.NUMBER: Cls.NUMBER,
        Kind.BOOLEAN: Cls.BOOL,
        Kind.GRADE: Cls.GRADE,
        Kind.DATE: Cls.DATE,
        Kind.DATETIME: Cls.DATETIME,
        Kind.MULTIPICKLIST: Cls.MULTI,
    }.get(ftype.kind)


def sql_type(c: Cls) -> str:
    return "BOOLEAN" if c is Cls.BOOL else "VARCHAR"


def blank_sql(c: Cls) -> str:
    """runtime.fit.blank_of in SQL."""
    return {Cls.TEXT: "''", Cls.MULTI: "''", Cls.BOOL: "FALSE"}.get(c, "CAST(NULL AS VARCHAR)")


def is_blank_sql(value: str, c: Cls | VType) -> str:
    """formula.functions.is_blank: None or "" (false is not blank)."""
    text_like = (Cls.TEXT, Cls.MULTI, Cls.GRADE, VType.TEXT, VType.PICKLIST, VType.MULTIPICKLIST)
    if c in (*text_like, Cls.NUMBER, VType.GRADE):
        if c in (Cls.NUMBER,):
            return f"({value} IS NULL)"
        return f"({value} IS NULL OR {value} = '')"
    return f"({value} IS NULL)"


def full_match(text: str, pattern: str) -> str:
    """The whole text matches: anchored with ^ and \\z (Java's $ also matches before a
    final line break; \\z does not, in RE2 and Java alike)."""
    return f"regexp_matches({text}, {lit('^(?:' + pattern + ')' + chr(92) + 'z')})"


def _pytrim(value: str) -> str:
    return f"trim({value}, e' \\t\\n\\r')"


def number_text(dec: str) -> str:
    """formula.functions.number_text of a DECIMAL: `5`, `5.25`, `-0.5`."""
    return (
        f"(CASE WHEN {dec} = trunc({dec}) THEN CAST(CAST({dec} AS DECIMAL(38,0)) AS VARCHAR) "
        f"ELSE rtrim(CAST({dec} AS VARCHAR), '0') END)"
    )


def decimal_text(text: str) -> str:
    """`str(Decimal(text.strip()))` for a text that matches NUMBER_RE: sign kept, `+` and
    leading zeros dropped, `.5` → `0.5`, `5.` → `5`, trailing zeros kept."""
    s = _pytrim(text)
    body = f"ltrim({s}, '+-')"
    whole = f"ltrim(split_part({body}, '.', 1), '0')"
    frac = f"split_part({body}, '.', 2)"
    return (
        f"((CASE WHEN starts_with({s}, '-') THEN '-' ELSE '' END) "
        f"|| (CASE WHEN {whole} = '' THEN '0' ELSE {whole} END) "
        f"|| (CASE WHEN {frac} <> '' THEN '.' || {frac} ELSE '' END))"
    )


def as_dec(text: str) -> str:
    return f"CAST({text} AS {DEC})"


# -- expressions ------------------------------------------------------------------------


@dataclass(slots=True)
class Scope:
    """What an expression reads, as SQL: `field` and `prior` give a field's column as the
    table holds it (numbers, dates and date-times as their exact text)."""

    field: Callable[[ir.FieldRef], str]
    prior: Callable[[ir.FieldRef], str] | None = None  # None: prior value = current value
    is_new: str = "FALSE"
    stage: Callable[[str], str] | None = None
    assigned: str = "FALSE"
    # a related record's value (`RecordType.Name`, `Owner.Email`) by the reference as
    # written: its value and why it is missing (SQL), or None where the scope has none
    related: Callable[[str], tuple[str, str] | None] | None = None


def text_value(c: Cls, value: str) -> str:
    """A field value as an expression of its value type: numbers as DECIMAL, dates as DATE,
    date-times as TIMESTAMPTZ (an instant: Python compares aware date-times so too)."""
    if c is Cls.NUMBER:
        return as_dec(value)
    if c is Cls.DATE:
        return f"CAST({value} AS DATE)"
    if c is Cls.DATETIME:
        return f"CAST({value} AS TIMESTAMPTZ)"
    return value


GRADE_RANK_SQL = "CASE {x} " + " ".join(f"WHEN '{g}' THEN {i}" for i, g in enumerate(GRADES))


def grade_rank(value: str) -> str:
    return "(" + GRADE_RANK_SQL.format(x=value) + " ELSE -1 END)"


def compare_sql(op: BinaryOp, left: str, right: str, operand: VType, span: Span) -> str:
    """evaluate.compare in SQL: text blanks are "", other blanks make the result null."""
    sym = {
        BinaryOp.EQ: "=",
        BinaryOp.NE: "<>",
        BinaryOp.LT: "<",
        BinaryOp.LE: "<=",
        BinaryOp.GT: ">",
        BinaryOp.GE: ">=",
    }[op]
    if operand in (VType.TEXT, VType.PICKLIST):
        return f"(COALESCE({left}, '') {sym} COALESCE({right}, ''))"
    if operand in (VType.NUMBER, VType.BOOLEAN, VType.DATE, VType.DATETIME):
        return f"({left} {sym} {right})"
    if operand is VType.GRADE:
        return (
            f"(CASE WHEN {left} IS NULL OR {right} IS NULL THEN NULL "
            f"ELSE {grade_rank(left)} {sym} {grade_rank(right)} END)"
        )
    raise _Unsupported(f"comparing {operand} values", span)


Builder = Callable[["Compiler", ir.Call], str]


def _text_arg(c: Compiler, e: ir.Expr) -> str:
    """A strict function's text argument: a blank (null) text is "" (SPEC §1)."""
    return f"COALESCE({c.expr(e)}, '')"


def _logic_call(c: Compiler, e: ir.Call) -> str:
    word = " AND " if e.function == "AND" else " OR "
    return "(" + word.join(c.expr(a) for a in e.args) + ")"


def _if(c: Compiler, e: ir.Call) -> str:
    test, then, other = e.args
    return f"(CASE WHEN {c.expr(test)} THEN {c.expr(then)} ELSE {c.expr(other)} END)"


def _case(c: Compiler, e: ir.Call) -> str:
    subject = c.expr(e.args[0])
    kind = e.args[0].type
    operand = VType.TEXT if kind in (VType.PICKLIST, VType.TEXT) else kind
    pairs = e.args[1:-1]
    whens = " ".join(
        f"WHEN {compare_sql(BinaryOp.EQ, subject, c.expr(v), operand, e.span)} IS TRUE "
        f"THEN {c.expr(r)}"
        for v, r in zip(pairs[0::2], pairs[1::2], strict=True)
    )
    return f"(CASE {whens} ELSE {c.expr(e.args[-1])} END)"


def _isblank(c: Compiler, e: ir.Call) -> str:
    return is_blank_sql(c.expr(e.args[0]), c.vtype(e.args[0]))


def _blankvalue(c: Compiler, e: ir.Call) -> str:
    first = c.expr(e.args[0])
    test = (
        f"({first} IS NULL)"
        if e.function == "NULLVALUE"
        else is_blank_sql(first, c.vtype(e.args[0]))
    )
    return f"(CASE WHEN {test} THEN {c.expr(e.args[1])} ELSE {first} END)"


def _text(c: Compiler, e: ir.Call) -> str:
    arg = e.args[0]
    value = c.expr(arg)
    kind = c.vtype(arg)
    if kind in (VType.TEXT, VType.PICKLIST, VType.GRADE):
        return f"COALESCE({value}, '')"
    if kind is VType.NUMBER:
        if isinstance(arg, ir.FieldRef):  # its exact text: a -0.0 read is "-0"
            raw = c.scope.field(arg)
            return f"(CASE WHEN {raw} IS NULL THEN '' ELSE {signed_number_text(raw)} END)"
        if any(_signs_zero(n) for n in ir.walk(arg)):
            raise _Unsupported(
                "TEXT of a number that may be -0 (Decimal keeps the sign of zero: "
                'TEXT(-0) is "-0"; DECIMAL has none)',
                e.span,
            )
        return f"(CASE WHEN {value} IS NULL THEN '' ELSE {number_text(value)} END)"
    if kind is VType.BOOLEAN:
        return f"(CASE WHEN {value} IS NULL THEN '' WHEN {value} THEN 'true' ELSE 'false' END)"
    if kind is VType.NULL:
        return "''"
    raise _Unsupported(f"TEXT of a {kind} value", e.span)


class Fail(StrEnum):
    """The kind of a failure in an error column (its first character)."""

    ERROR = "E"  # a formula error (runtime/evaluate.EvalError)
    UNAVAILABLE = "U"  # a value the record set does not give (evaluate.Unavailable)
    DECLINE = "D"  # the reference gives a value SQL cannot hold: the engine declines


FAIL_SEP = "\x1f"  # between a failure's location and its message (chr(31) in SQL)


def _fail(kind: Fail, span: Span, message: str) -> str:
    """A failure as SQL text: kind and location, chr(31), then the message (SQL)."""
    return f"({lit(kind.value + where(span))} || chr(31) || {message})"


def _fits_dec(number: str) -> str:
    """A number's canonical text (decimal_text) holds in DECIMAL(38,10) exactly."""
    whole = f"length(ltrim(split_part(ltrim({number}, '-'), '.', 1), '0'))"
    frac = f"length(rtrim(split_part({number}, '.', 2), '0'))"
    return f"({whole} <= 27 AND {frac} <= 10)"


def _value(c: Compiler, e: ir.Call) -> str:
    """VALUE(text): the number, NULL for a blank, else a failure (_value_err)."""
    text = _text_arg(c, e.args[0])
    number = decimal_text(text)
    ok = f"({full_match(text, NUMBER_RE)} AND {_fits_dec(number)})"
    return f"(CASE WHEN {ok} THEN CAST({number} AS {DEC}) END)"


def _value_err(c: Compiler, e: ir.Call) -> str:
    text = _text_arg(c, e.args[0])
    number = decimal_text(text)
    message = f"'VALUE(\"' || {text} || '\"): not a number'"  # functions._value
    wide = lit("VALUE of a number beyond DECIMAL(38,10)")
    return (
        f"(CASE WHEN {_pytrim(text)} = '' THEN NULL "
        f"WHEN NOT {full_match(text, NUMBER_RE)} THEN {_fail(Fail.ERROR, e.span, message)} "
        f"WHEN NOT {_fits_dec(number)} THEN {_fail(Fail.DECLINE, e.span, wide)} END)"
    )


def _signs_zero(node: ir.Expr) -> bool:
    """A node whose number may be -0 in Python (`-x`, VALUE("-0"), a number field read
    as -0.0, which a sum of two -0 keeps: any other sum of zeros is 0)."""
    neg = isinstance(node, ir.Unary) and node.op is UnaryOp.NEG
    field = isinstance(node, ir.FieldRef) and node.type is VType.NUMBER
    return neg or field or (isinstance(node, ir.Call) and node.function == "VALUE")


def _date_part(part: str) -> Builder:
    def build(c: Compiler, e: ir.Call) -> str:
        if c.vtype(e.args[0]) is not VType.DATE:  # a date-time's day is in its own offset
            raise _Unsupported(f"{e.function}() of a {c.vtype(e.args[0])} value", e.span)
        return f"CAST({part}({c.expr(e.args[0])}) AS {DEC})"

    return build


def _right(c: Compiler, e: ir.Call) -> str:
    # text[len(text) - n:] for n > 0: Python's slice counts a negative start from the end
    t = _text_arg(c, e.args[0])
    n = c.expr(e.args[1])
    count = f"CAST(trunc({n}) AS BIGINT)"
    size = f"length({t})"
    return (
        f"(CASE WHEN {n} IS NULL OR {count} <= 0 THEN '' WHEN {count} <= {size} "
        f"THEN right({t}, {count}) WHEN {count} - {size} >= {size} THEN {t} "
        f"ELSE right({t}, {count} - {size}) END)"
    )


def _left(c: Compiler, e: ir.Call) -> str:
    t = _text_arg(c, e.args[0])
    n = c.expr(e.args[1])
    return (
        f"(CASE WHEN {n} IS NULL THEN '' "
        f"ELSE left({t}, greatest(CAST(trunc({n}) AS BIGINT), 0)) END)"
    )


def _regex(c: Compiler, e: ir.Call) -> str:
    pattern = e.args[1]
    if not isinstance(pattern, ir.Const) or not isinstance(pattern.value, str):
        raise _Unsupported("REGEX with a pattern that is not a literal", e.span)
    text = pattern.value
    if not text or any(ch not in SAFE_REGEX_CHARS for ch in text):
        raise _Unsupported(
            f"REGEX pattern {text!r} (SQL runs a subset of Java patterns: letters, digits, "
            "classes, groups, | and the quantifiers * + ?)",
            e.span,
        )
    try:
        java_pattern(text)
    except FormulaError:
        raise _Unsupported(f"REGEX pattern {text!r} does not compile", e.span) from None
    return full_match(_text_arg(c, e.args[0]), text)


SAFE_REGEX_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,.&-_@:/'#!%=~[]()|*+?{}"
)


def _ischanged(c: Compiler, e: ir.Call) -> str:
    ref = e.args[0]
    assert isinstance(ref, ir.FieldRef)
    now, before = c.expr(ref), c.prior(ref)
    return f"(CASE WHEN {c.scope.is_new} THEN FALSE ELSE ({now} IS DISTINCT FROM {before}) END)"


def _priorvalue(c: Compiler, e: ir.Call) -> str:
    ref = e.args[0]
    assert isinstance(ref, ir.FieldRef)
    return c.prior(ref)


# One builder per function of the formula library, or an explicit reason it has none
# (tests/bulk/test_sql_functions.py fails on a function that has neither).
BUILDERS: dict[str, Builder] = {
    "AND": _logic_call,
    "OR": _logic_call,
    "NOT": lambda c, e: f"(NOT {c.expr(e.args[0])})",
    "IF": _if,
    "CASE": _case,
    "ISBLANK": _isblank,
    "ISNULL": lambda c, e: f"({c.expr(e.args[0])} IS NULL)",
    "BLANKVALUE": _blankvalue,
    "NULLVALUE": _blankvalue,
    "VALUE": _value,
    # the run's clock (--now), bound when the engine runs (`bind_clock`)
    "TODAY": lambda c, e: "CAST($today AS DATE)",
    "NOW": lambda c, e: "CAST($now AS TIMESTAMPTZ)",
    "YEAR": _date_part("year"),
    "MONTH": _date_part("month"),
    "DAY": _date_part("day"),
    "ISPICKVAL": lambda c, e: f"(COALESCE({c.expr(e.args[0])}, '') = {_text_arg(c, e.args[1])})",
    "TEXT": _text,
    "LEN": lambda c, e: f"CAST(length({_text_arg(c, e.args[0])}) AS {DEC})",
    "BEGINS": lambda c, e: f"starts_with({_text_arg(c, e.args[0])}, {_text_arg(c, e.args[1])})",
    "CONTAINS": lambda c, e: f"contains({_text_arg(c, e.args[0])}, {_text_arg(c, e.args[1])})",
    "UPPER": lambda c, e: f"upper({_text_arg(c, e.args[0])})",
    "LOWER": lambda c, e: f"lower({_text_arg(c, e.args[0])})",
    "TRIM": lambda c, e: _pytrim(_text_arg(c, e.args[0])),
    "LEFT": _left,
    "RIGHT": _right,
    "ISNUMBER": lambda c, e: full_match(_text_arg(c, e.args[0]), NUMBER_RE),
    "REGEX": _regex,
    "ISNEW": lambda c, e: c.scope.is_new,
    "ISCLONE": lambda c, e: "FALSE",
    "ISCHANGED": _ischanged,
    "PRIORVALUE": _priorvalue,
}

_WHY = {
    "dates": "its date and time semantics are the reference's only",
    "errors": "Decimal's results and failures are the reference's only",
    "decimal": "Decimal and DECIMAL(38,10) differ in precision and rounding",
    "text": "its Python and SQL text semantics have not been matched",
    "multi": "multi-select picklists are not held in SQL",
    "context": "it reads the running user or related records, which SQL does not hold",
}
_UNSUPPORTED_GROUPS: dict[str, list[str]] = {
    "dates": [
        "DATE",
        "DATEVALUE",
        "DATETIMEVALUE",
        "ADDMONTHS",
        "WEEKDAY",
        "DAYOFYEAR",
        "ISOWEEK",
        "ISOYEAR",
        "HOUR",
        "MINUTE",
        "SECOND",
        "MILLISECOND",
        "UNIXTIMESTAMP",
        "FROMUNIXTIME",
        "TIMEVALUE",
        "TIMENOW",
    ],
    "errors": ["MOD", "LN", "LOG", "SQRT"],
    "decimal": [
        "ROUND",
        "FLOOR",
        "CEILING",
        "MCEILING",
        "MFLOOR",
        "TRUNC",
        "ABS",
        "MAX",
        "MIN",
        "EXP",
    ],
    "text": [
        "MID",
        "FIND",
        "SUBSTITUTE",
        "LPAD",
        "RPAD",
        "INITCAP",
        "REVERSE",
        "ASCII",
        "CHR",
        "BR",
        "CASESAFEID",
        "HTMLENCODE",
        "JSENCODE",
        "JSINHTMLENCODE",
        "URLENCODE",
        "HYPERLINK",
        "IMAGE",
    ],
    "multi": ["INCLUDES"],
    "context": [merge_fields.MERGE, "CURRENCYRATE", "GETRECORDIDS", "GETSESSIONID", "VLOOKUP"],
}
UNSUPPORTED: dict[str, str] = {
    name: _WHY[group] for group, names in _UNSUPPORTED_GROUPS.items() for name in names
}


@dataclass(slots=True)
class Compiler:
    """IR → SQL for one scope; raises `_Unsupported` for what SQL cannot give exactly.

    Every value has an error beside it (`err`): NULL, or the failure as text — its kind
    (`E` a formula error, `U` a value nothing gives, `D` a value SQL cannot hold exactly,
    which makes the engine decline at run time), the location, chr(31) and the message,
    as runtime/evaluate.py words it. `hosts` (None: none allowed) collects the boolean
    expressions that SQL cannot give and the reference evaluates in a UDF instead."""

    scope: Scope
    hosts: list[Host] | None = None
    rule: str = ""
    _values: dict[int, str] = field(default_factory=dict)
    _errors: dict[int, str | None] = field(default_factory=dict)
    _hosted: dict[int, str] = field(default_factory=dict)  # node → its error SQL

    def vtype(self, e: ir.Expr) -> VType:
        return e.type

    def prior(self, ref: ir.FieldRef) -> str:
        if self.scope.prior is None:
            return self.expr(ref)
        c = cls_of(ref.field_type)
        assert c is not None
        return text_value(c, self.scope.prior(ref))

    def expr(self, e: ir.Expr) -> str:
        found = self._values.get(id(e))
        if found is not None:
            return found
        try:
            sql = self._native(e)
        except _Unsupported as why:
            if not (why.curable and self.hosts is not None and e.type is VType.BOOLEAN):
                raise
            sql = self._host(e, why)
        self._values[id(e)] = sql
        return sql

    def _native(self, e: ir.Expr) -> str:
        if e.type in (VType.MULTIPICKLIST, VType.ANY):
            raise _Unsupported(f"a {e.type} value", e.span)
        match e:
            case ir.Const(value=value):
                return _const(value, e.span)
            case ir.FieldRef():
                c = cls_of(e.field_type)
                if c is None:
                    raise _Unsupported(
                        f"field {e.object}.{e.name} of type {e.field_type}", e.span, curable=False
                    )
                return text_value(c, self.scope.field(e))
            case ir.StageRef(name=name):
                if self.scope.stage is None:
                    raise _Unsupported(
                        "a stage outside stage and gate rules", e.span, curable=False
                    )
                return self.scope.stage(name)
            case ir.Assigned():
                return self.scope.assigned
            case ir.Call():
                related = self._related(e)
                if related is not None:
                    return related[0]
                builder = BUILDERS.get(e.function)
                if builder is None:
                    why = UNSUPPORTED.get(e.function, "no SQL builder")
                    raise _Unsupported(f"{e.function}(): {why}", e.span)
                return builder(self, e)
            case ir.Unary(op=op, operand=operand):
                if op is UnaryOp.NOT:
                    return f"(NOT {self.expr(operand)})"
                if op is UnaryOp.NEG:
                    if operand.type is not VType.NUMBER:
                        raise _Unsupported(f"unary minus of a {operand.type} value", e.span)
                    return f"(- {self.expr(operand)})"
                return self.expr(operand)
            case ir.Binary():
                return self._binary(e)
            case ir.Logic(op=op, operands=operands):
                word = " AND " if op is LogicOp.AND else " OR "
                return "(" + word.join(self.expr(o) for o in operands) + ")"
            case ir.InList(subject=subject, options=options, operand_type=operand):
                s = self.expr(subject)
                tests = [
                    compare_sql(BinaryOp.EQ, s, self.expr(o), operand, e.span) for o in options
                ]
                return "(" + " OR ".join(tests) + ")"
            case ir.InGroup(subject=subject, group=group):
                if subject.type not in (VType.TEXT, VType.PICKLIST):
                    raise _Unsupported(f"`in group` of a {subject.type} value", e.span)
                s = self.expr(subject)
                return (
                    f"(CASE WHEN COALESCE({s}, '') = '' THEN FALSE ELSE {in_group(s, group)} END)"
                )
        raise _Unsupported(type(e).__name__, e.span)

    def _binary(self, e: ir.Binary) -> str:
        if e.op in (BinaryOp.EQ, BinaryOp.NE):
            tested = _blank_test(e)
            if tested is not None:
                test = is_blank_sql(self.expr(tested), tested.type)
                return test if e.op is BinaryOp.EQ else f"(NOT {test})"
        if e.type is VType.BOOLEAN:
            for side in (e.left, e.right):
                if e.operand_type in _TIMED and side.type not in (e.operand_type, VType.NULL):
                    raise _Unsupported(
                        f"comparing a {side.type} with a {e.operand_type} value", e.span
                    )
            return compare_sql(e.op, self.expr(e.left), self.expr(e.right), e.operand_type, e.span)
        if e.type is VType.TEXT:
            for side in (e.left, e.right):
                if side.type not in (VType.TEXT, VType.PICKLIST, VType.NULL):
                    raise _Unsupported(f"joining a {side.type} value as text", e.span)
            return f"(COALESCE({self.expr(e.left)}, '') || COALESCE({self.expr(e.right)}, ''))"
        numbers = all(side.type in (VType.NUMBER, VType.NULL) for side in (e.left, e.right))
        if e.type is VType.NUMBER and numbers and e.op in (BinaryOp.ADD, BinaryOp.SUB):
            a, b = self.expr(e.left), self.expr(e.right)
            sym = "+" if e.op is BinaryOp.ADD else "-"
            return f"(CASE WHEN {_small(a, b)} THEN CAST({a} {sym} {b} AS {DEC}) END)"
        if not numbers:
            raise _Unsupported(f"operator {e.op.value} on date or time values", e.span)
        raise _Unsupported(
            f"operator {e.op.value} on number values (Decimal rounds to 28 significant "
            "digits, DECIMAL(38,10) to 10 decimals)",
            e.span,
        )

    def _related(self, e: ir.Call) -> tuple[str, str] | None:
        """A related record's value, as SQL: (the value, its failure when the record set
        does not give it); None when `e` is not one."""
        reference = merge_fields.referenced(e) if e.function == merge_fields.MERGE else None
        if reference is None or not is_related(reference):
            return None
        found = self.scope.related(reference) if self.scope.related is not None else None
        if found is None:
            raise _Unsupported(
                f"{reference}: a related record's value, which SQL holds for lead and "
                "contact validation rules only",
                e.span,
                curable=False,
            )
        value, missing = found
        c = RELATED_CLS.get(e.type)
        if c is None:  # of no one type: the reference's UDF reads it (udf.py)
            raise _Unsupported(f"{reference}: a related record's value of type {e.type}", e.span)
        failed = _fail(
            Fail.UNAVAILABLE, e.span, f"{lit(f'cannot evaluate {reference}: ')} || {missing}"
        )
        typed = f"CAST({value} AS BOOLEAN)" if c is Cls.BOOL else text_value(c, value)
        return typed, f"(CASE WHEN {missing} IS NOT NULL THEN {failed} END)"

    # -- errors (runtime/evaluate.py's order: the first failure met is the result) --------

    def err(self, e: ir.Expr) -> str | None:
        """SQL giving the failure of `e` for a row (NULL: none); None: `e` cannot fail."""
        if id(e) in self._errors:
            return self._errors[id(e)]
        self.expr(e)
        hosted = self._hosted.get(id(e))
        out = hosted if hosted is not None else self._native_err(e)
        self._errors[id(e)] = out
        return out

    def _native_err(self, e: ir.Expr) -> str | None:
        match e:
            case ir.Unary(operand=operand):
                return self.err(operand)
            case ir.InGroup(subject=subject):
                return self.err(subject)
            case ir.Logic(op=op, operands=operands):
                return self._logic_err(op is LogicOp.OR, operands)
            case ir.InList():
                return self._in_list_err(e)
            case ir.Binary():
                if e.op in (BinaryOp.EQ, BinaryOp.NE):
                    tested = _blank_test(e)
                    if tested is not None:
                        return self.err(tested)
                own = None
                if e.type is VType.NUMBER and e.op in (BinaryOp.ADD, BinaryOp.SUB):
                    own = self._sum_err(e)
                return _first(self.err(e.left), self.err(e.right), own)
            case ir.Call():
                return self._call_err(e)
        return None

    def _logic_err(self, decides_true: bool, operands: tuple[ir.Expr, ...]) -> str | None:
        """evaluate._logic: a failure stops it, unless it is `U` (a later operand may still
        decide); an operand that decides stops it without one."""
        errs = [self.err(o) for o in operands]
        if all(x is None for x in errs):
            return None
        whens = []
        for operand, failed in zip(operands, errs, strict=True):
            decides = f"({self.expr(operand)}) IS {'TRUE' if decides_true else 'FALSE'}"
            if failed is None:
                whens.append(f"WHEN {decides} THEN NULL")
                continue
            whens.append(f"WHEN {failed} IS NOT NULL AND left({failed}, 1) <> 'U' THEN {failed}")
            whens.append(f"WHEN {failed} IS NULL AND {decides} THEN NULL")
        rest = _first(*errs)
        return f"(CASE {' '.join(whens)} ELSE {rest} END)"

    def _in_list_err(self, e: ir.InList) -> str | None:
        subject = self.err(e.subject)
        errs = [self.err(o) for o in e.options]
        if all(x is None for x in errs):
            return subject
        s = self.expr(e.subject)
        whens = [f"WHEN {subject} IS NOT NULL THEN {subject}"] if subject else []
        for option, failed in zip(e.options, errs, strict=True):
            if failed is not None:
                whens.append(f"WHEN {failed} IS NOT NULL THEN {failed}")
            same = compare_sql(BinaryOp.EQ, s, self.expr(option), e.operand_type, e.span)
            whens.append(f"WHEN {same} IS TRUE THEN NULL")
        return f"(CASE {' '.join(whens)} END)"

    def _sum_err(self, e: ir.Binary) -> str:
        """Python's Decimal rounds a sum to 28 significant digits: beyond that (or where
        DECIMAL(38,10) could overflow), SQL cannot say what it gives."""
        a, b = self.expr(e.left), self.expr(e.right)
        digits = f"length(trim(replace(CAST(abs({self.expr(e)}) AS VARCHAR), '.', ''), '0'))"
        beyond = _fail(
            Fail.DECLINE, e.span, lit("a sum beyond 28 significant digits (Decimal rounds it)")
        )
        return (
            f"(CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL "
            f"WHEN NOT {_small(a, b)} OR {digits} > 28 THEN {beyond} END)"
        )

    def _call_err(self, e: ir.Call) -> str | None:
        name, args = e.function, e.args
        if name in ("AND", "OR"):
            return self._logic_err(name == "OR", args)
        if name == "IF":
            test, then, other = (self.err(a) for a in args)
            if test is None and then is None and other is None:
                return None
            head = f"WHEN {test} IS NOT NULL THEN {test} " if test else ""
            return (
                f"(CASE {head}WHEN ({self.expr(args[0])}) IS TRUE THEN {then or 'NULL'} "
                f"ELSE {other or 'NULL'} END)"
            )
        if name == "CASE":
            return self._case_err(e)
        if name in ("BLANKVALUE", "NULLVALUE"):
            first, second = self.err(args[0]), self.err(args[1])
            if first is None and second is None:
                return None
            value = self.expr(args[0])
            missing = (
                f"({value} IS NULL)"
                if name == "NULLVALUE"
                else is_blank_sql(value, self.vtype(args[0]))
            )
            head = f"WHEN {first} IS NOT NULL THEN {first} " if first else ""
            return f"(CASE {head}WHEN {missing} THEN {second or 'NULL'} END)"
        if name in _CONTEXTUAL:
            return None
        related = self._related(e)
        if related is not None:
            return related[1]
        own = _value_err(self, e) if name == "VALUE" else None
        return _first(*(self.err(a) for a in args), own)

    def _case_err(self, e: ir.Call) -> str | None:
        errs = [self.err(a) for a in e.args]
        if all(x is None for x in errs):
            return None
        subject = self.expr(e.args[0])
        kind = e.args[0].type
        operand = VType.TEXT if kind in (VType.PICKLIST, VType.TEXT) else kind
        whens = [f"WHEN {errs[0]} IS NOT NULL THEN {errs[0]}"] if errs[0] else []
        pairs = list(zip(e.args[1:-1][0::2], errs[1:-1][0::2], errs[1:-1][1::2], strict=True))
        for value, value_err, result_err in pairs:
            if value_err is not None:
                whens.append(f"WHEN {value_err} IS NOT NULL THEN {value_err}")
            same = compare_sql(BinaryOp.EQ, subject, self.expr(value), operand, e.span)
            whens.append(f"WHEN {same} IS TRUE THEN {result_err or 'NULL'}")
        return f"(CASE {' '.join(whens)} ELSE {errs[-1] or 'NULL'} END)"

    # -- the reference as a UDF ---------------------------------------------------------

    def _host(self, e: ir.Expr, why: _Unsupported) -> str:
        """`e` evaluated by the reference in a DuckDB UDF on the values it reads."""
        assert self.hosts is not None
        leaves: dict[Leaf, str] = {}
        for node in ir.walk(e):
            match node:
                case ir.FieldRef():
                    if cls_of(node.field_type) is None:
                        raise _Unsupported(
                            f"field {node.object}.{node.name} of type {node.field_type}",
                            node.span,
                            curable=False,
                        )
                    leaf = Leaf(LeafKind.FIELD, node.object, node.name, node.field_type)
                    leaves[leaf] = self.scope.field(node)
                case ir.StageRef(name=name):
                    if self.scope.stage is None:
                        raise _Unsupported("a stage outside stage rules", node.span, curable=False)
                    leaves[Leaf(LeafKind.STAGE, name=name)] = self.scope.stage(name)
                case ir.Assigned():
                    leaves[Leaf(LeafKind.ASSIGNED)] = self.scope.assigned
                case ir.InGroup():
                    raise _Unsupported(
                        f"`in group` inside an expression SQL cannot give ({why.construct})",
                        node.span,
                        curable=False,
                    )
                case ir.Call(function=function, args=args):
                    if function in ("ISNEW", "ISCHANGED"):
                        leaves[Leaf(LeafKind.NEW)] = self.scope.is_new
                    if function in ("ISCHANGED", "PRIORVALUE"):
                        ref = args[0]
                        assert isinstance(ref, ir.FieldRef)
                        leaf = Leaf(LeafKind.PRIOR, ref.object, ref.name, ref.field_type)
                        raw = self.scope.prior or self.scope.field
                        leaves[leaf] = raw(ref)
                    reference = merge_fields.referenced(node)
                    if reference is not None and is_related(reference):
                        # the value as the table holds it, and why the record set gives none
                        columns = self.scope.related(reference) if self.scope.related else None
                        if columns is None:
                            self._related(node)  # raises: named
                        assert columns is not None
                        c = RELATED_CLS.get(node.type)
                        ftype = CLS_TYPES[c] if c is not None else None  # None: tagged
                        leaf = Leaf(LeafKind.RELATED, name=reference, field_type=ftype)
                        leaves[leaf] = columns[0]
                        leaves[Leaf(LeafKind.RELATED_MISSING, name=reference)] = columns[1]
        name = f"__syncrules_eval{len(self.hosts)}"
        host = Host(name, e, tuple(leaves), Reason(self.rule, why.construct, where(why.span)))
        self.hosts.append(host)
        call = f"{name}({', '.join(leaves.values())})"
        self._hosted[id(e)] = f"(CASE WHEN length({call}) > 1 THEN {call} END)"
        return f"(CASE {call} WHEN 'T' THEN TRUE WHEN 'F' THEN FALSE END)"


_TIMED = (VType.DATE, VType.DATETIME)
_CONTEXTUAL = frozenset({"ISNEW", "ISCLONE", "ISCHANGED", "PRIORVALUE", "TODAY", "NOW"})
BIG = f"CAST('500000000000000000000000000' AS {DEC})"  # 5e26: a sum of two stays in range


def _small(a: str, b: str) -> str:
    return f"(abs({a}) < {BIG} AND abs({b}) < {BIG})"


def _first(*errs: str | None) -> str | None:
    """The first failure met, left to right (COALESCE: a later one is only reached when
    the earlier ones did not fail)."""
    found = [x for x in errs if x is not None]
    if not found:
        return None
    return found[0] if len(found) == 1 else f"COALESCE({', '.join(found)})"


class LeafKind(StrEnum):
    FIELD = "field"
    PRIOR = "prior"  # the field before the write (PRIORVALUE, ISCHANGED)
    STAGE = "stage"
    ASSIGNED = "assigned"
    NEW = "new"  # ISNEW()
    RELATED = "related"  # a related record's value (Related), by the reference as written
    RELATED_MISSING = "related_missing"  # why the record set does not give it, or NULL


@dataclass(frozen=True, slots=True)
class Leaf:
    """A value a hosted expression reads, handed to its UDF as one argument."""

    kind: LeafKind
    object: str = ""
    name: str = ""
    field_type: FieldType | None = None

    @property
    def boolean(self) -> bool:
        if self.kind in (LeafKind.RELATED, LeafKind.RELATED_MISSING):
            return False  # VARCHAR: a related boolean travels as 'true'/'false'
        if self.field_type is None:
            return True  # stages, assigned, ISNEW
        return cls_of(self.field_type) is Cls.BOOL


@dataclass(frozen=True, slots=True)
class Host:
    """A boolean expression SQL cannot give exactly, evaluated by the reference
    (runtime/evaluate.py) in a DuckDB Python UDF, `name`, on the values it reads
    (`engine/bulk/udf.py`). It answers 'T', 'F', NULL or a failure as `err` words it.
    Spark has no such UDF and declines, naming `reason`."""

    name: str
    expr: ir.Expr
    leaves: tuple[Leaf, ...]
    reason: Reason


def _blank_test(e: ir.Binary) -> ir.Expr | None:
    for side, other in ((e.left, e.right), (e.right, e.left)):
        blank = isinstance(other, ir.Const) and (other.value is None or other.value == "")
        if blank and other.type in (VType.NULL, VType.TEXT):
            return side
    return None


def _const(value: Decimal | str | bool | None, span: Span) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        if not number_fits(value):
            raise _Unsupported(f"the number {value} (outside DECIMAL(38,10))", span)
        return as_dec(lit(format(value, "f")))
    if not tame(value):
        raise _Unsupported(f"the text {value!r} (Unicode spaces, digits or controls)", span)
    return lit(value)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def tame(text: str) -> bool:
    """Text that compares, measures (code points) and fits alike in Python and SQL: no
    control characters but tab and line breaks, and outside ASCII no white space or digits
    (Python's `\\s`, `\\d` and `strip()` know Unicode; RE2 and `trim` do not)."""
    if text.isascii():
        return _CONTROL.search(text) is None
    return _CONTROL.search(text) is None and not any(
        ch.isspace() or ch.isdecimal() or "\x80" <= ch <= "\x9f" for ch in text if ch > "\x7f"
    )


def printable(text: str) -> bool:
    """Text whose case folding, stripping, length and `\\s` agree between Python and SQL:
    ASCII without control characters other than tab and line breaks."""
    return text.isascii() and _CONTROL.search(text) is None


def number_fits(value: Decimal) -> bool:
    if not value.is_finite():
        return False
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent > 0 or -exponent > 10:
        return False
    whole = len(digits) + exponent
    return whole <= 27


def in_group(user: str, group: str) -> str:
    """runtime.context.Directory.in_group: the Id's groups, else its 15-character prefix's.
    Scalar subqueries (not EXISTS) so that Spark accepts them in a select list."""
    g = lit(group)

    def count(key: str, extra: str) -> str:
        return f"(SELECT count(*) FROM __groups AS g WHERE g.k = {key}{extra})"

    member, known = count(user, f" AND g.g = {g}"), count(user, "")
    by_prefix = count(f"left({user}, 15)", f" AND g.g = {g}")
    return f"({member} > 0 OR ({known} = 0 AND {by_prefix} > 0))"


# -- type fits (SPEC §3.6) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fit:
    code: str  # SQL: the drop code, NULL when the value fits
    value: str  # SQL: the value as the field stores it (meaningful when code is NULL)


def signed_number_text(text: str) -> str:
    """formula.functions.number_text of a number held as its exact text: a zero keeps
    its sign (`-0.0` is "-0", as Decimal has it; a DECIMAL has none)."""
    dec = as_dec(text)
    negative_zero = f"starts_with({text}, '-') AND {dec} = 0"
    return f"(CASE WHEN {negative_zero} THEN '-0' ELSE {number_text(dec)} END)"


def to_text_sql(value: str, c: Cls) -> str:
    if c is Cls.NUMBER:
        return signed_number_text(value)
    if c is Cls.BOOL:
        return f"(CASE WHEN {value} THEN 'true' ELSE 'false' END)"
    return value


def fit_sql(value: str, source: Cls, into: FieldType) -> Fit:
    """runtime.fit.fit for a non-blank value of class `source`."""
    target = cls_of(into)
    none = "CAST(NULL AS VARCHAR)"
    if target in (Cls.DATE, Cls.DATETIME) or source in (Cls.DATE, Cls.DATETIME):
        # only date ↔ date and datetime ↔ datetime are compiled (_static_checks)
        assert source is target
        return Fit(none, value)
    if into.kind is Kind.NUMBER:
        # runtime.fit.whole_digits on the number's exact text (numbers travel as text)
        wide = f"({_whole_digits(value)} > {into.whole_digits})"
        if source is Cls.NUMBER:
            return Fit(f"(CASE WHEN {wide} THEN {lit(RANGE)} END)", value)
        if source is Cls.BOOL:
            return Fit("'INVALID_TYPE'", none)
        ok = full_match(value, NUMBER_RE)
        number = decimal_text(value)
        wide = f"({_whole_digits(number)} > {into.whole_digits})"
        return Fit(
            f"(CASE WHEN NOT {ok} THEN 'INVALID_TYPE' WHEN {wide} THEN {lit(RANGE)} END)",
            number,
        )
    if into.kind is Kind.BOOLEAN:
        if source is Cls.BOOL:
            return Fit(none, value)
        return Fit("'INVALID_TYPE'", "CAST(NULL AS BOOLEAN)")
    if into.kind is Kind.GRADE:
        if source in (Cls.NUMBER, Cls.BOOL):
            return Fit("'INVALID_TYPE'", none)
        trimmed = _pytrim(value)
        grades = ", ".join(lit(g) for g in GRADES)
        return Fit(
            f"(CASE WHEN {trimmed} IN ({grades}) THEN NULL ELSE 'INVALID_TYPE' END)", trimmed
        )
    if into.kind in (Kind.PICKLIST, Kind.MULTIPICKLIST):
        # FieldType.allows: one of its values, or any value for a picklist whose global
        # value set the imported tree lacks; a multi-select's every `;` part as written
        # (not stripped: runtime.fit), the text kept whole
        text = to_text_sql(value, source)
        allowed = f"IN ({', '.join(lit(v) for v in into.values)})" if into.values else ""

        def allows(part: str) -> str:
            return "TRUE" if into.any_value else f"{part} {allowed}" if allowed else "FALSE"

        ok = allows(text)
        if into.kind is Kind.MULTIPICKLIST and not into.any_value:
            barred = f"list_filter(string_split({text}, ';'), lambda p: NOT {allows('p')})"
            ok = f"array_length({barred}) = 0"
        return Fit(f"(CASE WHEN {ok} THEN NULL ELSE 'INVALID_PICKLIST_VALUE' END)", text)
    assert target in (Cls.TEXT, Cls.MULTI)
    if source is Cls.BOOL and into.kind is not Kind.EMAIL:
        return Fit("'INVALID_TYPE'", none)
    text = to_text_sql(value, source)
    limit = into.max_length
    long = f"length({text}) > {limit}" if limit is not None else "FALSE"
    if into.kind is Kind.EMAIL:
        ok = full_match(text, EMAIL_RE)
        return Fit(
            f"(CASE WHEN NOT {ok} THEN 'INVALID_EMAIL_ADDRESS' "
            f"WHEN {long} THEN 'STRING_TOO_LONG' END)",
            text,
        )
    return Fit(f"(CASE WHEN {long} THEN 'STRING_TOO_LONG' END)", text)


RANGE = DropCode.NUMBER_OUTSIDE_VALID_RANGE.value


def _whole_digits(number: str) -> str:
    """Digits left of the point of a number's canonical text (`-123.45` → 3, `0.5` → 0)."""
    return f"length(ltrim(split_part(ltrim({number}, '-'), '.', 1), '0'))"


def equal_sql(a: str, b: str, c: Cls) -> str:
    if c is Cls.NUMBER:
        # TRY_CAST: SQL does not short-circuit, and the value is only read when it fitted
        return f"(TRY_CAST({a} AS {DEC}) = TRY_CAST({b} AS {DEC}))"
    if c is Cls.DATETIME:  # the same instant, whatever the offsets
        return f"(CAST({a} AS TIMESTAMPTZ) = CAST({b} AS TIMESTAMPTZ))"
    return f"({a} = {b})"


def same_sql(pv: str, pinfo: FieldInfo, sv: str, sinfo: FieldInfo) -> str:
    """runtime.fit.same: both blank, or one side fits the other's type and equals it."""
    pc, sc = cls_of(pinfo.type), cls_of(sinfo.type)
    assert pc is not None
    assert sc is not None
    pb, sb = is_blank_sql(pv, pc), is_blank_sql(sv, sc)
    into_s = fit_sql(pv, pc, sinfo.type)
    into_p = fit_sql(sv, sc, pinfo.type)
    return (
        f"(CASE WHEN {pb} AND {sb} THEN TRUE WHEN {pb} OR {sb} THEN FALSE "
        f"ELSE (({into_s.code}) IS NULL AND {equal_sql(into_s.value, sv, sc)}) IS TRUE "
        f"OR (({into_p.code}) IS NULL AND {equal_sql(into_p.value, pv, pc)}) IS TRUE END)"
    )


# -- the cycle ---------------------------------------------------------------------------


def is_related(reference: str) -> bool:
    """A merge field read through the record (`Account.Name`, `$RecordType.Name`), not
    the connector user's (`$User.Email`): runtime/context.MergeFields.value."""
    return not reference.startswith("$") or reference.partition(".")[0].casefold() == "$recordtype"


# How a related record's value of each type is held: as the text of its class; a boolean
# as 'true'/'false' (NULL when the record gives none). Of another type (`any`: a field of
# an object the rule set does not declare) it is tagged text (`tagged`), which only the
# reference's UDF reads.
RELATED_CLS: dict[VType, Cls] = {
    VType.TEXT: Cls.TEXT,
    VType.PICKLIST: Cls.TEXT,
    VType.NUMBER: Cls.NUMBER,
    VType.BOOLEAN: Cls.BOOL,
    VType.DATE: Cls.DATE,
    VType.DATETIME: Cls.DATETIME,
    VType.GRADE: Cls.GRADE,
}
CLS_TYPES: dict[Cls, FieldType] = {
    Cls.TEXT: FieldType(Kind.TEXT),
    Cls.NUMBER: FieldType(Kind.NUMBER),
    Cls.BOOL: FieldType(Kind.BOOLEAN),
    Cls.DATE: FieldType(Kind.DATE),
    Cls.DATETIME: FieldType(Kind.DATETIME),
    Cls.GRADE: FieldType(Kind.GRADE),
}


def tagged(value: Value) -> str | None:
    """A value of any type as text that says its type: `s` text, `n` number, `b` boolean,
    `d` date, `t` date-time (udf.untagged reads it back); NULL for None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, Decimal):
        return f"n{value}"
    if isinstance(value, dt.datetime):
        return f"t{value.isoformat()}"
    if isinstance(value, dt.date):
        return f"d{value.isoformat()}"
    return f"s{value}"


# The Id of the record a failure names, in a message written before the Id is known (a
# created lead's): duck.Problems puts the record's Id in its place
RECORD_ID = "\x1e"


@dataclass(frozen=True, slots=True)
class Related:
    """A related record's value a lead or contact validation rule reads
    (`RecordType.DeveloperName`, `$RecordType.Name`, `Owner.Email`, `Region__r.Code__c`):
    per record, what runtime/context.MergeFields gives — a column the record set names so,
    or the user its OwnerId (CreatedById …) leads to — loaded with the record
    (`__rel{n}`, and `__rel{n}u`, why the record set does not give it). A cycle never
    changes what it reads (a record's `raw`), and a created lead gives none."""

    n: int
    object: str
    reference: str
    vtype: VType
    strict: bool  # read by UPPER, LOWER, TRIM, ISNUMBER or REGEX: printable ASCII only

    @property
    def cls(self) -> Cls | None:
        """Its class in SQL; None: of no one type, held as `tagged` text."""
        return RELATED_CLS.get(self.vtype)

    @property
    def column(self) -> str:
        return f"__rel{self.n}"

    @property
    def missing(self) -> str:
        return f"__rel{self.n}u"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    info: FieldInfo
    cls: Cls


@dataclass(slots=True)
class Program:
    """The compiled cycle: table layouts, one round's query, and the statements that apply
    a round's writes."""

    rules: CheckedRules
    prospect: list[Column] = field(default_factory=list)
    lead: list[Column] = field(default_factory=list)
    contact: list[Column] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)  # topological order
    lead_maps: list[tuple[int, Mapping]] = field(default_factory=list)
    contact_maps: list[tuple[int, Mapping]] = field(default_factory=list)
    lead_rules: list[tuple[int, str]] = field(default_factory=list)  # validation j, name
    contact_rules: list[tuple[int, str]] = field(default_factory=list)
    dup_rules: list[int] = field(default_factory=list)  # duplicate rules on lead
    required: list[Column] = field(default_factory=list)
    owner: Column | None = None
    # (object, field) whose text is case-folded, trimmed or matched by a pattern in SQL:
    # printable ASCII only, since lower/upper/trim/regex differ from Python beyond it
    strict: set[tuple[str, str]] = field(default_factory=set)
    round_sql: str = ""
    candidates_sql: str = ""  # SPEC §3.9: the records that get a prospect, after the cycle
    next_tables: list[tuple[str, str]] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    hosts: list[Host] = field(default_factory=list)  # evaluated by the reference, in a UDF
    related: list[Related] = field(default_factory=list)  # read by validation rules
    # the round's write lists (`__creates`, `__lead_writes`, `__contact_writes`): each one's
    # SQL over the round's columns, which the direct path may build on fewer rows
    write_lists: dict[str, str] = field(default_factory=dict)
    # (object, field) → the SQL literal the field holds on every record of the round's
    # tables (`constants` of compile_cycle); `dead`: the (object, mapping) pairs both of
    # whose sides are such a blank, which therefore never write, drop or differ
    constants: dict[tuple[str, str], str] = field(default_factory=dict)
    dead: set[tuple[str, int]] = field(default_factory=set)

    def history(self, obj: str) -> list[int]:
        """The `most_recent` mappings of obj, each compared with its field's own time
        (`__hs{n}`: runtime/history.FieldHistory.stamp, filled as the tables load)."""
        maps = self.lead_maps if obj == "lead" else self.contact_maps
        return [n for n, m in maps if m.sync is Sync.MOST_RECENT]

    def columns(self, obj: str) -> list[Column]:
        return {"prospect": self.prospect, "lead": self.lead, "contact": self.contact}[obj]

    def column(self, obj: str, name: str) -> Column | None:
        return next((c for c in self.columns(obj) if c.name == name), None)

    def related_of(self, obj: str) -> list[Related]:
        return [r for r in self.related if r.object == obj]


_CASE_SENSITIVE = frozenset({"UPPER", "LOWER", "TRIM", "ISNUMBER", "REGEX"})


def compile_cycle(
    rules: CheckedRules,
    stage_order: list[str],
    constants: dict[tuple[str, str], str] | None = None,
) -> Program:
    """The whole cycle as SQL; `program.reasons` lists what cannot be compiled (then the
    SQL is incomplete and must not run). `constants`: (object, field) → the SQL literal
    that field holds on every record of the tables the round will read (a column an
    export leaves out, or leaves empty): the round reads the literal instead of joining
    the column, and a mapping between two blank ones is left out of the per-row work."""
    builder = _Builder(rules, stage_order)
    builder.program.constants = dict(constants or {})
    return builder.build()


def _blank_literal(literal: str) -> bool:
    """Whether a constant (compile_cycle) is blank as formula.functions.is_blank says:
    "" or NULL, never false."""
    return literal == "''" or literal.startswith("CAST(NULL AS ")


@dataclass(slots=True)
class _Builder:
    rules: CheckedRules
    stage_order: list[str]
    program: Program = field(init=False)
    dirs: list[str] = field(default_factory=list)  # the update path's direction per mapping
    fits: list[str] = field(default_factory=list)  # each side fitted into the other's type
    gate_failed: bool = False  # the gate can fail (`__gate_err`)
    failing: set[int] = field(default_factory=set)  # validation rules that can (`verrJ`)
    stage_failing: set[str] = field(default_factory=set)  # stages that can (`err.stage.X`)

    def __post_init__(self) -> None:
        self.program = Program(self.rules)

    def reason(self, rule: str, construct: str, span: Span | None = None) -> None:
        self.program.reasons.append(Reason(rule, construct, where(span)))

    def build(self) -> Program:
        p, rules = self.program, self.rules
        self._columns()
        p.stages = list(self.stage_order)
        for n, m in enumerate(rules.mappings):
            if m.sync is Sync.OFF:
                continue
            if m.lead is not None:
                p.lead_maps.append((n, m))
            if m.contact is not None:
                p.contact_maps.append((n, m))
        for j, rule in enumerate(rules.validations):
            if rule.active and rule.object in ("lead", "contact"):
                (p.lead_rules if rule.object == "lead" else p.contact_rules).append((j, rule.name))
        p.dup_rules = [n for n, d in enumerate(rules.duplicates) if d.object == "lead"]
        p.required = [c for c in p.lead if c.info.required]
        owner = rules.object("lead").get("OwnerId")
        if owner is not None:
            p.owner = p.column("lead", owner.name)
            if p.owner is None or p.owner.cls is not Cls.TEXT:
                self.reason("lead OwnerId", f"an OwnerId of type {owner.type}", owner.span)
        self._static_checks()
        try:
            p.round_sql = self._round()
        except _Unsupported as error:  # pragma: no cover - reasons are collected first
            self.reason("cycle", error.construct, error.span)
        p.next_tables = self._apply()
        p.candidates_sql = self._candidates()
        return p

    # -- columns ------------------------------------------------------------------

    def _columns(self) -> None:
        used: dict[str, set[str]] = {"prospect": set(), "lead": set(), "contact": set()}
        rules = self.rules
        for m in rules.mappings:
            if m.sync is Sync.OFF:
                continue
            used["prospect"].add(m.prospect.name)
            for obj in ("lead", "contact"):
                target = m.target(obj)
                if target is not None:
                    used[obj].add(target.name)
        exprs = [s.when for s in rules.shares] + [s.when for s in rules.stages]
        exprs += [rules.gate.when] + [v.error_if for v in rules.validations if v.active]
        for e in exprs:
            for ref in ir.field_refs(e):
                if ref.object in used:
                    used[ref.object].add(ref.name)
            for node in ir.walk(e):
                if isinstance(node, ir.Call) and node.function in _CASE_SENSITIVE:
                    for ref in ir.field_refs(node):
                        self.program.strict.add((ref.object, ref.name))
        self._related()
        for d in rules.duplicates:
            for info in d.fields:
                for obj in ("lead", "contact"):
                    found = rules.object(obj).get(info.name)
                    if found is not None:
                        self.program.strict.add((obj, found.name))
        for obj in ("lead", "contact"):
            found = rules.object(obj).get("Email")
            if found is not None:
                self.program.strict.add((obj, found.name))
        for info in rules.object("lead").fields.values():
            if info.required:
                used["lead"].add(info.name)
        for d in rules.duplicates:
            for info in d.fields:
                used["lead"].add(info.name)
                if rules.object("contact").get(info.name) is not None:
                    used["contact"].add(rules.object("contact").get(info.name).name)  # type: ignore[union-attr]
        for obj in ("lead", "contact"):
            found = rules.object(obj).get("Email")
            if found is not None:
                used[obj].add(found.name)
            owner = rules.object(obj).get("OwnerId")
            if owner is not None and obj == "lead":
                used[obj].add(owner.name)
        for obj, names in used.items():
            model = rules.object(obj)
            for info in model.fields.values():
                if info.name not in names:
                    continue
                c = cls_of(info.type)
                if c is None:
                    self.reason(f"{obj}.{info.name}", f"a field of type {info.type}", info.span)
                    continue
                if info.name.startswith("__"):
                    self.reason(f"{obj}.{info.name}", "a field name starting with __", info.span)
                    continue
                self.program.columns(obj).append(Column(info.name, info, c))

    def _related(self) -> None:
        """The related records' values the lead and contact validation rules read."""
        found: dict[tuple[str, str], tuple[VType, bool]] = {}
        for rule in self.rules.validations:
            if not rule.active or rule.object not in ("lead", "contact"):
                continue
            folded = {
                id(n)
                for call in ir.walk(rule.error_if)
                if isinstance(call, ir.Call) and call.function in _CASE_SENSITIVE
                for n in ir.walk(call)
            }
            for node in ir.walk(rule.error_if):
                reference = merge_fields.referenced(node)
                if reference is None or not is_related(reference):
                    continue
                key = (rule.object, reference)
                was = found.get(key, (node.type, False))[1]  # its type: the path's, always
                found[key] = (node.type, was or id(node) in folded)
        for n, ((obj, reference), (vtype, strict)) in enumerate(found.items()):
            self.program.related.append(Related(n, obj, reference, vtype, strict))

    def _static_checks(self) -> None:
        rules = self.rules
        for obj in ("lead", "contact"):
            seen: dict[str, Mapping] = {}
            for m in rules.mappings:
                target = m.target(obj)
                if target is None or m.sync is Sync.OFF:
                    continue
                if target.name in seen:
                    self.reason(
                        f"field {m.prospect.name}",
                        f"a second mapping into {obj}.{target.name}",
                        m.prospect.span,
                    )
                seen[target.name] = m
        timed = (Cls.DATE, Cls.DATETIME)
        for m in rules.mappings:
            if m.sync is Sync.OFF:
                continue
            for target in (m.lead, m.contact):
                if target is None:
                    continue
                a, b = cls_of(m.prospect.type), cls_of(target.type)
                if (a in timed or b in timed) and a is not b:
                    self.reason(
                        f"field {m.prospect.name}",
                        f"syncing {m.prospect.type} with {target.object}.{target.name} "
                        f"({target.type})",
                        m.prospect.span,
                    )
        for d in rules.duplicates:
            for info in d.fields:
                if cls_of(info.type) is Cls.MULTI:
                    self.reason(
                        "duplicate rule", f"a multipicklist field ({info.name})", d.node.span
                    )
                if cls_of(info.type) in timed:
                    self.reason("duplicate rule", f"a {info.type} field ({info.name})", d.node.span)
        owner = rules.object("lead").get("OwnerId")
        owner_name = owner.name if owner else "OwnerId"
        for m in rules.mappings:
            if m.lead is not None and m.sync is not Sync.OFF and m.lead.name == owner_name:
                self.reason(
                    f"field {m.prospect.name}", "a mapping into lead OwnerId", m.prospect.span
                )
            # the owner a synced record's prospect follows is read as the records are
            # loaded (runtime/ownership.followed_owner), so no mapping may change it
            # likewise the contact's AccountId, whose Account Name is the company
            # (runtime/company.account_company)
            into = m.contact.name if m.contact is not None else ""
            if into.casefold() in ("ownerid", "accountid") and m.sync is not Sync.OFF:
                self.reason(
                    f"field {m.prospect.name}", f"a mapping into contact {into}", m.prospect.span
                )
        if any(d.object != "lead" for d in rules.duplicates):
            pass  # duplicate rules on other objects never fire: the connector creates leads only

    # -- expressions in their scopes ------------------------------------------------

    def _compile(self, rule: str, e: ir.Expr, scope: Scope) -> tuple[str, str | None]:
        """A rule's condition: whether it holds (true, and no failure), and its failure
        (SQL; None when it cannot fail)."""
        try:
            compiler = Compiler(scope, self.program.hosts, rule)
            value, failed = compiler.expr(e), compiler.err(e)
        except _Unsupported as error:
            self.reason(rule, error.construct, error.span)
            return "FALSE", None
        if failed is None:
            return f"(({value}) IS TRUE)", None
        return f"({failed} IS NULL AND ({value}) IS TRUE)", failed

    def _record_scope(self, alias: str, obj: str) -> Scope:
        def read(ref: ir.FieldRef) -> str:
            col = self.program.column(obj, ref.name)
            if col is None or ref.object != obj:
                raise _Unsupported(
                    f"{ref.object}.{ref.name} in a {obj} rule", ref.span, curable=False
                )
            return f"{alias}.{q(col.name)}"

        return Scope(read)

    def _prospect_scope(self) -> Scope:
        def read(ref: ir.FieldRef) -> str:
            col = self.program.column(ref.object, ref.name)
            if col is None:
                raise _Unsupported(f"{ref.object}.{ref.name}", ref.span, curable=False)
            return q(f"{ref.object}.{col.name}")

        return Scope(
            read,
            stage=lambda name: q(f"stage.{name}"),
            assigned="(\"__assigned\" <> '')",
        )

    def _after_scope(self, obj: str) -> Scope:
        def read(ref: ir.FieldRef) -> str:
            col = self.program.column(obj, ref.name)
            if col is None or ref.object != obj:
                raise _Unsupported(
                    f"{ref.object}.{ref.name} in a {obj} rule", ref.span, curable=False
                )
            return q(f"after.{obj}.{col.name}")

        def prior(ref: ir.FieldRef) -> str:
            col = self.program.column(obj, ref.name)
            assert col is not None
            return q(f"before.{obj}.{col.name}")

        def related(reference: str) -> tuple[str, str] | None:
            found = next(
                (r for r in self.program.related_of(obj) if r.reference == reference), None
            )
            if found is None:
                return None
            value, missing = q(f"{obj}.{found.column}"), q(f"{obj}.{found.missing}")
            created = lit(created_missing(self.rules, found))
            return (
                f"(CASE WHEN __creating THEN NULL ELSE {value} END)",
                f"(CASE WHEN __creating THEN {created} ELSE {missing} END)",
            )

        return Scope(read, prior=prior, is_new='"__creating"', related=related)

    # -- one round ------------------------------------------------------------------

    def _round(self) -> str:
        p, rules = self.program, self.rules
        ctes: list[str] = []
        for obj, table in (("lead", "leads"), ("contact", "contacts")):
            ctes.append(
                f"v{table} AS (SELECT r.*, {self._visible(obj)} AS __visible FROM {table} AS r)"
            )
            ctes.append(
                f"e{table} AS (SELECT __email, __id, row_number() OVER (PARTITION BY __email "
                f"ORDER BY __stamp DESC NULLS LAST, __id) AS __n FROM v{table} "
                f"WHERE __visible AND __email <> '' AND NOT __gone)"
            )
        connector = rules.connector
        email_mode = connector.match is MatchMode.EMAIL or connector.email_fallback
        crm_c = "(c.__id IS NOT NULL AND c.__visible)"
        crm_l = "(l.__id IS NOT NULL AND l.__visible)"
        linked = "(c.__id IS NOT NULL OR l.__id IS NOT NULL)"
        by_email_c = f"({'TRUE' if email_mode else 'FALSE'} AND ec.__id IS NOT NULL)"
        by_email_l = f"({'TRUE' if email_mode else 'FALSE'} AND el.__id IS NOT NULL)"
        # SPEC §3.2: flagged or linked to a deleted record (`__state`, resolved as the
        # records are loaded), or a merged loser's prospect whose master another prospect
        # already holds (cycle.rival: linked before the cycle or matched in an earlier round)
        state = "COALESCE(b.__state, '')"
        deleted, merge = lit(LinkState.DELETED), lit(LinkState.MERGE)
        gone = f"({state} = {deleted} OR ({state} = {merge} AND o.id IS NOT NULL))"
        ctes.append(
            "m AS (SELECT b.*, "
            f"CASE WHEN {gone} THEN NULL "
            f"WHEN {crm_c} THEN 'contact' WHEN {crm_l} THEN 'lead' WHEN {linked} THEN NULL "
            f"WHEN {by_email_c} THEN 'contact' WHEN {by_email_l} THEN 'lead' END AS __mobj, "
            f"CASE WHEN {gone} THEN NULL "
            f"WHEN {crm_c} THEN c.__id WHEN {crm_l} THEN l.__id WHEN {linked} THEN NULL "
            f"WHEN {by_email_c} THEN ec.__id WHEN {by_email_l} THEN el.__id END AS __mid, "
            f"CASE WHEN {gone} THEN NULL WHEN {crm_c} OR {crm_l} THEN 'crm_id' "
            f"WHEN {linked} THEN NULL "
            f"WHEN {by_email_c} OR {by_email_l} THEN 'email' END AS __mby, "
            f"(NOT {gone} AND NOT ({crm_c} OR {crm_l}) AND {linked}) AS __not_shared, "
            f"{gone} AS __crm_deleted "
            "FROM prospects AS b "
            "LEFT JOIN vcontacts AS c ON c.__id = b.__contact_fid "
            "LEFT JOIN vleads AS l ON l.__id = b.__lead_fid "
            "LEFT JOIN econtacts AS ec ON ec.__email = b.__email AND ec.__n = 1 "
            "LEFT JOIN eleads AS el ON el.__email = b.__email AND el.__n = 1 "
            "LEFT JOIN __owned AS o ON o.obj = b.__master_obj AND o.id = b.__master_id "
            "WHERE b.__round = $round)"
        )
        constant = p.constants
        cols = [
            f"{constant.get(('prospect', c.name), 'm.' + q(c.name))} AS {q('prospect.' + c.name)}"
            for c in p.prospect
        ]
        for obj, alias in (("lead", "ml"), ("contact", "mc")):
            for c in p.columns(obj):
                value = f"{alias}.{q(c.name)}"
                if c.cls in (Cls.TEXT, Cls.BOOL):
                    value = f"COALESCE({value}, {blank_sql(c.cls)})"
                # a constant is not joined: the record's side of the join carries less
                value = constant.get((obj, c.name), value)
                cols.append(f"{value} AS {q(obj + '.' + c.name)}")
            cols.append(f"{alias}.__stamp AS {q(obj + '.__stamp')}")
            for n in p.history(obj):
                cols.append(f"{alias}.__hs{n} AS {q(f'{obj}.__hs{n}')}")
            cols.append(f"{alias}.__email AS {q(obj + '.__email')}")
            for r in p.related_of(obj):
                for name in (r.column, r.missing):
                    cols.append(f"{alias}.{name} AS {q(f'{obj}.{name}')}")
            for n in p.dup_rules:
                cols.append(f"{alias}.__dup{n} AS {q(f'{obj}.__dup{n}')}")
        system = "m.__id, m.__rank, m.__email, m.__assigned, m.__owner, m.__stamp, m.__mobj, "
        system += "m.__mid, "
        system += "m.__mby, m.__not_shared, m.__crm_deleted"
        ctes.append(
            f"j AS (SELECT {system}, {', '.join(cols)} FROM m "
            "LEFT JOIN leads AS ml ON m.__mobj = 'lead' AND ml.__id = m.__mid "
            "LEFT JOIN contacts AS mc ON m.__mobj = 'contact' AND mc.__id = m.__mid)"
        )
        previous = "j"
        scope = self._prospect_scope()
        spans = {s.name: s for s in rules.stages}
        for k, name in enumerate(p.stages):
            holds, failed = self._compile(f"stage {name}", spans[name].when, scope)
            fails = f", {failed} AS {q('err.stage.' + name)}" if failed else ""
            if failed:
                self.stage_failing.add(name)
            ctes.append(
                f"s{k} AS (SELECT *, {holds} AS {q('stage.' + name)}{fails} FROM {previous})"
            )
            previous = f"s{k}"
        gate, gate_failed = self._compile("create lead", rules.gate.when, scope)
        self.gate_failed = gate_failed is not None
        paused = "TRUE" if rules.connector.paused else "FALSE"
        ctes.append(
            f"g AS (SELECT *, CASE WHEN {paused} THEN 'paused' "
            "WHEN __crm_deleted THEN 'crm_deleted' WHEN __not_shared THEN 'not_shared' "
            f"WHEN __mobj IS NULL AND NOT {gate} THEN 'gated' "
            f"WHEN __mobj IS NULL THEN 'create' ELSE 'update' END AS __path"
            f"{f', {gate_failed} AS __gate_err' if gate_failed else ''} FROM {previous})"
        )
        writes = self._writes()
        ctes.append(f"f AS (SELECT *, {', '.join(self.fits or ['NULL AS __nofit'])} FROM g)")
        ctes.append(f"d AS (SELECT *, {', '.join(self.dirs or ['NULL AS __nodir'])} FROM f)")
        ctes.append(f"w AS (SELECT *, {', '.join(writes)} FROM d)")
        checks = self._checks()
        # only the stored record's values a check reads: the others were parsed and bound
        # for nothing (82 of the benchmark org's 768 columns)
        read = " ".join(checks)
        after = [c for c in self._after() if c.rsplit(" AS ", 1)[1] in read]
        ctes.append(f"a AS (SELECT *, {', '.join(after or ['NULL AS __noafter'])} FROM w)")
        ctes.append(f"k AS (SELECT *, {', '.join(checks)} FROM a)")
        return "WITH " + ",\n".join(ctes) + "\n" + self._final()

    def _writes(self) -> list[str]:
        """Per mapping: each side's value fitted into the other side's type (layer `f`),
        the update path's direction (layer `d`), and what is written or dropped."""
        p = self.program
        out: list[str] = []
        for obj, maps in (("lead", p.lead_maps), ("contact", p.contact_maps)):
            for n, m in maps:
                target = m.target(obj)
                assert target is not None
                pc, sc = cls_of(m.prospect.type), cls_of(target.type)
                if pc is None or sc is None:
                    continue
                pv = q(f"prospect.{m.prospect.name}")
                sv = q(f"{obj}.{target.name}")
                pb, sb = is_blank_sql(pv, pc), is_blank_sql(sv, sc)
                pre = f"{obj[0]}{n}"
                if self._dead(obj, m):
                    out += self._dead_writes(obj, n, m, pv, sv)
                    continue
                into_s, into_p = fit_sql(pv, pc, target.type), fit_sql(sv, sc, m.prospect.type)
                tc, tv, bc, bv = (q(f"{pre}.{x}") for x in ("tc", "tv", "bc", "bv"))
                # each fit only on the rows whose path reads it: the update path of a
                # record of this object, and (the prospect's value into a lead) the
                # create path; CASE evaluates its branch for those rows alone
                matched = f"__mobj = '{obj}'"
                to_sf = f"({matched} OR __path = 'create')" if obj == "lead" else matched
                self.fits += [
                    f"CASE WHEN {to_sf} THEN {into_s.code} END AS {tc}",
                    f"CASE WHEN {to_sf} THEN {into_s.value} END AS {tv}",
                    f"CASE WHEN {matched} THEN {into_p.code} END AS {bc}",
                    f"CASE WHEN {matched} THEN {into_p.value} END AS {bv}",
                ]
                # runtime.fit.same: both blank, or one side fits the other's type and equals it
                same = (
                    f"(CASE WHEN {pb} AND {sb} THEN TRUE WHEN {pb} OR {sb} THEN FALSE "
                    f"ELSE ({tc} IS NULL AND {equal_sql(tv, sv, sc)}) IS TRUE "
                    f"OR ({bc} IS NULL AND {equal_sql(bv, pv, pc)}) IS TRUE END)"
                )
                win = _decide(m.sync, pb, sb, q(f"{obj}.__hs{n}"))
                d = f"(CASE WHEN {win} IS NULL OR {same} THEN NULL WHEN {win} = 'pardot' "
                d += "THEN 'sf' ELSE 'pd' END)"
                self.dirs.append(f"CASE WHEN __mobj = '{obj}' THEN {d} END AS {q(pre + '.dir')}")
                d = q(pre + ".dir")
                out.append(
                    f"CASE WHEN __mobj <> '{obj}' THEN NULL WHEN {d} = 'sf' THEN "
                    f"(CASE WHEN {pb} THEN NULL ELSE {tc} END) "
                    f"WHEN {d} = 'pd' THEN (CASE WHEN {sb} THEN NULL ELSE {bc} END) "
                    f"END AS {q(pre + '.code')}"
                )
                out.append(
                    f"CASE WHEN {d} = 'sf' THEN (CASE WHEN {pb} THEN {blank_sql(sc)} "
                    f"ELSE {tv} END) ELSE {sv} END AS {q(pre + '.sfv')}"
                )
                out.append(
                    f"CASE WHEN {d} = 'pd' THEN (CASE WHEN {sb} THEN {blank_sql(pc)} "
                    f"ELSE {bv} END) ELSE {pv} END AS {q(pre + '.pdv')}"
                )
                if obj == "lead":  # the create path: the prospect's value into the new lead
                    out.append(
                        f"CASE WHEN {pb} THEN 'skip' ELSE COALESCE({tc}, 'w') END "
                        f"AS {q(f'c{n}.state')}"
                    )
                    out.append(f"{tv} AS {q(f'c{n}.v')}")
        return out or ["NULL AS __nothing"]

    def _dead(self, obj: str, m: Mapping) -> bool:
        """Both sides of the mapping blank on every record (`Program.constants`): the
        round's columns of it are then constants, its fits and direction never computed."""
        target = m.target(obj)
        assert target is not None
        constant = self.program.constants
        sides = (constant.get(("prospect", m.prospect.name)), constant.get((obj, target.name)))
        return all(c is not None and _blank_literal(c) for c in sides)

    def _dead_writes(self, obj: str, n: int, m: Mapping, pv: str, sv: str) -> list[str]:
        """`_writes`' columns of a dead mapping (`_dead`): same names, constant values —
        no direction, so nothing written or dropped, each side keeps its value, and a
        created lead skips it (its value, read only when written, is a typed NULL)."""
        self.program.dead.add((obj, n))
        pre, none = f"{obj[0]}{n}", "CAST(NULL AS VARCHAR)"
        self.dirs.append(f"{none} AS {q(pre + '.dir')}")
        out = [f"{none} AS {q(pre + '.code')}", f"{sv} AS {q(pre + '.sfv')}"]
        out.append(f"{pv} AS {q(pre + '.pdv')}")
        if obj == "lead":
            target = m.target(obj)
            assert target is not None
            kind = cls_of(target.type)
            assert kind is not None
            out.append(f"'skip' AS {q(f'c{n}.state')}")
            out.append(f"CAST(NULL AS {sql_type(kind)}) AS {q(f'c{n}.v')}")
        return out

    def _written(self, obj: str, name: str) -> tuple[str, str] | None:
        """(condition, value) of the update path's write into obj.name, if any mapping writes it."""
        for n, m in self.program.lead_maps if obj == "lead" else self.program.contact_maps:
            target = m.target(obj)
            if target is not None and target.name == name and cls_of(m.prospect.type):
                prefix = f"{obj[0]}{n}"
                cond = f"({q(prefix + '.dir')} = 'sf' AND {q(prefix + '.code')} IS NULL)"
                if (obj, n) in self.program.dead:
                    cond = "FALSE"  # no direction (_dead_writes)
                return cond, q(prefix + ".sfv")
        return None

    def _created(self, name: str) -> str:
        """The value a created lead holds in `name`: its write, the owner, or blank."""
        p = self.program
        col = p.column("lead", name)
        assert col is not None
        if p.owner is not None and p.owner.name == name:
            # the created lead's owner, decided per prospect as the tables are loaded
            # (runtime/ownership.created_owner: the assigned user, a queue, the connector user)
            return "__owner"
        for n, m in p.lead_maps:
            if m.lead is not None and m.lead.name == name and cls_of(m.prospect.type):
                state, value = q(f"c{n}.state"), q(f"c{n}.v")
                return f"(CASE WHEN {state} = 'w' THEN {value} ELSE {blank_sql(col.cls)} END)"
        return blank_sql(col.cls)

    def _after(self) -> list[str]:
        """The record as Salesforce would store it: created, or updated by the writes."""
        out = ["(__path = 'create') AS __creating"]
        for obj in ("lead", "contact"):
            for c in self.program.columns(obj):
                current = q(f"{obj}.{c.name}")
                written = self._written(obj, c.name)
                updated = (
                    f"CASE WHEN {written[0]} THEN {written[1]} ELSE {current} END"
                    if written
                    else current
                )
                created = self._created(c.name) if obj == "lead" else current
                out.append(
                    f"CASE WHEN __path = 'create' THEN {created} ELSE {updated} END "
                    f"AS {q(f'after.{obj}.{c.name}')}"
                )
                out.append(
                    f"CASE WHEN __path = 'create' THEN {created} ELSE {current} END "
                    f"AS {q(f'before.{obj}.{c.name}')}"
                )
        return out

    def _checks(self) -> list[str]:
        p, rules = self.program, self.rules
        out: list[str] = []
        sf_any: dict[str, list[str]] = {"lead": [], "contact": []}
        readonly: dict[str, list[str]] = {"lead": [], "contact": []}
        for obj, maps in (("lead", p.lead_maps), ("contact", p.contact_maps)):
            for _, m in maps:
                target = m.target(obj)
                assert target is not None
                written = self._written(obj, target.name)
                if written is None:
                    continue
                sf_any[obj].append(written[0])
                if target.readonly:
                    readonly[obj].append(written[0])
        create_ro = [
            f"{q(f'c{n}.state')} = 'w'"
            for n, m in p.lead_maps
            if m.lead is not None and m.lead.readonly and cls_of(m.prospect.type)
        ]
        if p.owner is not None and p.owner.info.readonly:
            create_ro.append("__owner <> ''")
        out.append(f"({' OR '.join(create_ro) or 'FALSE'}) AS __create_ro")
        for obj in ("lead", "contact"):
            out.append(f"({' OR '.join(sf_any[obj]) or 'FALSE'}) AS {q(f'{obj}.__sf')}")
            out.append(f"({' OR '.join(readonly[obj]) or 'FALSE'}) AS {q(f'{obj}.__ro')}")
        for c in p.required:
            out.append(f"{is_blank_sql(q(f'after.lead.{c.name}'), c.cls)} AS {q(f'req.{c.name}')}")
        for obj, listed in (("lead", p.lead_rules), ("contact", p.contact_rules)):
            scope = self._after_scope(obj)
            for j, name in listed:
                holds, failed = self._compile(
                    f"validation {name}", rules.validations[j].error_if, scope
                )
                out.append(f"{holds} AS {q(f'v{j}')}")
                if failed is not None:
                    out.append(f"{failed} AS {q(f'verr{j}')}")
                    self.failing.add(j)
        for n in p.dup_rules:
            parts: list[tuple[str, str]] = []
            for info in rules.duplicates[n].fields:
                col = p.column("lead", info.name)
                if col is None:
                    parts = []
                    break
                value = q(f"after.lead.{col.name}")
                text = value if col.cls is not Cls.BOOL else f"CAST({value} AS VARCHAR)"
                parts.append((is_blank_sql(value, col.cls), f"lower({_pytrim(text)})"))
            if not parts:
                out.append(f"CAST(NULL AS VARCHAR) AS __ndup{n}")
                continue
            blank = " OR ".join(b for b, _ in parts)
            key = f" || {lit(KEY_SEP)} || ".join(k for _, k in parts)
            out.append(f"CASE WHEN {blank} THEN NULL ELSE {key} END AS __ndup{n}")
        declared = self.rules.object("lead").get("Email")
        email = p.column("lead", declared.name) if declared is not None else None
        if email is not None:
            out.append(f"lower({_pytrim(q('after.lead.' + email.name))}) AS __nemail")
        else:
            out.append("'' AS __nemail")
        return out

    def _final(self) -> str:
        p = self.program
        vl = " OR ".join(q(f"v{j}") for j, _ in p.lead_rules) or "FALSE"
        vc = " OR ".join(q(f"v{j}") for j, _ in p.contact_rules) or "FALSE"
        req = " OR ".join(q(f"req.{c.name}") for c in p.required) or "FALSE"
        joins, dup_any = [], []
        for n in p.dup_rules:
            joins.append(
                f"LEFT JOIN (SELECT __dup{n} AS key, list_sort(list(obj || ' ' || __id)) "
                f"AS twins FROM (SELECT 'contact' AS obj, __id, __dup{n} FROM contacts UNION ALL "
                f"SELECT 'lead' AS obj, __id, __dup{n} FROM leads) WHERE __dup{n} IS NOT NULL "
                f"GROUP BY __dup{n}) AS t{n} ON t{n}.key = k.__ndup{n}"
            )
            dup_any.append(f"t{n}.twins IS NOT NULL")
        dup = " OR ".join(dup_any) or "FALSE"
        twins = "".join(f", t{n}.twins AS {q(f'twins{n}')}" for n in p.dup_rules)
        action = (
            "CASE WHEN __path IN ('paused', 'crm_deleted', 'not_shared', 'gated') THEN __path "
            "WHEN __path = 'create' THEN (CASE WHEN __create_ro THEN 'error:ro' "
            f"WHEN {req} THEN 'error:req' WHEN {vl} THEN 'error:val' WHEN {dup} THEN 'error:dup' "
            "ELSE 'create_lead' END) "
            "WHEN __mobj = 'lead' AND \"lead.__sf\" AND \"lead.__ro\" THEN 'error:ro' "
            f"WHEN __mobj = 'lead' AND \"lead.__sf\" AND ({vl}) THEN 'error:val' "
            "WHEN __mobj = 'contact' AND \"contact.__sf\" AND \"contact.__ro\" THEN 'error:ro' "
            f"WHEN __mobj = 'contact' AND \"contact.__sf\" AND ({vc}) THEN 'error:val' "
            f"ELSE 'matched' END"
        )
        packed = ", ".join(self._packed())
        return f"SELECT k.*{twins}, {action} AS __action, {packed} FROM k {' '.join(joins)}"

    def _packed(self) -> list[str]:
        """The few columns the plan is read from: lists of what holds, not one column each."""
        p = self.program

        def listed(items: list[str], test: str) -> str:
            if not items:
                return "CAST([] AS VARCHAR[])"
            return f"list_filter([{', '.join(items)}], lambda x: {test})"

        stages = [f"CASE WHEN {q('stage.' + name)} THEN {lit(name)} END" for name in p.stages]
        out = [f"{listed(stages, 'x IS NOT NULL')} AS __stages"]
        creates = self._live(
            (
                "lead",
                n,
                f"{{'i': {n}, 's': {q(f'c{n}.state')}, 'v': CAST({q(f'c{n}.v')} AS VARCHAR)}}",
            )
            for n, m in p.lead_maps
            if cls_of(m.prospect.type) and m.lead is not None and cls_of(m.lead.type)
        )
        # each list only on its path (a row is created, or updates one lead or contact):
        # CASE builds it for those rows alone, where building all three for every row was
        # a third of the direct path's round at 200,000 prospects
        kept = listed(creates, "x.s <> 'skip'")
        lists = p.write_lists
        lists["__creates"] = f"CASE WHEN __path = 'create' THEN {kept} END" if creates else "NULL"
        for obj, maps in (("lead", p.lead_maps), ("contact", p.contact_maps)):
            items: list[tuple[str, int, str]] = []
            for n, m in maps:
                target = m.target(obj)
                if target is None or not cls_of(m.prospect.type) or not cls_of(target.type):
                    continue
                pre = f"{obj[0]}{n}"
                items.append(
                    (
                        obj,
                        n,
                        f"{{'i': {n}, 'd': {q(pre + '.dir')}, 'c': {q(pre + '.code')}, "
                        f"'s': CAST({q(pre + '.sfv')} AS VARCHAR), "
                        f"'p': CAST({q(pre + '.pdv')} AS VARCHAR)}}",
                    )
                )
            live = self._live(items)
            lists[f"__{obj}_writes"] = (
                f"CASE WHEN __mobj = '{obj}' THEN {listed(live, 'x.d IS NOT NULL')} END"
                if live
                else "NULL"
            )
        out += [f"{sql} AS {name}" for name, sql in lists.items()]
        fired = [f"CASE WHEN {q(f'v{j}')} THEN {j} END" for j, _ in p.lead_rules + p.contact_rules]
        out.append(
            f"list_filter([{', '.join(fired)}], lambda x: x IS NOT NULL) AS __fired"
            if fired
            else "NULL AS __fired"
        )
        missing = [f"CASE WHEN {q('req.' + c.name)} THEN {lit(c.name)} END" for c in p.required]
        out.append(f"{listed(missing, 'x IS NOT NULL')} AS __missing")
        out.append(f"{self._problems()} AS __problems")
        return out

    def _live(self, items: Iterable[tuple[str, int, str]]) -> list[str]:
        """A write list's items (object, mapping, SQL) but the dead mappings' (`_dead`),
        which its filter would drop on every row; all of them when none is live, so the
        list keeps its type."""
        every = list(items)
        live = [sql for obj, n, sql in every if (obj, n) not in self.program.dead]
        return live or [sql for _, _, sql in every]

    def _problems(self) -> str:
        """The formula failures of the row in the reference's order (cycle.prospect): each
        stage's (in the schedule's order), the gate's when it was evaluated, then each
        validation rule's that the checks reached (readonly and required passed), in
        declaration order. `o` says whose: the prospect's (p), the matched record's (v),
        or the lead being created (n)."""
        p = self.program
        items = [
            f"{{'r': {lit('stage ' + name)}, 'o': 'p', 'e': {q('err.stage.' + name)}}}"
            for name in p.stages
            if name in self.stage_failing
        ]
        if self.gate_failed:
            items.append(
                "{'r': 'create lead', 'o': 'p', "
                "'e': CASE WHEN __path IN ('create', 'gated') THEN __gate_err END}"
            )
        req = " OR ".join(q(f"req.{c.name}") for c in p.required) or "FALSE"
        for obj, listed in (("lead", p.lead_rules), ("contact", p.contact_rules)):
            reached = (
                f"(__path = 'update' AND __mobj = '{obj}' AND {q(obj + '.__sf')} "
                f"AND NOT {q(obj + '.__ro')})"
            )
            if obj == "lead":
                created = f"(__path = 'create' AND NOT __create_ro AND NOT ({req}))"
                reached = f"({created} OR {reached})"
            for j, name in listed:
                if j in self.failing:
                    items.append(
                        f"{{'r': {lit('validation ' + name)}, "
                        "'o': CASE WHEN __path = 'create' THEN 'n' ELSE 'v' END, "
                        f"'e': CASE WHEN {reached} THEN {q(f'verr{j}')} END}}"
                    )
        if not items:
            return "NULL"
        return f"list_filter([{', '.join(items)}], lambda x: x.e IS NOT NULL)"

    # -- applying a round -----------------------------------------------------------

    def _apply(self) -> list[tuple[str, str]]:
        """Per table, the SELECT giving it after the round: the writes of the round's
        updates applied, and (leads) the round's created leads added."""
        p = self.program
        out: list[tuple[str, str]] = []
        for obj, table in (("lead", "leads"), ("contact", "contacts")):
            cols = []
            for c in p.columns(obj):
                w = self._written(obj, c.name)
                if w is None:
                    cols.append(f"t.{q(c.name)}")
                    continue
                cols.append(
                    f"CASE WHEN r.__id IS NOT NULL AND {w[0]} THEN r.{w[1]} "
                    f"ELSE t.{q(c.name)} END AS {q(c.name)}"
                )
            system = (
                "t.__id, t.__ord, t.__email, t.__stamp, t.__created, t.__deleted, t.__gone"
                f"{_dups(p, 't')}{''.join(f', t.__hs{n}' for n in p.history(obj))}"
                f"{''.join(f', t.{r.column}, t.{r.missing}' for r in p.related_of(obj))}"
            )
            select = (
                f"SELECT {', '.join([system, *cols])} FROM {table} AS t "
                "LEFT JOIN (SELECT * FROM cycle_round WHERE __action = 'matched' "
                f"AND __mobj = '{obj}') AS r ON r.__mid = t.__id"
            )
            if obj == "lead":
                created = [f"{self._created(c.name)} AS {q(c.name)}" for c in p.lead]
                dups = "".join(f", __ndup{n} AS __dup{n}" for n in p.dup_rules)
                dups += "".join(
                    f", CAST($created_stamp AS DOUBLE) AS __hs{n}" for n in p.history(obj)
                )
                dups += "".join(
                    f", CAST(NULL AS VARCHAR) AS {r.column}, "
                    f"{lit(created_missing(self.rules, r))} AS {r.missing}"
                    for r in p.related_of(obj)
                )
                new_id = f"'{NEW_LEAD_PREFIX}' || lpad(CAST(__rank AS VARCHAR), 12, '0')"
                select += (
                    f" UNION ALL SELECT {new_id} AS __id, 1000000000000 + __rank AS __ord, "
                    f"__nemail AS __email, CAST($created_stamp AS DOUBLE) AS __stamp, "
                    "TRUE AS __created, FALSE AS __deleted, FALSE AS __gone"
                    f"{dups}{''.join(', ' + v for v in created)} "
                    "FROM cycle_round WHERE __action = 'create_lead'"
                )
            out.append((table, select))
        # a matched record is held from now on (cycle._link): a later merged loser's
        # prospect whose master it is gets crm_deleted
        out.append(
            (
                "__owned",
                "SELECT obj, id FROM __owned UNION SELECT __mobj AS obj, __mid AS id "
                "FROM cycle_round WHERE __action = 'matched'",
            )
        )
        return out

    def _visible(self, obj: str, alias: str = "r") -> str:
        """runtime cycle.is_visible: never a deleted record, else a share rule admits it."""
        tests = []
        for s in self.rules.shares_for(obj):
            holds, failed = self._compile(f"share {obj}", s.when, self._record_scope(alias, obj))
            if failed is not None:
                # the reference reports a share rule's failures in the order it first looks
                # at each record, which the rounds do not follow
                self.reason(
                    f"share {obj}", "a share rule that can fail while evaluating", s.when.span
                )
            tests.append(holds)
        return f"(NOT {alias}.__deleted AND ({' OR '.join(tests) or 'TRUE'}))"

    def _candidates(self) -> str:
        """SPEC §3.9, after the last round: the visible, live, unconverted contacts and
        leads with an email that no prospect is linked to or matched with (`__taken`,
        filled by the engine); runtime/cycle.py builds each one's prospect. The share
        rules were compiled (and any reason given) for the round already."""
        said = list(self.program.reasons)
        parts = [
            f"SELECT '{obj}' AS obj, r.__id AS id, r.__ord AS ord FROM {table} AS r "
            f"LEFT JOIN __taken AS t ON t.obj = '{obj}' AND t.id = r.__id "
            f"WHERE t.id IS NULL AND NOT r.__gone AND NOT r.__created AND r.__email <> '' "
            f"AND {self._visible(obj)}"
            for obj, table in (("contact", "contacts"), ("lead", "leads"))
        ]
        self.program.reasons = said
        return " UNION ALL ".join(parts)


def _dups(p: Program, alias: str) -> str:
    return "".join(f", {alias}.__dup{n}" for n in p.dup_rules)


def _decide(sync: Sync, pb: str, sb: str, s: str) -> str:
    """cycle.decide in SQL: 'pardot', 'salesforce' or NULL (both blank); `s` is the
    Salesforce side's time for `most_recent` (the field's, runtime/history.py)."""

    def first(side: str) -> str:
        if side == "salesforce":
            return f"(CASE WHEN NOT {sb} THEN 'salesforce' WHEN NOT {pb} THEN 'pardot' END)"
        return f"(CASE WHEN NOT {pb} THEN 'pardot' WHEN NOT {sb} THEN 'salesforce' END)"

    match sync:
        case Sync.SALESFORCE_ALWAYS:
            return "'salesforce'"
        case Sync.PARDOT_ALWAYS:
            return "'pardot'"
        case Sync.SALESFORCE:
            return first("salesforce")
        case Sync.PARDOT:
            return first("pardot")
        case Sync.MOST_RECENT:
            later = f"(__stamp IS NOT NULL AND ({s} IS NULL OR __stamp > {s}))"
            return f"(CASE WHEN {later} THEN {first('pardot')} ELSE {first('salesforce')} END)"
    return "CAST(NULL AS VARCHAR)"


def function_names() -> set[str]:
    """Every function the checker accepts (the builder table's test reads it)."""
    return set(SIGNATURES) | {merge_fields.MERGE}


def created_missing(rules: CheckedRules, related: Related) -> str:
    """Why a lead the cycle creates gives no related value (it holds only its writes: no
    column of the record set, no OwnerId read as data), worded by the reference for a
    lead whose Id is RECORD_ID."""
    from engine.records.model import Origin, Record
    from engine.runtime.context import Directory, MergeFields
    from engine.runtime.evaluate import Missing

    lead = Record("lead", RECORD_ID, {}, {}, Origin("<created>", 0), created=True)
    found = MergeFields(rules, Directory({})).value(lead, related.reference, related.vtype)
    assert isinstance(found, Missing), "a created lead holds no related record's value"
    return found.reason
