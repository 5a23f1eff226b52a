"""A negative zero in a record set (`-0`, `-0.0`) is typed as the Python loader types it,
Decimal("-0.0"), by the direct loader and the DuckDB tables alike, and the SQL keeps its
sign where the reference shows it: TEXT() and a number written into a text field."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import api
from engine.cli import main
from tests.bulk.test_direct_load import CLOCK, NOW

RULES = """
object prospect { email: email  score: number  note: number }
object lead {
  Email: email  LastName: text(20)  Score__c: number  Note__c: text(20)
}
field email { lead: Email sync: salesforce }
field score { lead: Score__c sync: pardot }
field note { lead: Note__c sync: pardot }
stage Any when email <> ""
create lead when Any
validation ZeroText on lead {
  error_if: TEXT(Score__c) = "-0"
  message: "minus zero"
}
"""
PROSPECTS = "id,email,score,note\np1,a@x.io,-0.0,1\np2,b@x.io,0,-00.00\np3,c@x.io,5,-0\n"
LEADS = "Id,Email,LastName,Score__c,Note__c\n00Q1,b@x.io,B,-0,x\n"


def dry_run(tmp: Path, engine: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    paths = [str(tmp / "r.sync"), "--records", str(tmp / "records")]
    code = main(["dry-run", *paths, "--now", NOW, "--format", "json", "--engine", engine])
    return code, capsys.readouterr().out


def test_negative_zero_runs_on_the_direct_path_as_the_reference_plans_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.sync").write_text(RULES)
    records = tmp_path / "records"
    records.mkdir()
    (records / "prospects.csv").write_text(PROSPECTS)
    (records / "leads.csv").write_text(LEADS)
    checked = api.check([str(tmp_path / "r.sync")])
    assert api.dry_run_direct(checked, str(records), now=CLOCK, engine="duckdb") is not None
    reference = dry_run(tmp_path, "python", capsys)
    assert reference[0] == 0
    # the reference's signs, written out by hand: p1's -0.0 fires the rule on its new lead,
    # p2's 0 is the same as its lead's -0 (not written: the rule fires on the update);
    # p3's -0 goes into Note__c as "-0"
    assert '"rule": "ZeroText"' in reference[1]
    assert '"Note__c": "-0"' in reference[1]
    assert dry_run(tmp_path, "duckdb", capsys) == reference
