"""A grammar-aware fuzz test of the command line (issue 11): generated rule files and record
sets — valid ones, and the same with hostile values and mutations — through `main(argv)`.

Whatever the input, every command ends with exit 0, 1 or 2, never with the "internal
error" branch (a Python exception that escaped) and never with a traceback; output is the
same when run twice. The generator follows the rule grammar (declarations, mappings,
stages, gates, validation rules with formulas over every value type) so most inputs get
past the parser and exercise the checker and the cycle, and the record values include the
classes that used to crash: dates near 9999, huge numbers, lone surrogates, long texts,
catastrophic REGEX patterns. Bounded: a fixed number of examples, no deadline per example.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main

FIELDS = {
    "email": "email",
    "first_name": "text(40)",
    "score": "number",
    "grade": "grade",
    "seen": "date",
    "stamp": "datetime",
    "opted": "boolean",
}
LEAD = (
    "object lead { Email: email LastName: text(80) required Company: text(80) required "
    "FirstName: text(40) NumberOfEmployees: number }\n"
)

NUMBER_TERMS = ["score", "1", "0", "2.5", "LEN(first_name)", "VALUE(first_name)", "score / 0"]
TEXT_TERMS = ["first_name", '"x"', "TEXT(score)", "LEFT(first_name, 3)", "TEXT(seen)"]
DATE_TERMS = ["seen", "TODAY()", "seen + 30", "TODAY() + 3000000", "DATE(9999, 12, 31) + 1"]
BOOL_TERMS = [
    "opted",
    "true",
    'REGEX(first_name, "(a+)+$")',
    'REGEX(first_name, "(a|a)+(?!x)$")',
    'REGEX(first_name, "[")',
    'CONTAINS(first_name, "a")',
    "ISBLANK(score)",
    'grade >= "B"',
]


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(
        st.sampled_from(["num", "text", "date", "bool"] + (["and", "not"] if depth < 2 else []))
    )
    if kind == "num":
        op = draw(st.sampled_from([">", "<", "=", ">="]))
        return f"{draw(st.sampled_from(NUMBER_TERMS))} {op} {draw(st.sampled_from(NUMBER_TERMS))}"
    if kind == "text":
        return f"{draw(st.sampled_from(TEXT_TERMS))} = {draw(st.sampled_from(TEXT_TERMS))}"
    if kind == "date":
        return f"{draw(st.sampled_from(DATE_TERMS))} > {draw(st.sampled_from(DATE_TERMS))}"
    if kind == "and":
        op = draw(st.sampled_from(["and", "or", "&&", "||"]))
        return f"({draw(conditions(depth + 1))}) {op} ({draw(conditions(depth + 1))})"
    if kind == "not":
        return f"not ({draw(conditions(depth + 1))})"
    return draw(st.sampled_from(BOOL_TERMS))


@st.composite
def rule_files(draw: st.DrawFn) -> str:
    lines = [
        "object prospect { " + " ".join(f"{k}: {v}" for k, v in FIELDS.items()) + " }",
        LEAD.strip(),
        "field email { lead: Email }",
        "field first_name { lead: FirstName }",
        "field score { lead: NumberOfEmployees }",
    ]
    for index in range(draw(st.integers(0, 3))):
        lines.append(f"stage S{index} when {draw(conditions())}")
    if draw(st.booleans()):
        lines.append(f"create lead when {draw(conditions())}")
    if draw(st.booleans()):
        lines.append(f'validation V on lead {{ error_if: {draw(conditions())} message: "v" }}')
    text = "\n".join(lines) + "\n"
    return draw(mutated(text))


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """The text, or the text cut, or with a hostile snippet spliced in."""
    how = draw(st.sampled_from(["same", "same", "same", "cut", "splice"]))
    if how == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if how == "splice":
        at = draw(st.integers(0, len(text)))
        junk = draw(
            st.sampled_from(
                ["{", "}", '"', "\0", "((((((((", "\\ud800", "١٢", "&&", "\n\n", "#", "/*", "é"]
            )
        )
        return text[:at] + junk + text[at:]
    return text


VALUES = {
    "email": st.sampled_from(["a@example.com", "", "A@EXAMPLE.COM", "not-an-email"]),
    "first_name": st.sampled_from(["Ada", "a" * 40 + "b", "", "ü" * 50, "aaa"]),
    "score": st.sampled_from(
        [5, 0, -1, 1.5, "12345678901234567890123456789", "1.5e300", "lots", None]
    ),
    "grade": st.sampled_from(["A", "B+", "Z", None]),
    "seen": st.sampled_from(["2026-01-01", "9999-12-15", "0001-01-01", "2026-13-01", None]),
    "stamp": st.sampled_from(
        [
            "2026-01-01T10:00:00Z",
            "9999-12-31T23:00:00-05:00",
            "0001-01-01T00:00:00+05:00",
            "nope",
            None,
        ]
    ),
    "opted": st.sampled_from([True, False, "yes", None]),
}


@st.composite
def record_sets(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text) of a record set in YAML or JSON."""
    prospects = []
    for index in range(draw(st.integers(0, 4))):
        record: dict[str, object] = {"id": draw(st.sampled_from([f"p{index}", f"p{index}\ud800"]))}
        for name, values in VALUES.items():
            if draw(st.booleans()):
                record[name] = draw(values)
        prospects.append(record)
    leads = (
        [{"Id": "00QSR0000000001", "Email": "a@example.com", "LastName": "L", "Company": "C"}]
        if draw(st.booleans())
        else []
    )
    doc = {"prospects": prospects, "leads": leads}
    if draw(st.booleans()):
        return "records.json", json.dumps(doc)  # lone surrogates stay \ud800 escapes
    text = (
        "prospects:\n"
        + "".join(
            "  - {" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in r.items()) + "}\n"
            for r in prospects
        )
        + "leads: "
        + json.dumps(leads)
        + "\n"
    )
    return "records.yaml", draw(mutated(text))


COMMANDS = [
    ["check", "{rules}"],
    ["lint", "{rules}", "--format", "sarif"],
    ["fmt", "--check", "{rules}"],
    [
        "dry-run",
        "{rules}",
        "--records",
        "{records}",
        "--format",
        "json",
        "--now",
        "2026-11-23T12:00:00Z",
    ],
    ["run", "{rules}", "--records", "{records}", "--out", "{out}", "--now", "2026-11-23T12:00:00Z"],
]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rule_files(), record_sets())
def test_no_input_reaches_the_internal_error_branch(
    capsys: pytest.CaptureFixture[str], rules_text: str, records: tuple[str, str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        rules = Path(folder) / "rules.sync"
        rules.write_text(rules_text, encoding="utf-8", errors="surrogatepass")
        records_path = Path(folder) / records[0]
        records_path.write_text(records[1], encoding="utf-8", errors="surrogatepass")
        for command in COMMANDS:
            argv = [
                part.format(rules=rules, records=records_path, out=Path(folder) / "out")
                for part in command
            ]
            results = []
            for _ in range(2 if command[0] == "dry-run" else 1):
                code = main(argv)
                captured = capsys.readouterr()
                results.append((code, captured.out, captured.err))
            code, out, err = results[0]
            assert code in (0, 1, 2), (argv, code)
            assert "internal error" not in err, (argv, rules_text, records)
            assert "Traceback" not in out + err, (argv, err)
            assert all(r == results[0] for r in results), argv  # deterministic
