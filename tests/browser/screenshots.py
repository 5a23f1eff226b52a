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


def write_output(folder: Path) -> None:
    """Every HTML output of the Acme sample, as the docs show them, into folder."""
    import contextlib
    import io

    graph, diff = folder / "graph.html", folder / "diff.html"
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(io.StringIO()) as out:
        main(["graph", "samples/acme/rules", "--format", "html"])
    graph.write_text(out.getvalue(), encoding="utf-8")
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(io.StringIO()) as out:
        main(
            [
                "diff",
                "samples/acme/rules",
                "samples/acme/rules-next",
                "--records",
                "samples/acme/records",
                *NOW,
                "--format",
                "html",
            ]
        )
    diff.write_text(out.getvalue(), encoding="utf-8")
    with contextlib.chdir(ROOT), contextlib.redirect_stderr(io.StringIO()):
        main(["dry-run", *ACME, *NOW, "--format", "html", "--output", str(folder / "acme.html")])


def graph_overview(page: Any, folder: Path, out: Path) -> None:
    write_output(folder)
    page.goto((folder / "graph.html").as_uri())
    page.screenshot(path=str(out))


def diff_overview(page: Any, folder: Path, out: Path) -> None:
    write_output(folder)
    page.goto((folder / "diff.html").as_uri())
    page.screenshot(path=str(out))


def _report(page: Any, folder: Path) -> Path:
    write_output(folder)
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
    "graph-acme.png": graph_overview,
    "diff-acme.png": diff_overview,
}


def take(out_dir: Path, names: list[str] | None = None, browser: Any = None) -> list[Path]:
    """Take each shot into out_dir (in `browser`, or one launched here); returns the files."""
    if browser is None:
        with chromium.browser() as launched:
            return take(out_dir, names, launched)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as work:
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
