"""picklist-mismatch: picklist values one side of a mapping allows and the other does not."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from engine.check.model import FieldInfo, Mapping
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import Kind
from engine.lint.registry import LintContext, Rule, rule
from engine.lint.rules.type_mismatch import CHOICE, writes_prospect, writes_salesforce

SHOWN = 3  # values named in a message; the rest are counted
HINT = (
    'give both picklists the same values (in Account Engagement, "Use pre-defined '
    "values\" keeps a mapped field's values in step with Salesforce)"
)


def _values(values: Sequence[str]) -> str:
    shown = ", ".join(f'"{v}"' for v in values[:SHOWN])
    more = len(values) - SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _label(info: FieldInfo) -> str:
    return info.name if info.object == "prospect" else f"{info.object}.{info.name}"


def gaps(src: FieldInfo, dst: FieldInfo) -> str | None:
    """What of src's values a write into dst drops, in words; None when all fit."""
    parts = []
    missing = [v for v in src.type.values if not dst.type.allows(v)]  # case-sensitive (§3.6)
    if missing:
        parts.append(f"{_label(src)} allows {_values(missing)}, which {_label(dst)} does not")
    if src.type.kind is Kind.MULTIPICKLIST and dst.type.kind is Kind.PICKLIST:
        example = ";".join(src.type.values[:2]) if len(src.type.values) > 1 else "A;B"
        parts.append(
            f'{_label(src)} holds several values at once ("{example}"), which the '
            f"single-select {_label(dst)} does not"
        )
    return "; ".join(parts) or None


@rule(
    "SR202",
    "picklist-mismatch",
    Severity.WARNING,
    "picklist values one side of a mapping allows and the other does not",
)
class PicklistMismatch(Rule):
    """A value outside the other side's list is dropped (INVALID_PICKLIST_VALUE) every sync."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            yield from self._sides(mapping)
            yield from self._lead_and_contact(mapping)

    def _sides(self, mapping: Mapping) -> Iterator[Diagnostic]:
        prospect = mapping.prospect
        for obj, node in (("lead", mapping.node.lead), ("contact", mapping.node.contact)):
            target = mapping.target(obj)
            if node is None or target is None:
                continue
            if prospect.type.kind not in CHOICE or target.type.kind not in CHOICE:
                continue
            found = []
            if writes_salesforce(mapping, obj) and (gap := gaps(prospect, target)):
                found.append(f"{gap}: such a value is dropped on its way to Salesforce")
            if writes_prospect(mapping) and (gap := gaps(target, prospect)):
                found.append(f"{gap}: such a value is dropped on its way to Account Engagement")
            if found:
                yield self.at(
                    node.span,
                    "; ".join(found) + " (INVALID_PICKLIST_VALUE)",
                    hint=HINT,
                    related=(
                        (prospect.span, "prospect field declared here"),
                        (target.span, f"{obj} field declared here"),
                    ),
                )

    def _lead_and_contact(self, mapping: Mapping) -> Iterator[Diagnostic]:
        """One prospect field, a lead and a contact picklist with different lists: a value
        the prospect took from its lead fails on the contact it converts into, and back."""
        lead, contact, node = mapping.lead, mapping.contact, mapping.node.contact
        if lead is None or contact is None or node is None:
            return
        if mapping.prospect.type.kind in CHOICE:
            return  # each side is compared with the prospect's list above
        if lead.type.kind not in CHOICE or contact.type.kind not in CHOICE:
            return
        if not writes_prospect(mapping):
            return  # Salesforce values never reach the prospect, so never the other object
        found = []
        if writes_salesforce(mapping, "contact") and (gap := gaps(lead, contact)):
            found.append(gap)
        if writes_salesforce(mapping, "lead") and (gap := gaps(contact, lead)):
            found.append(gap)
        if found:
            yield self.at(
                node.span,
                "; ".join(found) + f": a value {mapping.name} takes from one object fails "
                "with INVALID_PICKLIST_VALUE on the other",
                hint="give the lead and contact picklists the same values",
                related=((lead.span, "lead field declared here"),),
            )
