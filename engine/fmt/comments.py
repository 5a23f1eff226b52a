"""The comments of one file and the questions layout asks about them and the text between.

Every question is about source offsets: which comments lie in a range, whether a comment
starts its line (it then goes before the next unit) or follows code (it stays at the end
of that code's line), whether the author left a blank line before a position.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from engine import ast

# The lint runner's pattern (engine/lint/suppress.py): such a comment silences findings on
# its own line, so fmt never moves it away from the code it shares a line with.
IGNORE = re.compile(r"#\s*syncrules:\s*ignore\[")


def is_ignore(comment: ast.Comment) -> bool:
    return IGNORE.search(comment.text) is not None


def is_hash(comment: ast.Comment) -> bool:
    return comment.text.startswith("#")


def comment_lines(comment: ast.Comment, indent: str) -> list[str]:
    """A comment printed on lines of its own; a block comment's inner lines stay as written."""
    first, *rest = comment.text.split("\n")
    return [(indent + first).rstrip(), *(line.rstrip() for line in rest)]


class Comments:
    """The comments of one source text, in order, with a copy of the text where each
    comment is masked, so blank-line and token scans never look inside a comment."""

    def __init__(self, text: str, comments: Iterable[ast.Comment]) -> None:
        self.text = text
        unique = {c.span.start: c for c in comments}  # a lexer callback may repeat one
        self.items: tuple[ast.Comment, ...] = tuple(unique[k] for k in sorted(unique))
        self._starts = [c.span.start for c in self.items]
        chars = list(text)
        for comment in self.items:
            chars[comment.span.start : comment.span.end] = "x" * (
                comment.span.end - comment.span.start
            )
        self.masked = "".join(chars)
        self._own_line: dict[int, bool] = {}
        for comment in self.items:
            self._own_line[comment.span.start] = self._classify(comment)

    def _classify(self, comment: ast.Comment) -> bool:
        pos = comment.span.start
        while pos > 0 and self.text[pos - 1] in " \t":
            pos -= 1
        if pos == 0 or self.text[pos - 1] == "\n":
            return True
        before = self._ending_at(pos)
        # `/* a */ /* b */` on a line of their own: b goes wherever a goes
        return before is not None and self._own_line[before.span.start]

    def _ending_at(self, pos: int) -> ast.Comment | None:
        index = bisect.bisect_left(self._starts, pos) - 1
        if index >= 0 and self.items[index].span.end == pos:
            return self.items[index]
        return None

    def own_line(self, comment: ast.Comment) -> bool:
        """True when only whitespace (or comments that start their line) precede it on its line."""
        return self._own_line[comment.span.start]

    def within(self, start: int, end: int) -> list[ast.Comment]:
        """The comments that lie wholly in [start, end)."""
        first = bisect.bisect_left(self._starts, start)
        found = []
        for comment in self.items[first:]:
            if comment.span.start >= end:
                break
            if comment.span.end <= end:
                found.append(comment)
        return found

    def blank_before(self, pos: int) -> bool:
        """Did the author leave a blank line just before this position?"""
        run_start = pos
        while run_start > 0 and self.masked[run_start - 1] in " \t\n":
            run_start -= 1
        return self.masked.count("\n", run_start, pos) >= 2 and run_start > 0

    def skip(self, pos: int) -> int:
        """The first offset at or after pos (a token's end) that is not whitespace or comment."""
        while pos < len(self.text):
            if self.text[pos] in " \t\n":
                pos += 1
            elif (comment := self._starting_at(pos)) is not None:
                pos = comment.span.end
            else:
                return pos
        return pos

    def _starting_at(self, pos: int) -> ast.Comment | None:
        index = bisect.bisect_left(self._starts, pos)
        if index < len(self.items) and self._starts[index] == pos:
            return self.items[index]
        return None

    def inside_block(self, pos: int) -> bool:
        """Is pos strictly inside a comment (a line of a `/* … */` that spans lines)?"""
        index = bisect.bisect_right(self._starts, pos) - 1
        if index < 0:
            return False
        comment = self.items[index]
        return comment.span.start < pos < comment.span.end


def settle(comments: Sequence[ast.Comment]) -> tuple[list[ast.Comment], list[ast.Comment]]:
    """Split a line's trailing comments into those that stay and those that must move.

    Only one `#` comment fits at the end of a line, and only as the last thing on it; a
    `/* */` comment that spans lines also ends the line. What does not fit moves to its
    own line just before the unit. An ignore comment is the one that stays.
    """
    inline = all(not is_hash(c) and "\n" not in c.text for c in comments[:-1])
    if inline:
        return list(comments), []
    ignores = [c for c in comments if is_ignore(c)]
    keep = ignores[-1] if ignores else comments[-1]
    return [keep], [c for c in comments if c is not keep]


def trailing_text(comments: Sequence[ast.Comment]) -> str:
    """`  # note` (two spaces, then the comments separated by one space), or nothing."""
    if not comments:
        return ""
    return "  " + " ".join(c.text.rstrip() for c in comments)
