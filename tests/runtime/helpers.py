"""Run a cycle from inline rule text and YAML records, the way the CLI would."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

from engine import api
from engine.render import plan_json

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)

BASE = """
object prospect {
    email: email
    first_name: text(40)
    last_name: text(80)
    company: text(255)
    job_title: text(128)
    score: number
    grade: grade
    employees: text(20)
    country: text(80)
    opted_out: boolean
}
object lead {
    Email: email
    FirstName: text(40)
    LastName: text(80) required
    Company: text(255) required
    Title: text(128)
    Country: picklist("United States", "Canada", "Germany")
    NumberOfEmployees: number
    Rating: text(20) readonly
    OwnerId: reference(user)
    Status: picklist("Open", "Qualified")
    HasOptedOutOfEmail: boolean
}
object contact {
    Email: email
    FirstName: text(40)
    LastName: text(80) required
    Title: text(128)
    OwnerId: reference(user)
    HasOptedOutOfEmail: boolean
}
field email { lead: Email contact: Email }
field first_name { lead: FirstName contact: FirstName }
field last_name { lead: LastName contact: LastName }
field company { lead: Company }
field job_title { lead: Title contact: Title }
"""


def rules_of(text: str, base: bool = True) -> api.CheckedRules:
    source = (BASE if base else "") + textwrap.dedent(text)
    rules = api.check_text(source, "rules.sync")
    assert not rules.diagnostics, [f"{d.span.line}: {d.message}" for d in rules.diagnostics]
    return rules


def records_of(tmp_path: Path, rules: api.CheckedRules, yaml_text: str) -> Any:
    path = tmp_path / "records.yaml"
    path.write_text(textwrap.dedent(yaml_text), encoding="utf-8")
    return api.load_records(str(path), rules)


def plan(tmp_path: Path, rules_text: str, yaml_text: str, base: bool = True) -> dict[str, Any]:
    """The dry-run JSON (as a dict) for these rules and records."""
    rules = rules_of(rules_text, base)
    records = records_of(tmp_path, rules, yaml_text)
    # every scenario runs on the bulk engines too, when they can evaluate it
    from tests.bulk.differential import assert_same_plans

    assert_same_plans(rules, records, NOW)
    return plan_json.as_dict(api.dry_run(rules, records, now=NOW, engine="python"))


def entry(data: dict[str, Any], prospect: str) -> dict[str, Any]:
    return next(r for r in data["records"] if r["prospect"] == prospect)
