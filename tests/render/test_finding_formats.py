"""`syncrules lint` in each finding format over one shared rule set (`rules/`): a golden
per format, plus what each format promises on its own — SARIF that validates against the
SARIF 2.1.0 schema with every rule described, GitHub workflow commands in GitHub's
documented form and escaping, no colour unless stdout is a terminal, and the exit codes.

The shared rule set has lint findings of both severities, one check error
(`unknown-field`), an ignore comment that silences a finding by code and one that
silences nothing (`unused-ignore`).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine import api
from engine.cli import main
from engine.diagnostics import Diagnostic, Severity
from engine.render import github
from engine.source import Span
from tests.conftest import ROOT

HERE = Path(__file__).parent
GOLDENS = HERE / "goldens"
SCHEMA = json.loads((HERE / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
ESC = "\033"

# `::LEVEL file=PATH,line=LINE,col=COL,title=CODE NAME::MESSAGE` (SPEC §5). A property
# value holds no raw `,` `:` `%` CR or LF; the message no raw `%` CR or LF.
GITHUB_LINE = re.compile(
    r"^::(?P<level>error|warning|notice) file=(?P<file>[^,:%\r\n]*(?:%[0-9A-F]{2}[^,:%\r\n]*)*),"
    r"line=(?P<line>[1-9]\d*),col=(?P<col>[1-9]\d*),"
    r"title=(?P<code>SR\d{3}) (?P<name>[a-z][a-z-]*)::(?P<message>[^\r\n]+)$"
)


def lint(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["lint", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def in_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from this folder so paths read `rules/…`, with no colour setting inherited."""
    monkeypatch.chdir(HERE)
    monkeypatch.delenv("NO_COLOR", raising=False)


# -- goldens ---------------------------------------------------------------------------


def _sarif_for_golden(text: str) -> str:
    """The SARIF golden leaves out what changes whenever a lint rule is added anywhere:
    the driver lists only the rules the results name, results lose `ruleIndex` (checked
    by test_sarif_rule_index_points_at_the_rule), and the version is a placeholder."""
    log = json.loads(text)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    used = {r["ruleId"] for r in run["results"]}
    driver["rules"] = [r for r in driver["rules"] if r["id"] in used]
    driver["version"] = "<version>"
    for result in run["results"]:
        result.pop("ruleIndex", None)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


GOLDEN_FILES = {
    "text": "lint.txt",
    "json": "lint.json",
    "sarif": "lint.sarif",
    "github": "lint.github.txt",
}


@pytest.mark.parametrize("fmt", sorted(GOLDEN_FILES))
@pytest.mark.usefixtures("in_render")
def test_lint_golden(fmt: str, capsys: pytest.CaptureFixture[str], golden) -> None:  # type: ignore[no-untyped-def]
    code, out, err = lint(capsys, "rules", "--format", fmt)
    assert (code, err) == (1, "")
    golden(GOLDENS / GOLDEN_FILES[fmt], _sarif_for_golden(out) if fmt == "sarif" else out)


@pytest.mark.usefixtures("in_render")
def test_every_format_reports_the_same_findings(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = {fmt: lint(capsys, "rules", "--format", fmt)[1] for fmt in GOLDEN_FILES}
    listed = [
        (d["path"], d["line"], d["col"], d["code"], d["severity"])
        for d in json.loads(outputs["json"])["diagnostics"]
    ]
    sarif = json.loads(outputs["sarif"])["runs"][0]["results"]
    sarif_level = {"error": "error", "warning": "warning", "note": "info"}
    assert [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["ruleId"],
            sarif_level[r["level"]],
        )
        for r in sarif
    ] == listed
    github_level = {"error": "error", "warning": "warning", "notice": "info"}
    commands = [GITHUB_LINE.match(line) for line in outputs["github"].splitlines()]
    matched = [m for m in commands if m is not None]
    assert len(matched) == len(commands), outputs["github"]
    assert [
        (m["file"], int(m["line"]), int(m["col"]), m["code"], github_level[m["level"]])
        for m in matched
    ] == listed
    heads = [
        line for line in outputs["text"].splitlines() if re.match(r"^rules/\S+:\d+:\d+: ", line)
    ]
    assert [tuple(h.split(" ", 3)[:3]) for h in heads] == [
        (f"{p}:{ln}:{c}:", sev, code) for p, ln, c, code, sev in listed
    ]
    # the shared rule set shows what it is there to show
    names = {d["name"] for d in json.loads(outputs["json"])["diagnostics"]}
    assert {"unknown-field", "double-write", "risky-most-recent", "unused-ignore"} <= names
    assert "most-recent-not-opt-out" not in names  # silenced by `ignore[SR207]`


# -- SARIF -----------------------------------------------------------------------------


def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(SCHEMA)  # the schema's $schema decides
    assert cls is jsonschema.Draft4Validator  # the OASIS SARIF 2.1.0 schema is draft-04
    cls.check_schema(SCHEMA)
    return cls(SCHEMA, format_checker=cls.FORMAT_CHECKER)


def _assert_valid_sarif(text: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(text)
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return log


@pytest.mark.usefixtures("in_render")
def test_sarif_validates_against_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lint(capsys, "rules", "--format", "sarif")
    log = _assert_valid_sarif(out)
    assert code == 1
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) == 5


def test_sarif_of_a_clean_rule_set_is_valid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = tmp_path / "clean.sync"
    rules.write_text("object prospect { score: number }\nstage MQL when score >= 100\n", "utf-8")
    code, out, _ = lint(capsys, str(rules), "--format", "sarif")
    assert code == 0
    assert _assert_valid_sarif(out)["runs"][0]["results"] == []


@pytest.mark.usefixtures("in_render")
def test_sarif_every_result_names_a_described_rule(capsys: pytest.CaptureFixture[str]) -> None:
    log = json.loads(lint(capsys, "rules", "--format", "sarif")[1])
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert run["results"]
    for result in run["results"]:
        rule = rules[result["ruleId"]]
        assert rule["helpUri"].startswith("https://")
        folder = "errors" if "check" in rule["properties"]["tags"] else "rules"
        assert rule["helpUri"].endswith(f"/docs/{folder}/{rule['name']}.md")
        assert rule["shortDescription"]["text"]


@pytest.mark.usefixtures("in_render")
def test_sarif_describes_every_rule_lint_can_report(capsys: pytest.CaptureFixture[str]) -> None:
    driver = json.loads(lint(capsys, "rules", "--format", "sarif")[1])["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == sorted(c.code for c in api.lint_codes())
    assert all(r.get("helpUri") for r in driver["rules"])


@pytest.mark.usefixtures("in_render")
def test_sarif_rule_index_points_at_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    run = json.loads(lint(capsys, "rules", "--format", "sarif")[1])["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_uris_are_encoded_and_absolute_paths_are_file_uris(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "my rules"
    folder.mkdir()
    (folder / "50%.sync").write_text("stage MQL when nope >= 1\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    log = _assert_valid_sarif(lint(capsys, "my rules", "--format", "sarif")[1])
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "my%20rules/50%25.sync",
        "uriBaseId": "%SRCROOT%",
    }
    log = _assert_valid_sarif(lint(capsys, str(folder), "--format", "sarif")[1])
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": (folder / "50%.sync").as_uri()}


def test_sarif_level_follows_a_configured_severity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".syncrules.toml").write_text('[severity]\nrisky-most-recent = "info"\n', "utf-8")
    Path("r.sync").write_text(
        "object prospect { email: email }\nobject lead { Email: email }\n"
        "field email { lead: Email sync: most_recent }  # syncrules: ignore[SR207]\n",
        "utf-8",
    )
    log = _assert_valid_sarif(lint(capsys, "r.sync", "--format", "sarif")[1])
    levels = {r["ruleId"]: r["level"] for r in log["runs"][0]["results"]}
    assert levels == {"SR204": "note"}


# -- GitHub ----------------------------------------------------------------------------


@pytest.mark.usefixtures("in_render")
def test_github_lines_follow_the_documented_form(capsys: pytest.CaptureFixture[str]) -> None:
    out = lint(capsys, "rules", "--format", "github")[1]
    lines = out.splitlines()
    assert lines
    assert out.endswith("\n")
    for line in lines:
        assert GITHUB_LINE.match(line), line
    assert lines[0] == (
        "::error file=rules/legacy/stages.sync,line=1,col=33,title=SR101 unknown-field::"
        'lead has no field "Region"'
    )


def _diagnostic(path: str, message: str, hint: str | None = None) -> Diagnostic:
    span = Span(path, start=40, end=42, line=3, col=7, end_line=3, end_col=9)
    return Diagnostic("SR204", "risky-most-recent", Severity.INFO, message, span, hint)


def test_github_escapes_data_and_properties() -> None:
    found = _diagnostic("odd dir/a,b:c%d.sync", "100% sure\r\nnext line: a, b", "fix: it")
    assert github.render([found]) == (
        "::notice file=odd dir/a%2Cb%3Ac%25d.sync,line=3,col=7,title=SR204 risky-most-recent"
        "::100%25 sure%0D%0Anext line: a, b (fix: it)\n"
    )


def test_github_escapes_percent_before_the_escapes_it_writes() -> None:
    # `%0A` written literally must not read back as a line feed
    found = _diagnostic("p%0A.sync", "literal %0A, not a newline")
    assert github.render([found]) == (
        "::notice file=p%250A.sync,line=3,col=7,title=SR204 risky-most-recent"
        "::literal %250A, not a newline\n"
    )


def test_github_escapes_a_real_file_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a,b:c.sync").write_text("stage MQL when nope >= 1\n", "utf-8")
    code, out, _ = lint(capsys, "a,b:c.sync", "--format", "github")
    assert code == 1
    assert out.count("\n") == 1
    assert out.startswith(
        "::error file=a%2Cb%3Ac.sync,line=1,col=16,title=SR101 unknown-field::"
        'prospect has no field "nope"'
    )


def test_github_prints_nothing_for_a_clean_rule_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = tmp_path / "clean.sync"
    rules.write_text("object prospect { score: number }\nstage MQL when score >= 100\n", "utf-8")
    assert lint(capsys, str(rules), "--format", "github") == (0, "", "")


# -- colour ----------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", sorted(GOLDEN_FILES))
@pytest.mark.usefixtures("in_render")
def test_no_colour_when_stdout_is_not_a_terminal(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = lint(capsys, "rules", "--format", fmt)[1]
    assert ESC not in out


@pytest.mark.usefixtures("in_render")
def test_no_colour_through_a_pipe() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "engine", "lint", "rules"],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "SR205 double-write" in result.stdout
    assert ESC not in result.stdout + result.stderr


@pytest.mark.parametrize("fmt", sorted(GOLDEN_FILES))
@pytest.mark.usefixtures("in_render")
def test_colour_only_in_text_on_a_terminal(
    fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    main(["lint", "rules", "--format", fmt])
    # on a terminal the text format is coloured; machine formats never are
    assert (ESC in terminal.getvalue()) is (fmt == "text")
    monkeypatch.setenv("NO_COLOR", "1")
    terminal.seek(0)
    terminal.truncate()
    main(["lint", "rules", "--format", fmt])
    assert ESC not in terminal.getvalue()


# -- exit codes ------------------------------------------------------------------------

ONLY_WARNINGS = (
    "object prospect { email: email }\n"
    "object lead { Email: email }\n"
    "field email { lead: Email sync: most_recent }  # syncrules: ignore[most-recent-not-opt-out]\n"
)


@pytest.fixture
def warnings_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no configuration file above
    Path("warn.sync").write_text(ONLY_WARNINGS, "utf-8")
    return "warn.sync"


def test_any_unsilenced_finding_fails_by_default(
    warnings_only: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = lint(capsys, warnings_only, "--format", "json")
    assert [d["severity"] for d in json.loads(out)["diagnostics"]] == ["warning"]
    assert (code, err) == (1, "")


@pytest.mark.parametrize(("level", "expected"), [("info", 1), ("warning", 1), ("error", 0)])
def test_fail_level_option(
    warnings_only: str, capsys: pytest.CaptureFixture[str], level: str, expected: int
) -> None:
    code, out, _ = lint(capsys, warnings_only, "--fail-level", level)
    assert code == expected
    assert "warning SR204 risky-most-recent" in out  # reported whatever the level


@pytest.mark.usefixtures("in_render")
def test_fail_level_error_still_fails_on_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint(capsys, "rules", "--fail-level", "error")[0] == 1


def test_silenced_findings_do_not_fail(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "r.sync"
    rules.write_text(ONLY_WARNINGS.replace("]\n", ", risky-most-recent]\n"), "utf-8")
    assert lint(capsys, str(rules)) == (0, "no problems found\n", "")


@pytest.mark.parametrize("fmt", sorted(GOLDEN_FILES))
def test_missing_path_exits_2_on_stderr_only(
    fmt: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope.sync"
    code, out, err = lint(capsys, str(missing), "--format", fmt)
    assert (code, out) == (2, "")
    assert err == f"syncrules: {missing}: no such file or directory\n"
