"""The dry-run table (issue 11): fitted to the terminal's width on a terminal, never cut
in a file or a pipe; a validation error shows its rule's name; ids are never cut."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest

from engine import api
from engine.cli import _terminal_width, main
from engine.plan import Plan
from engine.render import plan_table

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "samples" / "acme"
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def plan() -> Plan:
    rules = api.check([str(ACME / "rules")])
    return api.dry_run(rules, api.load_records(str(ACME / "records"), rules), now=NOW)


def _rows(text: str) -> dict[str, str]:
    """The prospect rows (acme's ids are 8 digits), by prospect id."""
    return {line[:8]: line for line in text.splitlines() if line[:8].isdigit()}


def test_a_validation_error_row_names_its_rule(plan: Plan) -> None:
    rows = _rows(plan_table.render(plan))
    assert rows["48210016"] == (
        "48210016 error       contact 003Dn00000C3002 "
        "Contact_Mailing_Country_Required (FIELD_CUSTOM_VALIDATION_EXCEPTION)"
    )
    assert rows["48210011"].endswith(" LastName (REQUIRED_FIELD_MISSING)")


def test_nothing_is_cut_without_a_width(plan: Plan) -> None:
    text = plan_table.render(plan)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) > 200  # 48210001's long SF list
    assert _rows(text)["48210001"].endswith("GDPR_Consent__c, Employees_Band__c")


@pytest.mark.parametrize("width", [80, 120, 200])
def test_lines_fit_the_terminal_width(plan: Plan, width: int) -> None:
    text = plan_table.render(plan, width=width)
    assert max(len(line) for line in text.splitlines()) == width  # the long lines fill it
    row = _rows(text)["48210001"]
    assert row.endswith("…")
    assert len(row) == width


def test_ids_are_never_cut_on_a_narrow_terminal(plan: Plan) -> None:
    long_id = "p-" + "7" * 40
    # a validation error on a contact
    outcome = next(o for o in plan.outcomes if o.prospect == "48210016")
    narrow = plan_table.render(
        dataclasses.replace(plan, outcomes=(_renamed(outcome, long_id),)), width=40
    )
    (row,) = [line for line in narrow.splitlines() if line.startswith(long_id)]
    assert "contact 003Dn00000C3002" in row
    # the detail keeps at least MIN_DETAIL characters, however narrow the terminal
    detail = row.split("003Dn00000C3002 ", 1)[1]
    assert detail == "Contact_Mailing_Country…"
    assert len(detail) == plan_table.MIN_DETAIL


def _renamed(outcome, prospect: str):  # type: ignore[no-untyped-def]
    return dataclasses.replace(outcome, prospect=prospect)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_width_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "132")
    assert _terminal_width(_Tty()) == 132
    assert _terminal_width(io.StringIO()) is None


def test_dry_run_to_a_pipe_cuts_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["dry-run", str(ACME / "rules"), "--records", str(ACME / "records")]
    assert main([*argv, "--now", "2026-11-23T12:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    assert "Contact_Resubscribe_Needs_Consent (FIELD_CUSTOM_VALIDATION_EXCEPTION)" in out
