"""Syntax errors name the obvious fix (issue 11): keywords are lower case (`Stage`, `AND`,
`NOT`), a near miss of the keyword the parser expected (`stge`, `whne`), and digits other
than 0-9 are no number (SPEC §3.6)."""

from __future__ import annotations

import pytest

from engine import api

OBJECTS = "object prospect { score: number grade: grade }\n"


def _only_error(text: str) -> tuple[int, int, str, str | None]:
    (d,) = api.check_text(text, "r.sync").diagnostics
    assert d.name == "syntax-error"
    return d.span.line, d.span.col, d.message, d.hint


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Stage MQL when true", (2, 1, "unexpected name Stage", 'write "stage"')),
        ("Object lead { Email: email }", (2, 1, "unexpected name Object", 'write "object"')),
        (
            'stage MQL when score > 1 AND grade > "B"',
            (2, 26, "unexpected name AND", 'write "and" or "&&"'),
        ),
        (
            "stage MQL when score > 1 OR score < 0",
            (2, 26, "unexpected name OR", 'write "or" or "||"'),
        ),
        ("stage MQL when NOT score > 1", (2, 20, "unexpected name score", 'write "not" or "!"')),
    ],
)
def test_keywords_in_another_case(line: str, expected: tuple[int, int, str, str]) -> None:
    row, col, message, fix = expected
    assert _only_error(OBJECTS + line + "\n") == (
        row,
        col,
        message,
        f"keywords are lower case: {fix}",
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("stge MQL when true", (2, 1, "unexpected name stge", 'did you mean "stage"?')),
        ("stage MQL whne score > 1", (2, 11, "unexpected name whne", 'did you mean "when"?')),
        ("shar lead when true", (2, 1, "unexpected name shar", 'did you mean "share"?')),
    ],
)
def test_a_near_miss_keyword(line: str, expected: tuple[int, int, str, str]) -> None:
    assert _only_error(OBJECTS + line + "\n") == expected


def test_functions_keep_any_case() -> None:
    rules = api.check_text(OBJECTS + "stage MQL when AND(score > 1, Not(score > 5))\n")
    assert rules.diagnostics == ()


@pytest.mark.parametrize(
    ("number", "ascii_digits"),
    [("\u0661\u0662", "12"), ("\uff11\uff12", "12"), ("\u06f3", "3"), ("1\u0662", "12")],
)
def test_non_ascii_digits_are_no_number(number: str, ascii_digits: str) -> None:
    row, col, message, hint = _only_error(OBJECTS + f"stage MQL when score >= {number}\n")
    digit_at = next(i for i, ch in enumerate(number) if not ch.isascii())
    assert (row, col) == (2, 25 + digit_at)
    assert message == f"unexpected character {number[digit_at]!r}"
    assert hint == f"only the digits 0-9 make a number: write {ascii_digits}"


def test_ascii_numbers_still_parse() -> None:
    assert api.check_text(OBJECTS + "stage MQL when score >= 12.5\n").diagnostics == ()
