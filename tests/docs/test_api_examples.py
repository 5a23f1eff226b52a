"""docs/api.md's examples run, from the repository root, on the shipped sample (issue 11:
the example used a path and a prospect the sample does not have)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "api.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```$", PAGE.read_text(encoding="utf-8"), re.M | re.S)


def test_the_page_has_its_examples() -> None:
    assert len(BLOCKS) == 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs_on_the_sample(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS[index], f"docs/api.md block {index + 1}", "exec"), {})
    printed = out.getvalue()
    expected = {
        0: ["'prospects': 42", "error DUPLICATES_DETECTED"],
        1: ["42 prospects: 4 create_lead", "prospect 48210012: error", "no problems found"],
        2: ["8 0\n", "8 passed, 0 failed"],
    }[index]
    for text in expected:
        assert text in printed, printed
