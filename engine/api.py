"""The Python API the CLI is a thin shell over. Functions return values; none print or exit.

from engine import api
rules = api.check(["rules/"])          # CheckedRules; rules.diagnostics lists problems
if not rules.has_errors:
    graph = api.graph(rules)           # EvaluationGraph
    print(graph.order())
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.check.model import CheckedRules
from engine.check.resolve import check_rules
from engine.deep import call_deep
from engine.diagnostics import Diagnostic, Severity
from engine.files import InputError
from engine.loader import ParseCache, load, load_text
from engine.source import SourceFile

if TYPE_CHECKING:
    from engine.bulk.engines import EngineOptions
    from engine.bulk.plan_rows import PlanRows
    from engine.codes import Code
    from engine.graph import EvaluationGraph
    from engine.import_report import TreeReport
    from engine.lint.config import LintConfig
    from engine.plan import (
        Change,
        FormulaProblem,
        Outcome,
        Plan,
        PzOutcome,
        Step,
        Summary,
        UserAccess,
    )
    from engine.records.model import RecordSet
    from engine.runtime.context import Clock
    from engine.runtime.cycle import CycleResult, RecordExplanation

__all__ = [
    "CheckedRules",
    "DirectRunResult",
    "Explanation",
    "InputError",
    "ParseCache",
    "ReportData",
    "RunResult",
    "SubjectExplanation",
    "check",
    "check_edited",
    "check_text",
    "diff",
    "dry_run",
    "explain",
    "explain_record",
    "explain_subject",
    "format_files",
    "graph",
    "import_report",
    "lint",
    "lint_codes",
    "load_records",
    "read_queue",
    "report_data",
    "rule_doc",
    "run",
    "run_direct",
]


def check(paths: Sequence[str] | str) -> CheckedRules:
    """Load rule files and directories, resolve and type-check them.

    Problems in the rules come back as `diagnostics`; a path that does not exist raises
    `InputError`.
    """
    if isinstance(paths, str):
        paths = [paths]
    return call_deep(lambda: check_rules(load(paths)))


def check_edited(
    paths: Sequence[str], texts: Mapping[str, str], cache: ParseCache | None = None
) -> CheckedRules:
    """Check a rule set with some files' text given instead of read (an editor's unsaved
    buffers; such a file need not exist on disk). A `ParseCache` kept between calls
    re-parses only the files whose text changed."""
    return call_deep(lambda: check_rules(load(paths, overrides=texts, cache=cache)))


def check_text(text: str, path: str = "<text>") -> CheckedRules:
    """Check rule text that is not in a file (editors, notebooks, tests)."""
    return call_deep(lambda: check_rules(load_text(text, path)))


def lint(
    rules: CheckedRules, config: LintConfig | None = None, records: RecordSet | None = None
) -> tuple[Diagnostic, ...]:
    """Check errors plus every lint finding, after configuration and ignore comments.
    With a record set, the data-aware rules run too (exact-match misses, non-unique
    match fields, profiles seen only in the data)."""
    from engine.lint.runner import lint as run_lint

    shared = None
    if records is not None and rules.units and not rules.has_errors:
        from engine.runtime.sharing import units_sharing

        # business-unit-records-overlap: which units' sharing admits each record
        shared = call_deep(lambda: units_sharing(rules, records, _clock(None)))
    return call_deep(lambda: run_lint(rules, config, records, shared))


def lint_config(path: str | None) -> LintConfig:
    """The lint configuration: the file named, else the nearest `.syncrules.toml` or
    `pyproject.toml` [tool.syncrules] (none: the defaults). Bad configuration is an
    InputError (exit 2)."""
    from engine.lint.config import find_config, load_config

    return load_config(path or find_config())


def lint_fails(found: Sequence[Diagnostic], level: Severity) -> bool:
    """Whether any finding is at or above the failing level (notes never fail)."""
    from engine.lint.runner import fails

    return fails(tuple(found), level)


def included_by(path: str) -> list[str]:
    """The rule files beside `path` that `include` it (a file checked alone may be
    missing declarations its includer makes)."""
    from engine.loader import included_by as includers

    return includers(path)


def lint_codes() -> tuple[Code, ...]:
    """Every diagnostic `lint` can report: check errors and lint rules."""
    from engine import codes
    from engine.lint import suppress  # noqa: F401  (registers unused-ignore)
    from engine.lint.registry import load_rules

    load_rules()
    return tuple(
        sorted({c.code: c for c in codes.REGISTRY.values()}.values(), key=lambda c: c.code)
    )


def rule_doc(name: str) -> str:
    """The documentation page of a lint rule or check error, by name or code."""
    from engine import codes
    from engine.lint.registry import load_rules

    load_rules()
    code = codes.lookup(name)
    if code is None:
        from engine.diagnostics import suggest

        names = sorted({c.name for c in codes.REGISTRY.values()})
        hint = suggest(name, names) or "docs/rules/README.md lists every rule"
        raise InputError(f"no rule or error named {name!r}; {hint}")
    return _read_doc(code.docs_path)


def graph(rules: CheckedRules) -> EvaluationGraph:
    """The evaluation graph of a checked rule set."""
    from engine.graph import EvaluationGraph  # networkx is slow to import: only when asked

    return EvaluationGraph(rules)


def _valid(rules: CheckedRules) -> CheckedRules:
    if rules.has_errors:
        first = next(d for d in rules.diagnostics if d.severity == "error")
        raise InputError(
            f"the rule set has errors (first: {first.span.path}:{first.span.line}:"
            f"{first.span.col}: {first.code} {first.name}: {first.message})"
        )
    return rules


def load_records(
    path: str, rules: CheckedRules, *, per_record: str | None = None, instead: str | None = None
) -> RecordSet:
    """Load a record set (YAML, JSON, data-tree JSON, CSV, or a directory of them),
    typed by the rule set's declarations. Bad data raises `InputError` naming the file,
    record and field. `per_record`: the command that needs the records loaded so on
    every engine (`run --report`), named when the set is past the loader's limit, with
    `instead`, the command that reads such a set directly (`run without --report`)."""
    from engine.bulk.engines import refuse_big_records
    from engine.records.load import load_records as load

    refuse_big_records(path, per_record, instead)  # issue 11: no huge set as objects
    return call_deep(lambda: load(path, rules))


def _clock(now: dt.datetime | None):  # type: ignore[no-untyped-def]
    from engine.runtime.context import Clock

    return Clock(now or dt.datetime.now(dt.UTC).replace(microsecond=0))


def dry_run(
    rules: CheckedRules,
    records: RecordSet,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[int], object] | None = None,
    engine: str = "auto",
    spark_master: str = "local[*]",
    notice: Callable[[str], object] | None = None,
) -> Plan:
    """The plan of one cycle (SPEC §3); nothing is written anywhere. `progress(n)` is
    called as prospects are done. `engine`: python, duckdb, spark or auto (SPEC §4);
    `notice` hears why `auto` fell back to the Python engine."""
    from engine.bulk.units import run_org  # one cycle per business unit, if any

    _valid(rules)
    clock = _clock(now)
    options = _options(engine, spark_master)
    result = call_deep(lambda: run_org(rules, records, clock, options, progress=progress))
    _fell_back(result.fallback, notice)
    return result.plan


def dry_run_direct(
    rules: CheckedRules,
    path: str,
    *,
    now: dt.datetime | None = None,
    engine: str = "auto",
    spark_master: str = "local[*]",
) -> Plan | None:
    """`dry_run` with DuckDB reading the record files under `path` itself (docs/engines.md,
    loading): the bulk path for large CSV and Parquet record sets. None when it does not
    apply — then `load_records` and `dry_run`, which word any input error."""
    from engine.bulk.engines import run_direct

    _valid(rules)
    if rules.units:
        return None  # each unit's prospects are read by the loader (docs/engines.md)
    clock = _clock(now)
    options = _options(engine, spark_master)
    return call_deep(lambda: run_direct(rules, path, clock, options))


@contextlib.contextmanager
def direct_rows(
    rules: CheckedRules,
    path: str,
    *,
    now: dt.datetime | None = None,
    engine: str = "auto",
    spark_master: str = "local[*]",
) -> Iterator[PlanRows | None]:
    """`dry_run_direct` with the plan left as rows in DuckDB for the renderers to read in
    batches (`render/plan_json.write_rows`, `plan_jsonl`, `plan_parquet`): a plan of a
    million prospects is never held as Python objects. None as `dry_run_direct`; the
    rows are released when the block ends."""
    from engine.bulk.engines import open_direct

    _valid(rules)
    clock = _clock(now)
    options = _options(engine, spark_master)
    # the renderers read the entries only: the rows keep no more (PlanRows.lean)
    rows = call_deep(lambda: open_direct(rules, path, clock, options, lean=True))
    try:
        yield rows
    finally:
        if rows is not None:
            rows.close()


def _options(engine: str, spark_master: str = "local[*]") -> EngineOptions:
    """The engines' options, from the command's flags: built here once, read by every
    engine function below the API."""
    from engine.bulk.engines import EngineOptions

    return EngineOptions.of(engine, spark_master)


def _fell_back(reasons: Sequence[object], notice: Callable[[str], object] | None) -> None:
    if reasons and notice is not None:
        more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
        notice(f"the duckdb engine cannot evaluate {reasons[0]}{more}; ran the python engine")


@dataclass(frozen=True, slots=True)
class RunResult:
    plan: Plan
    records: RecordSet | None  # None on the direct path (`run_direct`): no Records built
    written: tuple[str, ...]

    @property
    def summary(self) -> Summary:
        from engine.plan import Summary

        return Summary.of(self.plan)


@dataclass(frozen=True, slots=True)
class DirectRunResult:
    """`run_direct`'s result: the plan's totals, never a Plan (its outcomes are built for
    the failing prospects alone, for the error queue, and for the records written)."""

    summary: Summary
    written: tuple[str, ...]


def error_queue(
    plan: Plan, previous: dict[str, object] | None = None, now: dt.datetime | None = None
) -> str:
    """`error_queue.json`: every error of the cycle with code, rule, message and fields.
    With the cycle's time, each entry also has `first_seen`, `last_seen` and `cycles`,
    carried on from `previous` (the queue the output folder held), and entries that no
    longer fail are listed under `resolved` with the time they were fixed."""
    return "".join(_queue_chunks(plan.outcomes, plan.problems, previous, now))


def _queue_chunks(
    outcomes: Iterable[Outcome],
    problems: Sequence[FormulaProblem],
    previous: Mapping[str, object] | None,
    now: dt.datetime | None,
) -> Iterator[str]:
    """`error_queue`'s text, an entry at a time: the bytes `json.dumps(indent=2)` writes
    of the whole queue, which on the direct path is never held as a list of entries."""
    from engine import queue as error_queues
    from engine.render import plan_json

    history = None
    if now is not None:
        history = error_queues.History(previous, now.isoformat().replace("+00:00", "Z"))

    def errors() -> Iterator[dict[str, Any]]:
        for outcome in outcomes:
            target = outcome.target
            for failure in outcome.failures:
                entry: dict[str, Any] = {
                    "prospect": outcome.prospect,
                    "object": target.object if target else "lead",
                    "record": target.id if target else None,
                    "error_code": failure.code.value,
                    "rule": failure.rule,
                    "message": failure.message,
                    "fields": list(failure.fields),
                }
                yield entry if history is None else history.carry(entry)

    members: list[tuple[str, Callable[[], Iterable[object]]]] = [("errors", errors)]
    if history is not None:
        members.append(("resolved", history.resolved))  # read after every entry is carried
    # the plan's own failures (share rules'), as the JSON plan lists them at its top: not
    # the whole plan rendered as dicts to read one key (a million prospects' worth)
    members.append(("formula_errors", lambda: [plan_json.problem(p) for p in problems]))
    yield "{"
    for n, (name, items) in enumerate(members):
        yield ("," if n else "") + "\n  " + json.dumps(name) + ": ["
        count = 0
        for item in items():
            text = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            yield ("," if count else "") + "\n    " + text
            count += 1
        yield "\n  ]" if count else "]"
    yield "\n}\n"


def read_queue(path: str) -> dict[str, Any]:
    """An `error_queue.json` written by `run`; InputError names the file, entry and field."""
    from engine import queue as error_queues

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the error queue: {error}") from None
    try:
        return error_queues.validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}:{error.colno}: not JSON: {error.msg}") from None
    except error_queues.QueueFormatError as error:
        raise InputError(f"{path}: {error}") from None


def run(
    rules: CheckedRules,
    records: RecordSet,
    out_dir: str,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[int], object] | None = None,
    engine: str = "auto",
    spark_master: str = "local[*]",
    notice: Callable[[str], object] | None = None,
) -> RunResult:
    """Apply one cycle: write the new record set and `error_queue.json` into out_dir."""
    from engine.bulk.units import run_org  # one cycle per business unit, if any
    from engine.files import StagedFolder
    from engine.records.write import output_files

    _valid(rules)
    when = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    earlier = os.path.join(out_dir, "error_queue.json")  # its history carries on
    previous = read_queue(earlier) if os.path.isfile(earlier) else None
    clock = _clock(when)
    options = _options(engine, spark_master)
    result = call_deep(lambda: run_org(rules, records, clock, options, progress=progress))
    _fell_back(result.fallback, notice)
    # written as one set: a failure or Ctrl-C part-way leaves out_dir as it was
    # (docs/records.md); the error queue is streamed into the staging folder
    folder = StagedFolder(out_dir)
    try:
        for name, data in output_files(result.records).items():
            folder.write(name, (data,))
        queued = _queue_chunks(result.plan.outcomes, result.plan.problems, previous, when)
        folder.write("error_queue.json", queued)
        written = folder.publish()
    finally:
        folder.discard()
    return RunResult(result.plan, result.records, tuple(written))


def run_direct(
    rules: CheckedRules,
    path: str,
    out_dir: str,
    *,
    now: dt.datetime | None = None,
    engine: str = "auto",
) -> DirectRunResult | None:
    """`run` with DuckDB reading the record files under `path` itself and the new record
    set written from what it read (docs/engines.md, run and diff on the direct path): the
    same files, byte for byte, as `load_records` and `run`. None when that path does not
    apply — then `load_records` and `run`, which word any input error. No Plan is built:
    the result holds the plan's totals, counted in SQL."""
    from engine.bulk.engines import run_direct_files
    from engine.files import StagedFolder

    _valid(rules)
    if rules.units:
        return None  # each unit's prospects are read by the loader (docs/engines.md)
    when = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    earlier = os.path.join(out_dir, "error_queue.json")
    previous = read_queue(earlier) if os.path.isfile(earlier) else None

    def queue(failing: Iterator[Outcome]) -> Iterator[str]:
        # the direct path plans no share-rule failures (it declines rules that can fail)
        return _queue_chunks(failing, (), previous, when)

    # each file goes into the staging folder as it is made, error_queue.json last, as
    # `run` writes them; the folder takes out_dir's place only once all are written
    folder = StagedFolder(out_dir)
    try:
        options = _options(engine)
        summary = call_deep(
            lambda: run_direct_files(rules, path, _clock(when), options, out=folder, queue=queue)
        )
        if summary is None:
            return None
        written = folder.publish()
    finally:
        folder.discard()
    return DirectRunResult(summary, tuple(written))


@dataclass(frozen=True, slots=True)
class Explanation:
    outcome: Outcome
    steps: tuple[Step, ...]


def explain(
    rules: CheckedRules,
    records: RecordSet,
    prospect: str,
    *,
    now: dt.datetime | None = None,
    engine: str = "python",
) -> Explanation:
    """Why one prospect gets its action: every step of the cycle for it. With `duckdb`
    (or `auto` on a big record set) DuckDB plans the cycle and hands the reference the
    prospect's turn (engine/bulk/handoff.py); `auto` runs the whole reference when
    DuckDB declines, `duckdb` then exits 2 naming what it cannot evaluate."""
    from engine.runtime.cycle import run_cycle

    _valid(rules)
    if not any(p.id == prospect for p in records.prospects):
        known = ", ".join(sorted(p.id for p in records.prospects)[:10])
        raise InputError(f"no prospect with id {prospect!r} in the record set (ids: {known}…)")
    unit = None
    if rules.units:  # the prospect's unit's cycle, after the units before it (python)
        unit, rules, records = _unit_turn(rules, records, prospect, now)
    else:
        handed = _handed_off(rules, records, prospect, now, _options(engine))
        if handed is not None:
            return handed
    result = call_deep(lambda: run_cycle(rules, records, _clock(now), explain=prospect))
    outcome = result.plan.outcome(prospect)
    assert outcome is not None
    steps = tuple(result.explanation[0].steps) if result.explanation else ()
    if unit is not None:
        from dataclasses import replace

        from engine.plan import Step

        said = f"{unit}: its connector and sharing rules, after the units declared before it"
        steps = (Step("business unit", said), *steps)
        outcome = replace(outcome, business_unit=unit)
    return Explanation(outcome, steps)


def _handed_off(
    rules: CheckedRules,
    records: RecordSet,
    prospect: str,
    now: dt.datetime | None,
    options: EngineOptions,
) -> Explanation | None:
    """explain's bulk hand-off; None: explain with the whole reference cycle."""
    from engine.bulk.engines import EngineName, choose

    if choose(options.engine, len(records.prospects)) is not EngineName.DUCKDB:
        return None
    from engine.bulk import handoff
    from engine.bulk.sql import CannotEvaluate

    try:
        outcome, steps = call_deep(lambda: handoff.explain(rules, records, prospect, _clock(now)))
    except CannotEvaluate as error:
        if options.engine is EngineName.AUTO:
            return None
        listed = "\n".join(f"  {r}" for r in error.reasons)
        raise InputError(
            f"the duckdb engine cannot evaluate this cycle (use --engine python or auto):\n{listed}"
        ) from None
    return Explanation(outcome, steps)


def _unit_turn(
    rules: CheckedRules, records: RecordSet, prospect: str, now: dt.datetime | None
) -> tuple[str, CheckedRules, RecordSet]:
    """The prospect's business unit, and the rules and record set its cycle runs over."""
    from engine.bulk.units import turn_of, unit_of

    unit = unit_of(rules, next(p for p in records.prospects if p.id == prospect)).name
    turn = call_deep(lambda: turn_of(rules, records, _clock(now), unit))
    return unit, turn.rules, turn.records


@dataclass(frozen=True, slots=True)
class SubjectExplanation:
    """`explain --user ID` / `--account ID`: every part of the sync that knows that id.

    A user id is looked up among the Personalization users (match-and-merge) and among the
    Salesforce users (User Sync); an account id among the Personalization accounts."""

    kind: str  # "user" | "account"
    id: str
    personalization: tuple[PzOutcome, tuple[Step, ...]] | None = None
    user_sync: tuple[UserAccess, tuple[Step, ...]] | None = None


def explain_subject(
    rules: CheckedRules, records: RecordSet, kind: str, subject: str
) -> SubjectExplanation:
    """Why a Personalization user or account merges or is skipped, and (for a user id)
    how User Sync treats the Salesforce user with that Id."""
    from engine.runtime.personalization import explain_personalization
    from engine.runtime.user_sync import user_access

    _valid(rules)
    pz = explain_personalization(rules, records, kind, subject)
    access = None
    user = next((u for u in records.users if u.id == subject), None) if kind == "user" else None
    if user is not None and rules.user_sync is not None:
        steps: list[Step] = []
        access = (user_access(rules, rules.user_sync, user, steps), tuple(steps))
    if pz is None and access is None:
        raise InputError(_no_subject(rules, records, kind, subject))
    return SubjectExplanation(kind, subject, pz, access)


def _no_subject(rules: CheckedRules, records: RecordSet, kind: str, subject: str) -> str:
    lists = {"user": "personalization_users", "account": "personalization_accounts"}
    known = sorted(r.id for r in records.get(lists[kind]))
    where = f"personalization {kind}s"
    if kind == "user" and rules.user_sync is not None:
        known += sorted(u.id for u in records.users)
        where += " or users"
    if rules.personalization is None and (kind == "account" or rules.user_sync is None):
        return (
            f"no {kind} {subject!r} to explain: the rule set has no personalization"
            + (" or user_sync" if kind == "user" else "")
            + " block"
        )
    shown = ", ".join(known[:10]) or "none"
    return f"no {kind} with id {subject!r} among the {where} (ids: {shown})"


def explain_record(
    rules: CheckedRules,
    records: RecordSet,
    obj: str,
    record_id: str,
    *,
    now: dt.datetime | None = None,
) -> RecordExplanation:
    """`explain --lead ID` / `--contact ID`: whether the connector gives that Salesforce
    record a prospect (SPEC §3.9), or why not (deleted, converted, hidden, linked…)."""
    from engine.runtime.cycle import explain_record as explain_it

    _valid(rules)
    if rules.units:
        found = _explain_record_per_unit(rules, records, obj, record_id, now)
    else:
        found = call_deep(lambda: explain_it(rules, records, _clock(now), obj, record_id))
    if found is None:
        pool = records.leads if obj == "lead" else records.contacts
        known = ", ".join(sorted(r.id for r in pool)[:10]) or "none"
        raise InputError(f"no {obj} with Id {record_id!r} in the record set (Ids: {known})")
    return found


def _explain_record_per_unit(
    rules: CheckedRules, records: RecordSet, obj: str, record_id: str, now: dt.datetime | None
) -> RecordExplanation | None:
    """`explain --lead/--contact` with business units: each unit's answer in the order
    they run; the record syncs when any unit syncs it (docs/design.md, business units)."""
    from dataclasses import replace

    from engine.bulk.units import python_cycle, run_units
    from engine.plan import Step
    from engine.runtime.cycle import explain_record as explain_it

    clock = _clock(now)

    def each_unit() -> list[tuple[str, RecordExplanation | None]]:
        turns = run_units(rules, records, clock, python_cycle(clock))
        return [(t.unit.name, explain_it(t.rules, t.records, clock, obj, record_id)) for t in turns]

    answers = [(unit, a) for unit, a in call_deep(each_unit) if a is not None]
    if not answers:
        return None
    verdicts = [a.verdict for _, a in answers]
    verdict = next((v for v in ("synced", "create_prospect") if v in verdicts), "no_prospect")
    steps: list[Step] = []
    for unit, answer in answers:
        steps.append(Step(f"business unit {unit}", answer.verdict))
        steps.extend(answer.steps)
    created = next((a.created for _, a in answers if a.created is not None), None)
    return replace(answers[0][1], verdict=verdict, steps=tuple(steps), created=created)


def diff(
    old: CheckedRules,
    new: CheckedRules,
    records: str,
    *,
    now: dt.datetime | None = None,
    engine: str = "auto",
    spark_master: str = "local[*]",
) -> tuple[tuple[Change, ...], int]:
    """Prospects whose action, target or writes change between two rule versions, and how
    many prospects were compared. The record set is read once per version, since each
    version types it by its own declarations. A CSV or Parquet record set that dry-run
    reads directly (docs/engines.md) is diffed so too: the plans compared as rows."""
    from engine.plan import compare_plans

    clock_now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    options = _options(engine, spark_master)
    found = _diff_direct(_valid(old), _valid(new), records, _clock(clock_now), options)
    if found is not None:
        return found

    def plan(rules: CheckedRules) -> Plan:
        typed = load_records(records, _valid(rules))
        return dry_run(rules, typed, now=clock_now, engine=engine, spark_master=spark_master)

    before, after = plan(old), plan(new)
    return compare_plans(before, after), len(after.outcomes)


def _diff_direct(
    old: CheckedRules, new: CheckedRules, path: str, clock: Clock, options: EngineOptions
) -> tuple[tuple[Change, ...], int] | None:
    """`diff` with each version's plan left as rows in DuckDB (engine/bulk/direct_diff.py);
    None when either version does not take the direct path."""
    from engine.bulk import direct_diff
    from engine.bulk.engines import EngineName, memory_share, open_direct

    if old.units or new.units:
        return None  # each unit's prospects are read by the loader (docs/engines.md)
    if options.engine is EngineName.SPARK:
        return None  # Spark reads the files itself for dry-run only (docs/engines.md)
    # two connections are open at once, one per version: each has half of DuckDB's bound,
    # so diff holds no more than dry-run does
    halved = replace(options, memory_limit=memory_share(2))
    before = call_deep(lambda: open_direct(old, path, clock, halved))
    if before is None:
        return None
    try:
        after = call_deep(lambda: open_direct(new, path, clock, halved))
        if after is None:
            return None
        try:
            return call_deep(lambda: direct_diff.compare(before, after))
        finally:
            after.close()
    finally:
        before.close()


def import_report(root: str) -> TreeReport:
    """What an SFDX tree imports: each validation rule clean or set aside (with a located
    reason), what the tree lacks, and what it refused. Never raises for bad metadata."""
    from engine.import_report import analyse

    return analyse(root)


def compile_sql(rules: CheckedRules, dialect: str) -> str:
    """`syncrules compile`: the whole cycle as SQL in a dialect (duckdb, spark)."""
    from engine.bulk.compile import render

    return render(_valid(rules), dialect)


def _read_doc(path: str) -> str:
    """A page of docs/: shipped in the package as `engine.docs`, or read from a checkout."""
    from importlib import resources
    from pathlib import Path

    relative = path.removeprefix("docs/")
    try:
        return resources.files("engine.docs").joinpath(relative).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return (Path(__file__).resolve().parents[1] / "docs" / relative).read_text("utf-8")


@dataclass(frozen=True, slots=True)
class Formatted:
    """One file through `fmt`: its new text (None when it cannot be parsed)."""

    path: str
    original: str
    text: str | None
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, SourceFile]

    @property
    def changed(self) -> bool:
        return self.text is not None and self.text != self.original

    @property
    def diff(self) -> str:
        from engine.fmt import unified_diff

        diff = unified_diff(self.path, self.original, self.text or self.original)
        return diff if not diff or diff.endswith("\n") else diff + "\n"


def format_files(paths: Sequence[str]) -> tuple[Formatted, ...]:
    """Format rule files and directories (each file alone; includes are not followed)."""
    from engine.files import read_source
    from engine.fmt import format_source
    from engine.loader import expand_paths
    from engine.syntax.parser import NOT_RULE_TEXT

    results = []
    for path in expand_paths(paths):
        read = read_source(path, keep_newlines=True)
        if read.source is None:
            assert read.diagnostic is not None
            results.append(Formatted(path, "", None, (read.diagnostic,), {}))
            continue
        source = read.source
        result = format_source(source.text, path)
        # a file with no rule syntax is never echoed (syntax/parser.py): no source to show
        hidden = any(d.message == NOT_RULE_TEXT for d in result.diagnostics)
        shown: dict[str, SourceFile] = {} if hidden else {path: source}
        results.append(Formatted(path, source.text, result.text, result.diagnostics, shown))
    return tuple(results)


def write_formatted(results: Sequence[Formatted]) -> None:
    """Write formatted files in place, each atomically, all renamed together at the end
    (a failure or Ctrl-C before then rewrites none)."""
    from engine.files import write_files_atomic

    write_files_atomic([(r.path, r.text) for r in results if r.changed and r.text is not None])


# -- reports ---------------------------------------------------------------------------

REPORT_ERROR_TRACES = 1000  # error prospects whose explain trace a report carries, at most
REPORT_SAMPLE_TRACES = 200  # other prospects traced, evenly spread over the id order


@dataclass(frozen=True, slots=True)
class ReportData:
    """What an HTML report shows beside the plan, prepared here so renderers stay pure:
    explain traces (every error up to a limit, and a sample of the rest) and the fields
    each validation and duplicate rule reads."""

    traces: dict[str, tuple[Step, ...]]
    rule_reads: dict[str, tuple[str, ...]]


def report_data(
    rules: CheckedRules,
    records: RecordSet,
    plan: Plan,
    *,
    now: dt.datetime | None = None,
    error_traces: int = REPORT_ERROR_TRACES,
    sample_traces: int = REPORT_SAMPLE_TRACES,
) -> ReportData:
    """Traces come from a second, traced pass over the same records and clock (which
    prospects error is known only after the first): the cycle is deterministic, so the
    traces describe the plan's own outcomes. Pass the `now` the plan was made with."""
    from engine.plan import Action
    from engine.runtime.cycle import run_cycle

    _valid(rules)
    errors = [o.prospect for o in plan.outcomes if o.action is Action.ERROR][:error_traces]
    others = [o.prospect for o in plan.outcomes if o.action is not Action.ERROR]
    stride = max(1, -(-len(others) // max(sample_traces, 1)))
    wanted = frozenset(errors + others[::stride][:sample_traces])
    traces: dict[str, tuple[Step, ...]] = {}
    for unit_rules, unit_records in _turns(rules, records, now) if wanted else ():

        def traced(r: CheckedRules = unit_rules, rs: RecordSet = unit_records) -> CycleResult:
            return run_cycle(r, rs, _clock(now), explain=wanted)

        result = call_deep(traced)
        explained = [o.prospect for o in result.plan.outcomes if o.prospect in wanted]
        for prospect, explainer in zip(explained, result.explanation, strict=False):
            traces[prospect] = tuple(explainer.steps)
    return ReportData(traces, _rule_reads(rules))


def _turns(
    rules: CheckedRules, records: RecordSet, now: dt.datetime | None
) -> list[tuple[CheckedRules, RecordSet]]:
    """What each cycle runs over: the rule set and records, or each business unit's."""
    if not rules.units:
        return [(rules, records)]
    from engine.bulk.units import python_cycle, run_units

    clock = _clock(now)
    turns = call_deep(lambda: list(run_units(rules, records, clock, python_cycle(clock))))
    return [(t.rules, t.records) for t in turns]


def _rule_reads(rules: CheckedRules) -> dict[str, tuple[str, ...]]:
    """Validation rules by name, duplicate rules as errors name them (`lead by Email`)."""
    g = graph(rules).g
    reads: dict[str, set[str]] = {}
    for node, data in g.nodes(data=True):
        if data["kind"] == "validation":
            name = str(data["label"])
        elif data["kind"] == "duplicate":
            name = str(data["label"]).removeprefix("duplicate ")
        else:
            continue
        fields = {p for p in g.predecessors(node) if g.nodes[p]["kind"] in ("field", "input")}
        reads.setdefault(name, set()).update(fields)
    return {name: tuple(sorted(fields)) for name, fields in sorted(reads.items())}
