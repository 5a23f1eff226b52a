"""Every function of the formula library has a SQL builder or an explicit reason it has
none; each difference between Python and SQL semantics is pinned here."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from engine import api
from engine.bulk import sql
from engine.bulk.duck import program_for
from engine.bulk.engines import reasons
from engine.formula.functions import parse_number


def test_every_function_has_a_builder_or_an_unsupported_entry() -> None:
    names = sql.function_names()
    both = set(sql.BUILDERS) & set(sql.UNSUPPORTED)
    neither = names - set(sql.BUILDERS) - set(sql.UNSUPPORTED)
    assert not both, f"both a builder and 'unsupported': {sorted(both)}"
    assert not neither, f"no SQL builder and no 'unsupported' entry: {sorted(neither)}"
    assert set(sql.BUILDERS) | set(sql.UNSUPPORTED) <= names


def _one(query: str) -> object:
    return duckdb.connect().execute(query).fetchone()[0]  # type: ignore[index]


def test_try_cast_reads_1e3_as_a_number_but_the_spec_does_not() -> None:
    # SPEC §3.6: a number is sign, digits, decimal point; DuckDB also reads exponents
    assert _one("SELECT TRY_CAST('1e3' AS DECIMAL(38,10))") == Decimal("1000")
    assert parse_number("1e3") is None
    # so the number fit is a regular expression, never a cast
    assert _one(f"SELECT {sql.full_match(sql.lit('1e3'), sql.NUMBER_RE)}") is False


def test_greatest_ignores_a_null_where_max_gives_null() -> None:
    assert _one("SELECT greatest(1, NULL)") == 1
    assert sql.UNSUPPORTED["MAX"] == sql.UNSUPPORTED["MIN"]


def test_lower_is_not_casefold_outside_ascii() -> None:
    assert "STRASSE".casefold() == "straße".casefold()
    assert _one("SELECT lower('STRASSE') = lower('straße')") is False
    assert not sql.printable("straße@example.com")  # such data falls back


def test_decimal_division_differs_from_decimal_38_10() -> None:
    python = Decimal(1) / Decimal(3)
    duck = _one("SELECT CAST(1 AS DECIMAL(38,10)) / CAST(3 AS DECIMAL(38,10))")
    assert str(python) == "0.3333333333333333333333333333"
    assert Decimal(str(duck)) != python
    rules = api.check_text(
        "object prospect { score: number }\nstage S when score / 3 > 1\n", "r.sync"
    )
    # so the reference evaluates it, in a DuckDB UDF (Spark declines it, naming it)
    assert not reasons(rules)
    hosts = [h.reason for h in program_for(rules).hosts]
    assert [h.rule for h in hosts] == ["stage S"]
    assert "operator /" in hosts[0].construct
    assert hosts[0].location == "r.sync:2:14"  # where `score / 3` starts


def test_left_with_a_negative_count_differs() -> None:
    # Python's text[:max(n, 0)] gives "" where DuckDB's left() counts from the end
    assert _one("SELECT left('abc', -1)") == "ab"
    assert "abc"[: max(-1, 0)] == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5.", "5"), ("+.5", "0.5"), ("007", "7"), ("-0.50", "-0.50"), (" 12 ", "12")],
)
def test_decimal_text_is_str_of_decimal(text: str, expected: str) -> None:
    assert str(Decimal(text.strip())) == expected
    assert _one(f"SELECT {sql.decimal_text(sql.lit(text))}") == expected


@pytest.mark.parametrize("value", ["5", "5.25", "-0.5", "100", "0.0000000001"])
def test_number_text_matches_python(value: str) -> None:
    from engine.formula.functions import number_text

    assert _one(f"SELECT {sql.number_text(sql.as_dec(sql.lit(value)))}") == number_text(
        Decimal(value)
    )
