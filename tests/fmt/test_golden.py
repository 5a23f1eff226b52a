"""Golden cases: `cases/<name>.sync` formats to `cases/<name>.formatted.sync`.

Regenerate with `pytest tests/fmt --update-goldens` and read every changed output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.fmt import format_source

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(p for p in CASES_DIR.glob("*.sync") if not p.name.endswith(".formatted.sync"))


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden(case: Path, golden) -> None:  # type: ignore[no-untyped-def]
    text = case.read_bytes().decode("utf-8")  # bytes: keep a case's CRLF line ends
    result = format_source(text, case.name)
    assert result.diagnostics == ()
    assert result.text is not None
    golden(case.with_name(f"{case.stem}.formatted.sync"), result.text)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden_output_is_already_formatted(case: Path) -> None:
    formatted = case.with_name(f"{case.stem}.formatted.sync")
    text = formatted.read_text(encoding="utf-8")
    assert format_source(text, formatted.name).text == text
