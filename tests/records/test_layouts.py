"""Records of one list that share a set of keys are typed by one plan worked out for that
set (records/load.py `_Layouts`, issue 10): each record still gets its own values, and
its own located errors, whatever key sets the records before it had."""

from __future__ import annotations

from decimal import Decimal

from .conftest import Files, Load, LoadError


def test_records_with_different_key_sets_are_each_typed(files: Files, load: Load) -> None:
    files(
        {
            "records.yaml": """\
            leads:
              - {Id: 00Q1, NumberOfEmployees: 5, LastName: A, Company: X}
              - {Id: 00Q2, numberofemployees: '7', email: b@example.com}
              - {Id: 00Q3, NumberOfEmployees: 9, LastName: C, Company: Z}
            """
        }
    )
    first, second, third = load("records.yaml").leads
    assert first.values == {
        "NumberOfEmployees": Decimal(5),
        "LastName": "A",
        "Company": "X",
    }
    assert second.values == {"NumberOfEmployees": Decimal(7), "Email": "b@example.com"}
    assert third.values == {
        "NumberOfEmployees": Decimal(9),
        "LastName": "C",
        "Company": "Z",
    }


def test_a_bad_value_is_found_in_a_later_record_of_a_known_layout(
    files: Files, load_error: LoadError
) -> None:
    files(
        {
            "records/leads.csv": "Id,NumberOfEmployees\n00Q1,5\n00Q2,many\n",
        }
    )
    assert load_error("records") == (
        'records/leads.csv:3: record 00Q2, field NumberOfEmployees: "many" is not a number '
        "(lead.NumberOfEmployees is declared number)"
    )


def test_keys_that_differ_only_in_case_are_refused_in_any_record(
    files: Files, load_error: LoadError
) -> None:
    files(
        {
            "records.yaml": """\
            leads:
              - {Id: 00Q1, Email: a@example.com}
              - {Id: 00Q2, Email: b@example.com, EMAIL: c@example.com}
            """
        }
    )
    assert load_error("records.yaml") == (
        "records.yaml:3: record 00Q2, field EMAIL: given twice in one record (also as Email)"
    )
