"""Findings as GitHub Actions workflow commands (annotations on the pull request)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.diagnostics import Diagnostic, Severity

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics: Sequence[Diagnostic]) -> str:
    """`::LEVEL file=PATH,line=LINE,col=COL,title=CODE NAME::MESSAGE`, one per finding."""
    lines = []
    for d in diagnostics:
        s = d.span
        message = d.message + (f" ({d.hint})" if d.hint else "")
        lines.append(
            f"::{LEVELS[d.severity]} file={_property(s.path)},line={s.line},col={s.col},"
            f"title={_property(f'{d.code} {d.name}')}::{_data(message)}"
        )
    return "".join(line + "\n" for line in lines)
