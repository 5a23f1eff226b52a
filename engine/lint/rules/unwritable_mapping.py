"""unwritable-mapping: a mapping into a field the connector user cannot edit."""

from __future__ import annotations

from collections.abc import Iterator

from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule

# Behaviours under which Account Engagement may write into the Salesforce field on an
# update; a created lead takes every mapped lead field except `off` (SPEC §3.4).
WRITES_SALESFORCE = frozenset({Sync.SALESFORCE, Sync.PARDOT, Sync.MOST_RECENT, Sync.PARDOT_ALWAYS})


@rule(
    "SR206",
    "unwritable-mapping",
    Severity.ERROR,
    "a mapping into a `readonly` field the connector user cannot edit",
)
class UnwritableMapping(Rule):
    """Every write into the field fails with INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            for obj, node in (("lead", mapping.node.lead), ("contact", mapping.node.contact)):
                writes = mapping.sync in WRITES_SALESFORCE or (
                    obj == "lead" and mapping.sync is not Sync.OFF
                )
                target = mapping.target(obj)
                if not writes or target is None or node is None or not target.readonly:
                    continue
                yield self.at(
                    node.span,
                    f"{obj}.{target.name} is readonly for the connector user, so syncing "
                    f"{mapping.name} into it fails the whole record",
                    hint="grant the connector user edit access, or set the mapping to sync: off",
                    related=((target.span, "declared readonly here"),),
                )
