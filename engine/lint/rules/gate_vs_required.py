"""gate-vs-required: the create gate admits prospects whose required lead fields are blank."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.ast import Sync
from engine.check.model import CheckedRules, FieldInfo, Mapping
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import FieldType, Kind, api_key
from engine.lint.constraints import Atom, Conj, Domain, Expander, Op, TooComplex, conflict
from engine.lint.registry import LintContext, Rule, rule
from engine.source import Span

OWNER = api_key("OwnerId")
TEXT_KINDS = frozenset({Kind.TEXT, Kind.TEXTAREA, Kind.EMAIL, Kind.PHONE})


@rule(
    "SR303",
    "gate-vs-required",
    Severity.WARNING,
    "the create gate admits prospects whose required lead fields can be blank",
)
class GateVsRequired(Rule):
    """Each such prospect's lead create fails with REQUIRED_FIELD_MISSING, every cycle."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        rules = ctx.rules
        expander = Expander({s.name: s.when for s in rules.stages}, rules.sources)
        try:
            gate = expander.dnf(rules.gate.when)
        except TooComplex:
            return
        # the gate decides for unmatched prospects: their lead./contact. fields are blank
        unmatched = tuple(
            Atom(
                expander.field_subject(r.object, r.name, r.field_type.kind, r.field_type.values),
                Op.BLANK,
            )
            for r in _matched_refs(rules)
        )
        gate = [c for c in gate if conflict(c + unmatched) is None]
        writers = _create_writers(rules)
        for info in rules.object("lead").fields.values():
            if not info.required:
                continue
            key = api_key(info.name)
            if key == OWNER:  # set from the prospect's assigned user (SPEC §3.4)
                unassigned = expander.flag(("assigned",), "assigned", False)[0]
                if _admits(gate, unassigned):
                    yield self._owner(rules, info)
                continue
            mapping = writers.get(key)
            if mapping is None:
                continue  # unmapped-required-field's business
            source = mapping.prospect
            subject = expander.field_subject(
                "prospect", source.name, source.type.kind, source.type.values
            )
            if _admits(gate, (Atom(subject, Op.BLANK),)):
                yield self._blank(rules, info, mapping, subject.domain)

    def _blank(
        self, rules: CheckedRules, info: FieldInfo, mapping: Mapping, domain: Domain
    ) -> Diagnostic:
        name = mapping.prospect.name
        test = f'{name} != ""' if domain is Domain.TEXT else f"{name} != null"
        hint = _add_to_gate(rules, test)
        misfit = _misfit(mapping.prospect.type, info.type)
        if misfit:
            hint += f"; also, {misfit}, which leaves lead.{info.name} blank the same way"
        span, related = _where(rules, info)
        return self.at(
            span,
            f"{_gate_name(rules)} admits prospects whose {name} is blank, but lead.{info.name} "
            "is required: creating their lead fails with REQUIRED_FIELD_MISSING",
            hint=hint,
            related=(*related, (mapping.node.span, f"lead.{info.name} is mapped from {name} here")),
        )

    def _owner(self, rules: CheckedRules, info: FieldInfo) -> Diagnostic:
        span, related = _where(rules, info)
        return self.at(
            span,
            f"{_gate_name(rules)} admits prospects with no assigned user, but lead.OwnerId "
            "is required: creating their lead fails with REQUIRED_FIELD_MISSING",
            hint=_add_to_gate(rules, "assigned"),
            related=related,
        )


def _matched_refs(rules: CheckedRules) -> list[ir.FieldRef]:
    """Fields of the matched record that the gate reads, directly or through stages."""
    stages = {s.name: s.when for s in rules.stages}
    todo: list[ir.Expr] = [rules.gate.when]
    seen: set[str] = set()
    refs: dict[tuple[str, str], ir.FieldRef] = {}
    while todo:
        expr = todo.pop()
        for node in ir.walk(expr):
            if isinstance(node, ir.FieldRef) and node.object in ("lead", "contact"):
                refs.setdefault((node.object, api_key(node.name)), node)
            elif isinstance(node, ir.StageRef) and node.name in stages and node.name not in seen:
                seen.add(node.name)
                todo.append(stages[node.name])
    return list(refs.values())


def _gate_name(rules: CheckedRules) -> str:
    return "the create gate" if rules.gate.node else "the default create gate (`assigned`)"


def _add_to_gate(rules: CheckedRules, test: str) -> str:
    if rules.gate.node is None:  # the default gate `assigned` (SPEC §1)
        return f"write a create rule that tests it: `create lead when assigned and {test}`"
    return f"add `and {test}` to the create gate"


def _create_writers(rules: CheckedRules) -> dict[str, Mapping]:
    """The mapping that fills each lead field on create (SPEC §3.4: every mapped field)."""
    out: dict[str, Mapping] = {}
    for mapping in rules.mappings:
        if mapping.lead is not None and mapping.sync is not Sync.OFF:
            out.setdefault(api_key(mapping.lead.name), mapping)
    return out


def _admits(gate: list[Conj], extra: Conj) -> bool:
    """Whether some way through the gate also allows `extra`."""
    return any(conflict(conj + extra) is None for conj in gate)


def _where(rules: CheckedRules, info: FieldInfo) -> tuple[Span, tuple[tuple[Span, str], ...]]:
    """At the gate's condition; the default gate `assigned` has no text, so at the field."""
    node = rules.gate.node
    declared = (info.span, f"lead.{info.name} declared required here")
    if node is None:
        return info.span, ()
    return node.when.span, (declared,)


def _misfit(source: FieldType, target: FieldType) -> str | None:
    """Why a prospect value may not fit the lead field (SPEC §3.6), or None."""
    kind = target.kind
    if kind is Kind.NUMBER and source.kind is not Kind.NUMBER:
        return "a value that is not a number is dropped (INVALID_TYPE)"
    if kind is Kind.PICKLIST:
        if source.kind is Kind.PICKLIST and set(source.values) <= set(target.values):
            return None
        return "a value outside the picklist is dropped (INVALID_PICKLIST_VALUE)"
    if kind is Kind.EMAIL and source.kind is not Kind.EMAIL:
        return "a value that is not an email address is dropped (INVALID_EMAIL_ADDRESS)"
    limit = target.max_length
    if kind in TEXT_KINDS and limit is not None and source.kind in TEXT_KINDS:
        longest = source.max_length
        if longest is None or longest > limit:
            return f"a value longer than {limit} characters is dropped (STRING_TOO_LONG)"
    return None
