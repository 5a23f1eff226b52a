"""Inputs that used to end in "internal error (a bug in syncrules)" (issue 11): each is now
a located error (exit 2) or a finding on the record it concerns, never the bug message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from tests.conftest import ROOT

RULES = """\
object prospect {
    email: email
    score: number
    last_seen: date
    seen_at: datetime
    last_name: text(80)
    company: text(80)
}
object lead {
    Email: email
    LastName: text(80) required
    Company: text(80) required
    NumberOfEmployees: number
}
field email { lead: Email }
field last_name { lead: LastName }
field company { lead: Company }
field score { lead: NumberOfEmployees }
stage Far when TODAY() + 3000000 > last_seen
stage Later when last_seen + 30 > TODAY()
stage Text when TEXT(score) = "12345678901234567890123456789"
stage Soon when seen_at + 1 > NOW()
create lead when true
"""
BUG = "a bug in syncrules"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert BUG not in captured.err
    return code, captured.out, captured.err


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.sync"
    path.write_text(RULES, encoding="utf-8")
    return path


def dry_run_json(capsys: pytest.CaptureFixture[str], rules: Path, records: Path) -> dict:  # type: ignore[type-arg]
    code, out, err = cli(
        capsys,
        "dry-run",
        str(rules),
        "--records",
        str(records),
        "--format",
        "json",
        "--now",
        "2026-11-23T12:00:00Z",
    )
    assert (code, err) == (0, "")
    return json.loads(out)  # type: ignore[no-any-return]


def test_date_arithmetic_past_9999_is_a_formula_error_on_that_record(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "records.yaml"
    records.write_text(
        "prospects:\n"
        "  - {id: p1, email: a@example.com, last_seen: 9999-12-15, seen_at: "
        "9999-12-31T23:30:00Z}\n",
        encoding="utf-8",
    )
    data = dry_run_json(capsys, rules, records)
    errors = {e["rule"]: e["message"] for e in data["records"][0]["formula_errors"]}
    assert errors == {
        "stage Far": "date out of range: 2026-11-23 + 3000000 days is outside the years 1 to 9999",
        "stage Later": "date out of range: 9999-12-15 + 30 days is outside the years 1 to 9999",
        "stage Soon": "date out of range: 9999-12-31T23:30:00+00:00 + 1 days is outside the "
        "years 1 to 9999",
    }


def test_a_datetime_whose_offset_leaves_the_range_is_located(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "records.yaml"
    records.write_text(
        'prospects:\n  - {id: p1, email: a@example.com, seen_at: "9999-12-31T23:00:00-05:00"}\n',
        encoding="utf-8",
    )
    code, out, err = cli(capsys, "dry-run", str(rules), "--records", str(records))
    assert (code, out) == (2, "")
    assert err == (
        f'syncrules: {records}:2: record p1, field seen_at: "9999-12-31T23:00:00-05:00" is out '
        "of range in UTC (years 1 to 9999) (prospect.seen_at is declared datetime)\n"
    )


def test_huge_numbers_are_texts_and_created_leads_exactly(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "records.yaml"
    records.write_text(
        "prospects:\n"
        "  - {id: p1, email: a@example.com, last_name: L, company: C,"
        " score: 12345678901234567890123456789}\n"
        "  - {id: p2, email: b@example.com, last_name: L, company: C, score: 1.5e300}\n",
        encoding="utf-8",
    )
    data = dry_run_json(capsys, rules, records)
    p1, p2 = data["records"]
    assert "Text" in p1["stages"]  # TEXT() kept all 29 digits
    assert (p1["action"], p2["action"]) == ("create_lead", "create_lead")
    code, out, err = cli(capsys, "dry-run", str(rules), "--records", str(records))
    assert (code, err) == (0, "")
    assert "p2       create_lead new lead" in out


def test_a_json_number_past_4300_digits_is_located(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "records.json"
    head = '{"prospects": [{"id": "p1", "email": "a@example.com", "score": '
    records.write_text(head + "7" * 5000 + "}]}", encoding="utf-8")
    code, _out, err = cli(capsys, "dry-run", str(rules), "--records", str(records))
    assert code == 2
    assert err == (
        f"syncrules: {records}:1:{len(head) + 1}: invalid JSON: a number of 5,000 digits "
        "(at most 4,300)\n"
    )


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        (
            "records.json",
            '{"prospects": [{"id": "p\\ud800", "email": "a@example.com"}]}',
            "1:23: invalid JSON",
        ),
        (
            "records.yaml",
            'prospects:\n  - {id: "p\\ud800", email: a@example.com}\n',
            "2:10: invalid YAML",
        ),
        (
            "records.yaml",
            'prospects:\n  - {id: p1, "x\\udfff": a@example.com}\n',
            "2:14: invalid YAML",
        ),
    ],
)
def test_a_lone_surrogate_is_located(
    tmp_path: Path,
    rules: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    where: str,
) -> None:
    records = tmp_path / name
    records.write_text(text, encoding="utf-8")
    code, _out, err = cli(capsys, "dry-run", str(rules), "--records", str(records))
    assert code == 2
    assert err.startswith(f"syncrules: {records}:{where}: \\u")
    assert err.endswith(" is half of a UTF-16 surrogate pair, not a character\n")


@pytest.mark.skipif(sys.platform == "win32", reason="a backslash is a separator there")
def test_sarif_of_an_absolute_path_with_a_backslash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a\\b.sync"
    path.write_text("stage X when nope\n", encoding="utf-8")
    code, out, _err = cli(capsys, "check", str(path), "--format", "sarif")
    assert code == 1
    location = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": f"file://{tmp_path}/a%5Cb.sync"}


def test_a_missing_dependency_names_the_package(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a pattern no test compiled before, so RE2 is imported now, and is missing
    (tmp_path / "regex.sync").write_text(
        'object prospect { email: email }\nstage X when REGEX(email, "[mM]issing-re2")\n',
        encoding="utf-8",
    )
    records = tmp_path / "records.yaml"
    records.write_text("prospects:\n  - {id: p1, email: a@example.com}\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "re2", None)
    code, out, err = cli(capsys, "dry-run", str(tmp_path / "regex.sync"), "--records", str(records))
    assert (code, out) == (2, "")
    assert err == (
        "syncrules: the Python package 'google-re2' is not installed (import 're2' failed); "
        f"install it into this environment: {sys.executable} -m pip install 'google-re2'\n"
    )


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    if sys.platform == "win32" or sys.getfilesystemencoding() != "utf-8":
        pytest.skip("needs a POSIX file system with UTF-8 names")
    (tmp_path / b"\xff.sync".decode("utf-8", "surrogateescape")).write_text(
        "stage X when nope\n", encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "engine", "check", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert (result.returncode, result.stderr) == (1, b"")
    assert result.stdout.startswith(f"{tmp_path}/\\udcff.sync:1:14: error SR101".encode())
