"""`syncrules fmt`: a rule file's text in the one canonical layout, comments kept.

    from engine.fmt import format_source
    result = format_source(text, "rules/mql.sync")
    if result.text is None:          # a syntax error: result.diagnostics says where
        ...
    elif result.changed:             # result.text is the canonical text
        ...

Pure: no file is read or written here. The layout is described in docs/fmt.md.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from engine.deep import call_deep
from engine.diagnostics import Diagnostic
from engine.fmt.comments import Comments
from engine.fmt.layout import Layout
from engine.fmt.meaning import Meaning, meaning
from engine.source import SourceFile
from engine.syntax.written import Written, read_written

__all__ = ["FormatResult", "UnsafeFormat", "format_source", "unified_diff"]


class UnsafeFormat(Exception):
    """fmt produced text that parses to other items or loses a comment: a bug in syncrules."""


@dataclass(frozen=True, slots=True)
class FormatResult:
    """The canonical text of one file, or None with the syntax errors that prevent it."""

    original: str
    text: str | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def changed(self) -> bool:
        """Would formatting change the file? (False when it cannot be formatted.)"""
        return self.text is not None and self.text != self.original


def format_source(text: str, path: str) -> FormatResult:
    """Format one rule file's text; `path` only names the file in diagnostics.

    Only this file is parsed: includes are not followed. CRLF and a leading BOM are
    accepted and written as LF without BOM. Raises UnsafeFormat only on a bug."""
    return call_deep(lambda: _format(text, path))


def _format(text: str, path: str) -> FormatResult:
    clean = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source = SourceFile(path, clean)
    parsed = read_written(source)
    if isinstance(parsed, tuple):
        return FormatResult(text, None, parsed)
    comments = Comments(clean, parsed.comments)
    formatted = Layout(clean, comments, parsed.field_settings).file(parsed.items)
    _verify(_meaning(parsed), formatted, path)
    return FormatResult(text, formatted)


def _meaning(written: Written) -> Meaning:
    return meaning(written.items, written.field_settings, written.comments)


def _verify(before: Meaning, formatted: str, path: str) -> None:
    parsed = read_written(SourceFile(path, formatted))
    if isinstance(parsed, tuple):
        raise UnsafeFormat(f"{path}: formatted text does not parse: {parsed[0].message}")
    after = _meaning(parsed)
    if after.items != before.items or after.field_settings != before.field_settings:
        raise UnsafeFormat(f"{path}: formatted text means something else")
    if after.comments != before.comments:
        raise UnsafeFormat(f"{path}: formatting would lose or change a comment")


def unified_diff(path: str, before: str, after: str) -> str:
    """`--diff` output: a unified diff from the file as it is to the formatted file."""
    lines = difflib.unified_diff(_lines(before), _lines(after), fromfile=path, tofile=path)
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _lines(text: str) -> list[str]:
    # only "\n" ends a line in a rule file (str.splitlines would also split at U+2028)
    *full, last = text.split("\n")
    return [line + "\n" for line in full] + ([last] if last else [])
