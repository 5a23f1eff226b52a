"""docs/plan-formats.md's examples run, from the repository root, on the shipped sample:
each ```sh command (a `| head -N` or `| tail -N` taken as Python takes lines) and each
```python block print exactly the ```text block that follows it."""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import shlex
from pathlib import Path

import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "plan-formats.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```$", PAGE, re.M | re.S)


def _run(command: str) -> str:
    command, _, pipe = command.partition(" | ")
    argv = shlex.split(command)
    assert argv[0] == "syncrules"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv[1:]) == 0
    lines = out.getvalue().splitlines(keepends=True)
    if pipe:
        tool, count = pipe.split()
        n = int(count.removeprefix("-"))
        lines = lines[:n] if tool == "head" else lines[-n:]
    return "".join(lines)


def test_the_page_has_its_examples() -> None:
    assert [lang for lang, _ in BLOCKS].count("sh") == 3
    assert [lang for lang, _ in BLOCKS].count("python") == 1


def test_each_example_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    for (lang, body), (next_lang, shown) in itertools.pairwise(BLOCKS):
        if lang == "sh":
            # a relative --output goes to the temporary folder, not the checkout
            printed = _run(body.strip().replace("plan.parquet", str(tmp_path / "plan.parquet")))
        elif lang == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = body.replace('"plan.parquet"', repr(str(tmp_path / "plan.parquet")))
                exec(compile(code, "docs/plan-formats.md", "exec"), {})
            printed = out.getvalue()
        else:
            continue
        if next_lang == "text":
            assert printed == shown, body
        else:
            assert printed == "", body  # a command that writes a file prints nothing
