"""Long lines broken at the seams readers expect: `and`/`or` chains, call arguments, lists.

A line that fits in WIDTH columns stays whole. Otherwise an `and`/`or` chain puts one
operand per line, each continuation line starting with its operator; a call puts one
argument per line and its `)` under the line that opened it; a type's values fill lines.
Parts that still do not fit are broken the same way, inside out.
"""

from __future__ import annotations

from engine import ast
from engine.fmt.exprs import ADD, ExprPrinter

INDENT = "    "
WIDTH = 100


def wrap(printer: ExprPrinter, expr: ast.Expr, head: str, base: str, tail: str) -> list[str]:
    """The lines of `head + expr + tail`, broken where they would pass WIDTH.

    `base` is the indentation of the construct the expression belongs to: a call's `)`
    goes there, its arguments one level in; a chain's operators go one level in too, or
    at `base` itself when the chain starts its own line."""
    one = head + printer.print(expr) + tail
    if len(one) <= WIDTH:
        return [one]
    match expr:
        case ast.Logic(operands=operands):
            cont = base if head == base else base + INDENT
            words = printer.logic_words(expr)
            last = len(operands) - 1
            lines = _operand(printer, operands[0], head, cont, tail if last == 0 else "")
            for index, (word, operand) in enumerate(zip(words, operands[1:], strict=True), 1):
                end = tail if index == last else ""
                lines += _operand(printer, operand, f"{cont}{word} ", cont, end)
            return lines
        case ast.Call(function=function, args=args) if args:
            return _listed(printer, f"{head}{function.name}(", args, base, ")" + tail)
        case ast.InList(subject=subject, options=options):
            opening = f"{head}{printer.operand(subject, ADD)} in ("
            return _listed(printer, opening, options, base, ")" + tail)
    return [one]


def _operand(printer: ExprPrinter, operand: ast.Expr, head: str, base: str, tail: str) -> list[str]:
    """An operand of a chain; a chain inside it keeps its parentheses."""
    if not isinstance(operand, ast.Logic):
        return wrap(printer, operand, head, base, tail)
    one = f"{head}({printer.print(operand)}){tail}"
    if len(one) <= WIDTH:
        return [one]
    inner = base + INDENT
    return [head + "(", *wrap(printer, operand, inner, inner, ""), base + ")" + tail]


def _listed(
    printer: ExprPrinter, opening: str, exprs: tuple[ast.Expr, ...], base: str, closing: str
) -> list[str]:
    """`f(` / one argument per line, a level in / `)` at the base."""
    inner = base + INDENT
    lines = [opening]
    for index, expr in enumerate(exprs):
        comma = "," if index < len(exprs) - 1 else ""
        lines += wrap(printer, expr, inner, inner, comma)
    lines.append(base + closing)
    return lines


def fill(opening: str, values: list[str], base: str, closing: str) -> list[str]:
    """`picklist(` / values filling lines up to WIDTH / `)`: long type argument lists."""
    lines = [opening]
    current = ""
    for index, value in enumerate(values):
        piece = value + ("," if index < len(values) - 1 else "")
        if current and len(current) + 1 + len(piece) > WIDTH:
            lines.append(current)
            current = ""
        current = f"{current} {piece}" if current else base + INDENT + piece
    lines.append(current)
    lines.append(base + closing)
    return lines
