"""Read a record set (SPEC §2): YAML, JSON, Salesforce data-tree JSON and Data Loader CSV.

Every problem is an `InputError` (exit 2) whose message names the file, the line where the
format knows it, the record (its id, or its position when it has none) and the field, and
says what was expected:

records.yaml:14: record p3, field score: "lots" is not a number (prospect.score is declared number)
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import json.scanner
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, ScalarEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.check.model import CheckedRules, FieldInfo, ObjectModel
from engine.deep import collector_paused
from engine.fieldtypes import GRADES, SALESFORCE_OBJECTS, FieldType, Kind, api_key
from engine.files import MAX_RECORD_FILE_BYTES, InputError, read_source
from engine.records.model import (
    LISTS,
    OBJECT_LISTS,
    SALESFORCE_TYPES,
    Layout,
    Origin,
    Record,
    RecordSet,
    Value,
)
from engine.records.parquet import read_table
from engine.records.state import StateError, read_state
from engine.source import SourceFile

FORMATS: dict[str, str] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
}
# the formats a file of one list only can have: it is named for its list, in a directory
ONE_LIST = {"csv": "CSV", "parquet": "Parquet"}
LIST_NAMES = ", ".join(LISTS)
TYPE_NAMES = ", ".join(SALESFORCE_TYPES)
# a directory file is named for its list (`leads.csv`) or its Salesforce type (`Lead.json`)
_LIST_BY_STEM: dict[str, str] = {name.casefold(): name for name in LISTS} | {
    type_name.casefold(): OBJECT_LISTS[obj] for type_name, obj in SALESFORCE_TYPES.items()
}

# re.ASCII: only 0-9 are digits (SPEC §3.6), never Arabic-Indic or fullwidth digits
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)  # sign, digits, decimal point
# a YAML float as written, exponent and all: 1.5e3, -.5, 99999999999999999999.5
_EXACT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?",
    re.I | re.ASCII,
)
_LEADING_ZERO = re.compile(r"[+-]?0\d+", re.ASCII)
_UNTYPED = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:null")
_YAML_MERGE = "tag:yaml.org,2002:merge"
_DATETIME_EXAMPLE = "an ISO 8601 date and time, e.g. 2026-11-01T10:00:00Z"


def load_records(path: str, rules: CheckedRules) -> RecordSet:
    """Read a record-set file or directory (SPEC §2), typed by the rule set's declarations."""
    target = Path(path)
    with collector_paused():  # every object read stays alive, and none makes a cycle
        if target.is_dir():
            return _load_directory(path, rules)
        if not target.exists():
            raise InputError(f"{path}: no such file or directory")
        return _load_single(path, rules)


# -- what the readers produce ------------------------------------------------------------


class _Map(dict[str, Any]):
    """A mapping as read, with its line, its keys' lines and the source text of scalars
    that are not plain text (so `phone: 0049…` keeps its zeros), where the format knows."""

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self.duplicate: tuple[str, int | None] | None = None


class _Seq(list[Any]):
    """A YAML sequence with the line of each item."""

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def _item_line(items: list[Any], index: int) -> int | None:
    item = items[index]
    if isinstance(item, _Map) and item.line:
        return item.line
    return items.item_lines[index] if isinstance(items, _Seq) else None


def _plain(value: Any) -> Any:
    """A read value without reader bookkeeping: what `Record.raw` keeps."""
    if isinstance(value, dict):
        plain = dict(value)  # one C-level copy; only nested lists and mappings recurse
        for key, item in value.items():
            if isinstance(item, dict | list):
                plain[key] = _plain(item)
        return plain
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _at(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


# -- reading files -----------------------------------------------------------------------


def _read_text(path: str) -> str:
    result = read_source(path, max_bytes=MAX_RECORD_FILE_BYTES)
    if result.source is None:
        assert result.diagnostic is not None
        span = result.diagnostic.span
        raise InputError(f"{span.path}:{span.line}:{span.col}: {result.diagnostic.message}")
    return result.source.text


def _parse(path: str, fmt: str) -> Any:
    text = _read_text(path)
    try:
        return _parse_yaml(path, text) if fmt == "yaml" else _parse_json(path, text)
    except RecursionError:
        raise InputError(f"{path}: invalid {fmt.upper()}: nested too deeply") from None


def _parse_yaml(path: str, text: str) -> Any:
    from engine.records import fast_yaml  # libyaml, typed as below; or DECLINED

    fast = fast_yaml.read(path, text)
    if fast is not fast_yaml.DECLINED:
        return fast
    return _parse_yaml_pure(path, text)


def _parse_yaml_pure(path: str, text: str) -> Any:
    yaml = YAML(typ="safe", pure=True)
    node = compose_yaml(path, text, yaml)
    if node is None:
        return None
    try:  # constructing scalars can fail too (an unknown tag)
        return _YamlReader(path, yaml.constructor).value(node)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        raise InputError(f"{where}: invalid YAML: {error.problem or error.context}") from None
    except YAMLError as error:
        raise InputError(f"{path}: invalid YAML: {error}") from None


# Bounds on what a YAML file may ask of us (issue 11). Aliases share one node, so an
# "alias bomb" (each level aliasing the one before ten times) is small on disk and
# astronomically large once read: the values aliases stand for are counted as they are met,
# and past the bound the file is refused at the alias. Nesting is bounded too: ruamel's
# composer recurses, and its scanner slows with every open flow collection.
MAX_YAML_DEPTH = 100
MAX_ALIAS_EXPANSION = 200_000


def compose_yaml(path: str, text: str, yaml: YAML | None = None) -> Node | None:
    """YAML text → ruamel's node tree (lines kept); a syntax error is a located InputError
    that also names the likely cause. Rule tests read their files with it too."""
    yaml = yaml or YAML(typ="safe", pure=True)
    yaml.Composer = _BoundedComposer
    yaml.max_depth = MAX_YAML_DEPTH
    try:
        return yaml.compose(text)  # type: ignore[no-any-return]
    except MaxDepthExceededError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        raise InputError(
            f"{where}: invalid YAML: nested more than {MAX_YAML_DEPTH} levels deep"
        ) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        problem = error.problem or error.context
        if error.context and problem.startswith("but "):  # "but found another document"
            problem = f"{error.context}, {problem}"
        plain = _plain_yaml_problem(f"{error.context or ''} {problem}")
        raise InputError(f"{where}: invalid YAML: {problem}{plain}") from None
    except YAMLError as error:
        raise InputError(f"{path}: invalid YAML: {error}") from None


class _BoundedComposer(Composer):
    """ruamel's composer, counting what aliases expand to and refusing an alias to a node
    that contains it (a recursive structure no record or test can be)."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.expanded = 0
        self.open_anchors: list[Any] = []
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, ScalarEvent):
            lone = _SURROGATE.search(event.value)
            if lone is not None:  # "\ud800" alone: no character, and nothing can print it
                raise ComposerError(None, None, _surrogate_message(lone.group()), event.start_mark)
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)  # an undefined alias is an error there
            if event.anchor in self.open_anchors:
                raise ComposerError(
                    None, None, f"alias *{event.anchor} inside the node it names", event.start_mark
                )
            self.expanded += _expanded_size(node, self.sizes)
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise ComposerError(
                    None,
                    None,
                    f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values "
                    "(an alias bomb?); write the values out or use fewer aliases",
                    event.start_mark,
                )
            return node
        anchor = getattr(event, "anchor", None)
        self.open_anchors.append(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self.open_anchors.pop()


def _expanded_size(root: Node, sizes: dict[int, int]) -> int:
    """How many nodes `root` stands for with every alias in it written out (memoized; the
    composer has refused cycles, so the node graph is acyclic)."""
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        if children_done or not children:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


# YAML's parser speaks of tokens; say what usually causes each in an export edited by hand
_YAML_CAUSES = (
    ("expected <block end>", "a line is indented differently from the lines around it"),
    ("mapping values are not allowed", "a value holds ': ' — quote it"),
    ("could not find expected ':'", "a key is missing its ':' (or a quote is not closed)"),
    ("found character '\\t'", "tabs are not allowed for indentation: use spaces"),
    ("while scanning a quoted scalar", "a quoted text is not closed"),
)


def _plain_yaml_problem(problem: str) -> str:
    """`(likely: …)` after a YAML parser message, when the cause is a common one."""
    for needle, cause in _YAML_CAUSES:
        if needle in problem:
            return f" (likely: {cause})"
    return ""


@dataclass(slots=True)
class _YamlReader:
    """YAML nodes → values with lines; scalars are built by ruamel's safe constructor."""

    path: str
    constructor: Any

    def value(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return self.mapping(node)
        if isinstance(node, SequenceNode):
            items = _Seq(node.start_mark.line + 1)
            for item in node.value:
                items.append(self.value(item))
                items.item_lines.append(item.start_mark.line + 1)
            return items
        assert isinstance(node, ScalarNode)
        return self.scalar(node)

    def mapping(self, node: MappingNode) -> _Map:
        result = _Map(node.start_mark.line + 1)
        own = [key for key, _ in node.value if key.tag != _YAML_MERGE]
        seen: set[str] = set()
        for key_node in own:
            if not isinstance(key_node, ScalarNode):
                continue
            if key_node.value in seen and result.duplicate is None:
                result.duplicate = (key_node.value, key_node.start_mark.line + 1)
            seen.add(key_node.value)
        if len(own) != len(node.value):
            self.constructor.flatten_mapping(node)  # merge keys `<<`: the mapping's own keys win
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                line = key_node.start_mark.line + 1
                raise InputError(f"{self.path}:{line}: invalid key: a key must be text")
            key = str(key_node.value)
            result[key] = self.value(value_node)
            result.key_lines[key] = key_node.start_mark.line + 1
            result.texts.pop(key, None)
            if _is_typed_plain(value_node):
                result.texts[key] = value_node.value
        return result

    def scalar(self, node: ScalarNode) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError):
            if node.style is None:  # e.g. 2026-13-01 looks like a date but is not one
                return node.value
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            raise InputError(
                f"{self.path}:{line}:{col}: invalid YAML: cannot read {node.value!r} as {node.tag}"
            ) from None
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and _LEADING_ZERO.fullmatch(node.value)
        ):
            return node.value  # 0051 is an id or a code more often than the number 51
        return value


def _is_typed_plain(node: Node) -> bool:
    """A plain scalar YAML read as a number, boolean or date: its text is worth keeping."""
    return isinstance(node, ScalarNode) and node.style is None and node.tag not in _UNTYPED


def _parse_json(path: str, text: str) -> Any:
    try:
        return _LocatingDecoder(SourceFile(path, text)).decode(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}"
        ) from None


class _JsonFloat(float):
    """A JSON number with a fraction or an exponent, with its text as written, until
    `_json_map` (or an array) keeps the text beside the plain float."""

    __slots__ = ("text",)
    text: str


class _JsonInt(int):
    """A JSON whole number with its text as written (`-0` has a sign no int keeps)."""

    text: str  # no __slots__: an int subclass cannot have them


def _json_number(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    kind = _JsonFloat if parse is float else _JsonInt

    def written(text: str) -> Any:
        value = kind(parse(text))
        value.text = text
        return value

    return written


def _json_plain(value: Any) -> Any:
    """A JSON value as the rest of the loader sees it: a plain float or int."""
    kind = type(value)
    if kind is _JsonFloat:
        return float(value)
    if kind is _JsonInt:
        return int(value)
    return value


def _json_map(pairs: list[tuple[str, Any]]) -> _Map:
    result = _Map()
    for key, value in pairs:
        if key in result and result.duplicate is None:
            result.duplicate = (key, None)
        result.texts.pop(key, None)
        if type(value) is _JsonFloat or type(value) is _JsonInt:
            # the number's text, as YAML keeps a plain scalar's: a wide number reaches
            # the plan exactly, as a CSV cell does (`_number`), and a text field keeps it
            result.texts[key] = value.text
            value = _json_plain(value)
        result[key] = value
    return result


class _LocatingDecoder(json.JSONDecoder):
    """json's decoder, noting the line each object starts on (the pure-Python scanner
    calls `parse_object` through the decoder, the C scanner does not)."""

    def __init__(self, source: SourceFile) -> None:
        def number(parse: Callable[[str], Any]) -> Callable[[str], Any]:
            def checked(text: str) -> Any:
                # the pure-Python scanner matches numbers with \d, so `١٢` would be 12:
                # only 0-9 are digits (SPEC §3.6)
                if not text.isascii():
                    line, col = source.position(source.text.find(text))
                    raise InputError(
                        f"{source.path}:{line}:{col}: invalid JSON: {text} is not a number "
                        "(only the digits 0-9 make a number)"
                    )
                return parse(text)

            return checked

        super().__init__(
            object_pairs_hook=_json_map,
            parse_int=number(int),
            parse_float=number(_json_number(float)),
        )
        plain: Callable[..., tuple[_Map, int]] = self.parse_object  # type: ignore[has-type]

        depth = [0]  # open objects and arrays: bounded as YAML's nesting is

        def nested(parse: Callable[..., Any]) -> Callable[..., Any]:
            def parse_nested(s_and_end: tuple[str, int], *args: Any) -> Any:
                depth[0] += 1
                try:
                    if depth[0] > MAX_YAML_DEPTH:
                        raise json.JSONDecodeError(
                            f"nested more than {MAX_YAML_DEPTH} levels deep",
                            s_and_end[0],
                            s_and_end[1] - 1,
                        )
                    return parse(s_and_end, *args)
                finally:
                    depth[0] -= 1

            return parse_nested

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[_Map, int]:
            result, end = plain(s_and_end, *args)
            result.line = source.position(s_and_end[1] - 1)[0]
            return result, end

        plain_array: Callable[..., tuple[list[Any], int]] = self.parse_array  # type: ignore[has-type]

        def parse_array(s_and_end: tuple[str, int], *args: Any) -> tuple[list[Any], int]:
            items, end = plain_array(s_and_end, *args)
            return [_json_plain(item) for item in items], end

        self.parse_object = nested(parse_object)
        self.parse_array = nested(parse_array)
        self.parse_int = number(_json_number(_json_int(source.text)))
        plain_string: Callable[..., tuple[str, int]] = self.parse_string  # type: ignore[has-type]

        def parse_string(text: str, end: int, strict: bool = True) -> tuple[str, int]:
            value, after = plain_string(text, end, strict)
            lone = _SURROGATE.search(value)
            if lone is not None:  # "\ud800" alone: no character, and nothing can print it
                raise json.JSONDecodeError(_surrogate_message(lone.group()), text, end - 1)
            return value, after

        self.parse_string = parse_string
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_NUMBER_DIGITS = 4300  # Python's int/str conversion limit, which guards against DoS


def _surrogate_message(char: str) -> str:
    return f"\\u{ord(char):04x} is half of a UTF-16 surrogate pair, not a character"


def _json_int(text: str) -> Callable[[str], int]:
    def parse_int(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
            raise json.JSONDecodeError(
                f"a number of {len(digits.lstrip('-')):,} digits (at most {MAX_NUMBER_DIGITS:,})",
                text,
                max(text.find(digits), 0),
            )
        return int(digits)

    return parse_int


def _read_csv(path: str, list_name: str) -> tuple[tuple[str, ...], list[_Map]]:
    """A Data Loader export: a header row of API names (line 1), then one record per row."""
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), strict=True)
    header: tuple[str, ...] | None = None
    rows: list[_Map] = []
    last = 0
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num
            if header is None:
                if cells:
                    header = _csv_header(path, line, cells, list_name)
            elif any(cell.strip() for cell in cells):  # blank rows (Excel leaves them) skip
                rows.append(_csv_row(path, line, header, cells, list_name, len(rows)))
    except csv.Error as error:
        raise InputError(f"{path}:{reader.line_num}: invalid CSV: {error}") from None
    return header or (), rows


OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _csv_header(path: str, line: int, cells: list[str], list_name: str) -> tuple[str, ...]:
    names = tuple(cell.strip() for cell in cells)
    if len(names) == 1:  # a spreadsheet's ";"-separated export reads as one column
        for delimiter, word in OTHER_DELIMITERS.items():
            if delimiter in names[0]:
                raise InputError(
                    f"{path}:{line}: the header is one column {_show(names[0])}: the file "
                    f"seems separated by {word} ({delimiter!r}); syncrules reads CSV separated "
                    "by commas, as Data Loader writes it: export again with commas"
                )
    seen: dict[str, str] = {}
    for number, name in enumerate(names, 1):
        if not name:
            raise InputError(f"{path}:{line}: column {number} of the header has no name")
        key = api_key(name) if LISTS[list_name] in SALESFORCE_OBJECTS else name
        if key in seen:
            raise InputError(f'{path}:{line}: column "{name}" appears twice in the header')
        seen[key] = name
    return names


def _csv_row(
    path: str, line: int, header: tuple[str, ...], cells: list[str], list_name: str, index: int
) -> _Map:
    if len(cells) != len(header):
        raise InputError(
            f"{path}:{line}: record #{index + 1} in {list_name}: {len(cells)} "
            f"cells, but the header names {len(header)} columns"
        )
    row = _Map(line)
    row.update(zip(header, cells, strict=True))
    return row


# -- where a record is, for messages -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Place:
    path: str
    within: str  # what its position counts in: the list, or "records" in a data-tree file
    index: int
    line: int | None
    id: str | None = None

    def named(self, record_id: str) -> _Place:
        """This place with its record's id: cheaper than `dataclasses.replace`, per record."""
        return _Place(self.path, self.within, self.index, self.line, record_id)

    def record(self) -> str:
        return f"record {self.id}" if self.id else f"record #{self.index + 1} in {self.within}"

    def error(self, key: str | None, problem: str, line: int | None = None) -> InputError:
        fld = f", field {key}" if key is not None else ""
        return InputError(f"{_at(self.path, line or self.line)}: {self.record()}{fld}: {problem}")


class _Bad(Exception):
    """A value that does not fit; the caller adds where and what was declared."""


@dataclass(slots=True)
class _Ids:
    """One list's ids, to report a duplicate naming both records."""

    seen: dict[str, _Place] = field(default_factory=dict)

    def add(self, place: _Place, record: Record) -> None:
        assert place.id is not None
        first = self.seen.setdefault(place.id, place)
        if first is place:
            return
        key = _id_key(record)
        a = f"#{first.index + 1}" + (f" (line {first.line})" if first.line else "")
        b = f"#{place.index + 1}" + (f" (line {place.line})" if place.line else "")
        raise place.error(key, f"records {a} and {b} in {place.within} have the same id")


# -- single files --------------------------------------------------------------------------


def load_records_text(text: str, path: str, rules: CheckedRules) -> RecordSet:
    """A record set from YAML text that is not a file (rule tests' inline records);
    `path` names it in messages, and lines count within `text`."""
    doc = _parse_yaml(path, text)
    return _from_doc(path, "yaml", doc, rules)


def _load_single(path: str, rules: CheckedRules) -> RecordSet:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt in ONE_LIST:
        ext = Path(path).suffix.lower()
        raise InputError(
            f"{path}: a {ONE_LIST[fmt]} file holds one list: put it in a directory named "
            f"for its list (prospects{ext}, leads{ext}, …) and pass the directory"
        )
    if fmt is None:
        raise InputError(
            f"{path}: not a record-set file: use .yaml, .yml or .json, or a directory of them"
        )
    return _from_doc(path, fmt, _parse(path, fmt), rules)


def _from_doc(path: str, fmt: str, doc: Any, rules: CheckedRules) -> RecordSet:
    name = Path(path).name
    if fmt == "json" and _is_datatree(doc):
        return _load_datatree_file(path, doc, rules)
    lists: dict[str, list[Record]] = {}
    for list_name, items in _top_level(path, doc):
        lists[list_name] = _build_list(rules, list_name, items, path)
    formats = dict.fromkeys(lists, fmt)
    layout = Layout(path, name, dict.fromkeys(lists, name), formats, single_format=fmt)
    return _record_set(lists, layout)


def _record_set(lists: dict[str, list[Record]], layout: Layout) -> RecordSet:
    """Every list is present, empty when the input had none, so a cycle's created records
    (`records.leads.append`) land in the set; `layout.files` still says what was read."""
    for list_name in LISTS:
        lists.setdefault(list_name, [])
    return RecordSet(lists, layout)


def _top_level(path: str, doc: Any) -> Iterator[tuple[str, list[Any]]]:
    if doc is None:
        return
    if not isinstance(doc, dict):
        line = doc.line if isinstance(doc, _Seq) else None
        raise InputError(
            f"{_at(path, line)}: a record set is a mapping of lists ({LIST_NAMES}), "
            f"not {_show(doc)}"
        )
    if isinstance(doc, _Map) and doc.duplicate is not None:
        key, line = doc.duplicate
        raise InputError(f'{_at(path, line or doc.line)}: list "{key}" appears twice')
    for key, value in doc.items():
        line = doc.key_lines.get(key) if isinstance(doc, _Map) else None
        if key not in LISTS:
            raise InputError(
                f'{_at(path, line)}: unknown object "{key}" (a record set holds '
                f"the lists {LIST_NAMES})"
            )
        yield key, _as_list(path, line, key, value)


def _as_list(path: str, line: int | None, name: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{_at(path, line)}: {name} must be a list of records, not {_show(value)}")
    return value


def _build_list(rules: CheckedRules, list_name: str, items: list[Any], path: str) -> list[Record]:
    ids, layouts = _Ids(), _Layouts()
    records: list[Record] = []
    for index, item in enumerate(items):
        place = _Place(path, list_name, index, _item_line(items, index))
        entry = _as_record(item, place)
        record = _build_record(rules, list_name, entry, place, layouts, datatree=False)
        ids.add(place.named(record.id), record)
        records.append(record)
        items[index] = None  # the record keeps what it needs: the entry's memory goes now
    return records


def records_of(
    rules: CheckedRules, list_name: str, path: str, rows: list[tuple[int, dict[str, Any]]]
) -> list[Record]:
    """Records of a list's file typed as `load_records` types them, from some of its rows
    (position in the list, column → cell as the CSV or Parquet reader gives it): the
    direct path (engine/bulk/direct.py) reads a few records this way, never the file."""
    layouts = _Layouts()
    built = []
    for index, cells in rows:
        entry = _Map()
        entry.update(cells)
        built.append(
            _build_record(
                rules, list_name, entry, _Place(path, list_name, index, None), layouts, False
            )
        )
    return built


def _id_key(record: Record) -> str:
    """The key a record's id came from, for messages."""
    if record.object in SALESFORCE_OBJECTS:
        found = next((k for k in record.raw if api_key(k) == "id"), None)
        return found or ("attributes.referenceId" if "attributes" in record.raw else "Id")
    return "id" if "id" in record.raw or "Id" not in record.raw else "Id"


def _as_record(item: Any, place: _Place) -> _Map:
    if not isinstance(item, _Map):
        raise place.error(None, f"a record is a mapping of fields, not {_show(item)}")
    return item


def _no_duplicate_keys(entry: _Map, place: _Place) -> None:
    if entry.duplicate is not None:
        key, line = entry.duplicate
        raise place.error(key, "given twice in one record", line)


# -- Salesforce data-tree JSON -------------------------------------------------------------


def _is_datatree(doc: Any) -> bool:
    return isinstance(doc, dict) and "records" in doc and not any(key in LISTS for key in doc)


def _datatree_items(path: str, doc: _Map) -> list[Any]:
    for key in doc:
        if key != "records":
            raise InputError(
                f'{_at(path, doc.line)}: unknown key "{key}" in a data-tree file '
                f'(it holds only "records")'
            )
    return _as_list(path, doc.line, "records", doc["records"])


def _load_datatree_file(path: str, doc: _Map, rules: CheckedRules) -> RecordSet:
    """One data-tree file: its records go to their lists by `attributes.type`."""
    lists: dict[str, list[Record]] = {}
    ids: dict[str, _Ids] = {}
    interleave: list[str] = []
    layouts = _Layouts()
    items = _datatree_items(path, doc)
    for position, item in enumerate(items):
        place = _Place(path, "records", position, _item_line(items, position))
        entry = _as_record(item, place)
        list_name = _datatree_list(entry, place, None)
        bucket = lists.setdefault(list_name, [])
        record = _build_record(rules, list_name, entry, place, layouts, datatree=True)
        record.origin = replace(record.origin, index=len(bucket))
        ids.setdefault(list_name, _Ids()).add(place.named(record.id), record)
        bucket.append(record)
        interleave.append(list_name)
    name = Path(path).name
    layout = Layout(
        path,
        name,
        dict.fromkeys(lists, name),
        dict.fromkeys(lists, "datatree"),
        single_format="datatree",
        interleave=tuple(interleave),
    )
    return _record_set(lists, layout)


def _datatree_list(entry: _Map, place: _Place, expected: str | None) -> str:
    """The list a data-tree record belongs to; in a per-list file, that file's list."""
    attributes = entry.get("attributes")
    type_name = attributes.get("type") if isinstance(attributes, dict) else None
    if attributes is not None and not isinstance(attributes, dict):
        raise place.error("attributes", f"{_show(attributes)} is not a mapping")
    if type_name is None and expected is not None:
        return expected
    if attributes is None:
        raise place.error("attributes", "missing (a data-tree record needs attributes.type)")
    obj = SALESFORCE_TYPES.get(type_name) if isinstance(type_name, str) else None
    if obj is None:
        raise place.error(
            "attributes.type", f"{_show(type_name)} is not an object syncrules reads ({TYPE_NAMES})"
        )
    list_name = OBJECT_LISTS[obj]
    if expected is not None and list_name != expected:
        raise place.error("attributes.type", f"a {type_name} record in the file of {expected}")
    return list_name


# -- directories ---------------------------------------------------------------------------


def _load_directory(root: str, rules: CheckedRules) -> RecordSet:
    """One file per list (SPEC §2), formats mixed as they come."""
    found = _directory_files(root)
    lists: dict[str, list[Record]] = {}
    files: dict[str, str] = {}
    formats: dict[str, str] = {}
    headers: dict[str, tuple[str, ...]] = {}
    types: dict[str, tuple[str, ...]] = {}
    wrapped: set[str] = set()
    for list_name in LISTS:
        if list_name not in found:
            continue
        file_name = found[list_name]
        path = os.path.join(root, file_name)
        fmt = FORMATS[Path(file_name).suffix.lower()]
        if fmt == "parquet":
            table = read_table(path)
            headers[list_name], types[list_name] = table.columns, table.types
            lists[list_name] = _build_list(rules, list_name, _parquet_rows(table.rows), path)
        elif fmt == "csv":
            headers[list_name], rows = _read_csv(path, list_name)
            lists[list_name] = _build_list(rules, list_name, rows, path)
        else:
            fmt, lists[list_name], is_wrapped = _load_list_doc(path, fmt, list_name, rules)
            if is_wrapped:
                wrapped.add(list_name)
        files[list_name], formats[list_name] = file_name, fmt
    layout = Layout(
        root,
        None,
        files,
        formats,
        headers=headers,
        wrapped=frozenset(wrapped),
        column_types=types,
    )
    return _record_set(lists, layout)


def _parquet_rows(rows: list[dict[str, Any]]) -> list[Any]:
    """Parquet rows as the other readers give records (a Parquet file has no lines: its
    records are named by their ids, else their position)."""
    out: list[Any] = []
    for row in rows:
        entry = _Map()
        entry.update(row)
        out.append(entry)
    return out


def _directory_files(root: str) -> dict[str, str]:
    """List name → file name; a file that is no list, or a list's second file, is an error."""
    try:
        entries = sorted(Path(root).iterdir(), key=lambda p: p.name)
    except OSError as error:
        raise InputError(f"{root}: cannot read: {error.strerror or error}") from None
    found: dict[str, str] = {}
    for entry in entries:
        if entry.name.startswith(".") or entry.is_dir():  # .DS_Store, .gitkeep, subfolders
            continue
        if entry.name == "error_queue.json":  # written beside the records by `run --out`
            continue
        if Path(entry.name).suffix.lower() not in FORMATS:
            continue  # SPEC §2: a README, rule files, notes — not records, so not read
        path = os.path.join(root, entry.name)
        list_name = _LIST_BY_STEM.get(Path(entry.name).stem.casefold())
        if list_name is None:
            raise InputError(
                f"{path}: not a record list: a record-set directory holds one file per "
                f"list ({LIST_NAMES}), as .yaml, .yml, .json, .csv or .parquet; files of "
                "other kinds (a README, rule files) are ignored"
            )
        if list_name in found:
            first = os.path.join(root, found[list_name])
            raise InputError(f"{path}: a second file for {list_name} ({first} holds them)")
        found[list_name] = entry.name
    return found


def _load_list_doc(
    path: str, fmt: str, list_name: str, rules: CheckedRules
) -> tuple[str, list[Record], bool]:
    """A directory's YAML or JSON file: a list, `{list: [...]}` or a data-tree file."""
    doc = _parse(path, fmt)
    if fmt == "json" and _is_datatree(doc):
        return (
            "datatree",
            _build_datatree_list(rules, list_name, _datatree_items(path, doc), path),
            False,
        )
    if doc is None or isinstance(doc, list):
        return fmt, _build_list(rules, list_name, doc or [], path), False
    if isinstance(doc, dict) and list(doc) == [list_name]:
        line = doc.key_lines.get(list_name) if isinstance(doc, _Map) else None
        items = _as_list(path, line, list_name, doc[list_name])
        return fmt, _build_list(rules, list_name, items, path), True
    line = doc.line if isinstance(doc, _Map) else None
    raise InputError(
        f"{_at(path, line)}: expected a list of {list_name} records (or a "
        f'mapping whose only key is "{list_name}"), not {_show(doc)}'
    )


def _build_datatree_list(
    rules: CheckedRules, list_name: str, items: list[Any], path: str
) -> list[Record]:
    ids, layouts = _Ids(), _Layouts()
    records: list[Record] = []
    for index, item in enumerate(items):
        place = _Place(path, list_name, index, _item_line(items, index))
        entry = _as_record(item, place)
        _datatree_list(entry, place, list_name)
        record = _build_record(rules, list_name, entry, place, layouts, datatree=True)
        ids.add(place.named(record.id), record)
        records.append(record)
    return records


# -- records -------------------------------------------------------------------------------


def _build_record(
    rules: CheckedRules,
    list_name: str,
    entry: _Map,
    place: _Place,
    layouts: _Layouts,
    datatree: bool,
) -> Record:
    """One record, typed; `datatree` when it came from a data-tree file."""
    obj = LISTS[list_name]
    folded: dict[str, str] | None = None
    if obj == "prospect":
        record = _prospect(rules.object(obj), entry, place, layouts)
    elif obj in SALESFORCE_OBJECTS:
        record, folded = _salesforce(rules.object(obj), entry, place, layouts, datatree)
    else:
        return _personalization(obj, entry, place)
    try:  # SPEC §2: the connector's state columns, declared or not
        read_state(record, entry, folded)
    except StateError as bad:
        where = place.named(record.id)
        raise where.error(bad.key, bad.problem, entry.key_lines.get(bad.key)) from None
    return record


def _origin(place: _Place) -> Origin:
    return Origin(place.path, place.index, place.line)


def _prospect(model: ObjectModel, entry: _Map, place: _Place, layouts: _Layouts) -> Record:
    record_id = _record_id(
        entry, "id" if "id" in entry else None, place, "id", "every prospect needs an id"
    )
    place = place.named(record_id)
    _no_duplicate_keys(entry, place)
    return Record(
        "prospect",
        record_id,
        _typed_values(model, entry, place, layouts.of(model, entry, place)),
        _plain(entry),
        _origin(place),
        email=_attribute(entry, "email", place) or "",
        assigned_user=_attribute(entry, "assigned_user", place),
        crm_lead_fid=_attribute(entry, "crm_lead_fid", place),
        crm_contact_fid=_attribute(entry, "crm_contact_fid", place),
        updated_at=_datetime_attribute(entry, "updated_at", place),
    )


def _salesforce(
    model: ObjectModel, entry: _Map, place: _Place, layouts: _Layouts, datatree: bool
) -> tuple[Record, dict[str, str]]:
    """A Salesforce record, and its keys by case-folded API name."""
    id_key = next((key for key in entry if api_key(key) == "id"), None)
    if datatree and (id_key is None or _blank(entry[id_key])):
        # sf data export tree leaves Id out: the referenceId names the record instead
        reference = (entry.get("attributes") or {}).get("referenceId")
        need = "a data-tree record needs Id or attributes.referenceId"
        record_id = _id_value(reference, None, "attributes.referenceId", entry.line, place, need)
    else:
        need = f"every {model.name} record needs an Id"
        record_id = _record_id(entry, id_key, place, "Id", need)
    place = place.named(record_id)
    _no_duplicate_keys(entry, place)
    layout = layouts.of(model, entry, place)
    keys = layout.folded
    assert keys is not None
    if datatree:
        _no_nested_records(entry, place)
    record = Record(
        model.name,
        record_id,
        _typed_values(model, entry, place, layout),
        _plain(entry),
        _origin(place),
        updated_at=_datetime_attribute(entry, keys.get("lastmodifieddate"), place),
    )
    if model.name == "user":
        _user_attributes(record, entry, keys, place)
    return record, keys


@dataclass(frozen=True, slots=True)
class _Layout:
    """What the records of one list with one set of keys share (CSV rows all do, YAML
    and JSON records mostly): the declared fields among the keys, each with the key it
    is read from and whether that field keeps text as read; and, on Salesforce objects,
    each key by its case-folded API name."""

    typed: tuple[tuple[str, FieldInfo, bool], ...]
    folded: dict[str, str] | None


class _Layouts:
    """Each distinct layout worked out once per list, not once per record (issue 10)."""

    KEPT = 1_000  # layouts remembered; records with ever-new key sets are laid out each

    def __init__(self) -> None:
        self.known: dict[tuple[str, tuple[str, ...]], _Layout] = {}

    def of(self, model: ObjectModel, entry: _Map, place: _Place) -> _Layout:
        key = (model.name, tuple(entry))
        found = self.known.get(key)
        if found is None:
            found = _Layout(
                tuple(
                    (name, info, info.type.kind not in _TYPED_KINDS)
                    for name in entry
                    if (info := model.get(name)) is not None
                ),
                _salesforce_keys(entry, place) if model.salesforce else None,
            )
            if len(self.known) < self.KEPT:
                self.known[key] = found
        return found


# kinds a read value is converted to; the others (text, email, phone, id …) keep text as read
_TYPED_KINDS = (
    Kind.NUMBER,
    Kind.BOOLEAN,
    Kind.DATE,
    Kind.DATETIME,
    Kind.GRADE,
    Kind.PICKLIST,
    Kind.MULTIPICKLIST,
)


def _salesforce_keys(entry: _Map, place: _Place) -> dict[str, str]:
    """Case-folded key → key; Salesforce API names are case-insensitive (SPEC §1), so two
    keys that differ only in case name one field twice."""
    keys: dict[str, str] = {}
    for key in entry:
        first = keys.setdefault(api_key(key), key)
        if first != key:
            raise place.error(
                key, f"given twice in one record (also as {first})", entry.key_lines.get(key)
            )
    return keys


def _no_nested_records(entry: _Map, place: _Place) -> None:
    for key, value in entry.items():
        if isinstance(value, dict) and "records" in value:
            raise place.error(
                key,
                "nested child records are not supported: export one file "
                "per object (sf data export tree --plan)",
                entry.key_lines.get(key),
            )


def _user_attributes(record: Record, entry: _Map, keys: dict[str, str], place: _Place) -> None:
    """Users' public groups and active flag (SPEC §2); `IsActive` stands in for `active`."""
    groups_key = keys.get("groups")
    if groups_key is not None:
        try:
            record.groups = _groups(entry[groups_key], entry.texts.get(groups_key))
        except _Bad as bad:
            raise place.error(
                groups_key,
                f"{bad} (groups is a list of public group names)",
                entry.key_lines.get(groups_key),
            ) from None
    active_key = keys.get("active") or keys.get("isactive")
    if active_key is not None:
        try:
            record.active = _boolean(entry[active_key], entry.texts.get(active_key), True)
        except _Bad as bad:
            raise place.error(
                active_key, f"{bad} (true or false)", entry.key_lines.get(active_key)
            ) from None


def _personalization(obj: str, entry: _Map, place: _Place) -> Record:
    """Personalization users and accounts (SPEC §6) and AE campaigns: every attribute
    kept as text."""
    id_key = "id" if "id" in entry else "Id" if "Id" in entry else None
    what = _TEXT_RECORDS[obj]
    kind = "personalization" if obj.startswith("personalization") else what
    record_id = _record_id(entry, id_key, place, "id", f"every {what} needs an id")
    place = place.named(record_id)
    _no_duplicate_keys(entry, place)
    values: dict[str, Value] = {}
    for key, value in entry.items():
        try:
            values[key] = _text(value, entry.texts.get(key))
        except _Bad as bad:
            raise place.error(
                key, f"{bad} ({kind} attributes are text)", entry.key_lines.get(key)
            ) from None
    if obj == "field_history":
        _history_entry(values, entry, place)
    return Record(obj, record_id, values, _plain(entry), _origin(place))


def _history_entry(values: dict[str, Value], entry: _Map, place: _Place) -> None:
    """A field history entry (LeadHistory / ContactHistory) names its record, its field
    and when it changed (runtime/history.py reads them)."""
    keys = {k.casefold(): k for k in values}
    parents = [keys[k] for k in ("parentid", "leadid", "contactid") if values.get(keys.get(k, ""))]
    if not parents:
        raise place.error("ParentId", "missing (a field history entry names its record)")
    for need in ("field", "createddate"):
        key = keys.get(need)
        if key is None or not str(values[key] or "").strip():
            name = "Field" if need == "field" else "CreatedDate"
            raise place.error(name, "missing (a field history entry names its field and time)")
    key = keys["createddate"]
    text = str(values[key]).strip()
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise place.error(
            key, f"{text!r} is not an ISO 8601 date-time", entry.key_lines.get(key)
        ) from None


_TEXT_RECORDS = {
    "personalization_user": "personalization user",
    "personalization_account": "personalization account",
    "pardot_campaign": "Account Engagement campaign",
    "queue": "queue",
    "field_history": "field history entry",
}


def _record_id(entry: _Map, key: str | None, place: _Place, name: str, need: str) -> str:
    if key is None:
        raise place.error(name, f"missing ({need})")
    return _id_value(entry[key], entry.texts.get(key), key, entry.key_lines.get(key), place, need)


def _id_value(
    value: Any, text: str | None, key: str, line: int | None, place: _Place, need: str
) -> str:
    if value is None and key == "attributes.referenceId":
        raise place.error("Id", f"missing ({need})", line)
    try:
        record_id = _id_text(value, text)
    except _Bad as bad:
        raise place.error(key, f"{bad} is not an id", line) from None
    if record_id is None:
        raise place.error(key, f"blank ({need})", line)
    return record_id


def _typed_values(
    model: ObjectModel, entry: _Map, place: _Place, layout: _Layout
) -> dict[str, Value]:
    """Declared fields by declared name, typed; undeclared keys stay in `raw` only."""
    values: dict[str, Value] = {}
    texts = entry.texts
    for key, info, as_read in layout.typed:
        value = entry[key]
        if as_read and value.__class__ is str:
            values[info.name] = value  # what `_text` gives a string: no call per value
            continue
        try:
            values[info.name] = _typed_value(info, value, texts.get(key))
        except _Bad as bad:
            declared = f"{model.name}.{info.name} is declared {info.type}"
            raise place.error(key, f"{bad} ({declared})", entry.key_lines.get(key)) from None
    return values


def _attribute(entry: _Map, key: str, place: _Place) -> str | None:
    """A prospect's text attribute: None when absent or blank."""
    if key not in entry:
        return None
    try:
        text = _text(entry[key], entry.texts.get(key))
    except _Bad as bad:
        raise place.error(key, str(bad), entry.key_lines.get(key)) from None
    return text or None


def _datetime_attribute(entry: _Map, key: str | None, place: _Place) -> dt.datetime | None:
    if key is None or key not in entry:
        return None
    try:
        return _datetime(entry[key], entry.texts.get(key))
    except _Bad as bad:
        raise place.error(
            key, f"{bad} ({key} is {_DATETIME_EXAMPLE})", entry.key_lines.get(key)
        ) from None


# -- typing values -------------------------------------------------------------------------


def _typed_value(info: FieldInfo, value: Any, text: str | None = None) -> Value:
    """A read value as its declared type's runtime value (see model.py); `text` is the
    value's source text where the format keeps it. Raises `_Bad` when it does not fit."""
    kind = info.type.kind
    if kind is Kind.NUMBER:
        return _number(value, text)
    if kind is Kind.BOOLEAN:
        return _boolean(value, text, False)
    if kind is Kind.DATE:
        return _date(value, text)
    if kind is Kind.DATETIME:
        return _datetime(value, text)
    if kind is Kind.GRADE:
        return _grade(value, text)
    if kind is Kind.PICKLIST:
        return _picklist(value, text, info.type)
    if kind is Kind.MULTIPICKLIST:
        return _multipicklist(value, text, info.type)
    return _text(value, text)  # text, textarea, email, phone, id, reference: never too long


def _show(value: Any, text: str | None = None) -> str:
    """A value as a message quotes it."""
    if text is not None:
        return text
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return _iso_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} value"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any, text: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if text is not None and not isinstance(value, list | dict):
        return text  # the scalar as written: `phone: 0049 …`, `zip: 02134`
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal | dt.date):
        return _show(value)
    raise _Bad(f"{_show(value)} is not text")


def _id_text(value: Any, text: str | None) -> str | None:
    if isinstance(value, bool | list | dict):
        raise _Bad(_show(value, text))
    if isinstance(value, float) and not math.isfinite(value):  # YAML .inf/.nan, JSON NaN
        raise _Bad(_show(value, text))
    try:
        return _text(value, text).strip() or None
    except _Bad:
        raise _Bad(_show(value, text)) from None


def _number(value: Any, text: str | None) -> Decimal | None:
    if _blank(value):
        return None
    written = text.strip() if text is not None else ""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and _DECIMAL.fullmatch(written):
        # a YAML or JSON number as written (sign, digits, point) is read as a CSV cell
        # is (SPEC §3.6): exactly, -99999999999999999999.5 and 1.10 and -0 alike,
        # never through the float or int it was parsed as
        return Decimal(written)
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        shortest = Decimal(repr(value))  # the float's shortest form: 0.1, never 0.100000000…055
        # with an exponent (1.5e3, which a CSV cell cannot hold): a number with more
        # digits than a float holds keeps the exact value written; one the float holds
        # exactly keeps the float's spelling (1e3 is 1000.0)
        if _EXACT.fullmatch(written) and Decimal(written) != shortest:
            return Decimal(written)
        return shortest
    if isinstance(value, Decimal) and value.is_finite():  # a Parquet DECIMAL column
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return Decimal(value.strip())
    raise _Bad(f"{_show(value, text)} is not a number")


def _boolean(value: Any, text: str | None, blank: bool) -> bool:
    if _blank(value):
        return blank
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "false", "0"):
        return value.strip().lower() in ("true", "1")
    raise _Bad(f"{_show(value, text)} is not a boolean")


def _date(value: Any, text: str | None) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Bad(f"{_show(value, text)} is not a date")


def _datetime(value: Any, text: str | None) -> dt.datetime | None:
    try:
        return _datetime_in_utc(value, text)
    except OverflowError:  # 9999-12-31T23:00:00-05:00 is past year 9999 in UTC
        raise _Bad(f"{_show(value, text)} is out of range in UTC (years 1 to 9999)") from None


def _datetime_in_utc(value: Any, text: str | None) -> dt.datetime | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        parsed = _datetime_text(value)
        if parsed is not None:
            return parsed
    raise _Bad(f"{_show(value, text)} is not a date and time")


@functools.lru_cache(maxsize=4096)
def _datetime_text(value: str) -> dt.datetime | None:
    """A date-time written as text, in UTC; None when it is not one. Exports repeat their
    time stamps (one LastModifiedDate for a whole import): each is parsed once."""
    stripped = value.strip()
    if not _DATETIME.fullmatch(stripped):
        return None
    try:
        return _utc(dt.datetime.fromisoformat(stripped.upper()))
    except ValueError:
        return None


def _utc(value: dt.datetime) -> dt.datetime:
    """Naive date-times are taken as UTC (Salesforce exports are UTC)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _iso_datetime(value: dt.datetime) -> str:
    text = value.isoformat()
    if value.tzinfo is not None and value.utcoffset() == dt.timedelta(0):
        text = text.removesuffix("+00:00") + "Z"
    return text


def _grade(value: Any, text: str | None) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, str) and value.strip() in GRADES:
        return value.strip()
    raise _Bad(f"{_show(value, text)} is not a grade from F to A+")


def _picklist(value: Any, text: str | None, ftype: FieldType) -> str:
    chosen = _text(value, text)
    if chosen and not ftype.allows(chosen):
        raise _Bad(f"{_show(chosen)} is not one of its values")
    return chosen


def _multipicklist(value: Any, text: str | None, ftype: FieldType) -> str:
    """`"A;B"` or a list; kept in the order given (model.py)."""
    if isinstance(value, list):
        parts = [_text(item, None) for item in value]
    else:
        parts = _text(value, text).split(";")
    chosen = [part.strip() for part in parts if part.strip()]
    for part in chosen:
        if not ftype.allows(part):
            raise _Bad(f"{_show(part)} is not one of its values")
    return ";".join(chosen)


def _groups(value: Any, text: str | None) -> tuple[str, ...]:
    if isinstance(value, list):
        parts = [_text(item, None) for item in value]
    else:
        parts = _text(value, text).split(";")
    return tuple(part.strip() for part in parts if part.strip())
