"""mapped-share-field: a `share` rule that reads a field the connector syncs from a prospect."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.ast import Sync
from engine.check.model import Mapping
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import api_key
from engine.lint.registry import LintContext, Rule, rule


@rule(
    "SR405",
    "mapped-share-field",
    Severity.WARNING,
    "a share rule reads a field that a field mapping syncs from the prospect",
)
class MappedShareField(Rule):
    """Marketing Data Sharing decides what the connector may see; a field the connector
    itself writes from Account Engagement lets a prospect-side change move the record in or
    out of sharing. Salesforce's setup accepts only fields no prospect field is mapped to.
    Mappings with `sync: off` never write, so they are not reported."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for share in ctx.rules.every_share():  # a business unit's own too
            obj = share.object
            if obj not in ("lead", "contact"):
                continue
            into = ctx.mappings_into(obj)
            seen: set[str] = set()
            for ref in ir.field_refs(share.when):
                key = api_key(ref.name)
                if ref.object != obj or key in seen:
                    continue
                seen.add(key)
                writers = [m for m in into.get(key, []) if m.sync is not Sync.OFF]
                if not writers:
                    continue
                mapping = writers[0]
                yield self.at(
                    ref.span,
                    f"this {obj} share rule reads {ref.name}, which the prospect field "
                    f"{mapping.name} syncs into (sync: {mapping.sync.value}): "
                    f"{_consequence(mapping, obj)}",
                    hint=f"share on a field the connector does not sync (a formula or a field "
                    f"set in Salesforce), or set `sync: off` on field {mapping.name}",
                    related=((mapping.node.span, f"field {mapping.name} maps it here"),),
                )


LIMIT = "Salesforce accepts only a field no prospect field is mapped to"


def _consequence(mapping: Mapping, obj: str) -> str:
    """When the connector writes the prospect's value into the Salesforce field, and what
    follows."""
    match mapping.sync:
        case Sync.PARDOT | Sync.PARDOT_ALWAYS:
            how = "the connector writes the prospect's value into it"
        case Sync.MOST_RECENT:
            how = "the connector writes the prospect's value when the prospect changed last"
        case Sync.SALESFORCE:
            how = "the connector fills it from the prospect whenever it is blank"
        case _ if obj == "lead":  # salesforce_always: a lead the connector creates takes it
            how = "the connector sets it from the prospect on every lead it creates"
        case _:  # salesforce_always into a contact field: never written
            return f"the connector never writes it, but {LIMIT}, so the rule cannot be set up"
    return (
        f"{how}, so a change in Account Engagement can move the record out of Marketing "
        f"Data Sharing ({LIMIT})"
    )
