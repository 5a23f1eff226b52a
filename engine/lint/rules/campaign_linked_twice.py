"""campaign-linked-twice: a campaign named by two lines of the campaigns block."""

from __future__ import annotations

from collections.abc import Iterator

from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule
from engine.source import Span


@rule(
    "SR521",
    "campaign-linked-twice",
    Severity.WARNING,
    "a Salesforce or Account Engagement campaign linked twice in campaigns",
)
class CampaignLinkedTwice(Rule):
    """Connected Campaigns link one AE campaign to one Salesforce campaign; the first line
    wins and the second is skipped (`linked_twice`) in the dry-run."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        config = ctx.rules.campaigns
        if config is None:
            return
        pardot: dict[str, Span] = {}
        salesforce: dict[str, Span] = {}
        for pair in config.links:
            if pair.key in pardot:
                yield self.at(
                    pair.key_span,
                    f'AE campaign "{pair.key}" is linked twice; only the first link is made',
                    hint="keep one line per AE campaign",
                    related=((pardot[pair.key], "first linked here"),),
                )
            elif pair.value in salesforce:
                yield self.at(
                    pair.value_span,
                    f'Salesforce campaign "{pair.value}" is linked twice; a Salesforce '
                    "campaign connects to one AE campaign, so only the first link is made",
                    hint="keep one line per Salesforce campaign",
                    related=((salesforce[pair.value], "first linked here"),),
                )
            pardot.setdefault(pair.key, pair.key_span)
            salesforce.setdefault(pair.value, pair.value_span)
