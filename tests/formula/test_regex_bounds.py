"""REGEX is bounded: no pattern makes a record take unbounded time (issue 11).

Patterns RE2 can express run in linear time; the rest (backreferences, lookaround) run
under a time budget, and a pattern that exceeds it is that record's formula error. The
answers themselves must not change: every pattern here is also matched by Python's `re`
(the engine the evaluator used before, and Java-compatible for these patterns), and the
two must agree.
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.formula import functions
from engine.runtime.evaluate import EvalError
from tests.formula.helpers import run
from tests.runtime.helpers import entry, plan

EVIL = "a" * 40 + "b"


def text(value: str) -> dict[str, object]:
    return {"type": "text", "value": value}


def test_nested_repetition_answers_at_once() -> None:
    started = time.perf_counter()
    assert run('REGEX(t, "(a+)+$")', {"t": text(EVIL)}) is False
    assert run('REGEX(t, "(a|aa)+")', {"t": text(EVIL)}) is False
    assert run('REGEX(t, "(a+)+$")', {"t": text("a" * 40)}) is True
    assert time.perf_counter() - started < 5  # backtracking: 2**40 steps, hours


def test_a_backtracking_only_pattern_past_its_budget_is_a_formula_error() -> None:
    # lookahead keeps this pattern off RE2; (a|a)+ backtracks 2**40 ways on the way out
    started = time.perf_counter()
    result = run('REGEX(t, "(a|a)+(?!x)$")', {"t": text(EVIL)})
    elapsed = time.perf_counter() - started
    assert isinstance(result, EvalError)
    assert "took more than" in result.message
    assert elapsed < functions.REGEX_BUDGET_SECONDS + 5  # 2**40 steps would take hours


def test_backreferences_and_lookaround_still_match() -> None:
    assert run('REGEX(t, "(a+)b\\\\1")', {"t": text("aabaa")}) is True
    assert run('REGEX(t, "(a+)b\\\\1")', {"t": text("aaba")}) is False
    assert run('REGEX(t, "(?=.*[0-9]).{3}")', {"t": text("ab1")}) is True
    assert run('REGEX(t, "(?=.*[0-9]).{3}")', {"t": text("abc")}) is False


def test_dry_run_reports_the_exceeded_bound_on_that_record(tmp_path: Path) -> None:
    data = plan(
        tmp_path,
        'stage Odd when REGEX(first_name, "(a|a)+(?!x)$")\n'
        'stage Nested when REGEX(first_name, "(a+)+$")\n',
        f"""
        prospects:
          - {{id: p1, email: a@example.com, first_name: {EVIL}}}
          - {{id: p2, email: b@example.com, first_name: aaa}}
        """,
    )
    p1, p2 = entry(data, "p1"), entry(data, "p2")
    assert p1["stages"] == []
    assert [(e["rule"], e["record"]) for e in p1["formula_errors"]] == [("stage Odd", "p1")]
    assert "took more than" in p1["formula_errors"][0]["message"]
    assert p2["stages"] == ["Odd", "Nested"]
    assert "formula_errors" not in p2


# Where RE2 and Python's re could read a pattern differently, the RE2 path steps aside;
# these cases sit on each of those edges.
AGREEMENT = [
    ("a\n", "a$\n"),  # Python's $ matches before a final newline; RE2's does not
    ("a", "a$"),
    ("\x0b", "\\s"),  # Java's \s includes the vertical tab; RE2's does not
    ("\x0b", "[\\s]"),
    ("\x0b", "\\S"),
    ("K", "(?i)k"),  # the Kelvin sign: RE2 folds it to k, Java (and re.ASCII) do not
    ("É", "(?i)é"),
    ("]", "[]a]"),
    ("b", "[^]a]"),
    ("é", "\\x{e9}"),
    ("x\ud800", "x."),  # a lone surrogate cannot be handed to RE2 as UTF-8
    ("ab", "\\Qa\\E\\p{L}"),
    ("1 2", "\\d\\h\\d"),
    ("abab", "(?<p>ab)\\k<p>"),
    ("aaab", "a*+b"),
    ("aab", "(?>a+)b"),
]


def test_re2_and_re_agree_on_the_edges() -> None:
    for value, pattern in AGREEMENT:
        expected = functions.java_pattern(pattern).fullmatch(value) is not None
        assert functions._regex(value, pattern) is expected, (value, pattern)


ATOMS = st.sampled_from(
    ["a", "b", ".", "\\d", "\\w", "\\s", "\\S", "[ab]", "[^a]", "\\n", "$", "^", "\\b", "é"]
)


@st.composite
def patterns(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        atom = (
            f"({draw(patterns(depth + 1))})" if depth < 2 and draw(st.booleans()) else draw(ATOMS)
        )
        parts.append(atom + draw(st.sampled_from(["", "*", "+", "?", "{1,2}", "*?"])))
    body = "".join(parts)
    if draw(st.booleans()):
        body += "|" + draw(ATOMS)
    return ("(?i)" if depth == 0 and draw(st.booleans()) else "") + body


@settings(max_examples=300, deadline=None)
@given(patterns(), st.text(alphabet="abAB1 \n\x0bé", max_size=6))
def test_re2_gives_the_answers_re_gives(pattern: str, value: str) -> None:
    try:
        reference = functions.java_pattern(pattern)
    except functions.FormulaError:
        return
    assert functions._regex(value, pattern) is (reference.fullmatch(value) is not None)
