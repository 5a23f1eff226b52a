"""Write a record set back (SPEC §4 `run --out`) in the layout and format it was read in.

Each record is written from `raw`, in its original key order, so what the cycle did not
change goes back as it came (SPEC §2: undeclared fields are written back unchanged); the
fields named in `Record.changed` are rendered over it from `values` (or, for link
attributes such as `crm_lead_fid`, from the Record). The same record set always gives the
same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ruamel.yaml import YAML

from engine.fieldtypes import SALESFORCE_OBJECTS, api_key
from engine.files import (
    MAX_RECORD_FILE_BYTES,
    InputError,
    read_regular_file,
    replace_folder,
)
from engine.records.model import (
    LISTS,
    PROSPECT_ATTRIBUTES,
    SALESFORCE_TYPE_NAMES,
    Record,
    RecordSet,
    Value,
)
from engine.records.parquet import render_table

_EXTENSIONS = {
    "yaml": ".yaml",
    "json": ".json",
    "datatree": ".json",
    "csv": ".csv",
    "parquet": ".parquet",
}


def write_records(records: RecordSet, out_dir: str) -> list[str]:
    """Write the record set, every file rendered, into `out_dir` as one set (see
    `files.replace_folder`); returns the paths written."""
    return replace_folder(out_dir, dict(render_records(records)))


def output_files(records: RecordSet) -> dict[str, str | bytes]:
    """File name → content: what `run --out` writes. A file none of whose records the
    cycle touched is the input file's bytes, so its comments, quoting and style stay as
    they were; the other files are rendered (`render_records`)."""
    layout = records.layout
    if layout.single is not None:
        if not any(_touched(r) for items in records.lists.values() for r in items):
            return {layout.single: _input_bytes(layout.root)}
        if layout.single_format == "yaml":
            kept = _round_trip(layout.root, records, _list_order(records), wrapped=True)
            if kept is not None:
                return {layout.single: kept}
        return dict(render_records(records))
    output: dict[str, str | bytes] = {}
    for name in _list_order(records):
        stored = layout.files.get(name)
        if stored is not None and not any(_touched(r) for r in records.get(name)):
            output[stored] = _input_bytes(os.path.join(layout.root, stored))
            continue
        fmt = layout.formats.get(name) or _new_format(records, name)
        if stored is not None and fmt == "yaml":
            path = os.path.join(layout.root, stored)
            kept = _round_trip(path, records, [name], wrapped=name in layout.wrapped)
            if kept is not None:
                output[stored] = kept
                continue
        output[stored or name + _EXTENSIONS[fmt]] = _render_list(records, name, fmt)
    return output


def _round_trip(path: str, records: RecordSet, names: list[str], *, wrapped: bool) -> str | None:
    """A touched YAML file written back through ruamel's round-trip mode: its comments,
    quoting, flow style and indentation stay wherever its records did not change; changed
    fields are set in place and created records appended. None when the file is not laid
    out as its records were read (then it is rendered whole)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.util import load_yaml_guess_indent

    yaml = _round_trip_yaml()
    try:
        text = _input_bytes(path).decode("utf-8-sig")
        _doc, indent, block_indent = load_yaml_guess_indent(text)
        doc = yaml.load(text)
    except Exception:  # the file changed since it was read: render it instead
        return None
    for name in names:
        items = records.get(name)
        if wrapped:
            if not isinstance(doc, CommentedMap):
                return None
            if name not in doc or doc[name] is None:
                doc[name] = CommentedSeq()
            seq = doc[name]
        else:
            seq = doc
        read = [r for r in items if not r.created]
        if not isinstance(seq, CommentedSeq) or len(seq) != len(read):
            return None
        for record, node in zip(read, seq, strict=True):
            if not isinstance(node, CommentedMap):
                return None
            for field_name, value in changed_fields(record):
                key = _raw_key(record, node, field_name)
                node[key] = render_value(value, "yaml", node.get(key))
        seq.extend(render_record(r, "yaml") for r in items if r.created)
    offset = 2 if block_indent is None else block_indent  # no block list yet: dump_yaml's
    yaml.indent(mapping=indent or 2, sequence=max(indent or 2, offset + 2), offset=offset)
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


def _round_trip_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 30
    for kind, represent in (
        (dt.datetime, _represent_datetime),
        (dt.date, _represent_date),
        (Decimal, _represent_decimal),
    ):
        yaml.representer.add_representer(kind, represent)
    return yaml


def _touched(record: Record) -> bool:
    return record.created or bool(record.changed)


def _input_bytes(path: str) -> bytes:
    try:
        return read_regular_file(path, MAX_RECORD_FILE_BYTES)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"{path}: cannot copy the input file unchanged: {reason}") from None


def render_records(records: RecordSet) -> dict[str, str | bytes]:
    """File name → text (bytes for a Parquet file): what `write_records` writes."""
    layout = records.layout
    if layout.single is not None:
        return {layout.single: _render_single(records)}
    rendered: dict[str, str | bytes] = {}
    for name in _list_order(records):
        fmt = layout.formats.get(name) or _new_format(records, name)
        file_name = layout.files.get(name) or name + _EXTENSIONS[fmt]
        rendered[file_name] = _render_list(records, name, fmt)
    return rendered


def _list_order(records: RecordSet) -> list[str]:
    """The lists as they were stored, then lists the cycle filled that were not stored."""
    stored = list(records.layout.files)
    return stored + [name for name in LISTS if name not in stored and records.get(name)]


def _new_format(records: RecordSet, name: str) -> str:
    """A list the input had no file for takes the format of the input's first file."""
    first = next(iter(records.layout.formats.values()), "yaml")
    if first == "datatree" and LISTS[name] not in SALESFORCE_OBJECTS:
        return "json"
    return first


def _render_single(records: RecordSet) -> str:
    fmt = records.layout.single_format or "yaml"
    if fmt == "datatree":
        return dump_json({"records": _datatree_records(_interleaved(records))})
    doc = {
        name: [render_record(r, fmt) for r in records.get(name)] for name in _list_order(records)
    }
    return dump_yaml(doc) if fmt == "yaml" else dump_json(doc)


def _interleaved(records: RecordSet) -> list[Record]:
    """A data-tree file's records in file order; records the cycle created come last."""
    queues = {name: iter(records.get(name)) for name in LISTS}
    ordered = [r for name in records.layout.interleave if (r := next(queues[name], None))]
    for name in LISTS:
        ordered.extend(queues[name])
    return ordered


def _render_list(records: RecordSet, name: str, fmt: str) -> str | bytes:
    items = records.get(name)
    if fmt == "parquet":
        layout = records.layout
        return render_table(
            [render_record(r, fmt) for r in items],
            layout.headers.get(name, ()),
            layout.column_types.get(name, ()),
            layout.files.get(name) or name + ".parquet",
            salesforce=LISTS[name] in SALESFORCE_OBJECTS,
        )
    if fmt == "csv":
        salesforce = LISTS[name] in SALESFORCE_OBJECTS
        return _render_csv(items, records.layout.headers.get(name, ()), salesforce)
    if fmt == "datatree":
        return dump_json({"records": _datatree_records(items)})
    rendered = [render_record(r, fmt) for r in items]
    doc: Any = {name: rendered} if name in records.layout.wrapped else rendered
    return dump_yaml(doc) if fmt == "yaml" else dump_json(doc)


# -- records -------------------------------------------------------------------------------


def render_record(record: Record, fmt: str, reference: str | None = None) -> dict[str, Any]:
    """The record as written in `fmt`: `raw` in its key order with the changed fields
    rendered over it; a created record is its Id, then its changed fields in `values` order
    (in a data-tree file, after an `attributes` block with `reference` as referenceId)."""
    out = _created_head(record, fmt, reference) if record.created else dict(record.raw)
    for name, value in changed_fields(record):
        key = _raw_key(record, out, name)
        out[key] = render_value(value, fmt, out.get(key))
    return out


def _created_head(record: Record, fmt: str, reference: str | None) -> dict[str, Any]:
    if record.object not in SALESFORCE_OBJECTS:
        return {"id": record.id}
    head: dict[str, Any] = {}
    if fmt == "datatree":
        type_name = SALESFORCE_TYPE_NAMES.get(record.object, record.object)
        head["attributes"] = {"type": type_name, "referenceId": reference or record.id}
    head["Id"] = record.id
    return head


def changed_fields(record: Record) -> Iterator[tuple[str, Any]]:
    """(name, value) of every changed field, in `values` order, then changed attributes."""
    left = set(record.changed)
    for name, value in record.values.items():
        if name in left:
            left.discard(name)
            yield name, value
    for key, attribute in _attributes(record):
        if attribute in left or key in left:
            left -= {attribute, key}
            yield key, getattr(record, attribute)
    if left:
        raise ValueError(f"{record.object} {record.id}: changed {sorted(left)} but has no value")


def _attributes(record: Record) -> list[tuple[str, str]]:
    """(key written, Record attribute) of the attributes a cycle may change."""
    if record.object == "prospect":
        return [(name, name) for name in PROSPECT_ATTRIBUTES if name != "id"]
    pairs = [("LastModifiedDate", "updated_at")] if record.object in SALESFORCE_OBJECTS else []
    if record.object == "user":
        pairs += [("groups", "groups"), ("active", "active")]
    return pairs


def _raw_key(record: Record, out: dict[str, Any], name: str) -> str:
    """The key a field is written under: its key in the record as read (Salesforce names
    match case-insensitively, SPEC §1), else its declared name, appended at the end."""
    if record.object in SALESFORCE_OBJECTS:
        wanted = api_key(name)
        return next((key for key in out if api_key(key) == wanted), name)
    return name


def _datatree_records(records: list[Record]) -> list[dict[str, Any]]:
    """Data-tree records; a created record gets a referenceId no record in the file has."""
    used = {_reference(r) for r in records if not r.created}
    counts = Counter(
        SALESFORCE_TYPE_NAMES.get(r.object, r.object) for r in records if not r.created
    )
    rendered: list[dict[str, Any]] = []
    for record in records:
        reference = None
        if record.created:
            type_name = SALESFORCE_TYPE_NAMES.get(record.object, record.object)
            number = counts[type_name] + 1
            while f"{type_name}Ref{number}" in used:
                number += 1
            reference, counts[type_name] = f"{type_name}Ref{number}", number
            used.add(reference)
        rendered.append(render_record(record, "datatree", reference))
    return rendered


def _reference(record: Record) -> str | None:
    attributes = record.raw.get("attributes")
    return attributes.get("referenceId") if isinstance(attributes, dict) else None


# -- values --------------------------------------------------------------------------------


def render_value(value: Value | tuple[str, ...], fmt: str, previous: Any = None) -> Any:
    """A runtime value as `fmt` ("yaml", "json", "datatree", "csv", "parquet") writes it.
    Numbers are ints when whole, else floats in their shortest form (0.1); dates and date-times are
    ISO 8601 (`2026-11-01`, `2026-11-01T10:00:00Z`); blank text stays "" and other blanks
    null. `previous` is the value it replaces: a multipicklist written as a list stays one."""
    if isinstance(value, dt.datetime):
        value = _utc(value)
    if fmt == "csv":
        return render_text(value)
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dt.datetime):
        return value if fmt in ("yaml", "parquet") else iso_datetime(value)
    if isinstance(value, dt.date):
        return value if fmt in ("yaml", "parquet") else value.isoformat()
    if isinstance(value, tuple):
        return ";".join(value) if isinstance(previous, str) else list(value)
    if isinstance(value, str) and isinstance(previous, list):
        return [part for part in value.split(";") if part]
    return value


def render_text(value: Any) -> str:
    """A value as one CSV cell: Data Loader's spelling (true/false, `A;B`, ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        whole = value == value.to_integral_value()
        return str(int(value)) if whole else format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return iso_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(render_text(item) for item in value)
    return str(value)


def _number(value: Decimal) -> int | float | Decimal:
    """A number as YAML, JSON and Parquet write it: an int when whole, else a float in its
    shortest form (Decimal("0.1") → 0.1) — or, with more digits than a float holds
    (-99999999999999999999.5, which as a float is -1e+20), the Decimal itself, written
    with all its digits, as the loader reads it back (records/load.py)."""
    if not value.is_finite():
        return float(value)
    if value == value.to_integral_value():
        return int(value)
    written = float(value)
    return written if Decimal(repr(written)) == value else value


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def iso_datetime(value: dt.datetime) -> str:
    """ISO 8601 with `Z` for UTC; a naive date-time (only ever from `raw`) stays naive."""
    text = value.isoformat()
    if value.tzinfo is not None and value.utcoffset() == dt.timedelta(0):
        text = text.removesuffix("+00:00") + "Z"
    return text


# -- formats -------------------------------------------------------------------------------


def dump_yaml(doc: Any) -> str:
    """Block style, keys in the order given, lines never folded."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 1 << 30
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.sort_base_mapping_type_on_output = False
    # one object written twice (the cycle's time on every created record) stays a plain
    # value each time: no `&id001` anchors in a record set people read and diff
    yaml.representer.ignore_aliases = lambda _data: True
    yaml.representer.add_representer(dt.datetime, _represent_datetime)
    yaml.representer.add_representer(dt.date, _represent_date)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


def _represent_datetime(representer: Any, value: dt.datetime) -> Any:
    # plain `2026-11-01T10:00:00Z`, read back as a timestamp (not a quoted string)
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", iso_datetime(value))


def _represent_date(representer: Any, value: dt.date) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _represent_decimal(representer: Any, value: Decimal) -> Any:
    number = _number(value)
    if isinstance(number, Decimal):  # plain digits, which YAML reads as a float's text
        return representer.represent_scalar("tag:yaml.org,2002:float", format(number, "f"))
    return representer.represent_data(number)


class _Exact(float):
    """A number no float holds, for `dump_json` to write with its own digits."""

    text: str


def dump_json(doc: Any) -> str:
    """`json.dumps(doc, indent=2, ensure_ascii=False)`, through the encoder it uses with an
    indent (the json module's Python one), except that a number with more digits than a
    float holds is written with all of them rather than as the nearest float."""
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, default=_json_default)

    def floatstr(value: float) -> str:
        if isinstance(value, _Exact):
            return value.text
        if value != value or value in (math.inf, -math.inf):
            return {math.inf: "Infinity", -math.inf: "-Infinity"}.get(value, "NaN")
        return float.__repr__(value)

    chunks = json.encoder._make_iterencode(  # type: ignore[attr-defined]
        {},
        encoder.default,
        json.encoder.encode_basestring,
        encoder.indent,
        floatstr,
        encoder.key_separator,
        encoder.item_separator,
        False,
        False,
        True,
    )
    return "".join(chunks(doc, 0)) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        number = _number(value)
        if isinstance(number, Decimal):
            exact = _Exact(number)
            exact.text = format(number, "f")
            return exact
        return number
    if isinstance(value, dt.datetime):
        return iso_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _render_csv(records: list[Record], header: tuple[str, ...], salesforce: bool) -> str:
    """Data Loader CSV: the header as read, new columns appended; one row per record."""
    columns = list(header)
    fold = api_key if salesforce else str
    by_key = {fold(column): column for column in columns}
    rows: list[dict[str, str]] = []
    for record in records:
        row: dict[str, str] = {}
        for key, value in render_record(record, "csv").items():
            column = by_key.setdefault(fold(key), key)
            if column == key and key not in columns:
                columns.append(key)
            row[column] = render_text(value)
        rows.append(row)
    if not columns:
        return ""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return stream.getvalue()
