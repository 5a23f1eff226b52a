"""The benchmarks' picture (benchmarks/scaling_svg.py): the dry-run's scaling curve drawn
from measured figures."""

from __future__ import annotations

import importlib.util
import sys
import xml.etree.ElementTree as ET
from typing import Any

from tests.conftest import ROOT

SVG = "{http://www.w3.org/2000/svg}"


def _scaling() -> Any:
    """benchmarks/scaling_svg.py, loaded by path: benchmarks/ is a folder of scripts."""
    if "scaling_svg" in sys.modules:  # loaded once: its dataclasses look their module up
        return sys.modules["scaling_svg"]
    spec = importlib.util.spec_from_file_location("scaling_svg", ROOT / "benchmarks/scaling_svg.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scaling_svg"] = module
    spec.loader.exec_module(module)
    return module


def _points(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = (point.split(",") for point in polyline.attrib["points"].split())
    return [(float(x), float(y)) for x, y in pairs]


def test_the_picture_draws_each_size_and_the_goals() -> None:
    scaling = _scaling()
    sizes = (
        scaling.Figure(10_000, 3.0, 1.0, 200.0, 100.0),
        scaling.Figure(1_000_000, 31.0, 12.0, 1_400.0, 1_700.0),
        scaling.Figure(200_000, 8.0, 4.0, 700.0, 500.0),  # drawn in order of size
    )
    tree = ET.fromstring(scaling.render(scaling.Figures("a note", sizes)))
    lines = tree.findall(f"{SVG}polyline")
    # per panel: the goal (dashed), the script, ours
    assert len(lines) == 6
    assert [line.attrib.get("stroke-dasharray") is not None for line in lines] == [
        True, False, False, True, False, False,
    ]  # fmt: skip
    cpu_goal, cpu_script, cpu_ours = (_points(line) for line in lines[:3])
    assert [x for x, _ in cpu_ours] == sorted(x for x, _ in cpu_ours)
    # ours above the script at every size, the goal at twice the script
    ours = [_height(y, tree) for _, y in cpu_ours]
    script = [_height(y, tree) for _, y in cpu_script]
    goal = [_height(y, tree) for _, y in cpu_goal]
    assert all(o > s for o, s in zip(ours, script, strict=True))
    assert all(abs(g - 2 * s) < 0.01 for g, s in zip(goal, script, strict=True)), (goal, script)
    assert ours[0] < ours[1] < ours[2]
    memory_goal = _points(lines[3])
    assert len({y for _, y in memory_goal}) == 1  # 2 GB at every size
    assert len(tree.findall(f"{SVG}circle")) == 2 * 2 * len(sizes)
    texts = [text.text for text in tree.iter(f"{SVG}text")]
    assert "a note" in texts
    assert "31" in texts  # ours at 1M, labelled at its point (the ticks are 0, 10, … 40)
    assert "1M" in texts
    assert "0" in texts


def _height(y: float, tree: ET.Element) -> float:
    """A point's height above the CPU panel's axis as a share of its plot area (SVG's y
    grows downwards): proportional to the value drawn."""
    area = next(rect for rect in tree.iter(f"{SVG}rect") if rect.attrib.get("class") == "area")
    top, height = float(area.attrib["y"]), float(area.attrib["height"])
    return (top + height - y) / height


def test_the_committed_picture_is_drawn_from_the_committed_figures() -> None:
    scaling = _scaling()
    figures = ROOT / "benchmarks/img/scaling.json"
    picture = figures.with_suffix(".svg")
    assert picture.read_text("utf-8") == scaling.render(scaling.Figures.read(figures))
