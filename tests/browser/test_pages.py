"""The other HTML outputs in Chromium: `graph --format html` and `diff --format html`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.chromium import Console
from tests.browser.screenshots import write_output


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    write_output(folder)
    return folder


def test_graph_page_nodes_link_to_their_rules(page: Any, pages: Path) -> None:
    console = Console(page)
    page.goto((pages / "graph.html").as_uri())
    stage = page.locator("svg.graph a[data-id='stage:MQL']")
    assert stage.count() == 1
    href = stage.get_attribute("href")
    assert href is not None
    assert href.startswith("samples/acme/rules/")
    assert "#L" in href
    assert page.locator("table tbody tr").count() == page.locator("svg.graph .node").count()
    assert console.errors == []


def test_diff_page_search_hides_other_rows(page: Any, pages: Path) -> None:
    console = Console(page)
    page.goto((pages / "diff.html").as_uri())
    page.wait_for_selector("body[data-ready=true]")
    rows = page.locator("#changes tbody tr")
    assert rows.count() == 5
    page.fill("#search", "48210006")
    visible = [r for r in rows.all() if r.is_visible()]
    assert [r.locator("td").first.inner_text() for r in visible] == ["48210006"]
    assert console.errors == []


def test_queue_diff_page(page: Any, tmp_path: Path) -> None:
    import contextlib
    import io
    import json

    from engine.cli import main

    entry = {"prospect": "p1", "object": "lead", "record": None, "error_code": "E", "rule": "R"}
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"errors": [entry]}), encoding="utf-8")
    new.write_text(json.dumps({"errors": [{**entry, "prospect": "p2"}]}), encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["queue", "diff", str(old), str(new), "--format", "html"]) == 0
    (tmp_path / "queue.html").write_text(out.getvalue(), encoding="utf-8")
    console = Console(page)
    page.goto((tmp_path / "queue.html").as_uri())
    assert page.locator("#new tbody td").first.inner_text() == "p2"
    assert page.locator("#fixed tbody td").first.inner_text() == "p1"
    assert console.errors == []
