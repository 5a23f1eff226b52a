"""The yardstick of issue 10's speed goal: a DuckDB script written by hand for the
benchmark org's rule set (`bench_dry_run.RULES`), doing the same plan as `syncrules
dry-run`.

It is what a data engineer would write for this org and this export, plainly: read the
three CSV files as text into tables of the declared columns (`INSERT … BY NAME`: a
column the export lacks is NULL); the `share` rule; matching by CRM id, then by email key
(contacts first, the latest `LastModifiedDate`, then the smallest `Id`), a CRM id naming
a record the connector cannot see giving `skip` / `not_shared`; both stages and the
create gate; every mapped field of the standard pack resolved per its sync behaviour
(`salesforce`, `pardot`, `most_recent`), whether both sides already hold the same value,
and the type fits with their drop codes; the record as Salesforce would store it; the
required fields, the two validation rules and the duplicate rule; and one JSON row per
prospect with the fields our plan writes (action, reason, target, matched_by, stages,
to_salesforce, to_pardot, errors, dropped), sorted by prospect, written by `COPY`.

What it leaves out, as this org and its export allow: sequential rounds (it checks that
no two prospects share an email key or a CRM id — then no prospect can see another's
writes — and refuses the export otherwise); the connector's state beyond deleted and
converted records (merges, conversions followed, `crm_deleted`: the export has none);
formula failures (these rules cannot fail); the owner decision our plan adds to a synced
record; the JSON plan's summary and indentation (it writes JSON Lines). The mappings and
rules are written out as data below, as a hand-written script would carry them, and the
SQL repeated per field is generated from that table.

    python3 benchmarks/handwritten.py RECORDS_DIR OUT.jsonl
"""

from __future__ import annotations

import sys

Kind = tuple[str, ...]  # ("text", "40"), ("picklist", *values), ("number",) …

SALUTATION: Kind = ("picklist", "Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")
SOURCE: Kind = ("picklist", "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
INDUSTRY: Kind = (
    "picklist",
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
    "Other", "Recreation", "Retail", "Shipping", "Technology", "Telecommunications",
    "Transportation", "Utilities",
)  # fmt: skip
EMAIL_T: Kind = ("email",)
PHONE: Kind = ("phone",)
AREA: Kind = ("textarea",)  # no length declared: no limit
NUMBER_T: Kind = ("number",)
GRADE: Kind = ("grade",)
BOOL: Kind = ("boolean",)


def text(n: int) -> Kind:
    return ("text", str(n))


# rules/standard-mappings.sync with the types of standard-objects.sync: prospect field and
# type, lead field and type, contact field and type (None: not mapped there), behaviour
FIELDS: list[tuple[str, Kind, str | None, Kind, str | None, Kind, str]] = [
    ("email", EMAIL_T, "Email", EMAIL_T, "Email", EMAIL_T, "salesforce"),
    ("salutation", text(255), "Salutation", SALUTATION, "Salutation", SALUTATION, "salesforce"),
    ("first_name", text(40), "FirstName", text(40), "FirstName", text(40), "salesforce"),
    ("last_name", text(80), "LastName", text(80), "LastName", text(80), "salesforce"),
    ("company", text(255), "Company", text(255), None, (), "salesforce"),
    ("job_title", text(255), "Title", text(128), "Title", text(128), "salesforce"),
    ("department", text(255), None, (), "Department", text(80), "salesforce"),
    ("phone", PHONE, "Phone", PHONE, "Phone", PHONE, "salesforce"),
    ("fax", PHONE, "Fax", PHONE, "Fax", PHONE, "salesforce"),
    ("address_one", text(255), "Street", AREA, "MailingStreet", AREA, "salesforce"),
    ("city", text(255), "City", text(40), "MailingCity", text(40), "salesforce"),
    ("state", text(255), "State", text(80), "MailingState", text(80), "salesforce"),
    ("zip", text(255), "PostalCode", text(20), "MailingPostalCode", text(20), "salesforce"),
    ("country", text(255), "Country", text(80), "MailingCountry", text(80), "salesforce"),
    ("website", text(255), "Website", text(255), None, (), "salesforce"),
    ("industry", text(255), "Industry", INDUSTRY, None, (), "salesforce"),
    ("annual_revenue", text(255), "AnnualRevenue", NUMBER_T, None, (), "salesforce"),
    ("employees", text(255), "NumberOfEmployees", NUMBER_T, None, (), "salesforce"),
    ("source", text(255), "LeadSource", SOURCE, "LeadSource", SOURCE, "salesforce"),
    ("comments", AREA, "Description", AREA, "Description", AREA, "salesforce"),
    ("score", NUMBER_T, "pi__score__c", NUMBER_T, "pi__score__c", NUMBER_T, "pardot"),
    ("grade", GRADE, "pi__grade__c", text(10), "pi__grade__c", text(10), "pardot"),
    ("opted_out", BOOL, "HasOptedOutOfEmail", BOOL, "HasOptedOutOfEmail", BOOL, "most_recent"),
    ("do_not_call", BOOL, "DoNotCall", BOOL, "DoNotCall", BOOL, "salesforce"),
]
GRADES = ("F", "D-", "D", "D+", "C-", "C", "C+", "B-", "B", "B+", "A-", "A", "A+")
NUMBER = r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$"
EMAIL = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
SHARED_GROUP = "Direct Sales"  # share lead when OwnerId in group "Direct Sales"
USERS = "('005A', 'Direct Sales'), ('005B', 'Partners')"  # the export's users.yaml
# the org's validation rules on leads: name, error_if on the stored record `r`, message,
# the fields the error names
VALIDATIONS = [
    (
        "Country_Required",
        "NOT (coalesce(r.OwnerId, '') = '') AND coalesce(r.Country, '') = ''",
        "Lead must have a valid Country before being assigned.",
        "Country",
    ),
    (
        "Title_Format",
        "NOT (coalesce(r.Title, '') = '') AND NOT regexp_full_match(r.Title, '[A-Za-z ,.&-]+')",
        "Title has odd characters.",
        "Title",
    ),
]


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def blank(v: str, kind: Kind) -> str:
    """SQL: the value is blank (a boolean never is: an empty cell is false)."""
    return "false" if kind[0] == "boolean" else f"(coalesce({v}, '') = '')"


def fits(v: str, kind: Kind) -> str:
    """SQL: a non-blank value fits the type (SPEC §3.6)."""
    match kind[0]:
        case "text":
            return f"length({v}) <= {kind[1]}"
        case "phone":
            return f"length({v}) <= 40"
        case "email":
            return f"(regexp_full_match({v}, {lit(EMAIL)}) AND length({v}) <= 80)"
        case "picklist":
            return f"{v} IN ({', '.join(map(lit, kind[1:]))})"
        case "number":
            return f"regexp_full_match({v}, {lit(NUMBER)})"
        case "grade":
            return f"trim({v}) IN ({', '.join(map(lit, GRADES))})"
    return "true"


def code(v: str, kind: Kind) -> str:
    """SQL: the drop code of a value that does not fit."""
    match kind[0]:
        case "email":
            valid = f"regexp_full_match({v}, {lit(EMAIL)})"
            return f"CASE WHEN {valid} THEN 'STRING_TOO_LONG' ELSE 'INVALID_EMAIL_ADDRESS' END"
        case "picklist":
            return "'INVALID_PICKLIST_VALUE'"
        case "number" | "grade" | "boolean":
            return "'INVALID_TYPE'"
    return "'STRING_TOO_LONG'"


def truth(v: str) -> str:
    return f"(lower(trim(coalesce({v}, ''))) IN ('true', '1'))"


def as_json(v: str, kind: Kind) -> str:
    """SQL: the written value as JSON (numbers as numbers, booleans as booleans)."""
    match kind[0]:
        case "number":
            d = f"CAST(trim({v}) AS DECIMAL(38,10))"
            whole = f"to_json(CAST({d} AS HUGEINT))"
            return f"CASE WHEN {d} = trunc({d}) THEN {whole} ELSE to_json(CAST({d} AS DOUBLE)) END"
        case "boolean":
            return f"to_json({truth(v)})"
        case "grade":
            return f"to_json(trim({v}))"
    return f"to_json({v})"


def equal(a: str, a_kind: Kind, b: str, b_kind: Kind) -> str:
    """SQL: two non-blank values are the same value, read in either side's type."""
    kinds = {a_kind[0], b_kind[0]}
    if "boolean" in kinds:
        return f"{truth(a)} = {truth(b)}"
    if "number" in kinds:
        return f"TRY_CAST(trim({a}) AS DECIMAL(38,10)) = TRY_CAST(trim({b}) AS DECIMAL(38,10))"
    if "grade" in kinds:
        return f"trim({a}) = trim({b})"
    return f"{a} = {b}"


def resolved(obj: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """Per mapped field of `obj`, over a row of the prospect's and the record's values
    (`p_` and `s_` and the field's name): the side that wins and differs, `w_` (one
    column per field, 'S', 'P' or NULL); and the SQL of the write to Salesforce, of the
    write to the prospect and of the dropped value, each a (name, value) pair or NULL."""
    winners, to_sf, to_p, drops = [], [], [], []
    for pf, ptype, lf, ltype, cf, ctype, sync in FIELDS:
        f, ftype = (lf, ltype) if obj == "lead" else (cf, ctype)
        if f is None:
            continue
        s, p, w = f"s_{f}", f"p_{pf}", f"w_{pf}"
        s_blank, p_blank = blank(s, ftype), blank(p, ptype)
        sf_first = f"CASE WHEN NOT {s_blank} THEN 'S' WHEN NOT {p_blank} THEN 'P' END"
        p_first = f"CASE WHEN NOT {p_blank} THEN 'P' WHEN NOT {s_blank} THEN 'S' END"
        later = "TRY_CAST(p_updated_at AS TIMESTAMPTZ) > TRY_CAST(s_modified AS TIMESTAMPTZ)"
        winner = {
            "salesforce": sf_first,
            "pardot": p_first,
            "most_recent": f"CASE WHEN {later} THEN {p_first} ELSE {sf_first} END",
            "salesforce_always": "'S'",
            "pardot_always": "'P'",
        }[sync]
        same = (
            f"({s_blank} AND {p_blank}) OR "
            f"(NOT {s_blank} AND NOT {p_blank} AND {equal(s, ftype, p, ptype)})"
        )
        winners.append(f"CASE WHEN {same} THEN NULL ELSE {winner} END AS {w}")
        into_sf, into_p = fits(p, ftype), fits(s, ptype)
        to_sf.append(f"CASE WHEN {w} = 'P' AND {into_sf} THEN ({lit(f)}, {as_json(p, ftype)}) END")
        to_p.append(f"CASE WHEN {w} = 'S' AND {into_p} THEN ({lit(pf)}, {as_json(s, ptype)}) END")
        drops.append(
            f"CASE WHEN {w} = 'P' AND NOT {into_sf} THEN ({lit(f)}, {code(p, ftype)}) "
            f"WHEN {w} = 'S' AND NOT {into_p} THEN ({lit(pf)}, {code(s, ptype)}) END"
        )
    return winners, to_sf, to_p, drops


def values(obj: str, r: str) -> str:
    """The select list of a prospect `p` matched to a record `r` of `obj`: its values
    as `resolved` reads them."""
    out = ["p.updated_at AS p_updated_at", f"{r}.LastModifiedDate AS s_modified"]
    for pf, _, lf, _, cf, _, _ in FIELDS:
        f = lf if obj == "lead" else cf
        if f is not None:
            out += [f"p.{pf} AS p_{pf}", f"{r}.{f} AS s_{f}"]
    return ", ".join(out)


def created() -> tuple[list[str], list[str]]:
    """A created lead's values: every mapped lead field from the prospect (SPEC §3.4),
    then `OwnerId` = `assigned_user`."""
    to_sf, drops = [], []
    for pf, ptype, lf, ltype, _, _, sync in FIELDS:
        if lf is None or sync == "off":
            continue
        p = f"p.{pf}"
        given = f"NOT {blank(p, ptype)}"
        to_sf.append(
            f"CASE WHEN {given} AND {fits(p, ltype)} THEN ({lit(lf)}, {as_json(p, ltype)}) END"
        )
        drops.append(
            f"CASE WHEN {given} AND NOT {fits(p, ltype)} THEN ({lit(lf)}, {code(p, ltype)}) END"
        )
    assigned = "coalesce(p.assigned_user, '') <> ''"
    owner = f"CASE WHEN {assigned} THEN ('OwnerId', to_json(p.assigned_user)) END"
    return [*to_sf, owner], drops


def errors(country: str, title: str, owner: str) -> str:
    """SQL: the failing validation rules, in declaration order, on the record as it would
    be stored (the SQL of its Country, Title and OwnerId)."""
    items = [
        f"CASE WHEN {condition} THEN {{'error_code': 'FIELD_CUSTOM_VALIDATION_EXCEPTION', "
        f"'rule': {lit(name)}, 'message': {lit(message)}, 'fields': [{lit(field)}]}} END"
        for name, condition, message, field in VALIDATIONS
    ]
    listed = kept(items)
    for name, sql in (("r.Country", country), ("r.Title", title), ("r.OwnerId", owner)):
        listed = listed.replace(name, sql)
    return listed


def kept(items: list[str]) -> str:
    return f"list_filter([{', '.join(items)}], lambda e: e IS NOT NULL)"


def pairs(items: list[str]) -> str:
    return f"map_from_entries({kept(items)})"


def written(name: str) -> str:
    return f"w.to_sf[{lit(name)}] ->> '$'"


def table(name: str, columns: list[str], path: str) -> str:
    declared = ", ".join(f"{c} VARCHAR" for c in columns)
    return (
        f"CREATE TABLE {name} ({declared});\n"
        f"INSERT INTO {name} BY NAME SELECT * FROM read_csv({lit(path)}, all_varchar = true);\n"
    )


def loading(root: str) -> str:
    """The statements reading the export."""
    lead = sorted(
        {f[2] for f in FIELDS if f[2]} | {"OwnerId", "Status", "IsDeleted", "IsConverted"}
    )
    contact = sorted({f[4] for f in FIELDS if f[4]} | {"OwnerId", "IsDeleted"})
    prospect = ["id", *(f[0] for f in FIELDS), "crm_lead_fid", "crm_contact_fid", "assigned_user"]
    return (
        f"CREATE TABLE users AS SELECT * FROM (VALUES {USERS}) u(Id, grp);\n"
        + table("prospects", [*prospect, "updated_at"], f"{root}/prospects.csv")
        + table("leads", ["Id", *lead, "LastModifiedDate"], f"{root}/leads.csv")
        + table("contacts", ["Id", *contact, "LastModifiedDate"], f"{root}/contacts.csv")
    )


# no prospect can see another's writes when no two share an email key or a CRM id
CHECK = """
SELECT (SELECT count(*) FROM (SELECT lower(trim(email)) FROM prospects
        WHERE coalesce(email, '') <> '' GROUP BY 1 HAVING count(*) > 1))
     + (SELECT count(*) FROM (SELECT crm_lead_fid FROM prospects
        WHERE crm_lead_fid IS NOT NULL GROUP BY 1 HAVING count(*) > 1))
     + (SELECT count(*) FROM (SELECT crm_contact_fid FROM prospects
        WHERE crm_contact_fid IS NOT NULL GROUP BY 1 HAVING count(*) > 1))
"""


def planning(out: str) -> str:
    """The statements planning the cycle and writing one JSON row per prospect to `out`."""
    lead_w, lead_sf, lead_p, lead_drop = resolved("lead")
    contact_w, contact_sf, contact_p, contact_drop = resolved("contact")
    new_sf, new_drop = created()
    deleted = "lower(coalesce({0}.IsDeleted, '')) IN ('true', '1')"
    converted = "lower(coalesce({0}.IsConverted, '')) IN ('true', '1')"
    grades = "[" + ", ".join(map(lit, GRADES)) + "]"
    mql = (
        "coalesce(TRY_CAST(trim(m.score) AS DECIMAL(38,10)) >= 100 "
        f"OR list_position({grades}, trim(m.grade)) >= {GRADES.index('B') + 1}, false)"
    )
    updated = errors(
        f"coalesce({written('Country')}, s_Country)",
        f"coalesce({written('Title')}, s_Title)",
        "s_OwnerId",
    )
    new = errors(written("Country"), written("Title"), written("OwnerId"))
    missing = "list_filter(['LastName', 'Company'], lambda f: w.to_sf[f] IS NULL)"
    return f"""
CREATE TABLE plan AS
WITH visible_leads AS (
    SELECT * FROM leads l WHERE NOT {deleted.format("l")}
      AND OwnerId IN (SELECT Id FROM users WHERE grp = {lit(SHARED_GROUP)})
), visible_contacts AS (
    SELECT * FROM contacts c WHERE NOT {deleted.format("c")}
), by_key AS (  -- the record each email key matches
    SELECT key, obj, Id FROM (
        SELECT lower(trim(Email)) AS key, 'contact' AS obj, Id, LastModifiedDate
        FROM visible_contacts WHERE coalesce(Email, '') <> ''
        UNION ALL
        SELECT lower(trim(Email)), 'lead', Id, LastModifiedDate FROM visible_leads l
        WHERE coalesce(Email, '') <> '' AND NOT {converted.format("l")}
    )
    QUALIFY row_number() OVER (PARTITION BY key ORDER BY obj = 'contact' DESC,
        TRY_CAST(LastModifiedDate AS TIMESTAMPTZ) DESC NULLS LAST, Id) = 1
), matched AS (  -- by CRM id (contact, then lead), else an unlinked prospect by email
    SELECT p.*, ac.Id IS NOT NULL OR al.Id IS NOT NULL AS linked,
        coalesce(c.Id, l.Id, CASE WHEN NOT linked THEN k.Id END) AS tid,
        CASE WHEN c.Id IS NOT NULL THEN 'contact' WHEN l.Id IS NOT NULL THEN 'lead'
             WHEN NOT linked THEN k.obj END AS tobj,
        CASE WHEN c.Id IS NOT NULL OR l.Id IS NOT NULL THEN 'crm_id'
             WHEN NOT linked AND k.Id IS NOT NULL THEN 'email' END AS matched_by,
        linked AND c.Id IS NULL AND l.Id IS NULL AS not_shared
    FROM prospects p
    LEFT JOIN contacts ac ON ac.Id = p.crm_contact_fid
    LEFT JOIN leads al ON al.Id = p.crm_lead_fid
    LEFT JOIN visible_contacts c ON c.Id = p.crm_contact_fid
    LEFT JOIN visible_leads l ON l.Id = p.crm_lead_fid
    LEFT JOIN by_key k ON k.key = lower(trim(p.email))
), staged AS (  -- stage MQL, stage SQL (lead.Status: the matched lead's), the create gate
    SELECT m.*, mql AND coalesce(ml.Status, '') = 'Working - Contacted' AS sql_stage,
        mql OR coalesce(m.assigned_user, '') <> '' AS gate
    FROM (SELECT *, {mql} AS mql FROM matched m) m
    LEFT JOIN leads ml ON m.tobj = 'lead' AND ml.Id = m.tid
), lead_values AS (
    SELECT p.id, p.tobj, p.tid, p.matched_by, p.mql, p.sql_stage, l.OwnerId AS s_OwnerId,
        {values("lead", "l")}
    FROM staged p JOIN leads l ON p.tobj = 'lead' AND l.Id = p.tid
), lead_rows AS (  -- the fields resolved, then the validation rules on the stored lead
    SELECT *, {updated} AS errors FROM (
        SELECT id, tobj, tid, matched_by, mql, sql_stage, s_OwnerId, s_Country, s_Title,
            {pairs(lead_sf)} AS to_sf, {pairs(lead_p)} AS to_p, {kept(lead_drop)} AS drops
        FROM (SELECT *, {", ".join(lead_w)} FROM lead_values)
    ) w
), contact_rows AS (  -- the validation rules are the lead's: none here
    SELECT id, tobj, tid, matched_by, mql, sql_stage,
        {pairs(contact_sf)} AS to_sf, {pairs(contact_p)} AS to_p,
        {kept(contact_drop)} AS drops, [] AS errors
    FROM (
        SELECT *, {", ".join(contact_w)} FROM (
            SELECT p.id, p.tobj, p.tid, p.matched_by, p.mql, p.sql_stage,
                {values("contact", "c")}
            FROM staged p JOIN contacts c ON p.tobj = 'contact' AND c.Id = p.tid
        )
    )
), duplicate_keys AS (  -- duplicate lead by Email: every live lead, shared or not
    SELECT lower(trim(Email)) AS key, string_agg('lead ' || Id, ', ' ORDER BY Id) AS ids
    FROM leads l WHERE coalesce(Email, '') <> ''
      AND NOT {deleted.format("l")} AND NOT {converted.format("l")}
    GROUP BY 1
), create_rows AS (  -- the checks in order: required, validation, duplicates
    SELECT id, NULL AS tobj, NULL AS tid, NULL AS matched_by, mql, sql_stage, to_sf,
        MAP {{}}::MAP(VARCHAR, JSON) AS to_p, drops,
        CASE WHEN len(missing) > 0 THEN
            [{{'error_code': 'REQUIRED_FIELD_MISSING', 'rule': NULL,
               'message': 'Required fields are missing', 'fields': missing}}]
        WHEN len(invalid) > 0 THEN invalid
        WHEN d.ids IS NOT NULL THEN [{{'error_code': 'DUPLICATES_DETECTED',
            'rule': 'lead by Email', 'message': 'Use one of these records? ' || d.ids
            || ' (same Email)', 'fields': ['Email']}}]
        ELSE [] END AS errors
    FROM (
        SELECT *, {missing} AS missing, {new} AS invalid FROM (
            SELECT p.id, p.email, p.mql, p.sql_stage, {pairs(new_sf)} AS to_sf,
                {kept(new_drop)} AS drops
            FROM staged p WHERE p.tid IS NULL AND NOT p.not_shared AND p.gate
        ) w
    ) w
    LEFT JOIN duplicate_keys d ON d.key = lower(trim(w.email)) AND {fits("w.email", EMAIL_T)}
)
SELECT id AS prospect,
    CASE WHEN len(errors) > 0 THEN 'error' WHEN tobj IS NULL THEN 'create_lead'
         WHEN cardinality(to_sf) + cardinality(to_p) > 0 THEN 'update'
         ELSE 'no_change' END AS action,
    NULL AS reason, tobj, tid, matched_by, mql, sql_stage, to_sf, to_p, drops, errors
FROM (SELECT * FROM lead_rows UNION ALL BY NAME SELECT * FROM contact_rows
      UNION ALL BY NAME SELECT * FROM create_rows)
UNION ALL BY NAME
SELECT id AS prospect, 'skip' AS action, mql, sql_stage,
    CASE WHEN not_shared THEN 'not_shared' ELSE 'gated' END AS reason
FROM staged WHERE not_shared OR (tid IS NULL AND NOT gate);
COPY (
    SELECT prospect, action, reason,
        CASE WHEN tid IS NOT NULL THEN {{'object': tobj, 'id': tid}} END AS target, matched_by,
        list_filter([CASE WHEN mql THEN 'MQL' END, CASE WHEN sql_stage THEN 'SQL' END],
                    lambda s: s IS NOT NULL) AS stages,
        CASE WHEN action <> 'error' THEN to_sf END AS to_salesforce,
        CASE WHEN action <> 'error' THEN to_p END AS to_pardot, errors,
        [{{'field': d[1], 'code': d[2]}} FOR d IN drops] AS dropped
    FROM plan ORDER BY prospect
) TO {lit(out)} (FORMAT json);
"""


def run(root: str, out: str) -> None:
    """Plan the export under `root` and write the rows to `out` (JSON Lines)."""
    import duckdb

    con = duckdb.connect()
    con.execute(loading(root))
    shared = con.execute(CHECK).fetchone()
    if shared is None or shared[0]:
        raise SystemExit("prospects share an email key or a CRM id: the plan needs rounds")
    con.execute(planning(out))


if __name__ == "__main__":
    run(*sys.argv[1:3])
