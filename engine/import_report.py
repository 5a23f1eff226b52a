"""How a metadata tree's validation rules fare: imported, evaluating, or set aside and why.

`analyse` imports a tree the way `import salesforce` does, type-checks it, and evaluates
every checked rule once on a blank record of its object, so a rule that would crash or
silently pass shows up here first. `report` renders that for `syncrules import-salesforce
DIR --report`, `report_json` for `--report --format json` (SPEC §1, pinned). It sits at the
API level, beside `api.py`: it answers a question about the whole pipeline (loader,
checker and evaluator), which the SFDX front end below the checker must not reach.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from engine import ir
from engine.check.model import CheckedRules, ValidationRule
from engine.check.resolve import check_rules
from engine.deep import call_deep
from engine.diagnostics import Diagnostic, Severity
from engine.formula import merge_fields
from engine.loader import load_text
from engine.records.model import Origin, Record
from engine.runtime.context import Clock, RecordContext, directory
from engine.runtime.evaluate import EvalError, Result, Unavailable, evaluate
from engine.sfdx.tree import ImportedRule, ImportedTree

PROBE_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # fixed: the same tree, the same report


class Status(StrEnum):
    EVALUATES = "evaluates"  # from the record's own fields
    NEEDS_DATA = "needs data"  # global or cross-object values the record set must give
    SET_ASIDE = "set aside"  # did not import or type-check: located reason


@dataclass(frozen=True, slots=True)
class RuleReport:
    """One imported validation rule's fate."""

    rule: ImportedRule
    status: Status
    problems: tuple[Diagnostic, ...]  # located in the rule; empty means it checked clean
    needs: tuple[str, ...]  # merge fields it reads (`$Profile.Name`, `RecordType.Name`)
    probe: Result | None  # its value on a blank record (None when set aside)

    @property
    def clean(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> Diagnostic | None:
        return self.problems[0] if self.problems else None

    @property
    def reason_text(self) -> str:
        """Why the rule is set aside, located within its file: `LINE:COL: CODE name: …`."""
        reason = self.reason
        if reason is None:
            return "it could not be read"
        span, text = reason.related[0] if reason.related else (reason.span, reason.message)
        return f"{span.line}:{span.col}: {text}"


@dataclass(frozen=True, slots=True)
class TreeReport:
    root: str
    tree: ImportedTree | None
    rules: tuple[RuleReport, ...]
    tree_problems: tuple[Diagnostic, ...]  # problems outside any rule (fields, XML)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.rules if r.status is status)

    @property
    def clean(self) -> int:
        return sum(1 for r in self.rules if r.clean)

    @property
    def refused(self) -> tuple[Diagnostic, ...]:
        """What the import refused (malformed or unreadable files, typeless unknown fields):
        errors, unlike a set-aside rule or a missing global value set (SPEC §1)."""
        return tuple(d for d in self.tree_problems if d.severity is Severity.ERROR)


def _import_line(root: str) -> str:
    # the root as given, never made absolute: paths print relative like everywhere else
    quoted = root.replace("\\", "\\\\").replace('"', '\\"')
    return f'import salesforce "{quoted}"\n'


def analyse(root: str) -> TreeReport:
    """Import, check and probe every validation rule of a tree (never raises for bad input)."""
    return call_deep(lambda: _analyse(root))


def _analyse(root: str) -> TreeReport:
    loaded = load_text(_import_line(root), "<import-salesforce>")
    checked = check_rules(loaded)
    tree = loaded.imports[0] if loaded.imports else None
    if tree is None:
        return TreeReport(root, None, (), checked.diagnostics)
    by_node = {id(v.node): v for v in checked.validations}
    reports: list[RuleReport] = []
    placed: set[int] = set()
    found = sorted((*checked.diagnostics, *checked.import_findings), key=Diagnostic.sort_key)
    for rule in tree.rules:
        mine = tuple(d for d in found if rule.contains(d.span))
        placed.update(id(d) for d in mine)
        checked_rule = by_node.get(id(rule.node)) if rule.node is not None else None
        reports.append(_rule_report(rule, mine, checked_rule, checked))
    rest = tuple(d for d in found if id(d) not in placed)
    return TreeReport(root, tree, tuple(reports), rest)


def _rule_report(
    rule: ImportedRule,
    problems: tuple[Diagnostic, ...],
    checked_rule: ValidationRule | None,
    rules: CheckedRules,
) -> RuleReport:
    if checked_rule is None:
        return RuleReport(rule, Status.SET_ASIDE, problems, (), None)
    needs = tuple(
        sorted(
            {
                ref
                for node in ir.walk(checked_rule.error_if)
                if (ref := merge_fields.referenced(node)) is not None
            }
        )
    )
    value = probe(checked_rule, rules)
    status = Status.NEEDS_DATA if needs else Status.EVALUATES
    return RuleReport(rule, status, problems, needs, value)


def probe(rule: ValidationRule, rules: CheckedRules) -> Result:
    """The rule's value on a blank record of its object, updated by the connector."""
    record = Record(rule.object, "probe", {}, {"Id": "probe"}, Origin("<probe>", 0))
    ctx = RecordContext(rules, record, Clock(PROBE_TIME), directory([]), before=record)
    return evaluate(rule.error_if, ctx)


# -- text ----------------------------------------------------------------------------------


def report(root: str) -> str:
    """The `import-salesforce DIR --report` text for a tree."""
    return render(analyse(root))


def render(result: TreeReport) -> str:
    lines = [f"import salesforce: {result.root}"]
    tree = result.tree
    if tree is None:
        lines += [_located(d) for d in result.tree_problems]
        return "\n".join(lines) + "\n"
    lines.append(_objects_line(tree))
    if tree.skipped:
        lines.append(f"skipped objects: {', '.join(tree.skipped)}")
    total = len(result.rules)
    lines.append(f"validation rules: {total}")
    if total:
        share = f"{100 * result.clean / total:.1f}%"
        lines.append(f"  {result.clean} import and type-check clean ({share})")
        lines.append(f"  {result.count(Status.EVALUATES)} evaluate from the record's own fields")
        lines.append(f"  {result.count(Status.NEEDS_DATA)} evaluate when the record set gives:")
        needs = Counter(n for r in result.rules for n in r.needs)
        lines += [
            f"      {name}  ({count} rule{'s' if count != 1 else ''})"
            for name, count in sorted(needs.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        aside = [r for r in result.rules if r.status is Status.SET_ASIDE]
        lines.append(f"  {len(aside)} set aside:")
        lines += [
            f"      {_located(r.reason)}" if r.reason else f"      {r.rule.path}: {r.rule.name}"
            for r in aside
        ]
        failing = [
            r
            for r in result.rules
            if isinstance(r.probe, EvalError) and not isinstance(r.probe, Unavailable)
        ]
        if failing:
            lines.append(f"  {len(failing)} fail on a blank record:")
            lines += [
                f"      {r.rule.name}: {r.probe.message}"
                for r in failing
                if isinstance(r.probe, EvalError)
            ]
    partial = [d for d in result.tree_problems if d.severity is Severity.WARNING]
    if partial:
        lines.append(f"not in the tree: {len(partial)}")
        lines += [f"  {_located(d)}" for d in partial]
    if result.refused:
        lines.append(f"refused: {len(result.refused)}")
        lines += [f"  {_located(d)}" for d in result.refused]
    if tree.notes:
        lines.append("notes:")
        lines += [f"  {note}" for note in tree.notes]
    return "\n".join(lines) + "\n"


def _objects_line(tree: ImportedTree) -> str:
    fields = Counter[str]()
    for decl in tree.objects:
        fields[decl.object.name] += len(decl.fields)
    rules = Counter(r.object for r in tree.rules)
    parts = [
        f"{obj} ({fields[obj]} field{'s' if fields[obj] != 1 else ''}, "
        f"{rules[obj]} rule{'s' if rules[obj] != 1 else ''})"
        for obj in tree.imported_objects
    ]
    return "objects: " + (
        ", ".join(parts)
        if parts
        else "none of Lead, Contact, Account, User, Campaign, CampaignMember"
    )


def _located(d: Diagnostic) -> str:
    s = d.span
    return f"{s.path}:{s.line}:{s.col}: {d.severity} {d.code} {d.name}: {d.message}"


# -- json ----------------------------------------------------------------------------------


def report_json(result: TreeReport) -> str:
    """`import-salesforce DIR --report --format json`: one JSON object (SPEC §1, pinned),
    whose `rules` list has one entry per validation rule of the tree, in declaration order."""
    data = {
        "root": result.root,
        "rules": [_rule_json(r) for r in result.rules],
        # what the tree lacks and what it refused; the note on skipped objects is a list
        "problems": [
            _diagnostic_json(d) for d in result.tree_problems if d.severity is not Severity.INFO
        ],
        "skipped_objects": list(result.tree.skipped) if result.tree else [],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _rule_json(report: RuleReport) -> dict[str, str]:
    entry = {
        "object": report.rule.object,
        "name": report.rule.name,
        "path": report.rule.path,
        "status": "set_aside" if report.status is Status.SET_ASIDE else "clean",
    }
    if report.status is Status.SET_ASIDE:
        entry["reason"] = report.reason_text
    return entry


def _diagnostic_json(d: Diagnostic) -> dict[str, str | int]:
    s = d.span
    return {
        "path": s.path,
        "line": s.line,
        "col": s.col,
        "severity": str(d.severity),
        "code": d.code,
        "name": d.name,
        "message": d.message,
    }
