"""One diagnostic type for syntax, check, lint and record-set problems."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from engine.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A located problem: `path:line:col: CODE name message`."""

    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None
    related: tuple[tuple[Span, str], ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.col, self.code, self.message)


@dataclass(slots=True)
class Report:
    """The sink every stage writes diagnostics into; stages keep going after a problem."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> tuple[Diagnostic, ...]:
        """Diagnostics in a stable order, exact duplicates removed."""
        unique = {(d.sort_key(), d.name, d.hint): d for d in self.items}
        return tuple(sorted(unique.values(), key=Diagnostic.sort_key))


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """`did you mean "score"?` for a near miss, else None."""
    pool = list(candidates)
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.75)
    if not close:
        folded = {c.casefold(): c for c in pool}
        hit = folded.get(name.casefold())
        close = [hit] if hit else []
    return f'did you mean "{close[0]}"?' if close else None
