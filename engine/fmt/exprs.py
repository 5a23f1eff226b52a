"""Expressions printed from the AST: single spaces, parentheses from precedence.

Precedence follows grammar/syncrules.lark, loosest first: `or`, `and`, `not`, comparisons
(`= < in (…) in group`), `+ - &`, `* /`, `^`, signs, atoms. What the author chose between
two spellings of one operator (`and`/`&&`, `=`/`==`, `!`/`not`), a number's digits and a
keyword's case are kept: they are read back from the source text.
"""

from __future__ import annotations

import re

from engine import ast

OR, AND, NOT, COMPARE, ADD, MUL, POW, SIGN, ATOM = range(1, 10)

# The loosest level each operand may have without parentheses: (left, right).
_OPERANDS = {
    ast.BinaryOp.ADD: (ADD, MUL),
    ast.BinaryOp.SUB: (ADD, MUL),
    ast.BinaryOp.CONCAT: (ADD, MUL),
    ast.BinaryOp.MUL: (MUL, POW),
    ast.BinaryOp.DIV: (MUL, POW),
    ast.BinaryOp.POW: (SIGN, SIGN),  # `a ^ b ^ c` does not parse: both sides bind tighter
}
_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")
_CONTROL = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def level(expr: ast.Expr) -> int:
    """How loosely an expression binds (1 = `or` … 9 = an atom)."""
    match expr:
        case ast.Logic(op=ast.LogicOp.OR):
            return OR
        case ast.Logic():
            return AND
        case ast.Unary(op=ast.UnaryOp.NOT):
            return NOT
        case ast.Unary():
            return SIGN
        case ast.InList() | ast.InGroup():
            return COMPARE
        case ast.Binary(op=op) if op in ast.COMPARISONS:
            return COMPARE
        case ast.Binary(op=ast.BinaryOp.POW):
            return POW
        case ast.Binary(op=ast.BinaryOp.MUL | ast.BinaryOp.DIV):
            return MUL
        case ast.Binary():
            return ADD
        case _:
            return ATOM


def quote(value: str, preferred: str = '"') -> str:
    """A quoted text that reads back as value: the author's quote unless the other one
    saves escaping. Every backslash is doubled, as Salesforce formulas need (`"\\d"`)."""
    mark = preferred
    other = "'" if mark == '"' else '"'
    if mark in value and other not in value:
        mark = other
    out: list[str] = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == mark:
            out.append("\\" + ch)
        else:
            out.append(_CONTROL.get(ch, ch))
    return mark + "".join(out) + mark


class ExprPrinter:
    """Prints expressions of one source text on one line."""

    def __init__(self, text: str) -> None:
        self.text = text

    def source(self, span_start: int, span_end: int) -> str:
        return self.text[span_start:span_end]

    def quote_char(self, offset: int) -> str:
        ch = self.text[offset : offset + 1]
        return ch if ch in ("'", '"') else '"'

    def print(self, expr: ast.Expr) -> str:
        match expr:
            case ast.Literal():
                return self.literal(expr)
            case ast.Name(parts=parts):
                return ".".join(parts)
            case ast.Call(function=function, args=args):
                return f"{function.name}({', '.join(self.print(a) for a in args)})"
            case ast.Unary():
                return self.unary(expr)
            case ast.Binary(op=op, left=left, right=right):
                written = expr.written or op.value
                if op in ast.COMPARISONS:
                    need_left = need_right = ADD
                else:
                    need_left, need_right = _OPERANDS[op]
                if op is ast.BinaryOp.POW and isinstance(left, ast.Unary):
                    need_left = ATOM  # `-a ^ 2` is (-a) ^ 2 here; say so
                return (
                    f"{self.operand(left, need_left)} {written} {self.operand(right, need_right)}"
                )
            case ast.Logic():
                words = self.logic_words(expr)
                shown = [self.logic_operand(o) for o in expr.operands]
                return shown[0] + "".join(
                    f" {w} {p}" for w, p in zip(words, shown[1:], strict=True)
                )
            case ast.InList(subject=subject, options=options):
                listed = ", ".join(self.print(o) for o in options)
                return f"{self.operand(subject, ADD)} in ({listed})"
            case ast.InGroup(subject=subject, group=group):
                mark = self.quote_char(expr.span.end - 1)
                return f"{self.operand(subject, ADD)} in group {quote(group, mark)}"
        raise AssertionError(f"unknown expression {expr!r}")

    def operand(self, expr: ast.Expr, loosest: int) -> str:
        text = self.print(expr)
        return f"({text})" if level(expr) < loosest else text

    def logic_operand(self, expr: ast.Expr) -> str:
        # an and-chain inside an or-chain needs no parentheses, but readers want them
        text = self.print(expr)
        return f"({text})" if isinstance(expr, ast.Logic) else text

    def logic_words(self, expr: ast.Logic) -> tuple[str, ...]:
        count = len(expr.operands) - 1
        if len(expr.written) == count:
            return expr.written
        return (expr.op.value,) * count

    def unary(self, expr: ast.Unary) -> str:
        if expr.op is not ast.UnaryOp.NOT:
            return expr.op.value + self.operand(expr.operand, SIGN)
        if self.text[expr.span.start : expr.span.start + 1] == "!":
            # `!a = b` means `!(a = b)`; spelled `!`, that surprises readers, so say it
            inner = self.print(expr.operand)
            bare = level(expr.operand) in (NOT, SIGN, ATOM)
            return "!" + (inner if bare else f"({inner})")
        return "not " + self.operand(expr.operand, NOT)

    def literal(self, expr: ast.Literal) -> str:
        written = self.source(expr.span.start, expr.span.end)
        value = expr.value
        if isinstance(value, str):
            return quote(value, self.quote_char(expr.span.start))
        if isinstance(value, bool) or value is None:
            canonical = "null" if value is None else str(value).lower()
            return written if written.lower() == canonical else canonical
        return written if _NUMBER.fullmatch(written) else str(value)
