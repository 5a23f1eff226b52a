"""Rule files that must check clean: one per construct of SPEC §1 (and §6), plus every
example of the specification together in `cases/spec-examples.sync`.

Checking clean means: `syncrules check` exits 0 and prints exactly "no problems found",
the checked rules hold no diagnostic of any severity (warnings included), and the case
declares what it is there to exercise — the counts below, read off each file by hand, so
a case that silently lost its rules (a parser dropping a block, an include not followed)
fails here rather than passing as an empty rule set.

Helper files that cases include live in `cases/included/` and are not cases themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import api
from engine.ast import MatchMode
from engine.check.model import CheckedRules
from engine.cli import main
from engine.render import text

CASES = sorted((Path(__file__).parent / "cases").glob("*.sync"))


def _shape(rules: CheckedRules) -> dict[str, int]:
    """How many of each construct the checked rules hold (zeros left out)."""
    pz = rules.personalization
    counts = {
        "files": len(rules.files),
        "objects": len(rules.objects),
        "mappings": len(rules.mappings),
        "shares": len(rules.shares),
        "stages": len(rules.stages),
        "validations": len(rules.validations),
        "duplicates": len(rules.duplicates),
        "personalization matches": 0 if pz is None else len(pz.matches),
        "create gate": 0 if rules.gate.node is None else 1,
        "business units": len(rules.units),
    }
    return {k: v for k, v in counts.items() if v}


# case → what it holds once checked: rule files read (includes count), objects declared
# (`import salesforce` and packs declare some too), prospect fields mapped, and rules
SHAPES: dict[str, dict[str, int]] = {
    "business-units": {"files": 1, "objects": 2, "business units": 2},
    "case-insensitive": {
        "files": 1, "objects": 3, "mappings": 1, "shares": 1, "stages": 1, "validations": 1,
        "duplicates": 1,
    },
    "connector": {"files": 1},
    "create": {"files": 1, "objects": 1, "stages": 1, "create gate": 1},
    "duplicate": {"files": 1, "objects": 1, "duplicates": 2},
    "empty": {"files": 1},
    "expressions": {"files": 1, "objects": 2, "shares": 1, "stages": 13, "validations": 1},
    "field-mappings": {"files": 1, "objects": 3, "mappings": 8},
    "import": {"files": 1, "objects": 2, "mappings": 3, "validations": 2},
    "include": {"files": 3, "objects": 3, "stages": 1},
    "layout": {
        "files": 1, "objects": 2, "mappings": 1, "stages": 3, "validations": 1, "create gate": 1,
    },
    "merge-fields": {"files": 1, "objects": 1, "shares": 1, "validations": 3},
    "objects": {"files": 1, "objects": 7},
    "personalization": {"files": 1, "objects": 3, "personalization matches": 3},
    "share": {"files": 1, "objects": 2, "shares": 2},
    "spec-examples": {
        "files": 1, "objects": 4, "mappings": 1, "shares": 2, "stages": 3, "validations": 1,
        "duplicates": 1, "personalization matches": 3, "create gate": 1,
    },
    "stages": {"files": 1, "objects": 3, "stages": 7},
    "standard-pack": {"files": 4, "objects": 3, "mappings": 24},
    "validation": {"files": 1, "objects": 3, "validations": 6},
}  # fmt: skip


def test_every_case_says_what_it_holds() -> None:
    assert sorted(SHAPES) == [c.stem for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_clean_case(case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = api.check([str(case)])
    # the rendered text makes a failure readable; the assertion is the pinned one
    assert rules.diagnostics == (), text.diagnostics(rules.diagnostics, rules.sources)
    assert _shape(rules) == SHAPES[case.stem]
    assert main(["check", str(case)]) == 0
    assert capsys.readouterr() == ("no problems found\n", "")


def test_connector_case_sets_every_setting_to_a_non_default() -> None:
    connector = api.check([str(CASES[0].with_name("connector.sync"))]).connector
    assert connector.user == "pardot.integration@acme.example"
    assert connector.paused is True
    assert connector.match is MatchMode.CRM_ID
