"""Ctrl-C stops any command at once, writes nothing new, and exits 130 (issue 11).

Each test starts the real command in a subprocess, sends it a real SIGINT while it works,
and checks the exit code, that it stopped promptly, and that every file it could have
written is byte for byte what it was (no temporary or staging files left behind either).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

EVIL = "a" * 40 + "b"
# each prospect costs the REGEX budget (0.5 s): 40 of them take 20 s unless interrupted
RULES = textwrap.dedent(
    """\
    object prospect { email: email first_name: text(80) }
    object lead { Email: email FirstName: text(80) LastName: text(80) required }
    field email { lead: Email }
    field first_name { lead: FirstName }
    stage Slow when REGEX(first_name, "(a|a)+(?!x)$")
    """
)
SIGNAL_AFTER = 2.0
PROMPT = 4.0  # seconds from the signal to the exit, on a loaded 2-core machine


def slow_records(folder: Path) -> Path:
    folder.mkdir()
    rows = "".join(
        f"  - {{id: p{i:02}, email: p{i}@example.com, first_name: {EVIL}}}\n" for i in range(40)
    )
    (folder / "prospects.yaml").write_text("prospects:\n" + rows, encoding="utf-8")
    (folder / "leads.yaml").write_text("# hand-kept header\nleads: []\n", encoding="utf-8")
    return folder


def interrupted(tmp_path: Path, *argv: str) -> tuple[int, str, str, float]:
    """Run `syncrules ARGV`, SIGINT it after SIGNAL_AFTER s: (exit, out, err, s to exit)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a test runner may ignore SIGINT; the command must see the default disposition
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    time.sleep(SIGNAL_AFTER)
    assert process.poll() is None, "the command finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err, time.monotonic() - sent


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_ctrl_c_during_run_keeps_earlier_outputs(tmp_path: Path) -> None:
    rules = tmp_path / "rules.sync"
    rules.write_text(RULES, encoding="utf-8")
    records = slow_records(tmp_path / "records")
    out = tmp_path / "out"
    out.mkdir()
    (out / "prospects.yaml").write_text("earlier output\n", encoding="utf-8")
    (out / "error_queue.json").write_text('{"errors": []}\n', encoding="utf-8")
    before = snapshot(tmp_path)
    code, stdout, stderr, took = interrupted(
        tmp_path, "run", str(rules), "--records", str(records), "--out", str(out)
    )
    assert (code, stdout, stderr) == (130, "", "syncrules: interrupted\n")
    assert took < PROMPT
    assert snapshot(tmp_path) == before  # nothing new anywhere: no staging folder either
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "records", "rules.sync"]


def test_ctrl_c_during_dry_run_prints_no_plan(tmp_path: Path) -> None:
    rules = tmp_path / "rules.sync"
    rules.write_text(RULES, encoding="utf-8")
    records = slow_records(tmp_path / "records")
    code, stdout, stderr, took = interrupted(
        tmp_path, "dry-run", str(rules), "--records", str(records)
    )
    assert (code, stdout, stderr) == (130, "", "syncrules: interrupted\n")
    assert took < PROMPT


def test_ctrl_c_during_fmt_rewrites_no_file(tmp_path: Path) -> None:
    body = "object prospect { email: email score: number }\n" + "".join(
        f"stage S{i} when score>{i}   and   score<{i + 100}\n" for i in range(2000)
    )
    for index in range(12):
        (tmp_path / f"f{index:02}.sync").write_text(body, encoding="utf-8")
    before = snapshot(tmp_path)
    code, stdout, stderr, took = interrupted(tmp_path, "fmt", str(tmp_path))
    assert (code, stderr) == (130, "syncrules: interrupted\n")
    assert stdout == ""
    assert took < PROMPT
    assert snapshot(tmp_path) == before
    assert len(list(tmp_path.iterdir())) == 12  # no temporary files left
