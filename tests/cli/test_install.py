"""A real, non-editable install finds the grammar and the shipped packs (package data).

`installed` (tests/conftest.py) is a fresh virtual environment, without the system's site
packages, holding the wheel built from this checkout and its dependencies from the package
index: what a user gets from `pip install syncrules`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

# the two tests of the install share one worker: on two, the second waited out the first's
# install behind the lock (about 25 s of a worker doing nothing)
INSTALLED = pytest.mark.xdist_group("install")


@INSTALLED
def test_installed_command_checks_a_rule_file(installed: Path, tmp_path: Path) -> None:
    rules = tmp_path / "r.sync"
    rules.write_text(
        'include "@syncrules/standard.sync"\nstage MQL when score >= 100 or grade >= "B"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["SYNCRULES_CACHE_DIR"] = str(tmp_path / "cache")  # a cold grammar cache
    result = subprocess.run(
        [str(installed / "bin" / "syncrules"), "check", str(rules)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "no problems found\n", "")


@INSTALLED
def test_installed_package_and_its_dependencies_are_the_environment_s_own(
    installed: Path, tmp_path: Path
) -> None:
    """Nothing leaks in from the checkout or the system's site packages."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    modules = ("engine", "lark", "networkx", "pydantic", "ruamel.yaml", "defusedxml", "tqdm")
    script = f"import importlib\nfor m in {modules!r}: print(importlib.import_module(m).__file__)"
    result = subprocess.run(
        [str(installed / "bin" / "python"), "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    paths = result.stdout.splitlines()
    assert len(paths) == len(modules), result.stdout
    site = (installed / "lib").resolve()
    outside = [p for p in paths if not Path(p).resolve().is_relative_to(site)]
    assert outside == []


def test_every_engine_package_is_listed_for_the_wheel() -> None:
    """A package missing from [tool.setuptools] packages is missing from every install."""
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "engine").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found <= listed, sorted(found - listed)
