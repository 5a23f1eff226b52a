"""The reference evaluator: the executable semantics of the IR, one record at a time.

`explain` prints its trace; any bulk backend is tested against it. A failure on one
record (`VALUE("n/a")`, a division by zero) is an `EvalError` value, not an exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import Protocol, assert_never

from engine import ir
from engine.fieldtypes import GRADE_RANK, VType
from engine.formula import merge_fields
from engine.formula.functions import FormulaError, call_strict, is_blank, number_text
from engine.formula.signatures import SIGNATURES, UNAVAILABLE, P, param_for
from engine.records.model import Value
from engine.source import Span
from engine.vocabulary import BinaryOp, LogicOp, UnaryOp


@dataclass(frozen=True, slots=True)
class EvalError:
    """A formula that failed on this record; it never counts as holding."""

    message: str
    span: Span


@dataclass(frozen=True, slots=True)
class Unavailable(EvalError):
    """A value neither the record set nor the configuration gives (`$Setup.…`, a related
    record's field): the rule cannot be evaluated for this record. Like an error it never
    counts as holding and is reported, located; unlike an error, an `AND` with a false
    operand (or an `OR` with a true one) is still decided without it."""


class Missing:
    """What a context returns for a merge field it cannot give, and why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


Result = Value | EvalError


class Context(Protocol):
    """What an expression can read: one prospect and its record, or one Salesforce record."""

    @property
    def today(self) -> dt.date: ...
    @property
    def now(self) -> dt.datetime: ...
    def field(self, obj: str, name: str) -> Value: ...
    def prior(self, obj: str, name: str) -> Value: ...
    def is_new(self) -> bool: ...
    def stage(self, name: str) -> Result: ...
    def assigned(self) -> bool: ...
    def in_group(self, user_id: str, group: str) -> bool: ...
    def merge_field(self, reference: str, vtype: VType) -> Value | Missing: ...


@dataclass(slots=True)
class Trace:
    """Values of evaluated sub-expressions, in evaluation order, for `explain`."""

    steps: list[tuple[ir.Expr, Result]] = field(default_factory=list)

    def record(self, expr: ir.Expr, value: Result) -> None:
        self.steps.append((expr, value))


def holds(value: Result) -> bool:
    """A rule holds only when its condition is true: null and errors do not (SPEC §1)."""
    return value is True


def evaluate(expr: ir.Expr, ctx: Context, trace: Trace | None = None) -> Result:
    """The value of an expression for one record."""
    result = _evaluate(expr, ctx, trace)
    if trace is not None:
        trace.record(expr, result)
    return result


def _evaluate(expr: ir.Expr, ctx: Context, trace: Trace | None) -> Result:
    match expr:
        case ir.Const(value=value):
            return value
        case ir.FieldRef(object=obj, name=name):
            return ctx.field(obj, name)
        case ir.StageRef(name=name):
            return ctx.stage(name)
        case ir.Assigned():
            return ctx.assigned()
        case ir.Call():
            return _call(expr, ctx, trace)
        case ir.Unary():
            return _unary(expr, ctx, trace)
        case ir.Binary():
            return _binary(expr, ctx, trace)
        case ir.Logic():
            return _logic(expr, ctx, trace)
        case ir.InList():
            return _in_list(expr, ctx, trace)
        case ir.InGroup():
            subject = evaluate(expr.subject, ctx, trace)
            if isinstance(subject, EvalError):
                return subject
            return bool(subject) and ctx.in_group(str(subject), expr.group)
        case _:
            assert_never(expr)


# -- logic (lazy, three-valued) ------------------------------------------------------------


def _logic(expr: ir.Logic, ctx: Context, trace: Trace | None) -> Result:
    decisive = expr.op is LogicOp.OR  # OR stops at true, AND at false
    unknown = False
    unavailable: Unavailable | None = None
    for operand in expr.operands:
        value = evaluate(operand, ctx, trace)
        if isinstance(value, Unavailable):
            unavailable = unavailable or value  # a later operand may still decide
            continue
        if isinstance(value, EvalError):
            return value
        if value is None:
            unknown = True
        elif bool(value) is decisive:
            return decisive
    if unavailable is not None:
        return unavailable
    return None if unknown else not decisive


def _unary(expr: ir.Unary, ctx: Context, trace: Trace | None) -> Result:
    value = evaluate(expr.operand, ctx, trace)
    if isinstance(value, EvalError) or value is None:
        return value
    if expr.op is UnaryOp.NOT:
        return not value
    assert isinstance(value, Decimal)
    return -value if expr.op is UnaryOp.NEG else value


# -- comparisons and arithmetic ------------------------------------------------------------


def _blank_test(expr: ir.Binary) -> ir.Expr | None:
    """The other operand of `x = null` / `x = ""` (a blankness test), else None."""
    for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
        blank = isinstance(other, ir.Const) and (other.value is None or other.value == "")
        if blank and other.type in (VType.NULL, VType.TEXT):
            return side
    return None


def _binary(expr: ir.Binary, ctx: Context, trace: Trace | None) -> Result:
    if expr.op in (BinaryOp.EQ, BinaryOp.NE):
        tested = _blank_test(expr)
        if tested is not None:
            value = evaluate(tested, ctx, trace)
            if isinstance(value, EvalError):
                return value
            return is_blank(value) is (expr.op is BinaryOp.EQ)
    left = evaluate(expr.left, ctx, trace)
    if isinstance(left, EvalError):
        return left
    right = evaluate(expr.right, ctx, trace)
    if isinstance(right, EvalError):
        return right
    if expr.type is VType.BOOLEAN:
        return compare(expr.op, left, right, expr.operand_type)
    try:
        return arithmetic(expr.op, left, right, expr.operand_type)
    except FormulaError as error:
        return EvalError(str(error), expr.span)


def compare(op: BinaryOp, left: Value, right: Value, operand: VType) -> bool | None:
    """A comparison with SPEC §1 blank handling: text blanks are "", others null."""
    a: object
    b: object
    if operand in (VType.TEXT, VType.PICKLIST):
        a, b = left or "", right or ""
    else:
        if left is None or right is None:
            return None
        a, b = left, right
        if operand is VType.GRADE:
            a, b = GRADE_RANK.get(str(a), -1), GRADE_RANK.get(str(b), -1)
    match op:
        case BinaryOp.EQ:
            return a == b
        case BinaryOp.NE:
            return a != b
        case BinaryOp.LT:
            return a < b  # type: ignore[operator]
        case BinaryOp.LE:
            return a <= b  # type: ignore[operator]
        case BinaryOp.GT:
            return a > b  # type: ignore[operator]
        case BinaryOp.GE:
            return a >= b  # type: ignore[operator]
    raise AssertionError(op)


def arithmetic(op: BinaryOp, left: Value, right: Value, result: VType) -> Value:
    if result is VType.TEXT:  # `&`, and `+` on texts
        return f"{left or ''}{right or ''}"
    if left is None or right is None:
        return None
    if isinstance(left, dt.date) or isinstance(right, dt.date):
        return _date_arithmetic(op, left, right)
    assert isinstance(left, Decimal)
    assert isinstance(right, Decimal)
    try:
        match op:
            case BinaryOp.ADD:
                return left + right
            case BinaryOp.SUB:
                return left - right
            case BinaryOp.MUL:
                return left * right
            case BinaryOp.DIV:
                return left / right
            case BinaryOp.POW:
                return left**right
    except (DivisionByZero, InvalidOperation, OverflowError, Overflow):  # 10 ^ 1000000
        raise FormulaError(
            "division by zero" if op is BinaryOp.DIV else "number overflow"
        ) from None
    raise AssertionError(op)


def _date_arithmetic(op: BinaryOp, left: Value, right: Value) -> Value:
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        delta = left - right
        return Decimal(delta.days) + Decimal(delta.seconds) / Decimal(86400)
    date, days = (left, right) if isinstance(left, dt.date) else (right, left)
    assert isinstance(days, Decimal)
    sign = -1 if op is BinaryOp.SUB else 1
    assert isinstance(date, dt.date)
    try:
        if isinstance(date, dt.datetime):
            return date + sign * dt.timedelta(days=float(days))
        return date + dt.timedelta(days=sign * int(days))
    except OverflowError:  # Python's dates, like Salesforce's, end with the year 9999
        raise FormulaError(
            f"date out of range: {date.isoformat()} {'-' if sign < 0 else '+'} "
            f"{number_text(days)} days is outside the years 1 to 9999"
        ) from None


def _in_list(expr: ir.InList, ctx: Context, trace: Trace | None) -> Result:
    subject = evaluate(expr.subject, ctx, trace)
    if isinstance(subject, EvalError):
        return subject
    unknown = False
    for option in expr.options:
        value = evaluate(option, ctx, trace)
        if isinstance(value, EvalError):
            return value
        same = compare(BinaryOp.EQ, subject, value, expr.operand_type)
        if same:
            return True
        unknown = unknown or same is None
    return None if unknown else False


# -- function calls ------------------------------------------------------------------------


def _call(expr: ir.Call, ctx: Context, trace: Trace | None) -> Result:
    name = expr.function
    if name in _LAZY:
        return _LAZY[name](expr, ctx, trace)
    if name in _CONTEXTUAL:
        return _CONTEXTUAL[name](expr, ctx)
    if name in UNAVAILABLE:
        return Unavailable(f"cannot evaluate {name}(): {UNAVAILABLE[name]}", expr.span)
    args: list[Value] = []
    sig = SIGNATURES[name]
    for index, arg in enumerate(expr.args):
        value = evaluate(arg, ctx, trace)
        if isinstance(value, EvalError):
            return value
        if value is None and param_for(sig, index) in (P.TEXT, P.LITERAL_TEXT):
            value = ""  # a blank text is "" (SPEC §1)
        args.append(value)
    try:
        result: Value = call_strict(name, args)
    except FormulaError as error:
        return EvalError(str(error), expr.span)
    return result


def _if(expr: ir.Call, ctx: Context, trace: Trace | None) -> Result:
    test = evaluate(expr.args[0], ctx, trace)
    if isinstance(test, EvalError):
        return test
    return evaluate(expr.args[1] if test is True else expr.args[2], ctx, trace)


def _case(expr: ir.Call, ctx: Context, trace: Trace | None) -> Result:
    subject = evaluate(expr.args[0], ctx, trace)
    if isinstance(subject, EvalError):
        return subject
    pairs = expr.args[1:-1]
    operand = VType.TEXT if expr.args[0].type in (VType.PICKLIST, VType.TEXT) else expr.args[0].type
    for value_expr, result_expr in zip(pairs[0::2], pairs[1::2], strict=True):
        value = evaluate(value_expr, ctx, trace)
        if isinstance(value, EvalError):
            return value
        if compare(BinaryOp.EQ, subject, value, operand) is True:
            return evaluate(result_expr, ctx, trace)
    return evaluate(expr.args[-1], ctx, trace)


def _blankvalue(expr: ir.Call, ctx: Context, trace: Trace | None) -> Result:
    first = evaluate(expr.args[0], ctx, trace)
    if isinstance(first, EvalError):
        return first
    missing = first is None if expr.function == "NULLVALUE" else is_blank(first)
    return evaluate(expr.args[1], ctx, trace) if missing else first


def _field_arg(expr: ir.Call) -> ir.FieldRef:
    arg = expr.args[0]
    assert isinstance(arg, ir.FieldRef)
    return arg


def _ischanged(expr: ir.Call, ctx: Context) -> Result:
    if ctx.is_new():
        return False  # SPEC §1: ISCHANGED is false on create
    ref = _field_arg(expr)
    return ctx.field(ref.object, ref.name) != ctx.prior(ref.object, ref.name)


def _priorvalue(expr: ir.Call, ctx: Context) -> Result:
    ref = _field_arg(expr)
    return ctx.prior(ref.object, ref.name)  # on create the context gives the new value


def _merge_field(expr: ir.Call, ctx: Context) -> Result:
    reference = merge_fields.referenced(expr)
    assert reference is not None
    value = ctx.merge_field(reference, expr.type)
    if isinstance(value, Missing):
        return Unavailable(f"cannot evaluate {reference}: {value.reason}", expr.span)
    return value


_LAZY = {"IF": _if, "CASE": _case, "BLANKVALUE": _blankvalue, "NULLVALUE": _blankvalue}
_CONTEXTUAL: dict[str, Callable[[ir.Call, Context], Result]] = {
    "ISNEW": lambda expr, ctx: ctx.is_new(),
    "ISCLONE": lambda expr, ctx: False,  # the connector never clones
    "ISCHANGED": _ischanged,
    "PRIORVALUE": _priorvalue,
    "TODAY": lambda expr, ctx: ctx.today,
    "NOW": lambda expr, ctx: ctx.now,
    "TIMENOW": lambda expr, ctx: ctx.now.astimezone(dt.UTC).replace(year=1970, month=1, day=1),
    merge_fields.MERGE: _merge_field,
}
