"""Where every name of a checked rule set is declared and used: what an editor asks.

Built from the AST (declarations, mapping and block names) and from the checker's IR
(names inside expressions, already resolved to a field or a stage), so a name means here
what it means to `check`. Pure: no editor protocol and no file access.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from engine import ast, ir
from engine.check.model import CheckedRules
from engine.fieldtypes import SALESFORCE_OBJECTS, api_key
from engine.lint.suppress import IGNORE
from engine.loader import include_target
from engine.source import Span


class Kind(StrEnum):
    """What a name in a rule file stands for; also its semantic-token type."""

    OBJECT = "object"
    FIELD = "field"
    STAGE = "stage"
    VALIDATION = "validation"
    FUNCTION = "function"
    TYPE = "type"
    FILE = "file"
    SYNC = "sync"
    IGNORE = "ignore"  # a rule named in `# syncrules: ignore[…]`


@dataclass(frozen=True, slots=True)
class Symbol:
    """One thing with a name: `("lead", "country")` for the field lead.Country."""

    kind: Kind
    key: tuple[str, ...]
    name: str  # as written where it was found


@dataclass(frozen=True, slots=True)
class Occurrence:
    symbol: Symbol
    span: Span
    definition: bool = False


def field_symbol(obj: str, name: str) -> Symbol:
    key = api_key(name) if obj in SALESFORCE_OBJECTS else name
    return Symbol(Kind.FIELD, (obj, key), f"{obj}.{name}")


@dataclass(slots=True)
class Index:
    """Occurrences by file, in text order, with look-ups by position and by symbol."""

    by_path: dict[str, list[Occurrence]] = field(default_factory=dict)
    _starts: dict[str, list[int]] = field(default_factory=dict)

    def add(self, symbol: Symbol, span: Span, definition: bool = False) -> None:
        self.by_path.setdefault(span.path, []).append(Occurrence(symbol, span, definition))

    def finish(self) -> Index:
        for path, found in self.by_path.items():
            # one occurrence per range: a declaration also seen as a use stays a declaration
            unique: dict[tuple[int, int], Occurrence] = {}
            for occ in sorted(found, key=lambda o: (o.span.start, -o.span.end, not o.definition)):
                unique.setdefault((occ.span.start, occ.span.end), occ)
            self.by_path[path] = list(unique.values())
            self._starts[path] = [o.span.start for o in self.by_path[path]]
        return self

    def at(self, path: str, offset: int) -> Occurrence | None:
        """The innermost occurrence covering an offset (a cursor just after a name counts)."""
        found = self.by_path.get(path, [])
        index = bisect.bisect_right(self._starts.get(path, []), offset)
        best: Occurrence | None = None
        for occ in reversed(found[max(0, index - 8) : index]):
            if occ.span.start <= offset <= occ.span.end and (
                best is None or occ.span.end - occ.span.start < best.span.end - best.span.start
            ):
                best = occ
        return best

    def all(self) -> Iterator[Occurrence]:
        for found in self.by_path.values():
            yield from found

    def of(self, symbol: Symbol) -> list[Occurrence]:
        key = (symbol.kind, symbol.key)
        found = [o for o in self.all() if (o.symbol.kind, o.symbol.key) == key]
        return sorted(found, key=lambda o: o.span.sort_key())

    def definitions(self, symbol: Symbol) -> list[Span]:
        return [o.span for o in self.of(symbol) if o.definition]

    def references(self, symbol: Symbol, include_declaration: bool) -> list[Span]:
        return [o.span for o in self.of(symbol) if include_declaration or not o.definition]


FileCache = dict[str, tuple[ast.RuleFile, list[Occurrence]]]


def build(rules: CheckedRules, cache: FileCache | None = None) -> Index:
    """Every declaration and use in the rule set's files and imported SFDX files.

    `cache` keeps each file's own occurrences between builds: a file the loader did not
    parse again (the same items) is not walked again."""
    index = Index()
    for rule_file in rules.files:
        known = cache.get(rule_file.path) if cache is not None else None
        if known is not None and known[0].items is rule_file.items:
            index.by_path.setdefault(rule_file.path, []).extend(known[1])
            continue
        own = Index()
        for item in rule_file.items:
            _item(own, item, rule_file.path)
        for comment in rule_file.comments:
            _ignores(own, comment)
        found = own.by_path.get(rule_file.path, [])
        if cache is not None:
            cache[rule_file.path] = (rule_file, found)
        for path, occurrences in own.by_path.items():
            index.by_path.setdefault(path, []).extend(occurrences)
    # what the checker resolved inside expressions, wherever the expression came from
    exprs: list[ir.Expr] = [s.when for s in rules.stages]
    exprs += [s.when for s in rules.shares]
    org_shares = {id(s) for s in rules.shares}  # a unit keeps some org-wide rules as they are
    exprs += [s.when for u in rules.units for s in u.shares if id(s) not in org_shares]
    exprs += [v.error_if for v in rules.validations]
    if rules.gate.node is not None:
        exprs.append(rules.gate.when)
    for expr in exprs:
        for node in ir.walk(expr):
            if isinstance(node, ir.FieldRef):
                index.add(field_symbol(node.object, node.name), node.span)
            elif isinstance(node, ir.StageRef):
                index.add(Symbol(Kind.STAGE, (node.name,), node.name), node.span)
    # fields declared outside rule files (an imported SFDX tree): their own XML spans
    for model in rules.objects.values():
        for info in model.fields.values():
            if not info.span.path.endswith(".sync"):
                index.add(field_symbol(model.name, info.name), info.span, definition=True)
    for validation in rules.validations:
        if not validation.node.name.span.path.endswith(".sync"):
            symbol = Symbol(Kind.VALIDATION, (validation.name,), validation.name)
            index.add(symbol, validation.node.name.span, definition=True)
    return index.finish()


def _object(index: Index, ident: ast.Ident) -> None:
    index.add(Symbol(Kind.OBJECT, (ident.name,), ident.name), ident.span)


def _fields(index: Index, obj: str, idents: tuple[ast.Ident, ...]) -> None:
    for ident in idents:
        index.add(field_symbol(obj, ident.name), ident.span)


def _item(index: Index, item: ast.Item, path: str) -> None:
    match item:
        case ast.ObjectDecl():
            _object(index, item.object)
            for decl in item.fields:
                index.add(field_symbol(item.object.name, decl.name.name), decl.name.span, True)
                index.add(Symbol(Kind.TYPE, (decl.type.text,), decl.type.text), decl.type.span)
        case ast.FieldMapping():
            _fields(index, "prospect", (item.prospect_field,))
            if item.lead is not None:
                _fields(index, "lead", (item.lead,))
            if item.contact is not None:
                _fields(index, "contact", (item.contact,))
            if item.sync_span is not None:
                index.add(Symbol(Kind.SYNC, (item.sync.value,), item.sync.value), item.sync_span)
        case ast.Stage():
            index.add(Symbol(Kind.STAGE, (item.name.name,), item.name.name), item.name.span, True)
            _calls(index, item.when)
        case ast.Share() | ast.CreateGate():
            _object(index, item.object)
            _calls(index, item.when)
        case ast.BusinessUnit():
            for inner in item.items:  # its share rules name objects and call functions
                _item(index, inner, path)
        case ast.Validation():
            symbol = Symbol(Kind.VALIDATION, (item.name.name,), item.name.name)
            index.add(symbol, item.name.span, True)
            _object(index, item.object)
            if item.field is not None:
                _fields(index, item.object.name, (item.field,))
            _calls(index, item.error_if)
        case ast.Duplicate():
            _object(index, item.object)
            _fields(index, item.object.name, item.fields)
        case ast.Personalization():
            for match in item.matches:
                _object(index, match.object)
                _fields(index, match.object.name, match.fields)
        case ast.Include():
            target = include_target(path, item.path)
            index.add(Symbol(Kind.FILE, (target,), item.path), item.span)
        case ast.ImportSalesforce():
            target = os.path.normpath(os.path.join(os.path.dirname(path), item.path))
            index.add(Symbol(Kind.FILE, (target,), item.path), item.span)
        case _:
            pass


def _ignores(index: Index, comment: ast.Comment) -> None:
    """Each rule named in `# syncrules: ignore[a, b]`, so hover can show its page."""
    match = IGNORE.search(comment.text)
    if match is None:
        return
    at = match.start(1)
    for part in match.group(1).split(","):
        name = part.strip()
        if name:
            start = comment.span.start + at + part.index(name)
            span = Span(
                comment.span.path,
                start,
                start + len(name),
                comment.span.line,
                comment.span.col + (start - comment.span.start),
                comment.span.line,
                comment.span.col + (start - comment.span.start) + len(name),
            )
            index.add(Symbol(Kind.IGNORE, (name,), name), span)
        at += len(part) + 1


def _calls(index: Index, expr: ast.Expr) -> None:
    """Function names in an expression (the IR keeps only the call's whole span)."""
    stack: list[ast.Expr] = [expr]
    while stack:
        node = stack.pop()
        match node:
            case ast.Call():
                name = node.function.name.upper()
                index.add(Symbol(Kind.FUNCTION, (name,), name), node.function.span)
                stack.extend(node.args)
            case ast.Unary():
                stack.append(node.operand)
            case ast.Binary():
                stack.extend((node.left, node.right))
            case ast.Logic():
                stack.extend(node.operands)
            case ast.InList():
                stack.extend((node.subject, *node.options))
            case ast.InGroup():
                stack.append(node.subject)
            case _:
                pass
