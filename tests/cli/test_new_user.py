"""What a new user tripped on (issue 11): the command line reads the way people type it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "samples" / "acme"


def test_debug_works_after_the_command_name_too(capsys: pytest.CaptureFixture[str]) -> None:
    rules = str(ACME / "rules")
    assert main(["check", "--debug", rules]) == 0
    assert main(["check", rules, "--debug"]) == 0
    assert main(["--debug", "check", rules]) == 0
    assert capsys.readouterr().err == ""


def test_debug_after_the_command_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine import api

    def broken(paths: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "check", broken)
    assert main(["check", "x.sync", "--debug"]) == 2
    assert "RuntimeError: boom" in capsys.readouterr().err
    assert main(["check", "x.sync"]) == 2
    assert "internal error" in capsys.readouterr().err


def test_test_rules_then_tests_keeps_the_tests(capsys: pytest.CaptureFixture[str]) -> None:
    rules, tests = str(ACME / "rules"), str(ACME / "tests")
    assert main(["test", "--rules", rules, tests]) == 0
    out = capsys.readouterr().out
    assert out.endswith("8 passed, 0 failed\n")
    assert main(["test", tests, "--rules", rules]) == 0
    assert capsys.readouterr().out == out


def test_test_rules_of_several_paths_then_tests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ACME / "rules", tmp_path / "rules")
    shutil.copytree(ACME / "tests", tmp_path / "tests")
    files = sorted(str(p) for p in (tmp_path / "rules").glob("*.sync"))
    test_file = str(tmp_path / "tests" / "acme_test.yaml")
    assert main(["test", "--rules", *files, test_file]) == 0
    assert capsys.readouterr().out.endswith("8 passed, 0 failed\n")


def test_test_with_no_tests_given_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "--rules", str(ACME / "rules")]) == 2
    assert "no TESTS given" in capsys.readouterr().err


def test_allow_no_tests_passes_a_repository_without_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("rules.sync").write_text("object prospect { score: number }\n", encoding="utf-8")
    assert main(["test", "."]) == 2
    assert "no test files" in capsys.readouterr().err
    assert main(["test", "--allow-no-tests", "."]) == 0
    assert capsys.readouterr().out.startswith("no rule tests found (.: no test files")
    assert main(["test", "--allow-no-tests", "missing/"]) == 2  # a typo still fails
    assert "missing/: no such file or directory" in capsys.readouterr().err


def test_graph_depends_suggests_a_near_name(capsys: pytest.CaptureFixture[str]) -> None:
    rules = str(ACME / "rules")
    assert main(["graph", rules, "--depends", "Contry", "--format", "text"]) == 2
    assert capsys.readouterr().err == (
        'syncrules: --depends: nothing in the rule set is called "Contry"; '
        'did you mean "Country"?\n'
    )


@pytest.mark.parametrize("name", ["", "  "])
def test_graph_depends_refuses_an_empty_name(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(ACME / "rules"), "--depends", name, "--format", "text"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--depends needs a name" in captured.err


def test_rule_without_a_name_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule"]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^(SR\d{3})  ([a-z-]+) +(error|warning|info) ", out, re.M)
    index = (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    in_index = re.findall(r"^\| \[([a-z0-9-]+)\]\([^)]*\) \| (SR\d{3}) \|", index, re.M)
    assert sorted((name, code) for code, name, _ in listed) == sorted(in_index)
    assert ("SR205", "double-write", "error") in listed
    assert out.endswith("\nsyncrules rule NAME prints a rule's page\n")


def test_debug_after_a_sub_command_of_queue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine import api

    def broken(path: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "read_queue", broken)
    assert main(["queue", "diff", "old.json", "new.json", "--debug"]) == 2
    assert "RuntimeError: boom" in capsys.readouterr().err
    assert main(["queue", "diff", "old.json", "new.json"]) == 2
    assert "internal error" in capsys.readouterr().err
