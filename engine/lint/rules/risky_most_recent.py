"""risky-most-recent: `most_recent` on a field people expect to stay put."""

from __future__ import annotations

from collections.abc import Iterator

from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule

# Core demographic fields (SPEC §5): names, company, email, title — by prospect field and
# by the Salesforce API names they usually map to.
CORE = frozenset(
    {
        "email",
        "first_name",
        "last_name",
        "company",
        "job_title",
        "title",
        "salutation",
        "firstname",
        "lastname",
        "name",
    }
)


@rule(
    "SR204",
    "risky-most-recent",
    Severity.WARNING,
    "`most_recent` on a core demographic field (names, company, email, title)",
)
class RiskyMostRecent(Rule):
    """A form fill with a typo or a personal address overwrites the sales rep's value."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            if mapping.sync is not Sync.MOST_RECENT:
                continue
            names = {mapping.prospect.name.casefold()}
            names |= {f.name.casefold() for f in (mapping.lead, mapping.contact) if f}
            if names & CORE:
                span = mapping.node.sync_span or mapping.node.prospect_field.span
                yield self.at(
                    span,
                    f"{mapping.name} syncs most_recent: the last form fill overwrites what "
                    "sales entered",
                    hint="use sync: salesforce unless marketing owns this field",
                )
