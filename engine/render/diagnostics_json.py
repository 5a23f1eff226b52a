"""Diagnostics as JSON: one object with a list, in the report's order."""

from __future__ import annotations

import json
from collections.abc import Sequence

from engine.diagnostics import Diagnostic


def as_dict(d: Diagnostic) -> dict[str, object]:
    s = d.span
    return {
        "code": d.code,
        "name": d.name,
        "severity": str(d.severity),
        "message": d.message,
        "path": s.path,
        "line": s.line,
        "col": s.col,
        "end_line": s.end_line,
        "end_col": s.end_col,
        "hint": d.hint,
        "related": [
            {"path": r.path, "line": r.line, "col": r.col, "message": m} for r, m in d.related
        ],
    }


def render(items: Sequence[Diagnostic]) -> str:
    return (
        json.dumps({"diagnostics": [as_dict(d) for d in items]}, indent=2, ensure_ascii=False)
        + "\n"
    )
