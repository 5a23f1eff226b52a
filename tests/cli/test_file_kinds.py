"""syncrules reads only regular files, and only up to a bound (issue 11).

A FIFO would block the read forever, /dev/zero and /dev/urandom never end, and a directory
is not a file: each is refused with its path and what it is, wherever a path reaches a
read — the command line, an `include`, a record folder, `--config`, a rule-test file.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from engine import files
from engine.cli import main

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")

RULES = "object prospect { email: email }\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # a read that blocked would hang the test run: a watchdog turns that into a failure
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(list(argv))), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert result, f"syncrules {' '.join(argv)} did not finish"
    captured = capsys.readouterr()
    return result[0], captured.out, captured.err


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.sync"
    os.mkfifo(path)
    return path


def test_check_refuses_devices_and_fifos(capsys: pytest.CaptureFixture[str], fifo: Path) -> None:
    for path, kind in [
        ("/dev/zero", "a character device"),
        ("/dev/urandom", "a character device"),
        (str(fifo), "a named pipe (FIFO)"),
    ]:
        code, out, err = run(capsys, "check", path)
        assert (code, err) == (1, "")
        assert out.startswith(
            f"{path}:1:1: error SR002 unreadable-file: cannot read: {kind}, not a regular file\n"
        )


def test_include_refuses_what_is_not_a_regular_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fifo: Path
) -> None:
    main_file = tmp_path / "main.sync"
    main_file.write_text(
        'include "/dev/zero"\ninclude "pipe.sync"\ninclude "/dev/urandom"\ninclude "sub"\n' + RULES,
        encoding="utf-8",
    )
    (tmp_path / "sub").mkdir()
    code, out, _err = run(capsys, "check", str(main_file))
    assert code == 1
    heads = [line for line in out.splitlines() if line.startswith(str(main_file))]
    assert heads == [
        f'{main_file}:1:1: error SR004 missing-include: cannot include "/dev/zero": '
        "a character device, not a regular file",
        f'{main_file}:2:1: error SR004 missing-include: cannot include "pipe.sync": '
        "a named pipe (FIFO), not a regular file",
        f'{main_file}:3:1: error SR004 missing-include: cannot include "/dev/urandom": '
        "a character device, not a regular file",
        f'{main_file}:4:1: error SR004 missing-include: cannot include "sub": '
        "a directory, not a regular file",
    ]


def test_a_fifo_in_a_record_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.sync"
    rules.write_text(RULES, encoding="utf-8")
    folder = tmp_path / "records"
    folder.mkdir()
    os.mkfifo(folder / "prospects.yaml")
    code, out, err = run(capsys, "dry-run", str(rules), "--records", str(folder))
    assert (code, out) == (2, "")
    assert err == (
        f"syncrules: {folder / 'prospects.yaml'}:1:1: cannot read: "
        "a named pipe (FIFO), not a regular file\n"
    )


def test_a_fifo_as_a_record_file_and_as_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.sync"
    rules.write_text(RULES, encoding="utf-8")
    records = tmp_path / "records.yaml"
    os.mkfifo(records)
    code, _out, err = run(capsys, "dry-run", str(rules), "--records", str(records))
    assert code == 2
    assert "a named pipe (FIFO), not a regular file" in err
    config = tmp_path / ".syncrules.toml"
    os.mkfifo(config)
    code, _out, err = run(capsys, "lint", str(rules), "--config", str(config))
    assert (code, err) == (
        2,
        f"syncrules: {config}: cannot read: a named pipe (FIFO), not a regular file\n",
    )


def test_a_fifo_rule_test_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(tmp_path / "pipe_test.yaml")
    code, _out, err = run(capsys, "test", str(tmp_path / "pipe_test.yaml"))
    assert code == 2
    assert "a named pipe (FIFO), not a regular file" in err


def test_a_file_past_the_size_bound_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.sync"
    with big.open("wb") as handle:  # sparse: no disk space, but larger than the bound
        handle.truncate(files.MAX_RULE_FILE_BYTES + 1)
    code, out, _err = run(capsys, "check", str(big))
    assert code == 1
    assert out.startswith(
        f"{big}:1:1: error SR002 unreadable-file: cannot read: larger than 64 MiB"
    )
    # exactly at the bound is read; one byte more is not
    exact = tmp_path / "exact.sync"
    exact.write_bytes(b"#" * 1024)
    assert files.read_regular_file(str(exact), 1024) == b"#" * 1024
    with pytest.raises(OSError, match="larger than 1023 bytes"):
        files.read_regular_file(str(exact), 1023)
