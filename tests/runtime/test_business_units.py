"""Business units (issue 12, docs/design.md): one cycle per unit, in declaration order, each
over its own prospects and the Salesforce records its sharing admits, with its own
connector settings; the units run one after another, each seeing the org as the units
before it left it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import api
from engine.files import InputError
from engine.render import plan_json, plan_table
from tests.runtime.helpers import NOW, records_of, rules_of

UNITS = """
object lead { Region__c: text(20) }
object contact { Region__c: text(20) }
share lead when Region__c = "AMER"
share contact when Region__c = "AMER"

business_unit Americas {}

business_unit EMEA {
    connector { match: crm_id }
    share lead when Region__c = "EMEA"
    share contact when Region__c = "EMEA"
}
"""

RECORDS = """
users: [{Id: 005A, Name: Dana, active: true}]
prospects:
  - {id: p1, email: ada@example.com, first_name: Ada, business_unit: Americas}
  - {id: p2, email: bob@example.com, first_name: Bob, business_unit: EMEA, crm_lead_fid: 00Q2}
  - {id: p3, email: cy@example.com, last_name: C, company: X, assigned_user: 005A}
  - {id: p4, email: eve@example.com, first_name: Eve, business_unit: EMEA}
leads:
  - {Id: 00Q1, Email: ada@example.com, LastName: Lovelace, Company: A, Region__c: AMER}
  - {Id: 00Q2, Email: bob@example.com, LastName: Builder, Company: B, Region__c: EMEA}
  - {Id: 00Q3, Email: eve@example.com, LastName: Eve, Company: E, Region__c: EMEA}
contacts:
  - {Id: 003A, Email: zed@example.com, LastName: Zed, Region__c: EMEA}
"""


def _plan(tmp_path: Path, rules_text: str = UNITS, records: str = RECORDS) -> dict[str, Any]:
    rules = rules_of(rules_text)
    loaded = records_of(tmp_path, rules, records)
    reference = plan_json.render(api.dry_run(rules, loaded, now=NOW, engine="python"))
    # every scenario gives the same plan on DuckDB, unit after unit
    assert plan_json.render(api.dry_run(rules, loaded, now=NOW, engine="duckdb")) == reference
    data: dict[str, Any] = json.loads(reference)
    return data


def _brief(data: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    return [
        (r["prospect"], r["business_unit"], r["action"], (r.get("target") or {}).get("id"))
        for r in data["records"]
    ]


def test_each_unit_runs_its_prospects_with_its_sharing_and_connector(tmp_path: Path) -> None:
    data = _plan(tmp_path)
    # units in declaration order, prospects in id order within each; a blank unit is the
    # first declared one (p3)
    assert _brief(data) == [
        ("p1", "Americas", "update", "00Q1"),  # Americas sees AMER leads, matches by email
        ("p3", "Americas", "create_lead", None),
        ("p2", "EMEA", "update", "00Q2"),  # EMEA sees EMEA leads, by CRM id
        # EMEA matches by crm_id only: p4 is not matched to 00Q3 by its email, and the
        # default gate (assigned) holds it back
        ("p4", "EMEA", "skip", None),
    ]
    assert data["records"][3]["reason"] == "gated"
    # EMEA (match: crm_id) creates prospects for the EMEA records no EMEA prospect has
    assert [(n["source"]["id"], n["business_unit"]) for n in data["prospects_from_salesforce"]] == [
        ("003A", "EMEA"),
        ("00Q3", "EMEA"),
    ]
    assert data["business_units"] == [
        {"name": "Americas", "summary": {
            "prospects": 2, "create_lead": 1, "update": 1, "no_change": 0, "skip": 0,
            "error": 0, "create_prospect": 0}},
        {"name": "EMEA", "summary": {
            "prospects": 2, "create_lead": 0, "update": 1, "no_change": 0, "skip": 1,
            "error": 0, "create_prospect": 2}},
    ]  # fmt: skip
    assert data["summary"]["prospects"] == 4
    assert data["business_unit_overlaps"] == []


OVERLAP = """
object lead { Region__c: text(20) }

business_unit Americas {}

business_unit EMEA {
    share lead when Region__c = "EMEA"
}
"""


def test_a_later_unit_sees_the_earlier_units_writes_and_the_overlap_is_listed(
    tmp_path: Path,
) -> None:
    # Americas has no sharing rule (it sees every lead); EMEA sees EMEA leads. Both have a
    # prospect on 00Q1: Americas writes first, EMEA resolves against what it wrote
    records = """
    prospects:
      - {id: a1, email: ada@example.com, first_name: Ada, crm_lead_fid: 00Q1}
      - {id: e1, email: ada@example.com, first_name: Adela, business_unit: EMEA,
         crm_lead_fid: 00Q1}
    leads:
      - {Id: 00Q1, Email: ada@example.com, LastName: Lovelace, Company: A, Region__c: EMEA}
    """
    data = _plan(tmp_path, OVERLAP, records)
    a1, e1 = data["records"]
    assert a1["to_salesforce"] == {"FirstName": "Ada"}
    # sync: salesforce: the value Americas wrote is Salesforce's now, so EMEA's prospect
    # takes it rather than writing its own
    assert e1["action"] == "update"
    assert e1["to_salesforce"] == {}
    assert e1["to_pardot"] == {"first_name": "Ada", "last_name": "Lovelace", "company": "A"}
    assert data["business_unit_overlaps"] == [
        {"target": {"object": "lead", "id": "00Q1"}, "units": ["Americas", "EMEA"],
         "prospects": ["a1", "e1"]}
    ]  # fmt: skip


def test_a_lead_created_by_one_unit_is_matched_by_a_later_unit(tmp_path: Path) -> None:
    records = """
    users: [{Id: 005A, Name: Dana, active: true}]
    prospects:
      - {id: a1, email: new@example.com, last_name: New, company: N, assigned_user: 005A}
      - {id: e1, email: NEW@example.com, first_name: Nia, business_unit: EMEA}
    leads: []
    """
    rules = OVERLAP.replace('share lead when Region__c = "EMEA"', "")  # EMEA sees every lead
    data = _plan(tmp_path, rules, records)
    a1, e1 = data["records"]
    assert a1["action"] == "create_lead"
    assert (e1["action"], e1["target"], e1["matched_by"]) == (
        "update",
        {"object": "lead", "id": "00QSR0000000001"},
        "email",
    )
    assert data["business_unit_overlaps"][0]["prospects"] == ["a1", "e1"]


def test_run_applies_the_units_in_order_and_a_second_cycle_changes_nothing(
    tmp_path: Path,
) -> None:
    rules = rules_of(UNITS)
    path = tmp_path / "records.yaml"
    path.write_text(RECORDS, encoding="utf-8")
    api.run(rules, api.load_records(str(path), rules), str(tmp_path / "out"), now=NOW)
    written = (tmp_path / "out" / "records.yaml").read_text("utf-8")
    assert "id: sf-contact-003A" in written
    again = api.load_records(str(tmp_path / "out" / "records.yaml"), rules)
    # the new prospects stay in the unit that created them
    made = {p.id: p.raw.get("business_unit") for p in again.prospects}
    assert made["sf-contact-003A"] == "EMEA"
    assert made["sf-lead-00Q3"] == "EMEA"
    data = plan_json.as_dict(api.dry_run(rules, again, now=NOW, engine="python"))
    assert {r["action"] for r in data["records"]} <= {"no_change", "skip"}
    assert data["prospects_from_salesforce"] == []


def test_new_prospect_ids_are_unique_across_units(tmp_path: Path) -> None:
    # both units see lead 00Q9 and have no prospect on it: each creates one
    records = """
    prospects: []
    leads:
      - {Id: 00Q9, Email: solo@example.com, LastName: Solo, Company: S, Region__c: EMEA}
    """
    rules = OVERLAP.replace("business_unit Americas {}", "connector { create_prospects: true }")
    rules += "business_unit Americas {}\n"
    checked = rules_of(rules)
    loaded = records_of(tmp_path, checked, records)
    plan = api.dry_run(checked, loaded, now=NOW, engine="python")
    assert [(n.business_unit, n.id) for n in plan.from_salesforce] == [
        ("EMEA", "sf-lead-00Q9"),
        ("Americas", "sf-lead-00Q9-2"),
    ]
    assert [o.units for o in plan.overlaps] == [("EMEA", "Americas")]


def test_a_prospect_naming_an_undeclared_unit_is_a_located_input_error(tmp_path: Path) -> None:
    rules = rules_of(UNITS)
    loaded = records_of(
        tmp_path, rules, RECORDS.replace("business_unit: EMEA, crm", "business_unit: APAC, crm")
    )
    with pytest.raises(InputError) as raised:
        api.dry_run(rules, loaded, now=NOW, engine="python")
    assert str(raised.value) == (
        f"{tmp_path / 'records.yaml'}:5: record p2: field business_unit: no business unit "
        "'APAC' is declared (business units: Americas, EMEA)"
    )


def test_without_units_the_column_is_an_extra_one_and_the_plan_is_unchanged(
    tmp_path: Path,
) -> None:
    plain = "object lead { Region__c: text(20) }\n"
    rules = rules_of(plain)
    with_column = records_of(tmp_path, rules, RECORDS)
    (tmp_path / "b").mkdir()
    without = records_of(
        tmp_path / "b",
        rules,
        RECORDS.replace("business_unit: EMEA, ", "").replace(", business_unit: Americas", ""),
    )
    first = api.dry_run(rules, with_column, now=NOW, engine="python")
    second = api.dry_run(rules, without, now=NOW, engine="python")
    assert plan_json.render(first) == plan_json.render(second)
    assert "business_unit" not in plan_json.render(first)
    assert "BUSINESS UNIT" not in plan_table.render(first)


def test_the_table_groups_by_unit(tmp_path: Path) -> None:
    rules = rules_of(UNITS)
    plan = api.dry_run(rules, records_of(tmp_path, rules, RECORDS), now=NOW, engine="python")
    table = plan_table.render(plan)
    assert table.split("\n")[:2] == [
        "4 prospects: 1 create_lead, 2 update, 1 skip",
        "  from Salesforce: 2 create_prospect",
    ]
    americas = table.index("BUSINESS UNIT Americas")
    emea = table.index("BUSINESS UNIT EMEA")
    assert americas < table.index("p1 ") < table.index("p3 ") < emea < table.index("p2 ")
    assert table.index("contact 003A -> sf-contact-003A") > emea


def test_explain_runs_the_prospects_unit_after_the_earlier_ones(tmp_path: Path) -> None:
    rules = rules_of(UNITS)
    loaded = records_of(tmp_path, rules, RECORDS)
    found = api.explain(rules, loaded, "p4", now=NOW)
    assert found.outcome.business_unit == "EMEA"
    assert found.steps[0].step == "business unit"
    assert found.steps[0].summary.startswith("EMEA: ")
    record = api.explain_record(rules, loaded, "lead", "00Q3", now=NOW)
    assert record.verdict == "create_prospect"
    assert [s.step for s in record.steps if s.step.startswith("business unit")] == [
        "business unit Americas",
        "business unit EMEA",
    ]


# Spark on the worker that runs tests/bulk/test_spark.py: one JVM per run (pyproject)
@pytest.mark.parametrize(
    "engine", ["duckdb", pytest.param("spark", marks=pytest.mark.xdist_group("spark"))]
)
def test_every_engine_gives_the_python_plan_for_two_units(tmp_path: Path, engine: str) -> None:
    if engine == "spark":
        from tests.bulk.test_spark import READY

        if not READY:
            pytest.skip("needs pyspark and java")
    rules = rules_of(UNITS)
    loaded = records_of(tmp_path, rules, RECORDS)
    reference = api.dry_run(rules, loaded, now=NOW, engine="python")
    bulk = api.dry_run(rules, loaded, now=NOW, engine=engine)
    assert plan_json.render(bulk) == plan_json.render(reference)
    assert plan_table.render(bulk) == plan_table.render(reference)
    assert json.loads(plan_json.render(bulk))["business_units"][1]["name"] == "EMEA"


def test_the_html_report_lists_each_unit_and_the_overlaps(tmp_path: Path) -> None:
    from engine.render import report

    records = """
    prospects:
      - {id: a1, email: ada@example.com, first_name: Ada, crm_lead_fid: 00Q1}
      - {id: e1, email: ada@example.com, first_name: Adela, business_unit: EMEA,
         crm_lead_fid: 00Q1}
    leads:
      - {Id: 00Q1, Email: ada@example.com, LastName: Lovelace, Company: A, Region__c: EMEA}
    """
    rules = rules_of(OVERLAP)
    plan = api.dry_run(rules, records_of(tmp_path, rules, records), now=NOW, engine="python")
    page = report.render(plan)
    units = page[page.index('id="business-units"') : page.index("<h2>The cycle</h2>")]
    assert "<tr><td>Americas</td><td>1</td><td>0</td><td>1</td>" in units
    assert "<tr><td>EMEA</td><td>1</td><td>0</td><td>1</td>" in units
    assert "<tr><td>lead 00Q1</td><td>Americas, EMEA</td><td>a1, e1</td></tr>" in units
    assert 'id="business-units"' not in report.render(
        api.dry_run(
            rules_of(""), records_of(tmp_path, rules_of(""), records), now=NOW, engine="python"
        )
    )


def test_diff_says_when_a_prospect_moves_to_another_unit(tmp_path: Path) -> None:
    from engine.render import diff as diff_text

    records = tmp_path / "records.yaml"
    records.write_text(
        "prospects:\n  - {id: p1, email: ada@example.com, business_unit: EMEA}\nleads: []\n",
        encoding="utf-8",
    )
    old = rules_of("business_unit Americas {}\nbusiness_unit EMEA {}\n")
    new = rules_of("business_unit EMEA {}\nbusiness_unit Americas {}\n")
    changes, compared = api.diff(old, new, str(records), now=NOW, engine="python")
    assert [c.what for c in changes] == []  # p1 stays in EMEA: same outcome
    renamed = rules_of("business_unit Americas {}\nbusiness_unit EMEA2 {}\n")
    with pytest.raises(InputError):  # EMEA is no unit of the new version
        api.diff(old, renamed, str(records), now=NOW, engine="python")
    moved = tmp_path / "moved.yaml"
    moved.write_text(records.read_text("utf-8").replace(", business_unit: EMEA", ""), "utf-8")
    first = rules_of("business_unit Americas {}\nbusiness_unit EMEA {}\n")
    second = rules_of("business_unit EMEA {}\nbusiness_unit Americas {}\n")
    changes, compared = api.diff(first, second, str(moved), now=NOW, engine="python")
    assert [c.what for c in changes] == [("business_unit",)]
    assert "business unit: Americas ⇒ EMEA" in diff_text.text(changes, compared)


def test_parquet_gains_a_business_unit_column_only_with_units(tmp_path: Path) -> None:
    import importlib

    from engine.render import plan_parquet

    pq: Any = importlib.import_module("pyarrow.parquet")  # by name: pyarrow has no stubs

    rules = rules_of(UNITS)
    plan = api.dry_run(rules, records_of(tmp_path, rules, RECORDS), now=NOW, engine="python")
    plan_parquet.write(plan, str(tmp_path / "units.parquet"))
    table = pq.read_table(tmp_path / "units.parquet")
    assert table.column("business_unit").to_pylist() == [
        "Americas", "Americas", "EMEA", "EMEA", "EMEA", "EMEA",
    ]  # fmt: skip
    plain = rules_of("object lead { Region__c: text(20) }")
    (tmp_path / "b").mkdir()
    flat = api.dry_run(plain, records_of(tmp_path / "b", plain, RECORDS), now=NOW, engine="python")
    plan_parquet.write(flat, str(tmp_path / "plain.parquet"))
    assert "business_unit" not in pq.read_table(tmp_path / "plain.parquet").column_names
