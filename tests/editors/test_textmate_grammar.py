"""The VS Code extension's TextMate grammar, run by vscode-textmate and Oniguruma (what
VS Code runs) over every rule file in samples/ and rules/, against the parser's own view
of the same text: each token the parser reads, and each comment, must carry the scope
its role calls for, and no character outside whitespace may go unscoped.

The parser's tokens (lark's contextual lexer) say what each piece of text is; the
lowered AST says what role a name plays (a stage being declared, an object, a type).
Needs node and `npm ci` in editors/vscode (CI runs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from engine import ast
from engine.source import SourceFile
from engine.syntax.grammar import parser
from engine.syntax.lower import lower_tree
from engine.syntax.parser import parse_tree
from tests.conftest import ROOT

EXTENSION = ROOT / "editors" / "vscode"
FILES = sorted([*ROOT.glob("samples/**/*.sync"), *ROOT.glob("rules/*.sync")])

KEYWORD = "keyword.control.syncrules"
PROPERTY = "variable.other.property.syncrules"
BY_TYPE = {
    "STRING": "string.quoted",
    "NUMBER": "constant.numeric.syncrules",
    "TRUE": "constant.language.syncrules",
    "FALSE": "constant.language.syncrules",
    "NULL": "constant.language.syncrules",
    "AND_SYM": "keyword.operator.logical.syncrules",
    "OR_SYM": "keyword.operator.logical.syncrules",
    "AND_KW": "keyword.operator.logical.syncrules",
    "OR_KW": "keyword.operator.logical.syncrules",
    "NOT_KW": "keyword.operator.logical.syncrules",
    "BANG": "keyword.operator.logical.syncrules",
    "CMP_OP": "keyword.operator.comparison.syncrules",
    "ADD_OP": "keyword.operator.arithmetic.syncrules",
    "MUL_OP": "keyword.operator.arithmetic.syncrules",
    "POW_OP": "keyword.operator.arithmetic.syncrules",
    "SIGN": "keyword.operator.arithmetic.syncrules",
    "REQUIRED": "storage.modifier.syncrules",
    "READONLY": "storage.modifier.syncrules",
    "LBRACE": "punctuation.section.block.syncrules",
    "RBRACE": "punctuation.section.block.syncrules",
    "LPAR": "punctuation.section.parens.syncrules",
    "RPAR": "punctuation.section.parens.syncrules",
    "COMMA": "punctuation.separator.comma.syncrules",
    "DOT": "punctuation.accessor.syncrules",
    "COLON": "punctuation.separator.key-value.syncrules",
}
KEYWORDS = {
    "CONNECTOR", "OBJECT", "FIELD_KW", "SHARE", "STAGE", "CREATE", "VALIDATION", "DUPLICATE",
    "IMPORT", "SALESFORCE", "INCLUDE", "PERSONALIZATION", "USER_SYNC", "CAMPAIGNS",
    "BUSINESS_UNIT",
    "MATCH_KW", "WHEN", "ON", "BY", "IN", "GROUP",
}  # fmt: skip


def _roles(items: list[ast.Item]) -> dict[int, str]:
    """Scope by the start offset of a name whose role the AST knows."""
    roles: dict[int, str] = {}
    for item in items:
        match item:
            case ast.BusinessUnit():
                roles[item.name.span.start] = "entity.name.section.business-unit.syncrules"
                roles |= _roles(list(item.items))
            case ast.Stage():
                roles[item.name.span.start] = "entity.name.section.stage.syncrules"
            case ast.Validation():
                roles[item.name.span.start] = "entity.name.type.validation.syncrules"
                roles[item.object.span.start] = "entity.name.namespace.syncrules"
            case ast.ObjectDecl():
                roles[item.object.span.start] = "entity.name.namespace.syncrules"
                for decl in item.fields:
                    roles[decl.type.span.start] = "support.type.syncrules"
            case ast.Share() | ast.CreateGate() | ast.Duplicate():
                roles[item.object.span.start] = "entity.name.namespace.syncrules"
            case ast.FieldMapping():
                roles[item.prospect_field.span.start] = PROPERTY
                if item.sync_span is not None:
                    roles[item.sync_span.start] = "constant.language.sync.syncrules"
            case ast.Personalization():
                for match in item.matches:
                    roles[match.object.span.start] = "entity.name.namespace.syncrules"
            case ast.Connector():
                for setting in item.settings:
                    if setting.key.name == "match":
                        roles[setting.value.span.start] = "constant.language.syncrules"
            case _:
                pass
        for node in _calls(item):
            roles[node.function.span.start] = "support.function.syncrules"
    return roles


def _calls(item: ast.Item) -> list[ast.Call]:
    roots: list[ast.Expr] = []
    if isinstance(item, ast.Stage | ast.Share | ast.CreateGate):
        roots.append(item.when)
    elif isinstance(item, ast.Validation):
        roots.append(item.error_if)
    found, stack = [], roots
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            found.append(node)
            stack.extend(node.args)
        elif isinstance(node, ast.Unary):
            stack.append(node.operand)
        elif isinstance(node, ast.Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.Logic):
            stack.extend(node.operands)
        elif isinstance(node, ast.InList):
            stack.extend((node.subject, *node.options))
        elif isinstance(node, ast.InGroup):
            stack.append(node.subject)
    return found


def expected(path: Path) -> tuple[list[tuple[int, int, str, str]], list[tuple[int, int]]]:
    """(start, end, expected scope, text) for every parser token, and comment ranges."""
    text = path.read_text("utf-8")
    source = SourceFile(str(path), text)
    parsed = parse_tree(source)
    assert parsed.tree is not None, f"{path} does not parse"
    items, _problems = lower_tree(parsed.tree, source)
    roles = _roles(items)
    tokens = list(parser().parse_interactive(text).iter_parse())
    out = []
    for index, token in enumerate(tokens):
        start = token.start_pos or 0
        after = tokens[index + 1].type if index + 1 < len(tokens) else ""
        value = str(token)
        if token.type == "NAME":
            if start in roles:
                scope = roles[start]
            elif after == "COLON":
                scope = PROPERTY  # a setting's key, a declared field's name
            else:
                scope = (
                    "variable.language.syncrules"
                    if value.startswith("$")
                    else ("variable.other.syncrules")
                )
        elif token.type in ("FIELD_KW", "MATCH_KW") and after == "COLON":
            scope = PROPERTY  # `field: Country`, `match: email`
        elif token.type in ("AND_KW", "OR_KW") and after == "LPAR":
            scope = "support.function.syncrules"  # AND(…), OR(…)
        elif token.type in KEYWORDS:
            scope = KEYWORD
        else:
            scope = BY_TYPE[token.type]
        out.append((start, token.end_pos or start, scope, value))
    comments = [(c.start_pos or 0, c.end_pos or 0) for c in parsed.comments]
    return out, comments


@pytest.fixture(scope="module")
def tokenized() -> dict[str, list[list[object]]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the grammar runs on vscode-textmate")
    if not (EXTENSION / "node_modules" / "vscode-textmate").is_dir():
        pytest.skip("run `npm ci` in editors/vscode first (vscode-textmate, vscode-oniguruma)")
    result = subprocess.run(
        [node, "test/tokenize.js", *map(str, FILES)],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, list[list[object]]] = json.loads(result.stdout)
    return found


def _offsets(text: str) -> list[int]:
    starts = [0]
    for at, ch in enumerate(text):
        if ch == "\n":
            starts.append(at + 1)
    return starts


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_token_is_scoped_as_its_role_calls_for(
    path: Path, tokenized: dict[str, list[list[object]]]
) -> None:
    text = path.read_text("utf-8")
    starts = _offsets(text)
    scoped: list[tuple[int, int, str]] = []  # (start, end, innermost scope)
    for line, start, end, scopes in tokenized[str(path)]:
        assert isinstance(line, int)
        assert isinstance(start, int)
        assert isinstance(end, int)
        assert isinstance(scopes, list)
        row = text.split("\n")[line]
        # vscode-textmate counts UTF-16 units; the parser counts characters
        to_chars = [i for i, ch in enumerate(row) for _ in range(2 if ord(ch) > 0xFFFF else 1)]
        to_chars.append(len(row))
        begin = starts[line] + to_chars[min(start, len(to_chars) - 1)]
        finish = starts[line] + to_chars[min(end, len(to_chars) - 1)]
        scoped.append((begin, finish, str(scopes[-1])))
    tokens, comments = expected(path)
    problems = []
    for begin, finish, scope, value in tokens:
        got = {s for b, e, s in scoped if b < finish and e > begin}
        if not got or any(not s.startswith(scope) for s in got):
            line = text.count("\n", 0, begin) + 1
            problems.append(f"line {line}: {value!r} is {sorted(got)}, expected {scope}")
    for begin, finish in comments:
        got = {s for b, e, s in scoped if b < finish and e > begin}
        if any(not s.startswith("comment.") for s in got):
            line = text.count("\n", 0, begin) + 1
            problems.append(f"line {line}: comment scoped {sorted(got)}")
    for begin, finish, scope in scoped:
        if scope == "source.syncrules" and text[begin:finish].strip():
            line = text.count("\n", 0, begin) + 1
            problems.append(f"line {line}: {text[begin:finish]!r} has no scope")
    assert not problems, "\n".join(problems[:30])


def test_the_files_are_all_there() -> None:
    # the shipped packs and the sample org: a glob that found nothing would pass vacuously
    names = {p.name for p in FILES}
    assert {"standard.sync", "standard-objects.sync", "main.sync", "lifecycle.sync"} <= names
