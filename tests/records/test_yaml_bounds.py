"""A YAML file cannot ask for unbounded memory or time (issue 11): aliases that expand past
a bound, an alias inside the node it names, and nesting past a depth are refused at the
line and column where the file goes too far. Record sets and rule tests share the composer;
both are tried."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine import api
from engine.files import InputError
from engine.records.load import MAX_YAML_DEPTH
from engine.ruletest import load_test_file

RULES = api.check_text("object prospect { email: email score: number }\n", "rules.sync")


def billion_laughs(levels: int) -> str:
    """`l0` holds ten values; each next level aliases the one before ten times."""
    lines = ["x-l0: &l0 [a, a, a, a, a, a, a, a, a, a]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"x-l{level}: &l{level} [{aliases}]")
    return "\n".join(lines) + "\nprospects: []\n"


# (text, line:col where it is refused, words of the message)
CASES = {
    # 10**9 values: refused at the first alias that crosses the bound, on line 6
    "alias bomb": (billion_laughs(9), "6:", "aliases expand to more than 200,000 values"),
    "recursive alias": ("x-a: &a\n  b: *a\nprospects: []\n", "2:6:", "inside the node it names"),
    "deep flow": ("prospects: " + "[" * 5000 + "]" * 5000 + "\n", "1:", "nested more than 100"),
    "deep block": (
        "prospects:\n" + "".join(" " * i + "- \n" for i in range(2, 400)),
        "",
        "nested more than 100",
    ),
}


def _refused(load: object, path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InputError) as raised:
        load(str(path))  # type: ignore[operator]
    assert time.perf_counter() - started < 30  # unbounded: memory or time without end
    return str(raised.value)


@pytest.mark.parametrize("case", CASES)
def test_record_sets_refuse_what_would_not_end(tmp_path: Path, case: str) -> None:
    text, where, words = CASES[case]
    path = tmp_path / "records.yaml"
    message = _refused(lambda p: api.load_records(p, RULES), path, text)
    assert message.startswith(f"{path}:{where}")
    assert words in message


@pytest.mark.parametrize("case", CASES)
def test_rule_tests_refuse_what_would_not_end(tmp_path: Path, case: str) -> None:
    text, where, words = CASES[case]
    path = tmp_path / "bomb_test.yaml"
    message = _refused(load_test_file, path, text.replace("prospects: ", "tests: "))
    assert message.startswith(f"{path}:{where}")
    assert words in message


def test_aliases_and_merge_keys_within_the_bound_still_read(tmp_path: Path) -> None:
    text = (
        "prospects:\n"
        "  - &base {id: p1, email: a@example.com, score: &s 5}\n"
        "  - {<<: *base, id: p2}\n"
        "  - {<<: *base, id: p3, score: *s}\n"
    )
    path = tmp_path / "records.yaml"
    path.write_text(text, encoding="utf-8")
    records = api.load_records(str(path), RULES)
    assert [(p.id, p.email) for p in records.prospects] == [
        ("p1", "a@example.com"),
        ("p2", "a@example.com"),
        ("p3", "a@example.com"),
    ]


def test_nesting_at_the_bound_gets_past_the_composer(tmp_path: Path) -> None:
    depth = MAX_YAML_DEPTH - 1  # the document's mapping is the first level
    text = "prospects: " + "[" * depth + "]" * depth + "\n"
    path = tmp_path / "records.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:  # read in full, then refused for what it is
        api.load_records(str(path), RULES)
    assert "a record is a mapping of fields, not a list" in str(raised.value)
    text = "prospects: " + "[" * (depth + 1) + "]" * (depth + 1) + "\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="nested more than 100 levels deep"):
        api.load_records(str(path), RULES)


def test_json_nesting_is_bounded_alike(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    head = '{"prospects": '
    path.write_text(head + "[" * 150_000 + "]" * 150_000 + "}", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        api.load_records(str(path), RULES)
    # the document's object is the first level: the 100th "[" is the 101st level
    column = len(head) + MAX_YAML_DEPTH
    assert str(raised.value) == (
        f"{path}:1:{column}: invalid JSON: nested more than {MAX_YAML_DEPTH} levels deep"
    )
    path.write_text(head + '[{"x": ' + "[" * 90 + "]" * 90 + "}]}", encoding="utf-8")
    with pytest.raises(InputError, match="record #1 in prospects, field id: missing"):
        api.load_records(str(path), RULES)  # read in full, then refused for its missing id
