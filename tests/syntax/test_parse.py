"""Rule text → AST, printed as an indented tree (spans left out): cases/<name>.sync →
cases/<name>.ast.txt. Plus the span contract: every node knows where it came from."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from enum import Enum
from pathlib import Path

import pytest

from engine import ast
from engine.loader import load_text
from engine.source import Span

CASES = Path(__file__).parent / "cases"


def dump(node: object, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(node, tuple):
        if not node:
            return f"{pad}()"
        return "\n".join(dump(item, indent) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        fields = [
            (f.name, getattr(node, f.name))
            for f in dataclasses.fields(node)
            if f.compare and not isinstance(getattr(node, f.name), Span)
        ]
        simple = [(k, v) for k, v in fields if _simple(v)]
        nested = [(k, v) for k, v in fields if not _simple(v)]
        head = f"{pad}{type(node).__name__}"
        if simple:
            head += " " + " ".join(f"{k}={_show(v)}" for k, v in simple)
        lines = [head]
        for key, value in nested:
            lines.append(f"{pad}  {key}:")
            lines.append(dump(value, indent + 2))
        return "\n".join(lines)
    return f"{pad}{_show(node)}"


def _simple(value: object) -> bool:
    if isinstance(value, ast.Ident):
        return True
    if isinstance(value, tuple):
        return all(isinstance(v, str | ast.Ident) for v in value)
    return not dataclasses.is_dataclass(value)


def _show(value: object) -> str:
    if isinstance(value, ast.Ident):
        return value.name
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return f"{value}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return repr(value)


@pytest.mark.parametrize("case", sorted(CASES.glob("*.sync")), ids=lambda p: p.stem)
def test_parse_case(case: Path, golden) -> None:  # type: ignore[no-untyped-def]
    loaded = load_text(case.read_text(encoding="utf-8"), case.name)
    assert loaded.diagnostics == ()
    golden(case.with_suffix(".ast.txt"), dump(loaded.items) + "\n")


def test_every_node_has_a_span_inside_its_file() -> None:
    text = (CASES / "expressions.sync").read_text(encoding="utf-8")
    loaded = load_text(text, "expressions.sync")
    seen = 0
    stack: list[object] = list(loaded.items)
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            span = getattr(node, "span", None)
            if span is not None:
                assert span.path == "expressions.sync"
                assert 0 <= span.start <= span.end <= len(text)
                seen += 1
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    assert seen > 50


def test_equality_ignores_position() -> None:
    a = load_text("stage MQL when score >= 100", "a.sync").items
    b = load_text("\n\n   stage   MQL\nwhen score>=100  # moved", "b.sync").items
    assert a == b
