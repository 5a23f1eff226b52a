"""Business units in the checked model: each unit's settings in effect are its own where
it gives them and the org-wide declaration otherwise (docs/language.md, business units)."""

from __future__ import annotations

from engine import api
from engine.vocabulary import MatchMode

RULES = """
object lead { Email: email Region__c: text(20) }
object contact { Email: email Region__c: text(20) }
connector { user: "org@acme.example" match: crm_id person_accounts: true role: "Marketing" }
share lead when Region__c = "AMER"
share contact when Region__c = "AMER"

business_unit Americas {}

business_unit EMEA {
    connector { user: "emea@acme.example" match: email paused: true }
    share lead when Region__c = "EMEA"
}
"""


def _lines(shares) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(s.object, s.node.span.line) for s in shares]


def test_units_keep_their_declaration_order() -> None:
    rules = api.check_text(RULES)
    assert rules.diagnostics == ()
    assert [u.name for u in rules.units] == ["Americas", "EMEA"]


def test_a_unit_without_settings_takes_the_org_wide_ones() -> None:
    americas = api.check_text(RULES).units[0]
    assert americas.connector.user == "org@acme.example"
    assert americas.connector.match is MatchMode.CRM_ID
    assert americas.connector.create_prospects is True  # the crm_id default (SPEC §3.9)
    assert americas.connector.person_accounts is True
    assert _lines(americas.shares) == [("lead", 5), ("contact", 6)]


def test_a_unit_overrides_only_what_it_writes() -> None:
    emea = api.check_text(RULES).units[1]
    assert (emea.connector.user, emea.connector.match, emea.connector.paused) == (
        "emea@acme.example",
        MatchMode.EMAIL,
        True,
    )
    # not written in the unit: the org-wide values, and the default follows the unit's match
    assert emea.connector.person_accounts is True
    assert emea.connector.text["role"] == "Marketing"
    assert emea.connector.create_prospects is False
    # its own lead rule replaces the org-wide one; contacts keep the org-wide rule
    assert _lines(emea.shares) == [("contact", 6), ("lead", 12)]


def test_for_unit_is_the_rule_set_one_cycle_runs() -> None:
    rules = api.check_text(RULES)
    emea = rules.for_unit(rules.units[1])
    assert emea.units == ()
    assert emea.connector == rules.units[1].connector
    assert emea.shares == rules.units[1].shares
    assert emea.mappings == rules.mappings
    assert emea.stages == rules.stages


def test_no_units_leaves_the_rule_set_as_it_was() -> None:
    rules = api.check_text('connector { user: "x" }')
    assert rules.units == ()
    assert rules.unit("EMEA") is None
