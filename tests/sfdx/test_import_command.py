"""`syncrules import-salesforce DIR [--report [--format json]]` (SPEC §1, issue 11): one
JSON object with an entry per validation rule, paths as given, and exit 1 with each refusal
located when the import refused anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from tests.sfdx.conftest import Tree, field_xml, rule_xml
from tests.sfdx.test_partial_import import PARTIAL

RULES = "sfdx/objects/Lead/validationRules"
MYSTERY = field_xml("    <fullName>Mystery</fullName>")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_report_json_has_one_entry_per_rule(
    tree: Tree, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree(PARTIAL)
    assert main(["import-salesforce", "sfdx", "--report", "--format", "json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)  # exactly one JSON object: json.loads refuses trailing text
    assert data["rules"] == [
        {
            "object": "lead",
            "name": "A_Zone",
            "path": f"{RULES}/A_Zone.validationRule-meta.xml",
            "status": "clean",
        },
        {
            "object": "lead",
            "name": "B_Broken",
            "path": f"{RULES}/B_Broken.validationRule-meta.xml",
            "status": "set_aside",
            "reason": '5:36: SR101 unknown-field: lead has no field "Nope__c"',
        },
        {
            "object": "lead",
            "name": "C_Syntax",
            "path": f"{RULES}/C_Syntax.validationRule-meta.xml",
            "status": "set_aside",
            "reason": '5:47: SR001 syntax-error: in the formula: unexpected ","',
        },
    ]
    assert [p["name"] for p in data["problems"]] == ["global-value-set-missing"]
    assert data["problems"][0]["path"] == "sfdx/objects/Lead/fields/Zone__c.field-meta.xml"


def test_report_text_prints_paths_as_given(
    tree: Tree, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree(PARTIAL)
    assert main(["import-salesforce", "sfdx", "--report"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("import salesforce: sfdx\n")
    assert f"      {RULES}/B_Broken.validationRule-meta.xml:5:36: warning SR410 " in out
    assert str(here) not in out


def test_a_refused_file_exits_1_and_is_listed_with_its_location(
    tree: Tree, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree({"objects/Lead/fields/Mystery.field-meta.xml": MYSTERY})
    assert main(["import-salesforce", "sfdx"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("# Imported from the Salesforce metadata in sfdx\n")
    assert captured.err == (
        "syncrules: refused: sfdx/objects/Lead/fields/Mystery.field-meta.xml:3:15: SR108 "
        'invalid-type: Mystery.field-meta.xml has no <type>, and Lead has no standard field "'
        'Mystery" that syncrules knows\n'
    )
    assert main(["import-salesforce", "sfdx", "--report"]) == 1
    report = capsys.readouterr().out
    assert "refused: 1\n  sfdx/objects/Lead/fields/Mystery.field-meta.xml:3:15: error SR108" in (
        report
    )
    assert main(["import-salesforce", "sfdx", "--report", "--format", "json"]) == 1
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert (problem["line"], problem["col"], problem["severity"]) == (3, 15, "error")


def test_malformed_xml_is_refused(
    tree: Tree, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree({"objects/Lead/validationRules/X.validationRule-meta.xml": "<ValidationRule><oops>"})
    assert main(["import-salesforce", "sfdx"]) == 1
    assert "syncrules: refused: sfdx/objects/Lead/validationRules/X.validationRule-meta.xml:" in (
        capsys.readouterr().err
    )


def test_a_clean_tree_exits_0(tree: Tree, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"objects/Lead/validationRules/Ok.validationRule-meta.xml": rule_xml("Ok", "true")})
    assert main(["import-salesforce", "sfdx"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["import-salesforce", "sfdx", "--report", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["rules"][0]["status"] == "clean"


def test_json_without_report_is_a_usage_error(
    tree: Tree, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree({"objects/Lead/validationRules/Ok.validationRule-meta.xml": rule_xml("Ok", "true")})
    assert main(["import-salesforce", "sfdx", "--format", "json"]) == 2
    assert "add --report" in capsys.readouterr().err


def test_report_json_lists_skipped_objects(
    tree: Tree, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree(
        {
            "objects/Lead/validationRules/Ok.validationRule-meta.xml": rule_xml("Ok", "true"),
            "objects/Case/fields/Origin.field-meta.xml": field_xml("<fullName>Origin</fullName>"),
        }
    )
    assert main(["import-salesforce", "sfdx", "--report", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["problems"], data["skipped_objects"]) == ([], ["Case"])
