"""share-one-object: Marketing Data Sharing rules on leads but not contacts, or the reverse."""

from __future__ import annotations

from collections.abc import Iterator

from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule

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
    guidelines ask for criteria on both leads and contacts."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        leads, contacts = ctx.rules.shares_for("lead"), ctx.rules.shares_for("contact")
        if bool(leads) == bool(contacts):
            return
        shared, other = ("lead", "contact") if leads else ("contact", "lead")
        first = (leads or contacts)[0]
        yield self.at(
            first.node.object.span,
            f"{PLURAL[shared]} have a share rule but {PLURAL[other]} have none: every "
            f"{other} is visible to the connector and syncs unfiltered, so a person outside "
            f"the shared {PLURAL[shared]} still syncs once Salesforce holds them as a {other}",
            hint=f"add `share {other} when …` with the same criterion on the {other} "
            "(Marketing Data Sharing needs criteria for both leads and contacts)",
        )
