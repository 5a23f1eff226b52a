"""Can a condition hold? Reasoning over field-versus-literal constraints, for lint rules.

A condition is expanded into disjunctive normal form over *atoms*: one field compared
with literals (`score >= 100`, `grade >= "B"`, `Status in ("Open", "Working")`,
`ISBLANK(last_name)`), `assigned`, a boolean field, or an opaque sub-expression the
reasoner does not understand (`CONTAINS(email, "@")`, `IF(…)`). Stage names are replaced
by their conditions (a stage cycle becomes opaque), and `not` is pushed inward with
De Morgan's laws and negated comparisons. Under SPEC §1's three-valued logic this is
exact: `not (score >= 100)` holds exactly when `score < 100` holds (a null score makes
both null), and a condition holds only when it is true.

A conjunction is unsatisfiable when the atoms on one subject admit no common value; the
values tried per subject are finite and complete (every interval between the literals,
the literals themselves, blank). An opaque atom only contradicts its own negation, so
the reasoner never calls a condition impossible that could hold. Expansion stops at
`CAP` conjunctions with `TooComplex`; callers then stay silent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise

from engine import ir
from engine.ast import BinaryOp, LogicOp, UnaryOp
from engine.fieldtypes import GRADE_RANK, GRADES, SALESFORCE_OBJECTS, Kind, VType, api_key
from engine.source import SourceFile

CAP = 256
KEPT = 16  # contradictions remembered per expansion, to explain an empty result

Value = Decimal | str | bool | int | None


class TooComplex(Exception):
    """The condition expands past `CAP` conjunctions: no verdict."""


class Domain(StrEnum):
    """The values a subject can take (SPEC §1: text blanks are "", other blanks null)."""

    TEXT = "text"  # any string; `values` set: a picklist, its values plus ""
    NUMBER = "number"  # a decimal, or null
    GRADE = "grade"  # a grade rank 0..12, or null
    LENGTH = "length"  # LEN(text): a whole number >= 0, never null
    BOOL = "bool"  # true, false, or null
    BLANK_ONLY = "blank-only"  # dates, multi-select picklists: only blankness is known
    FLAG = "flag"  # `assigned`, an opaque condition: true or false


class Op(StrEnum):
    IN = "in"
    NOT_IN = "not in"
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    BLANK = "blank"
    NONBLANK = "not blank"


# negating a comparison that is null on a null operand keeps it null (SPEC §1)
NEGATE = {
    Op.IN: Op.NOT_IN,
    Op.NOT_IN: Op.IN,
    Op.LT: Op.GE,
    Op.GE: Op.LT,
    Op.GT: Op.LE,
    Op.LE: Op.GT,
    Op.BLANK: Op.NONBLANK,
    Op.NONBLANK: Op.BLANK,
}
FLIP = {
    BinaryOp.LT: BinaryOp.GT,
    BinaryOp.GT: BinaryOp.LT,
    BinaryOp.LE: BinaryOp.GE,
    BinaryOp.GE: BinaryOp.LE,
    BinaryOp.EQ: BinaryOp.EQ,
    BinaryOp.NE: BinaryOp.NE,
}
FROM_BINARY = {BinaryOp.LT: Op.LT, BinaryOp.LE: Op.LE, BinaryOp.GT: Op.GT, BinaryOp.GE: Op.GE}
TEXT_KINDS = frozenset({Kind.TEXT, Kind.TEXTAREA, Kind.EMAIL, Kind.PHONE, Kind.REFERENCE, Kind.ID})
MERGE_DOMAINS = {
    VType.TEXT: Domain.TEXT,
    VType.NUMBER: Domain.NUMBER,
    VType.BOOLEAN: Domain.BOOL,
    VType.GRADE: Domain.GRADE,
}
# functions whose result is blank exactly when their text argument is blank
BLANK_PRESERVING = frozenset({"LOWER", "UPPER"})
_NOT_NULL = object()  # a value of a BLANK_ONLY subject that is not blank


@dataclass(frozen=True, slots=True)
class Subject:
    """What an atom constrains: a field, LEN of a field, `assigned`, or an opaque test."""

    key: tuple[object, ...]
    domain: Domain
    label: str  # for messages: `score`, `lead.Status`, `LEN(last_name)`, source text
    values: tuple[str, ...] | None = None  # a picklist's values
    node: ir.Expr | None = field(default=None, compare=False)  # the opaque expression
    field: tuple[str, str] | None = None  # (object, declared name) of the field involved


@dataclass(frozen=True, slots=True)
class Atom:
    """One constraint on one subject; `via` names the stages it was reached through."""

    subject: Subject
    op: Op
    values: tuple[Value, ...] = ()
    via: tuple[str, ...] = ()

    def holds(self, value: object) -> bool:
        """Whether this constraint admits the subject having `value`."""
        domain = self.subject.domain
        blank = value == "" if domain is Domain.TEXT else value is None
        if self.op is Op.BLANK:
            return blank
        if self.op is Op.NONBLANK:
            return not blank
        if value is None:  # comparisons with a null operand are null: they never hold
            return False
        if self.op is Op.IN:
            return value in self.values
        if self.op is Op.NOT_IN:
            return value not in self.values
        bound = self.values[0]
        assert isinstance(value, (Decimal, int))
        assert isinstance(bound, (Decimal, int))
        match self.op:
            case Op.LT:
                return value < bound
            case Op.LE:
                return value <= bound
            case Op.GT:
                return value > bound
            case _:
                return value >= bound

    def describe(self, root: str | None = None) -> str:
        """`score >= 100 (from MQL)`: the stage it came from, unless that is `root`."""
        text = self._text()
        return f"{text} (from {self.via[-1]})" if self.via and self.via[-1] != root else text

    def _text(self) -> str:
        label, domain = self.subject.label, self.subject.domain
        if domain in (Domain.FLAG, Domain.BOOL) and self.op is Op.IN and len(self.values) == 1:
            return label if self.values[0] is True else f"not {_wrap(label)}"
        if self.op is Op.BLANK:
            return f"{label} is blank"
        if self.op is Op.NONBLANK:
            return f"{label} is not blank"
        shown = [self.show(v) for v in self.values]
        if self.op in (Op.IN, Op.NOT_IN) and len(shown) == 1:
            return f"{label} {'=' if self.op is Op.IN else '!='} {shown[0]}"
        if self.op in (Op.IN, Op.NOT_IN):
            return f"{label} {self.op.value} ({', '.join(shown)})"
        return f"{label} {self.op.value} {shown[0]}"

    def show(self, value: Value) -> str:
        if self.subject.domain is Domain.GRADE and isinstance(value, int):
            return json.dumps(GRADES[value])
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Decimal):
            return _number(value)
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)
        return str(value)


Conj = tuple[Atom, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Atoms on one subject that no value satisfies together (a minimal set)."""

    subject: Subject
    atoms: tuple[Atom, ...]

    def describe(self, root: str | None = None) -> str:
        parts = [a.describe(root) for a in self.atoms]
        if len(parts) == 1:
            return _domain_reason(self.atoms[0]) or f"no value satisfies {parts[0]}"
        verb = "cannot both hold" if len(parts) == 2 else "cannot all hold"
        return f"{', '.join(parts[:-1])} and {parts[-1]} {verb}"


def _domain_reason(atom: Atom) -> str | None:
    subject = atom.subject
    if subject.values is not None and atom.op is Op.IN:
        missing = [v for v in atom.values if v not in subject.values and v != ""]
        if missing:
            shown = atom.show(missing[0])
            return f"{shown} is not one of {subject.label}'s picklist values"
    return None


def _wrap(label: str) -> str:
    return label if re.fullmatch(r"[\w.]+(\(.*\))?", label) else f"({label})"


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# -- satisfiability --------------------------------------------------------------------


def candidates(subject: Subject, atoms: Sequence[Atom]) -> Sequence[object]:
    """Values to try for a subject: one per region the atoms' literals cut its domain into."""
    match subject.domain:
        case Domain.FLAG:
            return [True, False]
        case Domain.BOOL:
            return [None, True, False]
        case Domain.GRADE:
            return [None, *range(len(GRADES))]
        case Domain.BLANK_ONLY:
            return [None, _NOT_NULL]
        case Domain.TEXT:
            if subject.values is not None:
                return ["", *subject.values]
            literals = {v for a in atoms for v in a.values if isinstance(v, str)}
            fresh = "\x00" * (max((len(v) for v in literals), default=0) + 1)
            return ["", *sorted(literals), fresh]
    points = sorted({v for a in atoms for v in a.values if isinstance(v, (Decimal, int))})
    if subject.domain is Domain.LENGTH:
        whole = {0}
        for p in points:
            base = int(Decimal(p).to_integral_value(rounding="ROUND_FLOOR"))
            whole |= {base - 1, base, base + 1}
        return sorted(w for w in whole if w >= 0)
    out: list[object] = [None]
    if not points:
        return [*out, Decimal(0)]
    decimals = [Decimal(p) for p in points]
    out += [decimals[0] - 1, decimals[-1] + 1, *decimals]
    out += [(a + b) / 2 for a, b in pairwise(decimals)]
    return out


def satisfiable(atoms: Sequence[Atom]) -> bool:
    """Whether one value of their (shared) subject satisfies every atom."""
    return not atoms or _satisfiable(frozenset(atoms))


@lru_cache(maxsize=4096)
def _satisfiable(atoms: frozenset[Atom]) -> bool:
    subject = next(iter(atoms)).subject
    if subject.domain in ORDERED:
        return _ordered_satisfiable(subject.domain, atoms)
    return any(all(a.holds(v) for a in atoms) for v in candidates(subject, list(atoms)))


def _ordered_satisfiable(domain: Domain, atoms: frozenset[Atom]) -> bool:
    """Numbers, grades, lengths: bounds, allowed and excluded values, in one pass."""
    if all(a.holds(None) for a in atoms) and domain is not Domain.LENGTH:
        return True  # blank satisfies them all
    lo, hi = Bound(None, False), Bound(None, False)
    allowed: set[Value] | None = None
    excluded: set[Value] = set()
    for atom in atoms:
        match atom.op:
            case Op.BLANK:
                return False  # and some atom needs a value: blank fails it
            case Op.IN:
                allowed = set(atom.values) if allowed is None else allowed & set(atom.values)
            case Op.NOT_IN:
                excluded |= set(atom.values)
            case Op.GT | Op.GE:
                lo = lo.tighter(atom.values[0], atom.op is Op.GT, above=True)
            case Op.LT | Op.LE:
                hi = hi.tighter(atom.values[0], atom.op is Op.LT, above=False)
    if allowed is None and domain is Domain.NUMBER:
        if lo.value is None or hi.value is None or lo.value < hi.value:  # type: ignore[operator]
            return True  # an interval of decimals: a finite exclusion leaves a value
        return lo.value == hi.value and not (lo.strict or hi.strict) and lo.value not in excluded
    if allowed is None:  # whole numbers: a grade rank, or a length
        start = 0 if lo.value is None else _whole_above(lo)
        start = max(start, 0)
        stop = len(GRADES) - 1 if domain is Domain.GRADE else None
        if hi.value is not None:
            top = _whole_below(hi)
            stop = top if stop is None else min(stop, top)
        last = start + len(excluded) if stop is None else min(stop, start + len(excluded))
        allowed = set(range(start, last + 1))
    return any(v not in excluded and _within(v, lo, hi, domain) for v in allowed)


def _within(value: Value, lo: Bound, hi: Bound, domain: Domain) -> bool:
    if not isinstance(value, (Decimal, int)):
        return False
    if domain is Domain.LENGTH and (value < 0 or value != int(value)):
        return False
    if lo.value is not None and (value < lo.value or (value == lo.value and lo.strict)):  # type: ignore[operator]
        return False
    return hi.value is None or not (value > hi.value or (value == hi.value and hi.strict))  # type: ignore[operator]


ORDERED = frozenset({Domain.NUMBER, Domain.GRADE, Domain.LENGTH})


@dataclass(frozen=True, slots=True)
class Bound:
    """One side of an interval: a value (None: unbounded) and whether it is excluded."""

    value: Value
    strict: bool

    def tighter(self, value: Value, strict: bool, *, above: bool) -> Bound:
        if self.value is None:
            return Bound(value, strict)
        if value == self.value:
            return Bound(value, strict or self.strict)
        better = value > self.value if above else value < self.value  # type: ignore[operator]
        return Bound(value, strict) if better else self


def _whole_above(bound: Bound) -> int:
    value = Decimal(bound.value)  # type: ignore[arg-type]
    whole = int(value.to_integral_value(rounding="ROUND_CEILING"))
    return whole + 1 if bound.strict and whole == value else whole


def _whole_below(bound: Bound) -> int:
    value = Decimal(bound.value)  # type: ignore[arg-type]
    whole = int(value.to_integral_value(rounding="ROUND_FLOOR"))
    return whole - 1 if bound.strict and whole == value else whole


def conflict(conj: Conj, only: Iterable[Atom] | None = None) -> Conflict | None:
    """The first subject of a conjunction whose atoms contradict each other, minimised.

    `only`: check just the subjects of these atoms (the rest is known to be consistent)."""
    keys = None if only is None else {a.subject.key for a in only}
    by_subject: dict[tuple[object, ...], list[Atom]] = {}
    for atom in conj:
        if keys is None or atom.subject.key in keys:
            by_subject.setdefault(atom.subject.key, []).append(atom)
    for atoms in by_subject.values():
        if satisfiable(atoms):
            continue
        core = list(atoms)
        for atom in list(core):  # drop every atom the contradiction does not need
            rest = [a for a in core if a is not atom]
            if rest and not satisfiable(rest):
                core = rest
        return Conflict(atoms[0].subject, tuple(core))
    return None


# -- expansion to disjunctive normal form -----------------------------------------------


@dataclass(slots=True)
class Expander:
    """Expand conditions to DNF; unsatisfiable conjunctions are dropped and remembered.

    `stages` maps stage names to their conditions. `unchanged` holds field keys that
    never change on the writes being reasoned about: `ISCHANGED(f)` is then false and
    `PRIORVALUE(f)` is `f` (the connector never writes a field no mapping writes).
    `home` is the object whose fields are shown unqualified in messages.
    """

    stages: dict[str, ir.Expr]
    sources: dict[str, SourceFile]
    home: str = "prospect"
    unchanged: frozenset[tuple[object, ...]] = frozenset()
    conflicts: list[Conflict] = field(default_factory=list)
    _active: list[str] = field(default_factory=list)
    _expanded: dict[tuple[str, bool], tuple[list[Conj], list[Conflict]]] = field(
        default_factory=dict
    )
    _recording: list[list[Conflict]] = field(default_factory=list)

    def expand_stage(self, name: str, positive: bool) -> list[Conj]:
        """A stage's condition (or its negation), expanded once per expander and reused:
        stages build on stages, and a chain of them must not expand exponentially."""
        key = (name, positive)
        if key not in self._expanded:
            recording: list[Conflict] = []
            self._recording.append(recording)
            self._active.append(name)
            try:
                self._expanded[key] = (self.dnf(self.stages[name], positive), recording)
            finally:
                self._active.pop()
                self._recording.pop()
        result, found = self._expanded[key]
        for conflict_ in found:  # the reasons travel with the reused expansion
            self.remember(conflict_)
        return result

    def stage(self, name: str) -> list[Conj]:
        """A stage's condition, expanded; its own name inside it stays opaque (a cycle)."""
        return self.dnf(ir.StageRef(name, VType.BOOLEAN, self.stages[name].span))

    def dnf(self, expr: ir.Expr, positive: bool = True) -> list[Conj]:
        """The conjunctions (each a tuple of atoms) whose disjunction is the condition."""
        match expr:
            case ir.Logic(op=op, operands=operands):
                conjunctive = (op is LogicOp.AND) == positive
                parts = [self.dnf(o, positive) for o in operands]
                return self.product(parts) if conjunctive else self.union(parts)
            case ir.Unary(op=UnaryOp.NOT, operand=operand):
                return self.dnf(operand, not positive)
            case ir.Const(value=value, type=vtype):
                if vtype is VType.ANY:
                    return [()]  # a placeholder after a check error: unknown
                if isinstance(value, bool):
                    return [()] if value == positive else []
                return []  # null: neither it nor its negation ever holds
            case ir.StageRef(name=name) if name in self.stages and name not in self._active:
                return self.expand_stage(name, positive)
            case ir.Assigned():
                return self.flag(("assigned",), "assigned", positive)
            case ir.FieldRef() | ir.Call() if expr.type is VType.BOOLEAN and (
                subject := self.subject(expr)
            ):
                return [(self.atom(subject, Op.IN, (positive,)),)]  # a checkbox on its own
            case ir.Binary(op=op) if op in FLIP:
                found = self.comparison(expr, positive)
                return self.opaque(expr, positive) if found is None else found
            case ir.InList():
                found = self.in_list(expr, positive)
                return self.opaque(expr, positive) if found is None else found
            case ir.Call():
                return self.call(expr, positive)
        return self.opaque(expr, positive)

    # -- combinators ---------------------------------------------------------------

    def union(self, parts: Iterable[list[Conj]]) -> list[Conj]:
        out: list[Conj] = []
        for part in parts:
            out.extend(c for c in part if c not in out)
            if len(out) > CAP:
                raise TooComplex
        return out

    def product(self, parts: Iterable[list[Conj]]) -> list[Conj]:
        out: list[Conj] = [()]
        for part in parts:
            combined: list[Conj] = []
            for left in out:
                for right in part:
                    conj = left + tuple(a for a in right if a not in left)
                    found = conflict(conj, only=right)  # both halves are consistent alone
                    if found is not None:
                        self.remember(found)
                    elif conj not in combined:
                        combined.append(conj)
                    if len(combined) > CAP:
                        raise TooComplex
            out = combined
        return out

    def remember(self, found: Conflict) -> None:
        """Keep a reason a conjunction was dropped (a few suffice to explain)."""
        for reasons in (self.conflicts, *self._recording):
            if len(reasons) < KEPT and found not in reasons:
                reasons.append(found)

    def atom(self, subject: Subject, op: Op, values: tuple[Value, ...] = ()) -> Atom:
        return Atom(subject, op, values, tuple(self._active))

    def single(self, *atoms: Atom) -> list[Conj]:
        """One conjunction, or none when its atoms already contradict each other."""
        found = conflict(atoms)
        if found is not None:
            self.remember(found)
            return []
        return [atoms]

    def flag(self, key: tuple[object, ...], label: str, positive: bool) -> list[Conj]:
        return [(self.atom(Subject(key, Domain.FLAG, label), Op.IN, (positive,)),)]

    def opaque(self, expr: ir.Expr, positive: bool, *extra: Atom) -> list[Conj]:
        """A condition the reasoner cannot look into: it only contradicts its negation."""
        subject = Subject(("opaque", expr), Domain.FLAG, self.text(expr), node=expr)
        return self.single(self.atom(subject, Op.IN, (positive,)), *extra)

    def text(self, expr: ir.Expr) -> str:
        source = self.sources.get(expr.span.path)
        if source is None or expr.span.end <= expr.span.start:
            return type(expr).__name__
        return " ".join(source.text[expr.span.start : expr.span.end].split())

    # -- subjects ------------------------------------------------------------------

    def field_subject(self, obj: str, name: str, kind: Kind, values: tuple[str, ...]) -> Subject:
        key = ("field", obj, api_key(name) if obj in SALESFORCE_OBJECTS else name)
        label = name if obj == self.home else f"{obj}.{name}"
        where = (obj, name)
        if kind in TEXT_KINDS:
            return Subject(key, Domain.TEXT, label, field=where)
        if kind is Kind.PICKLIST:
            # no values known (a global value set missing from an import): any value may come
            return Subject(key, Domain.TEXT, label, values or None, field=where)
        domain = {Kind.NUMBER: Domain.NUMBER, Kind.GRADE: Domain.GRADE, Kind.BOOLEAN: Domain.BOOL}
        return Subject(key, domain.get(kind, Domain.BLANK_ONLY), label, field=where)

    def subject(self, expr: ir.Expr, *, exact: bool = True) -> Subject | None:
        """The field an expression is, as far as its value (exact) or blankness goes."""
        match expr:
            case ir.FieldRef(object=obj, name=name, field_type=ftype):
                return self.field_subject(obj, name, ftype.kind, ftype.values)
            case ir.Call(function="TEXT", args=(arg,)):
                inner = self.subject(arg, exact=exact)
                if inner is not None and (inner.domain is Domain.TEXT or not exact):
                    return inner
            case ir.Call(function="PRIORVALUE", args=(ir.FieldRef() as arg,)):
                inner = self.subject(arg, exact=exact)
                if inner is not None and inner.key in self.unchanged:
                    return inner
            case ir.Call(function=fn, args=(arg,)) if fn in BLANK_PRESERVING and not exact:
                return self.subject(arg, exact=False)
            case ir.Call(function="$MERGE", args=(ir.Const(value=str() as ref),)):
                # `$Permission.Bypass__c`, `Owner.Profile.Name`: a value read from elsewhere
                return Subject(("merge", ref), MERGE_DOMAINS.get(expr.type, Domain.BLANK_ONLY), ref)
        return None

    # -- atoms ---------------------------------------------------------------------

    def comparison(self, expr: ir.Binary, positive: bool) -> list[Conj] | None:
        op = expr.op
        blank = _blank_test(expr)
        if blank is not None:
            subject = self.subject(blank, exact=False)
            if subject is None:
                return None
            is_blank = (op is BinaryOp.EQ) == positive
            return self.single(self.atom(subject, Op.BLANK if is_blank else Op.NONBLANK))
        left, right = expr.left, expr.right
        if isinstance(left, ir.Const):
            left, right, op = right, left, FLIP[op]
        if not isinstance(right, ir.Const) or right.value is None:
            return None
        if isinstance(left, ir.Call) and left.function == "LEN":
            return self.length(left, op, right.value, positive)
        subject = self.subject(left)
        if subject is None:
            return None
        value = _literal(subject.domain, right.value)
        if value is None:
            return None
        if op in (BinaryOp.EQ, BinaryOp.NE):
            test = Op.IN if (op is BinaryOp.EQ) == positive else Op.NOT_IN
        elif subject.domain in (Domain.NUMBER, Domain.GRADE):
            test = FROM_BINARY[op] if positive else NEGATE[FROM_BINARY[op]]
        else:
            return None  # text ordering: not reasoned about
        return self.single(self.atom(subject, test, (value,)))

    def length(
        self, call: ir.Call, op: BinaryOp, value: object, positive: bool
    ) -> list[Conj] | None:
        """`LEN(x) > 0` also says x is not blank, `LEN(x) = 0` that it is."""
        text = self.subject(call.args[0]) if call.args else None
        if text is None or text.domain is not Domain.TEXT or not isinstance(value, Decimal):
            return None
        subject = Subject(
            ("len", *text.key[1:]), Domain.LENGTH, f"LEN({text.label})", field=text.field
        )
        if op in (BinaryOp.EQ, BinaryOp.NE):
            test = Op.IN if (op is BinaryOp.EQ) == positive else Op.NOT_IN
        else:
            test = FROM_BINARY[op] if positive else NEGATE[FROM_BINARY[op]]
        atom = self.atom(subject, test, (value,))
        admits = [n for n in candidates(subject, [atom]) if atom.holds(n)]
        if 0 not in admits:
            return self.single(atom, self.atom(text, Op.NONBLANK))
        if admits == [0]:
            return self.single(atom, self.atom(text, Op.BLANK))
        return self.single(atom)

    def in_list(self, expr: ir.InList, positive: bool) -> list[Conj] | None:
        subject = self.subject(expr.subject)
        if subject is None:
            return None
        values: list[Value] = []
        for option in expr.options:
            if not isinstance(option, ir.Const) or option.value is None:
                return None
            value = _literal(subject.domain, option.value)
            if value is None:
                return None
            values.append(value)
        test = Op.IN if positive else Op.NOT_IN
        return self.single(self.atom(subject, test, tuple(dict.fromkeys(values))))

    def call(self, expr: ir.Call, positive: bool) -> list[Conj]:
        fn, args = expr.function, expr.args
        if fn in ("ISBLANK", "ISNULL"):
            subject = self.subject(args[0], exact=False)
            if subject is not None:
                return self.single(self.atom(subject, Op.BLANK if positive else Op.NONBLANK))
        elif fn == "ISPICKVAL" and isinstance(args[1], ir.Const):
            subject = self.subject(args[0])
            value = args[1].value
            if subject is not None and isinstance(value, str):
                if value == "":
                    return self.single(self.atom(subject, Op.BLANK if positive else Op.NONBLANK))
                return self.single(self.atom(subject, Op.IN if positive else Op.NOT_IN, (value,)))
        elif fn == "ISCHANGED":
            subject = self.subject(args[0])
            if subject is not None and subject.key in self.unchanged:
                return [] if positive else [()]
        elif fn in ("BEGINS", "CONTAINS", "REGEX") and positive:
            subject = self.subject(args[0], exact=False)
            if subject is not None and _needs_text(fn, args[1]):
                return self.opaque(expr, positive, self.atom(subject, Op.NONBLANK))
        return self.opaque(expr, positive)


def _blank_test(expr: ir.Binary) -> ir.Expr | None:
    """The other operand of `x = null` / `x = ""` / `x != …` (a blankness test), else None."""
    if expr.op not in (BinaryOp.EQ, BinaryOp.NE):
        return None
    for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
        blank = isinstance(other, ir.Const) and other.value in (None, "")
        if blank and other.type in (VType.NULL, VType.TEXT):
            return side
    return None


def _literal(domain: Domain, value: object) -> Value:
    """A literal as a value of the domain, or None when they do not meet."""
    if domain is Domain.NUMBER and isinstance(value, Decimal):
        return value
    if domain is Domain.GRADE and isinstance(value, str):
        return GRADE_RANK.get(value)
    if domain is Domain.TEXT and isinstance(value, str):
        return value
    if domain is Domain.BOOL and isinstance(value, bool):
        return value
    return None


def _needs_text(fn: str, pattern: ir.Expr) -> bool:
    """Whether BEGINS/CONTAINS/REGEX with this literal is false for a blank text."""
    if not isinstance(pattern, ir.Const) or not isinstance(pattern.value, str):
        return False
    if fn != "REGEX":
        return pattern.value != ""
    try:
        return re.fullmatch(pattern.value, "") is None
    except re.error:
        return False
