"""A YAML or JSON number keeps the exact value written, beyond what a float holds
(docs/records.md, "Numbers"): both YAML readers (libyaml and the pure ruamel path) and JSON
— read as a CSV cell with the same digits is read (SPEC §3.6)."""

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
        ("0.10", "0.10"),  # as the CSV cell 0.10
        ("1.5e3", "1500.0"),
        ("-0.0", "-0.0"),
        ("1.00000000000000000001e3", "1000.00000000000000001"),
    ],
)
def test_a_number_keeps_its_digits_as_written(written: str, expected: str) -> None:
    value = loaded(f"prospects:\n  - id: p1\n    score: {written}\n", "r.yaml")["score"]
    assert str(value) == expected


# every spelling a CSV cell and a JSON or YAML number share (sign, digits, point)
SPELLINGS = (WIDE, "1.10", "-0", "-0.0", "12345678901234567.25", "0.1000000000000000000000001")


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_number_reaches_the_plan_as_the_same_csv_cell_does(tmp_path: Path, fmt: str) -> None:
    """The same digits in a CSV cell and as a JSON or YAML number give the same Decimal,
    digit for digit (its text too: `-0` keeps its sign, `1.10` its zero), and the same
    plan: a stage comparing with the wide number holds for both."""
    from engine import api
    from engine.records.load import load_records

    rules = api.check_text(
        "object prospect { email: email  score: number }\n"
        f"stage Exact when score = {WIDE}\n"
        "stage Big when score > 12345678901234567.3\n"
    )
    ids = [f"p{n}" for n in range(len(SPELLINGS))]
    csv_set, other = tmp_path / "csv", tmp_path / fmt
    csv_set.mkdir()
    other.mkdir()
    lines = "".join(f"{i},{i}@x.io,{n}\n" for i, n in zip(ids, SPELLINGS, strict=True))
    (csv_set / "prospects.csv").write_text("id,email,score\n" + lines, encoding="utf-8")
    pairs = list(zip(ids, SPELLINGS, strict=True))
    if fmt == "json":
        items = [f'{{"id": "{i}", "email": "{i}@x.io", "score": {n}}}' for i, n in pairs]
        (other / "prospects.json").write_text("[" + ",\n".join(items) + "]\n", encoding="utf-8")
    else:
        items = [f"  - id: {i}\n    email: {i}@x.io\n    score: {n}\n" for i, n in pairs]
        (other / "prospects.yaml").write_text("prospects:\n" + "".join(items), encoding="utf-8")

    def scores(path: Path) -> list[str]:
        return [str(p.values["score"]) for p in load_records(str(path), rules).prospects]

    assert scores(csv_set) == list(SPELLINGS)  # CSV keeps the text as written
    assert scores(other) == list(SPELLINGS)

    def stages(path: Path) -> list[tuple[str, ...]]:
        plan = api.dry_run(rules, load_records(str(path), rules), engine="python")
        return [o.stages for o in plan.outcomes]

    assert stages(other) == stages(csv_set)
    assert stages(csv_set)[:1] == [("Exact",)]  # the wide number, exactly
    assert stages(csv_set)[4] == ()  # 12345678901234567.25, not its float 12345678901234568


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
