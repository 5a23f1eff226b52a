"""most-recent-not-opt-out: `most_recent` on a field other than the email opt-out."""

from __future__ import annotations

from collections.abc import Iterator

from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import api_key
from engine.lint.registry import LintContext, Rule, rule

# The connector offers "Use the most recently updated record" only for Opted Out, mapped
# to the Lead and Contact email opt-out field.
OPT_OUT = api_key("HasOptedOutOfEmail")


@rule(
    "SR207",
    "most-recent-not-opt-out",
    Severity.WARNING,
    "`most_recent` on a field other than the email opt-out (HasOptedOutOfEmail)",
)
class MostRecentNotOptOut(Rule):
    """The connector cannot be configured this way: what you deploy will behave otherwise."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            if mapping.sync is not Sync.MOST_RECENT:
                continue
            others = [
                f"{obj}.{ident.name}"
                for obj, ident in (("lead", mapping.node.lead), ("contact", mapping.node.contact))
                if ident is not None and api_key(ident.name) != OPT_OUT
            ]
            if not others:
                continue
            span = mapping.node.sync_span or mapping.node.prospect_field.span
            yield self.at(
                span,
                f"{mapping.name} syncs most_recent into {' and '.join(others)}, but the "
                'connector offers "most recently updated" only for the email opt-out '
                "field (HasOptedOutOfEmail)",
                hint="choose sync: salesforce or sync: pardot, after who owns the field",
            )
