"""A YAML record set read by libyaml (PyYAML's C parser), typed by YAML 1.2 as ruamel types it.

ruamel.yaml reads YAML in pure Python: about 1-2 ms per record, most of a dry-run over a
large export (issue 10). libyaml scans and parses in C, but PyYAML's own loaders type
scalars by YAML 1.1, where `NO` is false and `0051` an octal number: that would corrupt
real exports. So only libyaml's parser is used here; every plain scalar is
typed by ruamel's own YAML 1.2 implicit resolvers (the table `load._parse_yaml` uses), and
numbers, dates and date-times are built by ruamel's safe constructor, so a value read here
is the value the pure path reads.

The document is read from libyaml's events, never composed into a tree of nodes first: a
node tree (each scalar with two marks) took three times the memory of the values it held,
and was most of the peak memory of a large dry-run (issue 10). Keys are shared strings,
one per distinct key, rather than one per record.

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
    from yaml import (  # type: ignore[import-untyped]
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
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
_CACHE_SIZE = 100_000  # tags of plain scalars, built numbers and dates: exports repeat them
_MERGE = _TAG + "merge"


class _Declined(Exception):
    """Something only the pure path reads exactly."""


def available() -> bool:
    return CParser is not None


def read(path: str, text: str) -> Any:
    """The document as `load._YamlReader` reads it, or DECLINED."""
    if CParser is None or any(mark in text for mark in _PURE_ONLY):
        return DECLINED
    try:
        return _Reader(YAML(typ="safe", pure=True).constructor).document(CParser(text))
    except Exception:  # any problem at all (a syntax error, a declined feature): the pure path
        return DECLINED


class _Reader:
    """libyaml's events → the values, lines and texts `load._YamlReader` gives for ruamel's
    nodes. A document is built as its events come, with a stack of the open mappings and
    sequences; a mapping's pending key waits beside it."""

    __slots__ = ("built", "constructor", "keys", "tags")

    def __init__(self, constructor: Any) -> None:
        self.constructor = constructor
        self.tags: dict[str, str] = {}  # a plain scalar's text → its YAML 1.2 tag
        self.built: dict[tuple[str, str, str], Any] = {}  # immutable values only
        self.keys: dict[str, str] = {}  # one string per distinct key

    def document(self, parser: Any) -> Any:
        get = parser.get_event
        get()  # the stream's start
        if isinstance(get(), StreamEndEvent):
            return None  # no document: empty, or only comments
        value = self.node(get)
        get()  # the document's end
        if not isinstance(get(), StreamEndEvent):
            raise _Declined  # a second document: the pure path words it
        return value

    def node(self, get: Any) -> Any:
        """The document's root value; every event up to its end is consumed."""
        event = get()
        if getattr(event, "anchor", None) is not None:
            raise _Declined
        if isinstance(event, ScalarEvent):
            return self.scalar(self.tag(event), event)
        root = self.open(event)
        stack: list[Any] = [root]
        pending: list[tuple[str, int] | None] = [None]  # per open mapping: its key, line
        while stack:
            event = get()
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                pending.pop()
                continue
            if event.anchor is not None:
                raise _Declined  # anchors: the pure path (it warns of one used twice)
            top = stack[-1]
            line = event.start_mark.line + 1
            if isinstance(top, _Map) and pending[-1] is None:
                pending[-1] = (self.key(event, top), line)
                continue
            if len(stack) > _MAX_DEPTH:
                raise _Declined
            tag = self.tag(event) if kind is ScalarEvent else None
            value = self.open(event) if tag is None else self.scalar(tag, event)
            if isinstance(top, _Map):
                key, key_line = pending[-1]  # type: ignore[misc]
                pending[-1] = None
                top[key] = value
                top.key_lines[key] = key_line
                top.texts.pop(key, None)
                if tag is not None and tag != _STR and tag != _NULL and not event.style:
                    top.texts[key] = event.value  # a plain 0051 or 1.50: its text is kept
            else:
                top.append(value)
                top.item_lines.append(line)
            if kind is not ScalarEvent:
                stack.append(value)
                pending.append(None)
        return root

    def open(self, event: Any) -> Any:
        """A mapping or sequence begins (an alias: the pure path)."""
        line = event.start_mark.line + 1
        if isinstance(event, MappingStartEvent):
            return _Map(line)
        if isinstance(event, SequenceStartEvent):
            return _Seq(line)
        raise _Declined  # an alias, or an event out of place

    def key(self, event: Any, mapping: _Map) -> str:
        if not isinstance(event, ScalarEvent):
            raise _Declined  # a key that is not text: the pure path
        text = event.value
        if event.tag == _MERGE or (event.tag in (None, "!") and event.implicit[0] and text == "<<"):
            raise _Declined  # a merge key: the pure path
        key = self.keys.setdefault(text, text)
        if key in mapping and mapping.duplicate is None:
            mapping.duplicate = (key, event.start_mark.line + 1)
        return key

    def tag(self, event: Any) -> str:
        """A scalar's tag: as written, else resolved by YAML 1.2 (plain) or text (quoted)."""
        tag = event.tag
        if tag is not None and tag != "!":
            return str(tag)
        if not event.implicit[0]:
            return _STR
        text = event.value
        found = self.tags.get(text)
        if found is None:
            found = _STR
            for candidate, regexp in _BY_FIRST.get(text[:1], _ANY_FIRST):
                if regexp.match(text):
                    found = str(candidate)
                    break
            if len(self.tags) >= _CACHE_SIZE:
                self.tags.clear()
            self.tags[text] = found
        return found

    def scalar(self, tag: str, event: Any) -> Any:
        if tag == _STR:
            return event.value
        if tag == _NULL:
            return None
        if tag not in _BUILT:
            raise _Declined
        key = (tag, event.value, event.style or "")
        if key in self.built:
            return self.built[key]
        value = self.build(tag, event)
        if len(self.built) >= _CACHE_SIZE:
            self.built.clear()
        self.built[key] = value
        return value

    def build(self, tag: str, event: Any) -> Any:
        text, mark = event.value, event.start_mark
        try:
            value = self.constructor.construct_object(
                RuamelScalar(tag, text, mark, event.end_mark, event.style or None), deep=True
            )
        except (ValueError, TypeError, OverflowError):
            if not event.style:  # e.g. 2026-13-01 looks like a date but is not one
                return text
            raise _Declined from None  # the pure path words it with its line and column
        except Exception:  # a constructor error: the pure path words it
            raise _Declined from None
        if isinstance(value, int) and not isinstance(value, bool) and _LEADING_ZERO.fullmatch(text):
            return text  # 0051 is an id or a code more often than the number 51
        return value
