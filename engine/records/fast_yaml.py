"""A YAML record set read by libyaml (PyYAML's C parser), typed by YAML 1.2 as ruamel types it.

ruamel.yaml reads YAML in pure Python: about 1-2 ms per record, most of a dry-run over a
large export (issue 10). libyaml scans and parses in C, but PyYAML's own loaders type
scalars by YAML 1.1, where `NO` is false and `0051` an octal number: that would corrupt
real exports. So only libyaml's parser and composer are used here; every plain scalar is
typed by ruamel's own YAML 1.2 implicit resolvers (the table `load._parse_yaml` uses), and
numbers, dates and date-times are built by ruamel's safe constructor, so a value read here
is the value the pure path reads.

The fast path declines (returns `DECLINED`) whenever the document needs something only the
pure path does exactly: a `%YAML` directive, line breaks YAML 1.1 and 1.2 count
differently, tabs, anchors and aliases (the pure composer bounds their expansion), merge keys,
tags other than the core schema's, deep nesting, or any error (the pure path words it, with
its line and column). `tests/records/test_fast_yaml.py` reads the same documents both ways.
"""

from __future__ import annotations

from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode as RuamelScalar
from ruamel.yaml.resolver import implicit_resolvers

from engine.records.load import _LEADING_ZERO, _Map, _Seq

try:  # PyYAML's wheels bundle libyaml; without its C extension there is no fast path
    from yaml import MappingNode, ScalarNode, SequenceNode  # type: ignore[import-untyped]
    from yaml._yaml import CParser  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - PyYAML without libyaml
    CParser = None

DECLINED: Final = object()

_TAG = "tag:yaml.org,2002:"
_STR, _NULL = _TAG + "str", _TAG + "null"
_BUILT = frozenset({_TAG + t for t in ("bool", "int", "float", "timestamp")})  # by ruamel
_MAX_DEPTH = 50  # deeper documents go to the pure path, which bounds and words nesting
# directives; NEL, LS, PS (line breaks in YAML 1.1); tabs, which libyaml accepts as
# separators where ruamel refuses them (`a:<TAB>b`)
_PURE_ONLY = ("%", "\x85", "\u2028", "\u2029", "\t")

# ruamel's YAML 1.2 implicit resolvers: first character → [(tag, regexp)], as
# `VersionedResolver.versioned_resolver` builds them for version (1, 2)
_RESOLVERS: dict[Any, list[tuple[str, Any]]] = {}
for _versions, _tag, _regexp, _first in implicit_resolvers:
    if (1, 2) in _versions:
        _firsts: list[Any] = list(_first) if _first else [None]
        for _char in _firsts:
            _RESOLVERS.setdefault(_char, []).append((_tag, _regexp))
_ANY_FIRST = tuple(_RESOLVERS.get(None, []))
_BY_FIRST = {
    first: (*pairs, *_ANY_FIRST) for first, pairs in _RESOLVERS.items() if first is not None
}
_CACHE_SIZE = 100_000  # built numbers and dates by (tag, text, style): exports repeat them


class _Declined(Exception):
    """Something only the pure path reads exactly."""


def available() -> bool:
    return CParser is not None


def read(path: str, text: str) -> Any:
    """The document as `load._YamlReader` reads it, or DECLINED."""
    if CParser is None or any(mark in text for mark in _PURE_ONLY):
        return DECLINED
    try:
        node = _Composer(text).get_single_node()
    except Exception:  # any problem at all is worded by the pure path
        return DECLINED
    if node is None:
        return None
    try:
        return _Reader(YAML(typ="safe", pure=True).constructor).value(node, 0)
    except _Declined:
        return DECLINED


if CParser is not None:

    class _Composer(CParser):  # type: ignore[misc]
        """libyaml's parser and PyYAML's C composer, tagging plain scalars by YAML 1.2."""

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

        def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, regexp in _BY_FIRST.get(value[:1], _ANY_FIRST):
                        if regexp.match(value):
                            return str(tag)
                return _STR
            return _TAG + ("seq" if kind is SequenceNode else "map")


class _Reader:
    """PyYAML nodes → the values, lines and texts `load._YamlReader` gives for ruamel's."""

    __slots__ = ("built", "constructor", "seen")

    def __init__(self, constructor: Any) -> None:
        self.constructor = constructor
        self.seen: set[int] = set()  # an alias is the node it names: seen twice
        self.built: dict[tuple[str, str, str], Any] = {}  # immutable values only

    def value(self, node: Any, depth: int) -> Any:
        if id(node) in self.seen or depth > _MAX_DEPTH:
            raise _Declined
        self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            items = _Seq(node.start_mark.line + 1)
            for item in node.value:
                items.append(self.value(item, depth + 1))
                items.item_lines.append(item.start_mark.line + 1)
            return items
        assert isinstance(node, MappingNode)
        return self.mapping(node, depth)

    def mapping(self, node: Any, depth: int) -> _Map:
        result = _Map(node.start_mark.line + 1)
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _TAG + "merge":
                raise _Declined  # a merge key, or a key that is not text: the pure path
            if key_node.value in seen and result.duplicate is None:
                result.duplicate = (key_node.value, key_node.start_mark.line + 1)
            seen.add(key_node.value)
        for key_node, value_node in node.value:
            key = str(key_node.value)
            result[key] = self.value(value_node, depth + 1)
            result.key_lines[key] = key_node.start_mark.line + 1
            result.texts.pop(key, None)
            if (
                isinstance(value_node, ScalarNode)
                and not value_node.style
                and value_node.tag not in (_STR, _NULL)
            ):
                result.texts[key] = value_node.value
        return result

    def scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag not in _BUILT:
            raise _Declined
        key = (tag, node.value, node.style)
        if key in self.built:
            return self.built[key]
        value = self.build(node)
        if len(self.built) >= _CACHE_SIZE:
            self.built.clear()
        self.built[key] = value
        return value

    def build(self, node: Any) -> Any:
        tag, mark = node.tag, node.start_mark
        try:
            value = self.constructor.construct_object(
                RuamelScalar(tag, node.value, mark, node.end_mark, node.style or None), deep=True
            )
        except (ValueError, TypeError, OverflowError):
            if not node.style:  # e.g. 2026-13-01 looks like a date but is not one
                return node.value
            raise _Declined from None  # the pure path words it with its line and column
        except Exception:  # a constructor error: the pure path words it
            raise _Declined from None
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and _LEADING_ZERO.fullmatch(node.value)
        ):
            return node.value  # 0051 is an id or a code more often than the number 51
        return value
