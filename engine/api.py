"""The Python API the CLI is a thin shell over. Functions return values; none print or exit.

from engine import api
rules = api.check(["rules/"])          # CheckedRules; rules.diagnostics lists problems
if not rules.has_errors:
    graph = api.graph(rules)           # EvaluationGraph
    print(graph.order())
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.check.model import CheckedRules
from engine.check.resolve import check_rules
from engine.deep import call_deep
from engine.diagnostics import Diagnostic
from engine.files import InputError
from engine.loader import ParseCache, load, load_text
from engine.source import SourceFile

if TYPE_CHECKING:
    from engine.codes import Code
    from engine.graph import EvaluationGraph
    from engine.lint.config import LintConfig
    from engine.plan import Change, Outcome, Plan, PzOutcome, Step, UserAccess
    from engine.records.model import RecordSet

__all__ = [
    "CheckedRules",
    "Explanation",
    "InputError",
    "ParseCache",
    "RunResult",
    "SubjectExplanation",
    "check",
    "check_edited",
    "check_text",
    "diff",
    "dry_run",
    "explain",
    "explain_subject",
    "format_files",
    "graph",
    "lint",
    "lint_codes",
    "load_records",
    "rule_doc",
    "run",
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

    return call_deep(lambda: run_lint(rules, config, records))


def lint_codes() -> tuple[Code, ...]:
    """Every diagnostic `lint` can report: check errors and lint rules."""
    from engine import codes
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
        from engine.check.exprs import suggest

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


def load_records(path: str, rules: CheckedRules) -> RecordSet:
    """Load a record set (YAML, JSON, data-tree JSON, CSV, or a directory of them),
    typed by the rule set's declarations. Bad data raises `InputError` naming the file,
    record and field."""
    from engine.records.load import load_records as load

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
) -> Plan:
    """The plan of one cycle (SPEC §3); nothing is written anywhere. `progress(n)` is
    called as prospects are done."""
    from engine.runtime.cycle import run_cycle

    _valid(rules)
    return call_deep(lambda: run_cycle(rules, records, _clock(now), progress=progress).plan)


@dataclass(frozen=True, slots=True)
class RunResult:
    plan: Plan
    records: RecordSet
    written: tuple[str, ...]


def error_queue(plan: Plan) -> str:
    """`error_queue.json`: every error of the cycle with code, rule, message and fields."""
    from engine.render import plan_json

    errors = []
    for outcome in plan.outcomes:
        target = outcome.target
        for failure in outcome.failures:
            errors.append(
                {
                    "prospect": outcome.prospect,
                    "object": target.object if target else "lead",
                    "record": target.id if target else None,
                    "error_code": failure.code.value,
                    "rule": failure.rule,
                    "message": failure.message,
                    "fields": list(failure.fields),
                }
            )
    data = {"errors": errors, "formula_errors": plan_json.as_dict(plan).get("formula_errors", [])}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def run(
    rules: CheckedRules,
    records: RecordSet,
    out_dir: str,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[int], object] | None = None,
) -> RunResult:
    """Apply one cycle: write the new record set and `error_queue.json` into out_dir."""
    from engine.files import write_atomic
    from engine.records.write import write_records
    from engine.runtime.cycle import run_cycle

    _valid(rules)
    result = call_deep(lambda: run_cycle(rules, records, _clock(now), progress=progress))
    queue = error_queue(result.plan)  # rendered before anything is written
    written = write_records(result.records, out_dir)
    queue_path = os.path.join(out_dir, "error_queue.json")
    write_atomic(queue_path, queue)
    return RunResult(result.plan, result.records, (*written, queue_path))


@dataclass(frozen=True, slots=True)
class Explanation:
    outcome: Outcome
    steps: tuple[Step, ...]


def explain(
    rules: CheckedRules, records: RecordSet, prospect: str, *, now: dt.datetime | None = None
) -> Explanation:
    """Why one prospect gets its action: every step of the cycle for it."""
    from engine.runtime.cycle import run_cycle

    _valid(rules)
    if not any(p.id == prospect for p in records.prospects):
        known = ", ".join(sorted(p.id for p in records.prospects)[:10])
        raise InputError(f"no prospect with id {prospect!r} in the record set (ids: {known}…)")
    result = call_deep(lambda: run_cycle(rules, records, _clock(now), explain=prospect))
    outcome = result.plan.outcome(prospect)
    assert outcome is not None
    steps = tuple(result.explanation[0].steps) if result.explanation else ()
    return Explanation(outcome, steps)


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


def diff(
    old: CheckedRules, new: CheckedRules, records: str, *, now: dt.datetime | None = None
) -> tuple[tuple[Change, ...], int]:
    """Prospects whose action, target or writes change between two rule versions, and how
    many prospects were compared. The record set is read once per version, since each
    version types it by its own declarations."""
    from engine.plan import compare_plans

    clock_now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    before = dry_run(old, load_records(records, _valid(old)), now=clock_now)
    after = dry_run(new, load_records(records, _valid(new)), now=clock_now)
    return compare_plans(before, after), len(after.outcomes)


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

    results = []
    for path in expand_paths(paths):
        read = read_source(path, keep_newlines=True)
        if read.source is None:
            assert read.diagnostic is not None
            results.append(Formatted(path, "", None, (read.diagnostic,), {}))
            continue
        source = read.source
        result = format_source(source.text, path)
        results.append(
            Formatted(path, source.text, result.text, result.diagnostics, {path: source})
        )
    return tuple(results)


def write_formatted(results: Sequence[Formatted]) -> None:
    """Write formatted files in place, each atomically."""
    from engine.files import write_atomic

    for result in results:
        if result.changed and result.text is not None:
            write_atomic(result.path, result.text)
