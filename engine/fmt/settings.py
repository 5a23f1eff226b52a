"""What fmt needs that the AST does not keep: a `field` block's settings as written, and
a type's arguments without the spacing and comments `TypeRef.text` keeps.

`ast.FieldMapping` keeps only the values it understood (an unknown key, a second `sync`
or a dotted `lead:` value is reported and dropped), but fmt must print every setting the
author wrote. They are read off the parse tree here, with the lowering's own `setting`
rule; the tree is only walked by `children` and `data`, so lark stays inside `syntax/`.
"""

from __future__ import annotations

import re
from typing import Any

from engine import ast
from engine.source import SourceFile
from engine.syntax.lower import Lower

_TYPE_TOKEN = re.compile(
    r"""(?P<skip>\s+|\#[^\n]*|/\*[\s\S]*?\*/)
      | (?P<token>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[^\s,()"'#/]+|[(),])""",
    re.VERBOSE,
)


def field_settings(tree: Any, source: SourceFile) -> dict[int, tuple[ast.Setting, ...]]:
    """The settings of every top-level `field` block, by the block's start offset."""
    found: dict[int, tuple[ast.Setting, ...]] = {}
    for child in tree.children:
        if getattr(child, "data", None) != "field_map":
            continue
        lower = Lower(source)
        found[child.meta.start_pos] = tuple(
            lower.transform(c) for c in child.children if getattr(c, "data", None) == "setting"
        )
    return found


def type_parts(written: str) -> tuple[str, list[str] | None]:
    """`picklist( "a" ,"b" )` → ("picklist", ['"a"', '"b"']); arguments as written."""
    tokens = [m.group("token") for m in _TYPE_TOKEN.finditer(written) if m.group("token")]
    if "(" not in tokens:
        return "".join(tokens), None
    opening = tokens.index("(")
    return "".join(tokens[:opening]), [t for t in tokens[opening + 1 : -1] if t != ","]


def type_text(written: str) -> str:
    """`picklist( "a" ,"b" )` → `picklist("a", "b")`: the type's tokens, spaced canonically."""
    name, args = type_parts(written)
    return name if args is None else f"{name}({', '.join(args)})"
