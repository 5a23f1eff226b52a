"""Diagnostics as text: `path:line:col: severity CODE name: message`, source line, caret."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.diagnostics import Diagnostic, Severity
from engine.source import SourceFile

COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
BOLD, RESET = "\033[1m", "\033[0m"
MAX_LINE = 120


def diagnostic(d: Diagnostic, sources: Mapping[str, SourceFile], colour: bool = False) -> str:
    """One diagnostic with its source line and a caret under the span."""
    s = d.span
    severity = f"{COLOURS[d.severity]}{d.severity}{RESET}" if colour else str(d.severity)
    head = f"{s.path}:{s.line}:{s.col}: {severity} {d.code} {d.name}: {d.message}"
    if colour:
        head = f"{BOLD}{s.path}:{s.line}:{s.col}:{RESET} " + head.split(": ", 1)[1]
    lines = [head]
    source = sources.get(s.path)
    text = source.line_text(s.line) if source else ""
    if source is not None and (text.strip() or d.hint):
        gutter = " " * len(str(s.line))
        shown = "".join(ch if ch.isprintable() else "\ufffd" for ch in text.expandtabs(1))
        width = (s.end_col - s.col) if s.end_line == s.line else len(shown) - s.col + 1
        col = s.col
        if len(shown) > MAX_LINE:  # a window around the caret, not a 200 KB line
            begin = max(0, col - 1 - MAX_LINE // 2)
            shown = ("…" if begin else "") + shown[begin : begin + MAX_LINE] + "…"
            col = col - begin + (1 if begin else 0)
            width = min(width, MAX_LINE // 2)
        caret = " " * (col - 1) + "^" * max(1, width)
        hint = f" {d.hint}" if d.hint else ""
        lines += [f"{gutter} |", f"{s.line} | {shown}", f"{gutter} | {caret}{hint}"]
    elif d.hint:
        lines.append(f"  = {d.hint}")
    for span, note in d.related:
        lines.append(f"  = {note}: {span.path}:{span.line}:{span.col}")
    return "\n".join(lines)


def diagnostics(
    items: Sequence[Diagnostic], sources: Mapping[str, SourceFile], colour: bool = False
) -> str:
    """Every diagnostic, then a summary line."""
    blocks = [diagnostic(d, sources, colour) for d in items]
    return "".join(block + "\n" for block in blocks) + summary(items) + "\n"


def summary(items: Sequence[Diagnostic]) -> str:
    if not items:
        return "no problems found"
    counts = {sev: sum(1 for d in items if d.severity is sev) for sev in Severity}
    parts = [f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items() if n]
    return "found " + ", ".join(parts)
