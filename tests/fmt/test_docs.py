"""docs/fmt.md's example: its "Before" text formats to exactly its "After" text."""

from __future__ import annotations

import re

from engine.fmt import format_source
from tests.conftest import ROOT

PAGE = (ROOT / "docs" / "fmt.md").read_text(encoding="utf-8")


def test_the_documented_example_is_what_fmt_does() -> None:
    before = re.search(r"Before:\n\n```text\n(.*?)```", PAGE, re.DOTALL)
    after = re.search(r"After `syncrules fmt`:\n\n```sync\n(.*?)```", PAGE, re.DOTALL)
    assert before is not None
    assert after is not None
    assert format_source(before.group(1), "example.sync").text == after.group(1)
