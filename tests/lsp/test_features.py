"""The language server's pure half (engine.lsp.features): signatures, cursor context,
quick fixes, protocol columns. No server process here."""

from __future__ import annotations

from engine.diagnostics import Diagnostic, Severity
from engine.formula.signatures import SIGNATURES
from engine.lsp import features
from engine.source import SourceFile


def test_signatures_read_as_salesforce_documents_them() -> None:
    assert features.signature_text(SIGNATURES["LEFT"]) == (
        "LEFT(text, number) → text",
        "the first n characters",
    )
    # optional arguments in brackets, any number with …
    assert features.signature_text(SIGNATURES["TRUNC"])[0] == "TRUNC(n[, digits]) → number"
    assert features.signature_text(SIGNATURES["LPAD"])[0] == "LPAD(text, length[, pad]) → text"
    assert features.signature_text(SIGNATURES["MAX"])[0] == "MAX(number, …) → number"
    assert features.signature_text(SIGNATURES["ISCHANGED"])[0] == "ISCHANGED(field) → boolean"
    assert features.signature_text(SIGNATURES["IF"]) == (
        "IF(test, then, else) → the arguments' type",
        "",
    )


def test_context_knows_the_block_the_statement_and_comments() -> None:
    text = "validation V on lead {\n    error_if: ISBLANK(Co"
    ctx = features.context_at(text, len(text))
    assert ctx.block == "validation V on lead"
    assert ctx.prefix == "    error_if: ISBLANK(Co"
    text = "stage A when score > 1\nstage B when A and\n    gr"
    ctx = features.context_at(text, len(text))
    assert ctx.block is None
    assert ctx.statement == "stage B when A and gr"
    text = "object lead { X: text(8) }  # a comment { with braces"
    ctx = features.context_at(text, len(text))
    assert (ctx.block, ctx.in_comment) == (None, True)
    text = 'include "oth'
    assert features.context_at(text, len(text)).in_string


def test_a_typo_in_a_qualified_name_replaces_only_the_field() -> None:
    source = SourceFile("r.sync", 'stage S when lead.Contry = "FR"\n')
    span = source.span(13, 24)  # lead.Contry
    found = Diagnostic(
        "SR101", "unknown-field", Severity.ERROR, 'lead has no field "Contry"', span,
        hint='did you mean "Country"?',
    )  # fmt: skip
    fixes = features.fixes(found, source)
    assert [f.title for f in fixes] == [
        'Change to "Country"',
        "Declare lead.Contry as text(255) at the end of this file",
    ]
    assert fixes[0].edit == features.Edit("r.sync", 18, 24, "Country")
    assert fixes[1].edit == features.Edit(
        "r.sync", 32, 32, "\nobject lead {\n    Contry: text(255)\n}\n"
    )


def test_an_ignore_joins_the_ignore_comment_already_on_the_line() -> None:
    text = "    sync: most_recent  # syncrules: ignore[double-write]\n"
    source = SourceFile("r.sync", text)
    found = Diagnostic(
        "SR207", "most-recent-not-opt-out", Severity.WARNING, "m", source.span(10, 21)
    )
    from engine.lint.registry import load_rules

    load_rules()
    [fix] = features.fixes(found, source)
    at = text.index("]")
    assert fix.edit == features.Edit("r.sync", at, at, ", most-recent-not-opt-out")


def test_protocol_columns_in_each_encoding() -> None:
    line = 'a "🎯é" b'
    # the line is 8 characters; 🎯 is 2 UTF-16 units and 4 UTF-8 bytes, é 2 UTF-8 bytes
    assert features.encoded_col(line, 8, "utf-16") == 9
    assert features.encoded_col(line, 8, "utf-8") == 12
    assert features.encoded_col(line, 8, "utf-32") == 8
    assert features.char_col(line, 9, "utf-16") == 8
    assert features.char_col(line, 12, "utf-8") == 8
    assert features.char_col(line, 99, "utf-16") == len(line)


def test_a_connector_block_offers_every_setting_the_parser_reads() -> None:
    from engine import api
    from engine.vocabulary import CONNECTOR_SETTINGS, CONNECTOR_USER_SETTINGS

    text = "connector {\n    "
    rules = api.check_text(text + "}\n", "r.sync")
    labels = {c.label.removesuffix(":") for c in features.complete(rules, text, len(text), [])}
    assert {"assignment_rule", "person_accounts", "role", "permissions"} <= labels
    assert set(CONNECTOR_SETTINGS) | set(CONNECTOR_USER_SETTINGS) <= labels


BUSINESS_UNIT = """object lead { Email: email Region__c: text(20) }
business_unit EMEA {
    connector { user: "emea@acme.example" }
    share lead when Region__c = "EMEA"
}
"""


def test_a_business_unit_offers_its_connector_and_share_rules() -> None:
    from engine import api

    rules = api.check_text(BUSINESS_UNIT, "r.sync")
    text = "business_unit EMEA {\n    "
    assert [c.label for c in features.complete(rules, text, len(text), [])] == [
        "connector",
        "share",
    ]
    text = "business_unit EMEA {\n    share lead when Reg"
    labels = {c.label for c in features.complete(rules, text, len(text), [])}
    assert "Region__c" in labels
    text = "business_unit EMEA {\n    connector {\n        "
    labels = {c.label.removesuffix(":") for c in features.complete(rules, text, len(text), [])}
    assert {"user", "match", "create_prospects"} <= labels
    top = {c.label for c in features.complete(rules, "", 0, [])}
    assert "business_unit" in top


def test_names_inside_a_business_unit_are_indexed_for_hover() -> None:
    from engine import api
    from engine.lsp import symbols

    rules = api.check_text(BUSINESS_UNIT, "r.sync")
    index = symbols.build(rules)
    at = BUSINESS_UNIT.index("Region__c =")
    found = index.at("r.sync", at + 2)
    assert found is not None
    assert found.symbol.key == ("lead", "region__c")
    hover = features.hover(rules, found)
    assert hover is not None
    assert "Region__c" in hover
