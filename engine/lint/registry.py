"""Lint rules register here: one class per rule, one module per rule under `lint/rules/`.

    @rule("SR204", "risky-most-recent", Severity.WARNING, "…one-line summary…")
    class RiskyMostRecent(Rule):
        def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
            ...
            yield self.at(span, "message that says what to do", hint="…")

Rules are pure functions of the checked rule set; they report the narrowest span that
explains the finding.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from collections.abc import Mapping as Mapping_
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine import codes
from engine.check.model import CheckedRules, FieldInfo, Mapping
from engine.diagnostics import Diagnostic, Severity
from engine.source import Span

if TYPE_CHECKING:  # lint reads a record set only when `lint --records` gives one
    from engine.records.model import RecordSet


@dataclass(frozen=True, slots=True)
class LintContext:
    """What a rule may look at: the checked rule set, and a few shared look-ups."""

    rules: CheckedRules
    records: RecordSet | None = None  # `lint --records PATH`: data-aware rules run too
    # with records and business units: (object, Id) → the units whose sharing admits the
    # record, evaluated by the API (lint never runs the runtime's evaluator itself)
    units_sharing: Mapping_[tuple[str, str], tuple[str, ...]] | None = None
    _cache: dict[str, object] = field(default_factory=dict, compare=False)

    def mappings_into(self, obj: str) -> dict[str, list[Mapping]]:
        """Mappings by the Salesforce field (case-folded API name) they write on obj."""
        out: dict[str, list[Mapping]] = {}
        for mapping in self.rules.mappings:
            target = mapping.target(obj)
            if target is not None:
                out.setdefault(target.name.casefold(), []).append(mapping)
        return out

    def field(self, obj: str, name: str) -> FieldInfo | None:
        return self.rules.object(obj).get(name)


class Rule(ABC):
    """A lint rule; subclasses set `code` through the `@rule` decorator."""

    code: codes.Code
    # a data-aware rule looks at a record set and runs only when `lint --records` gives
    # one; its page's Bad example carries a ```yaml records block
    data_aware: bool = False

    @abstractmethod
    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        """The rule's findings for this rule set."""

    def at(
        self,
        span: Span,
        message: str,
        *,
        hint: str | None = None,
        related: tuple[tuple[Span, str], ...] = (),
    ) -> Diagnostic:
        return self.code.at(span, message, hint=hint, related=related)


RULES: list[Rule] = []


def rule(
    code: str, name: str, severity: Severity, summary: str
) -> Callable[[type[Rule]], type[Rule]]:
    """Register a lint rule class under a stable code and a kebab-case name."""

    def register(cls: type[Rule]) -> type[Rule]:
        cls.code = codes.register(codes.Code(code, name, severity, summary, "lint"))
        RULES.append(cls())
        return cls

    return register


def load_rules() -> list[Rule]:
    """Import every module of `engine.lint.rules` once; each registers its rule.
    (A module imported earlier on its own has registered already; importing is idempotent.)"""
    if not _LOADED:
        from engine.lint import rules as package

        for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
            importlib.import_module(f"{package.__name__}.{module}")
        RULES.sort(key=lambda r: r.code.code)
        _LOADED.append(True)
    return RULES


_LOADED: list[bool] = []
