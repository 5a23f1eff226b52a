"""`# syncrules: ignore[NAME or CODE, …]` on the offending line; unused ignores are reported."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from engine import ast, codes
from engine.diagnostics import Diagnostic, Severity
from engine.source import Span

IGNORE = re.compile(r"#\s*syncrules:\s*ignore\[([^\]]*)\]")

UNUSED_IGNORE = codes.register(
    codes.Code(
        "SR009",
        "unused-ignore",
        Severity.WARNING,
        "an ignore comment that silences nothing",
        "lint",
    )
)


@dataclass(slots=True)
class Ignore:
    span: Span
    keys: tuple[str, ...]  # as written
    used: set[str] = field(default_factory=set)


def collect(files: Iterable[ast.RuleFile]) -> dict[tuple[str, int], Ignore]:
    """Ignore comments by (path, line)."""
    found: dict[tuple[str, int], Ignore] = {}
    for rule_file in files:
        for comment in rule_file.comments:
            match = IGNORE.search(comment.text)
            if match:
                keys = tuple(k.strip() for k in match.group(1).split(",") if k.strip())
                found[(comment.span.path, comment.span.line)] = Ignore(comment.span, keys)
    return found


def _matches(key: str, diagnostic: Diagnostic) -> bool:
    return key in (diagnostic.name, diagnostic.code) or key.upper() == diagnostic.code


def apply(
    diagnostics: Sequence[Diagnostic],
    ignores: dict[tuple[str, int], Ignore],
    selected: Callable[[Diagnostic], bool] = lambda d: True,
) -> list[Diagnostic]:
    """The diagnostics no ignore comment silences, plus one per unused ignore key.

    An ignore for a rule the configuration turns off (`selected` says no) is not
    reported as unused: it would silence the rule the day it is turned back on."""
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        ignore = ignores.get((diagnostic.span.path, diagnostic.span.line))
        hits = [k for k in ignore.keys if _matches(k, diagnostic)] if ignore else []
        if ignore is not None and hits:
            ignore.used.update(hits)
        else:
            kept.append(diagnostic)
    for ignore in ignores.values():
        for key in ignore.keys:
            if key in ignore.used:
                continue
            code = codes.lookup(key)
            if code is not None and not selected(code.at(ignore.span, "")):
                continue
            known = code is not None
            message = (
                f"ignore[{key}] silences nothing on this line"
                if known
                else f"ignore[{key}] names no rule"
            )
            hint = (
                "remove it" if known else "use a rule name such as risky-most-recent, or its code"
            )
            kept.append(UNUSED_IGNORE.at(ignore.span, message, hint=hint))
    return kept
