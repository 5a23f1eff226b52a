"""double-write: two prospect fields mapped into one Salesforce field."""

from __future__ import annotations

from collections.abc import Iterator

from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule


@rule("SR205", "double-write", Severity.ERROR, "two prospect fields mapped to one Salesforce field")
class DoubleWrite(Rule):
    """The field flips between the two prospect values from one sync to the next."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for obj in ("lead", "contact"):
            for mappings in ctx.mappings_into(obj).values():
                live = [m for m in mappings if m.sync is not Sync.OFF]
                first = live[0] if live else None
                for later in live[1:]:
                    assert first is not None
                    target = later.target(obj)
                    assert target is not None
                    yield self.at(
                        later.node.prospect_field.span,
                        f"{later.name} and {first.name} both write {obj}.{target.name}",
                        hint="map one prospect field per Salesforce field, or set one to sync: off",
                        related=((first.node.prospect_field.span, f"{first.name} mapped here"),),
                    )
