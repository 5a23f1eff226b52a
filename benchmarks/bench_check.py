"""How fast `syncrules check` starts and runs, against a bare Python start-up.

    python3 benchmarks/bench_check.py [--runs 15] [--files 50] [--seed 1] [--importtime]

Times, as the median wall time of `--runs` subprocess runs each:
  (a) `python3 -c pass`                               the floor: interpreter start-up
  (b) `python3 -m engine check benchmarks/small.sync` a ~60-line rule set
  (c) `python3 -m engine check <generated set>`       `--files` files from gen_rules.py
and prints a markdown table with milliseconds and the ratio to (a). Every `check` case
runs once before it is timed, so lark's grammar cache exists (the warm case, as on every
commit after the first). The goal is `check` within 10x of `python3 -c pass`.

`--importtime` also prints the slowest imports of case (b) (`python3 -X importtime`).
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


def median_ms(argv: Sequence[str], env: dict[str, str], runs: int) -> float:
    run_once(argv, env)  # warm: grammar cache, .pyc files, OS file cache
    return 1000 * statistics.median(run_once(argv, env) for _ in range(runs))


def lines_in(paths: Sequence[Path]) -> int:
    return sum(p.read_text(encoding="utf-8").count("\n") for p in paths)


def importtime(argv: Sequence[str], env: dict[str, str], top: int = 15) -> str:
    """The slowest imports (cumulative µs) of one run, as a markdown table."""
    result = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], cwd=ROOT, env=env, capture_output=True,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()

    env = environment()
    python = sys.executable
    small = HERE / "small.sync"
    with tempfile.TemporaryDirectory(prefix="syncrules-bench-") as folder:
        generated = gen_rules.write(Path(folder) / "rules", args.files, args.seed)
        cases = [
            ("(a) `python3 -c pass`", [python, "-c", "pass"]),
            (
                f"(b) `check` small rule set ({lines_in([small])} lines, 1 file)",
                [python, "-m", "engine", "check", str(small)],
            ),
            (
                f"(c) `check` generated rule set ({lines_in(generated)} lines in "
                f"{len(generated)} files, + the standard pack)",
                [python, "-m", "engine", "check", str(Path(folder) / "rules")],
            ),
        ]
        results = [(label, median_ms(argv, env, args.runs)) for label, argv in cases]

    floor = results[0][1]
    print(
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; median of {args.runs} runs, warm grammar cache\n"
    )
    print("| case | median ms | × `python3 -c pass` |")
    print("| --- | ---: | ---: |")
    for label, ms in results:
        print(f"| {label} | {ms:.1f} | {ms / floor:.1f}× |")
    if args.importtime:
        print("\nSlowest imports of case (b), `python3 -X importtime` (one run):\n")
        print(importtime(cases[1][1], env))


if __name__ == "__main__":
    main()
