"""A YAML file as located nodes, for the engine's other readers of YAML (rule-test files).

The file is composed as a record set is (`load.compose_yaml`: the same bounds on aliases
and nesting, the same worded syntax errors), scalars are typed by YAML 1.2 as records'
are, and what a reader gets is plain data with lines: ruamel.yaml's types stay inside
engine/records (the `ruamel` import contract).

    node = read_yaml("tests/mql_test.yaml", text)
    if isinstance(node, YamlMapping):
        for key, value in node.merged():       # `<<` merge keys resolved
            print(key.line, key.text, value)

`records_text` writes chosen nodes back as a record set, one record per line, for the
records loader to read exactly as written (rule tests' inline records).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.files import InputError
from engine.records.load import compose_yaml

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _MERGE = _TAG + "str", _TAG + "null", _TAG + "merge"


@dataclass(frozen=True, slots=True, eq=False)
class YamlScalar:
    """A scalar: `text` as written (quotes and escapes resolved), `value` as YAML 1.2
    reads it (text, int, float, bool, date, datetime or None; the text when YAML cannot
    build it, as `2026-13-01`), and `typed_text`: the text of a plain scalar that YAML
    read as a number, boolean or date (`PostalCode: 02134`), else None. `tag` and
    `style` (None: plain; `'`, `"`, `|`, `>`) are YAML's, for writing it back."""

    line: int
    text: str
    value: Any
    typed_text: str | None
    tag: str
    style: str | None

    @property
    def null(self) -> bool:
        """`~`, `null` or nothing at all."""
        return self.tag == _NULL

    @property
    def merge(self) -> bool:
        """The merge key `<<`."""
        return self.tag == _MERGE


@dataclass(frozen=True, slots=True, eq=False)
class YamlSequence:
    """A list and its items."""

    line: int
    items: tuple[YamlNode, ...]


@dataclass(frozen=True, slots=True, eq=False)
class YamlMapping:
    """A mapping's pairs as written: keys may repeat, `<<` merge keys included."""

    line: int
    pairs: tuple[tuple[YamlNode, YamlNode], ...]

    def merged(self) -> tuple[tuple[YamlNode, YamlNode], ...]:
        """The pairs with merge keys resolved as YAML's merge key type says (and ruamel
        does): the merged mappings' pairs first (of a list of them, the last one's first),
        then the mapping's own, so a later own key overrides a merged one. Raises
        `MergeError` for a merge key whose value is not a mapping or list of mappings."""
        if not any(isinstance(key, YamlScalar) and key.merge for key, _ in self.pairs):
            return self.pairs
        merged: list[tuple[YamlNode, YamlNode]] = []
        own: list[tuple[YamlNode, YamlNode]] = []
        for key, value in self.pairs:
            if not (isinstance(key, YamlScalar) and key.merge):
                own.append((key, value))
                continue
            if merged:
                raise MergeError(key.line, 'the merge key "<<" appears twice')
            if isinstance(value, YamlMapping):
                merged.extend(value.merged())
            elif isinstance(value, YamlSequence):
                parts = [_merged_part(item) for item in value.items]
                for part in reversed(parts):
                    merged.extend(part)
            else:
                raise MergeError(value.line, "a merge key (<<) takes a mapping or a list of them")
        return (*merged, *own)


YamlNode = YamlScalar | YamlSequence | YamlMapping


class MergeError(Exception):
    """A merge key that cannot be resolved; the reader says where, in its own words."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _merged_part(item: YamlNode) -> tuple[tuple[YamlNode, YamlNode], ...]:
    if not isinstance(item, YamlMapping):
        raise MergeError(item.line, "a merge key's list holds mappings only")
    return item.merged()


def read_yaml(path: str, text: str) -> YamlNode | None:
    """One YAML document as nodes (None: the file holds none); a syntax error, an alias
    bomb or deep nesting is a located InputError, as for a record set."""
    try:
        node = compose_yaml(path, text)
        return None if node is None else _Nodes().view(node)
    except RecursionError:
        raise InputError(f"{path}: invalid YAML: nested too deeply") from None


class _Nodes:
    """ruamel nodes → plain nodes; an aliased node becomes one shared plain node."""

    def __init__(self) -> None:
        self.constructor = YAML(typ="safe", pure=True).constructor
        self.done: dict[int, YamlNode] = {}

    def view(self, node: Node) -> YamlNode:
        found = self.done.get(id(node))
        if found is not None:
            return found
        line = int(node.start_mark.line) + 1
        made: YamlNode
        if isinstance(node, MappingNode):
            made = YamlMapping(line, tuple((self.view(k), self.view(v)) for k, v in node.value))
        elif isinstance(node, SequenceNode):
            made = YamlSequence(line, tuple(self.view(item) for item in node.value))
        else:
            assert isinstance(node, ScalarNode)
            made = self.scalar(node, line)
        self.done[id(node)] = made
        return made

    def scalar(self, node: ScalarNode, line: int) -> YamlScalar:
        text, tag, style = str(node.value), str(node.tag), node.style
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError, YAMLError):
            return YamlScalar(line, text, text, None, tag, style)  # 2026-13-01: the text
        typed = text if style is None and tag not in (_STR, _NULL) else None
        return YamlScalar(line, text, value, typed, tag, style)


def records_text(lists: Sequence[tuple[str, YamlNode]]) -> str:
    """A record set's YAML text from nodes: each list's records one per line (in flow
    style, line breaks in text escaped), every scalar with its tag and style as written
    so the records loader reads exactly what was written (`phone: 0049…` stays text);
    a node used twice (an alias) is written with an anchor."""
    written = _Written()
    pairs: list[tuple[Node, Node]] = []
    for name, value in lists:
        if isinstance(value, YamlSequence) and value.items:
            items = [written.node(item) for item in value.items]
            pairs.append(
                (ScalarNode(_STR, name), SequenceNode(_TAG + "seq", items, flow_style=False))
            )
        else:
            pairs.append((ScalarNode(_STR, name), written.node(value)))
    yaml = YAML(typ="safe", pure=True)
    yaml.width = 2**30  # never fold a line: one record per line
    stream = io.StringIO()
    yaml.serialize(MappingNode(_TAG + "map", pairs, flow_style=False), stream)
    return stream.getvalue()


class _Written:
    """Plain nodes → ruamel nodes on one line each; one ruamel node per plain node."""

    def __init__(self) -> None:
        self.done: dict[int, Node] = {}

    def node(self, value: YamlNode) -> Node:
        found = self.done.get(id(value))
        if found is not None:
            return found
        made: Node
        if isinstance(value, YamlMapping):
            pairs = [(self.node(k), self.node(v)) for k, v in value.pairs]
            made = MappingNode(_TAG + "map", pairs, flow_style=True)
        elif isinstance(value, YamlSequence):
            made = SequenceNode(_TAG + "seq", [self.node(i) for i in value.items], flow_style=True)
        else:
            broken = "\n" in value.text or "\r" in value.text
            made = ScalarNode(value.tag, value.text, style='"' if broken else value.style)
        self.done[id(value)] = made
        return made
