"""What SQL cannot give exactly, given by the reference inside DuckDB.

`sql.py` hosts each boolean expression it cannot compile exactly — `* / ^`, `MOD`, the
date functions, `REGEX` beyond RE2's common ground with Java, the connector user's
`$User`/`$Setup`/`$Permission` values … — in a Python UDF: DuckDB hands it the values the
expression reads (`Leaf`s: fields as their exact text, stages, `assigned`, `ISNEW`, prior
values), and the UDF runs `runtime/evaluate.py` on them, so the answer is the reference's
by construction — its `Decimal` arithmetic, its date rules, its failures and their wording.
It answers `T`, `F`, NULL, or a failure as `sql.Compiler.err` words them. Spark has no such
UDF: the Spark engine declines a program with hosts, naming each (`Host.reason`).

The run's clock is bound here too: `TODAY()` and `NOW()` compile to `$today` and `$now`.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.bulk.sql import FAIL_SEP, Cls, Fail, Host, Leaf, LeafKind, Program, cls_of, lit
from engine.check.model import CheckedRules
from engine.fieldtypes import VType
from engine.records.model import Origin, Record, Value
from engine.runtime.context import Clock, Directory, MergeFields
from engine.runtime.evaluate import EvalError, Missing, Unavailable, evaluate
from engine.source import Span


def bind_clock(program: Program, clock: Clock) -> None:
    """The run's TODAY() and NOW() (`--now`) into the program's queries."""
    today, now = lit(clock.today.isoformat()), lit(clock.now.isoformat())
    for name in ("round_sql", "candidates_sql"):
        text: str = getattr(program, name)
        setattr(program, name, text.replace("$today", today).replace("$now", now))


def register(
    con: Any, program: Program, rules: CheckedRules, clock: Clock, users: Directory
) -> None:
    """Each host's UDF on a DuckDB connection."""
    if program.hosts:
        # DuckDB's create_function needs numpy: without it, an ImportError the CLI words as
        # "install numpy", not DuckDB's InvalidInputException deep in a run
        import numpy  # noqa: F401

    merge = MergeFields(rules, users)
    for host in program.hosts:
        params = ["BOOLEAN" if leaf.boolean else "VARCHAR" for leaf in host.leaves]
        con.create_function(
            host.name,
            _of_arity(evaluator(host, clock, merge), len(params)),
            params,
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )


Key = tuple[LeafKind, str, str]


def evaluator(host: Host, clock: Clock, merge: MergeFields) -> Callable[..., str | None]:
    """The UDF of one host: its leaves' SQL values in, the reference's answer out."""
    keys: list[Key] = [(leaf.kind, leaf.object, leaf.name) for leaf in host.leaves]
    readers = [_reader(leaf) for leaf in host.leaves]

    def run(*args: Any) -> str | None:
        values = {key: read(arg) for key, read, arg in zip(keys, readers, args, strict=True)}
        try:
            result = evaluate(host.expr, _Row(values, clock, merge))
        except Exception as error:  # never silently: the engine declines (a D failure)
            return _failure(Fail.DECLINE, host.expr.span, f"the reference failed: {error}")
        if isinstance(result, EvalError):
            kind = Fail.UNAVAILABLE if isinstance(result, Unavailable) else Fail.ERROR
            return _failure(kind, result.span, result.message)
        if result is None:
            return None
        if not isinstance(result, bool):
            return _failure(Fail.DECLINE, host.expr.span, f"not a boolean: {result!r}")
        return "T" if result else "F"

    return run


def _of_arity(run: Callable[..., str | None], count: int) -> Callable[..., str | None]:
    """`run` as a function of `count` parameters: DuckDB reads a function's arity from its
    signature and counts `*args` as one, so a host reading no leaf (the connector user's
    values alone) or several failed to register ("2 types provided, but the provided
    function takes 1 parameters")."""

    def of_arity(*args: Any) -> str | None:
        return run(*args)

    positional = inspect.Parameter.POSITIONAL_ONLY
    params = [inspect.Parameter(f"leaf{n}", positional) for n in range(count)]
    of_arity.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return of_arity


def untagged(text: str | None) -> Value:
    """sql.tagged's text read back as the value it was."""
    if text is None:
        return None
    tag, body = text[0], text[1:]
    if tag == "b":
        return body == "1"
    if tag == "n":
        return Decimal(body)
    if tag == "d":
        return dt.date.fromisoformat(body)
    if tag == "t":
        return dt.datetime.fromisoformat(body)
    return body


def _failure(kind: Fail, span: Span, message: str) -> str:
    return f"{kind.value}{span.path}:{span.line}:{span.col}{FAIL_SEP}{message}"


def _reader(leaf: Leaf) -> Callable[[Any], Value]:
    """A leaf's SQL value as the reference holds it (runtime/context.field_value)."""
    if leaf.kind is LeafKind.RELATED_MISSING:
        return lambda v: v
    if leaf.kind is LeafKind.RELATED and leaf.field_type is None:
        return untagged
    if leaf.kind is LeafKind.RELATED and leaf.field_type is not None:
        if cls_of(leaf.field_type) is Cls.BOOL:  # 'true', 'false', or NULL: no value
            return lambda v: None if v is None else v == "true"
        if cls_of(leaf.field_type) is Cls.TEXT:
            return lambda v: v  # NULL only when missing: the row's failure then
    if leaf.field_type is None:
        return lambda v: bool(v)
    c = cls_of(leaf.field_type)
    if c is Cls.NUMBER:
        return lambda v: Decimal(v) if v is not None else None
    if c in (Cls.TEXT, Cls.MULTI):
        return lambda v: v if v is not None else ""
    if c is Cls.BOOL:
        return lambda v: bool(v)
    if c is Cls.DATE:
        return lambda v: dt.date.fromisoformat(v) if v is not None else None
    if c is Cls.DATETIME:
        return lambda v: dt.datetime.fromisoformat(v) if v is not None else None
    return lambda v: v  # grades: the text, None when blank


_NOBODY = Record("user", "", {}, {}, Origin("<connector>", 0))


@dataclass(frozen=True, slots=True)
class _Row:
    """The evaluation context of one row: what the host's leaves gave (evaluate.Context)."""

    values: dict[Key, Value]
    clock: Clock
    merge: MergeFields

    @property
    def today(self) -> dt.date:
        return self.clock.today

    @property
    def now(self) -> dt.datetime:
        return self.clock.now

    def field(self, obj: str, name: str) -> Value:
        return self.values[(LeafKind.FIELD, obj, name)]

    def prior(self, obj: str, name: str) -> Value:
        found = self.values.get((LeafKind.PRIOR, obj, name), _ABSENT)
        return self.field(obj, name) if found is _ABSENT else found  # type: ignore[return-value]

    def is_new(self) -> bool:
        return bool(self.values.get((LeafKind.NEW, "", ""), False))

    def stage(self, name: str) -> Value:
        return self.values[(LeafKind.STAGE, "", name)]

    def assigned(self) -> bool:
        return bool(self.values[(LeafKind.ASSIGNED, "", "")])

    def in_group(self, user_id: str, group: str) -> bool:
        raise AssertionError("sql.Compiler never hosts `in group`")

    def merge_field(self, reference: str, vtype: VType) -> Value | Missing:
        key = (LeafKind.RELATED, "", reference)
        if key in self.values:  # a related record's value, loaded with the row's record
            missing = self.values[(LeafKind.RELATED_MISSING, "", reference)]
            return Missing(str(missing)) if missing is not None else self.values[key]
        # the global merge fields: the connector user's, the same for every row
        return self.merge.value(_NOBODY, reference, vtype)


_ABSENT = object()
