"""Build small SFDX trees on disk for the import tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def field_xml(body: str) -> str:
    return f"{HEAD}<CustomField {NS}>\n{body}\n</CustomField>\n"


def rule_xml(
    name: str, formula: str, message: str = "No.", extra: str = "", active: str = "true"
) -> str:
    return (
        f"{HEAD}<ValidationRule {NS}>\n    <fullName>{name}</fullName>\n"
        f"    <active>{active}</active>\n"
        f"    <errorConditionFormula>{formula}</errorConditionFormula>\n{extra}"
        f"    <errorMessage>{message}</errorMessage>\n</ValidationRule>\n"
    )


Tree = Callable[[dict[str, str]], Path]


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    """Write files (relative path → text) under tmp_path/sfdx; return that folder."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "sfdx"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return make
