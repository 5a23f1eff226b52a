"""The reasoner behind unreachable-stage, gate-vs-required, validation-unfixable and
created-lead-not-shared: whether a condition can hold, under SPEC §1's blanks and
three-valued logic. Each case is a stage condition and whether some prospect reaches it."""

from __future__ import annotations

import pytest

from engine import api
from engine.lint.constraints import CAP, Expander, TooComplex
from engine.lint.registry import load_rules

OBJECTS = """
object prospect { score: number  grade: grade  name: text(80)  demo: boolean  seen: date }
object lead { Status: picklist("Open", "Working") }
stage MQL when score >= 100
"""


def _holds(condition: str) -> bool:
    rules = api.check_text(OBJECTS + f"stage X when {condition}\n", "case.sync")
    assert not rules.has_errors, [d.message for d in rules.diagnostics]
    expander = Expander({s.name: s.when for s in rules.stages}, rules.sources)
    return bool(expander.stage("X"))


@pytest.mark.parametrize(
    ("condition", "reachable"),
    [
        ("MQL and score < 50", False),  # SPEC §5's example
        ("MQL and score >= 150", True),
        ("not MQL and score > 200", False),  # not (score >= 100) is score < 100
        ("not MQL and score = null", False),  # a blank score makes MQL null, and not null
        ("score != 5 and score = null", False),  # a comparison with a blank is null
        ("score >= 10 and score <= 10 and score != 10", False),
        ("score > 10 and score < 11", True),  # numbers are not whole
        ('grade > "A+"', False),
        ('grade > "A"', True),  # A+
        ('grade >= "B" and grade < "B+"', True),  # B
        ('grade >= "B" and grade < "B"', False),
        ('lead.Status = "Qualified"', False),  # not a value of the picklist
        ('lead.Status != "Open" and lead.Status != "Working"', True),  # blank
        ('ISPICKVAL(lead.Status, "Open") and TEXT(lead.Status) = "Working"', False),
        ('name = "a" and name = "b"', False),
        ('not (name = "a") and name = ""', True),  # a blank text is "", not null
        ("LEN(name) > 0 and ISBLANK(name)", False),
        ("LEN(name) > 3 and LEN(name) < 4", False),  # lengths are whole numbers
        ('CONTAINS(name, "x") and name = ""', False),
        ('CONTAINS(name, "x") and not CONTAINS(name, "x")', False),
        ('CONTAINS(name, "x") and CONTAINS(name, "y")', True),  # opaque: may hold
        ("demo and not demo", False),
        ("not demo and demo = null", False),
        ("assigned and not assigned", False),
        ("seen = null and not ISBLANK(seen)", False),
        ("false", False),
        ("null", False),
        ("not null", False),  # NOT of null is null
        ("true", True),
    ],
)
def test_whether_a_condition_can_hold(condition: str, reachable: bool) -> None:
    assert _holds(condition) is reachable


def test_expansion_past_the_cap_gives_no_verdict() -> None:
    # (a1 or b1) and (a2 or b2) and … doubles per factor
    factors = " and ".join(f'(score > {i} or name != "{i}")' for i in range(10))
    assert CAP < 2**10
    with pytest.raises(TooComplex):
        _holds(factors)


def test_a_conflict_names_the_stage_it_came_from() -> None:
    rules = api.check_text(OBJECTS + "stage X when MQL and score < 50\n", "case.sync")
    expander = Expander({s.name: s.when for s in rules.stages}, rules.sources)
    assert expander.stage("X") == []
    assert [c.describe("X") for c in expander.conflicts] == [
        "score >= 100 (from MQL) and score < 50 cannot both hold"
    ]


@pytest.mark.parametrize(
    ("user", "person"),
    [
        ("dana.direct@acme.example", True),
        ("dana@acme.example", True),
        ("d.direct2@acme.example", True),
        ("pardot.integration@acme.example", False),
        ("svc-sync01@acme.example", False),
        ("B2BMA.User@acme.example", False),
        ("marketing.ops@acme.example", False),
        ("005A0000001XyzQ", False),
    ],
)
def test_which_connector_users_look_like_people(user: str, person: bool) -> None:
    # register every rule first: importing one rule module alone would leave the
    # registry holding only that rule
    load_rules()
    from engine.lint.rules.connector_user_is_person import looks_like_person

    assert looks_like_person(user) is person
