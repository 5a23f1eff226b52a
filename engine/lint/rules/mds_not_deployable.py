"""mds-not-deployable: a `share` rule Marketing Data Sharing cannot deploy as it stands."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.ast import BinaryOp, LogicOp, UnaryOp
from engine.check.model import ShareRule
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import Kind
from engine.lint.registry import LintContext, Rule, rule
from engine.lint.wording import join_names

SF_LABEL = {"lead": "Lead", "contact": "Contact"}


@rule(
    "SR402",
    "mds-not-deployable",
    Severity.WARNING,
    "a share rule Marketing Data Sharing cannot deploy: one field equals one value per object",
)
class MdsNotDeployable(Rule):
    """Salesforce's Marketing Data Sharing takes one criterion per object: one field, the
    operator equals, one value. Anything else shares a different set of records in the org
    than the dry run assumed, or cannot be set up at all."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        # each business unit has Marketing Data Sharing of its own: a rule is a second
        # one only among the org-wide rules, or among one unit's own
        groups = [ctx.rules.shares] + [_own(ctx, u.shares) for u in ctx.rules.units]
        for group in groups:
            yield from self._group(group)

    def _group(self, shares: tuple[ShareRule, ...]) -> Iterator[Diagnostic]:
        first: dict[str, ShareRule] = {}
        for share in shares:
            obj = share.object
            helper = f"Marketing_Shared__c = true on {SF_LABEL.get(obj, obj)}"
            if obj in first:
                yield self.at(
                    share.node.span,
                    f"a second share rule for {obj}: Marketing Data Sharing takes one "
                    f"criterion per object",
                    hint="combine the conditions in one formula field (declared readonly) and "
                    f"share when it is true (e.g. {helper})",
                    related=((first[obj].node.span, f"first share rule for {obj} here"),),
                )
            else:
                first[obj] = share
            problems = _problems(share.when)
            if problems:
                yield self.at(
                    share.node.when.span,
                    f"Marketing Data Sharing cannot deploy this {obj} criterion: it "
                    f"{join_names(problems)}; it supports one field equals one value",
                    hint="compute the condition in a formula field on the record (declared "
                    f"readonly) and share when it is true (e.g. {helper})",
                )


def _own(ctx: LintContext, shares: tuple[ShareRule, ...]) -> tuple[ShareRule, ...]:
    org = {id(s) for s in ctx.rules.shares}
    return tuple(s for s in shares if id(s) not in org)


def _problems(expr: ir.Expr) -> list[str]:
    """What keeps a condition from being `Field = value`, outermost first; [] when it is."""
    found: list[str] = []
    todo = [expr]
    while todo:
        node = todo.pop(0)
        problem = _problem(node)
        if problem is not None and problem not in found:
            found.append(problem)
        if isinstance(node, (ir.Logic, ir.Unary)):
            todo.extend(ir.children(node))
    return found


def _problem(expr: ir.Expr) -> str | None:
    """Why a node is not `Field = value`, as a verb phrase; None when it is."""
    match expr:
        case ir.Binary(op=BinaryOp.EQ, left=left, right=right):
            for field, value in ((left, right), (right, left)):
                if isinstance(field, ir.FieldRef) and isinstance(value, ir.Const):
                    return "tests for a blank value" if value.value in (None, "") else None
            return "compares an expression, not one field with one value"
        case ir.Binary(op=op):
            return f"compares with {op.value}"
        case ir.FieldRef(field_type=ftype) if ftype.kind is Kind.BOOLEAN:
            return None  # a checkbox on its own: `Field = true`
        case ir.Call(function="ISPICKVAL", args=(ir.FieldRef(), ir.Const(value=str() as v))):
            return None if v else "tests for a blank value"  # ISPICKVAL(F, "v"): `F = "v"`
        case ir.InList(subject=subject, options=options):
            if (
                len(options) == 1
                and _problem(
                    ir.Binary(
                        BinaryOp.EQ, subject, options[0], expr.operand_type, expr.type, expr.span
                    )
                )
                is None
            ):
                return None
            return f"matches a list of {len(options)} values"
        case ir.Logic(op=op):
            return f"combines conditions with {'and' if op is LogicOp.AND else 'or'}"
        case ir.Unary(op=UnaryOp.NOT):
            return "negates a condition with not"
        case ir.InGroup():
            return "tests public group membership (`in group`)"
        case ir.Call(function=function):
            return f"calls {function}()"
        case ir.Const():
            return "is a constant, not a field criterion"
    return "is not a field criterion"
