"""Lint configuration: `[tool.syncrules]` in pyproject.toml, or `.syncrules.toml`.

    [tool.syncrules]
    select = ["ALL"]                      # rule names or codes; default: every rule
    ignore = ["risky-most-recent"]        # never report these
    fail-level = "warning"                # lint exits 1 at or above this (default: info)
    [tool.syncrules.severity]
    picklist-mismatch = "error"           # a rule's severity, changed
    [tool.syncrules.per-path-ignores]
    "rules/legacy/*.sync" = ["type-mismatch"]

`.syncrules.toml` holds the same keys at its top level, or under `[tool.syncrules]` as in
pyproject.toml (one or the other). The nearest file from the current
directory upwards wins; `--config PATH` names one. A per-path-ignores pattern is matched
against a finding's path as given on the command line and relative to the folder of the
configuration file (`*` also matches `/`).

Check errors (`unknown-field`, `syntax-error`, …) make a rule set invalid: configuration
cannot ignore them or change their severity (an ignore comment on the line can hide one
from a report). Bad configuration is an error that names the file and, where it can be
found, the line.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import codes
from engine.diagnostics import Diagnostic, Severity
from engine.files import MAX_RULE_FILE_BYTES, InputError, read_regular_file

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
        if codes.lookup(diagnostic.code) in codes.CHECK_CODES:
            return True  # check errors always show: the rule set is invalid without them
        if not any(self._is(k, diagnostic) for k in self.select):
            return False
        if any(self._is(k, diagnostic) for k in self.ignore):
            return False
        paths = self._paths(diagnostic.span.path)
        for pattern, keys in self.per_path_ignores.items():
            pattern = pattern.replace("\\", "/")
            if any(fnmatch.fnmatch(p, pattern) for p in paths) and any(
                self._is(k, diagnostic) for k in keys
            ):
                return False
        return True

    def _paths(self, path: str) -> set[str]:
        """A finding's path as given, normalised, and relative to the config's folder."""
        paths = {path, os.path.normpath(path)}
        if self.path is not None:
            base = os.path.dirname(os.path.abspath(self.path))
            with contextlib.suppress(ValueError):  # on another drive (Windows)
                paths.add(os.path.relpath(os.path.abspath(path), base))
        return {p.replace("\\", "/") for p in paths}

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
            return _relative(dedicated)
        project = folder / "pyproject.toml"
        if project.is_file() and b"[tool.syncrules" in read_regular_file(
            str(project), MAX_RULE_FILE_BYTES
        ):
            return _relative(project)
    return None


def _relative(path: Path) -> str:
    """The path as messages print it: relative to the working directory, like every other
    path syncrules prints (`../pyproject.toml` above it)."""
    try:
        return os.path.relpath(path)
    except ValueError:  # on another drive (Windows)
        return str(path)


def load_config(path: str | None) -> LintConfig:
    """Read a config file (None: defaults). Bad configuration is an InputError (exit 2)."""
    if path is None:
        return LintConfig()
    try:
        text = read_regular_file(path, MAX_RULE_FILE_BYTES).decode("utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: cannot read: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if at:
            where = f"{path}:{at.group(1)}:{at.group(2)}"
            raise InputError(f"{where}: invalid TOML: {message[: at.start()]}") from None
        raise InputError(f"{path}: invalid TOML: {message}") from None
    start = 0
    # a .syncrules.toml may hold the keys at its top level or, as pasted from the README's
    # pyproject example, under [tool.syncrules]: both mean the same
    nested = Path(path).name != "pyproject.toml" and "tool" in data
    if nested and set(data) != {"tool"}:
        others = ", ".join(sorted(k for k in data if k != "tool"))
        raise InputError(
            f"{path}: settings both at the top level ({others}) and under [tool.syncrules]: "
            "keep one of the two"
        )
    if Path(path).name == "pyproject.toml" or nested:
        tool = data.get("tool", {})
        data = tool.get("syncrules", {}) if isinstance(tool, dict) else {}
        header = re.search(r"^\s*\[\s*tool\.syncrules\b", text, re.MULTILINE)
        start = text.count("\n", 0, header.start()) if header else 0
    if not isinstance(data, dict):
        raise InputError(f"{path}: tool.syncrules must be a table")
    return _parse(_Where(path, text.splitlines(), start), data)


class _Where:
    """Names the file and, when it can be found, the line of a bad setting."""

    def __init__(self, path: str, lines: list[str], start: int) -> None:
        self.path, self.lines, self.start = path, lines, start

    def _line(self, pattern: str) -> int | None:
        compiled = re.compile(pattern)
        for number in range(self.start, len(self.lines)):
            if compiled.search(self.lines[number]):
                return number + 1
        return None

    def key(self, key: str) -> str:
        """`path:LINE` of `key = …` (bare or quoted)."""
        line = self._line(rf"^\s*(?:[\w.-]+\.)?([\"']?){re.escape(key)}\1\s*[=.]")
        return f"{self.path}:{line}" if line else self.path

    def value(self, value: str) -> str:
        """`path:LINE` of a quoted value, such as a rule name in a list."""
        line = self._line(rf"[\"']{re.escape(value)}[\"']")
        return f"{self.path}:{line}" if line else self.path


def _known(name: str) -> codes.Code | None:
    """A check error or lint rule by name or code, with every lint rule registered."""
    from engine.lint import suppress  # noqa: F401  (registers unused-ignore)
    from engine.lint.registry import load_rules

    load_rules()
    return codes.lookup(name)


def _names(
    where: _Where, key: str, value: Any, *, lint_only: bool = False, table_key: str = ""
) -> tuple[str, ...]:
    """Rule names or codes as canonical names. `table_key`: the list is the value of that
    key of a table (per-path-ignores); `lint_only`: check errors are refused."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        at = where.key(table_key or key)
        raise InputError(f"{at}: {key} must be a list of rule names or codes")
    canonical = []
    for name in value:
        if name == "ALL" and key != "severity":
            canonical.append(name)
            continue
        code = _known(name)
        at = where.key(name) if key == "severity" else where.value(name)
        if code is None:
            raise InputError(f"{at}: {key}: no rule named {name!r}")
        if lint_only and code in codes.CHECK_CODES:
            raise InputError(
                f"{at}: {key}: {code.name} is a check error, which makes the rule set "
                "invalid; configuration cannot ignore it or change its severity"
            )
        canonical.append(code.name)  # `sr204` and `SR204` both mean risky-most-recent
    return tuple(canonical)


def _level(where: _Where, key: str, value: Any) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        levels = ", ".join(s.value for s in Severity)
        raise InputError(
            f"{where.key(key.removeprefix('severity.'))}: {key} must be one of {levels}, "
            f"not {value!r}"
        ) from None


def _parse(where: _Where, data: dict[str, Any]) -> LintConfig:
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise InputError(
            f"{where.key(unknown[0])}: unknown setting {unknown[0]!r} "
            f"(settings: {', '.join(sorted(KEYS))})"
        )
    severity = data.get("severity", {})
    per_path = data.get("per-path-ignores", {})
    for key, table in (("severity", severity), ("per-path-ignores", per_path)):
        if not isinstance(table, dict):
            raise InputError(f"{where.key(key)}: {key} must be a table")
    return LintConfig(
        select=_names(where, "select", data.get("select", ["ALL"])),
        ignore=_names(where, "ignore", data.get("ignore", []), lint_only=True),
        fail_level=_level(where, "fail-level", data.get("fail-level", "info")),
        severity={
            _names(where, "severity", [k], lint_only=True)[0]: _level(where, f"severity.{k}", v)
            for k, v in severity.items()
        },
        per_path_ignores={
            k: _names(where, f"per-path-ignores.{k!r}", v, lint_only=True, table_key=k)
            for k, v in per_path.items()
        },
        path=where.path,
    )
