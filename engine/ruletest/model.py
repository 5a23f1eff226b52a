"""Rule tests as read from a test file: cases, their records and what they expect.

    tests:
      - name: an MQL is created as a lead
        records: {users: [...], prospects: [...]}
        expect:
          p1: {action: create_lead, stages: [MQL], to_salesforce: {Company: Acme}}

Everything here is frozen and position-aware (`line` is 1-based in the test file), so the
runner can say where a failing expectation was written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

JsonValue = str | int | float | bool | None


class Key(StrEnum):
    """What an expectation may name: the keys of a `dry-run --format json` entry (SPEC §4)."""

    ACTION = "action"
    REASON = "reason"
    TARGET = "target"
    MATCHED_BY = "matched_by"
    STAGES = "stages"
    TO_SALESFORCE = "to_salesforce"
    TO_PARDOT = "to_pardot"
    DROPPED = "dropped"
    ERROR_CODE = "error_code"
    RULE = "rule"
    MESSAGE = "message"


@dataclass(frozen=True, slots=True)
class Scalar:
    """An expected value: its JSON value (YAML dates and times become ISO text) and, for a
    plain YAML scalar that read as a number, boolean or date, the text as written, so
    `PostalCode: 02134` can still equal the text "02134"."""

    value: JsonValue
    text: str | None = None


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """One named value an expectation cares about: a field of `to_salesforce`/`to_pardot`,
    or `object`/`id` of `target`."""

    name: str
    value: Scalar
    line: int


@dataclass(frozen=True, slots=True)
class DroppedCheck:
    """One expected `dropped` entry; `code` and `value` are compared only when given."""

    field: str
    code: str | None
    value: Scalar | None
    line: int


Expected = Scalar | tuple[str, ...] | tuple[FieldCheck, ...] | tuple[DroppedCheck, ...]


@dataclass(frozen=True, slots=True)
class Check:
    """One key of one prospect's expectation: `action: skip`, `stages: [MQL]` …

    `expected` is a `Scalar` for action, reason, matched_by, error_code, rule and message
    (and for `target: null`), a tuple of stage names for stages, `FieldCheck`s for
    target, to_salesforce and to_pardot, and `DroppedCheck`s for dropped."""

    key: Key
    expected: Expected
    line: int


@dataclass(frozen=True, slots=True)
class ProspectExpectation:
    """What one test expects for one prospect (`p2: {action: skip, reason: gated}`)."""

    prospect: str
    checks: tuple[Check, ...]
    line: int


@dataclass(frozen=True, slots=True)
class RecordsPath:
    """`records: path/to/set`: a record-set file or directory (SPEC §2), already joined
    to the test file's directory."""

    path: str
    line: int


@dataclass(frozen=True, slots=True)
class LineOrigin:
    """Where one line of an inline record set's YAML text was written in the test file:
    the line of the record (or list), and of each of its keys."""

    line: int
    keys: tuple[tuple[str, int], ...] = ()

    def key_line(self, key: str) -> int:
        return next((line for name, line in self.keys if name == key), self.line)


@dataclass(frozen=True, slots=True)
class InlineRecords:
    """A record set written in the test file. `text` is the same record set as YAML text,
    one record per line; `origins[i]` says where line i + 1 of that text was written, so
    a record-set error can name the test file's line."""

    text: str
    origins: tuple[LineOrigin, ...]
    lists: tuple[str, ...]  # the list names given, in order: `users`, `prospects` …
    line: int


RecordsRef = RecordsPath | InlineRecords


@dataclass(frozen=True, slots=True)
class RuleTest:
    """One test: a record set, an optional clock, and expectations per prospect.

    `records` is the test's own record set; its lists replace the file-level `base`
    record set's lists of the same name (either may be None, not both)."""

    file: str
    name: str
    line: int
    now: dt.datetime | None
    base: RecordsRef | None
    records: RecordsRef | None
    expect: tuple[ProspectExpectation, ...]

    @property
    def id(self) -> str:
        """`tests/mql_test.yaml::an MQL is created as a lead`, as pytest names tests."""
        return f"{self.file}::{self.name}"


@dataclass(frozen=True, slots=True)
class TestFile:
    """A test file: the rules it tests (None: the rules given on the command line) and
    its tests in file order."""

    __test__ = False  # not a pytest test class

    path: str
    rules: tuple[str, ...] | None
    rules_line: int | None
    tests: tuple[RuleTest, ...]
