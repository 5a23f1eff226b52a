"""A YAML or JSON number keeps the exact value written, beyond what a float holds
(docs/records.md, "Numbers"): both YAML readers (libyaml and the pure ruamel path) and JSON."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

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


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("r.yaml", "prospects:\n  - id: p1\n    score: 1\n"),
        ("r.json", '{"prospects": [{"id": "p1", "score": 1}]}'),
        ("prospects.json", '[{"id": "p1", "score": 1}]'),
    ],
)
def test_a_number_wider_than_a_float_is_written_back_exactly(
    tmp_path: Path, name: str, text: str
) -> None:
    """`run --out` writes such a number with all its digits (records/write.py), not as the
    nearest float (`-1e+20`); a YAML file reads it back as the same number."""
    from engine.records.load import load_records
    from engine.records.write import render_records

    source = tmp_path / "in"
    source.mkdir()
    (source / name).write_text(text, encoding="utf-8")
    path = str(source / name) if name.startswith("r.") else str(source)
    records = load_records(path, RULES)
    prospect = records.prospects[0]
    for value in (WIDE, "1234567890.123456789", "0.1"):
        prospect.values["score"] = Decimal(value)
        prospect.changed.add("score")
        (written,) = render_records(records).values()
        assert isinstance(written, str)
        assert f'score": {value}\n' in written or f"score: {value}\n" in written
        if name.endswith(".yaml"):
            out = tmp_path / "out.yaml"
            out.write_text(written, encoding="utf-8")
            again = load_records(str(out), RULES).prospects[0].values["score"]
            assert again == Decimal(value)


def test_a_number_wider_than_a_float_in_a_parquet_text_column_is_its_digits(
    tmp_path: Path,
) -> None:
    from engine.records.parquet import read_table, render_table

    written = render_table(
        [{"id": "p1", "label": Decimal(WIDE), "score": Decimal(WIDE)}],
        ["id", "label", "score"],
        ["VARCHAR", "VARCHAR", "DOUBLE"],
        "prospects.parquet",
    )
    (tmp_path / "p.parquet").write_bytes(written)
    row = read_table(str(tmp_path / "p.parquet")).rows[0]
    assert row["label"] == WIDE  # a text column holds every digit
    assert row["score"] == float(WIDE)  # a float column holds the nearest float, as before
