"""The evaluation graph as DOT, Mermaid or JSON (pure functions of a GraphView)."""

from __future__ import annotations

import json
import re

from engine.graph import GraphView

SHAPES = {
    "field": "box",
    "input": "box",
    "stage": "ellipse",
    "gate": "diamond",
    "share": "hexagon",
    "mapping": "cds",
    "validation": "octagon",
    "duplicate": "octagon",
}
FILLS = {
    "field": "#eef3fb",
    "input": "#f4f4f4",
    "stage": "#e6f5e6",
    "gate": "#fff1cc",
    "share": "#f3e8fb",
    "mapping": "#e8f7f7",
    "validation": "#fde8e8",
    "duplicate": "#fde8e8",
}


def _dot_quote(text: str) -> str:
    """A DOT quoted string; a line break becomes DOT's own `\\n` escape."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def dot(view: GraphView) -> str:
    lines = [
        "digraph syncrules {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=10, style=filled];',
    ]
    for node in view.nodes:
        label = f"{node.kind}\n{node.label}" if node.kind != "field" else node.id
        lines.append(
            f"  {_dot_quote(node.id)} [label={_dot_quote(label)}, shape={SHAPES[node.kind]}, "
            f"fillcolor={_dot_quote(FILLS[node.kind])}];"
        )
    for edge in view.edges:
        style = ' [style=dashed, label="writes"]' if edge.kind == "writes" else ""
        lines.append(f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(node_id: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node_id)


MERMAID_SHAPES = {
    "field": ("[", "]"),
    "input": ("[/", "/]"),
    "stage": ("([", "])"),
    "gate": ("{", "}"),
    "share": ("{{", "}}"),
    "mapping": ("[[", "]]"),
    "validation": ("[(", ")]"),
    "duplicate": ("[(", ")]"),
}


def mermaid(view: GraphView) -> str:
    ids: dict[str, str] = {}
    for node in view.nodes:
        base = _mermaid_id(node.id)
        candidate, n = base, 2
        while candidate in ids.values():  # two ids that differ only in punctuation
            candidate, n = f"{base}_{n}", n + 1
        ids[node.id] = candidate
    lines = ["flowchart LR"]
    for node in view.nodes:
        left, right = MERMAID_SHAPES[node.kind]
        label = (node.id if node.kind == "field" else f"{node.kind}: {node.label}").replace(
            '"', "#quot;"
        )
        lines.append(f'  {ids[node.id]}{left}"{label}"{right}')
    for edge in view.edges:
        arrow = "-. writes .->" if edge.kind == "writes" else "-->"
        lines.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
    return "\n".join(lines) + "\n"


def as_json(view: GraphView) -> str:
    data = {
        "nodes": [
            {
                "id": n.id,
                "kind": n.kind,
                "label": n.label,
                "location": (
                    {"path": n.span.path, "line": n.span.line, "col": n.span.col}
                    if n.span is not None and not n.span.path.startswith("<")
                    else None
                ),
            }
            for n in view.nodes
        ],
        "edges": [{"from": e.source, "to": e.target, "kind": e.kind} for e in view.edges],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def order_text(view: GraphView) -> str:
    """The evaluation order, one node per line, with what each reads."""
    reads: dict[str, list[str]] = {}
    for edge in view.edges:
        reads.setdefault(edge.target, []).append(edge.source)
    lines = []
    for index, node in enumerate(view.nodes, 1):
        inputs = reads.get(node.id)
        after = f"  ← {', '.join(inputs)}" if inputs else ""
        lines.append(f"{index:>3}. {node.id}{after}")
    return "\n".join(lines) + "\n"
