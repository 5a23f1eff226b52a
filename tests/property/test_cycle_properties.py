"""SPEC §3's closing promise, over generated rule sets and record sets:

- a cycle is idempotent: `run`, then `dry-run` on its output, gives only `no_change`,
  `skip` and the errors of the first cycle;
- the same inputs give byte-identical output, and shuffling the input records changes
  no byte of the plan.

The generator keeps to orgs where each person is one prospect (unique emails, CRM ids
pointing at the record with that prospect's email), as `match: email` assumes. It also
draws the connector's own state (issue 12): deleted leads and contacts, prospects flagged
`crm_deleted`, leads converted to the person's contact, prospects still linked to a lead
merged into the person's lead (`MasterRecordId`), and leads and contacts that no
prospect has, which `create_prospects` turns into new prospects — so the second cycle
must also create no further prospect.

One combination is left out on purpose: `salesforce_always` on a mapping whose prospect
value may not fit the Lead field (employees → number, country → picklist, a long title).
A created lead drops that value (SPEC §3.6) and takes no write back to Account Engagement
(SPEC §4: a create's `to_pardot` is `{}`), so the next cycle's "Salesforce wins even when
blank" then blanks the prospect: the connector itself is not idempotent there, and the
docs (design.md) say so.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from engine import api
from engine.render import plan_json

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SYNCS = ("salesforce", "pardot", "most_recent", "salesforce_always", "pardot_always", "off")
LOSSY_SYNCS = tuple(s for s in SYNCS if s != "salesforce_always")  # see the docstring
STAMPS = ("2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z", None)
COUNTRIES = ("United States", "Canada", "Germany", "France", "", None)
EMPLOYEES = ("50", " 250 ", "50-100", "lots", "", None)
TITLES = ("CTO", "CEO", "VP Sales", "x" * 140, "", None)
VALIDATIONS = (
    'validation Title_Needed on lead { error_if: ISBLANK(Title) message: "title" }',
    "validation Country_Needed on lead {\n error_if: NOT(ISBLANK(OwnerId)) && "
    'ISBLANK(TEXT(Country)) message: "country" field: Country }',
    'validation No_CEO on lead { error_if: ISCHANGED(Title) && PRIORVALUE(Title) = "CEO" '
    'message: "ceo" }',
    'validation Big on lead { error_if: NumberOfEmployees > 1000 message: "big" }',
)
GATES = ("", "create lead when MQL\n", "create lead when MQL or assigned\n")

BASE = """
object prospect {
    email: email  last_name: text(80)  company: text(255)  job_title: text(128)
    country: text(80)  employees: text(20)  score: number  grade: grade  opted_out: boolean
}
object lead {
    Email: email  LastName: text(80) required  Company: text(255) required
    Title: text(128)  Country: picklist("United States", "Canada", "Germany")
    NumberOfEmployees: number  OwnerId: reference(user)  HasOptedOutOfEmail: boolean
}
object contact {
    Email: email  LastName: text(80) required  Title: text(128)  OwnerId: reference(user)
    HasOptedOutOfEmail: boolean
}
stage MQL when score >= 100 or grade >= "B"
"""


@st.composite
def rule_sets(draw: st.DrawFn) -> str:
    syncs = [draw(st.sampled_from(SYNCS)) for _ in range(3)]
    syncs += [draw(st.sampled_from(LOSSY_SYNCS)) for _ in range(3)]  # title, country, employees
    parts = [
        BASE,
        f"field email {{ lead: Email contact: Email sync: {syncs[0]} }}",
        f"field last_name {{ lead: LastName contact: LastName sync: {syncs[1]} }}",
        f"field company {{ lead: Company sync: {syncs[2]} }}",
        f"field job_title {{ lead: Title contact: Title sync: {syncs[3]} }}",
        f"field country {{ lead: Country sync: {syncs[4]} }}",
        f"field employees {{ lead: NumberOfEmployees sync: {syncs[5]} }}",
        "field opted_out { lead: HasOptedOutOfEmail contact: HasOptedOutOfEmail "
        "sync: most_recent }",
        draw(st.sampled_from(GATES)),
    ]
    if draw(st.booleans()):
        parts.append('share lead when OwnerId in group "Direct Sales"')
    if draw(st.booleans()):
        parts.append("duplicate lead by Email")
    connector = draw(
        st.sampled_from(
            ("", "match: crm_id", "create_prospects: true", "match: crm_id create_prospects: false")
        )
    )
    # ownership: the connector user takes an inactive assigned user's leads
    connector += draw(st.sampled_from(("", ' user: "conn@example.com"', " assignment_rule: true")))
    if connector:
        parts.append(f"connector {{ {connector} }}")
    parts += draw(st.lists(st.sampled_from(VALIDATIONS), unique=True, max_size=3))
    return "\n".join(parts) + "\n"


def _maybe(draw: st.DrawFn, values: tuple[Any, ...]) -> Any:
    return draw(st.sampled_from(values))


@st.composite
def record_sets(draw: st.DrawFn) -> dict[str, Any]:
    people = draw(st.integers(min_value=1, max_value=8))
    prospects, leads, contacts = [], [], []
    for n in range(people):
        email = f"person{n}@example.com"
        prospect: dict[str, Any] = {
            "id": f"p{n:02d}",
            "email": email,
            "last_name": _maybe(draw, ("Lovelace", "", None)),
            "company": _maybe(draw, ("Analytical", "", None)),
            "job_title": _maybe(draw, TITLES),
            "country": _maybe(draw, COUNTRIES),
            "employees": _maybe(draw, EMPLOYEES),
            "score": _maybe(draw, (0, 100, 150, None)),
            "grade": _maybe(draw, ("A", "B-", "C", None)),
            "opted_out": draw(st.booleans()),
            "assigned_user": _maybe(draw, ("005A", "005B", None, "005Z", "00G1")),
            "updated_at": _maybe(draw, STAMPS),
            "crm_deleted": _maybe(draw, (None, False, False, False, True)),
        }
        where = draw(st.sampled_from(("none", "lead", "contact", "both")))
        shown = email.upper() if draw(st.booleans()) else email
        if where in ("lead", "both"):
            lead_id = f"00Q{n:02d}"
            leads.append(
                {
                    "Id": lead_id,
                    "Email": shown,
                    "LastName": "Lovelace",
                    "Company": "Analytical",
                    "Title": _maybe(draw, (*TITLES[:3], "")),
                    "Country": _maybe(draw, ("Canada", "Germany", None)),
                    "NumberOfEmployees": _maybe(draw, (10, 5000, None)),
                    "OwnerId": _maybe(draw, ("005A", "005B", "00G1", "005Z")),
                    "HasOptedOutOfEmail": draw(st.booleans()),
                    "LastModifiedDate": _maybe(draw, STAMPS),
                    "IsDeleted": _maybe(draw, (None, False, False, False, True)),
                }
            )
            if where == "both" and draw(st.integers(0, 3)) == 0:
                leads[-1] |= {"IsConverted": True, "ConvertedContactId": f"003{n:02d}"}
            if draw(st.booleans()):
                prospect["crm_lead_fid"] = lead_id
            if draw(st.integers(0, 4)) == 0:
                # a duplicate lead merged into this one: the prospect still names the loser
                leads.append(
                    {
                        "Id": f"00Q8{n}",
                        "Email": shown,
                        "LastName": "Lovelace",
                        "Company": "Analytical",
                        "IsDeleted": True,
                        "MasterRecordId": lead_id,
                    }
                )
                prospect["crm_lead_fid"] = f"00Q8{n}"
        if where in ("contact", "both"):
            contact_id = f"003{n:02d}"
            contacts.append(
                {
                    "Id": contact_id,
                    "Email": shown,
                    "LastName": "Lovelace",
                    "Title": _maybe(draw, (*TITLES[:3], "")),
                    "OwnerId": _maybe(draw, ("005A", "005B")),
                    "HasOptedOutOfEmail": draw(st.booleans()),
                    "LastModifiedDate": _maybe(draw, STAMPS),
                    "IsDeleted": _maybe(draw, (None, False, False, False, True)),
                }
            )
            if draw(st.booleans()):
                prospect["crm_contact_fid"] = contact_id
        prospects.append(prospect)
    if draw(st.booleans()):
        # someone else's lead whose Email equals a prospect's: hidden or not, duplicates see it
        leads.append(
            {
                "Id": "00Q99",
                "Email": "PERSON0@example.com",
                "LastName": "X",
                "Company": "Y",
                "OwnerId": "005B",
            }
        )
    for n in range(draw(st.integers(min_value=0, max_value=3))):
        # people in Salesforce with no prospect: create_prospects gives them one
        orphan = {
            "Id": f"00Q7{n}",
            "Email": f"orphan{n}@example.com",
            "LastName": "Orphan",
            "Company": "Solo",
            "Title": _maybe(draw, TITLES[:3]),
            "OwnerId": _maybe(draw, ("005A", "005B")),
        }
        if draw(st.booleans()):
            contacts.append(
                {k: v for k, v in orphan.items() if k != "Company"} | {"Id": f"0037{n}"}
            )
        else:
            leads.append(orphan)
    users = [
        {"Id": "005A", "Name": "Dana Direct", "groups": ["Direct Sales"], "active": True},
        {"Id": "005B", "Name": "Pat Partner", "groups": ["Partners"], "active": True},
        {"Id": "005Z", "Name": "Zoe Gone", "groups": ["Direct Sales"], "active": False},
        {"Id": "005C", "Name": "Connector", "Username": "conn@example.com", "groups": []},
    ]
    queues = [{"Id": "00G1", "Name": "Inbound"}]
    return {
        "users": users,
        "queues": queues,
        "prospects": prospects,
        "leads": leads,
        "contacts": contacts,
    }


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    yaml = YAML()
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def _errors(plan: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {
        r["prospect"]: (r["error_code"], r["rule"])
        for r in plan["records"]
        if r["action"] == "error"
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_text=rule_sets(), data=record_sets())
def test_a_cycle_is_idempotent(rules_text: str, data: dict[str, Any]) -> None:
    rules = api.check_text(rules_text, "rules.sync")
    assert not rules.diagnostics
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in" / "records.yaml"
        source.parent.mkdir()
        _write_yaml(source, data)
        first = api.run(rules, api.load_records(str(source), rules), f"{tmp}/out", now=NOW)
        again = api.dry_run(rules, api.load_records(f"{tmp}/out/records.yaml", rules), now=NOW)
    first_plan, second_plan = plan_json.as_dict(first.plan), plan_json.as_dict(again)
    actions = {r["action"] for r in second_plan["records"]}
    assert actions <= {"no_change", "skip", "error"}, json.dumps(second_plan, indent=1)
    # run recorded every owner the connector syncs back: none is decided again
    decided = [r for r in second_plan["records"] if "owner" in r and r["action"] != "error"]
    assert decided == [], json.dumps(second_plan, indent=1)
    assert _errors(second_plan) == _errors(first_plan)
    # the prospects the first cycle created from Salesforce are there, and none more
    assert second_plan["summary"]["prospects"] == (
        first_plan["summary"]["prospects"] + first_plan["summary"]["create_prospect"]
    )
    assert second_plan["prospects_from_salesforce"] == [], json.dumps(second_plan, indent=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_text=rule_sets(), data=record_sets(), seed=st.randoms(use_true_random=False))
def test_same_inputs_same_bytes_and_record_order_does_not_matter(
    rules_text: str, data: dict[str, Any], seed: Any
) -> None:
    rules = api.check_text(rules_text, "rules.sync")
    shuffled = {key: list(value) for key, value in data.items()}
    for value in shuffled.values():
        seed.shuffle(value)
    with tempfile.TemporaryDirectory() as tmp:
        outputs = []
        for n, variant in enumerate((data, data, shuffled)):
            path = Path(tmp) / f"r{n}.yaml"
            _write_yaml(path, variant)
            records = api.load_records(str(path), rules)
            outputs.append(plan_json.render(api.dry_run(rules, records, now=NOW)))
    assert outputs[0] == outputs[1] == outputs[2]
