"""The docs' screenshots can be taken: each shot of screenshots.py, into a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser import screenshots


def test_every_docs_screenshot_is_taken(browser: Any, tmp_path: Path) -> None:
    written = screenshots.take(tmp_path, browser=browser)
    assert sorted(p.name for p in written) == sorted(screenshots.SHOTS)
    for path in written:
        head = path.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(head[16:20], "big")
        assert width == 1280
