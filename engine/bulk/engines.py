"""Which engine runs a cycle (`--engine python|duckdb|spark|auto`, SPEC §4 Engines).

`python` is the per-record reference (`runtime/cycle.py`, what `explain` uses); `duckdb`
runs the compiled SQL (`duck.py`). Every engine gives the same plan; an engine that
cannot evaluate a construct raises `CannotEvaluate` naming the rule and the construct:
`auto` then falls back to `python`, a named engine makes the command exit 2.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING

from engine.bulk.sql import CannotEvaluate, Reason
from engine.check.model import CheckedRules
from engine.files import InputError
from engine.plan import Action, Outcome, Plan, SkipReason, Summary
from engine.records.model import RecordSet
from engine.runtime.context import Clock

if TYPE_CHECKING:
    from engine.bulk.plan_rows import PlanRows
    from engine.files import StagedFolder


class EngineName(StrEnum):
    PYTHON = "python"
    DUCKDB = "duckdb"
    SPARK = "spark"
    AUTO = "auto"


DEFAULT_SPARK_MASTER = "local[*]"


@dataclasses.dataclass(frozen=True, slots=True)
class EngineOptions:
    """How a command's cycle runs, as its flags say: the engine (`--engine`), the Spark
    master for the spark engine (`--spark-master`), and DuckDB's memory bound, in
    DuckDB's units (None: duck.MEMORY_LIMIT; `diff` gives each of its connections a
    share, `memory_share`). Built once by the API; every engine function reads it."""

    engine: EngineName = EngineName.AUTO
    spark_master: str = DEFAULT_SPARK_MASTER
    memory_limit: str | None = None

    @classmethod
    def of(cls, engine: str = "auto", spark_master: str = DEFAULT_SPARK_MASTER) -> EngineOptions:
        """From the CLI's flags (or the API's keyword arguments)."""
        return cls(EngineName(engine), spark_master)


DEFAULT_OPTIONS = EngineOptions()  # `--engine auto`, Spark on local[*], DuckDB's own bound


# `auto` runs the Python reference below this many prospects and DuckDB from it on, for a
# record set loaded in Python first (YAML, JSON; CSV and Parquet where the direct path
# steps aside). Re-measured after the reference's 2-7x speed-up (docs/engines.md, the
# threshold): whole process, the benchmark org as YAML, DuckDB's CPU time over the
# reference's 1.06x at 20,000 and at 50,000, 1.29x at 100,000, with twice its peak memory
# (1,535 vs 704 MiB at 100,000). The engines no longer cross: loading is shared, and the
# reference's cycle is now as fast as building DuckDB's tables from the loaded records
# and planning its rounds. 250,000 is about what the per-record loader's limit admits
# (below): within it, `auto` keeps the reference for every record set it loads.
AUTO_THRESHOLD = 250_000
# When DuckDB reads the CSV or Parquet files itself (`open_direct`: dry-run, run, diff),
# nothing is loaded in Python first, and the engines cross. Measured whole-process on the
# benchmark org as CSV on the quiet machine (2026-12-04), the same bytes: dry-run,
# DuckDB's CPU time over the reference's 1.47x at 2,000 prospects, 1.12x at 5,000, 0.89x
# at 7,500, 0.73x at 10,000; run --out 1.21x at 5,000, 0.93x at 10,000, 0.72x at 20,000.
# 10,000 is where both are past the crossing (DuckDB's fixed cost, ~1.3 s of CPU, is
# what the smaller sets pay).
DIRECT_THRESHOLD = 10_000
# `run` on the direct path builds the Outcomes of the rows that change a record and of the
# failing prospects this many at a time (PlanRows' own batch is for the entries' text)
RUN_BATCH = 10_000

# Issue 11, big inputs: the Python loader holds every record as typed objects, so it
# refuses a record set past this many megabytes of record files and names the engine that
# reads CSV and Parquet directly (which `auto` then takes: `open_direct`). Re-measured
# with the faster reference: `run --engine python` on the benchmark's 200,000 prospects
# as CSV (32 MB of files) peaked at 1,444 MiB, about 45 MiB per MB (YAML holds less per
# MB: 704 MiB for 33 MB); 40 MB keeps the per-record path under 2 GB on CSV, its worst
# case, and is about 250,000 of those prospects. SYNCRULES_MAX_RECORD_MB changes it.
PER_RECORD_LIMIT_MB = 40


def per_record_limit() -> int:
    """The limit in bytes: SYNCRULES_MAX_RECORD_MB (megabytes, a fraction allowed), else
    PER_RECORD_LIMIT_MB. A value that is not a number is an InputError, never ignored: a
    limit the user believes is set and is not would read a huge set, or refuse a small one."""
    import math
    import os

    text = os.environ.get("SYNCRULES_MAX_RECORD_MB", "").strip()
    if not text:
        return PER_RECORD_LIMIT_MB * 1024 * 1024
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = math.nan
    if not math.isfinite(megabytes) or megabytes < 0 or not text[0].isdigit():
        raise InputError(
            f"SYNCRULES_MAX_RECORD_MB={text!r}: expected a number of megabytes of record "
            f"files, such as 40 or 0.5 (unset, the limit is {PER_RECORD_LIMIT_MB})"
        )
    return int(megabytes * 1024 * 1024)


def refuse_big_records(
    path: str, per_record: str | None = None, instead: str | None = None
) -> None:
    """InputError (exit 2) when the record files under `path` are past what the Python
    loader reads (`per_record_limit`); sizes only, nothing is opened. `per_record` names
    what reads the records the per-record way on every engine (`run --report`), which
    the message then says instead of an engine that would not help, and `instead` the
    command that would read the same files directly (`run without --report`)."""
    total, limit = record_bytes(path), per_record_limit()
    if total is not None and total > limit:
        from engine.bulk.direct import record_files

        if per_record is not None:
            way = (
                f"{per_record} reads every record the per-record way, whatever the engine: "
                "raise SYNCRULES_MAX_RECORD_MB to read them so"
                + (
                    f" ({instead} reads CSV and Parquet record sets directly on --engine duckdb)"
                    if instead is not None
                    else ""
                )
            )
        elif record_files(path) is not None:
            way = (
                "use --engine duckdb, with which dry-run, run and diff read CSV and Parquet "
                "record sets directly (dry-run also on --engine spark)"
            )
        else:
            way = (
                "write prospects, leads and contacts as CSV or Parquet files, which "
                "dry-run, run and diff read directly with --engine duckdb (dry-run also with "
                "--engine spark)"
            )
        raise InputError(
            f"{path}: {total / 2**20:,.0f} MB of records is past what the per-record loader "
            f"reads ({_megabytes(limit)} MB; SYNCRULES_MAX_RECORD_MB raises it): "
            f"{way} (docs/robustness.md, big inputs)"
        )


def record_bytes(path: str) -> int | None:
    """The size of the record files under `path` (None: the path cannot be read, which
    the loader words)."""
    import os
    import stat
    from pathlib import Path

    suffixes = (".yaml", ".yml", ".json", ".csv", ".parquet")
    try:
        root = Path(path)
        files = sorted(root.iterdir()) if root.is_dir() else [root]
        sizes = [
            info.st_size
            for f in files
            if f.suffix.lower() in suffixes and stat.S_ISREG((info := os.stat(f)).st_mode)
        ]
    except OSError:
        return None
    return sum(sizes)


def _megabytes(size: int) -> str:
    """40 for 40 MB, 0.5 for half a megabyte: the figure as the user would set it."""
    return f"{size / 2**20:,.2f}".rstrip("0").rstrip(".")


SPARK_INSTALL = (
    "the spark engine needs PySpark and a Java runtime: pip install 'syncrules[spark]' "
    "and a JRE (Debian: apt-get install default-jre-headless)"
)


@dataclasses.dataclass(frozen=True, slots=True)
class EngineRun:
    """A plan, the record set after the cycle, and the engine that made them."""

    plan: Plan
    records: RecordSet
    engine: EngineName
    fallback: tuple[Reason, ...] = ()  # why `auto` did not use the bulk engine


def reasons(rules: CheckedRules) -> tuple[Reason, ...]:
    """What the SQL engines cannot evaluate in this rule set, located (rule + construct)."""
    from engine.bulk.duck import program_for

    return tuple(program_for(rules).reasons)


def choose(engine: str, prospects: int) -> EngineName:
    name = EngineName(engine)
    if name is not EngineName.AUTO:
        return name
    return EngineName.PYTHON if prospects < AUTO_THRESHOLD else EngineName.DUCKDB


def run_engine(
    rules: CheckedRules,
    records: RecordSet,
    clock: Clock,
    options: EngineOptions = DEFAULT_OPTIONS,
    *,
    progress: Callable[[int], object] | None = None,
) -> EngineRun:
    """One cycle on the chosen engine. A named bulk engine that cannot evaluate the rule
    set or record set raises InputError (exit 2) naming the rule and the construct."""
    chosen = choose(options.engine, len(records.prospects))
    if chosen is EngineName.PYTHON:
        return _python(rules, records, clock, progress)
    from engine.runtime.person import fold_person_view, person_view

    seen, view = person_view(rules, records)  # person accounts as contacts (person.py)
    try:
        plan = _bulk(chosen, seen, view, clock, options)
    except CannotEvaluate as error:
        if options.engine is EngineName.AUTO:
            run = _python(rules, records, clock, progress)
            return dataclasses.replace(run, fallback=error.reasons)
        listed = "\n".join(f"  {r}" for r in error.reasons)
        raise InputError(
            f"the {chosen} engine cannot evaluate this cycle (use --engine python or auto):\n"
            f"{listed}"
        ) from None
    plan = with_side_plans(rules, records, plan)
    if progress is not None:
        progress(len(records.prospects))
    after = apply_plan(seen, view, plan, clock)
    return EngineRun(plan, fold_person_view(records, after), chosen)


def run_direct(
    rules: CheckedRules, path: str, clock: Clock, options: EngineOptions = DEFAULT_OPTIONS
) -> Plan | None:
    """`dry-run`'s bulk path: DuckDB reads the record files under `path` itself
    (`direct.py`), for `--engine duckdb`, and for `auto` from DIRECT_THRESHOLD prospects
    on (estimated from the file, before anything is loaded). None: load the record set with
    the Python loader and call `run_engine` — which words every input error, and every
    reason DuckDB declines, exactly as before. `--engine spark`: Spark reads the files
    (`spark_direct.py`)."""
    rows = open_direct(rules, path, clock, options)
    if rows is None:
        return None
    try:
        return rows.plan()
    finally:
        rows.close()


def open_direct(
    rules: CheckedRules,
    path: str,
    clock: Clock,
    options: EngineOptions = DEFAULT_OPTIONS,
    *,
    keep_raw: bool = False,
    lean: bool = False,
) -> PlanRows | None:
    """`run_direct` with the plan left as rows in DuckDB (`plan_rows.PlanRows`, which the
    caller closes), for the renderers that read it in batches. `auto` takes this path
    from DIRECT_THRESHOLD prospects, and for a record set past the per-record loader's
    limit, which that loader would refuse. `keep_raw`: `run` writes from the cells read.
    DuckDB is bounded by `options.memory_limit`. `lean`: the caller reads the entries
    only (PlanRows.lean)."""
    from engine.bulk import direct

    name = options.engine
    if name is EngineName.AUTO:
        estimate = direct.estimate_prospects(path)
        if estimate is None:
            return None
        size = record_bytes(path)
        past_limit = size is not None and size > per_record_limit()
        if estimate < DIRECT_THRESHOLD and not past_limit:
            return None
    elif name is EngineName.SPARK and not keep_raw and direct.record_files(path) is not None:
        # dry-run only: `run` writes from the cells DuckDB read (keep_raw)
        return _spark_direct(rules, path, clock, options.spark_master)
    elif name is not EngineName.DUCKDB or direct.record_files(path) is None:
        return None
    from engine.bulk.duck import DuckEngine

    limit = options.memory_limit
    duck = DuckEngine(rules) if limit is None else DuckEngine(rules, limit)
    try:
        return duck.open_direct(path, clock, keep_raw=keep_raw, lean=lean)
    except CannotEvaluate:
        return None  # the Python loader's path declines again, and says why


def memory_share(parts: int) -> str:
    """DuckDB's memory limit (duck.MEMORY_LIMIT, SYNCRULES_DUCKDB_MEMORY) split between
    `parts` connections open at once (`diff` holds one per rule version), in the limit's
    own unit: 1200MB → 600MB, 1GB → 0.5GB. A limit this cannot read is passed as it is,
    for DuckDB to refuse in its words."""
    import re

    from engine.bulk.duck import MEMORY_LIMIT

    found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", MEMORY_LIMIT)
    if found is None or parts <= 1:
        return MEMORY_LIMIT
    return f"{float(found.group(1)) / parts:.6g}{found.group(2)}"


def run_direct_files(
    rules: CheckedRules,
    path: str,
    clock: Clock,
    options: EngineOptions = DEFAULT_OPTIONS,
    *,
    out: StagedFolder,
    queue: Callable[[Iterator[Outcome]], Iterable[str | bytes]],
) -> Summary | None:
    """`run`'s bulk path: DuckDB reads the record files under `path` itself, as for
    dry-run (`open_direct`), and the new record set is written from what it read
    (`direct_write.py`) into `out`, file by file as each is made: the same bytes
    `write.output_files` gives after `apply_plan`. Returns the plan's totals. No Plan is
    built: the totals are counted in SQL, and Outcomes are built a batch at a time for
    the rows that change a record and for the failing prospects, which `queue` reads to
    give `error_queue.json`'s text in chunks (written into `out` last). None: load the
    record set with the Python loader and call `run_engine`, as `run_direct` (what `out`
    holds is then to be discarded)."""
    from engine.bulk import direct, direct_write

    rows = open_direct(rules, path, clock, options, keep_raw=True)
    if rows is None:
        return None
    # a batch of Outcomes is built from its rows as Python dicts of every plan column:
    # at 50,000 rows that was ~400 MiB over DuckDB's bound at 1,000,000 prospects
    rows.batch = min(rows.batch, RUN_BATCH)
    try:
        files = direct.record_files(path)
        assert files is not None  # open_direct read them
        if not direct_write.record_files(rows, path, files, clock, out):
            return None
        by_rule: Counter[tuple[str, str]] = Counter()

        def failing() -> Iterator[Outcome]:
            for batch in rows.outcomes("__act = 'error'"):
                for o in batch:
                    if o.error is not None:
                        by_rule[(o.error.code.value, o.error.rule or "")] += 1
                    yield o

        out.write("error_queue.json", queue(failing()))
        return rows.summary(dict(by_rule))
    finally:
        rows.close()


def _spark_direct(
    rules: CheckedRules, path: str, clock: Clock, spark_master: str
) -> PlanRows | None:
    """Spark reads the record files itself (spark_direct.py); None as `open_direct`."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError(SPARK_INSTALL) from None
    from engine.bulk.spark import SparkEngine

    try:
        return SparkEngine(rules, spark_master).open_direct(path, clock)
    except CannotEvaluate:
        return None  # the Python loader's path declines again, and says why


def _python(
    rules: CheckedRules,
    records: RecordSet,
    clock: Clock,
    progress: Callable[[int], object] | None,
) -> EngineRun:
    from engine.runtime.cycle import run_cycle

    result = run_cycle(rules, records, clock, progress=progress)
    return EngineRun(result.plan, result.records, EngineName.PYTHON)


def _bulk(
    chosen: EngineName,
    rules: CheckedRules,
    records: RecordSet,
    clock: Clock,
    options: EngineOptions,
) -> Plan:
    if chosen is EngineName.SPARK:
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise InputError(SPARK_INSTALL) from None
        from engine.bulk.spark import SparkEngine

        return SparkEngine(rules, options.spark_master).plan(records, clock)
    from engine.bulk.duck import DuckEngine

    limit = options.memory_limit
    return (DuckEngine(rules) if limit is None else DuckEngine(rules, limit)).plan(records, clock)


def with_side_plans(rules: CheckedRules, records: RecordSet, plan: Plan) -> Plan:
    """Personalization, User Sync and Connected Campaigns read the org as it was, as in
    runtime/cycle.py: the per-record code plans them for every engine."""
    from engine.runtime.campaigns import plan_campaigns
    from engine.runtime.personalization import match_personalization
    from engine.runtime.user_sync import plan_user_sync

    if rules.personalization is not None:
        plan = dataclasses.replace(plan, personalization=match_personalization(rules, records))
    if rules.user_sync is not None:
        plan = dataclasses.replace(plan, user_sync=plan_user_sync(rules, records))
    if rules.campaigns is not None:
        plan = dataclasses.replace(plan, campaigns=plan_campaigns(rules, records))
    return plan


def apply_plan(rules: CheckedRules, records: RecordSet, plan: Plan, clock: Clock) -> RecordSet:
    """The record set after a cycle, from its plan: what `run` writes. Mirrors the working
    copy runtime/cycle.py keeps (created leads, writes, links)."""
    from engine.runtime.company import Accounts
    from engine.runtime.cycle import _flag_deleted, _working_copy, new_lead, new_prospect
    from engine.runtime.ownership import People, take_owner

    working = _working_copy(records)
    prospects = {p.id: p for p in working.prospects}
    found = {(r.object, r.id): r for r in (*working.contacts, *working.leads)}
    for o in plan.outcomes:
        prospect = prospects[o.prospect]
        if o.reason is SkipReason.CRM_DELETED:
            _flag_deleted(prospect)
            continue
        if o.action is Action.CREATE_LEAD:
            assert o.created_id is not None
            lead = new_lead(o.created_id, dict(o.to_salesforce), len(working.leads), clock)
            working.leads.append(lead)
            found[("lead", lead.id)] = lead
            prospect.crm_lead_fid = lead.id
            prospect.changed.add("crm_lead_fid")
            take_owner(prospect, o.owner)
            continue
        if o.action not in (Action.UPDATE, Action.NO_CHANGE) or o.target is None:
            continue
        record = found[(o.target.object, o.target.id)]
        attribute = "crm_contact_fid" if record.object == "contact" else "crm_lead_fid"
        if getattr(prospect, attribute) != record.id:
            setattr(prospect, attribute, record.id)
            prospect.changed.add(attribute)
        record.values.update(o.to_salesforce)
        record.changed.update(k for k, _ in o.to_salesforce)
        prospect.values.update(o.to_pardot)
        prospect.changed.update(k for k, _ in o.to_pardot)
        take_owner(prospect, o.owner)
    ids = {p.id for p in records.prospects}
    accounts, people = Accounts.of(records), People.of(rules, records)
    for new in plan.from_salesforce:
        source = found[(new.source.object, new.source.id)]
        made, added = new_prospect(
            rules, source, ids, clock, len(working.prospects), accounts, people
        )
        assert made == new, (made, new)  # the plan's entry is the one run adds
        working.prospects.append(added)
    return working


__all__ = [
    "AUTO_THRESHOLD",
    "DEFAULT_OPTIONS",
    "DIRECT_THRESHOLD",
    "EngineName",
    "EngineOptions",
    "EngineRun",
    "choose",
    "memory_share",
    "open_direct",
    "reasons",
    "record_bytes",
    "refuse_big_records",
    "run_direct",
    "run_direct_files",
    "run_engine",
]
