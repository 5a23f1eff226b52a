"""Read rule-test files (docs/rule-tests.md) with ruamel.yaml.

Every problem is an `InputError` naming the file and line, and what was expected there:

    tests/mql_test.yaml:12: test "gated", prospect p2: unknown key "actoin"; did you mean "action"?
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.files import InputError, read_source
from engine.plan import Action, DropCode, ErrorCode, SkipReason
from engine.records.load import compose_yaml
from engine.ruletest.model import (
    Check,
    DroppedCheck,
    Expected,
    FieldCheck,
    InlineRecords,
    Key,
    LineOrigin,
    ProspectExpectation,
    RecordsPath,
    RecordsRef,
    RuleTest,
    Scalar,
    TestFile,
)

# Test files below a directory (pytest's test_*.py idea, in the YAML world's spelling).
TEST_FILE_PATTERNS = ("*_test.yaml", "*.test.yaml", "*_test.yml", "*.test.yml")
SKIPPED_FOLDERS = frozenset({"node_modules", "venv", "site-packages", "__pycache__"})

FILE_KEYS = ("rules", "now", "records", "tests")
TEST_KEYS = ("name", "now", "records", "expect")
MATCHED_BY = ("crm_id", "email")
TARGET_KEYS = ("object", "id")
DROPPED_KEYS = ("field", "code", "value")
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_NOW_EXAMPLE = "an ISO 8601 date and time, e.g. 2026-11-23T12:00:00Z"


class NoTests(InputError):
    """A directory holds no test files (`test --allow-no-tests` accepts that)."""


def holds_tests(path: str) -> bool:
    """Whether a path is a test file, or a directory with test files below it."""
    if os.path.isdir(path):
        return bool(_test_files_below(path))
    name = os.path.basename(path)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in TEST_FILE_PATTERNS)


def find_test_files(paths: Sequence[str]) -> list[str]:
    """Test files from paths: a file as given, or every `*_test.yaml` / `*.test.yaml`
    (`.yml` too) below a directory, in path order; each file once. Hidden directories
    and installed packages (`.git`, `.venv`, `node_modules` …) are not searched."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            below = _test_files_below(path)
            if not below:
                raise NoTests(
                    f"{path}: no test files (*_test.yaml or *.test.yaml) below this directory"
                )
            found.extend(below)
        elif os.path.exists(path):
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return list(dict.fromkeys(found))


def _test_files_below(directory: str) -> list[str]:
    found: list[str] = []
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = [d for d in subfolders if not _skipped(d)]
        found.extend(
            str(Path(folder, name))
            for name in files
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in TEST_FILE_PATTERNS)
        )
    return sorted(found)


def _skipped(folder: str) -> bool:
    """pytest's `norecursedirs` idea: never tests of ours, and slow to walk."""
    return folder.startswith(".") or folder in SKIPPED_FOLDERS or folder.endswith(".egg-info")


def load_test_file(path: str) -> TestFile:
    """Read and validate one test file; paths in it are joined to its directory."""
    node = _compose(path, _read_text(path))
    reader = _Reader(path)
    if node is None:
        raise InputError(f'{path}:1: the file is empty: a test file needs a "tests" list')
    return reader.test_file(node)


# -- reading -------------------------------------------------------------------------------


def _read_text(path: str) -> str:
    result = read_source(path)
    if result.source is None:
        assert result.diagnostic is not None
        span = result.diagnostic.span
        raise InputError(f"{span.path}:{span.line}:{span.col}: {result.diagnostic.message}")
    return result.source.text


def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


def _compose(path: str, text: str) -> Node | None:
    try:
        return compose_yaml(path, text)
    except RecursionError:
        raise InputError(f"{path}: invalid YAML: nested too deeply") from None


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _kind(node: Node) -> str:
    """What a node is, as a message names it."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "empty"
    return f'"{node.value}"'


def _did_you_mean(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f'; did you mean "{close[0]}"?' if close else f" (known: {', '.join(known)})"


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    line: int
    value: Node


@dataclass(slots=True)
class _Reader:
    """YAML nodes of one test file → the frozen model, with located errors."""

    path: str
    constructor: Any = field(default_factory=lambda: _yaml().constructor)

    def error(self, line: int, where: str, problem: str) -> InputError:
        prefix = f"{where}: " if where else ""
        return InputError(f"{self.path}:{line}: {prefix}{problem}")

    # -- generic shapes --------------------------------------------------------------------

    def entries(self, node: Node, where: str, what: str) -> list[_Entry]:
        """A mapping's entries in order; keys are their text as written (`0012: …`)."""
        if not isinstance(node, MappingNode):
            raise self.error(_line(node), where, f"must be {what}, not {_kind(node)}")
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.error(_line(key_node), where, "a key must be text")
            key = str(key_node.value)
            if key in seen and key_node.tag != _MERGE:
                raise self.error(
                    _line(key_node), where, f'"{key}" appears twice (first at line {seen[key]})'
                )
            seen[key] = _line(key_node)
        if any(key.tag == _MERGE for key, _ in node.value):
            self.constructor.flatten_mapping(node)  # `<<: *defaults`, merged keys first
        entries: dict[str, _Entry] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            entries.pop(key, None)  # the mapping's own key wins over a merged one
            entries[key] = _Entry(key, _line(key_node), value_node)
        return list(entries.values())

    def known(self, entries: list[_Entry], keys: Sequence[str], where: str) -> dict[str, _Entry]:
        for entry in entries:
            if entry.key not in keys:
                raise self.error(
                    entry.line, where, f'unknown key "{entry.key}"{_did_you_mean(entry.key, keys)}'
                )
        return {entry.key: entry for entry in entries}

    def items(self, node: Node, where: str, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(_line(node), where, f"must be {what}, not {_kind(node)}")
        return list(node.value)

    def scalar(self, node: Node, where: str, what: str) -> Scalar:
        if not isinstance(node, ScalarNode):
            raise self.error(_line(node), where, f"must be {what}, not {_kind(node)}")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError, YAMLError):
            return Scalar(str(node.value))  # e.g. 2026-13-01: not a date, so the text
        text = str(node.value) if node.style is None and node.tag not in (_STR, _NULL) else None
        return Scalar(_json(value), text)

    def text(self, node: Node, where: str, what: str) -> str:
        """A non-blank text scalar, as written."""
        if not isinstance(node, ScalarNode) or node.tag == _NULL or not str(node.value).strip():
            raise self.error(_line(node), where, f"must be {what}, not {_kind(node)}")
        return str(node.value)

    def choice(self, node: Node, where: str, allowed: Sequence[str], what: str) -> Scalar:
        value = self.scalar(node, where, f"{what} ({', '.join(allowed)})")
        if value.value is None:
            return value  # `reason: null`: the key must be absent
        if value.value not in allowed:
            shown = f'"{value.value}"' if isinstance(value.value, str) else value.text
            raise self.error(_line(node), where, f"{shown} is not {what} ({', '.join(allowed)})")
        return value

    # -- the file --------------------------------------------------------------------------

    def test_file(self, node: Node) -> TestFile:
        what = 'a mapping with "tests" (and optionally rules, now, records)'
        entries = self.entries(node, "a test file", what)
        # `x-…` keys hold YAML anchors for the tests to share (docker compose's convention)
        top = self.known([e for e in entries if not e.key.startswith("x-")], FILE_KEYS, "")
        if "tests" not in top:
            raise self.error(_line(node), "", 'no "tests": a test file needs a list of tests')
        rules = self.rules(top["rules"]) if "rules" in top else None
        now = self.now(top["now"].value, "now") if "now" in top else None
        base = self.records(top["records"].value, "records") if "records" in top else None
        items = self.items(top["tests"].value, "tests", "a list of tests")
        if not items:
            raise self.error(top["tests"].line, "tests", "the list is empty: add a test")
        tests: list[RuleTest] = []
        names: dict[str, int] = {}
        for index, item in enumerate(items):
            test = self.test(item, index, now, base)
            if test.name in names:
                raise self.error(
                    test.line,
                    f'test "{test.name}"',
                    f"the name is already used by the test at line {names[test.name]}",
                )
            names[test.name] = test.line
            tests.append(test)
        return TestFile(self.path, rules, top["rules"].line if rules else None, tuple(tests))

    def relative(self, path: str) -> str:
        """A path written in the test file, joined to the file's directory."""
        return os.path.normpath(os.path.join(os.path.dirname(self.path), path))

    def rules(self, entry: _Entry) -> tuple[str, ...]:
        what = "a rule file or directory, or a list of them"
        if isinstance(entry.value, SequenceNode):
            written = [self.text(item, "rules", what) for item in entry.value.value]
        else:
            written = [self.text(entry.value, "rules", what)]
        if not written:
            raise self.error(
                entry.line,
                "rules",
                "the list is empty: name a rule file or "
                "directory, or leave rules out to use --rules",
            )
        paths = tuple(self.relative(path) for path in written)
        for path in paths:
            if not os.path.exists(path):
                raise self.error(entry.line, "rules", f"{path}: no such file or directory")
        return paths

    def now(self, node: Node, where: str) -> dt.datetime:
        value = self.scalar(node, where, _NOW_EXAMPLE).value
        parsed = _datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise self.error(
                _line(node), where, f"{_kind(node)} is not a date and time ({_NOW_EXAMPLE})"
            )
        return parsed

    def records(self, node: Node, where: str) -> RecordsRef:
        if isinstance(node, ScalarNode) and node.tag != _NULL:
            path = self.relative(self.text(node, where, "a record-set path"))
            if not os.path.exists(path):
                raise self.error(_line(node), where, f"{path}: no such file or directory")
            return RecordsPath(path, _line(node))
        what = "a record set (a mapping of lists: users, prospects, leads …) or a path to one"
        entries = self.entries(node, where, what)
        if not entries:
            raise self.error(_line(node), where, "the record set is empty")
        return _inline(entries, _line(node))

    # -- one test --------------------------------------------------------------------------

    def test(
        self, node: Node, index: int, now: dt.datetime | None, base: RecordsRef | None
    ) -> RuleTest:
        where = f"test #{index + 1}"
        what = "a mapping with name, records and expect"
        entries = self.entries(node, where, what)
        named = {e.key: e for e in entries}
        if "name" not in named:
            raise self.error(_line(node), where, 'no "name": give the test a name')
        name = self.text(named["name"].value, f"{where}, name", "text")
        where = f'test "{name}"'
        keys = self.known(entries, TEST_KEYS, where)
        own_now = self.now(keys["now"].value, f"{where}, now") if "now" in keys else now
        records = (
            self.records(keys["records"].value, f"{where}, records") if "records" in keys else None
        )
        if records is None and base is None:
            raise self.error(
                _line(node), where, 'no "records": give the test a record set, or give the file one'
            )
        if "expect" not in keys:
            raise self.error(
                _line(node), where, 'no "expect": say what should happen to at least one prospect'
            )
        expect = self.expect(keys["expect"], where)
        return RuleTest(self.path, name, _line(node), own_now, base, records, expect)

    def expect(self, entry: _Entry, where: str) -> tuple[ProspectExpectation, ...]:
        what = "a mapping of prospect ids to what should happen to them"
        entries = self.entries(entry.value, f"{where}, expect", what)
        if not entries:
            raise self.error(
                entry.line,
                f"{where}, expect",
                "is empty: say what should happen to at least one prospect",
            )
        return tuple(self.prospect(e, f"{where}, prospect {e.key}") for e in entries)

    def prospect(self, entry: _Entry, where: str) -> ProspectExpectation:
        what = "a mapping such as {action: skip, reason: gated}"
        if isinstance(entry.value, ScalarNode) and entry.value.tag == _NULL:
            return ProspectExpectation(entry.key, (), entry.line)  # `p1:`: only that it exists
        keys = self.known(self.entries(entry.value, where, what), [k.value for k in Key], where)
        checks = tuple(
            Check(Key(key), self.expected(Key(key), item.value, f"{where}, {key}"), item.line)
            for key, item in keys.items()
        )
        return ProspectExpectation(entry.key, checks, entry.line)

    def expected(self, key: Key, node: Node, where: str) -> Expected:
        match key:
            case Key.ACTION:
                return self.choice(node, where, [a.value for a in Action], "an action")
            case Key.REASON:
                return self.choice(node, where, [r.value for r in SkipReason], "a skip reason")
            case Key.MATCHED_BY:
                return self.choice(node, where, MATCHED_BY, "a match kind")
            case Key.ERROR_CODE:
                return self.choice(node, where, [c.value for c in ErrorCode], "an error code")
            case Key.RULE | Key.MESSAGE:
                return self.scalar(node, where, "text")
            case Key.STAGES:
                items = self.items(node, where, "a list of stage names")
                return tuple(self.text(item, where, "a stage name") for item in items)
            case Key.TARGET:
                if isinstance(node, ScalarNode) and node.tag == _NULL:
                    return Scalar(None)
                return self.fields(node, where, "a mapping {object: …, id: …}", TARGET_KEYS)
            case Key.TO_SALESFORCE | Key.TO_PARDOT:
                return self.fields(node, where, "a mapping of fields to values", None)
            case Key.DROPPED:
                items = self.items(node, where, "dropped is a list of {field, code, value}")
                return tuple(self.dropped(item, where) for item in items)
        raise AssertionError(key)  # pragma: no cover - every Key is handled above

    def fields(
        self, node: Node, where: str, what: str, allowed: Sequence[str] | None
    ) -> tuple[FieldCheck, ...]:
        entries = self.entries(node, where, what)
        if allowed is not None:
            self.known(entries, allowed, where)
        return tuple(
            FieldCheck(e.key, self.value(e.value, f"{where}.{e.key}"), e.line) for e in entries
        )

    def value(self, node: Node, where: str) -> Scalar:
        """A field value; a list is a multipicklist, compared as its `;`-joined text."""
        if isinstance(node, SequenceNode):
            parts = [self.text(item, where, "a picklist value") for item in node.value]
            return Scalar(";".join(parts))
        return self.scalar(node, where, "a value (text, number, boolean, date or null)")

    def dropped(self, node: Node, where: str) -> DroppedCheck:
        what = "a mapping {field: …, code: …, value: …}"
        keys = self.known(self.entries(node, where, what), DROPPED_KEYS, where)
        if "field" not in keys:
            raise self.error(_line(node), where, 'a dropped entry needs "field"')
        name = self.text(keys["field"].value, f"{where}.field", "text")
        code = None
        if "code" in keys:
            chosen = self.choice(
                keys["code"].value, f"{where}.code", [c.value for c in DropCode], "a drop code"
            ).value
            code = str(chosen) if chosen is not None else None
        value = self.value(keys["value"].value, f"{where}.value") if "value" in keys else None
        return DroppedCheck(name, code, value, _line(node))


# -- values ----------------------------------------------------------------------------------


def _json(value: Any) -> str | int | float | bool | None:
    """A constructed YAML scalar as the value a dry-run JSON entry would hold."""
    if isinstance(value, dt.datetime):
        return _iso(_utc(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # pragma: no cover - the safe constructor builds nothing else


def _utc(value: dt.datetime) -> dt.datetime:
    """Naive times are UTC, as in record sets (engine.records.load)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")  # engine.render.values.json_value's form


def _datetime(text: str) -> dt.datetime | None:
    """`now` as written: a date and time, or a date (midnight UTC)."""
    try:
        parsed = dt.datetime.fromisoformat(text.strip().upper())
    except ValueError:
        return None
    return _utc(parsed)


# -- inline record sets ----------------------------------------------------------------------


def _inline(entries: list[_Entry], line: int) -> InlineRecords:
    """An inline record set as YAML text, one record per line, with where each line came
    from. The records loader reads it (see runner.py); YAML anchors, aliases and merge
    keys were resolved by the composer, and scalars keep their text and style, so the
    loader sees exactly what was written (`phone: 0049…` stays text)."""
    pairs: list[tuple[Node, Node]] = []
    origins: list[LineOrigin] = []
    for entry in entries:
        key = ScalarNode(_STR, entry.key)
        value = entry.value
        if isinstance(value, SequenceNode) and value.value:
            for item in value.value:
                _one_line(item)
            value = SequenceNode(value.tag, value.value, flow_style=False)
            origins.append(LineOrigin(entry.line))
            origins.extend(LineOrigin(_line(item), tuple(_key_lines(item))) for item in value.value)
        else:
            _one_line(value)
            origins.append(LineOrigin(entry.line))
        pairs.append((key, value))
    text = _serialize(MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False))
    if len(text.splitlines()) != len(origins):  # pragma: no cover - the emitter's layout
        origins = [LineOrigin(line)] * len(text.splitlines())
    return InlineRecords(text, tuple(origins), tuple(e.key for e in entries), line)


def _one_line(node: Node) -> None:
    """Make a node emit on one line: flow style, and line breaks in text escaped."""
    for each in _walk(node, set()):
        if isinstance(each, MappingNode | SequenceNode):
            each.flow_style = True
        elif isinstance(each, ScalarNode) and ("\n" in each.value or "\r" in each.value):
            each.style = '"'


def _walk(node: Node, seen: set[int]) -> Iterator[Node]:
    if id(node) in seen:  # an alias: the same node twice
        return
    seen.add(id(node))
    yield node
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _walk(key, seen)
            yield from _walk(value, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _walk(item, seen)


def _key_lines(node: Node) -> Iterator[tuple[str, int]]:
    if isinstance(node, MappingNode):
        for key, _ in node.value:
            if isinstance(key, ScalarNode):
                yield str(key.value), _line(key)


def _serialize(node: Node) -> str:
    yaml = _yaml()
    yaml.width = 2**30  # never fold a line: one record per line
    stream = io.StringIO()
    yaml.serialize(node, stream)
    return stream.getvalue()
