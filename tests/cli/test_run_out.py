"""`run --out DIR` writes its files as one set, and only where a folder can be (issue 11).

A run that fails part-way leaves DIR byte-identical and nothing beside it; a file the
cycle did not touch is copied byte for byte (comments, quoting, flow style); an --out that
cannot be a folder, or where an output name is a folder, is a located exit-2 error.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from engine import files
from engine.cli import main

RULES = """\
object prospect { email: email last_name: text(80) company: text(80) }
object lead { Email: email LastName: text(80) required Company: text(80) required }
field email { lead: Email }
field last_name { lead: LastName }
field company { lead: Company }
create lead when true
"""
# users.yaml: nothing the cycle writes; leads.yaml gains a created lead
USERS = '# header comment, kept\nusers:\n  - {Id: 005A, Name: "Sales", groups: ["Direct Sales"]}\n'
PROSPECTS = "prospects:\n  - {id: p1, email: a@example.com, last_name: L, company: C}\n"
LEADS = "leads: []\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "rules.sync").write_text(RULES, encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "users.yaml").write_text(USERS, encoding="utf-8")
    (records / "prospects.yaml").write_text(PROSPECTS, encoding="utf-8")
    (records / "leads.yaml").write_text(LEADS, encoding="utf-8")
    return tmp_path


NOW = ("--now", "2026-11-01T10:00:00Z")  # a created lead's LastModifiedDate (SPEC §3)


def run(project: Path, out: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = ["run", str(project / "rules.sync"), "--records", str(project / "records"), *NOW]
    code = main([*argv, "--out", out])
    return code, capsys.readouterr().err


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_untouched_files_are_copied_byte_for_byte(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project / "out"
    assert run(project, str(out), capsys) == (0, "")
    assert (out / "users.yaml").read_bytes() == USERS.encode()
    assert (out / "leads.yaml").read_text(encoding="utf-8").startswith("leads:\n  - Id: 00QSR")
    assert sorted(os.listdir(out)) == [
        "error_queue.json",
        "leads.yaml",
        "prospects.yaml",
        "users.yaml",
    ]


def test_other_files_in_dir_are_kept_and_outputs_replaced(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project / "out"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "keep.txt").write_text("mine\n", encoding="utf-8")
    (out / "leads.yaml").write_text("old\n", encoding="utf-8")
    assert run(project, str(out), capsys) == (0, "")
    assert (out / "notes" / "keep.txt").read_text(encoding="utf-8") == "mine\n"
    assert (out / "leads.yaml").read_text(encoding="utf-8") != "old\n"
    assert sorted(p.name for p in project.iterdir()) == ["out", "records", "rules.sync"]


def test_in_place_run_over_the_record_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = project / "records"
    assert run(project, str(records), capsys) == (0, "")
    assert (records / "users.yaml").read_bytes() == USERS.encode()
    assert "00QSR" in (records / "leads.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["staging", "switch"])
def test_a_run_failing_part_way_leaves_dir_byte_identical(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    out = project / "out"
    out.mkdir()
    (out / "leads.yaml").write_text("earlier run\n", encoding="utf-8")
    (out / "error_queue.json").write_text('{"errors": []}\n', encoding="utf-8")
    before = tree(project)
    if where == "switch":

        def fail(*_args: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(files, "_switch", fail)
    else:  # the disk fills after the first staged file
        real_chmod = os.chmod
        calls: list[str] = []

        def chmod(path: str, mode: int) -> None:
            calls.append(path)
            if len(calls) > 2:
                raise OSError(errno.ENOSPC, "No space left on device")
            real_chmod(path, mode)

        monkeypatch.setattr(os, "chmod", chmod)
    code, err = run(project, str(out), capsys)
    assert (code, err) == (2, f"syncrules: --out {out}: cannot write: No space left on device\n")
    assert tree(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["out", "records", "rules.sync"]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("", "--out '': give the folder to write the new record set into"),
        ("-", "--out '-': give the folder to write the new record set into"),
        ("/dev/null", "--out /dev/null: a character device, not a folder"),
        ("{p}/rules.sync", "--out {p}/rules.sync: a file, not a folder"),
        (
            "{p}/rules.sync/sub",
            "--out {p}/rules.sync/sub: {p}/rules.sync is a file, so no folder can be made in it",
        ),
        (
            "{p}/blocked",
            "--out {p}/blocked: leads.yaml is a folder there; run writes a file leads.yaml",
        ),
    ],
)
def test_an_out_that_cannot_be_a_folder(
    project: Path, capsys: pytest.CaptureFixture[str], out: str, message: str
) -> None:
    (project / "blocked" / "leads.yaml").mkdir(parents=True)
    before = tree(project)
    code, err = run(project, out.format(p=project), capsys)
    assert (code, err) == (2, f"syncrules: {message.format(p=project)}\n")
    assert tree(project) == before


def test_an_unwritable_out_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(project, "/proc/syncrules-out", capsys)
    assert code == 2
    assert err.startswith("syncrules: --out /proc/syncrules-out: cannot write")
    if os.geteuid() != 0:  # root writes anywhere: the mode test needs another user
        locked = project / "locked"
        locked.mkdir(mode=0o555)
        code, err = run(project, str(locked), capsys)
        assert (code, err) == (
            2,
            f"syncrules: --out {locked}: cannot write: the folder is not writable\n",
        )


def test_junit_xml_naming_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test_file = tmp_path / "a_test.yaml"
    test_file.write_text(
        "rules: rules.sync\ntests:\n  - name: t\n    records:\n"
        "      prospects: [{id: p1, email: a@b.com}]\n    expect: {p1: {action: skip}}\n",
        encoding="utf-8",
    )
    (tmp_path / "rules.sync").write_text("object prospect { email: email }\n", encoding="utf-8")
    code = main(["test", str(test_file), "--junit-xml", str(tmp_path)])
    err = capsys.readouterr().err
    assert (code, err) == (2, f"syncrules: {tmp_path}: is a folder; give a file path to write to\n")


TOUCHED_RULES = """\
object prospect { email: email last_name: text(80) company: text(80) job_title: text(80) }
object lead { Email: email LastName: text(80) required Company: text(80) required
              Title: text(80) }
field email { lead: Email }
field last_name { lead: LastName }
field company { lead: Company }
field job_title { lead: Title sync: salesforce }
create lead when true
"""
TOUCHED_PROSPECTS = """\
# prospects exported on Monday
prospects:
  - {id: p1, email: "a@example.com", last_name: L, company: 'C'}   # new one
  - id: p2
    email: b@example.com   # has a lead
    last_name: "Brown"
    company: B
    crm_lead_fid: 00Q1
"""
TOUCHED_LEADS = """\
leads:
- Id: 00Q1   # the existing lead
  Email: "b@example.com"
  LastName: Brown
  Company: B
  Title: "CTO"
"""


def test_a_touched_yaml_file_keeps_comments_quoting_and_style(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rules.sync").write_text(TOUCHED_RULES, encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "prospects.yaml").write_text(TOUCHED_PROSPECTS, encoding="utf-8")
    (records / "leads.yaml").write_text(TOUCHED_LEADS, encoding="utf-8")
    out = tmp_path / "out"
    assert run(tmp_path, str(out), capsys) == (0, "")
    # p1 is linked to its new lead, p2 takes the lead's Title: only those lines change
    assert (out / "prospects.yaml").read_text(encoding="utf-8") == (
        "# prospects exported on Monday\n"
        "prospects:\n"
        "  - {id: p1, email: \"a@example.com\", last_name: L, company: 'C', "
        "crm_lead_fid: 00QSR0000000001} # new one\n"
        "  - id: p2\n"
        "    email: b@example.com   # has a lead\n"
        '    last_name: "Brown"\n'
        "    company: B\n"
        "    crm_lead_fid: 00Q1\n"
        "    job_title: CTO\n"
    )
    assert (out / "leads.yaml").read_text(encoding="utf-8") == TOUCHED_LEADS + (
        "- Id: 00QSR0000000001\n  Email: a@example.com\n  LastName: L\n  Company: C\n"
        "  LastModifiedDate: 2026-11-01T10:00:00Z\n"
    )
    # and the next cycle over the output changes nothing (SPEC §3 idempotency)
    again = tmp_path / "again"
    code = main(
        ["run", str(tmp_path / "rules.sync"), "--records", str(out), "--out", str(again), *NOW]
    )
    assert code == 0
    assert "2 prospects: 2 no_change" in capsys.readouterr().out
    assert tree(again) == tree(out) | {
        "error_queue.json": (again / "error_queue.json").read_bytes()
    }
