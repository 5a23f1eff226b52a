"""A Sankey-style flow as hand-written SVG: columns of nodes, bands as wide as their count.

Hand-written rather than a chart library: the picture is a few dozen rectangles and
Bézier bands, laid out here in ~100 lines, so the report stays one file with no script to
vendor, keep pinned and audit, the SVG shows even with scripts blocked (a mail client's
preview), and the same input always gives the same bytes.

Colours come from the Okabe-Ito palette, chosen to stay distinct for the common kinds of
colour blindness; every node also carries its name and count in text, so colour is
never the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Okabe & Ito (2008), "Color Universal Design": distinguishable with protanopia,
# deuteranopia and tritanopia. Text on them is dark or white by contrast.
PALETTE = {
    "neutral": "#8a8f98",
    "create_lead": "#0072B2",  # blue
    "create_prospect": "#56B4E9",  # sky blue
    "update": "#009E73",  # bluish green
    "no_change": "#b8bcc4",  # light grey
    "skip": "#E69F00",  # orange
    "error": "#D55E00",  # vermillion
    "other": "#CC79A7",  # reddish purple
}


@dataclass(frozen=True, slots=True)
class FlowNode:
    id: str
    column: int
    label: str
    value: int
    tone: str  # a PALETTE key
    note: str = ""  # a longer explanation, shown as the tooltip


@dataclass(frozen=True, slots=True)
class FlowLink:
    source: str
    target: str
    value: int


@dataclass(frozen=True, slots=True)
class _Box:
    x: float
    y: float
    h: float


NODE_W = 14
GAP = 26
MIN_H = 3.0
CHAR_W = 7.2  # average advance of a 12px sans-serif character


def _layout(nodes: Sequence[FlowNode], height: float, width: float) -> dict[str, _Box]:
    columns = max(n.column for n in nodes) + 1
    # the last column's labels sit to its right: leave them room
    label_room = max(len(f"{n.label} {n.value}") for n in nodes if n.column == columns - 1)
    step = (width - label_room * CHAR_W - 10 - NODE_W) / max(columns - 1, 1)
    biggest = max(
        sum(n.value for n in nodes if n.column == c) for c in range(columns)
    )  # the widest column fills the height
    most_nodes = max(sum(1 for n in nodes if n.column == c) for c in range(columns))
    scale = (height - GAP * (most_nodes - 1)) / max(biggest, 1)
    boxes: dict[str, _Box] = {}
    for c in range(columns):
        y = 0.0
        for node in (n for n in nodes if n.column == c):
            h = max(node.value * scale, MIN_H)
            boxes[node.id] = _Box(c * step, y, h)
            y += h + GAP
    return boxes


def _band(x0: float, y0: float, x1: float, y1: float, thick: float) -> str:
    mid = (x0 + x1) / 2
    return (
        f"M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f} "
        f"L{x1:.1f},{y1 + thick:.1f} C{mid:.1f},{y1 + thick:.1f} {mid:.1f},{y0 + thick:.1f} "
        f"{x0:.1f},{y0 + thick:.1f} Z"
    )


def svg(
    nodes: Sequence[FlowNode],
    links: Sequence[FlowLink],
    *,
    title: str,
    width: int = 1100,
    height: int = 320,
) -> str:
    """The flow as an inline `<svg>` element; nodes with a value of 0 are left out."""
    shown = [n for n in nodes if n.value > 0]
    if not shown:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    boxes = _layout(shown, height, width)
    by_id = {n.id: n for n in shown}
    out_y = {n.id: boxes[n.id].y for n in shown}
    in_y = dict(out_y)
    total_h = max(b.y + b.h for b in boxes.values())
    parts = [
        f'<svg class="flow" role="img" viewBox="-4 -20 {width + 8} {total_h + 24:.0f}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg" aria-labelledby="flow-title">',
        f'<title id="flow-title">{escape(title)}</title>',
    ]
    for link in links:
        if link.value <= 0 or link.source not in by_id or link.target not in by_id:
            continue
        a, b = boxes[link.source], boxes[link.target]
        thick_out = a.h * link.value / by_id[link.source].value
        thick_in = b.h * link.value / by_id[link.target].value
        thick = min(thick_out, thick_in)
        path = _band(a.x + NODE_W, out_y[link.source], b.x, in_y[link.target], thick)
        out_y[link.source] += thick_out
        in_y[link.target] += thick_in
        tone = PALETTE[by_id[link.target].tone]
        label = f"{by_id[link.source].label} → {by_id[link.target].label}: {link.value}"
        parts.append(
            f'<path class="band" d="{path}" fill="{tone}" fill-opacity="0.35">'
            f"<title>{escape(label)}</title></path>"
        )
    last = max(n.column for n in shown)
    for node in shown:
        box = boxes[node.id]
        # labels sit above their node (beside it in the last column), clear of the bands
        if node.column == last:
            anchor_x, anchor_y = box.x + NODE_W + 5, box.y + min(box.h / 2, 12) + 4
        else:
            anchor_x, anchor_y = box.x, box.y - 5
        klass = ' class="last"' if node.column == last else ""
        tip = f"{node.label}: {node.value}" + (f" — {node.note}" if node.note else "")
        parts.append(
            f'<g class="node" data-node="{escape(node.id)}"><title>{escape(tip)}</title>'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_W}" height="{box.h:.1f}" '
            f'fill="{PALETTE[node.tone]}" stroke="#222" stroke-width="0.6"/>'
            f'<text x="{anchor_x:.1f}" y="{anchor_y:.1f}"'
            f"{klass}>{escape(node.label)} "
            f'<tspan class="count">{node.value}</tspan></text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
