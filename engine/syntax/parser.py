"""Text → lark tree, with lark's exceptions turned into located diagnostics."""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from dataclasses import dataclass

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from engine import codes
from engine.diagnostics import Diagnostic
from engine.source import SourceFile
from engine.syntax.grammar import COMMENTS, parser

# Terminals in the words a rule-file author uses, for "expected …" messages.
WORDS: dict[str, str] = {
    "NAME": "a name",
    "STRING": "a quoted text",
    "NUMBER": "a number",
    "LBRACE": '"{"',
    "RBRACE": '"}"',
    "LPAR": '"("',
    "RPAR": '")"',
    "COLON": '":"',
    "COMMA": '","',
    "DOT": '"."',
    "CMP_OP": "a comparison",
    "ADD_OP": "an operator",
    "MUL_OP": "an operator",
    "SIGN": "a sign",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
    "FIELD_KW": '"field"',
    "MATCH_KW": '"match"',
    "AND_KW": '"and"',
    "OR_KW": '"or"',
    "NOT_KW": '"not"',
    "REQUIRED": '"required"',
    "READONLY": '"readonly"',
    "AND_SYM": '"&&"',
    "OR_SYM": '"||"',
    "POW_OP": '"^"',
    "BANG": '"!"',
    "$END": "the end of the file",
}
RULE_KEYWORDS = frozenset(
    {
        "connector",
        "object",
        "field",
        "share",
        "stage",
        "create",
        "validation",
        "duplicate",
        "import",
        "include",
        "personalization",
        "user_sync",
        "campaigns",
        "business_unit",
    }
)
TOP_LEVEL = {
    "CONNECTOR",
    "OBJECT",
    "FIELD_KW",
    "SHARE",
    "STAGE",
    "CREATE",
    "VALIDATION",
    "DUPLICATE",
    "IMPORT",
    "INCLUDE",
    "PERSONALIZATION",
}


@dataclass(frozen=True, slots=True)
class Parsed:
    tree: Tree[Token] | None
    comments: tuple[Token, ...]
    diagnostic: Diagnostic | None


def parse_tree(source: SourceFile) -> Parsed:
    """Parse one file; a syntax error ends this file's parse with one diagnostic."""
    COMMENTS.tokens = []
    try:
        tree = parser().parse(source.text)
    except UnexpectedInput as error:
        diagnostic = _diagnostic(source, error)
        if _not_rule_text(source.text, diagnostic.span.start):
            # maybe not a rule file at all (`include "/proc/self/environ"`): say so without
            # quoting it, and callers show no source line for this message (NOT_RULE_TEXT)
            diagnostic = codes.SYNTAX_ERROR.at(
                diagnostic.span,
                NOT_RULE_TEXT,
                hint="a rule file starts with a rule (object, field, stage, share, include, …)"
                " or a comment",
            )
        return Parsed(None, tuple(COMMENTS.tokens), diagnostic)
    return Parsed(tree, tuple(COMMENTS.tokens), None)


NOT_RULE_TEXT = "not a rule file: its first word does not start a rule"
_LEADING = re.compile(r"(?:\s+|#[^\n]*|/\*.*?\*/)*", re.S)
_WORD = re.compile(r"\w+")


def _not_rule_text(text: str, error_at: int) -> bool:
    """Whether a file whose parse failed at `error_at` shows no rule syntax at all: the
    error is at its first token (past blanks and comments), and that token is not a
    mistyped rule keyword (`stge`, `Stage` are a rule file with a typo)."""
    leading = _LEADING.match(text)
    first = leading.end() if leading else 0
    if error_at > first:
        return False
    word = _WORD.match(text, first)
    return word is None or not difflib.get_close_matches(word.group(), RULE_KEYWORDS, cutoff=0.75)


def _diagnostic(source: SourceFile, error: UnexpectedInput) -> Diagnostic:
    diagnostic = _located(source, error)
    opened = _open_block(source.text, diagnostic.span.start)
    before = source.line_text(diagnostic.span.line)[: diagnostic.span.col - 1].strip()
    at_line_start = before == "" or before in RULE_KEYWORDS  # `stage` read as a field name
    if opened is None or not (diagnostic.span.start >= len(source.text.rstrip()) or at_line_start):
        return diagnostic
    # a rule starting a line inside a block, or the end of the file: most likely a lost "}"
    where = source.span(opened, opened + 1)
    return dataclasses.replace(
        diagnostic,
        hint=(f"{diagnostic.hint}; or " if diagnostic.hint else "")
        + f'is a "}}" missing? the block opened at {where.line}:{where.col} is still open',
        related=((where, "block opened here"),),
    )


def _open_block(text: str, stop: int) -> int | None:
    """The offset of the innermost "{" still open before `stop` (strings, comments skipped)."""
    opened: list[int] = []
    index = 0
    while index < stop:
        ch = text[index]
        if ch == "#":
            index = _find(text, "\n", index)
        elif text.startswith("/*", index):
            index = _find(text, "*/", index + 2) + 1
        elif ch in "\"'":
            index += 1
            while index < stop and text[index] not in (ch, "\n"):
                index += 2 if text[index] == "\\" else 1
        elif ch == "{":
            opened.append(index)
        elif ch == "}" and opened:
            opened.pop()
        index += 1
    return opened[-1] if opened else None


def _find(text: str, needle: str, start: int) -> int:
    found = text.find(needle, start)
    return len(text) if found == -1 else found


def _located(source: SourceFile, error: UnexpectedInput) -> Diagnostic:
    offset = error.pos_in_stream if error.pos_in_stream is not None else len(source.text)
    opened = source.text.rfind("/*", 0, offset + 2)
    if opened != -1 and source.text.find("*/", opened + 2) == -1:
        return codes.SYNTAX_ERROR.at(
            source.span(opened, opened + 2), "a /* comment that never ends", hint="close it with */"
        )
    if isinstance(error, UnexpectedCharacters):
        char = source.text[offset : offset + 1]
        span = source.span(offset, offset + 1)
        what = _describe_char(char)
        hint = _digits_hint(source.text, offset) or _expected(set(error.allowed))
        return codes.SYNTAX_ERROR.at(span, f"unexpected {what}", hint=hint)
    if isinstance(error, UnexpectedEOF):
        span = source.span(len(source.text), len(source.text))
        return codes.SYNTAX_ERROR.at(
            span,
            "the file ends in the middle of a rule",
            hint=_expected({str(t) for t in error.expected}),
        )
    assert isinstance(error, UnexpectedToken)
    token = error.token
    if token.type == "$END":
        end = len(source.text)
        return codes.SYNTAX_ERROR.at(
            source.span(end, end),
            "the file ends in the middle of a rule",
            hint=_expected(error.expected),
        )
    start = token.start_pos if token.start_pos is not None else offset
    end = token.end_pos if token.end_pos is not None else start + len(token)
    hint = _keyword_hint(source.text, token, start, error.expected) or _expected(error.expected)
    return codes.SYNTAX_ERROR.at(
        source.span(start, end), f"unexpected {_describe_token(token)}", hint=hint
    )


# keywords an author may write in another case or near-miss; and/or/not have a symbol too
EXPR_KEYWORDS = {"and": '"and" or "&&"', "or": '"or" or "||"', "not": '"not" or "!"'}
KEYWORDS = RULE_KEYWORDS | {"when", "on", "by", "in", "group", "match", "required", "readonly"}
_WORD_BEFORE = re.compile(r"([A-Za-z_]\w*)\s*$")


def _keyword_hint(text: str, token: Token, start: int, expected: set[str] | None) -> str | None:
    """The obvious fix when a name is a keyword in the wrong case (`Stage`, `AND`, also just
    before the error: `NOT score`), or a near miss of a keyword the parser expected
    (`stge`, `whne`). Keywords are lower case (SPEC §1)."""
    if token.type != "NAME":
        return None
    before = _WORD_BEFORE.search(text[max(0, start - 40) : start])
    for word in (token.value, before.group(1) if before else ""):
        lower = word.casefold()
        if word != lower and (lower in KEYWORDS or lower in EXPR_KEYWORDS):
            return "keywords are lower case: write " + EXPR_KEYWORDS.get(lower, f'"{lower}"')
    wanted = sorted(
        word
        for name in expected or ()
        if (word := name.removesuffix("_KW").lower()) in KEYWORDS | EXPR_KEYWORDS.keys()
    )
    close = difflib.get_close_matches(token.value.casefold(), wanted, n=1, cutoff=0.6)
    return f'did you mean "{close[0]}"?' if close else None


def _digits_hint(text: str, offset: int) -> str | None:
    """Digits other than 0-9 (Arabic-Indic, fullwidth …) are no number (SPEC §3.6): say so."""
    start = offset
    while start > 0 and unicodedata.category(text[start - 1]) == "Nd":
        start -= 1  # the whole number: `1٢` is 12
    end = offset
    while end < len(text) and unicodedata.category(text[end]) == "Nd":
        end += 1
    run = text[start:end]
    if not run or run.isascii():
        return None
    ascii_digits = "".join(str(unicodedata.digit(ch)) for ch in run)
    return f"only the digits 0-9 make a number: write {ascii_digits}"


def _describe_char(char: str) -> str:
    if char == "\0":
        return "NUL byte"
    if char == '"' or char == "'":
        return f"{char} (a quoted text that never ends on its line)"
    if not char.isprintable():
        return f"character U+{ord(char):04X}"
    return f"character {char!r}"


def _describe_token(token: Token) -> str:
    if token.type in ("NAME", "NUMBER", "STRING"):
        return f"{WORDS[token.type].split(' ', 1)[1]} {token.value}"
    return f'"{token.value}"'


def _expected(terminals: set[str] | frozenset[str] | None) -> str | None:
    """What could have come next, in grammar words."""
    if not terminals:
        return None
    names = set(terminals)
    if "NAME" in names:  # `field` and `match` as setting names are just names here
        names -= {"FIELD_KW", "MATCH_KW"}
    words: set[str] = set()
    if names >= TOP_LEVEL:
        names -= TOP_LEVEL
        words.add("a new rule (stage, field, share, …)")
    for name in names:
        words.add(WORDS.get(name, f'"{name.lower()}"' if name.isalpha() else _anon(name)))
    listed = sorted(words)
    if len(listed) > 6:
        listed = [*listed[:6], "…"]
    return "expected " + ", ".join(listed)


def _anon(name: str) -> str:
    # lark names anonymous punctuation terminals (e.g. "__ANON_0") or by symbol names
    symbols = {"EQUAL": "=", "MORETHAN": ">", "LESSTHAN": "<", "CIRCUMFLEX": "^", "BANG": "!"}
    return f'"{symbols[name]}"' if name in symbols else "an operator"
