"""What a formatted file must keep, computed here independently of engine.fmt.

Items are compared with spans ignored (AST equality) after two normalisations that fmt's
canonical layout makes on purpose: a block's settings are ordered (the first of two equal
keys stays first), and a type is spelled without spaces or comments (`TypeRef.text`
keeps the type as written). Comments are compared as a multiset of texts, trailing
spaces on their lines aside (fmt removes trailing spaces everywhere).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any, TypeGuard

from lark import Tree

from engine import ast
from engine.source import SourceFile
from engine.syntax.lower import Lower, lower_tree
from engine.syntax.parser import parse_tree

_TYPE_TOKENS = re.compile(
    r"""(?P<skip>\s+|\#[^\n]*|/\*[\s\S]*?\*/)|(?P<token>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|.)"""
)


@dataclasses.dataclass(frozen=True)
class Kept:
    items: tuple[Any, ...]
    field_settings: tuple[tuple[ast.Setting, ...], ...]
    comments: Counter[str]


def parses(text: str) -> bool:
    return parse_tree(SourceFile("t.sync", text)).tree is not None


def kept(text: str) -> Kept:
    """The parts of a rule file's text that formatting must not change."""
    source = SourceFile("t.sync", text.replace("\r\n", "\n"))
    parsed = parse_tree(source)
    assert parsed.tree is not None, parsed.diagnostic
    items, _problems = lower_tree(parsed.tree, source)
    fields = tuple(
        _ordered(tuple(Lower(source).transform(c) for c in child.children if _is(c, "setting")))
        for child in parsed.tree.children
        if _is(child, "field_map")
    )
    comments = Counter(
        "\n".join(line.rstrip() for line in str(token).split("\n")) for token in parsed.comments
    )
    return Kept(tuple(_normal(item) for item in items), fields, comments)


def _is(node: object, rule: str) -> TypeGuard[Tree[Any]]:
    return isinstance(node, Tree) and node.data == rule


def _ordered(settings: tuple[ast.Setting, ...]) -> tuple[ast.Setting, ...]:
    return tuple(sorted(settings, key=lambda s: s.key.name))


def _normal(item: ast.Item) -> Any:
    if isinstance(item, ast.Connector | ast.Validation | ast.Personalization):
        return dataclasses.replace(item, settings=_ordered(item.settings))
    if isinstance(item, ast.ObjectDecl):
        fields = tuple(
            dataclasses.replace(f, type=dataclasses.replace(f.type, text=_type(f.type.text)))
            for f in item.fields
        )
        return dataclasses.replace(item, fields=fields)
    if isinstance(item, ast.BusinessUnit):  # a unit's connector block is ordered the same way
        return dataclasses.replace(item, items=tuple(_normal(i) for i in item.items))
    return item


def _type(text: str) -> str:
    return "".join(m.group("token") or "" for m in _TYPE_TOKENS.finditer(text))
