"""unmapped-required-field: a required Lead field that no mapping writes."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import api_key
from engine.lint.registry import LintContext, Rule, rule

# The connector sets the owner of a lead it creates from the prospect's assigned user.
SET_BY_CONNECTOR = frozenset({api_key("OwnerId")})


@rule(
    "SR211",
    "unmapped-required-field",
    Severity.WARNING,
    "a `required` Lead field that no mapping writes",
)
class UnmappedRequiredField(Rule):
    """Every lead the connector creates fails with REQUIRED_FIELD_MISSING."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        if not ctx.rules.mappings:
            return  # a file of declarations only (an objects pack): nothing syncs yet
        gate = ctx.rules.gate.when
        if isinstance(gate, ir.Const) and gate.value is False:
            return  # `create lead when false`: the connector creates no leads
        written = {
            key
            for key, mappings in ctx.mappings_into("lead").items()
            if any(m.sync is not Sync.OFF for m in mappings)  # SPEC §3.4: off is not mapped
        }
        for info in ctx.rules.object("lead").fields.values():
            key = api_key(info.name)
            if not info.required or key in written or key in SET_BY_CONNECTOR:
                continue
            yield self.at(
                info.span,
                f"lead.{info.name} is required but no mapping writes it: every lead the "
                "connector creates fails with REQUIRED_FIELD_MISSING",
                hint=f"map a prospect field into it (field <prospect field> {{ lead: "
                f"{info.name} }}), or drop `required` if Salesforce fills a default",
            )
