"""`.syncrules.toml` with the README's `[tool.syncrules]` block pasted in (issue 11): it
means what the same keys mean at the top level."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from tests.render.test_config import bad, lint, project

__all__ = ["project"]  # the fixture, used by name


def test_dedicated_file_accepts_the_tool_table(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".syncrules.toml").write_text(
        '[tool.syncrules]\nselect = ["double-write", "pardot-owned-field"]\n'
        '[tool.syncrules.severity]\n"pardot-owned-field" = "error"\n',
        "utf-8",
    )
    _, found, _ = lint(capsys, "rules")
    assert found == {
        ("rules/main.sync", 4, "double-write", "error"),
        ("rules/main.sync", 5, "pardot-owned-field", "error"),
    }


def test_a_bad_setting_in_the_tool_table_names_its_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".syncrules.toml").write_text(
        '# lint settings\n[tool.syncrules]\nselct = ["double-write"]\n', "utf-8"
    )
    assert bad(capsys) == (
        "syncrules: .syncrules.toml:3: unknown setting 'selct' "
        "(settings: fail-level, ignore, per-path-ignores, select, severity)\n"
    )


def test_both_forms_in_one_file_are_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".syncrules.toml").write_text(
        'ignore = ["double-write"]\n[tool.syncrules]\nselect = ["ALL"]\n', "utf-8"
    )
    assert bad(capsys) == (
        "syncrules: .syncrules.toml: settings both at the top level (ignore) "
        "and under "
        "[tool.syncrules]: keep one of the two\n"
    )


def test_a_configuration_above_prints_relative(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like every path syncrules prints (issue 11: --report and config errors were absolute)."""
    (project / ".syncrules.toml").write_text('selct = ["double-write"]\n', "utf-8")
    monkeypatch.chdir(project / "rules")
    assert main(["lint", "main.sync"]) == 2
    assert capsys.readouterr().err == (
        "syncrules: ../.syncrules.toml:1: unknown setting 'selct' "
        "(settings: fail-level, ignore, per-path-ignores, select, severity)\n"
    )
