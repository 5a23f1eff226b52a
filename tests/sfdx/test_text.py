"""`import-salesforce DIR` text and `--report`: pure functions over a tree."""

from __future__ import annotations

from pathlib import Path

from engine import api
from engine.import_report import Status, analyse, report
from engine.import_text import declarations_text
from tests.sfdx.conftest import Tree, field_xml, rule_xml
from tests.sfdx.test_import import REGION

FILES = {
    "objects/Lead/fields/Region__c.field-meta.xml": REGION,
    "objects/Lead/validationRules/A_Region.validationRule-meta.xml": rule_xml(
        "A_Region",
        "NOT ISBLANK(Country) &amp;&amp;\n  ISPICKVAL(Region__c, &quot;&quot;)",
        "Pick a &quot;region&quot;.",
        "    <errorDisplayField>Region__c</errorDisplayField>\n",
    ),
    "objects/Lead/validationRules/B_Profile.validationRule-meta.xml": rule_xml(
        "B_Profile",
        "$Profile.Name &lt;&gt; &apos;Admin&apos; &amp;&amp; Owner:User.IsActive",
        active="false",
    ),
    "objects/Lead/validationRules/C_Broken.validationRule-meta.xml": rule_xml(
        "C_Broken", "ISBLANK(Nope__c)"
    ),
    "objects/Case/fields/Origin.field-meta.xml": field_xml("<fullName>Origin</fullName>"),
}


def test_declarations_text_is_a_rule_file_that_checks(tree: Tree, tmp_path: Path) -> None:
    root = tree(FILES)
    text = declarations_text(str(root))
    assert '    Region__c: picklist("EMEA", "AMER")\n' in text
    assert "# Skipped (syncrules does not model them): Case\n" in text
    assert (
        "validation A_Region on lead {\n"
        "    error_if: ! ISBLANK(Country) &&\n"
        '        ISPICKVAL(Region__c, "")\n'
        '    message: "Pick a \\"region\\"."\n'
        "    field: Region__c\n"
        "}\n"
    ) in text
    assert "    error_if: $Profile.Name <> 'Admin' && Owner.IsActive\n" in text
    assert "    active: false\n" in text
    assert "# validation C_Broken on lead is set aside: " in text
    assert "#     ISBLANK(Nope__c)\n" in text
    vendored = tmp_path / "vendored.sync"
    vendored.write_text(text, encoding="utf-8")
    rules = api.check([str(vendored)])
    assert rules.diagnostics == ()
    assert [v.name for v in rules.validations] == ["A_Region", "B_Profile"]


def test_analyse_sorts_rules_by_fate(tree: Tree) -> None:
    result = analyse(str(tree(FILES)))
    fate = {r.rule.name: (r.status, r.needs) for r in result.rules}
    assert fate == {
        "A_Region": (Status.EVALUATES, ()),
        "B_Profile": (Status.NEEDS_DATA, ("$Profile.Name", "Owner.IsActive")),
        "C_Broken": (Status.SET_ASIDE, ()),
    }
    assert result.clean == 2


def test_report_text(tree: Tree) -> None:
    root = tree(FILES)
    text = report(str(root))
    broken = root / "objects/Lead/validationRules/C_Broken.validationRule-meta.xml"
    assert text == (
        f"import salesforce: {root}\n"
        "objects: lead (1 field, 3 rules)\n"
        "skipped objects: Case\n"
        "validation rules: 3\n"
        "  2 import and type-check clean (66.7%)\n"
        "  1 evaluate from the record's own fields\n"
        "  1 evaluate when the record set gives:\n"
        "      $Profile.Name  (1 rule)\n"
        "      Owner.IsActive  (1 rule)\n"
        "  1 set aside:\n"
        f"      {broken}:5:36: warning SR410 imported-rule-set-aside: validation rule "
        'C_Broken is set aside, it never fires: lead has no field "Nope__c"\n'
    )


def test_report_of_a_missing_folder(tmp_path: Path) -> None:
    text = report(str(tmp_path / "nowhere"))
    assert "missing-include" in text
    assert "no such directory" in text
