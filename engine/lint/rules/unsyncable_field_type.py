"""unsyncable-field-type: a mapping into a lookup (`reference`) or `id` field."""

from __future__ import annotations

from collections.abc import Iterator

from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import Kind, api_key
from engine.lint.registry import LintContext, Rule, rule

UNSYNCABLE = frozenset({Kind.REFERENCE, Kind.ID})
OWNER = api_key("OwnerId")


@rule(
    "SR209",
    "unsyncable-field-type",
    Severity.WARNING,
    "a mapping to a lookup (`reference`) or `id` field, which the connector does not sync",
)
class UnsyncableFieldType(Rule):
    """Account Engagement fields do not sync with lookup fields: the mapping moves nothing."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            if mapping.sync is Sync.OFF:
                continue  # switched off on purpose: nothing is expected to move
            for obj, node in (("lead", mapping.node.lead), ("contact", mapping.node.contact)):
                target = mapping.target(obj)
                if target is None or node is None or target.type.kind not in UNSYNCABLE:
                    continue
                if api_key(target.name) == OWNER:
                    message = (
                        f"{obj}.{target.name} is not synced through a mapping: the connector "
                        "sets the owner from the prospect's assigned user"
                    )
                    hint = "remove the mapping; assign the prospect to a user instead"
                else:
                    message = (
                        f"{obj}.{target.name} is {target.type}, and the connector does not "
                        f"sync lookup or id fields: {mapping.name} never reaches it"
                    )
                    hint = (
                        "map a text or formula field that holds the value instead, or "
                        "remove the mapping"
                    )
                yield self.at(
                    node.span,
                    message,
                    hint=hint,
                    related=((target.span, f"{obj} field declared here"),),
                )
