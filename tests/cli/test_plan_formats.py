"""dry-run's outputs at scale (issue 10): the JSON plan streamed to standard output or a
file, JSON Lines and Parquet for pipelines, and a table that pages."""

from __future__ import annotations

import importlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from engine.cli import TABLE_ROWS, main
from engine.files import InputError, atomic_output
from engine.render import plan_parquet, plan_table

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "samples" / "acme"
ARGS = [
    "dry-run",
    str(ACME / "rules"),
    "--records",
    str(ACME / "records"),
    "--now",
    "2026-11-23T12:00:00Z",
    "--engine",
    "python",
]


def _run(capsys: pytest.CaptureFixture[str], *extra: str, code: int = 0) -> tuple[str, str]:
    assert main([*ARGS, *extra]) == code
    return capsys.readouterr()


@pytest.fixture
def plan(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    out, _ = _run(capsys, "--format", "json")
    data: dict[str, Any] = json.loads(out)
    return data


def test_the_json_plan_to_a_file_is_the_printed_plan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    printed, _ = _run(capsys, "--format", "json")
    target = tmp_path / "plan.json"
    target.write_text("an older plan", encoding="utf-8")
    _, err = _run(capsys, "--format", "json", "--output", str(target))
    assert target.read_text(encoding="utf-8") == printed
    assert err == f"syncrules: wrote {target}\n"
    assert os.listdir(tmp_path) == ["plan.json"]  # no temporary file left beside it


def test_jsonl_is_the_json_plan_one_entry_a_line(
    capsys: pytest.CaptureFixture[str], plan: dict[str, Any]
) -> None:
    out, _ = _run(capsys, "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert all(len(line.splitlines()) == 1 for line in out.splitlines(keepends=True))
    assert [line["section"] for line in lines][:2] == ["summary", "records"]
    by_section: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        section = line.pop("section")
        by_section.setdefault(section, []).append(line)
    assert by_section.pop("summary") == [plan.pop("summary")]
    assert by_section == {key: value for key, value in plan.items() if value}
    assert len(by_section["records"]) == 42
    assert {"personalization", "user_sync", "campaigns"} <= by_section.keys()


def test_parquet_holds_a_row_per_prospect_and_per_new_prospect(
    capsys: pytest.CaptureFixture[str], plan: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "plan.parquet"
    _run(capsys, "--format", "parquet", "--output", str(target))
    rows = importlib.import_module("pyarrow.parquet").read_table(target).to_pylist()
    records, created = plan["records"], plan["prospects_from_salesforce"]
    assert len(rows) == len(records) + len(created)
    for row, entry in zip(rows, records, strict=False):
        assert row["prospect"] == entry["prospect"]
        assert row["action"] == entry["action"]
        assert row["stages"] == entry["stages"]
        assert row["error_code"] == entry.get("error_code")
        if "to_salesforce" in entry:
            assert json.loads(row["to_salesforce"]) == entry["to_salesforce"]
        else:
            assert row["to_salesforce"] is None
    for row, entry in zip(rows[len(records) :], created, strict=True):
        assert (row["action"], row["prospect"]) == ("create_prospect", None)
        assert (row["target_object"], row["target_id"]) == (
            entry["source"]["object"],
            entry["source"]["id"],
        )
        assert json.loads(row["to_pardot"]) == entry["to_pardot"]


def test_parquet_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    _, err = _run(capsys, "--format", "parquet", code=2)
    assert "--format parquet writes a file: add --output FILE" in err
    assert "Traceback" not in err


def test_without_pyarrow_parquet_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = importlib.import_module

    def no_pyarrow(name: str, package: str | None = None) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_pyarrow)
    from engine.plan import Plan

    with pytest.raises(InputError, match="pip install pyarrow"):
        plan_parquet.write(Plan(()), str(tmp_path / "p.parquet"))


def test_an_output_that_fails_midway_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("the old plan", encoding="utf-8")

    def interrupted() -> None:
        with atomic_output(str(target)) as temp:
            Path(temp).write_text("half a pla", encoding="utf-8")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    assert target.read_text(encoding="utf-8") == "the old plan"
    assert os.listdir(tmp_path) == ["plan.json"]


def test_the_table_pages_by_action(capsys: pytest.CaptureFixture[str]) -> None:
    from engine import api

    rules = api.check([str(ACME / "rules")])
    records = api.load_records(str(ACME / "records"), rules)
    import datetime as dt

    result = api.dry_run(rules, records, now=dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC))
    everything = plan_table.render(result)
    paged = plan_table.render(result, rows=2)
    # with business units, each unit's rows are paged on their own (Acme: Direct, Channel)
    shown_rows = [line for line in paged.splitlines() if line[:8].isdigit()]
    per_unit = [
        Counter(o.action for o in result.for_unit(u).outcomes) for u in result.business_units
    ]
    assert len(shown_rows) == sum(min(2, n) for counts in per_unit for n in counts.values())
    direct = result.for_unit("Direct").outcomes
    left_out = len(direct) - sum(min(2, n) for n in per_unit[0].values())
    assert f"\n… and {left_out} more rows (" in paged
    assert "--all shows every row" in paged
    assert plan_table.render(result, rows=None) == everything
    assert plan_table.render(result, rows=len(result.outcomes)) == everything
    assert TABLE_ROWS == 50
    out, _ = _run(capsys, "--all")
    assert out == everything


def _tail(text: str) -> int:
    """How many lines follow the prospect table (the sections after a blank line)."""
    lines = text.splitlines()
    last_row = max(i for i, line in enumerate(lines) if line[:8].isdigit())
    return len(lines) - last_row - 2
