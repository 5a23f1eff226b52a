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


def test_layers_contract_is_kept() -> None:
    """import-linter's contracts in pyproject.toml: the pipeline flows one way (STYLE §2).

    Known violations are listed there as issue 10's debt; a new one breaks the contract,
    and so does an ignore that no longer matches (remove it when its import goes)."""
    # `-c` puts the checkout first on sys.path: the contracts are checked on this code,
    # not on an installed copy; no cache, so nothing is written into the checkout
    lint = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    result = subprocess.run(
        [sys.executable, "-c", lint, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
