"""A Salesforce formula from a metadata file → an `ast.Expr`, located in that file.

The formula is parsed by the rule language's own expression grammar (SPEC §1,
Expressions), wrapped as the condition of a throw-away stage. Every span of the result,
and of any syntax error, is then moved from the wrapper text into the XML file: the line
and column where the formula's character stands, entities such as `&amp;&amp;` included.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine import ast, codes
from engine.diagnostics import Diagnostic
from engine.source import SourceFile, Span
from engine.syntax.lower import lower_tree
from engine.syntax.parser import parse_tree

PREFIX = "stage __formula when "


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a formula's text lies: the file, and each character's offset in it."""

    source: SourceFile
    positions: Sequence[int]  # one per character of the formula, plus its end

    def span(self, start: int, end: int) -> Span:
        """A span of the wrapper text, moved into the file."""
        last = len(self.positions) - 1
        first = self.positions[max(0, min(start - len(PREFIX), last))]
        after = self.positions[max(0, min(end - len(PREFIX), last))]
        return self.source.span(first, max(first, after))


@dataclass(frozen=True, slots=True)
class ParsedFormula:
    expr: ast.Expr | None
    diagnostics: tuple[Diagnostic, ...]


def parse_formula(formula: str, placed: Placed) -> ParsedFormula:
    """Parse a formula; its problems are located in the file the formula came from."""
    if not formula.strip():
        span = placed.span(len(PREFIX), len(PREFIX) + len(formula))
        return ParsedFormula(None, (codes.SYNTAX_ERROR.at(span, "the formula is empty"),))
    snippet = SourceFile(placed.source.path, PREFIX + normalise(formula))
    parsed = parse_tree(snippet)
    if parsed.tree is None:
        assert parsed.diagnostic is not None
        return ParsedFormula(None, (_syntax_error(parsed.diagnostic, placed),))
    items, problems = lower_tree(parsed.tree, snippet)
    moved = tuple(_move_diagnostic(d, placed) for d in problems)
    stage = items[0] if items else None
    if not isinstance(stage, ast.Stage):
        return ParsedFormula(None, moved)
    return ParsedFormula(_move(stage.when, placed), moved)


_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_]*")


def normalise(formula: str, *, keep_length: bool = True) -> str:
    """Salesforce spellings the rule grammar reads differently, rewritten in place.

    Every rewrite keeps the text's length, so positions in the result are positions in the
    formula as written (with `keep_length=False`, the padding is left out, for rule text):
    - `NOT ISBLANK(x)`: Salesforce also reads NOT (any case) as a prefix operator; the rule
      grammar's operator is `not`/`!`, so the word becomes `!  `;
    - `Owner:User.Name`: a polymorphic lookup narrowed to one type reads as `Owner.Name`
      (the `:User` becomes spaces, which the grammar skips inside a dotted name).
    """
    out = list(formula)
    index = 0
    while index < len(formula):
        char = formula[index]
        if char in "\"'":
            index = _string_end(formula, index)
            continue
        if formula.startswith("/*", index):
            close = formula.find("*/", index + 2)
            index = len(formula) if close == -1 else close + 2
            continue
        match = _WORD.match(formula, index)
        if match is None:
            index += 1
            continue
        word, end = match.group(), match.end()
        rest = formula[end:].lstrip()
        pad = " " if keep_length else ""
        if word.upper() == "NOT" and word != "not" and not rest.startswith("("):
            out[index] = "!"
            for k in range(index + 1, end):
                out[k] = pad
        elif formula.startswith(":", end):
            narrowed = _WORD.match(formula, end + 1)
            if narrowed is not None and formula.startswith(".", narrowed.end()):
                for k in range(end, narrowed.end()):
                    out[k] = pad
                end = narrowed.end()
        index = end
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return index + 1
        index += 1
    return len(text)


def _syntax_error(diagnostic: Diagnostic, placed: Placed) -> Diagnostic:
    hint = diagnostic.hint
    if hint and "a new rule" in hint:
        hint = "expected an operator, a closing parenthesis or the end of the formula"
    message = diagnostic.message.replace(
        "the file ends in the middle of a rule", "the formula ends too early"
    )
    return dataclasses.replace(
        diagnostic,
        message=f"in the formula: {message}",
        hint=hint,
        span=_move_span(diagnostic.span, placed),
    )


def _move_diagnostic(diagnostic: Diagnostic, placed: Placed) -> Diagnostic:
    return dataclasses.replace(diagnostic, span=_move_span(diagnostic.span, placed))


def _move_span(span: Span, placed: Placed) -> Span:
    return placed.span(span.start, span.end)


def _move(node: Any, placed: Placed) -> Any:
    """A copy of an AST node with every span moved into the file (nodes are frozen)."""
    if isinstance(node, Span):
        return _move_span(node, placed)
    if isinstance(node, tuple):
        return tuple(_move(item, placed) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {
            f.name: _move(getattr(node, f.name), placed)
            for f in dataclasses.fields(node)
            if _movable(getattr(node, f.name))
        }
        return dataclasses.replace(node, **changes)
    return node


def _movable(value: object) -> bool:
    return isinstance(value, (Span, tuple)) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    )
