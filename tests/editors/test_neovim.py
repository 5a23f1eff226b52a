"""End to end with a real editor: headless Neovim's built-in LSP client starts
`syncrules lsp` through editors/neovim/syncrules.lua, opens a rule file with a typo, and
the test reads back the diagnostics and a hover, as Neovim holds them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("pygls", reason="the language server needs pygls: pip install '.[lsp]'")

RULES = (
    'include "@syncrules/standard.sync"\n'
    "\n"
    'stage MQL when scor >= 100 or grade >= "B"\n'
    'create lead when MQL and company != "" and last_name != ""\n'
)


def test_neovim_shows_the_diagnostic_and_the_hover(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    if nvim is None:
        pytest.skip("Neovim is not installed (apt-get install neovim; .ci/run installs it)")
    rules = tmp_path / "main.sync"
    rules.write_text(RULES, encoding="utf-8")
    out = tmp_path / "out.json"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SYNCRULES_ROOT": str(ROOT),
        "SYNCRULES_PYTHON": sys.executable,
        "SYNCRULES_FILE": str(rules),
        "SYNCRULES_LINE": "3",  # on `MQL` in the create gate
        "SYNCRULES_CHAR": "18",
        "SYNCRULES_OUT": str(out),
    }
    script = ROOT / "tests" / "editors" / "nvim_e2e.lua"
    result = subprocess.run(
        [nvim, "--headless", "--clean", "-c", f"luafile {script}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(out.read_text("utf-8"))
    assert found["filetype"] == "syncrules"
    assert found["attached"] is True
    assert found["diagnostics"] == [
        {
            "lnum": 2,
            "col": 15,
            "end_col": 19,
            "severity": 1,  # vim.diagnostic.severity.ERROR
            "source": "syncrules",
            "code": "SR101 unknown-field",
            "message": 'prospect has no field "scor"\ndid you mean "score"?',
        }
    ]
    assert found["hover"].startswith('```sync\nstage MQL when scor >= 100 or grade >= "B"\n```')
    assert "Stage 1 of 1 in lifecycle order" in found["hover"]
