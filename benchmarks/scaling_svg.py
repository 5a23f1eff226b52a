"""The dry-run's scaling curve as an SVG picture: CPU time and peak memory against the
number of prospects, ours beside the hand-written script, with the goal's lines (2× the
script's CPU time, 2 GB). `bench_dry_run.py --direct --figures FILE.json` measures and
draws it; the figures it drew from are kept beside the picture as JSON, so the picture
can be redrawn from what was measured (`python3 benchmarks/scaling_svg.py FIGURES.json
OUT.svg`) and a test can hold the two together.

Hand-written SVG rather than a plotting library: two small line charts do not justify a
dependency, and the output stays byte-for-byte the same for the same figures."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

PANEL_W, PANEL_H = 380, 300
LEFT, RIGHT, TOP, BOTTOM = 58, 18, 40, 46  # the plot area's margins inside a panel
OURS, SCRIPT, GOAL = "#1f6feb", "#6e7781", "#cf222e"
GOAL_RATIO = 2.0
GOAL_MIB = 2048.0


@dataclass(frozen=True)
class Figure:
    """One size's medians: CPU seconds (user + system) and peak resident MiB."""

    prospects: int
    ours_cpu: float
    script_cpu: float
    ours_mib: float
    script_mib: float


@dataclass(frozen=True)
class Figures:
    """What was measured, and on what: the note is printed under the picture."""

    note: str
    sizes: tuple[Figure, ...]

    @staticmethod
    def read(path: Path) -> Figures:
        data = json.loads(path.read_text("utf-8"))
        return Figures(data["note"], tuple(Figure(**size) for size in data["sizes"]))

    def json(self) -> str:
        sizes = [vars(size) for size in self.sizes]
        return json.dumps({"note": self.note, "sizes": sizes}, indent=2) + "\n"


def _step(span: float) -> float:
    """A round tick step for an axis up to span: 1, 2, 2.5 or 5 times a power of ten,
    the smallest that needs at most four intervals."""
    power = 1.0
    while power * 10 < span / 4:
        power *= 10
    while power > span / 4:
        power /= 10
    return next(k * power for k in (1, 2, 2.5, 5, 10) if 4 * k * power >= span)


def _ticks(span: float) -> list[float]:
    step = _step(span)
    count = math.ceil(span / step - 1e-9)
    return [step * k for k in range(count + 1)]


def _prospects(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value / 1e6:g}M" if value >= 1e6 else f"{value / 1e3:g}k"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"


def _panel(
    title: str,
    unit: str,
    sizes: tuple[Figure, ...],
    ours: list[float],
    script: list[float],
    goals: list[float],
    x0: int,
) -> list[str]:
    """One line chart: ours and the script against prospects, the goal dashed."""
    width, height = PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM
    x_ticks = _ticks(max(s.prospects for s in sizes))
    y_ticks = _ticks(max([*ours, *script, *goals]) * 1.05)
    x_top, y_top = x_ticks[-1], y_ticks[-1]

    def x(prospects: float) -> float:
        return x0 + LEFT + width * prospects / x_top

    def y(value: float) -> float:
        return TOP + height * (1 - value / y_top)

    out = [
        f'<text x="{x0 + LEFT}" y="22" class="title">{escape(title)}</text>',
        f'<rect x="{x0 + LEFT}" y="{TOP}" width="{width}" height="{height}" class="area"/>',
    ]
    for yv in y_ticks:
        out.append(
            f'<line x1="{x0 + LEFT}" x2="{x0 + LEFT + width}" y1="{y(yv):.1f}" '
            f'y2="{y(yv):.1f}" class="grid"/>'
        )
        out.append(
            f'<text x="{x0 + LEFT - 6}" y="{y(yv) + 4:.1f}" class="ytick">{_number(yv)}</text>'
        )
    for xv in x_ticks:
        out.append(
            f'<text x="{x(xv):.1f}" y="{TOP + height + 16}" class="xtick">{_prospects(xv)}</text>'
        )
    out.append(
        f'<text x="{x0 + LEFT + width / 2}" y="{PANEL_H - 8}" class="xtick">prospects</text>'
    )
    out.append(
        f'<text x="{x0 + 14}" y="{TOP + height / 2}" class="axis" '
        f'transform="rotate(-90 {x0 + 14} {TOP + height / 2})">{escape(unit)}</text>'
    )

    def line(values: list[float], colour: str, dashed: bool = False) -> str:
        pairs = zip(sizes, values, strict=True)
        points = " ".join(f"{x(s.prospects):.1f},{y(v):.1f}" for s, v in pairs)
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        return f'<polyline points="{points}" stroke="{colour}" class="series"{dash}/>'

    out.append(line(goals, GOAL, dashed=True))
    for values, colour in ((script, SCRIPT), (ours, OURS)):
        out.append(line(values, colour))
        for s, v in zip(sizes, values, strict=True):
            out.append(f'<circle cx="{x(s.prospects):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
    last = sizes[-1]
    for value, colour in ((ours[-1], OURS), (script[-1], SCRIPT)):
        out.append(
            f'<text x="{x(last.prospects) - 6:.1f}" y="{y(value) + 16:.1f}" '
            f'class="value" fill="{colour}">{_number(value)}</text>'
        )
    return out


def render(figures: Figures) -> str:
    """The two charts side by side (CPU time, peak memory), the legend and the note."""
    sizes = tuple(sorted(figures.sizes, key=lambda s: s.prospects))
    cpu = _panel(
        "CPU time (user + system)",
        "seconds",
        sizes,
        [s.ours_cpu for s in sizes],
        [s.script_cpu for s in sizes],
        [GOAL_RATIO * s.script_cpu for s in sizes],
        0,
    )
    memory = _panel(
        "Peak memory",
        "MiB",
        sizes,
        [s.ours_mib for s in sizes],
        [s.script_mib for s in sizes],
        [GOAL_MIB] * len(sizes),
        PANEL_W,
    )
    width, height = 2 * PANEL_W, PANEL_H + 44
    legend = [
        f'<rect x="{LEFT}" y="{PANEL_H + 6}" width="12" height="3" fill="{OURS}"/>',
        f'<text x="{LEFT + 18}" y="{PANEL_H + 11}" class="legend">syncrules dry-run '
        "--engine duckdb</text>",
        f'<rect x="{LEFT + 230}" y="{PANEL_H + 6}" width="12" height="3" fill="{SCRIPT}"/>',
        f'<text x="{LEFT + 248}" y="{PANEL_H + 11}" class="legend">hand-written DuckDB '
        "script</text>",
        f'<line x1="{LEFT + 420}" x2="{LEFT + 432}" y1="{PANEL_H + 7.5}" y2="{PANEL_H + 7.5}" '
        f'stroke="{GOAL}" stroke-width="2" stroke-dasharray="4 2"/>',
        f'<text x="{LEFT + 438}" y="{PANEL_H + 11}" class="legend">the goal: 2× the script\'s '
        "CPU time; 2 GB</text>",
        f'<text x="{LEFT}" y="{PANEL_H + 32}" class="note">{escape(figures.note)}</text>',
    ]
    style = (
        "text{font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:11px;"
        "fill:#24292f}.title{font-size:13px;font-weight:600}.xtick{text-anchor:middle}"
        ".ytick{text-anchor:end}.axis{text-anchor:middle}"
        ".value{text-anchor:end;font-weight:600}.note{fill:#57606a}"
        ".area{fill:#fff;stroke:#d0d7de}.grid{stroke:#eaeef2}"
        ".series{fill:none;stroke-width:2}"
    )
    body = "\n".join([*cpu, *memory, *legend])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="dry-run scaling">\n'
        f'<style>{style}</style>\n<rect width="{width}" height="{height}" fill="#fff"/>\n'
        f"{body}\n</svg>\n"
    )


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: scaling_svg.py FIGURES.json OUT.svg")
    Path(sys.argv[2]).write_text(render(Figures.read(Path(sys.argv[1]))), "utf-8")


if __name__ == "__main__":
    main()
