"""A real, non-editable install finds the grammar and the shipped packs (package data)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with syncrules installed from a wheel built from this checkout."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps",
         "-q", "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True,
    )
    env_dir = base / "venv"
    # system site packages provide lark & co. without a network; syncrules itself comes
    # only from the wheel
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    wheel = next(wheels.glob("syncrules-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--force-reinstall", "-q", str(wheel)],
        check=True, capture_output=True,
    )
    return env_dir


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
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "no problems found\n", "")


def test_installed_package_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import engine; print(engine.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )
    assert str(installed) in result.stdout


def test_every_engine_package_is_listed_for_the_wheel() -> None:
    """A package missing from [tool.setuptools] packages is missing from every install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "engine").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found <= listed, sorted(found - listed)
