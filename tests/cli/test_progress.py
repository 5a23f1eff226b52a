"""Long runs draw a progress bar on stderr, but only when stderr is a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.conftest import ROOT

RULES = """
object prospect { email: email last_name: text(80) company: text(255) }
object lead { Email: email LastName: text(80) required Company: text(255) required }
field email { lead: Email }
field last_name { lead: LastName }
field company { lead: Company }
"""


def _write(tmp_path: Path, prospects: int) -> tuple[Path, Path]:
    rules = tmp_path / "rules.sync"
    rules.write_text(RULES, encoding="utf-8")
    records = tmp_path / "records.yaml"
    lines = ["prospects:"] + [
        f"  - {{id: p{n:05d}, email: p{n}@example.com, last_name: L, company: C}}"
        for n in range(prospects)
    ]
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rules, records


def _run(args: list[str], stderr_is_tty: bool) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "engine", *args]
    if not stderr_is_tty:
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        return result.returncode, result.stderr
    leader, follower = pty.openpty()
    # a real terminal has a size; a fresh pseudo-terminal is 0×0 until told otherwise
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower, env=env) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the child is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = proc.wait()
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    rules, records = _write(tmp_path, 600)
    code, err = _run(["dry-run", str(rules), "--records", str(records)], stderr_is_tty=True)
    assert code == 0
    assert "0/600" in err
    assert "prospect/s" in err


def test_no_progress_bar_when_piped(tmp_path: Path) -> None:
    rules, records = _write(tmp_path, 600)
    code, err = _run(["dry-run", str(rules), "--records", str(records)], stderr_is_tty=False)
    assert (code, err) == (0, "")
