"""`api.check_text` (editors, the API) must agree with `api.check` on the same file.

The text given to check_text stands for the file at its path: when another file includes
that path back, it is the same file — an include cycle reported where `check` reports
it, not a second copy of the file whose declarations clash with the first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import api


def _summary(rules: api.CheckedRules) -> list[tuple[str, int, str]]:
    return [(d.span.path, d.span.line, d.name) for d in rules.diagnostics]


def test_check_text_of_a_file_included_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    main = 'include "other.sync"\nstage MQL when score > 1\n'
    (tmp_path / "main.sync").write_text(main, encoding="utf-8")
    (tmp_path / "other.sync").write_text(
        'object prospect { score: number }\ninclude "main.sync"\n', encoding="utf-8"
    )
    on_disk = api.check(["main.sync"])
    assert _summary(on_disk) == [("other.sync", 2, "include-cycle")]
    assert _summary(api.check_text(main, "main.sync")) == _summary(on_disk)
