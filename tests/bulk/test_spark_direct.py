"""Spark reading CSV and Parquet record-set directories itself (engine/bulk/spark_load.py,
spark_direct.py): the reference's plan byte for byte, with no record loaded in Python."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine.bulk import spark_direct
from engine.bulk.spark_load import loader_sql
from engine.cli import main
from tests.bulk.test_direct_load import NOW, PROSPECTS, write_set


def run(
    records: str, rules: str, engine: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    args = ["dry-run", rules, "--records", records, "--now", NOW, "--format", fmt]
    code = main([*args, "--engine", engine, "--spark-master", "local[2]"])
    out = capsys.readouterr()
    return code, out.out, out.err


def as_parquet(folder: Path, name: str) -> None:
    """`name`.csv rewritten as `name`.parquet, its `optin`/`Opt__c` a boolean column."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        header, *rows = [row for row in csv.reader(handle) if any(row)]
    columns = {h: pa.array([row[n] for row in rows], pa.string()) for n, h in enumerate(header)}
    for flag in ("optin", "Opt__c"):
        if flag in columns:
            values = [
                None if v == "" else v.lower() in ("true", "1") for v in columns[flag].to_pylist()
            ]
            columns[flag] = pa.array(values, pa.bool_())
    pq.write_table(pa.table(columns), folder / f"{name}.parquet")
    (folder / f"{name}.csv").unlink()


@pytest.mark.xdist_group("spark")
def test_spark_reads_csv_and_parquet_files_past_the_per_record_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One directory holding both formats (one Spark run: each costs seconds): the
    prospects as CSV, the leads as Parquet with a boolean column."""
    from tests.bulk.test_spark import READY

    if not READY:
        pytest.skip("needs pyspark and java")
    rules, records = write_set(tmp_path, PROSPECTS)
    as_parquet(Path(records), "leads")
    reference = run(records, rules, "python", "json", capsys)
    assert reference[0] == 0
    # the Python loader refuses every record set now: Spark must read the files itself
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "0")
    monkeypatch.setattr(spark_direct, "CHUNK", 2)  # rows reach the driver in parts
    assert run(records, rules, "python", "json", capsys)[0] == 2
    assert run(records, rules, "spark", "json", capsys) == reference
    # the values as the Python loader types them ("+012.50" is 12.50, a quoted CRLF is
    # LF, a Parquet boolean is true); a lead created in the cycle
    for typed in ('"Score__c": 12.5', '"LastName": "Two\\nlines"', '"Opt__c": true'):
        assert typed in reference[1]
    assert '"action": "create_lead"' in reference[1]


def test_a_big_yaml_record_set_names_the_formats_spark_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, records = write_set(tmp_path, PROSPECTS)
    (Path(records) / "prospects.csv").unlink()
    (Path(records) / "prospects.yaml").write_text("prospects: [{id: p1, email: a@x.io}]\n")
    monkeypatch.setenv("SYNCRULES_MAX_RECORD_MB", "0")
    code, out, err = run(records, rules, "spark", "json", capsys)  # Spark is never started
    assert (code, out) == (2, "")
    assert "past what the per-record loader reads" in err
    assert "write prospects, leads and contacts as CSV or Parquet files" in err
    assert "--engine spark" in err
    assert "Traceback" not in err


def test_the_loaders_regular_expressions_match_whole_values_on_spark() -> None:
    """DuckDB's regexp_full_match is Spark's RLIKE anchored at both ends; `\\z`, as Java's
    `$` would also match before a final line break."""
    spark = loader_sql("SELECT count(*) FROM t WHERE NOT regexp_full_match(c0, '[0-9]+')")
    assert spark == "SELECT COUNT(*) FROM t WHERE NOT c0 RLIKE '^(?:[0-9]+)\\\\z'"
    epoch = loader_sql("SELECT epoch_us(CAST(c1 AS TIMESTAMP)) / 1000000.0 FROM t")
    assert "CAST(UNIX_MICROS(CAST(c1 AS TIMESTAMP_NTZ)) AS DOUBLE) / 1000000.0" in epoch
