"""unreachable-stage: a stage whose condition can never hold (SPEC §5)."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.diagnostics import Diagnostic, Severity
from engine.lint.constraints import Expander, TooComplex
from engine.lint.registry import LintContext, Rule, rule

SHOWN = 3  # contradictions named in one message


@rule("SR302", "unreachable-stage", Severity.WARNING, "a stage whose condition can never hold")
class UnreachableStage(Rule):
    """No prospect ever reaches the stage, so nothing that uses it (the gate, a later
    stage, a report) ever happens for anyone."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        rules = ctx.rules
        conditions = {s.name: s.when for s in rules.stages}
        spans = {s.name: s.node.name.span for s in rules.stages}
        expander = Expander(conditions, rules.sources)  # shared: stages reuse stages
        for stage in rules.stages:
            expander.conflicts = []
            try:
                if expander.stage(stage.name):
                    continue
            except TooComplex:
                continue
            reasons = list(dict.fromkeys(c.describe(stage.name) for c in expander.conflicts))
            used = [
                n
                for n in dict.fromkeys(r.name for r in ir.stage_refs(stage.when))
                if n in spans and n != stage.name
            ]
            yield self.at(
                stage.node.name.span,
                f"stage {stage.name} can never hold: {_why(reasons)}",
                hint="fix the comparison (a wrong number, grade or picklist value?) or remove "
                "the stage: no prospect ever reaches it",
                related=tuple((spans[n], f"stage {n} defined here") for n in used),
            )


def _why(reasons: list[str]) -> str:
    if not reasons:
        return "its condition is always false"
    if len(reasons) == 1:
        return reasons[0]
    shown = "; ".join(reasons[:SHOWN]) + ("; …" if len(reasons) > SHOWN else "")
    return f"every way it could hold is contradictory ({shown})"
