"""What `explain` shows: each step of the cycle for one prospect, as text and as data."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine import ir
from engine.check.model import CheckedRules
from engine.plan import Step
from engine.records.model import Value
from engine.runtime.evaluate import EvalError, Result, Trace
from engine.source import Span


@dataclass(slots=True)
class Explainer:
    """Collects steps for one prospect; a disabled explainer costs one attribute check."""

    rules: CheckedRules
    enabled: bool
    steps: list[Step] = field(default_factory=list)

    def add(self, step: str, summary: str, details: list[str] | tuple[str, ...] = ()) -> None:
        if self.enabled:
            self.steps.append(Step(step, summary, tuple(details)))

    def source(self, span: Span) -> str:
        source = self.rules.sources.get(span.path)
        if source is None:
            return "…"
        return " ".join(source.text[span.start : span.end].split())

    def trace_lines(self, trace: Trace | None) -> list[str]:
        """The sub-expressions that decided a condition, innermost first, as `text → value`."""
        if trace is None:
            return []
        lines: list[str] = []
        seen: set[tuple[int, int]] = set()
        for expr, value in trace.steps:
            if isinstance(expr, ir.Const):
                continue
            key = (expr.span.start, expr.span.end)
            if key in seen:
                continue
            seen.add(key)
            lines.append(f"{self.source(expr.span)} → {show(value)}")
        return lines


def show(value: Result | Value) -> str:
    """A value as explain prints it: text quoted, blanks visible, errors named."""
    from engine.formula.functions import to_text

    if isinstance(value, EvalError):
        return f"error: {value.message}"
    if value is None:
        return "blank"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '""' if value == "" else f'"{value}"'
    return to_text(value)
