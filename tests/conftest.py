"""Shared test helpers: golden files (regenerated only on purpose, `--update-goldens`), the
Hypothesis profiles, the real-world corpus, and one real install of the package per run."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# CI (the `CI` variable, set by every CI service and by this project's CI) runs each property
# on a quarter of the examples it gets locally: every property still runs, on a budget that
# keeps the suite inside its time. Timing is never a failure there: a loaded 2-core runner
# makes deadlines and the too-slow health check flaky, not informative.
CI = bool(os.environ.get("CI"))
CI_SHARE = 0.25
CI_MIN_EXAMPLES = 10
settings.register_profile(
    "ci",
    max_examples=math.ceil(settings.get_profile("default").max_examples * CI_SHARE),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,  # a failure in CI prints the blob that reproduces it locally
)
if CI:
    settings.load_profile("ci")

# The Spark tests run cycles of a few records, where Spark's time is Catalyst and Janino
# compiling a round's several-hundred-column query, not running it: with expressions
# interpreted (no whole-stage or per-expression code generation) and no adaptive
# re-planning, the Spark tests' CPU fell from 277 to 158 s in one same-session pair
# (load 6-8). Tests only, through spark-submit's own variable (the engine's session reads
# it as it reads spark-defaults.conf): at 200k prospects generated code is what pays, and
# the engine keeps Spark's defaults. A value set by whoever runs the tests is kept.
os.environ.setdefault(
    "PYSPARK_SUBMIT_ARGS",
    "--conf spark.sql.codegen.wholeStage=false --conf spark.sql.codegen.factoryMode=NO_CODEGEN"
    " --conf spark.sql.adaptive.enabled=false pyspark-shell",
)


def ci_examples(explicit: int) -> int:
    """The CI budget for a property whose own `@settings` asks for `explicit` examples."""
    return max(CI_MIN_EXAMPLES, math.ceil(explicit * CI_SHARE))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # the house checks (tests/test_*.py: mypy, ruff, import-linter, suites in subprocesses)
    # are a few long single tests: started first, they are not left for the tail of a run
    # split between workers
    items.sort(key=lambda item: item.path.parent != Path(__file__).parent)
    _scale_properties_for_ci(items)


def _scale_properties_for_ci(items: list[pytest.Item]) -> None:
    """Under the ci profile, scale the explicit `@settings(max_examples=N)` of every property.

    A test's own `@settings` overrides the loaded profile's `max_examples`, so the profile
    alone would not shorten the properties that chose a budget (most of them). Scaling here
    covers every property in the suite, present and future, without editing each test.
    """
    if settings.get_current_profile_name() != "ci":
        return
    scaled: set[int] = set()  # a parametrized property is one function behind many items
    for item in items:
        test = getattr(item, "obj", None)
        if not getattr(test, "is_hypothesis_test", False) or id(test) in scaled:
            continue
        if not getattr(test, "_hypothesis_internal_settings_applied", False):
            continue  # no @settings of its own: the profile's budget already applies
        scaled.add(id(test))
        # Hypothesis keeps a test's settings on this attribute and reads it at call time
        own: settings = test._hypothesis_internal_use_settings  # type: ignore[union-attr]
        test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
            own,
            max_examples=min(own.max_examples, ci_examples(own.max_examples)),
            deadline=None,
            suppress_health_check=[*own.suppress_health_check, HealthCheck.too_slow],
        )


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (addopts): one worker more than the machine has cores. A good part of the
    suite waits on other processes — pip installing the wheel, pre-commit, Chromium, Neovim,
    Spark's JVM — and a third worker runs tests meanwhile: on the 2-core development
    machine the whole suite took 4 min 20 s with three workers against 4 min 49 s with two.
    PYTEST_XDIST_AUTO_NUM_WORKERS still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite golden files from current output; review the diff before committing",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """Compare text with a golden file, or rewrite the file under --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def compare(path: Path, actual: str) -> None:
        if update:
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-goldens and review it"
        assert actual == path.read_text(encoding="utf-8")

    return compare


# The real-world SFDX corpus lives in shared/realworld beside the repository (in a clone
# inside the project's work folder, and in CI); a bare clone elsewhere has none.
REALWORLD: Path | None = next(
    (
        p / "shared" / "realworld"
        for p in ROOT.parents
        if (p / "shared" / "realworld" / "validation_rules.json").is_file()
    ),
    None,
)
CORPUS_MISSING = "the real-world corpus (shared/realworld beside the repository) is missing"


def needs_corpus() -> pytest.MarkDecorator:
    """Mark for tests over the real-world corpus: skip without it, except in CI.

    In CI a missing corpus is a failure, not a skip: a green run must have measured it. The
    mark is a no-op there, and the test's call to `corpus()` fails it.
    """
    return pytest.mark.skipif(REALWORLD is None and not CI, reason=CORPUS_MISSING)


def corpus() -> Path:
    """The corpus folder; fails the test (never skips it) when it is missing."""
    if REALWORLD is None:
        pytest.fail(f"{CORPUS_MISSING}; CI must have it", pytrace=False)
    return REALWORLD


# One real install per test run: a wheel built from this checkout, installed (not editable)
# into a fresh virtual environment with its dependencies from the package index that this
# interpreter's pip uses. Under pytest-xdist the workers share it through a file lock in the
# run's common temporary folder.
WHEEL_IGNORE_TOP = {"tests", "benchmarks", "samples", "build", "dist"}
WHEEL_IGNORE_ANYWHERE = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def source_copy_ignore(folder: str, names: list[str]) -> set[str]:
    """`shutil.copytree` filter: what building the package needs, without caches and tests."""
    top = Path(folder).resolve() == ROOT
    return {
        n
        for n in names
        if n in WHEEL_IGNORE_ANYWHERE
        or n.endswith((".pyc", ".egg-info", ".lark-cache"))
        or (
            top and (n in WHEEL_IGNORE_TOP or (n.startswith(".") and n != ".pre-commit-hooks.yaml"))
        )
    }


def _run_pip(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"pip {' '.join(args)}:\n{result.stdout}{result.stderr}"


def _install(base: Path) -> Path:
    # build from a copy: an in-tree build would leave build/ and *.egg-info in the checkout
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=source_copy_ignore)
    wheels = base / "wheels"
    _run_pip("wheel", "--no-deps", "-q", "-w", str(wheels), str(source))
    env_dir = base / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    # the outer pip installs into the new environment (`--python`), so it reads the same
    # configuration, index and cache as the `pip install '.[test]'` that set up this run
    wheel = next(wheels.glob("syncrules-*.whl"))
    # --no-compile: byte-compiling every installed module (numpy, pyarrow, …) is most of
    # the install's CPU, and the tests import only what they run
    _run_pip(
        "--python", str(env_dir / "bin" / "python"), "install", "-q", "--no-compile", str(wheel)
    )
    return env_dir


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment holding syncrules installed from a wheel of this checkout."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder every worker of this run shares
    folder = base / "installed-wheel"
    with FileLock(str(base / "installed-wheel.lock")):
        done = folder / "venv-ready"
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed part-way
            folder.mkdir()
            _install(folder)
            done.write_text("", encoding="utf-8")
    return folder / "venv"
