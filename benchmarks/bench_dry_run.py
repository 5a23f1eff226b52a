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

With `--direct`, `syncrules dry-run --engine duckdb` on the org as CSV files against the
hand-written DuckDB script doing the same plan (`handwritten.py`, issue 10's yardstick),
whole processes in turn; up to 50,000 prospects it also checks that the script's entries
are ours.

DuckDB is a benchmark-only dependency: `pip install duckdb`.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

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


USERS = "users:\n  - {Id: 005A, Name: Dana, groups: [Direct Sales], active: true}\n" + (
    "  - {Id: 005B, Name: Pat, groups: [Partners], active: true}\n"
)
PROSPECT_COLUMNS = [
    "id",
    "email",
    "first_name",
    "last_name",
    "company",
    "score",
    "grade",
    "country",
    "job_title",
    "assigned_user",
    "updated_at",
]
LEAD_COLUMNS = ["Id", "Email", "LastName", "Company", "OwnerId", "Title", "LastModifiedDate"]
CONTACT_COLUMNS = ["Id", "Email", "LastName", "OwnerId", "LastModifiedDate"]


def rows(prospects: int, seed: int = 1) -> dict[str, list[dict[str, str]]]:
    """The benchmark org (deterministic for a seed): ~60% of prospects have a lead (10% of
    those with the email in upper case), ~20% a contact. Blank values are ""."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, str]]] = {"prospects": [], "leads": [], "contacts": []}
    for n in range(prospects):
        email = f"person{n}@example{n % 97}.com"
        grade = rng.choice(GRADES)
        out["prospects"].append(
            {
                "id": f"p{n:07d}",
                "email": email,
                "first_name": f"P{n}",
                "last_name": f"L{n}",
                "company": f"C{n % 500}",
                "score": str(rng.randrange(0, 200)),
                "grade": grade or "",
                "country": rng.choice(COUNTRIES) or "",
                "job_title": rng.choice(TITLES) or "",
                "assigned_user": rng.choice(["005A", "005B", ""]),
                "updated_at": f"2026-11-{rng.randrange(1, 28):02d}T10:00:00Z",
            }
        )
        if rng.random() < 0.6:
            shown = email.upper() if rng.random() < 0.1 else email
            out["leads"].append(
                {
                    "Id": f"00Q{n:012d}",
                    "Email": shown,
                    "LastName": f"L{n}",
                    "Company": f"C{n % 500}",
                    "OwnerId": rng.choice(["005A", "005B"]),
                    "Title": rng.choice(TITLES) or "",
                    "LastModifiedDate": f"2026-11-{rng.randrange(1, 28):02d}T10:00:00Z",
                }
            )
        if rng.random() < 0.2:
            out["contacts"].append(
                {
                    "Id": f"003{n:012d}",
                    "Email": email,
                    "LastName": f"L{n}",
                    "OwnerId": "005A",
                    "LastModifiedDate": f"2026-11-{rng.randrange(1, 28):02d}T10:00:00Z",
                }
            )
    return out


def _yaml_row(row: dict[str, str]) -> str:
    cells = []
    for key, value in row.items():
        if key == "assigned_user" and not value:
            cells.append(f"{key}: null")
        elif key == "grade" and not value:
            continue
        else:
            cells.append(
                f"{key}: '{value}'"
                if key in ("grade", "country", "job_title", "Title")
                else f"{key}: {value}"
            )
    return "  - {" + ", ".join(cells) + "}"


def generate(folder: Path, prospects: int, seed: int = 1, fmt: str = "yaml") -> Path:
    """The benchmark org as `records.yaml` (fmt yaml), or as a record-set directory
    `records/` of `prospects`, `leads`, `contacts` in CSV or Parquet plus `users.yaml`;
    and `rules.sync` beside it. Returns the record set's path."""
    data = rows(prospects, seed)
    (folder / "rules.sync").write_text(RULES, encoding="utf-8")
    if fmt == "yaml":
        lines = [USERS.rstrip("\n")]
        for name in ("prospects", "leads", "contacts"):
            lines.append(f"{name}:")
            lines += [_yaml_row(row) for row in data[name]]
        path = folder / "records.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    root = folder / "records"
    root.mkdir()
    (root / "users.yaml").write_text(USERS, encoding="utf-8")
    columns = {"prospects": PROSPECT_COLUMNS, "leads": LEAD_COLUMNS, "contacts": CONTACT_COLUMNS}
    for name, table in data.items():
        if fmt == "csv":
            with open(root / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, columns[name])
                writer.writeheader()
                writer.writerows(table)
        else:
            import pyarrow as pa  # type: ignore[import-untyped]
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            arrays = {c: pa.array([r[c] for r in table], pa.string()) for c in columns[name]}
            pq.write_table(pa.table(arrays), root / f"{name}.parquet")
    return root


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


def handwritten(root: str, out: str) -> None:
    """The hand-written DuckDB script (issue 10's yardstick, `handwritten.py`): the same
    plan for this org, one JSON row per prospect."""
    from handwritten import run

    run(root, out)


def entries_agree(ours: Path, theirs: Path) -> int:
    """How many prospects the two plans differ on (our JSON plan, the script's JSON
    Lines): action, reason, target, matched_by, stages, the writes (not on an error,
    where nothing is written), each error's code and rule, the dropped fields."""
    import json

    def key(entry: dict[str, Any]) -> tuple[object, ...]:
        errors = entry.get("errors") or []
        target = entry.get("target")
        written = entry["action"] != "error"
        return (
            entry["prospect"],
            entry["action"],
            entry.get("reason"),
            (target["object"], target["id"]) if target else None,
            entry.get("matched_by"),
            tuple(entry.get("stages") or ()),
            entry.get("to_salesforce") if written else None,
            entry.get("to_pardot") if written else None,
            tuple((e["error_code"], e.get("rule")) for e in errors),
            tuple(sorted(d["field"] for d in entry.get("dropped") or ())),
        )

    with open(ours, encoding="utf-8") as handle:
        plan = json.load(handle)["records"]
    with open(theirs, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    if len(plan) != len(rows):
        return max(len(plan), len(rows))
    return sum(key(a) != key(b) for a, b in zip(plan, rows, strict=True))


def timed(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MiB of one run (GNU
    time): on a shared machine the CPU time is the figure to compare."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", report.name, *command],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        wall, user, system, peak = report.read().split()[-4:]
    return float(wall), float(user) + float(system), int(peak) / 1024


COMPARED = 50_000  # up to this size `--direct` checks the script's plan against ours


def direct(sizes: list[int], runs: int, keep: Path | None, figures: Path | None) -> None:
    """`dry-run --engine duckdb` on the CSV record set, DuckDB reading the files itself,
    against the hand-written script: whole processes run in turn, median CPU and wall
    time, peak memory; with `figures`, the medians as scaling_svg.py's JSON and the
    picture beside it (the same name, .svg)."""
    import scaling_svg  # beside this script; not imported by --handwritten, the yardstick

    measured: list[scaling_svg.Figure] = []
    print(
        "| prospects | ours: cpu s | script: cpu s | cpu ratio | wall ratio "
        "| peak MiB (ours / script) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = keep / f"csv{size}" if keep else Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            root = folder / "records"
            if not root.exists():
                generate(folder, size, fmt="csv")
            out = Path(tmp) / "out.json"
            ours = [
                sys.executable,
                "-m",
                "engine",
                "dry-run",
                str(folder / "rules.sync"),
                "--records",
                str(root),
                "--format",
                "json",
                "--engine",
                "duckdb",
                "--now",
                "2026-11-23T00:00:00Z",
                "--output",
                str(out),
            ]
            rows = Path(tmp) / "out.jsonl"
            theirs = [sys.executable, __file__, "--handwritten", str(root), str(rows)]
            pairs = [(timed(ours), timed(theirs)) for _ in range(runs)]
            if size <= COMPARED:  # the yardstick does the same plan: checked, not assumed
                differ = entries_agree(out, rows)
                assert not differ, f"{size:,} prospects: the script's plan differs on {differ}"
        a_wall, b_wall = (statistics.median(p[k][0] for p in pairs) for k in (0, 1))
        a_cpu, b_cpu = (statistics.median(p[k][1] for p in pairs) for k in (0, 1))
        peaks = max(p[0][2] for p in pairs), max(p[1][2] for p in pairs)
        print(
            f"| {size:,} | {a_cpu:,.2f} | {b_cpu:,.2f} | {a_cpu / b_cpu:,.1f}× "
            f"| {a_wall / b_wall:,.1f}× | {peaks[0]:,.0f} / {peaks[1]:,.0f} |"
        )
        measured.append(
            scaling_svg.Figure(
                size, round(a_cpu, 2), round(b_cpu, 2), round(peaks[0]), round(peaks[1])
            )
        )
    if figures is not None:
        note = f"medians of {runs} run(s) each, in turn; {platform.node()}, {os.cpu_count()} cores"
        drawn = scaling_svg.Figures(note, tuple(measured))
        figures.write_text(drawn.json(), "utf-8")
        figures.with_suffix(".svg").write_text(scaling_svg.render(drawn), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--direct",
        action="store_true",
        help="time dry-run --engine duckdb on CSV files against the hand-written DuckDB script",
    )
    parser.add_argument(
        "--keep", type=Path, help="with --direct: generate (once) under this folder"
    )
    parser.add_argument(
        "--figures",
        type=Path,
        help="with --direct: write the medians to this JSON file and draw them beside it (.svg)",
    )
    parser.add_argument(
        "--handwritten", nargs=2, metavar=("RECORDS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.handwritten:
        handwritten(*args.handwritten)
        return
    if args.direct:
        direct(args.sizes, args.runs, args.keep, args.figures)
        return
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
