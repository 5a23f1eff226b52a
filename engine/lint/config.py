"""Lint configuration: `[tool.syncrules]` in pyproject.toml, or `.syncrules.toml`.

    [tool.syncrules]
    select = ["ALL"]                      # rule names or codes; default: every rule
    ignore = ["risky-most-recent"]        # never report these
    fail-level = "warning"                # lint exits 1 at or above this (default: info)
    [tool.syncrules.severity]
    picklist-mismatch = "error"           # a rule's severity, changed
    [tool.syncrules.per-path-ignores]
    "rules/legacy/*.sync" = ["type-mismatch"]

`.syncrules.toml` holds the same keys at its top level. The nearest file from the current
directory upwards wins; `--config PATH` names one.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import codes
from engine.diagnostics import Diagnostic, Severity
from engine.files import InputError

KEYS = {"select", "ignore", "fail-level", "severity", "per-path-ignores"}


@dataclass(frozen=True, slots=True)
class LintConfig:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    fail_level: Severity = Severity.INFO
    severity: dict[str, Severity] = field(default_factory=dict)
    per_path_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path: str | None = None  # where it was read from

    def _is(self, key: str, diagnostic: Diagnostic) -> bool:
        return key == "ALL" or key in (diagnostic.name, diagnostic.code)

    def selects(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.severity is Severity.ERROR and codes.lookup(diagnostic.code) in codes.CHECK_CODES:
            return True  # check errors always show: the rule set is invalid without them
        if not any(self._is(k, diagnostic) for k in self.select):
            return False
        if any(self._is(k, diagnostic) for k in self.ignore):
            return False
        path = diagnostic.span.path
        for pattern, keys in self.per_path_ignores.items():
            if fnmatch.fnmatch(path, pattern) and any(self._is(k, diagnostic) for k in keys):
                return False
        return True

    def adjust(self, diagnostic: Diagnostic) -> Diagnostic:
        level = self.severity.get(diagnostic.name) or self.severity.get(diagnostic.code)
        if level is None or level is diagnostic.severity:
            return diagnostic
        from dataclasses import replace

        return replace(diagnostic, severity=level)


def find_config(start: str | None = None) -> str | None:
    """The nearest `.syncrules.toml`, or `pyproject.toml` with a [tool.syncrules] table."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        dedicated = folder / ".syncrules.toml"
        if dedicated.is_file():
            return str(dedicated)
        project = folder / "pyproject.toml"
        if project.is_file() and "[tool.syncrules" in project.read_text("utf-8", "replace"):
            return str(project)
    return None


def load_config(path: str | None) -> LintConfig:
    """Read a config file (None: defaults). Bad configuration is an InputError (exit 2)."""
    if path is None:
        return LintConfig()
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {error}") from None
    if Path(path).name == "pyproject.toml":
        data = data.get("tool", {}).get("syncrules", {})
    return _parse(path, data)


def _names(path: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{path}: {key} must be a list of rule names or codes")
    for name in value:
        if name != "ALL" and codes.lookup(name) is None:
            raise InputError(f"{path}: {key}: no rule named {name!r}")
    return tuple(value)


def _level(path: str, key: str, value: Any) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        levels = ", ".join(s.value for s in Severity)
        raise InputError(f"{path}: {key} must be one of {levels}, not {value!r}") from None


def _parse(path: str, data: dict[str, Any]) -> LintConfig:
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise InputError(f"{path}: unknown setting {unknown[0]!r} (settings: {', '.join(sorted(KEYS))})")
    severity = data.get("severity", {})
    per_path = data.get("per-path-ignores", {})
    if not isinstance(severity, dict) or not isinstance(per_path, dict):
        raise InputError(f"{path}: severity and per-path-ignores must be tables")
    return LintConfig(
        select=_names(path, "select", data.get("select", ["ALL"])),
        ignore=_names(path, "ignore", data.get("ignore", [])),
        fail_level=_level(path, "fail-level", data.get("fail-level", "info")),
        severity={
            _names(path, "severity", [k])[0]: _level(path, f"severity.{k}", v)
            for k, v in severity.items()
        },
        per_path_ignores={k: _names(path, f"per-path-ignores.{k}", v) for k, v in per_path.items()},
        path=path,
    )
