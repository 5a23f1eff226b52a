"""How fast `syncrules check` starts and runs, against a bare Python start-up.

    python3 benchmarks/bench_check.py [--runs 15] [--files 50] [--seed 1] [--importtime]

Times, as the median wall time of `--runs` subprocess runs each:
  (a) `python3 -c pass`                               the floor: interpreter start-up
  (a′) `python3 -S -c pass`                           the same without `site` (reference)
  (b) `python3 -m engine check benchmarks/small.sync` a ~60-line rule set
  (c) `python3 -m engine check <generated set>`       `--files` files from gen_rules.py
  (d) `python3 -m engine lint <generated set>`        the same set, every lint rule too
and prints a markdown table with milliseconds and the ratio to (a). Every `check` case
runs once before it is timed, so lark's grammar cache exists (the warm case, as on every
commit after the first). The goal is `check` within 10x of `python3 -c pass`.

`--phases` also times each phase of case (c) in-process (imports, grammar cache, parse,
lower, check, render); `--importtime` prints the slowest imports of case (b)
(`python3 -X importtime`).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import gen_rules  # noqa: E402


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)  # time the checkout, not an installed copy
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc files exist after the warm-up run
    return env


def run_once(argv: Sequence[str], env: dict[str, str], expect: int = 0) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != expect:
        raise SystemExit(
            f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return elapsed


def medians_ms(cases: Sequence[Sequence[str]], env: dict[str, str], runs: int) -> list[float]:
    """Median wall time of each command. Runs are interleaved (a, b, c, a, b, c, …) so a
    burst of load on the machine slows every case alike instead of skewing one."""
    for argv in cases:
        run_once(argv, env)  # warm: grammar cache, .pyc files, OS file cache
    times: list[list[float]] = [[] for _ in cases]
    for _ in range(runs):
        for argv, samples in zip(cases, times, strict=True):
            samples.append(run_once(argv, env))
    return [1000 * statistics.median(samples) for samples in times]


def lines_in(paths: Sequence[Path]) -> int:
    return sum(p.read_text(encoding="utf-8").count("\n") for p in paths)


def importtime(argv: Sequence[str], env: dict[str, str], top: int = 15) -> str:
    """The slowest imports (cumulative µs) of one run, as a markdown table."""
    result = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        # "import time:       123 |        456 |   package.module"
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative_us), int(self_us), name.strip()))
    rows.sort(reverse=True)
    out = ["| import | cumulative ms | self ms |", "| --- | ---: | ---: |"]
    out += [f"| `{name}` | {cum / 1000:.1f} | {own / 1000:.1f} |" for cum, own, name in rows[:top]]
    return "\n".join(out)


PHASES = r"""
import sys, time
t0 = time.perf_counter()
import engine.cli, engine.api, engine.render.text
t1 = time.perf_counter()
from engine import loader
from engine.check.resolve import check_rules
from engine.syntax.grammar import parser
parser()
t2 = time.perf_counter()
spent = {"parse": 0.0, "lower": 0.0}
def timed(name, fn):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started
    return wrapper
loader.parse_tree = timed("parse", loader.parse_tree)
loader.lower_tree = timed("lower", loader.lower_tree)
t3 = time.perf_counter()
loaded = loader.load(sys.argv[1:])
t4 = time.perf_counter()
rules = check_rules(loaded)
t5 = time.perf_counter()
engine.render.text.diagnostics(rules.diagnostics, rules.sources)
t6 = time.perf_counter()
other = (t4 - t3) - spent["parse"] - spent["lower"]
for name, secs in [("import engine + lark", t1 - t0), ("load the cached grammar", t2 - t1),
                   ("read files", other), ("parse (lark)", spent["parse"]),
                   ("lower to the AST", spent["lower"]), ("resolve + type-check", t5 - t4),
                   ("render", t6 - t5)]:
    print(f"{name}\t{secs * 1000:.1f}")
"""


def phases(paths: Sequence[str], env: dict[str, str], runs: int) -> str:
    """Where the time of one `check` goes, in-process, median of `runs` runs."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", PHASES, *paths],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        for line in result.stdout.splitlines():
            name, ms = line.split("\t")
            samples.setdefault(name, []).append(float(ms))
    out = ["| phase | median ms |", "| --- | ---: |"]
    out += [f"| {name} | {statistics.median(v):.1f} |" for name, v in samples.items()]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--phases", action="store_true", help="time each phase of case (c)")
    args = parser.parse_args()

    env = environment()
    python = sys.executable
    small = HERE / "small.sync"
    with tempfile.TemporaryDirectory(prefix="syncrules-bench-") as folder:
        generated = gen_rules.write(Path(folder) / "rules", args.files, args.seed)
        cases = [
            ("(a) `python3 -c pass`", [python, "-c", "pass"]),
            ("(a′) `python3 -S -c pass` (no `site`, for reference)", [python, "-S", "-c", "pass"]),
            (
                f"(b) `check` small rule set ({lines_in([small])} lines, 1 file)",
                [python, "-m", "engine", "check", str(small)],
            ),
            (
                f"(c) `check` generated rule set ({lines_in(generated)} lines in "
                f"{len(generated)} files, + the standard pack)",
                [python, "-m", "engine", "check", str(Path(folder) / "rules")],
            ),
            (
                # every lint rule too; the generated set draws warnings, which --fail-level
                # error reports without failing, so the timing includes rendering them
                f"(d) `lint` the same generated rule set ({len(generated)} files)",
                [
                    python,
                    "-m",
                    "engine",
                    "lint",
                    "--fail-level",
                    "error",
                    str(Path(folder) / "rules"),
                ],
            ),
        ]
        timings = medians_ms([argv for _, argv in cases], env, args.runs)
        results = [(label, ms) for (label, _), ms in zip(cases, timings, strict=True)]
        breakdown = phases([str(Path(folder) / "rules")], env, args.runs) if args.phases else ""

    floor = results[0][1]
    print(
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; median of {args.runs} runs, warm grammar cache\n"
    )
    print("| case | median ms | × `python3 -c pass` |")
    print("| --- | ---: | ---: |")
    for label, ms in results:
        print(f"| {label} | {ms:.1f} | {ms / floor:.1f}× |")
    if breakdown:
        print("\nWhere case (c)'s time goes (in-process, after interpreter start-up):\n")
        print(breakdown)
    if args.importtime:
        print("\nSlowest imports of case (b), `python3 -X importtime` (one run):\n")
        print(importtime(cases[2][1], env))


if __name__ == "__main__":
    main()
