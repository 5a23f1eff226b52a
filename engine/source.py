"""Source text and positions: the one place offsets become lines and columns."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A range of a source file; line and column are 1-based and count characters."""

    path: str  # as the user wrote it; never made absolute
    start: int
    end: int
    line: int
    col: int
    end_line: int
    end_col: int

    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.col)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A rule file's text with a line index, so spans can be built from offsets."""

    path: str
    text: str
    line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # str.find runs in C: a character-by-character scan cost an editor's re-check of
        # a large rule set ~1 ms per file
        starts = [0]
        at = self.text.find("\n")
        while at != -1:
            starts.append(at + 1)
            at = self.text.find("\n", at + 1)
        object.__setattr__(self, "line_starts", tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of an offset, both 1-based."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(self.path, start, end, line, col, end_line, end_col)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if not 1 <= line <= len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start:end]


def whole_file(path: str) -> Span:
    """A span for problems about a file as a whole (unreadable, not UTF-8)."""
    return Span(path, 0, 0, 1, 1, 1, 1)


# How a shipped rule pack is named (`include "@syncrules/standard.sync"`): the loader
# resolves it to package data, lint and the editor leave its findings to its authors.
PACK_PREFIX = "@syncrules/"
