"""The Acme sample's dry-run report in a real headless Chromium, used as a person would:
no console errors, search, filters, sort, paging, the explain panel, keyboard only, tabs,
and readable colours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from tests.browser.chromium import Console
from tests.conftest import ROOT

ACME = [str(ROOT / "samples/acme/rules"), "--records", str(ROOT / "samples/acme/records")]


@pytest.fixture(scope="module")
def acme_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "acme.html"
    code = main(
        [
            "dry-run",
            *ACME,
            "--now",
            "2026-12-01T00:00:00Z",
            "--format",
            "html",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    return out


def _open(page: Any, path: Path) -> Console:
    console = Console(page)
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]")
    return console


def _ids(page: Any) -> list[str]:
    return [str(t) for t in page.locator("#records tbody tr td:first-child").all_inner_texts()]


def test_opens_without_console_errors(page: Any, acme_report: Path) -> None:
    console = _open(page, acme_report)
    assert page.locator("#records tbody tr").count() == 42
    assert page.locator("#status").inner_text() == "Showing 1–42 of 42 prospects"  # noqa: RUF001
    assert page.locator("svg.flow g.node").count() > 8
    assert console.errors == []


def test_search_finds_one_prospect_and_clearing_restores_all(page: Any, acme_report: Path) -> None:
    _open(page, acme_report)
    page.fill("#search", "48210012")
    assert _ids(page) == ["48210012"]
    page.fill("#search", "lead by email")  # the rule column, case-insensitively
    assert _ids(page) == ["48210012"]
    page.click("#clear")
    assert len(_ids(page)) == 42


def test_sort_by_prospect_descending_then_by_action(page: Any, acme_report: Path) -> None:
    _open(page, acme_report)
    page.click("th button[data-col='0']")  # already ascending: the second click reverses
    assert _ids(page)[:2] == ["48210042", "48210041"]
    assert page.locator("th:has(button[data-col='0'])").get_attribute("aria-sort") == "descending"
    page.click("th button[data-col='1']")
    actions = page.locator("#records tbody tr td:nth-child(2)").all_inner_texts()
    assert actions == sorted(actions)
    assert actions[0] == "create_lead"


def test_filters_by_action_and_from_the_errors_table(page: Any, acme_report: Path) -> None:
    _open(page, acme_report)
    page.select_option("#f-action", "skip")
    assert len(_ids(page)) == 8  # 48210010 syncs in the Channel unit
    page.click(".errors button[data-rule='Lead_Phone_Format']")
    assert _ids(page) == ["48210014", "48210017"]
    assert "2 matching prospects" in page.locator("#status").inner_text()


def test_explain_panel_opens_on_click_with_the_trace(page: Any, acme_report: Path) -> None:
    _open(page, acme_report)
    page.click("#records tbody tr:has-text('48210012')")
    panel = page.locator("#panel")
    assert panel.is_visible()
    assert page.locator("#panel-title").inner_text() == (
        "Prospect 48210012: error (DUPLICATES_DETECTED)"
    )
    steps = page.locator("#panel-body ol > li strong").all_inner_texts()
    assert steps[0] == "match: "
    assert '"error_code": "DUPLICATES_DETECTED"' in page.locator("#panel-body pre").inner_text()
    page.click("#panel-close")
    assert not panel.is_visible()


def test_keyboard_only(page: Any, acme_report: Path) -> None:
    _open(page, acme_report)
    page.locator("#records tbody tr").first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#panel-title").inner_text().startswith("Prospect 48210003:")
    page.keyboard.press("Escape")
    assert not page.locator("#panel").is_visible()
    # focus goes back to the row the panel was opened from
    assert page.evaluate("document.activeElement.dataset.i") == "2"
    # tabs: arrows move between them and show their panel
    page.locator("#tab-prospects").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-personalization"
    assert page.locator("#panel-personalization").is_visible()
    assert not page.locator("#panel-prospects").is_visible()


def _luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_badges_say_their_action_in_words_with_aa_contrast(page: Any, acme_report: Path) -> None:
    _open(page, acme_report)
    styles = page.eval_on_selector_all(
        ".badge",
        "els => els.map(e => [e.textContent, e.className, getComputedStyle(e).color,"
        " getComputedStyle(e).backgroundColor])",
    )
    # every tab's badges: the prospects' actions, and Personalization, User Sync, Campaigns'
    assert {"create_lead", "update", "no_change", "skip", "error"} <= {s[0] for s in styles}
    for text, klass, fg, bg in styles:
        if bg == "rgba(0, 0, 0, 0)":  # no fill of its own: the white page is behind it
            bg = "rgb(255, 255, 255)"
        assert text in klass  # the colour is never the only cue: the word is there
        light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, fg, bg)
