"""engine/records/nodes.py: a YAML file as located plain nodes (what rule tests read), and
nodes written back as a record set the records loader reads as written."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.model import CheckedRules
from engine.files import InputError
from engine.records.load import load_records_text
from engine.records.nodes import (
    MergeError,
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
    read_yaml,
    records_text,
)

DOCUMENT = """\
name: Ada
zip: 02134
quoted: "12"
when: 2026-11-01T10:00:00Z
bad_day: 2026-13-01
nothing: ~
items:
  - 1
  - [a, b]
"""


def _mapping(node: YamlNode | None) -> YamlMapping:
    assert isinstance(node, YamlMapping)
    return node


def _by_key(node: YamlMapping) -> dict[str, YamlNode]:
    pairs = {}
    for key, value in node.merged():
        assert isinstance(key, YamlScalar)
        pairs[key.text] = value
    return pairs


def _scalar(node: YamlNode) -> YamlScalar:
    assert isinstance(node, YamlScalar)
    return node


def test_scalars_keep_their_text_value_and_typed_text() -> None:
    values = _by_key(_mapping(read_yaml("t.yaml", DOCUMENT)))
    name, zip_code = _scalar(values["name"]), _scalar(values["zip"])
    quoted = _scalar(values["quoted"])
    assert (name.text, name.value, name.typed_text, name.null) == ("Ada", "Ada", None, False)
    assert (zip_code.text, zip_code.value, zip_code.typed_text) == ("02134", 2134, "02134")
    assert (quoted.value, quoted.typed_text, quoted.style) == ("12", None, '"')
    assert _scalar(values["when"]).value == dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC)
    bad_day = _scalar(values["bad_day"])  # looks like a date, is none: the text, untyped
    assert (bad_day.value, bad_day.typed_text) == ("2026-13-01", None)
    assert _scalar(values["nothing"]).null


def test_every_node_has_its_line() -> None:
    root = _mapping(read_yaml("t.yaml", DOCUMENT))
    assert root.line == 1
    assert [_scalar(key).line for key, _ in root.pairs] == [1, 2, 3, 4, 5, 6, 7]
    items = _by_key(root)["items"]
    assert isinstance(items, YamlSequence)
    assert [item.line for item in items.items] == [8, 9]
    assert isinstance(items.items[1], YamlSequence)


def test_an_empty_file_is_none() -> None:
    assert read_yaml("t.yaml", "# nothing\n") is None


def test_a_syntax_error_is_located() -> None:
    with pytest.raises(InputError) as caught:
        read_yaml("t.yaml", "a: 1\n  b: 2\n")
    assert str(caught.value).startswith("t.yaml:2:4: invalid YAML: mapping values are not allowed")


def test_an_alias_is_the_node_its_anchor_names() -> None:
    values = _by_key(_mapping(read_yaml("t.yaml", "a: &x {k: 1}\nb: *x\n")))
    assert values["a"] is values["b"]


def test_pairs_keep_repeated_keys_as_written() -> None:
    root = _mapping(read_yaml("t.yaml", "a: 1\na: 2\n"))
    assert [(_scalar(k).text, _scalar(v).value) for k, v in root.pairs] == [("a", 1), ("a", 2)]


MERGES = """\
base: &base {a: 1, b: 1}
other: &other {b: 2, c: 2}
one:
  <<: *base
  b: 3
many:
  <<: [*base, *other]
  d: 4
"""


def test_merge_keys_put_merged_pairs_first_and_own_keys_last() -> None:
    values = _by_key(_mapping(read_yaml("t.yaml", MERGES)))
    one, many = _mapping(values["one"]), _mapping(values["many"])
    assert [(_scalar(k).text, _scalar(v).value) for k, v in one.merged()] == [
        ("a", 1),
        ("b", 1),
        ("b", 3),
    ]
    # of a list of mappings, the last one's pairs come first (YAML's merge key type)
    assert [_scalar(k).text for k, _ in many.merged()] == ["b", "c", "a", "b", "d"]
    assert [_scalar(k).text for k, _ in many.pairs] == ["<<", "d"]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a:\n  <<: 1\n", 2, "a merge key (<<) takes a mapping or a list of them"),
        ("a:\n  <<: [{x: 1}, 2]\n", 2, "a merge key's list holds mappings only"),
        ("a:\n  <<: {x: 1}\n  <<: {y: 2}\n", 3, 'the merge key "<<" appears twice'),
    ],
)
def test_a_merge_that_cannot_be_resolved_says_where(text: str, line: int, problem: str) -> None:
    node = _by_key(_mapping(read_yaml("t.yaml", text)))["a"]
    with pytest.raises(MergeError) as caught:
        _mapping(node).merged()
    assert (caught.value.line, caught.value.problem) == (line, problem)


RECORDS = """\
prospects:
  - id: p1
    phone: 0049 30 1234
    zip: 02134
    note: "two
      words"
    multi: |
      line one
      line two
  - {id: p2, score: 12}
leads: []
"""


def _lists(text: str) -> list[tuple[str, YamlNode]]:
    return [(_scalar(k).text, v) for k, v in _mapping(read_yaml("t.yaml", text)).pairs]


def test_records_are_written_back_one_per_line_with_their_styles() -> None:
    assert records_text(_lists(RECORDS)) == (
        "prospects:\n"
        '- {id: p1, phone: 0049 30 1234, zip: 02134, note: "two words", multi: "line one\\nline'
        ' two\\n"}\n'
        "- {id: p2, score: 12}\n"
        "leads: []\n"
    )


def test_the_records_loader_reads_what_was_written(rules: CheckedRules) -> None:
    records = load_records_text(records_text(_lists(RECORDS)), "inline", rules)
    first, second = records.prospects
    assert (first.raw["phone"], first.raw["zip"], first.raw["multi"]) == (
        "0049 30 1234",
        "02134",
        "line one\nline two\n",
    )
    assert second.raw == {"id": "p2", "score": 12}
