"""`diff --format html`: the moves between the two rule versions, as a flow and a table."""

from __future__ import annotations

import re

import pytest

from engine.cli import main
from engine.plan import Action, Change, ErrorCode, Failure, Outcome, SkipReason
from engine.render import diff_html
from tests.conftest import ROOT

GATED = Outcome("p1", Action.SKIP, (), reason=SkipReason.GATED)
CREATED = Outcome("p1", Action.CREATE_LEAD, ("MQL",), to_salesforce=(("Email", "a@b.c"),))
FAILED = Outcome(
    "p2", Action.ERROR, (), failures=(Failure(ErrorCode.REQUIRED, None, "Missing", ("Company",)),)
)


def test_moves_count_prospects_from_outcome_to_outcome() -> None:
    changes = [
        Change("p1", GATED, CREATED, ("action",)),
        Change("p2", FAILED, Outcome("p2", Action.UPDATE, ()), ("action",)),
        Change("p3", GATED, CREATED, ("action",)),
    ]
    nodes, links = diff_html.moves(changes)
    assert {(n.id, n.value) for n in nodes} == {
        ("old:skip (gated)", 2),
        ("old:error (REQUIRED_FIELD_MISSING)", 1),
        ("new:create_lead", 2),
        ("new:update", 1),
    }
    assert {(link.source, link.target, link.value) for link in links} == {
        ("old:skip (gated)", "new:create_lead", 2),
        ("old:error (REQUIRED_FIELD_MISSING)", "new:update", 1),
    }


def test_acme_rule_change_as_a_page(capsys: pytest.CaptureFixture[str]) -> None:
    acme = ROOT / "samples/acme"
    code = main(
        [
            "diff",
            str(acme / "rules"),
            str(acme / "rules-next"),
            "--records",
            str(acme / "records"),
            "--now",
            "2026-12-01T00:00:00Z",
            "--format",
            "html",
        ]
    )
    assert code == 0
    page = capsys.readouterr().out
    assert "<title>syncrules diff: 5 of 42 prospects change</title>" in page
    rows = re.findall(r"<tr><td>(\d+)</td>", page)
    assert rows == ["48210006", *rows[1:]]
    assert len(rows) == 5  # 48210042 gains stages under the new rules
    assert "+ Salesforce City = &#34;Utrecht&#34;" in page  # the writes, escaped
    assert 'data-node="old:skip (gated)"' in page


def test_no_change_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    page = diff_html.render([], 5, "a", "b")
    assert "No prospect changes" in page
    assert "<svg" not in page
