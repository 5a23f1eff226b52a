"""A page per lint rule at docs/rules/<name>.md: its Bad example triggers exactly that
rule, its Good example is clean, and every registered rule has a page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import api
from engine.lint.registry import load_rules
from engine.lint.runner import lint

PAGES = Path(__file__).resolve().parents[2] / "docs" / "rules"
RULES = {r.code.name: r.code for r in load_rules()}
SECTIONS = ("## What it catches", "## Why it matters for the sync", "## Bad", "## Good",
            "## How to silence", "## Related")


def _block(text: str, heading: str) -> str:
    after = text.split(heading, 1)[1]
    match = re.search(r"```sync\n(.*?)```", after, re.S)
    assert match, f"no ```sync block after {heading}"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_has_a_page(name: str) -> None:
    page = PAGES / f"{name}.md"
    assert page.exists()
    text = page.read_text(encoding="utf-8")
    code = RULES[name]
    assert text.startswith(f"# {name} ({code.code}) — {code.severity}\n")
    for section in SECTIONS:
        assert section in text, section


@pytest.mark.parametrize("name", sorted(RULES))
def test_bad_triggers_the_rule_and_good_is_clean(name: str) -> None:
    text = (PAGES / f"{name}.md").read_text(encoding="utf-8")
    bad = api.check_text(_block(text, "## Bad"), "bad.sync")
    good = api.check_text(_block(text, "## Good"), "good.sync")
    assert not bad.has_errors and not good.has_errors
    assert {d.name for d in lint(bad)} == {name}
    assert [d.name for d in lint(good)] == []
