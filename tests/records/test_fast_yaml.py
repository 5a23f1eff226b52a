"""The libyaml path (records/fast_yaml.py) reads what the pure ruamel path reads, or declines.

Each document is read both ways and compared value by value — types included, so `NO`
staying text and `0051` staying `"0051"` are checked, not assumed — with the lines, key
lines and source texts the record builder reports errors with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.files import InputError
from engine.records import fast_yaml, load

pytestmark = pytest.mark.skipif(not fast_yaml.available(), reason="PyYAML without libyaml")


def _shape(value: Any) -> Any:
    """A value with its type and the reader's bookkeeping, comparable with ==."""
    if isinstance(value, load._Map):
        return (
            "map",
            value.line,
            value.duplicate,
            sorted(value.key_lines.items()),
            sorted(value.texts.items()),
            [(key, _shape(item)) for key, item in value.items()],
        )
    if isinstance(value, load._Seq):
        return ("seq", value.line, list(value.item_lines), [_shape(item) for item in value])
    return (type(value).__name__, value)


def _both(text: str) -> tuple[Any, Any]:
    return fast_yaml.read("r.yaml", text), load._parse_yaml_pure("r.yaml", text)


YAML_1_1_TRAPS = """\
prospects:
  - id: p1
    country: NO
    answer: yes
    switch: off
    zip: 0051
    octal: 0o17
    hex: 0x1F
    sexagesimal: 1:30
    phone: +49 0301234
    score: 12
    ratio: 1e3
    half: 0.5
    inf: .inf
    nan: .NaN
    negative: -7
    tilde: ~
    empty:
    null_word: Null
    flag: True
    shout: FALSE
    day: 2026-11-01
    when: 2026-11-01T10:00:00Z
    bad_day: 2026-13-01
    spaced: 2026-11-01 10:00:00
    quoted_number: "12"
    quoted_bool: 'true'
    underscored: 1_000
    colon_in_flow: {url: http://example.com/a, at: "10:00"}
    list: [a, 1, NO, ~]
    block: |
      two
      lines
    folded: >
      one
      line
    tagged_str: !!str 12
    tagged_int: !!int "12"
    tagged_bool: !!bool "true"
    unicode: "caf\\u00e9 — ünï"
"""


def test_yaml_1_1_traps_read_as_the_pure_path_reads_them() -> None:
    fast, pure = _both(YAML_1_1_TRAPS)
    assert fast is not fast_yaml.DECLINED
    assert _shape(fast) == _shape(pure)
    record = fast["prospects"][0]
    assert (record["country"], record["answer"], record["switch"]) == ("NO", "yes", "off")
    assert record["zip"] == "0051"  # YAML 1.1 would read octal 41
    assert (record["octal"], record["ratio"]) == (15, 1000.0)
    assert record["sexagesimal"] == "1:30"  # YAML 1.1 would read 90
    assert record["flag"] is True
    assert record["shout"] is False
    assert record["when"] == dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC)
    assert record["bad_day"] == "2026-13-01"
    assert record.texts["zip"] == "0051"
    assert "country" not in record.texts


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # aliases: the pure composer bounds their expansion
        "a: &x 1\nb: &x 2\n",  # anchors, even unused: ruamel warns of one given twice
        "base: &b {x: 1}\nrecord:\n  <<: *b\n  y: 2\n",  # merge keys
        "%YAML 1.1\n---\na: NO\n",  # a directive: YAML 1.1 typing
        "a: 1\n  b: 2\n",  # a syntax error: the pure path words it with its place
        "a: [1, 2\n",
        "a: !custom 1\n",  # a tag outside the core schema
        "a: !!binary aGk=\n",
        "a: x\x85b: y\n",  # NEL: a line break in YAML 1.1, not in 1.2
        "a:\tb\n",  # a tab after the colon: libyaml reads it, ruamel refuses it
        "---\na: 1\n---\nb: 2\n",  # two documents
        "? [a, b]\n: 1\n",  # a key that is not text
        "a: " + "[" * 60 + "]" * 60 + "\n",  # deep nesting: bounded by the pure path
        'a: "\\ud800"\n',  # a lone surrogate escape
    ],
)
def test_the_fast_path_declines_what_only_the_pure_path_reads_exactly(text: str) -> None:
    assert fast_yaml.read("r.yaml", text) is fast_yaml.DECLINED


def test_a_declined_document_still_loads_through_the_pure_path() -> None:
    value = load._parse_yaml("r.yaml", "base: &b {x: NO}\nrecord:\n  <<: *b\n  y: 0051\n")
    assert (value["record"]["x"], value["record"]["y"]) == ("NO", "0051")


def test_duplicate_keys_are_reported_at_the_same_line() -> None:
    fast, pure = _both("prospects:\n  - id: p1\n    email: a@x\n    email: b@x\n")
    assert fast["prospects"][0].duplicate == ("email", 4)
    assert _shape(fast) == _shape(pure)


def test_an_empty_document_is_none_both_ways() -> None:
    assert _both("") == (None, None)
    assert _both("# only a comment\n") == (None, None)


TOKENS = [
    "NO", "no", "Yes", "ON", "off", "y", "n", "true", "False", "TRUE", "null", "Null", "~",
    "0051", "0", "-0", "+12", "12", "1_000", "0o17", "0x1F", "0b101", "017", "1e3", "1.5e-3",
    ".5", "5.", ".inf", "-.Inf", ".nan", "1:30", "2026-11-01", "2026-11-01T10:00:00Z",
    "2026-11-01 10:00:00.5 +02:00", "2026-13-01", "2026-1-1", "=", "<<x", "a b", "ab-12",
    "café", "p00001", "003A000001", "00Q123", "x@example.com", "12.50", "1,000",
]  # fmt: skip


def _scalar(token: str, style: int) -> str:
    if style == 1:
        return "'" + token.replace("'", "''") + "'"
    if style == 2:
        return '"' + token + '"'
    return token


@st.composite
def _documents(draw: st.DrawFn) -> str:
    records = draw(
        st.lists(
            st.lists(
                st.tuples(
                    st.sampled_from(["id", "email", "score", "zip", "country", "when"]),
                    st.sampled_from(TOKENS),
                    st.integers(0, 2),
                ),
                min_size=1,
                max_size=6,
            ),
            min_size=1,
            max_size=4,
        )
    )
    flow = draw(st.booleans())
    lines = ["prospects:"]
    for fields in records:
        pairs = [(key, _scalar(token, style)) for key, token, style in fields]
        if flow:
            lines.append("  - {" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}")
        else:
            lines.append(f"  - {pairs[0][0]}: {pairs[0][1]}")
            lines.extend(f"    {k}: {v}" for k, v in pairs[1:])
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(_documents())
def test_generated_record_sets_read_the_same_both_ways(text: str) -> None:
    fast = fast_yaml.read("r.yaml", text)
    try:
        pure = load._parse_yaml_pure("r.yaml", text)
    except InputError:  # e.g. `=`, which YAML 1.2 tags as a value no constructor builds
        assert fast is fast_yaml.DECLINED
        return
    if fast is not fast_yaml.DECLINED:
        assert _shape(fast) == _shape(pure)
