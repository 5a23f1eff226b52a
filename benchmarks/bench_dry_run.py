"""How fast a dry-run is, against baselines run in the same session.

    python3 benchmarks/bench_dry_run.py                 # 1,000 / 10,000 / 50,000 prospects
    python3 benchmarks/bench_dry_run.py --sizes 2000    # one size

For each size it generates a record set (deterministic, seed 1) for the shipped standard
pack plus a lifecycle, a sharing rule, two validation rules and a duplicate rule, then
times, as the median of `--runs` runs:

- `python3 -c pass`: interpreter start-up, the floor of any command;
- a hand-written DuckDB query doing the cycle's matching step (prospects joined to
  visible leads and contacts by CRM id, then case-insensitive email, contacts first,
  latest LastModifiedDate then smallest Id): what a columnar engine needs for the part
  of the work that is a join;
- `syncrules dry-run --format json`, end to end (start-up, loading YAML, the cycle,
  rendering), and the cycle alone in-process (records already loaded).

DuckDB is a benchmark-only dependency: `pip install duckdb`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RULES = """
include "@syncrules/standard.sync"
share lead when OwnerId in group "Direct Sales"
stage MQL when score >= 100 or grade >= "B"
stage SQL when MQL and lead.Status = "Working - Contacted"
create lead when MQL or assigned
validation Country_Required on lead {
    error_if: NOT(ISBLANK(OwnerId)) && ISBLANK(Country)
    message: "Lead must have a valid Country before being assigned."
    field: Country
}
validation Title_Format on lead {
    error_if: NOT(ISBLANK(Title)) && NOT(REGEX(Title, "[A-Za-z ,.&-]+"))
    message: "Title has odd characters."
}
duplicate lead by Email
"""

GRADES = ["A", "B+", "B", "C", "D", None]
COUNTRIES = ["United States", "Canada", "Germany", "", None]
TITLES = ["CTO", "VP Sales", "Engineer #1", "", None]


def generate(folder: Path, prospects: int, seed: int = 1) -> Path:
    """A records.yaml with `prospects` prospects, ~60% with a lead, ~20% with a contact."""
    rng = random.Random(seed)
    lines = [
        "users:",
        "  - {Id: 005A, Name: Dana, groups: [Direct Sales], active: true}",
        "  - {Id: 005B, Name: Pat, groups: [Partners], active: true}",
        "prospects:",
    ]
    leads, contacts = ["leads:"], ["contacts:"]
    for n in range(prospects):
        email = f"person{n}@example{n % 97}.com"
        grade = rng.choice(GRADES)
        lines.append(
            f"  - {{id: p{n:07d}, email: {email}, first_name: P{n}, last_name: L{n}, "
            f"company: C{n % 500}, score: {rng.randrange(0, 200)}, "
            + (f"grade: '{grade}', " if grade else "")
            + f"country: '{rng.choice(COUNTRIES) or ''}', job_title: '{rng.choice(TITLES) or ''}', "
            f"assigned_user: {rng.choice(['005A', '005B', 'null'])}, "
            f"updated_at: 2026-11-{rng.randrange(1, 28):02d}T10:00:00Z}}"
        )
        if rng.random() < 0.6:
            shown = email.upper() if rng.random() < 0.1 else email
            leads.append(
                f"  - {{Id: 00Q{n:012d}, Email: {shown}, LastName: L{n}, Company: C{n % 500}, "
                f"OwnerId: {rng.choice(['005A', '005B'])}, "
                f"Title: '{rng.choice(TITLES) or ''}', "
                f"LastModifiedDate: 2026-11-{rng.randrange(1, 28):02d}T10:00:00Z}}"
            )
        if rng.random() < 0.2:
            contacts.append(
                f"  - {{Id: 003{n:012d}, Email: {email}, LastName: L{n}, OwnerId: 005A, "
                f"LastModifiedDate: 2026-11-{rng.randrange(1, 28):02d}T10:00:00Z}}"
            )
    path = folder / "records.yaml"
    path.write_text("\n".join(lines + leads + contacts) + "\n", encoding="utf-8")
    (folder / "rules.sync").write_text(RULES, encoding="utf-8")
    return path


def median_ms(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def duckdb_match_ms(records: object, runs: int) -> float:
    """The matching step as one SQL query over the already-loaded records."""
    import duckdb

    from engine.records.model import RecordSet

    assert isinstance(records, RecordSet)
    con = duckdb.connect()
    con.execute("CREATE TABLE p (id VARCHAR, email VARCHAR, lead_fid VARCHAR, contact_fid VARCHAR)")
    con.execute(
        "CREATE TABLE r (obj VARCHAR, id VARCHAR, email VARCHAR, owner VARCHAR, modified TIMESTAMP)"
    )
    con.executemany(
        "INSERT INTO p VALUES (?, ?, ?, ?)",
        [(p.id, p.email, p.crm_lead_fid, p.crm_contact_fid) for p in records.prospects],
    )
    con.executemany(
        "INSERT INTO r VALUES (?, ?, ?, ?, ?)",
        [
            (
                r.object,
                r.id,
                str(r.values.get("Email") or ""),
                str(r.values.get("OwnerId") or ""),
                r.updated_at,
            )
            for r in (*records.leads, *records.contacts)
        ],
    )
    query = """
        WITH visible AS (
            SELECT * FROM r WHERE obj = 'contact' OR owner = '005A'
        ), by_email AS (
            SELECT p.id AS prospect, v.obj, v.id,
                   row_number() OVER (PARTITION BY p.id ORDER BY v.obj = 'contact' DESC,
                                      v.modified DESC NULLS LAST, v.id) AS rank
            FROM p JOIN visible v ON lower(trim(v.email)) = lower(trim(p.email))
        )
        SELECT p.id, coalesce(c.id, l.id, e.id) AS target
        FROM p
        LEFT JOIN visible c ON c.obj = 'contact' AND c.id = p.contact_fid
        LEFT JOIN visible l ON l.obj = 'lead' AND l.id = p.lead_fid
        LEFT JOIN by_email e ON e.prospect = p.id AND e.rank = 1
        ORDER BY p.id
    """
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        con.execute(query).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cycle_ms(
    rules_path: Path, records_path: Path, runs: int, engine: str = "python"
) -> tuple[float, object]:
    import datetime as dt

    from engine import api

    rules = api.check([str(rules_path)])
    records = api.load_records(str(records_path), rules)
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        api.dry_run(rules, records, now=now, engine=engine)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    floor = median_ms([sys.executable, "-c", "pass"], 15)
    print(f"python3 -c pass: {floor:.1f} ms (the floor)\n")
    print(
        "| prospects | dry-run (command) | × floor | cycle alone (python) | "
        "cycle alone (duckdb engine) | DuckDB matching | python ÷ DuckDB matching |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            records_path = generate(Path(tmp), size)
            rules_path = Path(tmp) / "rules.sync"
            command = [
                sys.executable,
                "-m",
                "engine",
                "dry-run",
                str(rules_path),
                "--records",
                str(records_path),
                "--format",
                "json",
                "--now",
                "2026-11-23T00:00:00Z",
            ]
            whole = median_ms(command, max(1, args.runs // 2))
            cycle, records = cycle_ms(rules_path, records_path, args.runs)
            bulk, _ = cycle_ms(rules_path, records_path, args.runs, engine="duckdb")
            sql = duckdb_match_ms(records, args.runs)
        print(
            f"| {size:,} | {whole:,.0f} ms | {whole / floor:,.0f}× | {cycle:,.0f} ms | "
            f"{bulk:,.0f} ms | {sql:,.1f} ms | {cycle / sql:,.0f}× |"
        )


if __name__ == "__main__":
    main()
