"""New lead Ids are numbered in creation order without gaps: a create that ends in an error
takes no Id (docs/records.md)."""

from __future__ import annotations

from pathlib import Path

from engine import api
from tests.runtime.helpers import NOW, records_of, rules_of


def test_errors_do_not_consume_lead_ids(tmp_path: Path) -> None:
    rules = rules_of("create lead when true\n")
    records = records_of(
        tmp_path,
        rules,
        """
        leads:
          - {Id: 00QSR0000000002, Email: old@example.com, LastName: Old, Company: Old}
        prospects:
          - {id: p1, email: a@example.com, last_name: A}
          - {id: p2, email: b@example.com, last_name: B, company: B}
          - {id: p3, email: c@example.com, last_name: C}
          - {id: p4, email: d@example.com, last_name: D, company: D}
          - {id: p5, email: e@example.com, last_name: E, company: E}
        """,
    )
    plan = api.dry_run(rules, records, now=NOW)
    # p1 and p3 lack the required Company: errors, which use up no Id; 00QSR0000000002 is
    # in use, so the second created lead skips it
    assert [(o.prospect, o.action.value, o.created_id) for o in plan.outcomes] == [
        ("p1", "error", None),
        ("p2", "create_lead", "00QSR0000000001"),
        ("p3", "error", None),
        ("p4", "create_lead", "00QSR0000000003"),
        ("p5", "create_lead", "00QSR0000000004"),
    ]
