"""Findings as SARIF 2.1.0, with every rule described in the driver, for code scanning."""

from __future__ import annotations

import json
from collections.abc import Sequence

from engine import __version__
from engine.codes import Code
from engine.diagnostics import Diagnostic, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(code: Code) -> dict[str, object]:
    return {
        "id": code.code,
        "name": code.name,
        "shortDescription": {"text": code.summary},
        "helpUri": code.help_uri,
        "defaultConfiguration": {"level": LEVELS[code.severity]},
        "properties": {"tags": [code.kind]},
    }


def _result(d: Diagnostic, index: int) -> dict[str, object]:
    s = d.span
    message = d.message + (f" ({d.hint})" if d.hint else "")
    result: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": LEVELS[d.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": s.path.replace("\\", "/"), "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "startLine": s.line,
                        "startColumn": s.col,
                        "endLine": s.end_line,
                        "endColumn": max(s.end_col, s.col + 1) if s.end_line == s.line else s.end_col,
                    },
                }
            }
        ],
    }
    if d.related:
        result["relatedLocations"] = [
            {
                "id": n,
                "message": {"text": note},
                "physicalLocation": {
                    "artifactLocation": {"uri": span.path.replace("\\", "/"), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": span.line, "startColumn": span.col},
                },
            }
            for n, (span, note) in enumerate(d.related)
        ]
    return result


def render(diagnostics: Sequence[Diagnostic], rules: Sequence[Code]) -> str:
    """One SARIF log with one run; `rules` is every rule that could have fired."""
    ordered = sorted(rules, key=lambda c: c.code)
    index = {c.code: n for n, c in enumerate(ordered)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "syncrules",
                        "version": __version__,
                        "informationUri": "https://github.com/syncrules/syncrules",
                        "rules": [_rule(c) for c in ordered],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index.get(d.code, -1)) for d in diagnostics],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
