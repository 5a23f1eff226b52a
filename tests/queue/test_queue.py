"""The error queue across runs: history carried by `run --out`, and `queue diff`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import queue
from engine.cli import main

RULES = """object prospect { email: email  company: text(80)  country: text(80) }
object lead { Email: email  LastName: text(80)  Company: text(255)  Country: text(80) }
field email { lead: Email  sync: pardot }
field company { lead: Company  sync: pardot }
field country { lead: Country  sync: pardot }
create lead when true
validation Country_Required on lead {
    error_if: ISBLANK(Country)
    message: "Country, please."
    field: Country
}
validation Company_Required on lead {
    error_if: ISBLANK(Company)
    message: "Company, please."
}
"""


def _records(path: Path, p1_country: str, p3_company: str) -> None:
    path.write_text(
        "prospects:\n"
        f"  - {{id: p1, email: a@x.com, company: A, country: '{p1_country}'}}\n"
        "  - {id: p2, email: b@x.com, company: B, country: ''}\n"
        f"  - {{id: p3, email: c@x.com, company: '{p3_company}', country: DE}}\n",
        encoding="utf-8",
    )


def _run(tmp: Path, out: Path, now: str) -> dict[str, object]:
    code = main(
        [
            "run",
            str(tmp / "r.sync"),
            "--records",
            str(tmp / "records.yaml"),
            "--out",
            str(out),
            "--now",
            now,
        ]
    )
    assert code == 0
    data: dict[str, object] = json.loads((out / "error_queue.json").read_text("utf-8"))
    return data


@pytest.fixture
def history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """Two cycles into one folder: p1's country is then filled in, p3's company blanked."""
    (tmp_path / "r.sync").write_text(RULES, encoding="utf-8")
    out = tmp_path / "out"
    _records(tmp_path / "records.yaml", "", "C")
    _run(tmp_path, out, "2026-12-01T08:00:00Z")
    first = tmp_path / "first.json"
    first.write_text((out / "error_queue.json").read_text("utf-8"), encoding="utf-8")
    _records(tmp_path / "records.yaml", "FR", "")
    _run(tmp_path, out, "2026-12-02T08:00:00Z")
    capsys.readouterr()
    return first, out / "error_queue.json"


def test_first_run_starts_every_entry_at_one_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.sync").write_text(RULES, encoding="utf-8")
    _records(tmp_path / "records.yaml", "", "C")
    data = _run(tmp_path, tmp_path / "out", "2026-12-01T08:00:00Z")
    assert [(e["prospect"], e["rule"], e["first_seen"], e["cycles"]) for e in data["errors"]] == [  # type: ignore[attr-defined]
        ("p1", "Country_Required", "2026-12-01T08:00:00Z", 1),
        ("p2", "Country_Required", "2026-12-01T08:00:00Z", 1),
    ]
    assert data["resolved"] == []


def test_second_run_carries_first_seen_and_counts_cycles(history: tuple[Path, Path]) -> None:
    data = json.loads(history[1].read_text("utf-8"))
    assert [
        (e["prospect"], e["rule"], e["first_seen"], e["last_seen"], e["cycles"])
        for e in data["errors"]
    ] == [
        ("p2", "Country_Required", "2026-12-01T08:00:00Z", "2026-12-02T08:00:00Z", 2),
        ("p3", "Company_Required", "2026-12-02T08:00:00Z", "2026-12-02T08:00:00Z", 1),
    ]
    # p1 is fixed: its history stays readable, with when it was fixed
    assert [(r["prospect"], r["rule"], r["first_seen"], r["fixed"]) for r in data["resolved"]] == [
        ("p1", "Country_Required", "2026-12-01T08:00:00Z", "2026-12-02T08:00:00Z"),
    ]


def test_an_entry_that_fails_again_says_when_it_had_been_fixed() -> None:
    entry = {"prospect": "p1", "error_code": "E", "rule": "R"}
    previous = {"errors": [], "resolved": [{**entry, "fixed": "T2", "first_seen": "T1"}]}
    errors, resolved = queue.carry_history([dict(entry)], previous, "T3")
    assert errors == [
        {**entry, "first_seen": "T3", "last_seen": "T3", "cycles": 1, "fixed_before": "T2"}
    ]
    assert resolved == []


def test_queue_diff_text(history: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queue", "diff", str(history[0]), str(history[1])]) == 0
    assert capsys.readouterr().out == (
        "error queue: 1 new, 1 fixed, 1 still failing\n"
        "new (1):\n"
        "  FIELD_CUSTOM_VALIDATION_EXCEPTION Company_Required: 1\n"
        "    p3 (1 cycle, since 2026-12-02T08:00:00Z)\n"
        "fixed (1):\n"
        "  FIELD_CUSTOM_VALIDATION_EXCEPTION Country_Required: 1\n"
        "    p1 (1 cycle, since 2026-12-01T08:00:00Z)\n"
        "still failing (1):\n"
        "  FIELD_CUSTOM_VALIDATION_EXCEPTION Country_Required: 1\n"
        "    p2 (2 cycles, since 2026-12-01T08:00:00Z)\n"
    )


def test_queue_diff_json_by_rule(
    history: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["queue", "diff", str(history[0]), str(history[1]), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"new": 1, "fixed": 1, "still_failing": 1}
    assert data["by_rule"] == [
        {
            "error_code": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "rule": "Company_Required",
            "new": 1,
            "fixed": 0,
            "still_failing": 0,
        },
        {
            "error_code": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "rule": "Country_Required",
            "new": 0,
            "fixed": 1,
            "still_failing": 1,
        },
    ]


def test_queue_diff_html(history: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queue", "diff", str(history[0]), str(history[1]), "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert "<title>syncrules queue diff: 1 new, 1 fixed, 1 still failing</title>" in page
    assert '<table id="fixed"' in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", 'not an error queue: expected an object with an "errors" list'),
        ('{"errors": [{"prospect": 7, "error_code": "E"}]}', 'errors[0]: "prospect" must be text'),
        ('{"errors": [', "1:13: not JSON"),
        (
            '{"errors": [{"prospect": "p", "error_code": "E", "cycles": true}]}',
            'errors[0]: "cycles" must be a whole number ≥ 1',
        ),
        ('{"errors": [], "resolved": [{"prospect": "p"}]}', 'resolved[0]: "error_code" is missing'),
        ('{"errors": [], "resolved": {}}', '"resolved" is not a list'),
    ],
)
def test_a_bad_queue_is_exit_2_with_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    bad, good = tmp_path / "bad.json", tmp_path / "good.json"
    bad.write_text(text, encoding="utf-8")
    good.write_text('{"errors": []}', encoding="utf-8")
    assert main(["queue", "diff", str(bad), str(good)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"syncrules: {bad}")
    assert message in err


def test_run_refuses_to_overwrite_a_queue_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.sync").write_text(RULES, encoding="utf-8")
    _records(tmp_path / "records.yaml", "", "C")
    out = tmp_path / "out"
    out.mkdir()
    (out / "error_queue.json").write_text("not json", encoding="utf-8")
    code = main(
        [
            "run",
            str(tmp_path / "r.sync"),
            "--records",
            str(tmp_path / "records.yaml"),
            "--out",
            str(out),
        ]
    )
    assert code == 2
    assert "error_queue.json:1:1: not JSON" in capsys.readouterr().err
    assert (out / "error_queue.json").read_text("utf-8") == "not json"


def test_docs_show_the_real_queue_diff_output(
    history: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import ROOT

    main(["queue", "diff", str(history[0]), str(history[1])])
    page = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    shown = page.split("```text\n", 1)[1].split("```", 1)[0]
    assert shown == capsys.readouterr().out
