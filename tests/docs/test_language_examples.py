"""Every ```sync example in docs/language.md checks clean on its own.

Each block is a complete rule file, checked as `example.sync`. Examples that show a
mistake are fenced ```text instead, so they are not checked here. The reference must
also stay complete: every formula function is documented and used in a checked example,
and every check error links to its page under docs/errors/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import api, codes
from engine.formula.signatures import SIGNATURES

ROOT = Path(__file__).resolve().parents[2]
LANGUAGE = ROOT / "docs" / "language.md"

_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t]*$", re.M)
_FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "top"


def sync_blocks(text: str) -> list[tuple[str, str]]:
    """(id, body) of every ```sync block; id = nearest preceding heading + index."""
    headings = [(m.start(), _slug(m["title"])) for m in _HEADING.finditer(text)]
    fences = list(_FENCE.finditer(text))
    # a `#` comment line inside a fence is not a heading
    inside = [(f.start(), f.end()) for f in fences]
    headings = [(pos, s) for pos, s in headings if not any(a < pos < b for a, b in inside)]
    blocks: list[tuple[str, str]] = []
    for index, fence in enumerate(f for f in fences if f["lang"] == "sync"):
        title = "top"
        for pos, slug in headings:
            if pos < fence.start():
                title = slug
        blocks.append((f"{title}-{index}", fence["body"]))
    return blocks


DOC = LANGUAGE.read_text(encoding="utf-8")
BLOCKS = sync_blocks(DOC)


def test_the_reference_has_examples() -> None:
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize(("block_id", "block"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_example_checks_clean(block_id: str, block: str) -> None:
    found = api.check_text(block, "example.sync").diagnostics
    assert found == (), [f"{d.span.line}:{d.span.col} {d.name}: {d.message}" for d in found]


def test_every_function_is_documented_and_used() -> None:
    checked = "\n".join(body for _, body in BLOCKS).upper()
    undocumented = [name for name in SIGNATURES if f"`{name}(" not in DOC]
    unused = [name for name in SIGNATURES if not re.search(rf"\b{name}\(", checked)]
    assert undocumented == [], f"not in the functions table: {undocumented}"
    assert unused == [], f"not used in any checked example: {unused}"


def test_every_check_error_is_linked() -> None:
    missing = [c.name for c in codes.CHECK_CODES if f"](errors/{c.name}.md)" not in DOC]
    assert missing == [], f"not linked from the Diagnostics section: {missing}"
