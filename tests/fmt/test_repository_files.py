"""fmt over every rule file in the repository: idempotent, same items, every comment kept.

Files that do not parse (the syntax-error cases) must come back unformatted, with the
parser's own diagnostic. Files that are not UTF-8 are not rule text and are left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.fmt import format_source
from engine.source import SourceFile
from engine.syntax.parser import parse_tree
from tests.conftest import ROOT
from tests.fmt.meaning import kept

SKIPPED_DIRS = {"build", "dist", "node_modules", "__pycache__"}


def _rule_files() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*.sync")):
        parts = path.relative_to(ROOT).parts
        if any(p in SKIPPED_DIRS or p.startswith(".") for p in parts[:-1]):
            continue
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        found.append(path)
    return found


FILES = _rule_files()


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_repository_has_rule_files() -> None:
    names = {_id(p) for p in FILES}
    assert "rules/standard.sync" in names
    assert "samples/acme/rules/validation.sync" in names
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_format_keeps_meaning_and_is_idempotent(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    result = format_source(text, _id(path))
    parsed = parse_tree(SourceFile(_id(path), text.replace("\r\n", "\n")))
    if parsed.tree is None:
        assert result.text is None
        assert result.diagnostics == (parsed.diagnostic,)
        return
    if result.text is None:  # parses, but an item nests too deeply to lower
        assert [d.name for d in result.diagnostics] == ["expression-too-deep"]
        return
    formatted = result.text
    assert format_source(formatted, _id(path)).text == formatted
    before, after = kept(text), kept(formatted)
    assert after.items == before.items
    assert after.field_settings == before.field_settings
    assert after.comments == before.comments
    assert formatted.endswith("\n")
    assert not formatted.endswith("\n\n")
    assert all(line == line.rstrip() for line in formatted.split("\n"))
