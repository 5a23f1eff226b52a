"""A YAML or JSON number keeps the exact value written, beyond what a float holds
(docs/records.md, "Numbers"): both YAML readers (libyaml and the pure ruamel path) and JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.check.resolve import check_rules
from engine.loader import load_text
from engine.records.load import load_records_text
from engine.records.model import Value

RULES = check_rules(
    load_text("object prospect {\n  score: number\n  label: text(80)\n}\n", "r.sync")
)
WIDE = "-99999999999999999999.5"


def loaded(text: str, path: str) -> dict[str, Value]:
    return load_records_text(text, path, RULES).prospects[0].values


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (f"prospects:\n  - id: p1\n    score: {WIDE}\n", "r.yaml"),
        # a directive sends the document to the pure ruamel path
        (f"%YAML 1.2\n---\nprospects:\n  - id: p1\n    score: {WIDE}\n", "r.yaml"),
        (f'{{"prospects": [{{"id": "p1", "score": {WIDE}}}]}}', "r.json"),
    ],
)
def test_a_number_wider_than_a_float_keeps_its_exact_value(text: str, path: str) -> None:
    assert float(WIDE) == -1e20  # what the YAML and JSON parsers hand over
    assert loaded(text, path)["score"] == Decimal(WIDE)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0.10", "0.1"),
        ("1.5e3", "1500.0"),
        ("-0.0", "-0.0"),
        ("1.00000000000000000001e3", "1000.00000000000000001"),
    ],
)
def test_a_float_keeps_its_spelling_unless_it_lost_digits(written: str, expected: str) -> None:
    value = loaded(f"prospects:\n  - id: p1\n    score: {written}\n", "r.yaml")["score"]
    assert str(value) == expected


def test_a_wide_number_in_a_text_field_is_its_text() -> None:
    assert loaded(f"prospects:\n  - id: p1\n    label: {WIDE}\n", "r.yaml")["label"] == WIDE
