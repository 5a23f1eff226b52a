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


def test_without_the_corpus_the_corpus_tests_skip_outside_ci(lone_clone: Path) -> None:
    result = _pytest(lone_clone, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 skipped" in result.stdout
    assert "the real-world corpus (shared/realworld beside the repository) is missing" in (
        result.stdout
    )


def test_without_the_corpus_the_corpus_tests_fail_in_ci(lone_clone: Path) -> None:
    result = _pytest(lone_clone, ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    # the corpus fixture is where they fail, so pytest counts them as errors
    assert "3 errors" in result.stdout, result.stdout
    assert "skipped" not in result.stdout
    assert "is missing; CI must have it" in result.stdout


def test_ci_profile_scales_every_property_and_drops_deadlines() -> None:
    """Under CI, a property with its own budget runs a quarter of it (at least 10)."""
    script = (
        "import os; os.environ['CI'] = 'true'\n"
        "import tests.conftest as c\n"
        "from hypothesis import settings\n"
        "s = settings.get_profile('ci')\n"
        "print(settings.get_current_profile_name(), s.max_examples, s.deadline,"
        " c.ci_examples(300), c.ci_examples(20))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ci 25 None 75 10\n"
