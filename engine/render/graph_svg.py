"""`graph --format svg|html`: the evaluation graph drawn without Graphviz.

A layered layout in plain Python rather than Graphviz through a wheel: the graph is a
DAG whose evaluation order is already known, so a node's layer is one more than the
deepest node it reads, and a couple of barycentre sweeps keep crossings down. That is
~80 lines with no native code, no binary wheel per platform and byte-identical output
everywhere; Graphviz would draw denser graphs more compactly, and `--format dot` is
still there for that.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from engine.graph import GraphNode, GraphView
from engine.render import html
from engine.render.graph import FILLS

CHAR_W = 7.0  # average advance of a 12px sans-serif character
NODE_H = 34
ROW_GAP = 14
COL_GAP = 70
PAD = 10
DEFAULT_LINK = "{path}#L{line}"


@dataclass(frozen=True, slots=True)
class Placed:
    node: GraphNode
    layer: int
    x: float
    y: float
    w: float


def _text(node: GraphNode) -> str:
    return node.id if node.kind in ("field", "input") else f"{node.kind}: {node.label}"


def _layers(view: GraphView) -> list[list[GraphNode]]:
    """Layer = 1 + the deepest layer read; view.nodes is in evaluation order already."""
    reads: dict[str, list[str]] = {}
    for edge in view.edges:
        reads.setdefault(edge.target, []).append(edge.source)
    layer: dict[str, int] = {}
    for node in view.nodes:
        layer[node.id] = 1 + max(
            (layer[s] for s in reads.get(node.id, ()) if s in layer), default=-1
        )
    columns: list[list[GraphNode]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for node in view.nodes:
        columns[layer[node.id]].append(node)
    # barycentre sweeps: order each layer by the mean position of what it reads
    position = {n.id: i for column in columns for i, n in enumerate(column)}
    for _ in range(2):
        for column in columns[1:]:

            def centre(n: GraphNode) -> tuple[float, int]:
                sources = [position[s] for s in reads.get(n.id, ()) if s in position]
                return (sum(sources) / len(sources) if sources else 0.0, position[n.id])

            column.sort(key=centre)
            position.update({n.id: i for i, n in enumerate(column)})
    return columns


def layout(view: GraphView) -> tuple[list[Placed], float, float]:
    placed: list[Placed] = []
    x = 0.0
    height = 0.0
    for index, column in enumerate(_layers(view)):
        width = max(len(_text(n)) for n in column) * CHAR_W + 2 * PAD
        for row, node in enumerate(column):
            placed.append(Placed(node, index, x, row * (NODE_H + ROW_GAP), width))
        height = max(height, len(column) * (NODE_H + ROW_GAP))
        x += width + COL_GAP
    return placed, max(x - COL_GAP, 0.0), height


def _href(node: GraphNode, link: str) -> str | None:
    span = node.span
    if span is None or span.path.startswith("<"):
        return None
    return link.format(
        path=span.path, abspath=os.path.abspath(span.path), line=span.line, col=span.col
    )


def svg(view: GraphView, link: str = DEFAULT_LINK) -> str:
    """The graph as a standalone SVG document; nodes link to `link` (`{path}`,
    `{abspath}`, `{line}`, `{col}`), e.g. `vscode://file/{abspath}:{line}:{col}`."""
    placed, width, height = layout(view)
    at = {p.node.id: p for p in placed}
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="graph" role="img" viewBox="-8 -8 {width + 16:.0f} {height + 16:.0f}" '
        f'width="{width + 16:.0f}" height="{height + 16:.0f}" font-family="DejaVu Sans, sans-serif"'
        ' font-size="12">',
        "<title>syncrules evaluation graph</title>",
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#444"/></marker></defs>',
    ]
    for edge in view.edges:
        a, b = at.get(edge.source), at.get(edge.target)
        if a is None or b is None:
            continue
        x0, y0 = a.x + a.w, a.y + NODE_H / 2
        x1, y1 = b.x, b.y + NODE_H / 2
        mid = (x0 + x1) / 2
        dash = ' stroke-dasharray="5 3"' if edge.kind == "writes" else ""
        parts.append(
            f'<path class="edge {edge.kind}" d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} '
            f'{mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" fill="none" stroke="#444" '
            f'stroke-width="1"{dash} marker-end="url(#arrow)"><title>'
            f"{escape(edge.source)} {edge.kind} → {escape(edge.target)}</title></path>"
        )
    for p in placed:
        parts.append(_node(p, link))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _node(p: Placed, link: str) -> str:
    node, href = p.node, _href(p.node, link)
    where = f" — {node.span.path}:{node.span.line}:{node.span.col}" if href and node.span else ""
    body = (
        f"<title>{escape(node.kind)} {escape(node.id)}{escape(where)}</title>"
        f'<rect x="{p.x:.1f}" y="{p.y:.1f}" width="{p.w:.1f}" height="{NODE_H}" rx="5" '
        f'fill="{FILLS[node.kind]}" stroke="#333"/>'
        f'<text x="{p.x + PAD:.1f}" y="{p.y + NODE_H / 2 + 4:.1f}" fill="#111">'
        f"{escape(_text(node))}</text>"
    )
    attrs = f'class="node {node.kind}" data-id="{escape(node.id)}"'
    if href is None:
        return f"<g {attrs}>{body}</g>"
    return f'<a {attrs} href="{escape(href)}" xlink:href="{escape(href)}">{body}</a>'


def page(view: GraphView, link: str = DEFAULT_LINK, title: str = "Evaluation graph") -> str:
    """The graph in a self-contained HTML page, with a legend and the nodes as a table."""
    reads: dict[str, list[str]] = {}
    for edge in view.edges:
        reads.setdefault(edge.target, []).append(edge.source)
    rows: Sequence[dict[str, object]] = [
        {
            "id": n.id,
            "kind": n.kind,
            "label": _text(n),
            "href": _href(n, link),
            "where": f"{n.span.path}:{n.span.line}:{n.span.col}"
            if _href(n, link) and n.span
            else "",
            "reads": reads.get(n.id, []),
        }
        for n in view.nodes
    ]
    picture = svg(view, link)
    return html.render(
        "graph.html.j2",
        title=title,
        subtitle=f"{len(view.nodes)} nodes, {len(view.edges)} edges, in evaluation order",
        graph_svg=Markup(picture),
        fills=sorted(FILLS.items()),
        rows=rows,
    )
