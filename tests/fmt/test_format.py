"""format_source's contract: what it returns for text it cannot format, line ends, the
`changed` flag and the `--diff` text."""

from __future__ import annotations

from engine.fmt import format_source, unified_diff


def test_a_syntax_error_gives_no_text_and_the_located_error() -> None:
    result = format_source("stage MQL when score >=\nstage SQL when MQL\n", "rules/mql.sync")
    assert result.text is None
    assert not result.changed
    [error] = result.diagnostics
    assert (error.name, error.span.path, error.span.line, error.span.col) == (
        "syntax-error",
        "rules/mql.sync",
        2,
        7,
    )


def test_an_expression_too_deep_to_read_is_not_formatted() -> None:
    text = "stage Deep when " + "-(" * 30_000 + "x" + ")" * 30_000 + "\n"
    result = format_source(text, "deep.sync")
    assert result.text is None
    assert [d.name for d in result.diagnostics] == ["expression-too-deep"]


def test_include_targets_are_not_read() -> None:
    result = format_source('include "does-not-exist.sync"\n', "main.sync")
    assert result.text == 'include "does-not-exist.sync"\n'
    assert result.diagnostics == ()


def test_crlf_and_a_bom_become_plain_lf() -> None:
    text = "\ufeffstage A when x\r\nstage B when y\r\n"
    result = format_source(text, "a.sync")
    assert result.text == "stage A when x\nstage B when y\n"
    assert result.changed


def test_a_canonical_file_is_unchanged() -> None:
    text = "stage A when x and (y or z)\n"
    result = format_source(text, "a.sync")
    assert result.text == text
    assert not result.changed


def test_an_empty_file_stays_empty_and_a_comment_only_file_ends_in_one_newline() -> None:
    assert format_source("", "a.sync").text == ""
    assert format_source("\n\n  \n", "a.sync").text == ""
    assert format_source("# only a comment   \n\n\n", "a.sync").text == "# only a comment\n"


def test_deeply_nested_expressions_format_without_crashing() -> None:
    text = "stage Deep when " + "(" * 3_000 + "-(" * 5_000 + "x" + ")" * 8_000 + " or y\n"
    # no parenthesis is needed: a sign binds tighter than anything it could apply to
    negations = "-" * 5_000 + "x"
    assert format_source(text, "deep.sync").text == f"stage Deep when {negations}\n    or y\n"


def test_unified_diff_names_the_file_and_shows_both_versions() -> None:
    before = "stage A when  x\n"
    after = format_source(before, "rules/a.sync").text
    assert after is not None
    assert unified_diff("rules/a.sync", before, after) == (
        "--- rules/a.sync\n+++ rules/a.sync\n@@ -1 +1 @@\n-stage A when  x\n+stage A when x\n"
    )


def test_unified_diff_marks_a_missing_final_newline() -> None:
    diff = unified_diff("a.sync", "stage A when x", "stage A when x\n")
    assert diff.endswith("-stage A when x\n\\ No newline at end of file\n+stage A when x\n")


def test_comments_inside_a_rule_head_count_toward_the_line_width() -> None:
    """Found by the idempotence property: the head's comments join the line's end, so a
    line that fits only without them is wrapped now, not on the next run."""
    source = (
        "stage /* a */ MQL /* b */ when "
        "ISBLANK(a_field_with_a_rather_long_name_to_push_lines_past_the_limit) /* c */\n"
    )
    once = format_source(source, "t.sync").text
    assert once == (
        "stage MQL when ISBLANK(\n"
        "    a_field_with_a_rather_long_name_to_push_lines_past_the_limit\n"
        ")  /* a */ /* b */ /* c */\n"
    )
    assert format_source(once, "t.sync").text == once
