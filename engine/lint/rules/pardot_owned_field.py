"""pardot-owned-field: score and grade-like marketing fields not synced `pardot`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import Kind
from engine.lint.registry import LintContext, Rule, rule

# Account Engagement computes these; Salesforce only displays them.
MARKETING = re.compile(
    r"(^|_)(score|grade|scoring|engagement|last_activity|pi__.*)($|_)", re.IGNORECASE
)
OWNED = frozenset({Sync.PARDOT, Sync.PARDOT_ALWAYS, Sync.OFF})


@rule(
    "SR203",
    "pardot-owned-field",
    Severity.WARNING,
    "a score/grade-like marketing field not synced `pardot`",
)
class PardotOwnedField(Rule):
    """Sales edits (or a stale Salesforce value) overwrite the score marketing computed."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            if mapping.sync in OWNED:
                continue
            prospect = mapping.prospect
            names = [prospect.name] + [f.name for f in (mapping.lead, mapping.contact) if f]
            if prospect.type.kind is Kind.GRADE or any(MARKETING.search(n) for n in names):
                span = mapping.node.sync_span or mapping.node.prospect_field.span
                yield self.at(
                    span,
                    f"{mapping.name} is computed by Account Engagement but syncs {mapping.sync}",
                    hint="use sync: pardot so Account Engagement's value always wins",
                )
