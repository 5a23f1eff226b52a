"""`import salesforce`: both metadata layouts, value sets, standard fields, safe XML,
and diagnostics located in the XML files (SPEC §1)."""

from __future__ import annotations

from pathlib import Path

from engine import api
from engine.check.model import CheckedRules, FieldInfo
from engine.fieldtypes import FieldType, Kind
from engine.render import text
from tests.sfdx.conftest import HEAD, NS, Tree, field_xml, rule_xml


def declared(rules: CheckedRules, obj: str, name: str) -> FieldInfo:
    """A field the import must have declared."""
    found = rules.object(obj).get(name)
    assert found is not None, f"{obj}.{name} is not declared"
    return found


REGION = field_xml(
    "    <fullName>Region__c</fullName>\n    <type>Picklist</type>\n"
    "    <valueSet>\n        <restricted>true</restricted>\n        <valueSetDefinition>\n"
    "            <value><fullName>EMEA</fullName><label>Europe</label></value>\n"
    "            <value><fullName>Old</fullName><isActive>false</isActive></value>\n"
    "            <value><fullName>AMER</fullName><label>Americas</label></value>\n"
    "        </valueSetDefinition>\n    </valueSet>"
)


def check(root: Path, before: str = "", after: str = "") -> CheckedRules:
    rules = root.parent / "rules.sync"
    rules.write_text(f'{before}import salesforce "{root.name}"\n{after}', encoding="utf-8")
    return api.check([str(rules)])


def shown(rules: CheckedRules) -> str:
    return text.diagnostics((*rules.diagnostics, *rules.import_findings), rules.sources)


def test_sfdx_layout_declares_fields_and_rules(tree: Tree) -> None:
    root = tree(
        {
            "objects/Lead/fields/Region__c.field-meta.xml": REGION,
            "objects/Lead/fields/Score__c.field-meta.xml": field_xml(
                "    <fullName>Score__c</fullName>\n    <type>Number</type>\n"
                "    <precision>5</precision>\n    <scale>0</scale>\n    <required>true</required>"
            ),
            "objects/Lead/validationRules/B_Second.validationRule-meta.xml": rule_xml(
                "B_Second", "Score__c &gt; 10", active="false"
            ),
            "objects/Lead/validationRules/A_First.validationRule-meta.xml": rule_xml(
                "A_First",
                "ISPICKVAL(Region__c, &quot;EMEA&quot;) &amp;&amp; ISBLANK(Country)",
                "Needs a &quot;country&quot;.",
                "    <errorDisplayField>Country</errorDisplayField>\n",
            ),
        }
    )
    rules = check(root)
    assert rules.diagnostics == (), shown(rules)
    region = declared(rules, "lead", "Region__c")
    assert region.type == FieldType(Kind.PICKLIST, values=("EMEA", "AMER"))
    score = declared(rules, "lead", "Score__c")
    assert (score.type.kind, score.required) == (Kind.NUMBER, True)
    # standard fields of an imported object are typed without a declaration
    assert declared(rules, "lead", "Company").type == FieldType(Kind.TEXT, length=255)
    assert declared(rules, "lead", "Company").required
    assert [v.name for v in rules.validations] == ["A_First", "B_Second"]  # file-name order
    first = rules.validations[0]
    assert first.field is not None
    assert (first.message, first.field.name, first.active) == (
        'Needs a "country".',
        "Country",
        True,
    )
    assert rules.validations[1].active is False


def test_imported_rules_follow_the_rules_declared_before_the_import(tree: Tree) -> None:
    root = tree(
        {
            "objects/Lead/validationRules/Imported.validationRule-meta.xml": rule_xml(
                "Imported", "ISBLANK(Email)"
            )
        }
    )
    before = 'validation Earlier on lead { error_if: ISBLANK(LastName) message: "x" }\n'
    after = 'validation Later on lead { error_if: ISBLANK(Company) message: "x" }\n'
    rules = check(root, before, after)
    assert [v.name for v in rules.validations] == ["Earlier", "Imported", "Later"]


def test_metadata_api_layout(tree: Tree) -> None:
    obj = (
        f"{HEAD}<CustomObject {NS}>\n"
        "    <fields>\n        <fullName>Tier__c</fullName>\n        <type>Picklist</type>\n"
        "        <picklist>\n"
        "            <picklistValues><fullName>Gold</fullName></picklistValues>\n"
        "            <picklistValues><fullName>Silver</fullName></picklistValues>\n"
        "        </picklist>\n    </fields>\n"
        "    <fields>\n        <fullName>Active__c</fullName>\n        <type>Checkbox</type>\n"
        "        <defaultValue>false</defaultValue>\n    </fields>\n"
        "    <validationRules>\n        <fullName>Zeta</fullName>\n        <active>true</active>\n"
        "        <errorConditionFormula>Active__c</errorConditionFormula>\n"
        "        <errorMessage>z</errorMessage>\n    </validationRules>\n"
        "    <validationRules>\n        <fullName>Alpha</fullName>\n        <active>true</active>\n"
        "        <errorConditionFormula>ISPICKVAL(Tier__c, 'Gold') &amp;&amp; Nope__c"
        "</errorConditionFormula>\n        <errorMessage>a</errorMessage>\n    </validationRules>\n"
        "</CustomObject>\n"
    )
    root = tree({"objects/Account.object": obj})
    rules = check(root)
    assert declared(rules, "account", "Tier__c").type.values == ("Gold", "Silver")
    assert declared(rules, "account", "Active__c").type.kind is Kind.BOOLEAN
    assert [v.name for v in rules.validations] == ["Zeta"]  # Alpha is set aside
    assert rules.diagnostics == ()  # a set-aside rule is not an error (SPEC §1)
    (problem,) = rules.import_findings
    assert (problem.name, problem.severity, problem.span.line, problem.span.col) == (
        "imported-rule-set-aside",
        "warning",
        25,
        70,
    )
    assert problem.span.path.endswith("Account.object")
    assert problem.message == (
        'validation rule Alpha is set aside, it never fires: account has no field "Nope__c"'
    )
    assert [note for _span, note in problem.related] == [
        'SR101 unknown-field: account has no field "Nope__c"'
    ]


def test_global_and_standard_value_sets(tree: Tree) -> None:
    root = tree(
        {
            "globalValueSets/Regions.globalValueSet-meta.xml": f"{HEAD}<GlobalValueSet {NS}>\n"
            "    <customValue><fullName>North</fullName><default>false</default></customValue>\n"
            "    <customValue><fullName>South</fullName><default>false</default></customValue>\n"
            "    <masterLabel>Regions</masterLabel>\n</GlobalValueSet>\n",
            "standardValueSets/LeadSource.standardValueSet-meta.xml": (
                f"{HEAD}<StandardValueSet {NS}>\n"
                "    <standardValue><fullName>Webinar</fullName></standardValue>\n"
                "    <standardValue><fullName>Event</fullName></standardValue>\n"
                "</StandardValueSet>\n"
            ),
            "objects/Contact/fields/Area__c.field-meta.xml": field_xml(
                "    <fullName>Area__c</fullName>\n    <type>Picklist</type>\n"
                "    <valueSet><valueSetName>Regions</valueSetName></valueSet>"
            ),
            "objects/Contact/fields/Zone__c.field-meta.xml": field_xml(
                "    <fullName>Zone__c</fullName>\n    <type>Picklist</type>\n"
                "    <valueSet><valueSetName>Missing</valueSetName></valueSet>"
            ),
            "objects/Contact/fields/LeadSource.field-meta.xml": field_xml(
                "    <fullName>LeadSource</fullName>\n    <trackHistory>false</trackHistory>"
            ),
        }
    )
    rules = check(root)
    assert declared(rules, "contact", "Area__c").type.values == ("North", "South")
    assert declared(rules, "contact", "LeadSource").type.values == ("Webinar", "Event")
    assert declared(rules, "contact", "Zone__c").type.any_value
    assert rules.diagnostics == ()  # an org retrieved in part checks clean (SPEC §1)
    (missing,) = rules.import_findings
    assert (missing.name, missing.severity, missing.span.line) == (
        "global-value-set-missing",
        "warning",
        5,
    )
    assert missing.message == (
        'the global value set "Missing" is not in the imported tree: '
        "Contact.Zone__c accepts any value"
    )


def test_typeless_field_that_is_not_standard_is_an_error_naming_the_file(tree: Tree) -> None:
    root = tree(
        {
            "objects/Lead/fields/Mystery.field-meta.xml": field_xml(
                "    <fullName>Mystery</fullName>"
            )
        }
    )
    rules = check(root)
    (error,) = rules.diagnostics
    assert (error.name, error.severity, error.span.line, error.span.col) == (
        "invalid-type",
        "error",
        3,
        15,
    )
    assert error.span.path.endswith("Mystery.field-meta.xml")
    assert "Mystery.field-meta.xml has no <type>" in error.message


def test_standard_table_yields_to_a_rule_file_declaration(tree: Tree) -> None:
    root = tree(
        {"objects/Lead/fields/Email.field-meta.xml": field_xml("<fullName>Email</fullName>")}
    )
    rules = check(root, 'object lead { Country: picklist("UK", "DE") }\n')
    assert rules.diagnostics == (), shown(rules)
    assert declared(rules, "lead", "Country").type.kind is Kind.PICKLIST


def test_without_an_import_standard_fields_are_not_declared() -> None:
    rules = api.check_text('validation V on lead { error_if: ISBLANK(Company) message: "x" }')
    assert [d.name for d in rules.diagnostics] == ["unknown-field"]


def test_other_objects_are_skipped_with_a_note(tree: Tree) -> None:
    root = tree(
        {
            "objects/Opportunity/fields/Amount.field-meta.xml": field_xml(
                "<fullName>Amount</fullName>"
            ),
            "objects/Project__c/fields/Due__c.field-meta.xml": field_xml(
                "<fullName>Due__c</fullName>"
            ),
            "objects/Lead/fields/Email.field-meta.xml": field_xml("<fullName>Email</fullName>"),
        }
    )
    rules = check(root)
    (note,) = rules.diagnostics
    assert (note.name, note.severity) == ("not-supported-yet", "info")
    assert note.message == "2 objects skipped: Opportunity, Project__c"
    assert note.span.path.endswith("rules.sync")


def test_entity_bomb_is_refused(tree: Tree) -> None:
    bomb = (
        f'{HEAD}<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n'
        f"<CustomField {NS}><fullName>B__c</fullName><label>&b;</label>"
        "<type>Text</type></CustomField>\n"
    )
    root = tree({"objects/Lead/fields/B__c.field-meta.xml": bomb})
    rules = check(root)
    (error,) = rules.diagnostics
    assert (error.name, error.span.line, error.span.col) == ("unreadable-file", 2, 1)
    assert "refused" in error.message


def test_external_entity_is_refused(tree: Tree, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    xxe = (
        f'{HEAD}<!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>\n'
        f"<CustomField {NS}><fullName>X__c</fullName><label>&s;</label>"
        "<type>Text</type></CustomField>\n"
    )
    root = tree({"objects/Lead/fields/X__c.field-meta.xml": xxe})
    rules = check(root)
    assert [d.name for d in rules.diagnostics] == ["unreadable-file"]
    assert "top secret" not in shown(rules)


def test_malformed_xml_is_located(tree: Tree) -> None:
    root = tree(
        {
            "objects/Lead/fields/Bad__c.field-meta.xml": (
                f"{HEAD}<CustomField {NS}>\n<fullName>Bad__c</fullName>\n<type>Text</CustomField>\n"
            )
        }
    )
    (error,) = check(root).diagnostics
    assert (error.name, error.span.line) == ("unreadable-file", 4)
    assert "not well-formed XML" in error.message


def test_formula_errors_point_into_the_xml_past_entities(tree: Tree) -> None:
    formula = "ISBLANK(Email) &amp;&amp; LEN(Company) &gt;\n    5 &amp;&amp; Bogus__c"
    root = tree({"objects/Lead/validationRules/R.validationRule-meta.xml": rule_xml("R", formula)})
    rules = check(root)
    assert rules.diagnostics == ()
    (problem,) = rules.import_findings
    assert (problem.span.line, problem.span.col) == (6, 18)
    assert problem.span.end_col - problem.span.col == len("Bogus__c")
    assert rules.validations == ()  # set aside; the rest of the rule set runs
    assert "Bogus__c" in shown(rules)


def test_syntax_error_in_a_formula_is_a_located_warning(tree: Tree) -> None:
    root = tree(
        {
            "objects/Lead/validationRules/S.validationRule-meta.xml": rule_xml(
                "S", "AND(ISBLANK(Email),, true)"
            )
        }
    )
    rules = check(root)
    assert rules.diagnostics == ()
    assert rules.validations == ()
    (problem,) = rules.import_findings
    assert (problem.name, problem.severity, problem.span.line, problem.span.col) == (
        "imported-rule-set-aside",
        "warning",
        5,
        47,
    )
    assert problem.related[0][1].startswith("SR001 syntax-error: ")


def test_missing_import_directory(tmp_path: Path) -> None:
    rules = tmp_path / "r.sync"
    rules.write_text('import salesforce "nowhere"\n', encoding="utf-8")
    (error,) = api.check([str(rules)]).diagnostics
    assert error.name == "missing-include"


def test_dry_run_evaluates_an_imported_rule(tree: Tree, tmp_path: Path) -> None:
    root = tree(
        {
            "objects/Lead/validationRules/No_Test.validationRule-meta.xml": rule_xml(
                "No_Test",
                "CONTAINS(LOWER(Company), &apos;test&apos;) &amp;&amp; NOT ISBLANK(Email)",
                "No test companies.",
            )
        }
    )
    before = (
        "object prospect { email: email company: text(255) last_name: text(80) }\n"
        "field email { lead: Email }\nfield company { lead: Company }\n"
        "field last_name { lead: LastName }\ncreate lead when true\n"
    )
    rules = check(root, before)
    assert rules.diagnostics == (), shown(rules)
    records = tmp_path / "records.yaml"
    records.write_text(
        "prospects:\n"
        "  - {id: p1, email: a@x.example, company: Test Corp, last_name: A}\n"
        "  - {id: p2, email: b@x.example, company: Real Corp, last_name: B}\n"
        "leads: []\n",
        encoding="utf-8",
    )
    plan = api.dry_run(rules, api.load_records(str(records), rules))
    outcome = {o.prospect: o for o in plan.outcomes}
    assert outcome["p1"].error is not None
    assert outcome["p1"].error.rule == "No_Test"
    assert outcome["p2"].action == "create_lead"
