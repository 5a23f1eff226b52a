"""Every check diagnostic, printed exactly as users see it: errors/<case>.sync → .diag.txt.

Each case file also says which diagnostics it must produce, one `# expect: NAME` comment
per expected diagnostic line (on the line the diagnostic points at; `# expect: A, A` for
two diagnostics of one name on that line), so a golden that drifts to the wrong finding,
or to the same finding twice, fails even before anyone reads it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from engine import api
from engine.render import text

ERRORS = Path(__file__).parent / "errors"
CASES = sorted(ERRORS.glob("*.sync"))
EXPECT = re.compile(r"#\s*expect:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)")


def _expected(path: Path) -> Counter[tuple[int, str]]:
    found: Counter[tuple[int, str]] = Counter()
    # errors="replace": the unreadable-file cases are deliberately not UTF-8
    text = path.read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            found.update((number, name.strip()) for name in m.group(1).split(","))
    return found


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_error_case(case: Path, golden, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ERRORS)
    rules = api.check([case.name])
    got = Counter((d.span.line, d.name) for d in rules.diagnostics if d.span.path == case.name)
    assert got == _expected(case)
    golden(case.with_suffix(".diag.txt"), text.diagnostics(rules.diagnostics, rules.sources))
