"""Explain's hand-off (engine/bulk/handoff.py): the reference, run on one prospect's turn
as a DuckDB plan leaves the org, gives that plan's row and the whole reference's steps."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from engine import api
from engine.bulk.handoff import at_turn
from engine.cli import main
from engine.records.load import load_records_text
from engine.runtime.context import Clock
from tests.bulk.differential import duckdb_plan
from tests.bulk.test_cli_engines import ACME_RECORDS, ACME_RULES, DECLINED, RECORDS
from tests.bulk.test_differential import NOW, record_sets, rule_sets


# 10 generated cycles, each prospect's turn by the reference: about 6 s on an idle core
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rule_sets(), record_sets())
def test_the_reference_on_a_prospects_turn_equals_the_bulk_row(
    rules_text: str, records_text: str
) -> None:
    rules = api.check_text(rules_text, "rules.sync")
    records = load_records_text(records_text, "records.yaml", rules)
    plan = duckdb_plan(rules, records, NOW)
    if plan is None:
        return  # DuckDB declined: explain runs the whole reference (the CLI test below)
    for row in plan.outcomes:
        outcome, steps = at_turn(rules, records, plan, row.prospect, Clock(NOW))
        assert outcome == row
    # the last prospect's turn follows every earlier one of its component: its steps are
    # the whole reference's
    whole = api.explain(rules, records, row.prospect, now=NOW, engine="python")
    assert steps == whole.steps


def test_explain_on_duckdb_prints_what_the_reference_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The Acme sample's validation error, explained on DuckDB's plan as the whole
    reference explains it (about 3 s: the two runs of the sample's cycle)."""
    for prospect in ("48210016",):
        printed = []
        for engine in ("python", "duckdb"):
            args = ["explain", ACME_RULES, "--records", ACME_RECORDS, "--prospect", prospect]
            assert main([*args, "--now", "2026-11-30T12:00:00Z", "--engine", engine]) == 0
            printed.append(capsys.readouterr().out)
        assert printed[0] == printed[1]
        assert printed[0].startswith(f"prospect {prospect}: ")


def test_explain_on_duckdb_names_what_it_cannot_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rules.sync").write_text(DECLINED, encoding="utf-8")
    (tmp_path / "records.yaml").write_text(RECORDS, encoding="utf-8")
    args = ["explain", str(tmp_path / "rules.sync"), "--records", str(tmp_path / "records.yaml")]
    args += ["--prospect", "p2", "--now", "2026-11-30T12:00:00Z"]
    assert main([*args, "--engine", "duckdb"]) == 2
    err = capsys.readouterr().err
    assert "the duckdb engine cannot evaluate this cycle" in err
    assert "stage Hot: `in group` inside an expression SQL cannot give" in err
    assert main([*args, "--engine", "python"]) == 0
    reference = capsys.readouterr().out
    assert reference.startswith("prospect p2: skip (gated)")
