"""docs/rules/README.md's tables give each rule and error the code and severity the
registry gives it (issue 11: the page said SR007 was an error; it is only ever a note)."""

from __future__ import annotations

import re
from pathlib import Path

from engine import api, codes
from engine.lint import suppress

INDEX = Path(__file__).resolve().parents[2] / "docs" / "rules" / "README.md"
ROW = re.compile(r"^\| \[([a-z0-9-]+)\]\([^)]*\) \| (SR\d{3}) \| (\w+) \|", re.M)


def test_every_row_matches_the_registry() -> None:
    rows = ROW.findall(INDEX.read_text(encoding="utf-8"))
    registry = {c.name: c for c in (*api.lint_codes(), suppress.UNUSED_IGNORE)}
    assert len(rows) == len(registry)  # every rule and error, each once
    for name, code, severity in rows:
        assert (name, code, severity) == (name, registry[name].code, registry[name].severity)


def test_not_supported_yet_is_a_note() -> None:
    code = codes.lookup("SR007")
    assert code is not None
    assert code.severity == "info"
