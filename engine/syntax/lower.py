"""Lark tree → typed AST. Callbacks never raise: they report and return a placeholder."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from lark import Token, Tree
from lark.tree import Meta

from engine import ast, codes
from engine.diagnostics import Diagnostic
from engine.fieldtypes import FieldType, Kind
from engine.source import SourceFile, Span
from engine.vocabulary import CONNECTOR_SETTINGS, CONNECTOR_USER_SETTINGS

# Deeper than this an expression is refused with a located diagnostic, not a crash.
MAX_DEPTH = 25_000

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
_CMP = {
    "=": ast.BinaryOp.EQ,
    "==": ast.BinaryOp.EQ,
    "!=": ast.BinaryOp.NE,
    "<>": ast.BinaryOp.NE,
    "<": ast.BinaryOp.LT,
    "<=": ast.BinaryOp.LE,
    ">": ast.BinaryOp.GT,
    ">=": ast.BinaryOp.GE,
}
_ARITH = {
    "+": ast.BinaryOp.ADD,
    "-": ast.BinaryOp.SUB,
    "&": ast.BinaryOp.CONCAT,
    "*": ast.BinaryOp.MUL,
    "/": ast.BinaryOp.DIV,
    "^": ast.BinaryOp.POW,
}
T = TypeVar("T")
SYNC_VALUES = {s.value: s for s in ast.Sync}
MATCH_VALUES = {m.value: m for m in ast.MatchMode}


def unescape(token: str) -> str:
    """The value of a quoted text token, with backslash escapes read."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    chars = iter(body)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            # an unknown escape keeps its backslash, so a pasted REGEX("\d") still means \d
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
        else:
            out.append(ch)
    return "".join(out)


class Lower:
    """One method per grammar rule; see grammar/syncrules.lark.

    A plain bottom-up walk rather than lark's `Transformer` with `v_args(meta=True)`: that
    builds a wrapper on every method lookup, and lowering was a third of `check`'s time.
    """

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self._methods: dict[str, Callable[[Meta, list[Any]], Any]] = {}

    def transform(self, tree: Tree[Token]) -> Any:
        children = [
            self.transform(child) if isinstance(child, Tree) else child for child in tree.children
        ]
        method = self._methods.get(tree.data)
        if method is None:
            method = self._methods[tree.data] = getattr(self, tree.data)
        return method(tree.meta, children)

    # -- helpers ---------------------------------------------------------------------

    def span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return self.source.span(0, 0)
        return self.source.span(meta.start_pos, meta.end_pos)

    def tspan(self, token: Token) -> Span:
        start = token.start_pos or 0
        end = token.end_pos if token.end_pos is not None else start + len(token)
        return self.source.span(start, end)

    def ident(self, token: Token) -> ast.Ident:
        return ast.Ident(str(token), self.tspan(token))

    def join(self, first: Span, last: Span) -> Span:
        return self.source.span(first.start, last.end)

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    # -- items -----------------------------------------------------------------------

    def setting(self, meta: Meta, children: list[Any]) -> ast.Setting:
        key, value = children
        return ast.Setting(self.ident(key), value, self.span(meta))

    def connector(self, meta: Meta, settings: list[ast.Setting]) -> ast.Connector:
        keys = (*CONNECTOR_SETTINGS, *CONNECTOR_USER_SETTINGS)
        read = SettingsReader(self, settings, "connector", keys)
        user = read.text("user")
        paused = read.boolean("paused", default=False)
        match = read.choice("match", MATCH_VALUES, default=ast.MatchMode.EMAIL)
        create = read.boolean("create_prospects", default=False)
        written = "create_prospects" in read.found
        fallback = read.boolean("email_fallback", default=False)
        person = read.boolean("person_accounts", default=False)
        assignment_rule = read.boolean("assignment_rule", default=False)
        # the connector user's profile, role and custom permissions ("A, B"), for
        # $Profile.Name, $UserRole.Name and $Permission.X in imported validation rules
        for key in CONNECTOR_USER_SETTINGS:
            read.text(key)
        return ast.Connector(
            user,
            paused,
            match,
            tuple(settings),
            self.span(meta),
            create if written else None,
            fallback,
            person,
            assignment_rule,
        )

    def field_map(self, meta: Meta, children: list[Any]) -> ast.FieldMapping:
        _keyword, name, *settings = children
        read = SettingsReader(self, settings, "field", ("lead", "contact", "sync"))
        sync = read.choice("sync", SYNC_VALUES, default=ast.Sync.SALESFORCE)
        sync_setting = read.found.get("sync")
        if not {"lead", "contact"} & {s.key.name for s in settings}:
            self.report(
                codes.INVALID_SETTING.at(
                    self.tspan(name),
                    f"field {name} maps to nothing",
                    hint="add `lead: <Lead field>` and/or `contact: <Contact field>`",
                )
            )
        return ast.FieldMapping(
            self.ident(name),
            read.name("lead"),
            read.name("contact"),
            sync,
            sync_setting.value.span if sync_setting else None,
            self.span(meta),
        )

    def validation(self, meta: Meta, children: list[Any]) -> ast.Validation:
        name, obj, *settings = children
        keys = ("error_if", "message", "field", "active")
        read = SettingsReader(self, settings, "validation", keys)
        error_if = read.expr("error_if")
        if error_if is None:
            self.report(
                codes.INVALID_SETTING.at(
                    self.ident(name).span,
                    f"validation {name} has no error_if",
                    hint="add `error_if: <condition>`: when it holds, Salesforce rejects the write",
                )
            )
            error_if = ast.Literal(False, self.span(meta))
        return ast.Validation(
            self.ident(name),
            self.ident(obj),
            error_if,
            read.text("message") or "",
            read.name("field"),
            read.boolean("active", default=True),
            tuple(settings),
            self.span(meta),
        )

    def personalization(self, meta: Meta, children: list[Any]) -> ast.Personalization:
        matches = tuple(c for c in children if isinstance(c, ast.PzMatch))
        settings = [c for c in children if isinstance(c, ast.Setting)]
        read = SettingsReader(self, settings, "personalization", ("designated_only",))
        designated = read.boolean("designated_only", default=False)
        return ast.Personalization(matches, designated, tuple(settings), self.span(meta))

    def pz_match(self, meta: Meta, children: list[Any]) -> ast.PzMatch:
        _keyword, obj, fields = children
        return ast.PzMatch(self.ident(obj), fields, self.span(meta))

    def pair(self, meta: Meta, children: list[Token]) -> ast.Pair:
        key, value = children
        return ast.Pair(
            unescape(str(key)),
            unescape(str(value)),
            self.tspan(key),
            self.tspan(value),
            self.span(meta),
        )

    def user_sync(self, meta: Meta, children: list[ast.Pair]) -> ast.UserSync:
        return ast.UserSync(tuple(children), self.span(meta))

    def campaigns(self, meta: Meta, children: list[Any]) -> ast.Campaigns:
        links = tuple(c for c in children if isinstance(c, ast.Pair))
        settings = [c for c in children if isinstance(c, ast.Setting)]
        read = SettingsReader(self, settings, "campaigns", ("create_missing",))
        create_missing = read.boolean("create_missing", default=False)
        return ast.Campaigns(links, create_missing, tuple(settings), self.span(meta))

    def name_list(self, meta: Meta, tokens: list[Token]) -> tuple[ast.Ident, ...]:
        return tuple(self.ident(t) for t in tokens)

    def object_decl(self, meta: Meta, children: list[Any]) -> ast.ObjectDecl:
        name, *fields = children
        return ast.ObjectDecl(self.ident(name), tuple(fields), self.span(meta))

    def field_decl(self, meta: Meta, children: list[Any]) -> ast.FieldDecl:
        name, type_ref, *flags = children
        return ast.FieldDecl(
            self.ident(name),
            type_ref,
            "required" in flags,
            "readonly" in flags,
            self.span(meta),
        )

    def flag(self, meta: Meta, children: list[Token]) -> str:
        return str(children[0])

    def type_args(self, meta: Meta, children: list[Token]) -> list[Token]:
        return children

    def type_ref(self, meta: Meta, children: list[Any]) -> ast.TypeRef:
        name: Token = children[0]
        args: list[Token] = children[1] if len(children) > 1 else []
        span = self.span(meta)
        text = self.source.text[span.start : span.end]
        return ast.TypeRef(text, self.field_type(name, args, span), span)

    def field_type(self, name: Token, args: list[Token], span: Span) -> FieldType | None:
        try:
            kind = Kind(str(name))
        except ValueError:
            kinds = ", ".join(k.value for k in Kind)
            self.report(
                codes.INVALID_TYPE.at(
                    self.tspan(name), f'no field type "{name}"', hint=f"field types: {kinds}"
                )
            )
            return None
        problem = _type_args_problem(kind, args)
        if problem:
            self.report(codes.INVALID_TYPE.at(span, problem))
            return None
        if kind in (Kind.TEXT, Kind.TEXTAREA):
            return FieldType(kind, length=int(args[0]) if args else None)
        if kind in (Kind.PICKLIST, Kind.MULTIPICKLIST):
            return FieldType(kind, values=self.picklist_values(kind, args))
        if kind is Kind.REFERENCE:
            return FieldType(kind, target=str(args[0]))
        return FieldType(kind)

    def picklist_values(self, kind: Kind, args: list[Token]) -> tuple[str, ...]:
        """The values, each once: a value listed twice is a duplicate declaration (values are
        case-sensitive, SPEC §3.6, so "Web" and "web" are two values)."""
        first: dict[str, Token] = {}
        for arg in args:
            value = unescape(str(arg))
            if value in first:
                self.report(
                    codes.DUPLICATE_DECLARATION.at(
                        self.tspan(arg),
                        f"{kind} value {arg} is listed twice",
                        hint="remove one of them",
                        related=((self.tspan(first[value]), "first listed here"),),
                    )
                )
                continue
            first[value] = arg
        return tuple(first)

    def business_unit(self, meta: Meta, children: list[Any]) -> ast.BusinessUnit:
        name, *items = children
        return ast.BusinessUnit(self.ident(name), tuple(items), self.span(meta))

    def share(self, meta: Meta, children: list[Any]) -> ast.Share:
        obj, when = children
        return ast.Share(self.ident(obj), when, self.span(meta))

    def stage(self, meta: Meta, children: list[Any]) -> ast.Stage:
        name, when = children
        return ast.Stage(self.ident(name), when, self.span(meta))

    def create(self, meta: Meta, children: list[Any]) -> ast.CreateGate:
        obj, when = children
        return ast.CreateGate(self.ident(obj), when, self.span(meta))

    def duplicate(self, meta: Meta, children: list[Any]) -> ast.Duplicate:
        obj, fields = children
        return ast.Duplicate(self.ident(obj), fields, self.span(meta))

    def import_sf(self, meta: Meta, children: list[Token]) -> ast.ImportSalesforce:
        return ast.ImportSalesforce(unescape(str(children[0])), self.span(meta))

    def include(self, meta: Meta, children: list[Token]) -> ast.Include:
        return ast.Include(unescape(str(children[0])), self.span(meta))

    # -- expressions -----------------------------------------------------------------

    def number(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(Decimal(str(children[0])), self.span(meta))

    def string(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(unescape(str(children[0])), self.span(meta))

    def true(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(True, self.span(meta))

    def false(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(False, self.span(meta))

    def null(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(None, self.span(meta))

    def dotted(self, meta: Meta, children: list[Token]) -> tuple[str, ...]:
        return tuple(str(c) for c in children)

    def name(self, meta: Meta, children: list[Any]) -> ast.Name:
        return ast.Name(children[0], self.span(meta))

    def call(self, meta: Meta, children: list[Any]) -> ast.Call:
        function, *args = children
        return ast.Call(self.ident(function), tuple(args), self.span(meta))

    def not_op(self, meta: Meta, children: list[Any]) -> ast.Unary:
        return ast.Unary(ast.UnaryOp.NOT, children[1], self.span(meta))

    def sign(self, meta: Meta, children: list[Any]) -> ast.Unary:
        op = ast.UnaryOp.NEG if str(children[0]) == "-" else ast.UnaryOp.POS
        return ast.Unary(op, children[1], self.span(meta))

    def or_expr(self, meta: Meta, children: list[Any]) -> ast.Logic:
        return self._logic(ast.LogicOp.OR, meta, children)

    def and_expr(self, meta: Meta, children: list[Any]) -> ast.Logic:
        return self._logic(ast.LogicOp.AND, meta, children)

    def or_op(self, meta: Meta, children: list[Token]) -> str:
        return str(children[0])

    def and_op(self, meta: Meta, children: list[Token]) -> str:
        return str(children[0])

    def _logic(self, op: ast.LogicOp, meta: Meta, children: list[Any]) -> ast.Logic:
        operands = tuple(children[0::2])
        written = tuple(str(c) for c in children[1::2])
        return ast.Logic(op, operands, self.span(meta), written)

    def comparison(self, meta: Meta, children: list[Any]) -> ast.Binary:
        left, op, right = children
        return ast.Binary(_CMP[str(op)], left, right, self.span(meta), str(op))

    def additive(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return self._chain(meta, children)

    def multiplicative(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return self._chain(meta, children)

    def power(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return self._chain(meta, children)

    def _chain(self, meta: Meta, children: list[Any]) -> ast.Expr:
        # left-associative: a - b + c is (a - b) + c, as in Salesforce formulas. Each link
        # spans from the chain's start to just before the next operator, so parentheses
        # around an operand stay inside it (an operand's own span excludes them).
        result: ast.Expr = children[0]
        ops = children[1::2]
        for index, (op, operand) in enumerate(zip(ops, children[2::2], strict=True)):
            if index + 1 < len(ops):
                stop = ops[index + 1].start_pos
                while stop > meta.start_pos and self.source.text[stop - 1] in " \t\n":
                    stop -= 1
            else:
                stop = meta.end_pos
            span = self.source.span(meta.start_pos, stop)
            result = ast.Binary(_ARITH[str(op)], result, operand, span, str(op))
        return result

    def in_list(self, meta: Meta, children: list[Any]) -> ast.InList:
        subject, *options = children
        return ast.InList(subject, tuple(options), self.span(meta))

    def in_group(self, meta: Meta, children: list[Any]) -> ast.InGroup:
        subject, group = children
        return ast.InGroup(subject, unescape(str(group)), self.span(meta))


def _type_args_problem(kind: Kind, args: list[Token]) -> str | None:
    types = {a.type for a in args}
    if kind is Kind.TEXT:
        if len(args) != 1 or types != {"NUMBER"} or "." in args[0]:
            return "text needs one whole-number length, e.g. text(80)"
        if not 1 <= int(args[0]) <= 131072:
            return "a text length is between 1 and 131072"
        return None
    if kind is Kind.TEXTAREA:
        if args and (len(args) != 1 or types != {"NUMBER"}):
            return "textarea takes at most one whole-number length"
        return None
    if kind in (Kind.PICKLIST, Kind.MULTIPICKLIST):
        if not args or types != {"STRING"}:
            return f'{kind} needs its values as quoted texts, e.g. {kind}("Open", "Closed")'
        return None
    if kind is Kind.REFERENCE:
        if len(args) != 1 or types != {"NAME"}:
            return "reference needs the object it points at, e.g. reference(user)"
        return None
    if args:
        return f"{kind} takes no arguments"
    return None


class SettingsReader:
    """Reads a block's `key: value` settings into typed values, reporting bad ones."""

    def __init__(
        self, lower: Lower, settings: list[ast.Setting], block: str, keys: tuple[str, ...]
    ) -> None:
        self.lower = lower
        self.block = block
        self.found: dict[str, ast.Setting] = {}
        for setting in settings:
            key = setting.key.name
            if key not in keys:
                allowed = ", ".join(keys)
                lower.report(
                    codes.INVALID_SETTING.at(
                        setting.key.span,
                        f'{block} has no setting "{key}"',
                        hint=f"{block} settings: {allowed}",
                    )
                )
            elif key in self.found:
                lower.report(
                    codes.INVALID_SETTING.at(
                        setting.key.span,
                        f'"{key}" is set twice in this {block}',
                        related=((self.found[key].key.span, "first set here"),),
                    )
                )
            else:
                self.found[key] = setting

    def _bad(self, setting: ast.Setting, expected: str, hint: str | None = None) -> None:
        self.lower.report(
            codes.INVALID_SETTING.at(
                setting.value.span, f'"{setting.key.name}" must be {expected}', hint=hint
            )
        )

    def expr(self, key: str) -> ast.Expr | None:
        setting = self.found.get(key)
        return setting.value if setting else None

    def _literal(
        self, key: str, expected: str, accept: Callable[[object], bool]
    ) -> ast.Setting | None:
        setting = self.found.get(key)
        if setting is None:
            return None
        value = setting.value
        if isinstance(value, ast.Literal) and accept(value.value):
            return setting
        self._bad(setting, expected)
        return None

    def text(self, key: str) -> str | None:
        setting = self._literal(key, "a quoted text", lambda v: isinstance(v, str))
        return setting.value.value if setting else None  # type: ignore[union-attr,return-value]

    def boolean(self, key: str, *, default: bool) -> bool:
        setting = self._literal(key, "true or false", lambda v: isinstance(v, bool))
        return bool(setting.value.value) if setting else default  # type: ignore[union-attr]

    def name(self, key: str) -> ast.Ident | None:
        setting = self.found.get(key)
        if setting is None:
            return None
        value = setting.value
        if isinstance(value, ast.Name) and len(value.parts) == 1:
            return ast.Ident(value.parts[0], value.span)
        self._bad(setting, "a field name")
        return None

    def choice(self, key: str, choices: dict[str, T], *, default: T) -> T:
        setting = self.found.get(key)
        if setting is None:
            return default
        value = setting.value
        word = value.parts[0] if isinstance(value, ast.Name) and len(value.parts) == 1 else None
        if word in choices:
            return choices[word]
        close = difflib.get_close_matches(word or "", list(choices), n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else None
        self._bad(setting, "one of " + ", ".join(choices), hint)
        return default


def count_depth(tree: Tree[Token]) -> int:
    """The deepest nesting of a lark tree, counted without recursion."""
    deepest = 0
    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Tree):
            # chains lower to left-deep trees, one level per operator
            extra = len(node.children) // 2 if node.data in _CHAINS else 0
            deepest = max(deepest, depth + extra)
            stack.extend((child, depth + 1 + extra) for child in node.children)
    return deepest


_CHAINS = frozenset({"additive", "multiplicative", "power"})


def lower_tree(tree: Tree[Token], source: SourceFile) -> tuple[list[ast.Item], list[Diagnostic]]:
    """The AST items of a parsed file, and the problems found while building them."""
    lower = Lower(source)
    items: list[ast.Item] = []
    for child in tree.children:
        if not isinstance(child, Tree):
            continue
        depth = count_depth(child)
        if depth > MAX_DEPTH:
            span = lower.span(child.meta)
            lower.report(
                codes.TOO_DEEP.at(
                    span,
                    f"this rule nests {depth} levels deep; syncrules reads up to {MAX_DEPTH}",
                    hint="split the condition into stages, or simplify it",
                )
            )
            continue
        items.append(lower.transform(child))
    return items, lower.diagnostics
