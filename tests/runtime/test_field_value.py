"""`field_value` (runtime/context.py): a declared field's value, or its type's blank.

It remembers each rule set's look-ups by identity (issue 10); these tests pin that the
remembered answer is always the one for the rule set asked about."""

from __future__ import annotations

from decimal import Decimal

from engine import api
from engine.check.model import CheckedRules
from engine.records.model import Origin, Record
from engine.runtime.context import field_value

AS_NUMBER = "object prospect {\n    score: number\n}\nobject lead {\n    Email: email\n}\n"
AS_TEXT = "object prospect {\n    score: text(10)\n    opted_out: boolean\n}\n"


def _rules(text: str) -> CheckedRules:
    rules = api.check_text(text, "rules.sync")
    assert rules.diagnostics == ()
    return rules


def _record(obj: str, values: dict[str, object]) -> Record:
    return Record(obj, "r1", dict(values), {}, Origin("records.yaml", 0))  # type: ignore[arg-type]


def test_a_field_the_record_holds_is_its_value() -> None:
    rules = _rules(AS_NUMBER)
    assert field_value(rules, _record("prospect", {"score": Decimal(7)}), "prospect", "score") == 7


def test_salesforce_fields_are_found_whatever_their_case() -> None:
    rules = _rules(AS_NUMBER)
    lead = _record("lead", {"Email": "ada@example.com"})
    assert field_value(rules, lead, "lead", "email") == "ada@example.com"
    assert field_value(rules, lead, "lead", "EMAIL") == "ada@example.com"


def test_prospect_fields_are_case_sensitive() -> None:
    rules = _rules(AS_NUMBER)
    prospect = _record("prospect", {"score": Decimal(7)})
    assert field_value(rules, prospect, "prospect", "Score") is None


def test_a_missing_value_or_record_is_the_type_blank() -> None:
    rules = _rules(AS_TEXT)
    assert field_value(rules, _record("prospect", {}), "prospect", "score") == ""
    assert field_value(rules, None, "prospect", "opted_out") is False
    assert field_value(rules, None, "prospect", "nowhere") is None


def test_each_rule_set_gets_its_own_answer_when_they_alternate() -> None:
    number, text = _rules(AS_NUMBER), _rules(AS_TEXT)
    others = [_rules(AS_NUMBER) for _ in range(5)]  # more rule sets than are remembered
    for _ in range(2):
        assert field_value(number, None, "prospect", "score") is None
        assert field_value(text, None, "prospect", "score") == ""
        for other in others:
            assert field_value(other, None, "prospect", "opted_out") is None
        assert field_value(text, None, "prospect", "opted_out") is False
