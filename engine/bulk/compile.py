"""`syncrules compile RULES --dialect duckdb|spark`: the cycle as one SQL script.

The script is the program the DuckDB engine runs (`sql.py`), laid out by sqlglot for a
reader and re-emitted in the asked dialect: the tables it reads, one round's query (the
`$round` parameter selects the round's prospects) and the statements that apply a
round's writes. A driver runs the round query and the apply statements for round 1, 2, …
until no prospect is left (docs/engines.md).
"""

from __future__ import annotations

import sqlglot

from engine.bulk.duck import program_for
from engine.bulk.sql import Program, sql_type
from engine.check.model import CheckedRules

_DIALECTS = {"duckdb": "duckdb", "spark": "spark"}


def _emit(statement: str, dialect: str) -> str:
    try:
        out = sqlglot.transpile(statement, read="duckdb", write=_DIALECTS[dialect], pretty=True)
    except sqlglot.errors.SqlglotError as error:
        return f"-- sqlglot could not re-emit this ({error}); as DuckDB runs it:\n{statement}"
    return ";\n".join(out)


def _tables(program: Program) -> list[str]:
    system = {
        "prospects": [
            ("__id", "VARCHAR"),
            ("__rank", "BIGINT"),
            ("__round", "BIGINT"),
            ("__email", "VARCHAR"),
            ("__assigned", "VARCHAR"),
            ("__owner", "VARCHAR"),
            ("__lead_fid", "VARCHAR"),
            ("__contact_fid", "VARCHAR"),
            ("__state", "VARCHAR"),
            ("__master_obj", "VARCHAR"),
            ("__master_id", "VARCHAR"),
            ("__stamp", "DOUBLE"),
        ],
        "leads": [
            ("__id", "VARCHAR"),
            ("__ord", "BIGINT"),
            ("__email", "VARCHAR"),
            ("__stamp", "DOUBLE"),
            ("__created", "BOOLEAN"),
            ("__deleted", "BOOLEAN"),
            ("__gone", "BOOLEAN"),
        ],
    }
    system["contacts"] = system["leads"]
    out = []
    for table, obj in (("prospects", "prospect"), ("leads", "lead"), ("contacts", "contact")):
        cols = list(system[table])
        if table != "prospects":
            cols += [(f"__dup{n}", "VARCHAR") for n in program.dup_rules]
            cols += [(f"__hs{n}", "DOUBLE") for n in program.history(obj)]
            for r in program.related_of(obj):
                cols += [(r.column, "VARCHAR"), (r.missing, "VARCHAR")]
        cols += [(c.name, sql_type(c.cls)) for c in program.columns(obj)]
        body = ", ".join(f'"{name}" {kind}' for name, kind in cols)
        out.append(f"CREATE TABLE {table} ({body})")
    out.append("CREATE TABLE __groups (k VARCHAR, g VARCHAR)")
    out.append("CREATE TABLE __owned (obj VARCHAR, id VARCHAR)")
    out.append("CREATE TABLE __taken (obj VARCHAR, id VARCHAR)")
    return out


def render(rules: CheckedRules, dialect: str) -> str:
    program = program_for(rules)
    lines = [
        f"-- syncrules: one sync cycle (SPEC §3) as {dialect} SQL.",
        "-- Tables: prospects (sorted by id: __rank; __round = the prospect's round),",
        "-- leads, contacts (__email: the email key, lower(trim(Email)); __stamp:",
        "-- LastModifiedDate as epoch seconds; __dupN: duplicate rule N's key; __hsN: when",
        "-- most_recent mapping N's field last changed, from field history), __groups",
        "-- (user Id or its 15-character prefix, public group). __deleted: IsDeleted;",
        "-- __gone: deleted or converted (never matched by email nor a duplicate);",
        "-- prospects' __lead_fid/__contact_fid: the links as the connector state resolves",
        "-- them (a conversion's contact, a merge's master), __owner: a created lead's",
        "-- OwnerId, __state: 'deleted' (crm_deleted)",
        "-- or 'merge' (unless __owned holds __master_obj/__master_id); __owned: the records",
        "-- prospects are linked to (every non-flagged prospect's CRM ids, to start with).",
        "-- Leads' and contacts' __relN: related record value N that validation rules read",
        "-- (RecordType.X, Owner.X …) as its type's text, __relNu: why the record gives none.",
        "-- For round = 1, 2, ... while prospects remain: run the round query into",
        "-- cycle_round, then the apply statements. $created_stamp is the cycle's time",
        "-- (--now) as epoch seconds: a created lead's LastModifiedDate; $today and $now",
        "-- (TODAY() and NOW()) are its date and its time, as text.",
    ]
    declined = list(program.reasons)
    if dialect != "duckdb":  # only DuckDB runs the reference's UDFs (udf.py)
        declined += [host.reason for host in program.hosts]
    if declined:
        lines.append("-- Not compiled (the engines fall back to the Python reference for these):")
        lines += [f"--   {r}" for r in declined]
        return "\n".join(lines) + "\n"
    if program.hosts:
        lines.append(
            "-- Python UDFs: each evaluates one expression SQL cannot give exactly with"
            "\n-- syncrules' reference evaluator (engine/bulk/udf.py), answering 'T', 'F',"
            "\n-- NULL or a failure:"
        )
        lines += [f"-- {host.name}: {host.reason}" for host in program.hosts]
    parts = ["\n-- the tables", *(_emit(t, dialect) + ";" for t in _tables(program))]
    parts.append("\n-- one round: the plan rows of the round's prospects")
    parts.append(_emit(f"CREATE TABLE cycle_round AS {program.round_sql}", dialect) + ";")
    parts.append("\n-- apply the round's writes before the next round: each table as it is after")
    for table, select in program.next_tables:
        parts.append(_emit(f"CREATE TABLE {table}__next AS {select}", dialect) + ";")
        parts.append(f"DROP TABLE {table};\nALTER TABLE {table}__next RENAME TO {table};")
    parts.append(
        "\n-- after the last round, with create_prospects (SPEC §3.9): fill __taken with the"
        "\n-- records prospects are linked to or matched with; each record selected gets a"
        "\n-- new prospect (with match: email, unless a prospect has its email)"
    )
    parts.append(_emit(program.candidates_sql, dialect) + ";")
    return "\n".join(lines + parts) + "\n"
