"""share-one-object: Marketing Data Sharing rules on leads but not contacts, or the reverse."""

from __future__ import annotations

from collections.abc import Iterator

from engine.check.model import ShareRule
from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule
from engine.lint.wording import in_units
from engine.source import Span

PLURAL = {"lead": "leads", "contact": "contacts"}


@rule(
    "SR406",
    "share-one-object",
    Severity.WARNING,
    "share rules for leads but none for contacts, or for contacts but none for leads",
)
class ShareOneObject(Rule):
    """An object with no `share` rule is fully visible (SPEC §1): sharing one object only
    filters half of the people, and the other half syncs unfiltered. Salesforce's
    guidelines ask for criteria on both leads and contacts. With business units, each
    unit's sharing is judged as its cycle runs it: its own rules, else the org-wide ones."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        # per business unit, with its own sharing in effect; a rule set's org-wide rule
        # that several units keep is reported once, naming them
        found: dict[Span, tuple[ShareRule, list[str]]] = {}
        for unit, view in ctx.rules.sharing_views():
            leads, contacts = view.shares_for("lead"), view.shares_for("contact")
            if bool(leads) == bool(contacts):
                continue
            first = (leads or contacts)[0]
            _, names = found.setdefault(first.node.span, (first, []))
            if unit is not None:
                names.append(unit)
        for first, units in found.values():
            shared = first.object
            other = "contact" if shared == "lead" else "lead"
            yield self.at(
                first.node.object.span,
                f"{in_units(units)}{PLURAL[shared]} have a share rule but {PLURAL[other]} have "
                f"none: every {other} is visible to the connector and syncs unfiltered, so a "
                f"person outside the shared {PLURAL[shared]} still syncs once Salesforce "
                f"holds them as a {other}",
                hint=f"add `share {other} when …` with the same criterion on the {other} "
                "(Marketing Data Sharing needs criteria for both leads and contacts)",
            )
