"""Record values a new user tripped on (issue 11): only 0-9 are digits (SPEC §3.6),
`.inf`/`.nan` are no ids, and a CSV separated by something else than commas says so."""

from __future__ import annotations

import json

import pytest

from .conftest import Files, Load, LoadError


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('"\u0661\u0662"', '"\u0661\u0662"'),  # Arabic-Indic digits, quoted
        ("\u0661\u0662", '"\u0661\u0662"'),  # unquoted: YAML reads text
        ('"\uff11\uff12"', '"\uff11\uff12"'),  # fullwidth
        ('"1\u066b5"', '"1\u066b5"'),
    ],
)
def test_non_ascii_digits_are_not_a_number_in_yaml(
    files: Files, load_error: LoadError, text: str, shown: str
) -> None:
    files({"records.yaml": f"prospects:\n  - {{id: p1, score: {text}}}\n"})
    assert load_error("records.yaml") == (
        f"records.yaml:2: record p1, field score: {shown} is not a number "
        "(prospect.score is declared number)"
    )


def test_non_ascii_digits_are_not_a_number_in_csv(files: Files, load_error: LoadError) -> None:
    files({"rs/prospects.csv": "id,score\np1,\u0661\u0662\n"})
    assert load_error("rs") == (
        'rs/prospects.csv:2: record p1, field score: "\u0661\u0662" is not a number '
        "(prospect.score is declared number)"
    )


def test_non_ascii_digits_are_not_a_number_in_json(files: Files, load_error: LoadError) -> None:
    files({"records.json": '{"prospects": [{"id": "p1", "score": 1\u0661}]}\n'})
    assert load_error("records.json") == (
        "records.json:1:38: invalid JSON: 1\u0661 is not a number "
        "(only the digits 0-9 make a number)"
    )


def test_non_ascii_digits_are_not_a_date(files: Files, load_error: LoadError) -> None:
    files(
        {"records.yaml": 'prospects:\n  - {id: p1, birthday: "\uff12\uff10\uff12\uff16-01-01"}\n'}
    )
    assert load_error("records.yaml") == (
        'records.yaml:2: record p1, field birthday: "\uff12\uff10\uff12\uff16-01-01" is not a date '
        "(prospect.birthday is declared date)"
    )


def test_ascii_digits_still_read(files: Files, load: Load) -> None:
    files({"records.yaml": "prospects:\n  - {id: p1, score: '12.5'}\n"})
    assert str(load("records.yaml").prospects[0].values["score"]) == "12.5"


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", "1e999"])
def test_infinity_and_nan_are_no_ids(files: Files, load_error: LoadError, value: str) -> None:
    files({"records.yaml": f"prospects:\n  - {{id: {value}}}\n"})
    assert load_error("records.yaml") == (
        f"records.yaml:2: record #1 in prospects, field id: {value} is not an id"
    )


def test_json_nan_is_no_salesforce_id(files: Files, load_error: LoadError) -> None:
    files({"records.json": '{"leads": [{"Id": NaN, "LastName": "L", "Company": "C"}]}\n'})
    assert load_error("records.json") == (
        "records.json:1: record #1 in leads, field Id: nan is not an id"
    )


@pytest.mark.parametrize(
    ("delimiter", "word"), [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")]
)
def test_csv_separated_by_another_delimiter_names_it(
    files: Files, load_error: LoadError, delimiter: str, word: str
) -> None:
    files({"rs/prospects.csv": f"id{delimiter}score\np1{delimiter}12\n"})
    assert load_error("rs") == (
        f"rs/prospects.csv:1: the header is one column {json.dumps('id' + delimiter + 'score')}: "
        f"the file seems separated by {word} ({delimiter!r}); syncrules reads CSV separated "
        "by commas, as Data Loader writes it: export again with commas"
    )


def test_a_one_column_csv_is_still_read(files: Files, load: Load) -> None:
    files({"rs/prospects.csv": "id\np1\n"})
    assert [p.id for p in load("rs").prospects] == ["p1"]
