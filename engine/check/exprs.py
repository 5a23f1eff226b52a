"""Resolve names and type-check one expression, lowering it to typed IR.

An unresolvable name or an ill-typed node becomes an `ANY` node after its diagnostic:
`ANY` is compatible with everything, so one mistake yields one diagnostic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from engine import ast, codes, ir
from engine.check.model import ObjectModel
from engine.diagnostics import Report, suggest
from engine.fieldtypes import GRADE_RANK, OBJECTS, FieldType, VType
from engine.formula import merge_fields
from engine.formula.signatures import SIGNATURES, P, R, Signature, arity_text, param_for
from engine.source import Span
from engine.standard_fields import standard_field

ANY = VType.ANY
BLANKISH = frozenset({VType.NULL, VType.ANY})
TEXTISH = frozenset({VType.TEXT, VType.PICKLIST})
ORDERED = frozenset({VType.NUMBER, VType.DATE, VType.DATETIME, VType.GRADE, VType.TEXT})

ACCEPTS: dict[P, frozenset[VType]] = {
    P.BOOL: frozenset({VType.BOOLEAN}),
    P.NUMBER: frozenset({VType.NUMBER}),
    P.TEXT: frozenset({VType.TEXT}),
    P.PICKLIST: frozenset({VType.PICKLIST}),
    P.MULTIPICKLIST: frozenset({VType.MULTIPICKLIST}),
    P.DATE: frozenset({VType.DATE}),
    P.DATE_OR_TEXT: frozenset({VType.DATE, VType.TEXT}),
    P.DATETIME_OR_TEXT: frozenset({VType.DATE, VType.DATETIME, VType.TEXT}),
    P.DATETIME: frozenset({VType.DATETIME}),
    P.DATE_OR_DATETIME: frozenset({VType.DATE, VType.DATETIME}),
    P.TEXTABLE: frozenset(
        {VType.NUMBER, VType.DATE, VType.DATETIME, VType.PICKLIST, VType.TEXT, VType.GRADE}
    ),
    P.LITERAL_TEXT: frozenset({VType.TEXT}),
}

TYPE_WORDS = {
    VType.TEXT: "a text",
    VType.NUMBER: "a number",
    VType.BOOLEAN: "a boolean",
    VType.DATE: "a date",
    VType.DATETIME: "a date/time",
    VType.GRADE: "a grade",
    VType.PICKLIST: "a picklist",
    VType.MULTIPICKLIST: "a multi-select picklist",
    VType.NULL: "null",
    VType.ANY: "a value",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """What names mean where an expression stands (SPEC §1, unqualified names)."""

    kind: str  # "stage", "create", "share" or "validation"
    object: str  # whose fields unqualified names are: prospect, or the rule's object
    objects: dict[str, ObjectModel]
    stages: frozenset[str] = frozenset()

    @property
    def marketing(self) -> bool:
        """Stage and gate conditions read the prospect and its matched record."""
        return self.kind in ("stage", "create")


class ExprChecker:
    def __init__(self, scope: Scope, report: Report) -> None:
        self.scope = scope
        self.report = report

    def check(self, expr: ast.Expr) -> ir.Expr:
        match expr:
            case ast.Literal():
                return self.literal(expr)
            case ast.Name():
                return self.name(expr)
            case ast.Call():
                return self.call(expr)
            case ast.Unary():
                return self.unary(expr)
            case ast.Binary():
                return self.binary(expr)
            case ast.Logic():
                return self.logic(expr.op, expr.operands, expr.span)
            case ast.InList():
                return self.in_list(expr)
            case ast.InGroup():
                return self.in_group(expr)

    def any(self, span: Span) -> ir.Expr:
        return ir.Const(None, ANY, span)

    # -- leaves ----------------------------------------------------------------------

    def literal(self, lit: ast.Literal) -> ir.Expr:
        value = lit.value
        if value is None:
            return ir.Const(None, VType.NULL, lit.span)
        if isinstance(value, bool):
            return ir.Const(value, VType.BOOLEAN, lit.span)
        if isinstance(value, Decimal):
            return ir.Const(value, VType.NUMBER, lit.span)
        return ir.Const(value, VType.TEXT, lit.span)

    def name(self, node: ast.Name) -> ir.Expr:
        parts = node.parts
        if parts[0].startswith("$"):
            return self.merge_field(node)
        if len(parts) == 1:
            return self.simple_name(parts[0], node.span)
        if len(parts) == 2 and parts[0] in OBJECTS:
            return self.qualified(parts[0], parts[1], node)
        if self.scope.marketing:
            self.report.add(
                codes.UNKNOWN_FIELD.at(
                    node.span,
                    f'no object "{parts[0]}"',
                    hint="qualify with prospect., lead. or contact.",
                )
            )
            return self.any(node.span)
        # a cross-object reference (`RecordType.DeveloperName`, `Owner.Profile.Name`)
        vtype = merge_fields.path_type(self.scope.object, parts, self.declared_type)
        return merge_fields.reference(node.dotted, vtype, node.span)

    def merge_field(self, node: ast.Name) -> ir.Expr:
        """`$User.Email`, `$Profile.Name`, `$Setup.Settings__c.Skip__c` …: what the connector
        user sees, evaluated from the record set or connector settings (docs/sfdx-import.md)."""
        if self.scope.marketing:
            self.report.add(
                codes.WRONG_CONTEXT.at(
                    node.span,
                    f"{node.dotted} means something only in share and validation rules",
                    hint="global merge fields describe the user who writes a Salesforce record",
                )
            )
            return self.any(node.span)
        vtype = merge_fields.global_type(node.parts, self.declared_type)
        if vtype is None:
            self.report.add(
                codes.UNKNOWN_FIELD.at(
                    node.span,
                    f"no global merge field {node.parts[0]}",
                    hint=suggest(node.parts[0], merge_fields.GLOBALS)
                    or "globals: " + ", ".join(merge_fields.GLOBALS),
                )
            )
            return self.any(node.span)
        return merge_fields.reference(node.dotted, vtype, node.span)

    def declared_type(self, obj: str, name: str) -> FieldType | None:
        """A related record's field as the rule set declares it, else the standard field."""
        model = self.scope.objects.get(obj)
        info = model.get(name) if model else None
        if info is not None:
            return info.type
        std = standard_field(obj, name)
        return std.type if std else None

    def simple_name(self, name: str, span: Span) -> ir.Expr:
        scope = self.scope
        if scope.marketing:
            if name in scope.stages:
                return ir.StageRef(name, VType.BOOLEAN, span)
            if name == "assigned":
                return ir.Assigned(VType.BOOLEAN, span)
        elif name in scope.stages or name == "assigned":
            what = f"stage {name}" if name in scope.stages else "assigned"
            self.report.add(
                codes.WRONG_CONTEXT.at(
                    span,
                    f"{what} cannot be used in a {scope.kind} rule",
                    hint=f"a {scope.kind} rule sees only {scope.object} fields",
                )
            )
            return self.any(span)
        return self.field(scope.object, name, span)

    def qualified(self, obj: str, name: str, node: ast.Name) -> ir.Expr:
        scope = self.scope
        allowed = ("prospect", "lead", "contact") if scope.marketing else (scope.object,)
        if obj not in allowed:
            sees = "prospect, lead and contact" if scope.marketing else f"only {scope.object}"
            self.report.add(
                codes.WRONG_CONTEXT.at(
                    node.span,
                    f"a {scope.kind} rule cannot read {obj} fields",
                    hint=f"it sees {sees} fields",
                )
            )
            return self.any(node.span)
        return self.field(obj, name, node.span)

    def field(self, obj: str, name: str, span: Span) -> ir.Expr:
        model = self.scope.objects.get(obj)
        info = model.get(name) if model else None
        if info is None:
            if model is None:
                message = f'{obj} has no field "{name}": no `object {obj}` is declared'
                hint = None
            else:
                message = f'{obj} has no field "{name}"'
                extra = self.scope.stages if obj == "prospect" and self.scope.marketing else ()
                hint = suggest(name, [*model.names(), *extra])
            self.report.add(codes.UNKNOWN_FIELD.at(span, message, hint=hint))
            return self.any(span)
        return ir.FieldRef(obj, info.name, info.type, info.type.value_type, span)

    # -- calls -----------------------------------------------------------------------

    def call(self, node: ast.Call) -> ir.Expr:
        fname = node.function.name.upper()
        sig = SIGNATURES.get(fname)
        if sig is None:
            self.report.add(
                codes.UNKNOWN_FUNCTION.at(
                    node.function.span,
                    f'no function "{node.function.name}"',
                    hint=suggest(fname, SIGNATURES)
                    or "the functions syncrules knows are listed in docs/language.md",
                )
            )
            for arg in node.args:
                self.check(arg)
            return self.any(node.span)
        if sig.context and self.scope.kind != sig.context:
            self.report.add(
                codes.WRONG_CONTEXT.at(
                    node.function.span,
                    f"{fname}() means something only in a validation rule",
                    hint="it compares the record before and after a write",
                )
            )
            return self.any(node.span)
        if not self.arity_ok(sig, node):
            for arg in node.args:
                self.check(arg)
            return self.any(node.span)
        if fname in ("AND", "OR"):
            op = ast.LogicOp.AND if fname == "AND" else ast.LogicOp.OR
            return self.logic(op, node.args, node.span)
        args = tuple(self.check(a) for a in node.args)
        if fname == "NOT":
            self.expect_bool(args[0])
            return ir.Unary(ast.UnaryOp.NOT, args[0], VType.BOOLEAN, node.span)
        ok = all(self.arg_ok(sig, i, a) for i, a in enumerate(args))
        if not ok:
            return self.any(node.span)
        result = self.result_type(sig, args, node)
        return ir.Call(fname, args, result, node.span)

    def arity_ok(self, sig: Signature, node: ast.Call) -> bool:
        count = len(node.args)
        fits = count >= sig.min_args and (sig.max_args is None or count <= sig.max_args)
        if sig.name == "CASE" and fits and count % 2 != 0:
            fits = False
        if fits:
            return True
        takes = arity_text(sig)
        plural = "" if takes == "1" else "s"
        message = f"{sig.name} takes {takes} argument{plural}, not {count}"
        if sig.name == "CASE":
            message = (
                "CASE takes the value, pairs of match and result, and an else result "
                f"(an even number of arguments, at least 4), not {count}"
            )
        hint = sig.doc if sig.doc.startswith(sig.name) else f"{sig.name}: {sig.doc}"
        self.report.add(
            codes.WRONG_ARGUMENTS.at(
                node.span,
                message,
                hint=hint if sig.doc else None,
            )
        )
        return False

    def arg_ok(self, sig: Signature, index: int, arg: ir.Expr) -> bool:
        param = param_for(sig, index)
        if param is P.ANY:
            return True
        if param is P.FIELD:
            if isinstance(arg, ir.FieldRef) or arg.type is ANY:
                return True
            self.mismatch(arg.span, f"{sig.name} needs a field, not an expression")
            return False
        if arg.type in BLANKISH or arg.type in ACCEPTS[param]:
            return True
        hint = None
        if arg.type is VType.PICKLIST and param is P.TEXT:
            hint = "wrap the picklist in TEXT(…)"
        elif param is P.PICKLIST and arg.type is VType.TEXT:
            hint = "compare a text with = instead"
        self.mismatch(
            arg.span,
            f"{sig.name} needs {param.value} here, not {TYPE_WORDS[arg.type]}",
            hint,
        )
        return False

    def result_type(self, sig: Signature, args: tuple[ir.Expr, ...], node: ast.Call) -> VType:
        if isinstance(sig.returns, VType):
            return sig.returns
        if sig.returns is R.FIRST:
            return args[0].type
        if sig.returns is R.UNIFY:
            values = args[1:] if sig.name == "IF" else args
            return self.unify(values, sig.name)
        # CASE(x, v1, r1, …, else): values compare with x; results share a type
        subject, pairs, default = args[0], args[1:-1], args[-1]
        for value in pairs[0::2]:
            self.comparable(ast.BinaryOp.EQ, subject, value, value.span)
        return self.unify((*pairs[1::2], default), "CASE")

    def unify(self, values: Iterable[ir.Expr], what: str) -> VType:
        found: VType | None = None
        for value in values:
            vt = VType.TEXT if value.type is VType.PICKLIST else value.type
            if vt in BLANKISH:
                continue
            if found is None:
                found = vt
            elif vt != found:
                self.mismatch(
                    value.span,
                    f"{what} gives {TYPE_WORDS[found]} in one branch and "
                    f"{TYPE_WORDS[vt]} in another",
                )
                return ANY
        return found or VType.NULL

    # -- operators -------------------------------------------------------------------

    def mismatch(self, span: Span, message: str, hint: str | None = None) -> None:
        self.report.add(codes.INCOMPATIBLE_TYPES.at(span, message, hint=hint))

    def expect_bool(self, arg: ir.Expr) -> bool:
        if arg.type in BLANKISH or arg.type is VType.BOOLEAN:
            return True
        self.mismatch(arg.span, f"expected a condition here, not {TYPE_WORDS[arg.type]}")
        return False

    def logic(self, op: ast.LogicOp, operands: Iterable[ast.Expr], span: Span) -> ir.Expr:
        checked = tuple(self.check(o) for o in operands)
        for operand in checked:
            self.expect_bool(operand)
        return ir.Logic(op, checked, VType.BOOLEAN, span)

    def unary(self, node: ast.Unary) -> ir.Expr:
        operand = self.check(node.operand)
        if node.op is ast.UnaryOp.NOT:
            self.expect_bool(operand)
            return ir.Unary(node.op, operand, VType.BOOLEAN, node.span)
        if operand.type not in BLANKISH and operand.type is not VType.NUMBER:
            self.mismatch(node.span, f"a sign needs a number, not {TYPE_WORDS[operand.type]}")
            return self.any(node.span)
        return ir.Unary(node.op, operand, VType.NUMBER, node.span)

    def binary(self, node: ast.Binary) -> ir.Expr:
        left, right = self.check(node.left), self.check(node.right)
        if node.op in ast.COMPARISONS:
            operand = self.comparable(node.op, left, right, node.span)
            return ir.Binary(node.op, left, right, operand, VType.BOOLEAN, node.span)
        result = self.arithmetic(node.op, left, right, node.span)
        return ir.Binary(node.op, left, right, result, result, node.span)

    def comparable(self, op: ast.BinaryOp, left: ir.Expr, right: ir.Expr, span: Span) -> VType:
        """The type both operands compare as, or ANY after reporting a mismatch."""
        lt, rt = left.type, right.type
        if lt is ANY or rt is ANY:
            return ANY
        equality = op in (ast.BinaryOp.EQ, ast.BinaryOp.NE)
        for side, other in ((left, right), (right, left)):
            # `x = null` and `x = ""` test blankness, whatever x is (SPEC §1, blanks)
            if other.type is VType.NULL or (equality and _is_empty_text(other)):
                return side.type
        for side, other in ((left, right), (right, left)):
            if side.type is VType.GRADE and other.type is VType.TEXT:
                return self.grade_literal(other)
        if lt in TEXTISH and rt in TEXTISH:
            if not equality and VType.PICKLIST in (lt, rt):
                self.mismatch(span, f"a picklist cannot be compared with {op.value}")
                return ANY
            return VType.TEXT
        if lt == rt and (equality or lt in ORDERED) and lt is not VType.MULTIPICKLIST:
            return lt
        self.mismatch(
            span,
            f"cannot compare {TYPE_WORDS[lt]} with {TYPE_WORDS[rt]}",
            hint=_compare_hint(lt, rt),
        )
        return ANY

    def grade_literal(self, other: ir.Expr) -> VType:
        if isinstance(other, ir.Const) and isinstance(other.value, str):
            if other.value in GRADE_RANK:
                return VType.GRADE
            self.mismatch(
                other.span,
                f'"{other.value}" is not a grade',
                hint="grades run F, D-, D, D+, C-, C, C+, B-, B, B+, A-, A, A+",
            )
            return ANY
        self.mismatch(
            other.span,
            'a grade compares only with a quoted grade such as "B+"',
            hint="grades run F, D-, D, D+, C-, C, C+, B-, B, B+, A-, A, A+",
        )
        return ANY

    def arithmetic(self, op: ast.BinaryOp, left: ir.Expr, right: ir.Expr, span: Span) -> VType:
        lt, rt = left.type, right.type
        if lt is ANY or rt is ANY:
            return ANY
        result = _ARITHMETIC.get((op, _unnull(lt, rt), _unnull(rt, lt)))
        if result is not None:
            return result
        hint = "wrap numbers and dates in TEXT(…) to join them as text" if op.value == "&" else None
        if op is ast.BinaryOp.CONCAT:
            message = f"cannot join {TYPE_WORDS[lt]} and {TYPE_WORDS[rt]} with &"
        else:
            message = f"cannot {_VERBS[op]} {TYPE_WORDS[lt]} and {TYPE_WORDS[rt]}"
        self.mismatch(span, message, hint=hint)
        return ANY

    def in_list(self, node: ast.InList) -> ir.Expr:
        subject = self.check(node.subject)
        options = tuple(self.check(o) for o in node.options)
        operand = subject.type
        for option in options:
            operand = self.comparable(ast.BinaryOp.EQ, subject, option, option.span)
        return ir.InList(subject, options, operand, VType.BOOLEAN, node.span)

    def in_group(self, node: ast.InGroup) -> ir.Expr:
        subject = self.check(node.subject)
        if subject.type not in BLANKISH and subject.type is not VType.TEXT:
            self.mismatch(
                node.subject.span,
                f"`in group` needs a user Id, not {TYPE_WORDS[subject.type]}",
            )
        return ir.InGroup(subject, node.group, VType.BOOLEAN, node.span)


def _is_empty_text(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Const) and expr.value == "" and expr.type is VType.TEXT


def _unnull(this: VType, other: VType) -> VType:
    # null takes the type of its partner: `score + null` is a (null) number
    if this is VType.NULL:
        return other if other is not VType.NULL else VType.NUMBER
    return VType.TEXT if this is VType.PICKLIST else this


def _compare_hint(lt: VType, rt: VType) -> str | None:
    if {lt, rt} == {VType.NUMBER, VType.TEXT}:
        return "use VALUE(text) to read a text as a number, or compare with a number"
    if VType.PICKLIST in (lt, rt) or VType.MULTIPICKLIST in (lt, rt):
        return 'use ISPICKVAL(field, "value") or TEXT(field)'
    if {lt, rt} == {VType.DATE, VType.DATETIME}:
        return "use DATEVALUE(datetime) to compare dates"
    return None


_VERBS = {
    ast.BinaryOp.ADD: "add",
    ast.BinaryOp.SUB: "subtract",
    ast.BinaryOp.MUL: "multiply",
    ast.BinaryOp.DIV: "divide",
    ast.BinaryOp.POW: "raise",
    ast.BinaryOp.CONCAT: "join with &",
}
_N, _T, _D, _DT = VType.NUMBER, VType.TEXT, VType.DATE, VType.DATETIME
_ARITHMETIC: dict[tuple[ast.BinaryOp, VType, VType], VType] = {
    (ast.BinaryOp.ADD, _N, _N): _N,
    (ast.BinaryOp.ADD, _D, _N): _D,
    (ast.BinaryOp.ADD, _N, _D): _D,
    (ast.BinaryOp.ADD, _DT, _N): _DT,
    (ast.BinaryOp.ADD, _N, _DT): _DT,
    (ast.BinaryOp.ADD, _T, _T): _T,  # Salesforce joins texts with + too
    (ast.BinaryOp.SUB, _N, _N): _N,
    (ast.BinaryOp.SUB, _D, _N): _D,
    (ast.BinaryOp.SUB, _D, _D): _N,
    (ast.BinaryOp.SUB, _DT, _N): _DT,
    (ast.BinaryOp.SUB, _DT, _DT): _N,
    (ast.BinaryOp.MUL, _N, _N): _N,
    (ast.BinaryOp.DIV, _N, _N): _N,
    (ast.BinaryOp.POW, _N, _N): _N,
    (ast.BinaryOp.CONCAT, _T, _T): _T,
}
