"""docs/rules/README.md lists every lint rule, and `syncrules rule NAME` prints its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import codes
from engine.cli import main
from engine.lint import suppress
from engine.lint.registry import load_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"
LINT = sorted({r.code.name for r in load_rules()} | {suppress.UNUSED_IGNORE.name})


@pytest.mark.parametrize("name", LINT)
def test_index_lists_every_rule_and_rule_prints_its_page(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert f"[{name}]({name}.md)" in (DOCS / "README.md").read_text(encoding="utf-8")
    assert main(["rule", name]) == 0
    code = codes.lookup(name)
    assert code is not None
    assert capsys.readouterr().out.startswith(f"# {name} ({code.code})")


def test_rule_command_knows_codes_and_refuses_unknown_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rule", "SR205"]) == 0
    assert capsys.readouterr().out.startswith("# double-write (SR205)")
    assert main(["rule", "no-such-rule"]) == 2
    assert "no rule or error named 'no-such-rule'" in capsys.readouterr().err
