"""An org retrieved in part (SPEC §1, issue 11): a picklist whose global value set is not in
the tree accepts any value, and an imported validation rule that does not parse or check is
set aside. Neither is an error: `check` is silent and exits 0; `lint` reports each at its
metadata file and line and exits 1 unless silenced."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine import api
from engine.cli import main
from tests.sfdx.conftest import HEAD, NS, Tree, field_xml, rule_xml

ZONE = field_xml(
    "    <fullName>Zone__c</fullName>\n    <type>Picklist</type>\n"
    "    <valueSet><valueSetName>Zones</valueSetName></valueSet>"
)
PARTIAL = {
    "objects/Lead/fields/Zone__c.field-meta.xml": ZONE,
    "objects/Lead/validationRules/A_Zone.validationRule-meta.xml": rule_xml(
        "A_Zone", "ISPICKVAL(Zone__c, &quot;Mars&quot;)"
    ),
    "objects/Lead/validationRules/B_Broken.validationRule-meta.xml": rule_xml(
        "B_Broken", "ISBLANK(Nope__c) &amp;&amp; Gone__c"
    ),
    "objects/Lead/validationRules/C_Syntax.validationRule-meta.xml": rule_xml(
        "C_Syntax", "AND(ISBLANK(Email),, true)"
    ),
}
ZONE_PATH = "sfdx/objects/Lead/fields/Zone__c.field-meta.xml"
BROKEN_PATH = "sfdx/objects/Lead/validationRules/B_Broken.validationRule-meta.xml"
SYNTAX_PATH = "sfdx/objects/Lead/validationRules/C_Syntax.validationRule-meta.xml"


@pytest.fixture
def org(tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """rules/org.sync importing ../sfdx, with the working directory at tmp_path."""
    tree(PARTIAL)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "org.sync").write_text('import salesforce "../sfdx"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_is_silent_and_exits_0(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "rules"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "no problems found\n"
    assert captured.err == ""


def test_check_json_lists_nothing(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "rules", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["diagnostics"] == []


def test_lint_reports_each_at_its_metadata_file_and_line(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "rules", "--format", "json"]) == 1
    found = [
        (d["path"], d["line"], d["code"], d["name"])
        for d in json.loads(capsys.readouterr().out)["diagnostics"]
        if d["name"] != "validation-unfixable"  # A_Zone reads a field no mapping writes
    ]
    assert found == [
        (ZONE_PATH.replace("/", os.sep), 5, "SR110", "global-value-set-missing"),
        (BROKEN_PATH.replace("/", os.sep), 5, "SR410", "imported-rule-set-aside"),
        (SYNTAX_PATH.replace("/", os.sep), 5, "SR410", "imported-rule-set-aside"),
    ]


def test_lint_text_names_the_rule_and_every_reason(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["lint", "rules"])
    out = capsys.readouterr().out
    assert (
        f"{BROKEN_PATH}:5:36: warning SR410 imported-rule-set-aside: validation rule B_Broken "
        'is set aside, it never fires: lead has no field "Nope__c"\n'
    ) in out
    assert f'  = SR101 unknown-field: lead has no field "Gone__c": {BROKEN_PATH}:5:56\n' in out
    assert (
        f'{ZONE_PATH}:5:29: warning SR110 global-value-set-missing: the global value set "Zones" '
        "is not in the imported tree: Lead.Zone__c accepts any value\n"
    ) in out


def test_lint_exits_0_when_configuration_silences_them(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (org / ".syncrules.toml").write_text(
        'ignore = ["imported-rule-set-aside", "SR110", "validation-unfixable"]\n', "utf-8"
    )
    assert main(["lint", "rules"]) == 0
    assert "SR410" not in capsys.readouterr().out


def test_set_aside_rules_never_fire_and_the_open_picklist_takes_any_value(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (org / "rules" / "org.sync").write_text(
        'import salesforce "../sfdx"\ncreate lead when true\n'
        "field zone { lead: Zone__c }\nfield name { lead: LastName }\nfield co { lead: Company }\n",
        "utf-8",
    )
    (org / "records.yaml").write_text(
        "users: []\n"
        "prospects:\n"
        "  - {id: p1, email: a@example.com, zone: Venus, name: A, co: A}\n"
        "  - {id: p2, email: b@example.com, zone: Mars, name: B, co: B}\n"
        "leads:\n"
        "  - {Id: 00Q1, Email: c@example.com, LastName: C, Company: C, Zone__c: Jupiter}\n",
        "utf-8",
    )
    (org / "rules" / "prospect.sync").write_text(
        "object prospect { zone: text(20) name: text(20) co: text(20) }\n", "utf-8"
    )
    assert main(["dry-run", "rules", "--records", "records.yaml", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)["records"]
    by_id = {r["prospect"]: r for r in records}
    # Venus is no value the tree lists (it lists none): written, not dropped
    assert by_id["p1"]["action"] == "create_lead"
    assert by_id["p1"]["to_salesforce"]["Zone__c"] == "Venus"
    assert by_id["p1"]["dropped"] == []
    # A_Zone (Mars) is clean and fires; the set-aside rules never do
    assert (by_id["p2"]["action"], by_id["p2"]["rule"]) == ("error", "A_Zone")


def test_api_keeps_them_out_of_check_diagnostics(org: Path) -> None:
    rules = api.check(["rules"])
    assert rules.diagnostics == ()
    assert [d.code for d in rules.import_findings] == ["SR110", "SR410", "SR410"]
    assert [v.name for v in rules.validations] == ["A_Zone"]


def test_a_rule_with_no_formula_is_set_aside_too(tree: Tree) -> None:
    root = tree(
        {
            "objects/Lead/validationRules/Empty.validationRule-meta.xml": f"{HEAD}"
            f"<ValidationRule {NS}>\n    <fullName>Empty</fullName>\n"
            "    <errorMessage>x</errorMessage>\n</ValidationRule>\n"
        }
    )
    rules = api.check_text(f'import salesforce "{root}"\n', "r.sync")
    assert rules.diagnostics == ()
    (finding,) = rules.import_findings
    assert finding.message == (
        "validation rule Empty is set aside, it never fires: "
        "validation rule Empty has no errorConditionFormula"
    )


def test_every_engine_lets_the_open_picklist_take_any_value(
    org: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SQL engines' type fit reads an open picklist as the reference does: a value its
    (missing) global value set would hold is written, never dropped as
    INVALID_PICKLIST_VALUE."""
    (org / "rules" / "org.sync").write_text(
        'import salesforce "../sfdx"\ncreate lead when true\n'
        "field zone { lead: Zone__c }\nfield name { lead: LastName }\nfield co { lead: Company }\n",
        "utf-8",
    )
    (org / "rules" / "prospect.sync").write_text(
        "object prospect { zone: text(20) name: text(20) co: text(20) }\n", "utf-8"
    )
    (org / "records.yaml").write_text(
        "users: []\nprospects:\n  - {id: p1, email: a@example.com, zone: Venus, name: A, co: A}\n"
        "leads: []\n",
        "utf-8",
    )
    plans = []
    for engine in ("python", "duckdb"):
        args = ["dry-run", "rules", "--records", "records.yaml", "--format", "json"]
        assert main([*args, "--engine", engine]) == 0
        plans.append(capsys.readouterr().out)
    assert plans[0] == plans[1]
    assert json.loads(plans[1])["records"][0]["to_salesforce"]["Zone__c"] == "Venus"
