"""Read rule-test files (docs/rule-tests.md), as located YAML nodes (engine/records/nodes.py).

Every problem is an `InputError` naming the file and line, and what was expected there:

    tests/mql_test.yaml:12: test "gated", prospect p2: unknown key "actoin"; did you mean "action"?
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.files import InputError, read_source
from engine.plan import Action, DropCode, ErrorCode, SkipReason
from engine.records.nodes import (
    MergeError,
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
    read_yaml,
    records_text,
)
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
    node = read_yaml(path, _read_text(path))
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


def _line(node: YamlNode) -> int:
    return node.line


def _kind(node: YamlNode) -> str:
    """What a node is, as a message names it."""
    if isinstance(node, YamlMapping):
        return "a mapping"
    if isinstance(node, YamlSequence):
        return "a list"
    if node.null:
        return "empty"
    return f'"{node.text}"'


def _null(node: YamlNode) -> bool:
    return isinstance(node, YamlScalar) and node.null


def _did_you_mean(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f'; did you mean "{close[0]}"?' if close else f" (known: {', '.join(known)})"


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    line: int
    value: YamlNode


@dataclass(slots=True)
class _Reader:
    """YAML nodes of one test file → the frozen model, with located errors."""

    path: str

    def error(self, line: int, where: str, problem: str) -> InputError:
        prefix = f"{where}: " if where else ""
        return InputError(f"{self.path}:{line}: {prefix}{problem}")

    # -- generic shapes --------------------------------------------------------------------

    def entries(self, node: YamlNode, where: str, what: str) -> list[_Entry]:
        """A mapping's entries in order; keys are their text as written (`0012: …`)."""
        if not isinstance(node, YamlMapping):
            raise self.error(_line(node), where, f"must be {what}, not {_kind(node)}")
        seen: dict[str, int] = {}
        for key_node, _ in node.pairs:
            if not isinstance(key_node, YamlScalar):
                raise self.error(_line(key_node), where, "a key must be text")
            key = key_node.text
            if key in seen and not key_node.merge:
                raise self.error(
                    _line(key_node), where, f'"{key}" appears twice (first at line {seen[key]})'
                )
            seen[key] = _line(key_node)
        try:
            pairs = node.merged()  # `<<: *defaults`, merged keys first
        except MergeError as bad:
            raise self.error(bad.line, where, bad.problem) from None
        entries: dict[str, _Entry] = {}
        for key_node, value_node in pairs:
            assert isinstance(key_node, YamlScalar)  # merged mappings' keys were read as text
            key = key_node.text
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

    def items(self, node: YamlNode, where: str, what: str) -> list[YamlNode]:
        if not isinstance(node, YamlSequence):
            raise self.error(_line(node), where, f"must be {what}, not {_kind(node)}")
        return list(node.items)

    def scalar(self, node: YamlNode, where: str, what: str) -> Scalar:
        if not isinstance(node, YamlScalar):
            raise self.error(_line(node), where, f"must be {what}, not {_kind(node)}")
        # a value YAML cannot build (2026-13-01: not a date) is its text, with no typed text
        return Scalar(_json(node.value), node.typed_text)

    def text(self, node: YamlNode, where: str, what: str) -> str:
        """A non-blank text scalar, as written."""
        if not isinstance(node, YamlScalar) or node.null or not node.text.strip():
            raise self.error(_line(node), where, f"must be {what}, not {_kind(node)}")
        return node.text

    def choice(self, node: YamlNode, where: str, allowed: Sequence[str], what: str) -> Scalar:
        value = self.scalar(node, where, f"{what} ({', '.join(allowed)})")
        if value.value is None:
            return value  # `reason: null`: the key must be absent
        if value.value not in allowed:
            shown = f'"{value.value}"' if isinstance(value.value, str) else value.text
            raise self.error(_line(node), where, f"{shown} is not {what} ({', '.join(allowed)})")
        return value

    # -- the file --------------------------------------------------------------------------

    def test_file(self, node: YamlNode) -> TestFile:
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
        if isinstance(entry.value, YamlSequence):
            written = [self.text(item, "rules", what) for item in entry.value.items]
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

    def now(self, node: YamlNode, where: str) -> dt.datetime:
        value = self.scalar(node, where, _NOW_EXAMPLE).value
        parsed = _datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise self.error(
                _line(node), where, f"{_kind(node)} is not a date and time ({_NOW_EXAMPLE})"
            )
        return parsed

    def records(self, node: YamlNode, where: str) -> RecordsRef:
        if isinstance(node, YamlScalar) and not node.null:
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
        self, node: YamlNode, index: int, now: dt.datetime | None, base: RecordsRef | None
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
        if _null(entry.value):
            return ProspectExpectation(entry.key, (), entry.line)  # `p1:`: only that it exists
        keys = self.known(self.entries(entry.value, where, what), [k.value for k in Key], where)
        checks = tuple(
            Check(Key(key), self.expected(Key(key), item.value, f"{where}, {key}"), item.line)
            for key, item in keys.items()
        )
        return ProspectExpectation(entry.key, checks, entry.line)

    def expected(self, key: Key, node: YamlNode, where: str) -> Expected:
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
                if _null(node):
                    return Scalar(None)
                return self.fields(node, where, "a mapping {object: …, id: …}", TARGET_KEYS)
            case Key.TO_SALESFORCE | Key.TO_PARDOT:
                return self.fields(node, where, "a mapping of fields to values", None)
            case Key.DROPPED:
                items = self.items(node, where, "dropped is a list of {field, code, value}")
                return tuple(self.dropped(item, where) for item in items)
        raise AssertionError(key)  # pragma: no cover - every Key is handled above

    def fields(
        self, node: YamlNode, where: str, what: str, allowed: Sequence[str] | None
    ) -> tuple[FieldCheck, ...]:
        entries = self.entries(node, where, what)
        if allowed is not None:
            self.known(entries, allowed, where)
        return tuple(
            FieldCheck(e.key, self.value(e.value, f"{where}.{e.key}"), e.line) for e in entries
        )

    def value(self, node: YamlNode, where: str) -> Scalar:
        """A field value; a list is a multipicklist, compared as its `;`-joined text."""
        if isinstance(node, YamlSequence):
            parts = [self.text(item, where, "a picklist value") for item in node.items]
            return Scalar(";".join(parts))
        return self.scalar(node, where, "a value (text, number, boolean, date or null)")

    def dropped(self, node: YamlNode, where: str) -> DroppedCheck:
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
    origins: list[LineOrigin] = []
    for entry in entries:
        origins.append(LineOrigin(entry.line))
        if isinstance(entry.value, YamlSequence):
            origins.extend(
                LineOrigin(item.line, tuple(_key_lines(item))) for item in entry.value.items
            )
    text = records_text([(entry.key, entry.value) for entry in entries])
    if len(text.splitlines()) != len(origins):  # pragma: no cover - the emitter's layout
        origins = [LineOrigin(line)] * len(text.splitlines())
    return InlineRecords(text, tuple(origins), tuple(e.key for e in entries), line)


def _key_lines(node: YamlNode) -> Iterator[tuple[str, int]]:
    if isinstance(node, YamlMapping):
        for key, _ in node.pairs:
            if isinstance(key, YamlScalar):
                yield key.text, key.line
