"""The Acme Analytics sample org (samples/acme): golden outputs of the commands a RevOps
user runs on it, and checks that its record set keeps covering every outcome of SPEC §3.

Regenerate the goldens with `pytest tests/runtime/test_acme_sample.py --update-goldens`
and review the diff: each golden is what the README promises the sample shows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from tests.conftest import ROOT

GOLDENS = Path(__file__).parent / "goldens"
RULES = "samples/acme/rules"
RULES_NEXT = "samples/acme/rules-next"
RECORDS = "samples/acme/records"
NOW = ["--now", "2026-11-23T12:00:00Z"]
EXPLAINED = "48210012"  # new lead blocked as a duplicate of a Channel lead it cannot see

ACTIONS = {"create_lead", "update", "no_change", "skip", "error"}
# `paused` cannot occur: Acme's connector block says `paused: false`.
SKIP_REASONS = {"crm_deleted", "not_shared", "gated"}
# INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY cannot occur: Acme maps no readonly field
# (Lead.Routing_Key__c is readonly but unmapped), so the connector never writes one.
ERROR_CODES = {
    "REQUIRED_FIELD_MISSING",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    "DUPLICATES_DETECTED",
}
DROP_CODES = {"INVALID_TYPE", "INVALID_PICKLIST_VALUE", "INVALID_EMAIL_ADDRESS", "STRING_TOO_LONG"}
STAGES = {"Engaged", "MQL", "SAL", "SQL", "Customer", "Recycled"}
RECORD_FILES = {
    "accounts.yaml",
    "leads.csv",
    "contacts.json",
    "prospects.yaml",
    "users.yaml",
    "personalization_users.yaml",
    "personalization_accounts.yaml",
    "campaigns.csv",
    "pardot_campaigns.yaml",
}


@pytest.fixture(autouse=True)
def _in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths, as the README's commands use them."""
    monkeypatch.chdir(ROOT)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return out


def _plan(capsys: pytest.CaptureFixture[str], records: str = RECORDS) -> dict[str, Any]:
    plan: dict[str, Any] = json.loads(
        _cli(capsys, "dry-run", RULES, "--records", records, *NOW, "--format", "json")
    )
    return plan


def _by_id(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["prospect"]: r for r in plan["records"]}


def _errors(plan: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {
        r["prospect"]: (r["error_code"], r["rule"])
        for r in plan["records"]
        if r["action"] == "error"
    }


# -- goldens -------------------------------------------------------------------------------


def test_dry_run_json(capsys: pytest.CaptureFixture[str], golden) -> None:  # type: ignore[no-untyped-def]
    out = _cli(capsys, "dry-run", RULES, "--records", RECORDS, *NOW, "--format", "json")
    golden(GOLDENS / "acme.plan.json", out)


def test_dry_run_table(capsys: pytest.CaptureFixture[str], golden) -> None:  # type: ignore[no-untyped-def]
    out = _cli(capsys, "dry-run", RULES, "--records", RECORDS, *NOW)
    golden(GOLDENS / "acme.plan.txt", out)


def test_explain_text(capsys: pytest.CaptureFixture[str], golden) -> None:  # type: ignore[no-untyped-def]
    out = _cli(capsys, "explain", RULES, "--records", RECORDS, *NOW, "--prospect", EXPLAINED)
    golden(GOLDENS / "acme.explain.txt", out)


def test_explain_json(capsys: pytest.CaptureFixture[str], golden) -> None:  # type: ignore[no-untyped-def]
    out = _cli(
        capsys,
        "explain",
        RULES,
        "--records",
        RECORDS,
        *NOW,
        "--prospect",
        EXPLAINED,
        "--format",
        "json",
    )
    golden(GOLDENS / "acme.explain.json", out)


def test_diff_text(capsys: pytest.CaptureFixture[str], golden) -> None:  # type: ignore[no-untyped-def]
    out = _cli(capsys, "diff", RULES, RULES_NEXT, "--records", RECORDS, *NOW)
    golden(GOLDENS / "acme.diff.txt", out)


# -- coverage: the sample keeps showing every outcome ---------------------------------------


def test_plan_covers_every_action_reason_and_code(capsys: pytest.CaptureFixture[str]) -> None:
    plan = _plan(capsys)
    records = plan["records"]
    assert {r["action"] for r in records} == ACTIONS
    assert {r["reason"] for r in records if r["action"] == "skip"} == SKIP_REASONS
    assert {r["error_code"] for r in records if r["action"] == "error"} == ERROR_CODES
    assert {d["code"] for r in records for d in r.get("dropped", [])} == DROP_CODES
    assert {s for r in records for s in r["stages"]} == STAGES
    assert {r["matched_by"] for r in records if "matched_by" in r} == {"crm_id", "email"}
    assert 30 <= plan["summary"]["prospects"] <= 45
    assert "formula_errors" not in plan


def test_pinned_interactions_are_in_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's table names these prospects; keep the two in step."""
    plan = _plan(capsys)
    r = _by_id(plan)
    # a new lead blocked by the duplicate rule through a lead the sharing rule hides
    assert (r["48210012"]["error_code"], "target" in r["48210012"]) == (
        "DUPLICATES_DETECTED",
        False,
    )
    # a dropped value leaves a field blank and a validation rule fires
    assert r["48210013"]["dropped"][0]["code"] == "INVALID_EMAIL_ADDRESS"
    assert r["48210013"]["rule"] == "Lead_Email_Or_Phone_Required"
    # a dropped last name leaves a required field blank
    assert r["48210011"]["dropped"][0] == {
        "field": "LastName",
        "code": "STRING_TOO_LONG",
        "value": "Featherstone-Villanueva | Head of Data Platform Engineering, EMEA & APAC | "
        "Granite Mutual",
    }
    assert r["48210011"]["error_code"] == "REQUIRED_FIELD_MISSING"
    # an update rejected by a rule on a field it does not write
    assert r["48210015"]["rule"] == "Lead_Disqualified_Reason_Required"
    assert r["48210016"]["rule"] == "Contact_Mailing_Country_Required"
    # two rules fail: the first declared is reported, both are listed
    assert [e["rule"] for e in r["48210017"]["errors"]] == [
        "Lead_Phone_Format",
        "Lead_US_Postal_Code",
    ]
    # most_recent tie: Salesforce wins
    assert (r["48210025"]["to_salesforce"], r["48210025"]["to_pardot"]) == (
        {},
        {"product_interest": "Insights"},
    )
    # CRM ids naming invisible records
    assert r["48210009"]["reason"] == "not_shared"
    # business units: 48210010 is in Channel, whose sharing admits the partner-managed
    # contact that Direct's never does; the plan lists Direct's prospects first
    assert (r["48210010"]["business_unit"], r["48210010"]["target"]["id"]) == (
        "Channel",
        "003Dn00000C3001",
    )
    assert [u["name"] for u in plan["business_units"]] == ["Direct", "Channel"]
    assert plan["records"][-1]["prospect"] == "48210010"
    # email matching: capitals, contact over lead, latest LastModifiedDate, smallest Id,
    # invisible contact passed over, stale CRM id falls back to email
    email = {
        p: (r[p]["target"]["id"], r[p]["matched_by"])
        for p in ("48210021", "48210022", "48210023", "48210024", "48210036", "48210038")
    }
    assert email == {
        "48210021": ("00QDn00000B2007", "email"),
        "48210022": ("003Dn00000C3004", "email"),
        "48210023": ("00QDn00000B2010", "email"),
        "48210024": ("003Dn00000C3005", "email"),
        "48210036": ("00QDn00000B2018", "email"),
        "48210038": ("00QDn00000B2022", "email"),
    }
    # the connector's own state (SPEC §3.2, §3.3): a lead in the recycle bin, a prospect
    # Account Engagement already flagged, and a converted lead followed to its contact
    assert r["48210039"]["reason"] == r["48210040"]["reason"] == "crm_deleted"
    # a lead merged into one 48210023 already syncs with: flagged, never both synced
    assert r["48210041"]["reason"] == "crm_deleted"
    assert (r["48210033"]["target"], r["48210033"]["matched_by"]) == (
        {"object": "contact", "id": "003Dn00000C3010"},
        "crm_id",
    )


def test_prospects_from_salesforce_in_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    """create_prospects: true gives the one visible contact and the one person account
    without a prospect their own; the deleted lead, the converted leads and the Channel
    team's hidden contacts get none."""
    plan = _plan(capsys)
    assert plan["summary"]["create_prospect"] == 2
    assert [(n["source"], n["to_pardot"]["email"]) for n in plan["prospects_from_salesforce"]] == [
        ({"object": "contact", "id": "003Dn00000C3014"}, "grace.okafor@orbitpay.example"),
        ({"object": "contact", "id": "003Dn00000C3102"}, "ravi.menon@postbox.example"),
    ]


def test_a_lead_converted_to_a_person_account_in_the_sample(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """48210042's lead was converted to Sofia's person account (accounts.yaml): with
    person_accounts: true the prospect follows it to the account's contact, and the
    managed package's score lands in pi__score__pc on the account."""
    r = {e["prospect"]: e for e in _plan(capsys)["records"]}["48210042"]
    assert (r["action"], r["target"], r["matched_by"]) == (
        "update",
        {"object": "contact", "id": "003Dn00000C3101"},
        "crm_id",
    )
    assert r["to_salesforce"] == {"pi__score__c": 88, "pi__grade__c": "B"}
    assert r["to_pardot"] == {"job_title": "Independent Consultant"}
    assert "Customer" in r["stages"]  # Customer_Status__pc: Active on the account


# -- run, then run again ---------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], out: Path) -> None:
    _cli(capsys, "run", RULES, "--records", RECORDS, *NOW, "--out", str(out))


def test_run_writes_the_record_set_in_its_layout_and_the_error_queue(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _run(capsys, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == RECORD_FILES | {"error_queue.json"}
    queue = json.loads((tmp_path / "error_queue.json").read_text(encoding="utf-8"))
    plan = _plan(capsys)
    # every failure of every error, the first (reported) one first
    assert [(e["prospect"], e["error_code"], e["rule"]) for e in queue["errors"]] == [
        (r["prospect"], f["error_code"], f["rule"])
        for r in plan["records"]
        if r["action"] == "error"
        for f in r["errors"]
    ]
    # the Data Loader export's extra columns come back as they were
    header = (tmp_path / "leads.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"CreatedDate", "IsConverted", "ConvertedContactId", "Routing_Key__c"} <= set(header)


def test_a_second_cycle_only_repeats_the_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _run(capsys, out)
    again = tmp_path / "again"
    again.mkdir()
    for name in RECORD_FILES:
        shutil.copy(out / name, again / name)
    first, second = _plan(capsys), _plan(capsys, str(again))
    assert {r["action"] for r in second["records"]} <= {"no_change", "skip", "error"}
    assert _errors(second) == _errors(first)
    # the prospect created from Salesforce is there now, linked: nothing more to create
    assert second["summary"]["create_prospect"] == 0
    r = _by_id(second)
    assert r["sf-contact-003Dn00000C3014"]["action"] == "no_change"
    assert {r[p]["reason"] for p in ("48210039", "48210040", "48210041")} == {"crm_deleted"}


def test_the_run_output_directory_reads_back_as_a_record_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _run(capsys, tmp_path)
    assert main(["dry-run", RULES, "--records", str(tmp_path), *NOW]) == 0
