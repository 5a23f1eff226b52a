"""How big a dry-run's HTML report is, and how fast it opens and filters in Chromium.

    python3 benchmarks/bench_report.py                      # 100,000 prospects
    python3 benchmarks/bench_report.py --prospects 10000 --runs 5

It generates a record set like bench_dry_run.py's (same rules: the standard pack, a
lifecycle, a sharing rule, two validation rules, a duplicate rule; ~60% of prospects
with a lead, ~20% with a contact) as JSON, makes the report in-process (dry-run, the
traced second pass, rendering), then opens it `--runs` times in Debian's Chromium
(Playwright, the browser tests' launch arguments) and times, as medians:

- open: from navigation to the table's first page drawn (the page sets
  `body[data-ready]` when its script has parsed the data and drawn the table);
- filter by action (a `<select>`), search for text (typed, so the 150 ms pause the page
  waits for typing to stop on sets over 20,000 rows is included), sort by a column.

Needs `apt-get install chromium` and `pip install playwright` (the test extras).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from bench_dry_run import RULES, rows  # noqa: E402


def generate(folder: Path, prospects: int, seed: int = 1) -> Path:
    """records.json with `prospects` prospects: bench_dry_run.py's org (its `rows`), with
    JSON's types (a number score, a null assigned user, no key for a blank grade)."""
    data: dict[str, list[dict[str, object]]] = {
        "users": [
            {"Id": "005A", "Name": "Dana", "groups": ["Direct Sales"], "active": True},
            {"Id": "005B", "Name": "Pat", "groups": ["Partners"], "active": True},
        ],
    }
    for name, table in rows(prospects, seed).items():
        data[name] = [dict(row) for row in table]
    for prospect in data["prospects"]:
        prospect["score"] = int(str(prospect["score"]))
        prospect["assigned_user"] = prospect["assigned_user"] or None
        if not prospect["grade"]:
            del prospect["grade"]
    (folder / "rules.sync").write_text(RULES, encoding="utf-8")
    path = folder / "records.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def make_report(folder: Path, prospects: int) -> tuple[Path, dict[str, float]]:
    import datetime as dt

    from engine import api
    from engine.render import report

    records_path = generate(folder, prospects)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    times: dict[str, float] = {}
    start = time.perf_counter()
    rules = api.check([str(folder / "rules.sync")])
    records = api.load_records(str(records_path), rules)
    times["load"] = time.perf_counter() - start
    start = time.perf_counter()
    plan = api.dry_run(rules, records, now=now)
    times["cycle"] = time.perf_counter() - start
    start = time.perf_counter()
    data = api.report_data(rules, records, plan, now=now)
    times["traces"] = time.perf_counter() - start
    start = time.perf_counter()
    page = report.render(plan, report.ReportOptions(traces=data.traces, rule_reads=data.rule_reads))
    times["render"] = time.perf_counter() - start
    out = folder / "report.html"
    out.write_text(page, encoding="utf-8")
    return out, times


OPEN_JS = "document.body.dataset.ready === 'true'"
FILTER_JS = """() => {
  const t0 = performance.now();
  const s = document.getElementById('f-action');
  s.value = 'error'; s.dispatchEvent(new Event('change'));
  const ms = performance.now() - t0;
  const status = document.getElementById('status').textContent;
  s.value = ''; s.dispatchEvent(new Event('change'));
  return [ms, status];
}"""
SEARCH_JS = """(term) => new Promise(resolve => {
  const status = document.getElementById('status');
  const search = document.getElementById('search');
  const t0 = performance.now();
  const seen = new MutationObserver(() => {
    seen.disconnect(); resolve([performance.now() - t0, status.textContent]);
  });
  seen.observe(status, {childList: true, characterData: true, subtree: true});
  search.value = term; search.dispatchEvent(new Event('input'));
})"""
SORT_JS = """() => {
  const t0 = performance.now();
  document.querySelector("th button[data-col='2']").click();
  return performance.now() - t0;
}"""


def browse(path: Path, runs: int) -> dict[str, list[float]]:
    from tests.browser import chromium

    reason = chromium.unavailable()
    if reason:
        sys.exit(f"cannot open the report: {reason}")
    times: dict[str, list[float]] = {"open": [], "filter": [], "search": [], "sort": []}
    with chromium.browser() as browser:
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function(OPEN_JS, timeout=120_000)
            times["open"].append((time.perf_counter() - start) * 1000)
            ms, status = page.evaluate(FILTER_JS)
            times["filter"].append(ms)
            ms, found = page.evaluate(SEARCH_JS, "p00099")
            times["search"].append(ms)
            times["sort"].append(page.evaluate(SORT_JS))
            context.close()
    print(f"  filter → {status!r}; search → {found!r}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path, made = make_report(Path(work), args.prospects)
        raw = path.read_bytes()
        print(f"{args.prospects:,} prospects")
        print("  making it: " + ", ".join(f"{k} {v:.1f} s" for k, v in made.items()))
        print(f"  file: {len(raw) / 1e6:.1f} MB ({len(gzip.compress(raw)) / 1e6:.1f} MB gzipped)")
        times = browse(path, args.runs)
        for name, values in times.items():
            print(
                f"  {name}: median {statistics.median(values):.0f} ms "
                f"(runs: {', '.join(f'{v:.0f}' for v in values)})"
            )


if __name__ == "__main__":
    main()
