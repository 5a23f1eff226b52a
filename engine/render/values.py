"""Runtime values as JSON values: numbers stay numbers, dates become ISO text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine.fieldtypes import Value

JsonValue = str | int | float | bool | None


def json_value(value: Value) -> JsonValue:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def write_value(value: Value) -> JsonValue:
    """A value in `to_salesforce` / `to_pardot`: one that blanks a field is null (SPEC §4),
    whatever the field's type (a blank text is "" at run time)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return json_value(value)
