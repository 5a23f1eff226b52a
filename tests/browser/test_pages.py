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
    assert rows.count() == 4
    page.fill("#search", "48210006")
    visible = [r for r in rows.all() if r.is_visible()]
    assert [r.locator("td").first.inner_text() for r in visible] == ["48210006"]
    assert console.errors == []
