"""CheckedRules → the evaluation graph (networkx), and the cycle's schedule read off it.
`networkx` is imported only here.

Nodes are the rule set's parts: fields, stages, the create gate, sharing rules, mappings,
validation and duplicate rules. An edge `a → b` means b reads a: a field read by a
condition, a stage named in another, a mapping's two fields, and a mapping whose write
can change what a validation or duplicate rule on the same object sees.

`EvaluationGraph.schedule()` is what every engine executes: the cycle's phases in the
connector's order (SPEC §3) and, within each, the graph's nodes in a topological order,
so a stage is evaluated after every stage it reads (docs/design.md, "The cycle").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx  # type: ignore[import-untyped]

from engine import ir
from engine.check.model import CheckedRules, FieldInfo
from engine.fieldtypes import api_key
from engine.source import Span


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    kind: str  # field, input, stage, gate, share, mapping, validation, duplicate
    label: str
    span: Span | None


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    kind: str  # reads, writes


@dataclass(frozen=True, slots=True)
class GraphView:
    """Plain data for renderers: nodes in evaluation order, edges sorted."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


class Phase(StrEnum):
    """The steps of one prospect's turn in a cycle, in the connector's order (SPEC §3)."""

    SHARING = "sharing"  # which Salesforce records the connector may see
    STAGES = "stages"  # lifecycle stages, each after the stages it reads
    GATE = "gate"  # whether an unmatched prospect may become a lead
    RESOLUTION = "resolution"  # per mapped field: which side wins, and whether it fits
    CHECKS = "checks"  # validation and duplicate rules on what would be written


# graph node kind → the phase it belongs to; fields and inputs are read, not executed
_PHASE_OF: dict[str, Phase] = {
    "share": Phase.SHARING,
    "stage": Phase.STAGES,
    "gate": Phase.GATE,
    "mapping": Phase.RESOLUTION,
    "validation": Phase.CHECKS,
    "duplicate": Phase.CHECKS,
}


@dataclass(frozen=True, slots=True)
class Schedule:
    """The cycle's plan: each phase's graph nodes in evaluation order (what a node reads
    comes first; otherwise as declared). Plain data: engines need no networkx."""

    phases: tuple[tuple[Phase, tuple[str, ...]], ...]

    def nodes(self, phase: Phase) -> tuple[str, ...]:
        return next((ids for p, ids in self.phases if p is phase), ())

    @property
    def stages(self) -> tuple[str, ...]:
        """Stage names in evaluation order."""
        return tuple(n.removeprefix("stage:") for n in self.nodes(Phase.STAGES))


def field_id(obj: str, name: str) -> str:
    return f"{obj}.{name}"


class EvaluationGraph:
    """The compiled dependency graph of a rule set."""

    def __init__(self, rules: CheckedRules) -> None:
        self.rules = rules
        self.g: nx.DiGraph = nx.DiGraph()
        self._build()

    # -- construction ----------------------------------------------------------------

    def _node(self, node_id: str, kind: str, label: str, span: Span | None) -> str:
        if node_id not in self.g:
            self.g.add_node(node_id, kind=kind, label=label, span=span)
        return node_id

    def _field(self, info: FieldInfo) -> str:
        return self._node(field_id(info.object, info.name), "field", info.name, info.span)

    def _reads(self, target: str, expr: ir.Expr) -> None:
        for node in ir.walk(expr):
            if isinstance(node, ir.FieldRef):
                source = self._node(field_id(node.object, node.name), "field", node.name, None)
            elif isinstance(node, ir.StageRef):
                source = f"stage:{node.name}"
            elif isinstance(node, ir.Assigned):
                source = self._node("prospect.assigned_user", "input", "assigned_user", None)
            elif isinstance(node, ir.InGroup):
                source = self._node("user.groups", "input", "public group membership", None)
            else:
                continue
            self.g.add_edge(source, target, kind="reads")

    def _build(self) -> None:
        rules = self.rules
        for model in rules.objects.values():
            for info in model.fields.values():
                self._field(info)
        for stage in rules.stages:
            self._node(f"stage:{stage.name}", "stage", stage.name, stage.node.name.span)
        for stage in rules.stages:
            self._reads(f"stage:{stage.name}", stage.when)
        gate_span = rules.gate.node.span if rules.gate.node else None
        self._reads(self._node("gate:lead", "gate", "create lead", gate_span), rules.gate.when)
        for index, share in enumerate(rules.shares, 1):
            node = self._node(
                f"share:{share.object}:{index}", "share", f"share {share.object}", share.node.span
            )
            self._reads(node, share.when)
        for rule in rules.validations:
            node = self._node(
                f"validation:{rule.object}.{rule.name}",
                "validation",
                rule.name,
                rule.node.name.span,
            )
            self._reads(node, rule.error_if)
        for dup in rules.duplicates:
            names = ",".join(f.name for f in dup.fields)
            node = self._node(
                f"duplicate:{dup.object}:{names}",
                "duplicate",
                f"duplicate {dup.object} by {names}",
                dup.node.span,
            )
            for info in dup.fields:
                self.g.add_edge(self._field(info), node, kind="reads")
        for mapping in rules.mappings:
            self._mapping(
                mapping.name, mapping.prospect, mapping.lead, mapping.contact, mapping.node.span
            )

    def _mapping(
        self,
        name: str,
        prospect: FieldInfo,
        lead: FieldInfo | None,
        contact: FieldInfo | None,
        span: Span,
    ) -> None:
        node = self._node(f"mapping:{name}", "mapping", f"field {name}", span)
        for info in (prospect, lead, contact):
            if info is not None:
                self.g.add_edge(self._field(info), node, kind="reads")
        written = {(i.object, api_key(i.name)) for i in (lead, contact) if i is not None}
        for other, data in list(self.g.nodes(data=True)):
            if data["kind"] not in ("validation", "duplicate"):
                continue
            reads = {
                (p.split(".", 1)[0], api_key(p.split(".", 1)[1]))
                for p in self.g.predecessors(other)
                if self.g.nodes[p]["kind"] == "field"
            }
            if written & reads:
                self.g.add_edge(node, other, kind="writes")

    # -- queries ---------------------------------------------------------------------

    def order(self) -> list[str]:
        """Evaluation order: every node after what it reads, ties broken by name."""
        return list(nx.lexicographical_topological_sort(self.g))

    def schedule(self) -> Schedule:
        """The cycle's phases, each with its nodes in a topological order of what they read
        of each other (a stage after the stages it names); ties keep the order the rule
        files declare them in, so SQL, plans and explanations read like the rules."""
        declared = {n: i for i, n in enumerate(self.g)}  # insertion order is declaration order
        by_phase: dict[Phase, list[str]] = {p: [] for p in Phase}
        for node, kind in self.g.nodes(data="kind"):
            phase = _PHASE_OF.get(kind)
            if phase is not None:
                by_phase[phase].append(node)
        return Schedule(
            tuple(
                (
                    phase,
                    tuple(
                        nx.lexicographical_topological_sort(
                            self.g.subgraph(nodes), key=lambda n: declared[n]
                        )
                    ),
                )
                for phase, nodes in by_phase.items()
            )
        )

    def cycles(self) -> list[list[str]]:
        return [sorted(c) for c in nx.simple_cycles(self.g)]

    def resolve(self, name: str) -> list[str]:
        """Node ids a user's name may mean: `lead.Country`, `score`, `stage:MQL`, `MQL`."""
        if name in self.g:
            return [name]
        folded = name.casefold()
        hits = [
            n
            for n, d in self.g.nodes(data=True)
            if d["label"] == name
            or (
                d["kind"] == "field" and n.split(".", 1)[0] != "prospect" and n.casefold() == folded
            )
            or (
                d["kind"] == "field"
                and n.split(".", 1)[0] != "prospect"
                and d["label"].casefold() == folded
            )
        ]
        return sorted(set(hits))

    def dependents(self, node_ids: Iterable[str]) -> list[str]:
        """Everything that reads any of these nodes, directly or not, in evaluation order."""
        found: set[str] = set()
        for node_id in node_ids:
            found |= nx.descendants(self.g, node_id)
        return [n for n in self.order() if n in found]

    def view(self, only: Iterable[str] | None = None) -> GraphView:
        """Plain data; fields that nothing reads or writes are left out of the picture."""
        if only is None:
            only = [n for n in self.g if self.g.degree(n) or self.g.nodes[n]["kind"] != "field"]
        keep = set(only)
        nodes = tuple(
            GraphNode(n, self.g.nodes[n]["kind"], self.g.nodes[n]["label"], self.g.nodes[n]["span"])
            for n in self.order()
            if n in keep
        )
        edges = tuple(
            GraphEdge(a, b, d["kind"])
            for a, b, d in sorted(self.g.edges(data=True), key=lambda e: (e[0], e[1]))
            if a in keep and b in keep
        )
        return GraphView(nodes, edges)


# The schedules of the last few rule sets, by identity: a rule-test file or a report runs
# many cycles over one rule set, and building the graph each time would dominate them.
_SCHEDULES: list[tuple[CheckedRules, Schedule]] = []


def schedule_for(rules: CheckedRules) -> Schedule:
    """The rule set's schedule (EvaluationGraph(rules).schedule(), remembered)."""
    for known, schedule in _SCHEDULES:
        if known is rules:
            return schedule
    schedule = EvaluationGraph(rules).schedule()
    _SCHEDULES.insert(0, (rules, schedule))
    del _SCHEDULES[8:]
    return schedule
