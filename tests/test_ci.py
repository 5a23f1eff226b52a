"""How the suite behaves in CI (the `CI` variable set), tested on a copy of the checkout
placed where no real-world corpus lies beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, source_copy_ignore


@pytest.fixture(scope="module")
def lone_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package and the corpus tests, with no shared/realworld in any parent folder."""
    clone = tmp_path_factory.mktemp("lone") / "syncrules"
    shutil.copytree(ROOT, clone, ignore=source_copy_ignore)
    for name in ("conftest.py", "__init__.py", "sfdx/__init__.py", "sfdx/test_corpus.py"):
        (clone / "tests" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "tests" / name, clone / "tests" / name)
    assert not any((p / "shared" / "realworld").exists() for p in clone.parents)
    return clone


def _pytest(clone: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTHONPATH")}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-rs",
         "tests/sfdx/test_corpus.py"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def _corpus_tests() -> int:
    source = (ROOT / "tests" / "sfdx" / "test_corpus.py").read_text(encoding="utf-8")
    return source.count("\ndef test_")


def test_without_the_corpus_the_corpus_tests_skip_outside_ci(lone_clone: Path) -> None:
    result = _pytest(lone_clone, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{_corpus_tests()} skipped" in result.stdout
    assert "the real-world corpus (shared/realworld beside the repository) is missing" in (
        result.stdout
    )


def test_without_the_corpus_the_corpus_tests_fail_in_ci(lone_clone: Path) -> None:
    result = _pytest(lone_clone, ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    # the corpus fixture is where they fail, so pytest counts them as errors
    assert f"{_corpus_tests()} errors" in result.stdout, result.stdout
    assert "skipped" not in result.stdout
    assert "is missing; CI must have it" in result.stdout


PROBE = """\
import time

import pytest
from hypothesis import given, settings, strategies as st

RUNS = {}


@settings(max_examples=3, deadline=200, database=None)
@given(st.just(0))  # one example: nothing to shrink
def test_slow(x):
    time.sleep(0.3)  # past its own deadline: only CI forgives that


@pytest.mark.parametrize("k", [1, 2])
@settings(max_examples=200, database=None)
@given(st.integers())
def test_budgeted(k, x):
    RUNS[k] = RUNS.get(k, 0) + 1


@given(st.integers())
def test_unbudgeted(x):
    RUNS["none"] = RUNS.get("none", 0) + 1


def test_zz_counts():
    print("RUNS", RUNS.get(1), RUNS.get(2), RUNS.get("none"))
    assert False
"""


@pytest.mark.parametrize(
    ("ci", "runs"),
    [
        (True, "RUNS 50 50 25"),  # a quarter, scaled once per function
        (False, "RUNS 200 200 100"),
    ],
)
def test_ci_profile_runs_a_quarter_of_each_property(tmp_path: Path, ci: bool, runs: str) -> None:
    """Every property still runs in CI, each on a quarter of its budget (at least 10), and
    no deadline applies there."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTHONPATH")}
    if ci:
        env["CI"] = "true"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", "pyproject.toml", "--rootdir", ".", "-n", "0",
         "-p", "no:cacheprovider", "-p", "tests.conftest", "-s", str(probe)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert runs in result.stdout, result.stdout + result.stderr
    # the reporting test always fails; test_slow fails on its deadline outside CI
    assert ("1 failed, 4 passed" if ci else "2 failed, 3 passed") in result.stdout
    assert ("DeadlineExceeded" in result.stdout) is not ci
