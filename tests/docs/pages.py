"""Read the examples out of the error pages in docs/errors/, and refresh their output.

Each page has a `## Bad` and a `## Good` section. In each, the first ```sync block is the
example itself (checked as a file named `bad.sync`); further blocks written
```sync file=NAME [encoding=ENC]``` are files next to it that the example includes (an
`encoding` other than UTF-8 writes the file in that encoding, for unreadable-file). The
first ```text block of the Bad section is the real output of `syncrules check bad.sync`.

`{{ "TEXT" * N }}` in an example stands for N copies of TEXT, for the one example
(expression-too-deep) that is too long to print.

Refresh every page's output after a message changes, and review the diff:

    python3 -m tests.docs.pages
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = ROOT / "docs" / "errors"
EXAMPLE_NAME = "bad.sync"

_FENCE = re.compile(r"^```(?P<lang>\w*)(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_REPEAT = re.compile(r'\{\{\s*"(?P<text>[^"]*)"\s*\*\s*(?P<count>\d+)\s*\}\}')


@dataclass
class Example:
    """One section's example: the rule text and the files it includes."""

    text: str
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (text, encoding)
    output_span: tuple[int, int] | None = None  # where the ```text block's body sits


def pages() -> list[Path]:
    return sorted(p for p in PAGES_DIR.glob("*.md") if p.name != "README.md")


def expand(text: str) -> str:
    return _REPEAT.sub(lambda m: m["text"] * int(m["count"]), text)


def section(page: str, heading: str) -> tuple[int, str]:
    """(offset, text) of a `## heading` section, up to the next `## ` heading."""
    m = re.search(rf"^## {re.escape(heading)}[ \t]*$", page, re.M)
    if m is None:
        raise ValueError(f"no `## {heading}` heading")
    nxt = re.search(r"^## ", page[m.end() :], re.M)
    end = m.end() + nxt.start() if nxt else len(page)
    return m.end(), page[m.end() : end]


def example(page: str, heading: str) -> Example:
    offset, text = section(page, heading)
    found: Example | None = None
    for m in _FENCE.finditer(text):
        info = dict(re.findall(r"(\w+)=(\S+)", m["info"]))
        if m["lang"] == "sync" and found is None:
            found = Example(expand(m["body"]))
        elif m["lang"] == "sync" and "file" in info and found is not None:
            found.files[info["file"]] = (expand(m["body"]), info.get("encoding", "utf-8"))
        elif m["lang"] == "text" and found is not None and found.output_span is None:
            found.output_span = (offset + m.start("body"), offset + m.end("body"))
    if found is None:
        raise ValueError(f"no ```sync block under `## {heading}`")
    return found


@contextmanager
def files_of(ex: Example, *, with_example: bool) -> Iterator[Path]:
    """A temporary folder, made the working folder, holding the example's files."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, (text, encoding) in ex.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)  # sfdx/objects/…
            (folder / name).write_bytes(text.encode(encoding))
        if with_example:
            (folder / EXAMPLE_NAME).write_text(ex.text, encoding="utf-8")
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(old)


def command_output(ex: Example) -> str:
    """What `syncrules check bad.sync` prints for the example, as the page shows it."""
    from engine import api
    from engine.render import text

    with files_of(ex, with_example=True):
        rules = api.check([EXAMPLE_NAME])
        return f"$ syncrules check {EXAMPLE_NAME}\n" + text.diagnostics(
            rules.diagnostics, rules.sources
        )


def refresh(path: Path) -> bool:
    """Rewrite the page's output block from the real output; True when it changed."""
    page = path.read_text(encoding="utf-8")
    bad = example(page, "Bad")
    if bad.output_span is None:
        raise ValueError(f"{path.name}: no ```text block under `## Bad`")
    start, end = bad.output_span
    new = page[:start] + command_output(bad) + page[end:]
    if new != page:
        path.write_text(new, encoding="utf-8")
    return new != page


if __name__ == "__main__":
    for p in pages():
        if refresh(p):
            print(f"updated {p.relative_to(ROOT)}")
