"""Every check diagnostic has a docs page, and each page's examples do what it says.

The Bad example produces the page's diagnostic and nothing else, the Good example checks
clean, and the output printed on the page is the real output (refresh it with
`python3 -m tests.docs.pages`). See tests/docs/pages.py for the page format.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import api, codes
from tests.docs.pages import EXAMPLE_NAME, PAGES_DIR, command_output, example, files_of, pages

PAGES = pages()


def _name(page: Path) -> str:
    return page.stem


def test_every_check_code_has_a_page() -> None:
    names = {p.stem for p in PAGES}
    missing = [c.name for c in codes.CHECK_CODES if c.name not in names]
    assert missing == [], f"no docs/errors page for: {', '.join(missing)}"


def test_every_page_is_a_check_code() -> None:
    known = {c.name for c in codes.CHECK_CODES}
    assert [p.name for p in PAGES if p.stem not in known] == []


def test_docs_path_of_every_check_code_exists() -> None:
    root = PAGES_DIR.parents[1]
    assert [c.docs_path for c in codes.CHECK_CODES if not (root / c.docs_path).is_file()] == []


def test_readme_links_every_page() -> None:
    readme = (PAGES_DIR / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([a-z-]+\.md)\)", readme))
    assert {p.name for p in PAGES} <= linked


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_title(page: Path) -> None:
    code = codes.lookup(page.stem)
    assert code is not None
    first = page.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# {code.name} ({code.code}) — {code.severity}"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_sections(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for heading in (
        "What it means",
        "Why it matters for the sync",
        "Example",
        "Bad",
        "Good",
        "How to fix",
    ):
        assert re.search(rf"^## {heading}\s*$", text, re.M), f"no `## {heading}`"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_bad_example_triggers_exactly_this_diagnostic(page: Path) -> None:
    bad = example(page.read_text(encoding="utf-8"), "Bad")
    with files_of(bad, with_example=False):
        found = api.check_text(bad.text, EXAMPLE_NAME).diagnostics
    names = [d.name for d in found]
    assert page.stem in names
    assert set(names) == {page.stem}, [f"{d.name}: {d.message}" for d in found]


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_good_example_checks_clean(page: Path) -> None:
    good = example(page.read_text(encoding="utf-8"), "Good")
    with files_of(good, with_example=False):
        found = api.check_text(good.text, EXAMPLE_NAME).diagnostics
    assert found == (), [f"{d.name}: {d.message}" for d in found]


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_output_shown_is_the_real_output(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    bad = example(text, "Bad")
    assert bad.output_span is not None, "no ```text block with the output under `## Bad`"
    start, end = bad.output_span
    assert text[start:end] == command_output(bad), "run `python3 -m tests.docs.pages`"
