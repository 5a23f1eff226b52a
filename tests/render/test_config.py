"""Lint configuration through the CLI: `[tool.syncrules]` in pyproject.toml,
`.syncrules.toml`, `--config PATH`, bad configuration (exit 2, located message), and the
ignore comments (`# syncrules: ignore[NAME or CODE]`, unused ones reported).

Every test runs in its own folder with a small rule set of its own, and looks only at the
findings the configuration is about, so a new lint rule does not change these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main

MAIN = """\
object prospect { email: email job_title: text(128) department: text(128) score: number }
object lead { Email: email Title: text(128) Score__c: number }
field email { lead: Email sync: most_recent }
field department { lead: Title }
field score { lead: Score__c sync: salesforce }
"""
LEGACY = "field job_title { lead: Title sync: most_recent }\n"

# what the rule set above gives with no configuration, as (path, line, name, severity)
DEFAULT = {
    ("rules/legacy/old.sync", 1, "risky-most-recent", "warning"),
    ("rules/legacy/old.sync", 1, "most-recent-not-opt-out", "warning"),
    ("rules/main.sync", 3, "risky-most-recent", "warning"),
    ("rules/main.sync", 3, "most-recent-not-opt-out", "warning"),
    ("rules/main.sync", 4, "double-write", "error"),
    ("rules/main.sync", 5, "pardot-owned-field", "warning"),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder, the current directory, holding `rules/` and no configuration."""
    (tmp_path / "rules" / "legacy").mkdir(parents=True)
    (tmp_path / "rules" / "main.sync").write_text(MAIN, "utf-8")
    (tmp_path / "rules" / "legacy" / "old.sync").write_text(LEGACY, "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, set[tuple[str, int, str, str]], str]:
    """Exit code, findings as (path, line, name, severity), stderr."""
    code = main(["lint", *argv, "--format", "json"])
    out, err = capsys.readouterr()
    found = (
        {(d["path"], d["line"], d["name"], d["severity"]) for d in json.loads(out)["diagnostics"]}
        if out
        else set()
    )
    return code, found, err


def bad(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The stderr of a lint run that must not run: exit 2, nothing on stdout."""
    code = main(["lint", "rules", *argv])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("syncrules: ")
    assert err.endswith("\n")
    assert err.count("\n") == 1
    return err


def test_no_configuration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, found, err = lint(capsys, "rules")
    assert found >= DEFAULT
    assert (code, err) == (1, "")


def pyproject(project: Path, table: str) -> Path:
    path = project / "pyproject.toml"
    path.write_text('[project]\nname = "acme-rules"\n\n' + table, "utf-8")
    return path


# -- [tool.syncrules] in pyproject.toml --------------------------------------------------


def test_select_by_name_and_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject(project, '[tool.syncrules]\nselect = ["risky-most-recent", "SR205"]\n')
    _, found, _ = lint(capsys, "rules")
    assert {name for _, _, name, _ in found} == {"risky-most-recent", "double-write"}


def test_select_accepts_a_lower_case_code(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject(project, '[tool.syncrules]\nselect = ["sr203"]\n')
    _, found, _ = lint(capsys, "rules")
    assert found == {("rules/main.sync", 5, "pardot-owned-field", "warning")}


def test_ignore(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject(project, '[tool.syncrules]\nignore = ["most-recent-not-opt-out", "SR203"]\n')
    _, found, _ = lint(capsys, "rules")
    names = {name for _, _, name, _ in found}
    assert not names & {"most-recent-not-opt-out", "pardot-owned-field"}
    assert {"risky-most-recent", "double-write"} <= names


def test_per_path_ignores_with_a_glob(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject(
        project,
        '[tool.syncrules.per-path-ignores]\n"rules/legacy/*.sync" = ["risky-most-recent"]\n',
    )
    _, found, _ = lint(capsys, "rules")
    assert ("rules/legacy/old.sync", 1, "risky-most-recent", "warning") not in found
    assert ("rules/main.sync", 3, "risky-most-recent", "warning") in found  # other paths keep it
    assert ("rules/legacy/old.sync", 1, "most-recent-not-opt-out", "warning") in found


def test_per_path_ignores_match_paths_relative_to_the_configuration(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject(
        project,
        '[tool.syncrules.per-path-ignores]\n"rules/legacy/*.sync" = ["risky-most-recent"]\n',
    )
    monkeypatch.chdir(project / "rules")  # the file is found upwards; paths read `legacy/…`
    _, found, _ = lint(capsys, ".")
    assert ("legacy/old.sync", 1, "risky-most-recent", "warning") not in found
    assert ("main.sync", 3, "risky-most-recent", "warning") in found
    _, found, _ = lint(capsys, str(project / "rules"))  # absolute paths too
    assert not any(
        p.endswith("legacy/old.sync") and n == "risky-most-recent" for p, _, n, _ in found
    )


def test_severity_override(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject(
        project,
        '[tool.syncrules.severity]\npardot-owned-field = "error"\nSR205 = "info"\n',
    )
    code, found, _ = lint(capsys, "rules")
    assert ("rules/main.sync", 5, "pardot-owned-field", "error") in found
    assert ("rules/main.sync", 4, "double-write", "info") in found
    assert code == 1
    main(["lint", "rules"])
    assert "rules/main.sync:5:36: error SR203 pardot-owned-field:" in capsys.readouterr().out


@pytest.mark.parametrize(("level", "expected"), [("warning", 1), ("error", 0)])
def test_fail_level(
    project: Path, capsys: pytest.CaptureFixture[str], level: str, expected: int
) -> None:
    pyproject(project, f'[tool.syncrules]\nignore = ["double-write"]\nfail-level = "{level}"\n')
    code, found, _ = lint(capsys, "rules")
    assert found
    assert {sev for *_, sev in found} == {"warning"}
    assert code == expected


def test_the_fail_level_option_wins_over_the_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject(project, '[tool.syncrules]\nignore = ["double-write"]\nfail-level = "error"\n')
    assert lint(capsys, "rules", "--fail-level", "warning")[0] == 1


def test_pyproject_without_the_table_is_not_configuration(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.ruff]\nselect = ["nonsense"]\n', "utf-8")
    code, found, err = lint(capsys, "rules")
    assert (code, err) == (1, "")
    assert found >= DEFAULT


# -- .syncrules.toml and --config ------------------------------------------------------


def test_dedicated_file_holds_the_keys_at_top_level(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".syncrules.toml").write_text(
        'select = ["double-write", "pardot-owned-field"]\n'
        '[severity]\n"pardot-owned-field" = "error"\n',
        "utf-8",
    )
    _, found, _ = lint(capsys, "rules")
    assert found == {
        ("rules/main.sync", 4, "double-write", "error"),
        ("rules/main.sync", 5, "pardot-owned-field", "error"),
    }


def test_dedicated_file_wins_over_pyproject_in_one_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject(project, '[tool.syncrules]\nselect = ["risky-most-recent"]\n')
    (project / ".syncrules.toml").write_text('select = ["double-write"]\n', "utf-8")
    assert {n for _, _, n, _ in lint(capsys, "rules")[1]} == {"double-write"}


def test_the_nearest_file_upwards_is_used(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".syncrules.toml").write_text('select = ["double-write"]\n', "utf-8")
    (project / "rules" / "legacy" / ".syncrules.toml").write_text(
        'select = ["pardot-owned-field"]\n', "utf-8"
    )
    monkeypatch.chdir(project / "rules")
    assert {n for _, _, n, _ in lint(capsys, ".")[1]} == {"double-write"}
    monkeypatch.chdir(project / "rules" / "legacy")
    assert {n for _, _, n, _ in lint(capsys, "..")[1]} == {"pardot-owned-field"}


def test_config_option_names_the_file(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    (project / ".syncrules.toml").write_text('select = ["double-write"]\n', "utf-8")
    elsewhere = tmp_path_factory.mktemp("shared") / "team.toml"
    elsewhere.write_text('select = ["pardot-owned-field"]\n', "utf-8")
    _, found, _ = lint(capsys, "rules", "--config", str(elsewhere))
    assert {n for _, _, n, _ in found} == {"pardot-owned-field"}
    shared_pyproject = elsewhere.with_name("pyproject.toml")
    shared_pyproject.write_text('[tool.syncrules]\nselect = ["risky-most-recent"]\n', "utf-8")
    _, found, _ = lint(capsys, "rules", "--config", str(shared_pyproject))
    assert {n for _, _, n, _ in found} == {"risky-most-recent"}


def test_check_errors_show_whatever_the_selection(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "rules" / "broken.sync").write_text("stage MQL when nope >= 1\n", "utf-8")
    (project / ".syncrules.toml").write_text('select = ["double-write"]\n', "utf-8")
    code, found, _ = lint(capsys, "rules")
    assert {n for _, _, n, _ in found} == {"double-write", "unknown-field"}
    assert code == 1


# -- bad configuration -----------------------------------------------------------------


def test_unknown_setting(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject(project, '[tool.syncrules]\nselect = ["ALL"]\nselct = ["double-write"]\n')
    assert bad(capsys) == (
        "syncrules: pyproject.toml:6: unknown setting 'selct' "
        "(settings: fail-level, ignore, per-path-ignores, select, severity)\n"
    )


def test_unknown_rule_name(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".syncrules.toml").write_text(
        '# team settings\nignore = [\n  "double-write",\n  "no-such-rule",\n]\n', "utf-8"
    )
    assert bad(capsys) == ("syncrules: .syncrules.toml:4: ignore: no rule named 'no-such-rule'\n")


def test_unknown_rule_in_a_severity_table(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".syncrules.toml").write_text('[severity]\ndouble-wirte = "warning"\n', "utf-8")
    assert bad(capsys) == ("syncrules: .syncrules.toml:2: severity: no rule named 'double-wirte'\n")


def test_bad_severity_value(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".syncrules.toml").write_text('[severity]\ndouble-write = "fatal"\n', "utf-8")
    assert bad(capsys) == (
        "syncrules: .syncrules.toml:2: severity.double-write must be one of "
        "error, warning, info, not 'fatal'\n"
    )


def test_bad_fail_level(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".syncrules.toml").write_text('fail-level = "high"\n', "utf-8")
    assert "syncrules.toml:1: fail-level must be one of error, warning, info" in bad(capsys)


def test_bad_toml(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject(project, '[tool.syncrules]\nselect = ["double-write"\nignore = []\n')
    # where the parser noticed: the line after the unclosed list
    assert bad(capsys).startswith("syncrules: pyproject.toml:6:1: invalid TOML: ")


def test_a_list_where_a_table_belongs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".syncrules.toml").write_text('select = "double-write"\n', "utf-8")
    assert bad(capsys).endswith(".syncrules.toml:1: select must be a list of rule names or codes\n")


def test_configuration_cannot_hide_check_errors(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".syncrules.toml").write_text(
        '[per-path-ignores]\n"rules/*.sync" = ["double-write"]\n"old/*.sync" = ["unknown-field"]\n',
        "utf-8",
    )
    assert bad(capsys).endswith(
        ".syncrules.toml:3: per-path-ignores.'old/*.sync': unknown-field is a check error, "
        "which makes the rule set invalid; configuration cannot ignore it or change its "
        "severity\n"
    )
    (project / ".syncrules.toml").write_text('[severity]\nsyntax-error = "info"\n', "utf-8")
    assert ".syncrules.toml:2: severity: syntax-error is a check error" in bad(capsys)


def test_missing_config_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bad(capsys, "--config", "nope.toml") == (
        "syncrules: nope.toml: cannot read: No such file or directory\n"
    )


# -- ignore comments -------------------------------------------------------------------

IGNORES = """\
object prospect { email: email job_title: text(128) score: number city: text(40) }
object lead { Email: email Title: text(128) Score__c: number City: text(40) }
field email { lead: Email sync: most_recent }  # syncrules: ignore[risky-most-recent, SR207]
field job_title { lead: Title sync: most_recent }  # syncrules: ignore[SR204,SR207]
field score { lead: Score__c sync: salesforce }  # syncrules:ignore[pardot-owned-field]
field city { lead: City }  # syncrules: ignore[double-write]
"""


def test_inline_ignores_by_name_and_by_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("r.sync").write_text(IGNORES, "utf-8")
    code, found, _ = lint(capsys, "r.sync")
    # lines 3 to 5: every finding silenced, by name or by code; line 6 silences nothing
    assert found == {("r.sync", 6, "unused-ignore", "warning")}
    assert code == 1


def test_unused_ignore_is_reported_as_unused_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("r.sync").write_text(
        "object prospect { city: text(40) }\n"
        "object lead { City: text(40) }\n"
        "field city { lead: City }  # syncrules: ignore[double-write, no-such-rule]\n",
        "utf-8",
    )
    assert main(["lint", "r.sync"]) == 1
    out = capsys.readouterr().out
    assert (
        "r.sync:3:28: warning SR009 unused-ignore: ignore[double-write] silences nothing "
        "on this line" in out
    )
    assert "r.sync:3:28: warning SR009 unused-ignore: ignore[no-such-rule] names no rule" in out
    assert out.endswith("found 2 warnings\n")
