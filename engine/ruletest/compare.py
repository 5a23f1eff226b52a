"""One prospect's expectation against its dry-run JSON entry (SPEC §4): what differs.

Comparison is on the JSON form `dry-run --format json` prints, so a test reads like the
output users already know: `to_salesforce`/`to_pardot` and `target` are subset matches
(only the fields named), `stages` and `dropped` compare as whole lists, and every other
key compares its one value. A `null` expectation means "this key is absent".
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from engine.fieldtypes import api_key
from engine.ruletest.model import (
    Check,
    DroppedCheck,
    FieldCheck,
    JsonValue,
    Key,
    ProspectExpectation,
    Scalar,
)


class Absent(Enum):
    """A key or field the actual entry does not have (shown as `(absent)`)."""

    ABSENT = "absent"


ABSENT = Absent.ABSENT

# What a mismatch shows: a JSON value (lists and objects for stages, dropped, writes), or
# ABSENT. Kept as plain data so every renderer formats it its own way.
Shown = JsonValue | list[Any] | dict[str, Any] | Absent


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One expectation that does not hold. `key` is the expectation key, dotted for one
    field (`to_salesforce.Company`); `note` replaces expected/actual for problems that are
    not a value (a prospect missing from the records, a formula that failed)."""

    prospect: str | None  # None: about the test as a whole
    key: str
    line: int
    expected: Shown = ABSENT
    actual: Shown = ABSENT
    note: str | None = None
    why: tuple[str, ...] = ()  # for a differing action: what the dry run says caused it


def compare(expectation: ProspectExpectation, entry: Mapping[str, Any] | None) -> list[Mismatch]:
    """Every check of one prospect's expectation that its entry does not meet."""
    prospect = expectation.prospect
    if entry is None:
        return [
            Mismatch(
                prospect,
                "prospect",
                expectation.line,
                note="no prospect with this id in the test's records",
            )
        ]
    found: list[Mismatch] = []
    for check in expectation.checks:
        found.extend(_check(prospect, check, entry))
    return found


def _check(prospect: str, check: Check, entry: Mapping[str, Any]) -> Iterator[Mismatch]:
    key, expected = check.key, check.expected
    actual: Any = entry.get(key.value, ABSENT)
    match key:
        case Key.STAGES:
            assert isinstance(expected, tuple)
            if list(expected) != actual:
                yield Mismatch(prospect, key.value, check.line, list(expected), actual)
        case Key.DROPPED:
            yield from _dropped(prospect, check, [] if actual is ABSENT else actual)
        case Key.TO_SALESFORCE | Key.TO_PARDOT:
            yield from _writes(prospect, check, {} if actual is ABSENT else actual)
        case Key.ACTION:
            assert isinstance(expected, Scalar)
            if not same(expected, actual):
                yield Mismatch(
                    prospect,
                    key.value,
                    check.line,
                    shown(expected, actual),
                    actual,
                    why=tuple(_why(entry)),
                )
        case Key.TARGET if not isinstance(expected, Scalar):
            target = {} if actual is ABSENT else actual
            for field in expected:
                assert isinstance(field, FieldCheck)
                yield from _value(
                    prospect,
                    f"target.{field.name}",
                    field.value,
                    target.get(field.name, ABSENT),
                    field.line,
                )
        case _:
            assert isinstance(expected, Scalar)
            yield from _value(prospect, key.value, expected, actual, check.line)


def _why(entry: Mapping[str, Any]) -> Iterator[str]:
    """The cause of an unexpected action, in the dry run's words."""
    if "reason" in entry:
        yield f"reason: {entry['reason']}"
    if "error_code" in entry:
        rule = f" {entry['rule']}" if entry.get("rule") else ""
        yield f"error: {entry['error_code']}{rule}: {entry.get('message', '')}"
    for drop in entry.get("dropped", []):
        value = json.dumps(drop.get("value"), ensure_ascii=False)
        yield f"dropped: {drop.get('field')} {value} ({drop.get('code')})"


def _value(prospect: str, key: str, expected: Scalar, actual: Any, line: int) -> Iterator[Mismatch]:
    if not same(expected, actual):
        yield Mismatch(prospect, key, line, shown(expected, actual), actual)


def _writes(prospect: str, check: Check, actual: dict[str, Any]) -> Iterator[Mismatch]:
    """Subset match; `{}` expects no writes at all."""
    expected = check.expected
    assert isinstance(expected, tuple)
    if not expected:
        if actual:
            yield Mismatch(prospect, check.key.value, check.line, {}, actual)
        return
    for field in expected:
        assert isinstance(field, FieldCheck)
        if check.key is Key.TO_SALESFORCE:  # Salesforce API names: case-insensitive (SPEC §1)
            name = next((k for k in actual if api_key(k) == api_key(field.name)), field.name)
        else:
            name = field.name
        where = f"{check.key.value}.{field.name}"
        written = actual.get(name, ABSENT)
        if field.value.value == "" and written is None:
            continue  # `""` expects the field written blank, which the plan shows as null
        yield from _value(prospect, where, field.value, written, field.line)


def _dropped(prospect: str, check: Check, actual: list[dict[str, Any]]) -> Iterator[Mismatch]:
    """The whole list, in order; an entry compares only the keys it gives."""
    expected = check.expected
    assert isinstance(expected, tuple)
    drops = [d for d in expected if isinstance(d, DroppedCheck)]
    if len(drops) != len(actual) or not all(map(_same_drop, drops, actual)):
        wanted = [_drop_shown(d) for d in drops]
        yield Mismatch(prospect, check.key.value, check.line, wanted, actual)


def _same_drop(expected: DroppedCheck, actual: dict[str, Any]) -> bool:
    # `field` is a Salesforce API name or a prospect field (SPEC §4); the first is
    # case-insensitive, and prospect fields that differ only in case do not occur
    if api_key(expected.field) != api_key(str(actual.get("field", ""))):
        return False
    if expected.code is not None and expected.code != actual.get("code"):
        return False
    return expected.value is None or same(expected.value, actual.get("value", ABSENT))


def _drop_shown(drop: DroppedCheck) -> dict[str, Any]:
    shown_drop: dict[str, Any] = {"field": drop.field}
    if drop.code is not None:
        shown_drop["code"] = drop.code
    if drop.value is not None:
        shown_drop["value"] = drop.value.value
    return shown_drop


def same(expected: Scalar, actual: Any) -> bool:
    """Whether an expected scalar equals an actual JSON value. `null` expects the key to
    be absent or null; a plain YAML number, boolean or date equals text written the same
    way (`PostalCode: 02134` equals "02134"); booleans never equal numbers."""
    value = expected.value
    if value is None:
        return actual is ABSENT or actual is None
    if actual is ABSENT:
        return False
    if isinstance(actual, str) and not isinstance(value, str) and expected.text is not None:
        return expected.text == actual
    if isinstance(value, bool) or isinstance(actual, bool):
        return isinstance(value, bool) and isinstance(actual, bool) and value == actual
    return bool(value == actual)


def shown(expected: Scalar, actual: Any) -> Shown:
    """The expected value as a mismatch shows it: as written when compared as text."""
    if expected.value is None:
        return None
    if isinstance(actual, str) and not isinstance(expected.value, str) and expected.text:
        return expected.text
    return expected.value
