"""What formatting must not change: the items (up to layout) and every comment's text.

fmt checks its own output against this before returning it, as black checks that its
output parses to an equivalent tree: a file is never rewritten into something else.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from typing import Any

from engine import ast
from engine.fmt.settings import type_text


@dataclasses.dataclass(frozen=True, slots=True)
class Meaning:
    items: tuple[Any, ...]
    field_settings: tuple[tuple[ast.Setting, ...], ...]
    comments: Counter[str]


def meaning(
    items: Iterable[ast.Item],
    field_settings: dict[int, tuple[ast.Setting, ...]],
    comments: Iterable[ast.Comment],
) -> Meaning:
    return Meaning(
        tuple(_normal(item) for item in items),
        tuple(_sorted(s) for _, s in sorted(field_settings.items())),
        Counter(comment_text(c.text) for c in comments),
    )


def comment_text(text: str) -> str:
    """A comment's text up to trailing spaces on its lines, which fmt removes."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _sorted(settings: tuple[ast.Setting, ...]) -> tuple[ast.Setting, ...]:
    # fmt orders a block's settings; the first of two equal keys stays first (it wins)
    return tuple(sorted(settings, key=lambda s: s.key.name))


def _normal(item: ast.Item) -> Any:
    match item:
        case ast.Connector() | ast.Validation() | ast.Personalization() | ast.Campaigns():
            return dataclasses.replace(item, settings=_sorted(item.settings))
        case ast.ObjectDecl(fields=fields):
            return dataclasses.replace(item, fields=tuple(_normal_field(f) for f in fields))
        case ast.BusinessUnit(items=items):
            return dataclasses.replace(item, items=tuple(_normal(i) for i in items))
    return item


def _normal_field(decl: ast.FieldDecl) -> ast.FieldDecl:
    # `TypeRef.text` is the type as written, spacing and comments included
    written = dataclasses.replace(decl.type, text=type_text(decl.type.text))
    return dataclasses.replace(decl, type=written)
