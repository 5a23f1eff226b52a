"""`graph --format svg|html`: the layered picture drawn in Python, no Graphviz."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine import api
from engine.cli import main
from engine.render import graph_svg

SVG = "{http://www.w3.org/2000/svg}"
RULES = """object prospect { score: number }
object lead { Country: text(80) Email: email OwnerId: text(18) }
stage MQL when score >= 100
stage SQL when MQL and lead.Country = "DE"
validation Country_Required on lead {
    error_if: NOT(ISBLANK(OwnerId)) && ISBLANK(Country)
    message: "Country."
}
"""


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "r.sync"
    path.write_text(RULES, encoding="utf-8")
    return path


def _svg(rules_file: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> ET.Element:
    assert main(["graph", str(rules_file), "--format", "svg", *extra]) == 0
    return ET.fromstring(capsys.readouterr().out)


def test_every_node_is_drawn_once_and_every_edge_points_right(
    rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _svg(rules_file, capsys=capsys)
    ids = [str(g.get("data-id")) for g in root.iter() if g.get("data-id")]
    view = api.graph(api.check([str(rules_file)])).view()
    assert sorted(ids) == sorted(n.id for n in view.nodes)
    placed, _, _ = graph_svg.layout(view)
    x = {p.node.id: p.x for p in placed}
    assert all(x[e.source] < x[e.target] for e in view.edges)  # layered by evaluation order
    assert x["stage:MQL"] < x["stage:SQL"]


def test_nodes_link_to_their_rule_file_and_line(
    rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _svg(rules_file, capsys=capsys)
    links = {a.get("data-id"): a.get("href") for a in root.iter(f"{SVG}a")}
    assert links["stage:SQL"] == f"{rules_file}#L4"
    assert links["validation:lead.Country_Required"] == f"{rules_file}#L5"
    assert str(links["prospect.score"]).startswith(f"{rules_file}#L1")  # where it is declared


def test_link_template_for_an_editor(rules_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _svg(rules_file, "--link", "vscode://file/{abspath}:{line}:{col}", capsys=capsys)
    links = {a.get("data-id"): a.get("href") for a in root.iter(f"{SVG}a")}
    assert links["stage:MQL"] == f"vscode://file/{rules_file.resolve()}:3:7"


def test_html_page_has_the_picture_and_a_table_of_nodes(
    rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", str(rules_file), "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1
    assert f'<a href="{rules_file}#L4">{rules_file}:4:7</a>' in page
    assert not re.search(r'(src|href)="https?://', page)


def test_same_bytes_every_time(rules_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["graph", str(rules_file), "--format", "svg"])
    first = capsys.readouterr().out
    main(["graph", str(rules_file), "--format", "svg"])
    assert capsys.readouterr().out == first
