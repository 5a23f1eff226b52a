"""New leads numbered past the Ids existing leads hold, as runtime/cycle.py numbers them:
the bulk engines no longer decline a record set holding a `00QSR…` lead (one an earlier
business unit created, or an earlier run wrote back), and business units hand each unit's
engine the org with its real Ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import api
from engine.bulk.duck import LeadIds
from engine.cli import main
from engine.records.model import Origin, Record
from engine.render import plan_json
from tests.runtime.helpers import NOW, records_of, rules_of

RULES = """
object prospect { email: email  name: text(40) }
object lead { Email: email  LastName: text(40) required }
field email { lead: Email sync: salesforce }
field name { lead: LastName sync: pardot }
stage Any when email <> ""
create lead when Any
validation Number on lead { error_if: VALUE(LastName) > 1 message: "v" }
"""
RECORDS = """
leads:
  - {Id: 00QSR0000000001, Email: old@x.io, LastName: Old}
  - {Id: 00QSR0000000003, Email: old3@x.io, LastName: Three}
prospects:
  - {id: p1, email: a@x.io, name: Ann}
  - {id: p2, email: b@x.io, name: ""}
  - {id: p3, email: c@x.io, name: Cy}
  - {id: p4, email: c@x.io, name: Cyd}
  - {id: p5, email: e@x.io, name: Eve}
  - {id: p6, email: old@x.io, name: Olga, crm_lead_fid: 00QSR0000000001}
"""


def lead(lead_id: str) -> Record:
    return Record("lead", lead_id, {}, {}, Origin("l.yaml", 0))


def test_the_kth_new_lead_takes_the_kth_number_no_lead_holds() -> None:
    ids = LeadIds.of([lead("00QSR0000000001"), lead("00QSR0000000003"), lead("00Q5")])
    assert [ids.nth(k)[-2:] for k in (1, 2, 3)] == ["02", "04", "05"]
    assert LeadIds.of([lead("00QSR000000000001")]).nth(1) == "00QSR0000000001"  # not a number


@pytest.mark.parametrize("engine", ["duckdb"])
def test_new_leads_are_numbered_past_existing_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    (tmp_path / "r.sync").write_text(RULES)
    (tmp_path / "records.yaml").write_text(RECORDS)
    args = [str(tmp_path / "r.sync"), "--records", str(tmp_path / "records.yaml")]
    outputs = {}
    for name in ("python", engine):
        code = main(["dry-run", *args, "--now", "2026-11-30T12:00:00Z", "--engine", name,
                     "--format", "json"])  # fmt: skip
        outputs[name] = (code, capsys.readouterr())
    assert outputs[engine][0] == 0
    assert outputs[engine][1].err == ""  # run, not declined
    assert outputs[engine][1].out == outputs["python"][1].out
    # written out by hand: 00QSR…1 and …3 are held, p2's create fails (no LastName) and
    # takes none, p4 updates p3's new lead; the validation's failure names each new lead
    records = {r["prospect"]: r for r in json.loads(outputs["python"][1].out)["records"]}
    created = {p: records[p]["formula_errors"][0]["record"] for p in ("p1", "p3", "p5")}
    assert created == {"p1": "00QSR0000000002", "p3": "00QSR0000000004", "p5": "00QSR0000000005"}
    assert records["p4"]["target"]["id"] == "00QSR0000000004"
    assert records["p6"]["target"]["id"] == "00QSR0000000001"
    # explain on DuckDB's hand-off numbers the prospect's new lead as the plan does
    explained = []
    for name in ("python", engine):
        main(["explain", *args, "--now", "2026-11-30T12:00:00Z", "--prospect", "p5",
              "--engine", name])  # fmt: skip
        explained.append(capsys.readouterr().out)
    assert explained[0] == explained[1]
    assert "00QSR0000000005" in explained[0]


UNITS = """
object lead { Region__c: text(20) }
validation Number on lead { error_if: VALUE(LastName) > 1 message: "v" }
business_unit Americas {}
business_unit EMEA {}
"""
UNIT_RECORDS = """
users: [{Id: 005A, Name: Dana, active: true}]
prospects:
  - {id: a1, email: new@example.com, last_name: New, company: N, assigned_user: 005A}
  - {id: e1, email: eve@example.com, last_name: Eve, company: E, business_unit: EMEA,
     assigned_user: 005A}
leads: []
"""


def test_a_later_units_new_lead_and_its_failures_name_its_real_id(tmp_path: Path) -> None:
    rules = rules_of(UNITS)
    loaded = records_of(tmp_path, rules, UNIT_RECORDS)
    reference = plan_json.render(api.dry_run(rules, loaded, now=NOW, engine="python"))
    assert plan_json.render(api.dry_run(rules, loaded, now=NOW, engine="duckdb")) == reference
    # EMEA's lead is the org's second: the formula failure names it so (the stand-in Ids
    # the units once handed the engines left it "00QSR0000000001", Americas' lead's Id)
    emea = json.loads(reference)["records"][1]
    assert (emea["prospect"], emea["formula_errors"][0]["record"]) == ("e1", "00QSR0000000002")
