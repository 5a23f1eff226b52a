"""created-lead-not-shared: no lead the connector creates meets the lead `share` rule."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.ast import Sync
from engine.check.model import CheckedRules, ShareRule
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import Kind, api_key
from engine.lint.constraints import Atom, Expander, Op, TooComplex, conflict
from engine.lint.registry import LintContext, Rule, rule
from engine.lint.wording import in_units
from engine.source import Span

OWNER = api_key("OwnerId")


@rule(
    "SR404",
    "created-lead-not-shared",
    Severity.WARNING,
    "the lead share rule never holds for a lead the connector creates",
)
class CreatedLeadNotShared(Rule):
    """The connector creates the lead, then loses sight of it: from the next cycle on the
    prospect's CRM id names a lead outside Marketing Data Sharing (skip / not_shared).
    With business units, each unit's lead sharing is judged: its own rules, else the
    org-wide ones."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        rules = ctx.rules
        if not _gate_can_hold(rules):
            return
        filled = _filled_on_create(rules)
        # per business unit (each creates leads under its own sharing); an org-wide rule
        # several units keep is reported once, naming them
        found: dict[Span, tuple[ShareRule, list[str], list[str]]] = {}
        for unit, view in rules.sharing_views():
            for share, names in _unshared(view.shares_for("lead"), filled):
                _, _, units = found.setdefault(share.node.span, (share, names, []))
                if unit is not None:
                    units.append(unit)
        for share, names, units in found.values():
            formula = "a formula field" if len(names) == 1 else "formula fields"
            listed = " and ".join(names)
            yield self.at(
                share.node.when.span,
                f"{in_units(units)}no lead the connector creates meets this share rule: a new "
                "lead gets only mapped fields and OwnerId, and the rule does not hold while "
                f"{listed} {'is' if len(names) == 1 else 'are'} blank (a checkbox: "
                "unchecked), so the next cycle skips the prospect as not_shared",
                # not "map a prospect field into it": see mapped-share-field
                hint=f"share on a field the connector sets on create, or make {listed} "
                f"{formula} (declared readonly)",
            )


def _unshared(
    shares: tuple[ShareRule, ...], filled: frozenset[str]
) -> list[tuple[ShareRule, list[str]]]:
    """Each lead share rule with the blank-on-create fields that stop it holding; [] when
    there is none, or when one of them can share a new lead (or cannot be judged)."""
    found: list[tuple[ShareRule, list[str]]] = []
    for share in shares:
        blanks = _blank_on_create(share, filled)
        if blanks is None:
            return []
        found.append((share, blanks))
    return found


def _gate_can_hold(rules: CheckedRules) -> bool:
    expander = Expander({s.name: s.when for s in rules.stages}, rules.sources)
    try:
        return bool(expander.dnf(rules.gate.when))
    except TooComplex:
        return True


def _filled_on_create(rules: CheckedRules) -> frozenset[str]:
    """Lead fields a new lead can have a value in: mapped (SPEC §3.4), OwnerId, and
    readonly fields (formulas Salesforce computes)."""
    keys = {OWNER}
    keys |= {api_key(m.lead.name) for m in rules.mappings if m.lead and m.sync is not Sync.OFF}
    keys |= {api_key(f.name) for f in rules.object("lead").fields.values() if f.readonly}
    return frozenset(keys)


def _blank_on_create(share: ShareRule, filled: frozenset[str]) -> list[str] | None:
    """The blank-on-create fields that stop the share rule holding for every new lead;
    None when the rule can hold for one, or when that cannot be decided."""
    expander = Expander({}, {}, home="lead")
    try:
        ways = expander.dnf(share.when)
    except TooComplex:
        return None
    if not ways:
        return None  # the rule never holds at all: not a create problem
    refs = {api_key(r.name): r for r in ir.field_refs(share.when) if api_key(r.name) not in filled}
    blanks = tuple(_unset(expander, r) for r in refs.values())
    culprits: dict[str, None] = {}
    for way in ways:
        found = conflict(way + blanks)
        if found is None:
            return None
        if found.subject.field is not None:
            culprits[found.subject.field[1]] = None
    return list(culprits) or None


def _unset(expander: Expander, ref: ir.FieldRef) -> Atom:
    """A field the connector does not write, on a new lead: blank; a checkbox unchecked
    (Salesforce checkboxes are never blank, and most default to unchecked)."""
    ftype = ref.field_type
    subject = expander.field_subject("lead", ref.name, ftype.kind, ftype.values)
    if ftype.kind is Kind.BOOLEAN:
        return Atom(subject, Op.IN, (False,))
    return Atom(subject, Op.BLANK)
