"""syncrules reads only what the rules name, and never shows what it should not (issue 11):
a file with no rule syntax is not echoed (an `include "/proc/self/environ"` in a pull
request must not print the CI's secrets into the lint log), and an SFDX import reads
nothing outside its tree, whatever its metadata names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.cli import main

SECRET = "hunter2-secret-value"


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["check", *argv])
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    return code, captured.out


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_including_the_environment_prints_none_of_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCRULES_TEST_TOKEN", SECRET)
    rules = tmp_path / "rules.sync"
    rules.write_text('include "/proc/self/environ"\n', encoding="utf-8")
    code, out = check(capsys, str(rules))
    assert code == 1
    assert out == (
        "/proc/self/environ:1:1: error SR001 syntax-error: not a rule file: its first word "
        "does not start a rule\n"
        "  = a rule file starts with a rule (object, field, stage, share, include, …) or a "
        "comment\n"
        "found 1 error\n"
    )


@pytest.mark.parametrize(
    "content",
    [
        f"TOKEN={SECRET}\nOTHER=1\n",
        f"# a comment first\n\n  {SECRET} = 1\n",
        f'{{"token": "{SECRET}"}}\n',
        f"-----BEGIN KEY-----\n{SECRET}\n",
    ],
)
def test_a_file_with_no_rule_syntax_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(content, encoding="utf-8")
    rules = tmp_path / "rules.sync"
    rules.write_text('include "secret.txt"\n', encoding="utf-8")
    code, out = check(capsys, str(rules))
    assert code == 1
    assert f"{secret}:" in out
    assert "not a rule file" in out


def test_a_rule_file_with_a_typo_in_its_first_word_still_shows_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.sync"
    rules.write_text("stge MQL when score > 5\n", encoding="utf-8")
    code, out = check(capsys, str(rules))
    assert code == 1
    assert "1 | stge MQL when score > 5" in out


def test_a_file_that_is_not_utf8_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.sync"
    rules.write_bytes(f"stage X when true\n# {SECRET}\n".encode() + b"\xff\n")
    code, out = check(capsys, str(rules))
    assert code == 1
    assert "not UTF-8 text: byte 0xff cannot be decoded" in out


FIELD = """\
<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>{name}</fullName>
    <label>X</label>
    <type>Picklist</type>
    <valueSet><valueSetName>{value_set}</valueSetName></valueSet>
</CustomField>
"""
VALUE_SET = """\
<?xml version="1.0" encoding="UTF-8"?>
<GlobalValueSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <customValue><fullName>{value}</fullName><default>false</default><label>x</label>
    </customValue>
    <masterLabel>s</masterLabel>
</GlobalValueSet>
"""


def sfdx_tree(tmp_path: Path, fields: dict[str, tuple[str, str]]) -> Path:
    """An org tree `org/` beside a folder `outside/` holding a value set of secrets."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.globalValueSet-meta.xml").write_text(
        VALUE_SET.format(value=SECRET), encoding="utf-8"
    )
    folder = tmp_path / "org" / "objects" / "Lead" / "fields"
    folder.mkdir(parents=True)
    for stem, (name, value_set) in fields.items():
        (folder / f"{stem}.field-meta.xml").write_text(
            FIELD.format(name=name, value_set=value_set), encoding="utf-8"
        )
    rules = tmp_path / "rules.sync"
    rules.write_text('import salesforce "org"\n', encoding="utf-8")
    return rules


def test_a_value_set_name_is_never_a_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = sfdx_tree(tmp_path, {"Region__c": ("Region__c", "../../outside/secret")})
    code, out = check(capsys, str(rules))
    assert code == 1
    field = tmp_path / "org/objects/Lead/fields/Region__c.field-meta.xml"
    assert out.startswith(
        f"{field}:6:29: error SR006 invalid-setting: value set name '../../outside/secret' is "
        "not a Salesforce API name (letters, digits and _, starting with a letter)\n"
    )
    code = main(["import-salesforce", str(tmp_path / "org")])
    assert SECRET not in capsys.readouterr().out


@pytest.mark.parametrize("name", ["../../../etc/passwd", "a/b", "Bad Name", ".."])
def test_a_full_name_that_is_not_an_api_name_is_an_import_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    rules = sfdx_tree(tmp_path, {"Evil__c": (name, "Fine")})
    code, out = check(capsys, str(rules))
    assert code == 1
    assert f"error SR006 invalid-setting: field name {name!r} is not a Salesforce API name" in out


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_symlink_out_of_the_tree_is_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = sfdx_tree(tmp_path, {"Linked__c": ("Linked__c", "Linked")})
    sets = tmp_path / "org" / "globalValueSets"
    sets.mkdir()
    (sets / "Linked.globalValueSet-meta.xml").symlink_to(
        tmp_path / "outside" / "secret.globalValueSet-meta.xml"
    )
    code, out = check(capsys, str(rules))
    assert code == 1
    assert (
        f"{rules}:1:1: error SR004 missing-include: "
        "globalValueSets/Linked.globalValueSet-meta.xml resolves outside the imported tree"
    ) in out
    main(["import-salesforce", str(tmp_path / "org")])
    assert SECRET not in capsys.readouterr().out


def test_fmt_does_not_echo_a_file_with_no_rule_syntax(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.sync"
    secret.write_text(f"TOKEN={SECRET}\n", encoding="utf-8")
    code = main(["fmt", "--check", str(secret)])
    captured = capsys.readouterr()
    assert code == 1
    assert SECRET not in captured.out + captured.err
    assert f"{secret}:1:1: error SR001 syntax-error: not a rule file" in captured.out
