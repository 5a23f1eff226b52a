"""A type's arguments without the spacing and comments `TypeRef.text` keeps.

(A `field` block's settings as written, which `ast.FieldMapping` does not keep, come
from `engine.syntax.written`.)
"""

from __future__ import annotations

import re

_TYPE_TOKEN = re.compile(
    r"""(?P<skip>\s+|\#[^\n]*|/\*[\s\S]*?\*/)
      | (?P<token>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[^\s,()"'#/]+|[(),])""",
    re.VERBOSE,
)


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
