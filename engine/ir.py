"""Backend-neutral typed expressions: what the checker produces and every runner reads.

Names are resolved (an object and the field's declared name), functions are upper-cased,
and every node carries its value type and the span it came from. Nothing here knows about
rows, records or SQL: the per-record evaluator and any bulk backend implement these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from engine.fieldtypes import FieldType, VType
from engine.source import Span
from engine.vocabulary import BinaryOp, LogicOp, UnaryOp


@dataclass(frozen=True, slots=True)
class Const:
    """A literal value."""

    value: Decimal | str | bool | None
    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field of one side of the sync: `prospect.score`, `lead.Status`, `Country`."""

    object: str
    name: str  # the declared spelling; Salesforce names were matched case-insensitively
    field_type: FieldType
    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class StageRef:
    """A stage used as a boolean (`MQL`)."""

    name: str
    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Assigned:
    """`assigned`: the prospect has an assigned user."""

    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A function of the formula library; the name is upper case."""

    function: str
    args: tuple[Expr, ...]
    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    op: UnaryOp
    operand: Expr
    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """An operator; `operand_type` says how operands compare (text, number, grade …)."""

    op: BinaryOp
    left: Expr
    right: Expr
    operand_type: VType
    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Logic:
    op: LogicOp
    operands: tuple[Expr, ...]
    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class InList:
    subject: Expr
    options: tuple[Expr, ...]
    operand_type: VType
    type: VType
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class InGroup:
    subject: Expr
    group: str
    type: VType
    span: Span = field(compare=False)


Expr = Const | FieldRef | StageRef | Assigned | Call | Unary | Binary | Logic | InList | InGroup


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node."""
    match expr:
        case Call(args=args):
            return args
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Logic(operands=operands):
            return operands
        case InList(subject=subject, options=options):
            return (subject, *options)
        case InGroup(subject=subject):
            return (subject,)
        case _:
            return ()


def walk(expr: Expr) -> list[Expr]:
    """Every node of an expression, parents before children, without recursion."""
    out: list[Expr] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(children(node)))
    return out


def field_refs(expr: Expr) -> list[FieldRef]:
    return [n for n in walk(expr) if isinstance(n, FieldRef)]


def stage_refs(expr: Expr) -> list[StageRef]:
    return [n for n in walk(expr) if isinstance(n, StageRef)]


def uses_assigned(expr: Expr) -> bool:
    return any(isinstance(n, Assigned) for n in walk(expr))
