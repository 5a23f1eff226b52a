"""A page per lint rule at docs/rules/<name>.md: its Bad example triggers exactly that
rule, its Good example is clean, and every registered rule has a page. A data-aware rule's
examples also carry a ```yaml record set (the `lint --records` data) after the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import api
from engine.lint.registry import load_rules
from engine.records.model import RecordSet

PAGES = Path(__file__).resolve().parents[2] / "docs" / "rules"
RULES = {r.code.name: r.code for r in load_rules()}
SECTIONS = (
    "## What it catches",
    "## Why it matters for the sync",
    "## Bad",
    "## Good",
    "## How to silence",
    "## Related",
)


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


def _records(text: str, heading: str, rules: api.CheckedRules, tmp: Path) -> RecordSet | None:
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    if match is None:
        return None
    path = tmp / f"{heading[3:].lower()}.yaml"
    path.write_text(match.group(1), encoding="utf-8")
    return api.load_records(str(path), rules)


DATA_AWARE = {r.code.name for r in load_rules() if r.data_aware}


@pytest.mark.parametrize("name", sorted(RULES))
def test_bad_triggers_the_rule_and_good_is_clean(name: str, tmp_path: Path) -> None:
    text = (PAGES / f"{name}.md").read_text(encoding="utf-8")
    bad = api.check_text(_block(text, "## Bad"), "bad.sync")
    good = api.check_text(_block(text, "## Good"), "good.sync")
    assert not bad.has_errors
    assert not good.has_errors
    bad_records = _records(text, "## Bad", bad, tmp_path)
    good_records = _records(text, "## Good", good, tmp_path)
    if name in DATA_AWARE:
        assert bad_records is not None
        assert good_records is not None
    assert {d.name for d in api.lint(bad, None, bad_records)} == {name}
    assert [d.name for d in api.lint(good, None, good_records)] == []
