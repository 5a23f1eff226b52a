"""The pages of the two partial-import findings (docs/rules/global-value-set-missing.md,
imported-rule-set-aside.md). Their examples need an SFDX tree, so each section carries
```xml file=PATH blocks beside its ```sync rule file: Bad gives exactly its finding, with
the output the page shows; Good gives none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import codes
from engine.cli import main
from tests.docs.test_rule_pages import SECTIONS

PAGES = Path(__file__).resolve().parents[2] / "docs" / "rules"
FENCE = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```$", re.M | re.S)
NAMES = [c.name for c in codes.PARTIAL_IMPORT_CODES]


def _write_section(text: str, heading: str, folder: Path) -> str:
    """Write a section's files under folder; return its ```text block (or "")."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    output = ""
    for lang, info, body in FENCE.findall(section):
        if lang == "xml":
            path = folder / info.strip().removeprefix("file=")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
        elif lang == "sync":
            (folder / "rules.sync").write_text(body, encoding="utf-8")
        elif lang == "text" and not output:
            output = body
    return output


@pytest.mark.parametrize("name", NAMES)
def test_page_has_the_sections(name: str) -> None:
    text = (PAGES / f"{name}.md").read_text(encoding="utf-8")
    code = codes.lookup(name)
    assert code is not None
    assert text.startswith(f"# {name} ({code.code}) — {code.severity}\n")
    for section in SECTIONS:
        assert section in text, section
    assert f"[{name}]({name}.md)" in (PAGES / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_bad_gives_the_finding_shown_and_good_is_clean(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (PAGES / f"{name}.md").read_text(encoding="utf-8")
    for heading in ("## Bad", "## Good"):
        folder = tmp_path / heading[3:]
        folder.mkdir()
        shown = _write_section(text, heading, folder)
        monkeypatch.chdir(folder)
        assert main(["check", "rules.sync"]) == 0
        capsys.readouterr()
        status = main(["lint", "rules.sync"])
        out = capsys.readouterr().out
        if heading == "## Bad":
            assert status == 1
            assert out.startswith(shown), out
            assert out.endswith("found 1 warning\n")
        else:
            assert (status, out) == (0, "no problems found\n")


@pytest.mark.parametrize("name", NAMES)
def test_rule_prints_the_page(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", name]) == 0
    assert capsys.readouterr().out == (PAGES / f"{name}.md").read_text(encoding="utf-8")
