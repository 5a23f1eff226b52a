"""Generated rule sets and record sets: DuckDB's plan equals the Python reference's, byte
for byte, whenever DuckDB says it can evaluate the cycle."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import api
from engine.records.load import load_records_text
from tests.bulk.differential import assert_same_plans, duckdb_plan, python_plan

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
SYNCS = ("salesforce", "pardot", "most_recent", "salesforce_always", "pardot_always", "off")

OBJECTS = """
object prospect {
    email: email
    name: text(8)
    score: number
    grade: grade
    flag: boolean
    kind: text(12)
    since: date
    company: text(6)
    tags: multipicklist("a", "b", "c")
}
object lead {
    Email: email
    LastName: text(8) required
    Score__c: number
    Kind__c: picklist("a", "b", "c")
    Flag__c: boolean
    Grade__c: text(3)
    Note__c: text(10) readonly
    OwnerId: reference(user)
    Since__c: date
    Company: text(20)
    Tags__c: multipicklist("a", "b")
}
object contact {
    Email: email
    LastName: text(8)
    Score__c: text(6)
    Kind__c: text(5)
    OwnerId: reference(user)
    AccountId: reference(account)
    Tags__c: text(3)
}
object account { Name: text(20)  Kind__pc: text(5) }
"""

STAGES = (
    "score >= 10",
    'grade >= "B" or score > 50',
    'lead.Kind__c = "a" and not flag',
    'contact.Email != "" or ISBLANK(kind)',
    'BEGINS(name, "A") and LEN(kind) < 3',
    'kind in ("a", "b") or CONTAINS(UPPER(name), "X")',
    "IF(ISBLANK(score), false, score + 1 > 20)",
    'CASE(kind, "a", true, "b", assigned, false)',
    # formula failures (a column beside each value), Decimal arithmetic, dates
    "VALUE(kind) > 5 or ISBLANK(kind)",
    "score / 2 > 3 or -score > 10 or MOD(score, 3) = 1",
    "since > TODAY() - 30",
    "YEAR(since) = 2026 and ADDMONTHS(since, 1) >= TODAY()",
)
VALIDATIONS = (
    "ISBLANK(Kind__c)",
    "Score__c > 100 && NOT(ISNEW())",
    "ISCHANGED(LastName) && LEN(LastName) > 4",
    'REGEX(LastName, "[A-Z]+")',
    'TEXT(Score__c) = "7"',
    # related records' values: a column the record set names so, the owner's user record
    'RecordType.DeveloperName = "Partner" && Score__c > 5',
    'Owner.Name = "A" || (ISBLANK($RecordType.Name) && Flag__c)',
    "VALUE(LastName) > 1",
    "Score__c * 2 > 20 && Since__c < TODAY()",
)


@st.composite
def rule_sets(draw: st.DrawFn) -> str:
    parts = [OBJECTS]
    parts.append("field email { lead: Email contact: Email sync: salesforce }")
    for p, lead, contact in (
        ("name", "LastName", "LastName"),
        ("score", "Score__c", "Score__c"),
        ("kind", "Kind__c", "Kind__c"),
        ("flag", "Flag__c", None),
        ("grade", "Grade__c", None),
        # a multi-select picklist into one with fewer values, and into a short text
        ("tags", "Tags__c", "Tags__c"),
    ):
        targets = f"lead: {lead}" + (f" contact: {contact}" if contact else "")
        parts.append(f"field {p} {{ {targets} sync: {draw(st.sampled_from(SYNCS))} }}")
    # a contact's company is its Account's Name whatever the behaviour (runtime/company.py)
    if draw(st.booleans()):
        parts.append(f"field company {{ lead: Company sync: {draw(st.sampled_from(SYNCS))} }}")
    match = draw(st.sampled_from(("email", "crm_id")))
    paused = draw(st.sampled_from(("false", "false", "false", "true")))
    # SPEC §3.9: create_prospects written either way, or left to its default (true with
    # match: crm_id); email_fallback lets match: crm_id match an unlinked prospect by email
    create = draw(st.sampled_from(("", "create_prospects: true", "create_prospects: false")))
    fallback = draw(st.sampled_from(("", "", "email_fallback: true")))
    # person accounts (docs/design.md): synced as contacts, or invisible
    person = draw(st.sampled_from(("", "person_accounts: true")))
    # ownership (docs/design.md): the connector user owns leads of inactive assigned
    # users; assignment_rule sends unassigned leads to the active assignment rule
    owner = draw(
        st.sampled_from(("", 'user: "conn@x.io"', 'user: "conn@x.io" assignment_rule: true'))
    )
    parts.append(
        f"connector {{ match: {match} paused: {paused} {create} {fallback} {person} {owner} }}"
    )
    if draw(st.booleans()):
        parts.append('share lead when OwnerId in group "G"')
    if draw(st.booleans()):
        parts.append('share contact when OwnerId != "005B"')
    stages = draw(st.lists(st.sampled_from(STAGES), max_size=3, unique=True))
    for n, cond in enumerate(stages):
        ref = f" or S{n - 1}" if n and draw(st.booleans()) else ""
        parts.append(f"stage S{n} when ({cond}){ref}")
    if draw(st.booleans()):
        gate = draw(
            st.sampled_from(("assigned", "score > 5", 'name != ""', "S0" if stages else "true"))
        )
        parts.append(f"create lead when {gate}")
    chosen = draw(st.lists(st.sampled_from(VALIDATIONS), max_size=2, unique=True))
    for n, cond in enumerate(chosen):
        parts.append(f'validation V{n} on lead {{ error_if: {cond} message: "no {n}" }}')
    if draw(st.booleans()):
        parts.append('validation C0 on contact { error_if: LEN(LastName) > 5 message: "long" }')
    if draw(st.booleans()):
        parts.append(
            'validation A0 on account { error_if: ISBLANK(Name) && Kind__pc = "a" message: "acct" }'
        )
    if draw(st.booleans()):
        parts.append("duplicate lead by Email")
    return "\n".join(p for p in parts if p)


EMAILS = ("ada@x.io", "ADA@x.io", "bo@y.io", " bo@y.io ", "", "cy@z.io", "bad-email")
TEXTS = ("", "A", "Ann", "Xavier", "Alexandria", "a", "b", "7", " 12 ", "50-100", "1" * 20)
# 19 and 20 digits left of the point: more than a Salesforce number field holds (issue 11)
DATES = ("null", "2026-10-30", "2026-11-16", "2025-12-31")  # NOW is 2026-11-30
NUMBERS = ("null", "0", "7", "12.5", "101", "250", "1234567890123456789", "-99999999999999999999.5")


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def record_sets(draw: st.DrawFn) -> str:
    lines = [
        "users:",
        "  - {Id: 005A, Name: A, groups: [G]}",
        "  - {Id: 005B, Name: B, groups: []}",
        "  - {Id: 005Z, Name: Z, groups: [G], active: false}",
        "  - {Id: 005C, Name: C, Username: conn@x.io, groups: []}",
        "queues:",
        "  - {Id: 00G1, Name: Inbound}",
    ]
    leads = [f"00Q{n}" for n in range(draw(st.integers(0, 4)))]
    # a lead an earlier run created: new leads are numbered past it
    leads += draw(st.sampled_from(([], [], ["00QSR0000000001"], ["00QSR0000000002"])))
    contacts = [f"003{n}" for n in range(draw(st.integers(0, 3)))]
    people = [f"003P{n}" for n in range(draw(st.integers(0, 2)))]  # person accounts' contacts
    day = st.integers(1, 3).map(lambda d: f"2026-11-0{d}T10:00:00Z")
    lines.append("leads:")
    for lid in leads:
        # the connector state (SPEC §2): deleted (a merged loser names its master, which
        # may be missing, deleted or converted in turn), converted (to a contact that may
        # be missing or deleted), or neither
        state = draw(st.sampled_from(("live", "live", "deleted", "merged", "converted")))
        extra = ""
        if state in ("deleted", "merged"):
            extra += ", IsDeleted: true"
        if state == "merged":
            extra += f", MasterRecordId: {draw(st.sampled_from([*leads, '00Q9']))}"
        if state == "converted":
            to = draw(st.sampled_from(["null", "0039", *contacts, *people]))
            extra += f", IsConverted: true, ConvertedContactId: {to}"
        extra += draw(
            st.sampled_from(
                ("", ", RecordType.DeveloperName: Partner", ", recordtype.developername: Direct")
            )
        )
        extra += draw(st.sampled_from(("", ", RecordType.Name: P", ", RecordType.Name: ''")))
        lines.append(
            f"  - {{Id: {lid}, Email: {_q(draw(st.sampled_from(EMAILS)))}, "
            f"LastName: {_q(draw(st.sampled_from(TEXTS)))}, "
            f"Score__c: {draw(st.sampled_from(NUMBERS))}, "
            f"Kind__c: {_q(draw(st.sampled_from(('', 'a', 'b', 'c'))))}, "
            f"Flag__c: {draw(st.sampled_from(('true', 'false')))}, "
            f"OwnerId: {draw(st.sampled_from(('005A', '005B', 'null', '00G1', '005C')))}, "
            f"Since__c: {draw(st.sampled_from(DATES))}, "
            f"Tags__c: {_q(draw(st.sampled_from(('', 'a', 'b;a'))))}, "
            f"LastModifiedDate: {draw(day)}{extra}}}"
        )
    lines.append("contacts:")
    for cid in contacts:
        state = draw(st.sampled_from(("live", "live", "live", "deleted", "merged")))
        extra = ""
        if state in ("deleted", "merged"):
            extra += ", IsDeleted: true"
        if state == "merged":
            extra += f", MasterRecordId: {draw(st.sampled_from([*contacts, '0039']))}"
        lines.append(
            f"  - {{Id: {cid}, Email: {_q(draw(st.sampled_from(EMAILS)))}, "
            f"LastName: {_q(draw(st.sampled_from(TEXTS)))}, "
            f"Score__c: {_q(draw(st.sampled_from(TEXTS)))}, "
            f"Kind__c: {_q(draw(st.sampled_from(('', 'a', 'zz'))))}, "
            f"OwnerId: {draw(st.sampled_from(('005A', '005B', '00G1')))}, "
            f"AccountId: {draw(st.sampled_from(('null', '001B', '001C', '001X')))}, "
            f"Tags__c: {_q(draw(st.sampled_from(('', 'a;b', 'abcd'))))}, "
            f"LastModifiedDate: {draw(day)}"
            f"{extra}}}"
        )
    lines.append("accounts:")
    # Business does not fit the prospect's company (text(6)): a dropped value
    lines.append("  - {Id: 001B, Name: Business, IsPersonAccount: false}")
    lines.append("  - {Id: 001C, Name: Acme, IsPersonAccount: false}")
    for n, pid in enumerate(people):
        deleted = draw(st.sampled_from(("", "", ", IsDeleted: true")))
        lines.append(
            f"  - {{Id: 001P{n}, IsPersonAccount: true, PersonContactId: {pid}, "
            f"PersonEmail: {_q(draw(st.sampled_from(EMAILS)))}, "
            f"LastName: {_q(draw(st.sampled_from(TEXTS)))}, "
            f"Name: {_q(draw(st.sampled_from(('', 'P'))))}, "
            f"Score__pc: {_q(draw(st.sampled_from(TEXTS)))}, "
            f"Kind__pc: {_q(draw(st.sampled_from(('', 'a', 'zz'))))}, "
            f"OwnerId: {draw(st.sampled_from(('005A', '005B')))}, LastModifiedDate: {draw(day)}"
            f"{deleted}}}"
        )
    # field history (runtime/history.py): a most_recent field's own change times
    history = draw(st.lists(st.sampled_from([*leads, *contacts, "00Q9"]), max_size=3))
    if history:
        lines.append("field_history:")
        for k, parent in enumerate(history):
            field = draw(st.sampled_from(("Score__c", "LastName", "Kind__c")))
            lines.append(
                f"  - {{Id: 017{k}, ParentId: {parent}, Field: {field}, "
                f"CreatedDate: '{draw(day)}'}}"
            )
    lines.append("prospects:")
    for n in range(draw(st.integers(1, 6))):
        # unlinked (null), linked to a missing record (00Q9, 0039) or to a generated one
        fid = draw(st.sampled_from(["null", "00Q9", *leads]))
        cfid = draw(st.sampled_from(["null", "null", "0039", *contacts, *people]))
        flagged = draw(st.sampled_from(("", "", "", "", ", crm_deleted: true")))
        lines.append(
            f"  - {{id: p{n}, email: {_q(draw(st.sampled_from(EMAILS)))}, "
            f"name: {_q(draw(st.sampled_from(TEXTS)))}, score: {draw(st.sampled_from(NUMBERS))}, "
            f"grade: {draw(st.sampled_from(('null', 'A', 'B', 'C-')))}, "
            f"flag: {draw(st.sampled_from(('true', 'false')))}, "
            f"kind: {_q(draw(st.sampled_from(TEXTS)))}, since: {draw(st.sampled_from(DATES))}, "
            f"company: {_q(draw(st.sampled_from(('', 'Acme', 'Beta'))))}, "
            f"tags: {_q(draw(st.sampled_from(('', 'a', 'a;b', ' b ;;c', 'c'))))}, "
            f"assigned_user: {draw(st.sampled_from(('005A', 'null', '005Z', '00G1', '005C')))}, "
            f"crm_lead_fid: {fid}, crm_contact_fid: {cfid}, updated_at: {draw(day)}{flagged}}}"
        )
    return "\n".join(lines) + "\n"


@settings(
    # an example is a whole cycle on both engines (~1.4 s: DuckDB plans the round's query
    # of several hundred columns). In the suite the budget is a smoke net, not the
    # search: with 456e624's fix (a failed create took a lead Id) undone, 40 examples on
    # each of three seeds did not find it, test_a_create_that_ends_in_an_error_takes_no_
    # lead_id_on_duckdb does; the differences found so far came from runs of hundreds by
    # hand and each is pinned by such a test. 20 keep the suite inside its four minutes;
    # CI runs a quarter (tests/conftest.py)
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rule_sets(), record_sets())
def test_duckdb_plan_equals_the_reference(rules_text: str, records_text: str) -> None:
    rules = api.check_text(rules_text, "rules.sync")
    assert not rules.has_errors, [d.message for d in rules.diagnostics]
    records = load_records_text(records_text, "records.yaml", rules)
    assert_same_plans(rules, records, NOW)


def test_the_generated_shapes_are_evaluated_by_duckdb() -> None:
    """A fixed example of the generator's shape that DuckDB must evaluate (not decline):
    chains of prospects on one email, case-varied emails, values that do not fit."""
    rules = api.check_text(
        OBJECTS
        + """
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field score { lead: Score__c contact: Score__c sync: most_recent }
field kind { lead: Kind__c contact: Kind__c sync: pardot_always }
stage S0 when score >= 10
create lead when S0 or assigned
duplicate lead by Email
""",
        "rules.sync",
    )
    records = load_records_text(
        """
users: [{Id: 005A, Name: A, groups: [G]}]
leads: [{Id: 00Q1, Email: ADA@x.io, LastName: Lo, Score__c: 3, Kind__c: a, OwnerId: 005A,
         LastModifiedDate: 2026-11-01T10:00:00Z}]
contacts: []
prospects:
  - {id: p1, email: ada@x.io, name: Ada, score: 12, kind: zz, updated_at: 2026-11-02T10:00:00Z}
  - {id: p2, email: ' ada@X.io', name: Alexandria, score: null, kind: 50-100}
  - {id: p3, email: new@x.io, name: Cy, score: 20, kind: a, assigned_user: 005A}
  - {id: p4, email: NEW@x.io, name: Cy, score: 21, kind: c}
""",
        "records.yaml",
        rules,
    )
    assert assert_same_plans(rules, records, NOW)


def test_the_connector_state_is_evaluated_by_duckdb() -> None:
    """A fixed example DuckDB must evaluate (not decline), with each connector state of
    SPEC §2: a merge followed and one flagged for its held master, a conversion followed
    and one to a missing contact (then matched by email_fallback), deleted records
    invisible to matching and duplicates, a flagged prospect, prospects from Salesforce."""
    rules = api.check_text(
        OBJECTS
        + """
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field score { lead: Score__c contact: Score__c sync: most_recent }
connector { match: crm_id email_fallback: true }
create lead when true
duplicate lead by Email
""",
        "rules.sync",
    )
    records = load_records_text(
        """
users: [{Id: 005A, Name: A, groups: [G]}]
leads:
  - {Id: 00Q1, Email: ada@x.io, LastName: Lo, IsDeleted: true, MasterRecordId: 00Q3}
  - {Id: 00Q2, Email: bo@x.io, LastName: Bo, IsConverted: true, ConvertedContactId: 0031}
  - {Id: 00Q3, Email: ada@x.io, LastName: Ada}
  - {Id: 00Q4, Email: dup@x.io, LastName: Dup, IsDeleted: true}
  - {Id: 00Q5, Email: cy@x.io, LastName: Cy, IsConverted: true, ConvertedContactId: 0039}
  - {Id: 00Q6, Email: fresh@x.io, LastName: Fresh}
contacts:
  - {Id: '0031', Email: bo@x.io, LastName: Bo}
  - {Id: '0032', Email: cy@x.io, LastName: Cy}
  - {Id: '0033', Email: new@x.io, LastName: Nu, IsDeleted: true}
prospects:
  - {id: p1, email: ada@x.io, name: Ada, crm_lead_fid: 00Q1}
  - {id: p2, email: ada@x.io, name: Twin, crm_lead_fid: 00Q1}
  - {id: p3, email: bo@x.io, name: Bo, crm_lead_fid: 00Q2}
  - {id: p4, email: cy@x.io, name: Cy, crm_lead_fid: 00Q5}
  - {id: p5, email: dup@x.io, name: Dup}
  - {id: p6, email: new@x.io, name: Nu, crm_contact_fid: '0033', crm_deleted: true}
""",
        "records.yaml",
        rules,
    )
    assert assert_same_plans(rules, records, NOW)


def test_a_failed_contact_update_still_lists_the_account_name_it_drops() -> None:
    """The reference resolves a contact's Account Name into the company before the checks,
    so a refused update lists the name that does not fit among its dropped values; DuckDB's
    assembly once added it only to updates."""
    rules = api.check_text(
        OBJECTS
        + """
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field company { lead: Company sync: pardot }
validation C0 on contact { error_if: LEN(LastName) > 5 message: "long" }
""",
        "rules.sync",
    )
    records = load_records_text(
        """
accounts: [{Id: 001B, Name: Business}]
contacts:
  - {Id: '0031', Email: ada@x.io, LastName: Lo, AccountId: 001B}
  - {Id: '0032', Email: bo@y.io, LastName: Lo, AccountId: 001B}
prospects:
  - {id: p1, email: ada@x.io, name: Xavier, company: Acme}
  - {id: p2, email: bo@y.io, name: Ann, company: Acme}
""",
        "records.yaml",
        rules,
    )
    assert assert_same_plans(rules, records, NOW)
    plan = duckdb_plan(rules, records, NOW)
    assert plan is not None
    assert [o.action.value for o in plan.outcomes] == ["error", "update"]
    for outcome in plan.outcomes:
        assert [(d.field, d.code.value, d.value) for d in outcome.dropped] == [
            ("company", "STRING_TOO_LONG", "Business")
        ]


def test_a_create_that_ends_in_an_error_takes_no_lead_id_on_duckdb() -> None:
    """p0's lead is refused (LastName is required), so p1's created lead is the first Id,
    00QSR0000000001, which p2 then matches by email (found by the generator)."""
    rules = api.check_text(
        OBJECTS
        + """
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: salesforce }
connector { match: email }
""",
        "rules.sync",
    )
    records = load_records_text(
        """
prospects:
  - {id: p0, email: ada@x.io, name: '', assigned_user: 005A}
  - {id: p1, email: ada@x.io, name: A, assigned_user: 005A}
  - {id: p2, email: ada@x.io, name: '', assigned_user: 005A}
""",
        "records.yaml",
        rules,
    )
    assert assert_same_plans(rules, records, NOW)
    plan = duckdb_plan(rules, records, NOW)
    assert plan is not None
    assert [o.created_id for o in plan.outcomes] == [None, "00QSR0000000001", None]
    target = plan.outcomes[2].target
    assert target is not None
    assert target.id == "00QSR0000000001"


def test_ownership_and_wide_numbers_are_evaluated_by_duckdb() -> None:
    """A fixed example DuckDB must evaluate (not decline), with every owner decision
    (docs/design.md, "Ownership") and numbers wider than a Salesforce field holds."""
    rules = api.check_text(
        OBJECTS
        + """
field email { lead: Email contact: Email sync: salesforce }
field name { lead: LastName contact: LastName sync: pardot }
field score { lead: Score__c sync: pardot }
field kind { lead: Score__c sync: off }
connector { user: "conn@x.io" assignment_rule: true }
create lead when true
validation Owned on lead { error_if: ISBLANK(OwnerId) && LastName = "Rule" message: "owner" }
""",
        "rules.sync",
    )
    records = load_records_text(
        """
users:
  - {Id: 005A, Name: A, groups: [G]}
  - {Id: 005Z, Name: Z, groups: [G], active: false}
  - {Id: 005C, Name: C, Username: conn@x.io}
queues: [{Id: 00G1, Name: Inbound}]
leads:
  - {Id: 00Q1, Email: q@x.io, LastName: Q, OwnerId: 00G1}
  - {Id: 00Q2, Email: c@x.io, LastName: C, OwnerId: 005C}
contacts: []
prospects:
  - {id: p1, email: a@x.io, name: Ann, assigned_user: 005A, score: 12345678901234567890}
  - {id: p2, email: z@x.io, name: Zed, assigned_user: 005Z, score: 7}
  - {id: p3, email: g@x.io, name: Gus, assigned_user: 00G1}
  - {id: p4, email: r@x.io, name: Rule}
  - {id: p5, email: r2@x.io, name: Ron}
  - {id: p6, email: q@x.io, name: Q, assigned_user: 005A}
  - {id: p7, email: c@x.io, name: C}
  - {id: p8, email: z@x.io, name: Zed2}
""",
        "records.yaml",
        rules,
    )
    assert assert_same_plans(rules, records, NOW)
    outcomes = {o.prospect: o for o in python_plan(rules, records, NOW).outcomes}
    decided = {
        p: (o.owner.decision.value, o.owner.id) if o.owner else None for p, o in outcomes.items()
    }
    assert decided == {
        "p1": None,  # the active assigned user: SPEC §3.4's own
        "p2": ("connector_user", "005C"),
        "p3": ("queue", "00G1"),
        "p4": ("assignment_rule", None),
        "p5": ("assignment_rule", None),
        "p6": ("salesforce", None),  # the queue owns 00Q1: the prospect becomes unassigned
        "p7": ("salesforce", "005C"),
        "p8": ("salesforce", "005C"),  # matches p2's lead, owned by the connector user
    }
    assert outcomes["p1"].dropped[0].code.value == "NUMBER_OUTSIDE_VALID_RANGE"
    assert outcomes["p4"].action.value == "error"  # no OwnerId: the validation rule fires


def test_failures_arithmetic_and_dates_of_the_generator_are_evaluated_by_duckdb() -> None:
    """A fixed example of the generator's formula shapes that DuckDB must evaluate (not
    decline): VALUE of text that is no number, `/ * MOD` and unary minus, dates against
    the run's clock, in stages and validation rules."""
    rules = api.check_text(
        OBJECTS
        + "field email { lead: Email contact: Email sync: salesforce }\n"
        + "field name { lead: LastName contact: LastName sync: pardot }\n"
        + "field score { lead: Score__c contact: Score__c sync: pardot }\n"
        + "".join(f"stage S{n} when {cond}\n" for n, cond in enumerate(STAGES[-4:]))
        + "create lead when true\n"
        + "".join(
            f'validation V{n} on lead {{ error_if: {cond} message: "no {n}" }}\n'
            for n, cond in enumerate(VALIDATIONS[-2:])
        ),
        "rules.sync",
    )
    records = load_records_text(
        """
leads: [{Id: 00Q1, Email: a@x.io, LastName: '7', Score__c: 12, Since__c: 2026-10-30}]
prospects:
  - {id: p1, email: a@x.io, name: Ann, score: 4, kind: '50-100', since: 2026-11-16}
  - {id: p2, email: b@x.io, name: '2', score: 12.5, kind: ' 12 ', since: 2025-12-31}
  - {id: p3, email: c@x.io, name: Cy, kind: '', since: null}
""",
        "records.yaml",
        rules,
    )
    assert assert_same_plans(rules, records, NOW)
    plan = duckdb_plan(rules, records, NOW)
    assert plan is not None
    # p1: VALUE("50-100") in S0 and VALUE("Ann") in V0 on its new lead; p3: VALUE("Cy")
    assert [[p.rule for p in o.problems] for o in plan.outcomes] == [
        ["stage S0", "validation V0"],
        [],
        ["validation V0"],
    ]
