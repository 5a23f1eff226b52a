"""Hypothesis: fmt is idempotent, keeps the items and keeps every comment, for rule files
written with random layout — random whitespace, line breaks, parentheses and comments
between any two tokens, operators in either spelling, settings in any order.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.fmt import format_source
from tests.fmt.meaning import kept, parses

# Levels of grammar/syncrules.lark, loosest first (an operand below its slot's level
# needs parentheses): or, and, not, comparison, + - &, * /, ^, sign, atom.
OR, AND, NOT, CMP, ADD, MUL, POW, SIGN, ATOM = range(1, 10)

NAMES = [
    "score",
    "grade",
    "Email",
    "lead.Status",
    "contact.Email",
    "$User.Id",
    "MQL",
    "field",
    "a_field_with_a_rather_long_name_to_push_lines_past_the_limit",
]
NUMBERS = ["0", "1", "100.0", ".5", "007", "2026"]
STRINGS = [
    '"B"',
    "'x'",
    "'it\\'s'",
    '"say \\"hi\\""',
    '"\\\\d+"',
    '"\\d"',
    '"tab\\t"',
    "''",
    '"a # not a comment"',
    "'/* nor this */'",
]
KEYWORDS = ["true", "FALSE", "Null"]
FUNCTIONS = ["ISBLANK", "isblank", "AND", "OR", "and", "or", "NOT", "TEXT", "Lower", "TODAY", "IF"]
COMMENTS = ["/* c */", "/*x*/", "/* two\n   lines */", "/**/"]
LINE_COMMENTS = ["# note", "#", "# syncrules: ignore[unknown-field]", "#  spaced   "]
TIGHT = set("(),{}:")  # never merge with a neighbour, so may touch it

Tokens = list[str]


def _paren(tokens: Tokens) -> Tokens:
    return ["(", *tokens, ")"]


@st.composite
def operand(draw: st.DrawFn, depth: int, loosest: int) -> Tokens:
    """An expression that may stand where `loosest` is the loosest level allowed."""
    tokens, level = draw(expression(depth))
    if level < loosest or draw(st.integers(0, 9)) == 0:
        return _paren(tokens)
    return tokens


@st.composite
def expression(draw: st.DrawFn, depth: int = 3) -> tuple[Tokens, int]:
    kinds = (
        ["atom", "atom", "call"]
        if depth <= 0
        else [
            "atom",
            "call",
            "logic",
            "logic",
            "not",
            "compare",
            "arith",
            "power",
            "sign",
            "in",
        ]
    )
    kind = draw(st.sampled_from(kinds))
    below = depth - 1
    if kind == "atom":
        return [draw(st.sampled_from(NAMES + NUMBERS + STRINGS + KEYWORDS))], ATOM
    if kind == "call":
        args = draw(st.lists(expression(min(below, 1)), max_size=3))
        inner: Tokens = []
        for index, (tokens, _level) in enumerate(args):
            inner += ([","] if index else []) + tokens
        return [draw(st.sampled_from(FUNCTIONS)), *_paren(inner)], ATOM
    if kind == "logic":
        level = draw(st.sampled_from([OR, AND]))
        words = ["or", "||"] if level == OR else ["and", "&&"]
        parts = draw(st.lists(operand(below, level + 1), min_size=2, max_size=4))
        tokens = parts[0]
        for part in parts[1:]:
            tokens = [*tokens, draw(st.sampled_from(words)), *part]
        return tokens, level
    if kind == "not":
        return [draw(st.sampled_from(["not", "!"])), *draw(operand(below, NOT))], NOT
    if kind == "compare":
        op = draw(st.sampled_from(["=", "==", "!=", "<>", "<", "<=", ">", ">="]))
        return [*draw(operand(below, ADD)), op, *draw(operand(below, ADD))], CMP
    if kind == "arith":
        op = draw(st.sampled_from(["+", "-", "&", "*", "/"]))
        level = MUL if op in "*/" else ADD
        return [*draw(operand(below, level)), op, *draw(operand(below, level + 1))], level
    if kind == "power":
        return [*draw(operand(below, SIGN)), "^", *draw(operand(below, SIGN))], POW
    if kind == "sign":
        return [draw(st.sampled_from(["-", "+"])), *draw(operand(below, SIGN))], SIGN
    subject = draw(operand(below, ADD))
    if draw(st.booleans()):
        return [*subject, "in", "group", draw(st.sampled_from(['"Direct Sales"', "'G'"]))], CMP
    options = draw(st.lists(expression(min(below, 1)), min_size=1, max_size=3))
    inner = []
    for index, (tokens, _level) in enumerate(options):
        inner += ([","] if index else []) + tokens
    return [*subject, "in", *_paren(inner)], CMP


def when(depth: int = 3) -> st.SearchStrategy[Tokens]:
    return expression(depth).map(lambda pair: pair[0])


def _block(header: Tokens, body: list[Tokens]) -> Tokens:
    return [*header, "{", *(t for entry in body for t in entry), "}"]


@st.composite
def settings_block(
    draw: st.DrawFn, header: Tokens, values: dict[str, st.SearchStrategy[Tokens]]
) -> Tokens:
    keys = draw(st.lists(st.sampled_from(sorted(values)), max_size=len(values) + 1))
    return _block(header, [[key, ":", *draw(values[key])] for key in keys])


def _word(words: list[str]) -> st.SearchStrategy[Tokens]:
    return st.sampled_from(words).map(lambda w: [w])


@st.composite
def item(draw: st.DrawFn) -> Tokens:
    kind = draw(
        st.sampled_from(
            [
                "stage",
                "stage",
                "share",
                "create",
                "field",
                "validation",
                "object",
                "connector",
                "duplicate",
                "include",
                "personalization",
            ]
        )
    )
    if kind == "stage":
        return ["stage", draw(st.sampled_from(["MQL", "SQL", "Stage_3"])), "when", *draw(when())]
    if kind in ("share", "create"):
        return [kind, draw(st.sampled_from(["lead", "contact"])), "when", *draw(when())]
    if kind == "field":
        values = {
            "lead": _word(["FirstName", "Email"]),
            "contact": _word(["FirstName"]),
            "sync": _word(["pardot", "most_recent", "bogus"]),
            "extra": when(1),
        }
        return draw(
            settings_block(["field", draw(st.sampled_from(["email", "first_name"]))], values)
        )
    if kind == "validation":
        values = {
            "error_if": when(),
            "message": _word(['"Needs a value."', "'m'"]),
            "field": _word(["Email"]),
            "active": _word(["false", "true"]),
        }
        return draw(settings_block(["validation", "V", "on", "lead"], values))
    if kind == "connector":
        values = {
            "user": _word(['"pardot@acme.example"']),
            "paused": _word(["true", "false"]),
            "match": _word(["email", "crm_id"]),
        }
        return draw(settings_block(["connector"], values))
    if kind == "object":
        types = [
            ["number"],
            ["text", "(", "40", ")"],
            ["picklist", "(", '"a"', ",", "'b'", ")"],
            ["reference", "(", "user", ")"],
        ]
        fields = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["A", "Email", "field"]),
                    st.sampled_from(types),
                    st.lists(st.sampled_from(["required", "readonly"]), max_size=2),
                ),
                max_size=3,
            )
        )
        return _block(["object", "lead"], [[n, ":", *t, *flags] for n, t, flags in fields])
    if kind == "duplicate":
        names = draw(st.lists(st.sampled_from(["Email", "Phone"]), min_size=1, max_size=3))
        listed = [t for index, n in enumerate(names) for t in ([","] if index else []) + [n]]
        return ["duplicate", "lead", "by", *listed]
    if kind == "include":
        return ["include", draw(st.sampled_from(['"other.sync"', "'x.sync'"]))]
    matches = draw(
        st.lists(
            st.sampled_from(
                [["match", "contact", "by", "Id", ",", "Email"], ["match", "lead", "by", "Id"]]
            ),
            max_size=2,
        )
    )
    flag = draw(st.lists(st.just(["designated_only", ":", "true"]), max_size=1))
    return _block(["personalization"], [*matches, *flag])


SEPARATORS = [" ", " ", " ", "  ", "\n", "\t", "\n\n", "\n    ", "\n\n\n", "   \n"]


@st.composite
def separator(draw: st.DrawFn, tight: bool, comment_rate: int) -> str:
    """Whitespace between two tokens; a comment in `comment_rate` of 100 cases."""
    if draw(st.integers(0, 99)) < comment_rate:
        kind = draw(st.integers(0, 2))
        if kind == 0:
            return f" {draw(st.sampled_from(COMMENTS))} "
        if kind == 1:
            return f"  {draw(st.sampled_from(LINE_COMMENTS))}\n"
        return f"\n{draw(st.sampled_from(LINE_COMMENTS + COMMENTS))}\n"
    if tight and draw(st.booleans()):
        return ""
    return draw(st.sampled_from(SEPARATORS))


@st.composite
def rule_file(draw: st.DrawFn) -> str:
    # most files have few comments, so expressions are printed from the tree, not as written
    rate = draw(st.sampled_from([0, 0, 2, 5, 20]))
    tokens = [t for entry in draw(st.lists(item(), max_size=5)) for t in entry]
    out = [draw(separator(False, 50))] if draw(st.booleans()) else []
    for index, token in enumerate(tokens):
        if index:
            tight = token in TIGHT or tokens[index - 1] in TIGHT
            out.append(draw(separator(tight, rate)))
        out.append(token)
    out.append(draw(st.sampled_from(["", "\n", "\n\n", "  # the end\n", " /* end */"])))
    return "".join(out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_file())
def test_fmt_is_idempotent_and_keeps_items_and_comments(text: str) -> None:
    assert parses(text), "the strategy wrote a file that does not parse"
    result = format_source(text, "t.sync")
    assert result.diagnostics == ()
    assert result.text is not None
    formatted = result.text
    assert format_source(formatted, "t.sync").text == formatted
    before, after = kept(text), kept(formatted)
    assert after.items == before.items
    assert after.field_settings == before.field_settings
    assert after.comments == before.comments


@settings(max_examples=100, deadline=None)
@given(rule_file())
def test_fmt_output_has_one_final_newline_and_no_trailing_spaces(text: str) -> None:
    formatted = format_source(text.replace("\n", "\r\n"), "t.sync").text
    assert formatted is not None
    assert "\r" not in formatted
    assert formatted == "" or (formatted.endswith("\n") and not formatted.endswith("\n\n"))
    assert all(line == line.rstrip() for line in formatted.split("\n"))
