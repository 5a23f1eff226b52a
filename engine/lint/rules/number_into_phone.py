"""number-into-phone: a number field mapped to a phone field, or a phone to a number."""

from __future__ import annotations

from collections.abc import Iterator

from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import Kind
from engine.lint.registry import LintContext, Rule, rule


@rule(
    "SR210",
    "number-into-phone",
    Severity.WARNING,
    "a number field mapped to a phone field (or a phone to a number)",
)
class NumberIntoPhone(Rule):
    """Phone numbers hold +, spaces, brackets and dashes; a number field cannot."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            if mapping.sync is Sync.OFF:
                continue
            prospect = mapping.prospect
            for obj, node in (("lead", mapping.node.lead), ("contact", mapping.node.contact)):
                target = mapping.target(obj)
                if target is None or node is None:
                    continue
                if {prospect.type.kind, target.type.kind} != {Kind.NUMBER, Kind.PHONE}:
                    continue
                yield self.at(
                    node.span,
                    f"{mapping.name} is {prospect.type} but {obj}.{target.name} is "
                    f'{target.type}: a phone number such as "+1 (555) 010-4477" is not a '
                    "number (INVALID_TYPE), and a number loses the phone's formatting",
                    hint="map phone fields to phone or text fields",
                    related=(
                        (prospect.span, "prospect field declared here"),
                        (target.span, f"{obj} field declared here"),
                    ),
                )
