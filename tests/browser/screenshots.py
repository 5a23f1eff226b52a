"""The screenshots in the docs, taken in the same Chromium the browser tests use.

    python3 -m tests.browser.screenshots            # rewrites docs/img/*.png

Review the pictures before committing them. The test suite takes the same shots into a
temporary folder (test_screenshots.py), so this script cannot rot.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.cli import main
from tests.browser import chromium
from tests.conftest import ROOT

ACME = ["samples/acme/rules", "--records", "samples/acme/records"]
NOW = ["--now", "2026-12-01T00:00:00Z"]


def _report(page: Any, folder: Path) -> Path:
    main(["dry-run", *ACME, *NOW, "--format", "html", "--output", str(folder / "acme.html")])
    page.goto((folder / "acme.html").as_uri())
    page.wait_for_selector("body[data-ready=true]")
    return folder / "acme.html"


def report_overview(page: Any, folder: Path, out: Path) -> None:
    _report(page, folder)
    page.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": 1280, "height": 900})


def report_explain(page: Any, folder: Path, out: Path) -> None:
    _report(page, folder)
    page.select_option("#f-action", "error")
    page.click("#records tbody tr:has-text('48210014')")
    page.locator("#records-title").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('records-title').scrollIntoView()")
    page.screenshot(path=str(out))


SHOTS: dict[str, Callable[[Any, Path, Path], None]] = {
    "report-acme.png": report_overview,
    "report-explain.png": report_explain,
}


def take(out_dir: Path, names: list[str] | None = None) -> list[Path]:
    """Take each shot into out_dir; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with chromium.browser() as browser, tempfile.TemporaryDirectory() as work:
        for name, shoot in SHOTS.items():
            if names and name not in names:
                continue
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            shoot(context.new_page(), Path(work), out_dir / name)
            context.close()
            written.append(out_dir / name)
    return written


if __name__ == "__main__":
    reason = chromium.unavailable()
    if reason:
        sys.exit(f"cannot take screenshots: {reason}")
    for path in take(ROOT / "docs" / "img", sys.argv[1:]):
        print(f"wrote {path.relative_to(ROOT)}")
