"""Stage cycles: stages whose conditions depend on each other can never be decided."""

from __future__ import annotations

from collections.abc import Sequence
from graphlib import CycleError, TopologicalSorter

from engine import codes, ir
from engine.check.model import StageRule
from engine.diagnostics import Diagnostic


def stage_dependencies(stages: Sequence[StageRule]) -> dict[str, list[str]]:
    """Each stage and the stages its condition names, in source order."""
    known = {s.name for s in stages}
    deps: dict[str, list[str]] = {}
    for stage in stages:
        named = [r.name for r in ir.stage_refs(stage.when) if r.name in known]
        deps[stage.name] = list(dict.fromkeys(named))
    return deps


def stage_cycles(stages: Sequence[StageRule]) -> list[Diagnostic]:
    """One `stage-cycle` per cycle, reported at each stage on it; stdlib graphlib finds them."""
    deps = stage_dependencies(stages)
    by_name = {s.name: s for s in stages}
    found: list[Diagnostic] = []
    reported: set[str] = set()
    while True:
        try:
            TopologicalSorter({k: v for k, v in deps.items() if k not in reported}).prepare()
            return found
        except CycleError as error:
            cycle: list[str] = error.args[1]  # [a, b, …, a]
        members = list(dict.fromkeys(cycle))
        ring = list(reversed(members))  # graphlib lists a cycle against the edges' direction
        for name in members:
            start = ring.index(name)
            path = " → ".join([*ring[start:], *ring[:start], name])
            stage = by_name[name]
            found.append(
                codes.STAGE_CYCLE.at(
                    stage.node.name.span,
                    f"stage {name} depends on itself: {path}",
                    hint="a stage may use only stages that do not use it",
                )
            )
        reported.update(members)
        for name in members:
            deps[name] = []
