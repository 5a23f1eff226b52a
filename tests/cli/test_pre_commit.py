"""The published pre-commit hooks (`.pre-commit-hooks.yaml`), run by real pre-commit.

The hook repository is this checkout's package and hooks file, committed into a scratch
git repository (so uncommitted work is what gets tested, and nothing is fetched but the
package's dependencies from the package index). pre-commit clones it, installs syncrules
into a virtualenv of its own, and runs the hooks in another scratch repository with
staged rule files — as in a user's project, through a `.pre-commit-config.yaml` naming the
hook repository.

Building that virtualenv is most of the cost, so the end-to-end check is one test that
runs every hook, passing and failing, against one PRE_COMMIT_HOME (a module fixture: any
further test here shares the install). `pre-commit try-repo` is left out on purpose: it
installs into a fresh store each time and tests pre-commit rather than our hooks file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from engine import api
from tests.conftest import ROOT, source_copy_ignore

TIMEOUT = 900  # seconds: the first run builds a virtualenv and installs from the index

GIT_ENV = {
    "GIT_AUTHOR_NAME": "syncrules tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "syncrules tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,  # no signing, hooks or templates of whoever runs this
    "GIT_CONFIG_NOSYSTEM": "1",
}

WITH_FINDING = """\
object prospect { job_title: text(128) department: text(128) }
object lead { Title: text(128) }
field job_title { lead: Title }
field department { lead: Title }
"""
CLEAN = """\
object prospect { email: email last_name: text(80) company: text(255) score: number }
object lead { Email: email LastName: text(80) required Company: text(255) required }
field email { lead: Email }
field last_name { lead: LastName }
field company { lead: Company }
stage MQL when score >= 100
create lead when MQL and last_name != "" and company != ""
"""
RULE_TEST = """\
rules: ../rules.sync
now: 2026-11-23T12:00:00Z
tests:
  - name: an MQL is created as a lead
    records:
      prospects:
        - {id: p1, email: ada@example.com, last_name: Lovelace, company: Acme, score: 120}
    expect:
      p1: {action: ACTION, stages: [MQL]}
"""


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SKIP", "NO_COLOR")}
    # pip byte-compiles every module it installs (numpy, pyarrow, networkx, …): seconds of
    # CPU that no hook run needs, since Python compiles what it imports anyway
    return {**env, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PIP_NO_COMPILE": "1"}


def _git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _hooks(path: Path) -> list[dict[str, Any]]:
    hooks: list[dict[str, Any]] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return hooks


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PRE_COMMIT_HOME for the module: hook environments are built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, home: Path) -> tuple[Path, str]:
    """The hook repository and its commit."""
    repo = tmp_path_factory.mktemp("hook-repo") / "syncrules"
    # what building the package needs; tests, samples and caches are left out
    shutil.copytree(ROOT, repo, ignore=source_copy_ignore)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    env = _env(home)
    _git(repo, "init", "-q", env=env)
    _git(repo, "add", "-A", env=env)
    _git(repo, "commit", "-q", "-m", "syncrules under test", env=env)
    return repo, _git(repo, "rev-parse", "HEAD", env=env)


@pytest.fixture
def project(tmp_path: Path, home: Path) -> Path:
    """A user's repository, with nothing staged yet."""
    _git(tmp_path, "init", "-q", env=_env(home))
    return tmp_path


def _stage(project: Path, home: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(project, "add", "--", *files, env=_env(home))


def _pre_commit(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=project,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _configure(project: Path, home: Path, hook_repo: tuple[Path, str]) -> None:
    """A .pre-commit-config.yaml using every published hook, staged as pre-commit wants."""
    repo, rev = hook_repo
    hooks = [{"id": h["id"]} for h in _hooks(repo / ".pre-commit-hooks.yaml")]
    config = {"repos": [{"repo": str(repo), "rev": rev, "hooks": hooks}]}
    # JSON is YAML: pre-commit reads it as it is
    _stage(project, home, {".pre-commit-config.yaml": json.dumps(config, indent=2)})


def test_hooks_file_publishes_the_three_hooks() -> None:
    hooks = {h["id"]: h for h in _hooks(ROOT / ".pre-commit-hooks.yaml")}
    assert set(hooks) == {"syncrules-lint", "syncrules-fmt", "syncrules-test"}
    assert {h["language"] for h in hooks.values()} == {"python"}
    assert hooks["syncrules-lint"]["entry"] == "syncrules lint"
    assert hooks["syncrules-fmt"]["entry"] == "syncrules fmt"  # rewrites; pre-commit reports it
    assert hooks["syncrules-test"]["entry"] == "syncrules test --allow-no-tests"
    assert hooks["syncrules-lint"]["files"] == hooks["syncrules-fmt"]["files"] == r"\.sync$"
    assert hooks["syncrules-test"]["files"] == r"\.sync$|_test\.yaml$"
    assert hooks["syncrules-test"]["pass_filenames"] is False


def test_every_hook_end_to_end(project: Path, home: Path, hook_repo: tuple[Path, str]) -> None:
    """lint fails on a finding and passes a clean file; fmt rewrites, then passes; test
    passes and fails with the rule tests — one install of the hook repository for all."""
    _configure(project, home, hook_repo)

    _stage(project, home, {"rules.sync": WITH_FINDING})
    result = _pre_commit(project, home, "run", "syncrules-lint")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "syncrules lint" in out
    assert "Failed" in out
    assert "- hook id: syncrules-lint" in out
    assert "- exit code: 1" in out
    assert "rules.sync:4:7: error SR205 double-write: department and job_title both write" in out

    _stage(project, home, {"rules.sync": CLEAN})
    result = _pre_commit(project, home, "run", "syncrules-lint")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "syncrules lint" in out
    assert "Passed" in out

    messy = "object prospect {score:number      grade:grade}\nstage   MQL when score>=100 # hot\n"
    _stage(project, home, {"rules.sync": messy})
    result = _pre_commit(project, home, "run", "syncrules-fmt")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in out
    formatted = (project / "rules.sync").read_text(encoding="utf-8")
    assert formatted != messy
    assert "# hot" in formatted  # comments kept
    assert not api.check_text(formatted, "rules.sync").diagnostics
    _stage(project, home, {"rules.sync": formatted})
    result = _pre_commit(project, home, "run", "syncrules-fmt")
    assert result.returncode == 0, result.stdout + result.stderr  # canonical stays put
    assert (project / "rules.sync").read_text(encoding="utf-8") == formatted

    for action, code, summary in [
        ("create_lead", 0, "1 passed, 0 failed"),
        ("update", 1, "0 passed, 1 failed"),
    ]:
        _stage(
            project,
            home,
            {"rules.sync": CLEAN, "tests/mql_test.yaml": RULE_TEST.replace("ACTION", action)},
        )
        result = _pre_commit(project, home, "run", "syncrules-test", "--verbose")
        out = result.stdout + result.stderr
        assert result.returncode == code, (action, out)
        assert ("Passed" if code == 0 else "Failed") in out
        assert "tests/mql_test.yaml::an MQL is created as a lead" in out
        assert summary in out
