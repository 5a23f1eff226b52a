"""Imported formulas against records: each function, blanks, operators, Java REGEX,
merge fields. Values here are Salesforce's documented answers, not our own output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.records.model import Origin, Record
from engine.runtime.evaluate import EvalError, Unavailable
from tests.formula.helpers import FormulaProblem, run

TEXT = {"type": "text", "value": None}


def text(value: str | None) -> dict[str, object]:
    return {"type": "text", "value": value}


def number(value: float | None) -> dict[str, object]:
    return {"type": "number", "value": value}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("EXP(0)", Decimal(1)),
        ("SQRT(2.25)", Decimal("1.5")),
        ("LOG(100)", Decimal(2)),
        ("TRUNC(3.789, 1)", Decimal("3.7")),
        ("TRUNC(-3.789)", Decimal(-3)),
        ("MCEILING(2.1)", Decimal(3)),
        ("MFLOOR(2.9)", Decimal(2)),
        ('INITCAP("hello WORLD")', "Hello World"),
        ('REVERSE("abc")', "cba"),
        ('ASCII("A")', Decimal(65)),
        ("CHR(66)", "B"),
        ('HTMLENCODE("<b>&")', "&lt;b&gt;&amp;"),
        ('URLENCODE("a b/c")', "a%20b%2Fc"),
        ('HYPERLINK("https://x.example", "X")', '<a href="https://x.example">X</a>'),
        ('CASESAFEID("001000000000001")', "001000000000001AAA"),
        ("DAYOFYEAR(DATE(2026, 2, 1))", Decimal(32)),
        ("ISOWEEK(DATE(2026, 1, 1))", Decimal(1)),
        ("ISOYEAR(DATE(2027, 1, 1))", Decimal(2026)),
        ("UNIXTIMESTAMP(DATE(1970, 1, 2))", Decimal(86400)),
        ('FROMUNIXTIME(86400) = DATETIMEVALUE("1970-01-02 00:00:00Z")', True),
        ("ADDMONTHS(DATE(2024, 1, 31), 1)", dt.date(2024, 2, 29)),
        ("ADDMONTHS(DATE(2026, 3, 15), -3)", dt.date(2025, 12, 15)),
        ("MINUTE(NOW())", Decimal(30)),
        ("HOUR(TIMENOW())", Decimal(9)),
        ("TODAY() - DATE(2026, 5, 1)", Decimal(16)),
        ("NOW() + 0.5 > NOW()", True),
        ('TEXT(DATETIMEVALUE("2026-01-31 10:00:00Z"))', "2026-01-31 10:00:00Z"),
        ("MAX(1, 5, 3) + MIN(4, 2)", Decimal(7)),
        ("MOD(10, 4)", Decimal(2)),
        ("ROUND(1.005, 2)", Decimal("1.01")),
        ('LEN(SUBSTITUTE("a a a", " ", ""))', Decimal(3)),
    ],
)
def test_function(formula: str, expected: object) -> None:
    assert run(formula) == expected


# -- blanks (SPEC §1: treat blanks as blanks) ---------------------------------------------


def test_blank_text_is_empty_in_len_and_concatenation() -> None:
    assert run('LEN(t) = 0 && t & "x" = "x"', {"t": TEXT}) is True


def test_blank_number_propagates_through_arithmetic_and_comparison() -> None:
    assert run("n + 1", {"n": number(None)}) is None
    assert run("n * 2 > 1", {"n": number(None)}) is None


def test_blank_number_equals_null_and_isblank() -> None:
    assert run("n = null && ISBLANK(n) && ISNULL(n)", {"n": number(None)}) is True


def test_isnull_of_a_blank_text_is_false() -> None:
    assert run("ISNULL(t)", {"t": TEXT}) is False


def test_ispickval_blank() -> None:
    pick = {"type": "picklist", "value": None, "values": ["A"]}
    assert run('ISPICKVAL(p, "") && ISBLANK(TEXT(p))', {"p": pick}) is True


def test_lazy_if_never_evaluates_value_of_a_blank() -> None:
    assert run("IF(ISBLANK(t), 0, VALUE(t))", {"t": TEXT}) == 0


def test_value_of_junk_is_a_located_formula_error() -> None:
    result = run("VALUE(t) > 1", {"t": text("lots")})
    assert isinstance(result, EvalError)
    assert "not a number" in result.message
    assert (result.span.line, result.span.col) == (1, 1)


def test_null_condition_takes_the_else_branch() -> None:
    assert run('IF(n > 1, "big", "else")', {"n": number(None)}) == "else"
    assert run('CASE(n, 1, "one", "other")', {"n": number(None)}) == "other"


def test_and_with_a_false_operand_is_false_even_with_a_null() -> None:
    assert run("AND(n > 1, false)", {"n": number(None)}) is False
    assert run("OR(n > 1, true)", {"n": number(None)}) is True
    assert run("NOT(n > 1)", {"n": number(None)}) is None


# -- operators and lexical forms --------------------------------------------------------


@pytest.mark.parametrize(
    "formula",
    [
        "AND(true, true) && and(true, true)",
        "1 <> 2 && 1 != 2 && NOT(1 == 2)",
        '/* leading */ ISBLANK("") /* trailing */',
        'IsBlank(\'\') && isblank("") && ISBLANK("")',
        'NOT ISBLANK("x")',
        "TRUE && !False",
    ],
)
def test_operator_spellings_agree(formula: str) -> None:
    assert run(formula) is True


def test_text_equality_is_case_sensitive() -> None:
    assert run('t = "acme"', {"t": text("ACME")}) is False
    assert run('UPPER(t) = "ACME"', {"t": text("acme")}) is True


# -- REGEX: the whole text, Java syntax --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("12345", "[0-9]{5}", True),
        ("12345-6789", "[0-9]{5}", False),  # whole text, not a search
        ("12345", "\\\\d{5}", True),  # "\\d" in a formula literal is \d
        ("١٢٣", "\\\\d+", False),  # Java's \d is ASCII
        ("héllo", "\\\\w+", False),  # …and so is \w
        ("héllo", "\\\\p{L}+", True),
        ("Zoë Ng", "[\\\\p{L} ]+", True),
        ("ABC", "\\\\p{Upper}+", True),
        ("a.b", "\\\\Qa.b\\\\E", True),
        ("axb", "\\\\Qa.b\\\\E", False),
        ("aa", "(?<x>a)\\\\k<x>", True),
        ("aaab", "a*+b", True),  # possessive quantifier
        ("ABC", "(?i)abc", True),
        ("abc", "abc\\\\z", True),
        ("xB1", "x((?i)[abc]\\\\d)", True),  # Java's inline flag mid-pattern
        ("000", "^[0]{3,12}$*", True),  # Java quantifies an anchor; Python would refuse
    ],
)
def test_regex(value: str, pattern: str, expected: bool) -> None:
    assert run(f'REGEX(t, "{pattern}")', {"t": text(value)}) is expected


def test_regex_with_an_invalid_pattern_is_a_formula_error() -> None:
    result = run('REGEX(t, "[a-")', {"t": text("a")})
    assert isinstance(result, EvalError)
    assert "invalid pattern" in result.message


def test_regex_class_intersection_is_reported_not_guessed() -> None:
    result = run('REGEX(t, "[a-z&&[^x]]+")', {"t": text("ab")})
    assert isinstance(result, EvalError)


# -- ISNEW / ISCHANGED / PRIORVALUE ---------------------------------------------------------


def test_ischanged_and_priorvalue_on_update() -> None:
    fields = {"t": text("new")}
    assert run('ISCHANGED(t) && PRIORVALUE(t) = "old"', fields, before={"t": "old"}) is True
    assert run("ISNEW()", fields, before={"t": "old"}) is False


def test_on_create_ischanged_is_false_and_isnew_true() -> None:
    assert run("ISCHANGED(t) || NOT(ISNEW())", {"t": text("x")}) is False


# -- merge fields ---------------------------------------------------------------------------

CONNECTOR = 'connector { user: "int@acme.example" }\n'


def _user(**raw: object) -> Record:
    values = {"Id": raw.pop("Id", "005I"), **raw}
    return Record("user", str(values["Id"]), {}, values, Origin("<test>", 0))


def test_record_type_is_data_on_the_record() -> None:
    raw = {"RecordType.DeveloperName": "Partner"}
    assert run('RecordType.DeveloperName = "Partner"', raw=raw) is True
    assert run('$RecordType.DeveloperName = "Partner"', raw=raw) is True


def test_owner_fields_follow_owner_id_to_the_user() -> None:
    owner = _user(Id="005A", Name="Dana", **{"Profile.Name": "Sales"})
    raw = {"OwnerId": "005A"}
    assert (
        run(
            'Owner.Name = "Dana" && Owner.Profile.Name = "Sales" && Owner.Id = "005A"',
            raw=raw,
            users=[owner],
        )
        is True
    )


def test_connector_user_gives_user_profile_permissions_and_settings() -> None:
    user = _user(
        Username="int@acme.example",
        Email="int@acme.example",
        permissions=["Bypass_Rules"],
        **{"Profile.Name": "Marketing Integration", "$Setup.Settings__c.Skip__c": True},
    )
    formula = (
        '$User.Email = "int@acme.example" && $Profile.Name = "Marketing Integration"'
        " && $Permission.Bypass_Rules && NOT($Permission.Other) && $Setup.Settings__c.Skip__c"
    )
    assert run(formula, users=[user], rules_text=CONNECTOR) is True


def test_missing_merge_field_is_a_located_cannot_evaluate() -> None:
    user = _user(Username="int@acme.example")
    result = run("AND(true,\n  $Setup.Settings__c.Skip__c)", users=[user], rules_text=CONNECTOR)
    assert isinstance(result, Unavailable)
    assert result.message.startswith("cannot evaluate $Setup.Settings__c.Skip__c")
    assert (result.span.line, result.span.col) == (2, 3)


def test_cannot_evaluate_does_not_hide_a_decided_and() -> None:
    assert run("AND($Setup.Settings__c.Skip__c, false)", rules_text=CONNECTOR) is False


def test_without_a_connector_user_globals_cannot_be_evaluated() -> None:
    result = run('$Profile.Name = "x"')
    assert isinstance(result, Unavailable)
    assert "names no connector user" in result.message


def test_vlookup_checks_and_reports_cannot_evaluate() -> None:
    result = run(
        "VLOOKUP($ObjectType.Zip__c.Fields.City__c, $ObjectType.Zip__c.Fields.Name, "
        '"10001") = "NYC"'
    )
    assert isinstance(result, Unavailable)
    assert "VLOOKUP" in result.message


def test_unknown_global_is_an_unknown_field() -> None:
    with pytest.raises(FormulaProblem, match="no global merge field"):
        run('$Usr.Email = "x"')
