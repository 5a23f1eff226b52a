"""Findings as SARIF 2.1.0, with every rule described in the driver, for code scanning."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote

from engine import __version__
from engine.codes import Code
from engine.diagnostics import Diagnostic, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _artifact(path: str) -> dict[str, str]:
    """A SARIF artifactLocation: a relative path is a URI reference under %SRCROOT% (the
    checkout, for code scanning); an absolute one is a file: URI. Both percent-encoded."""
    # the running system's path flavour: on POSIX a backslash is a character of a file
    # name (percent-encoded as %5C), on Windows a separator
    native: PurePath = PureWindowsPath(path) if os.name == "nt" else PurePosixPath(path)
    if native.is_absolute():
        if isinstance(native, PureWindowsPath):
            return {"uri": native.as_uri()}
        return {"uri": "file://" + quote(native.as_posix(), safe="/")}
    return {"uri": quote(native.as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}


def _rule(code: Code) -> dict[str, object]:
    return {
        "id": code.code,
        "name": code.name,
        "shortDescription": {"text": code.summary},
        # code scanning shows both descriptions at the top of an alert, and `help` in
        # the rule's panel
        "fullDescription": {"text": f"{code.code} {code.name}: {code.summary}"},
        "help": {
            "text": f"{code.summary}. Documentation: {code.help_uri}",
            "markdown": f"{code.summary}. [Documentation of {code.name}]({code.help_uri})",
        },
        "helpUri": code.help_uri,
        "defaultConfiguration": {"level": LEVELS[code.severity]},
        "properties": {"tags": [code.kind]},
    }


def _result(d: Diagnostic, index: int | None) -> dict[str, object]:
    s = d.span
    message = d.message + (f" ({d.hint})" if d.hint else "")
    one_line = s.end_line == s.line
    result: dict[str, object] = {"ruleId": d.code}
    if index is not None:
        result["ruleIndex"] = index
    result |= {
        "level": LEVELS[d.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(s.path),
                    "region": {
                        "startLine": s.line,
                        "startColumn": s.col,
                        "endLine": s.end_line,
                        "endColumn": max(s.end_col, s.col + 1) if one_line else s.end_col,
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
                    "artifactLocation": _artifact(span.path),
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
                "results": [_result(d, index.get(d.code)) for d in diagnostics],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
