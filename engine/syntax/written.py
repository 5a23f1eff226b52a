"""A rule file as written, for the formatter: its items, the settings of each `field`
block as they appear, and its comments; or the errors that stop a formatter.

The formatter needs what the AST leaves out: comments, and every setting of a `field`
block as typed (`ast.FieldMapping` keeps only the values it understood: an unknown key,
a second `sync` or a dotted `lead:` value is reported and dropped). They are read off the
parse tree with the lowering's own `setting` rule. Reading it here keeps lark's types
inside `syntax/`: `fmt` sees AST nodes only.
"""

from __future__ import annotations

from dataclasses import dataclass

from lark import Tree

from engine import ast, codes
from engine.diagnostics import Diagnostic
from engine.source import SourceFile
from engine.syntax.lower import Lower, lower_tree
from engine.syntax.parser import parse_tree


@dataclass(frozen=True, slots=True)
class Written:
    items: list[ast.Item]
    field_settings: dict[int, tuple[ast.Setting, ...]]  # by the `field` block's start offset
    comments: list[ast.Comment]


def read_written(source: SourceFile) -> Written | tuple[Diagnostic, ...]:
    """The file's items, `field` settings and comments, or the errors that stop fmt."""
    parsed = parse_tree(source)
    if parsed.tree is None:
        assert parsed.diagnostic is not None
        return (parsed.diagnostic,)
    items, problems = lower_tree(parsed.tree, source)
    # lower_tree leaves out an item nested too deeply; formatting without it would drop it
    too_deep = tuple(d for d in problems if d.code == codes.TOO_DEEP.code)
    if too_deep:
        return too_deep
    comments = [
        ast.Comment(str(t), source.span(t.start_pos or 0, t.end_pos or 0)) for t in parsed.comments
    ]
    settings: dict[int, tuple[ast.Setting, ...]] = {}
    for child in parsed.tree.children:
        if not isinstance(child, Tree) or child.data != "field_map":
            continue
        lower = Lower(source)
        settings[child.meta.start_pos] = tuple(
            lower.transform(c)
            for c in child.children
            if isinstance(c, Tree) and c.data == "setting"
        )
    return Written(items, settings, comments)
