"""Evaluate one Salesforce formula against one lead record, the way an imported
validation rule is evaluated: parsed by the SFDX front end, checked, then evaluated."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.check.exprs import ExprChecker, Scope
from engine.check.resolve import check_rules
from engine.diagnostics import Report
from engine.loader import load_text
from engine.records.model import Origin, Record
from engine.runtime.context import Clock, RecordContext, directory
from engine.runtime.evaluate import Result, evaluate
from engine.sfdx.formula import Placed, parse_formula
from engine.source import SourceFile

NOW = dt.datetime(2026, 5, 17, 9, 30, tzinfo=dt.UTC)
TYPES = {
    "number": "number",
    "text": "text(255)",
    "checkbox": "boolean",
    "date": "date",
    "datetime": "datetime",
}


class FormulaProblem(Exception):
    """The formula did not parse or check: the diagnostics, as text."""


def declare(variables: dict[str, dict[str, Any]]) -> str:
    fields = []
    for name, spec in variables.items():
        kind = spec["type"]
        if kind in ("picklist", "multipicklist"):
            values = ", ".join(f'"{v}"' for v in spec["values"])
            fields.append(f"{name}: {kind}({values})")
        else:
            fields.append(f"{name}: {TYPES[kind]}")
    return "object lead { Id: id " + " ".join(fields) + " }\n"


def value_of(spec: dict[str, Any]) -> Any:
    value = spec["value"]
    kind = spec["type"]
    if value is None:
        return "" if kind in ("text", "picklist", "multipicklist") else None
    if kind == "number":
        return Decimal(str(value))
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind == "multipicklist":
        return ";".join(value)
    return value


def run(
    formula: str,
    variables: dict[str, dict[str, Any]] | None = None,
    *,
    raw: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    users: list[Record] | None = None,
    rules_text: str = "",
) -> Result:
    """The formula's value for a lead holding `variables` (and extra `raw` keys)."""
    variables = variables or {}
    rules = check_rules(load_text(rules_text + declare(variables), "<formula-test>"))
    source = SourceFile("<formula>", formula)
    parsed = parse_formula(formula, Placed(source, range(len(formula) + 1)))
    report = Report(list(parsed.diagnostics))
    expr = None
    if parsed.expr is not None:
        expr = ExprChecker(Scope("validation", "lead", rules.objects), report).check(parsed.expr)
    if report.items or expr is None or rules.diagnostics:
        problems = [*rules.diagnostics, *report.items]
        raise FormulaProblem("; ".join(f"{d.name}: {d.message}" for d in problems))
    values = {name: value_of(spec) for name, spec in variables.items()}
    record = Record(
        "lead", "00Q1", values, {"Id": "00Q1", **values, **(raw or {})}, Origin("<test>", 0)
    )
    prior = None
    if before is not None:
        prior = Record("lead", "00Q1", {**values, **before}, {"Id": "00Q1"}, Origin("<test>", 0))
    ctx = RecordContext(rules, record, Clock(NOW), directory(users or []), prior)
    return evaluate(expr, ctx)
