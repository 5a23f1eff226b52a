"""No rule file, however malformed, makes `check` raise a traceback or hang (SPEC §4).

`check` on a bad rule file exits 1 and prints a located message (`path:line:col:`) on
standard output; standard error stays empty. Only a path that cannot be used at all
(missing, an empty directory) exits 2, with a message on standard error that names it.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import api, codes
from engine.cli import main
from tests.conftest import ROOT

# A realistic rule file holding every kind of rule; the truncation test cuts it up.
REALISTIC = """\
# Acme: a realistic rule file, cut at every offset by test_truncated_rule_files.
connector {
    user: "pardot.integration@acme.example"   # attribution only
    paused: false
    match: email
}

object prospect {
    email: email
    first_name: text(40)
    last_name: text(80)
    company: text(255)
    score: number
    grade: grade
    country: text(80)
}

object lead {
    Email: email
    FirstName: text(40)
    LastName: text(80) required
    Company: text(255) required
    Country: picklist("United States", "Canada", "Germany")
    Status: picklist("Open", "Working", "Qualified")
    OwnerId: reference(user)
}

field email {
    lead: Email
}

field first_name {
    lead: FirstName
    sync: salesforce
}

field last_name { lead: LastName }
field company { lead: Company  sync: most_recent }

stage MQL when score >= 100 or grade >= "B"
stage SQL when MQL and lead.Status = 'Qualified'

create lead when (MQL or assigned) && company != ""

validation Country_Required on lead {
    error_if: NOT(ISBLANK(OwnerId)) && ISBLANK(TEXT(Country))
    message: "Lead must have a valid Country before being assigned."
    field: Country
}

duplicate lead by Email
"""

PROSPECT = "object prospect {\n    score: number\n    grade: grade\n}\n"  # 4 lines
STAGE = "stage X when "  # an expression after it starts at column 14

HEAD = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>\w+) (?P<code>SR\d+) (?P<name>[\w-]+): "
)


@dataclass
class Run:
    code: int
    out: str
    err: str


def check(capsys: pytest.CaptureFixture[str], *paths: Path | str, fmt: str | None = None) -> Run:
    argv = ["check", *(str(p) for p in paths)]
    if fmt:
        argv += ["--format", fmt]
    code = main(argv)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def heads(out: str, path: Path | str) -> list[tuple[int, int, str, str]]:
    """(line, col, code, name) of every diagnostic's first line about `path`."""
    found = []
    for line in out.splitlines():
        m = HEAD.match(line)
        if m and m["path"] == str(path):
            found.append((int(m["line"]), int(m["col"]), m["code"], m["name"]))
    return found


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset, columns counting characters."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def assert_located(run: Run, path: Path, line: int, col: int, code: codes.Code) -> None:
    """Exit 1, stderr empty, and stdout's first line is `path:line:col: error CODE name:`."""
    assert run.err == ""
    assert run.code == 1, run.out[:2000]
    first = run.out.splitlines()[0]
    assert first.startswith(f"{path}:{line}:{col}: error {code.code} {code.name}: "), first[:300]


def assert_clean(run: Run) -> None:
    assert (run.code, run.out, run.err) == (0, "no problems found\n", "")


# -- empty, truncated ----------------------------------------------------------------


def test_empty_file_has_no_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_clean(check(capsys, write(tmp_path / "empty.sync", b"")))


def test_file_of_only_comments_and_blank_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_clean(check(capsys, write(tmp_path / "c.sync", "\n\n   # nothing here\n\t\n# end")))


def test_realistic_file_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the baseline the truncation test cuts up must itself be clean
    assert_clean(check(capsys, write(tmp_path / "r.sync", REALISTIC)))


def test_truncated_rule_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Cut the realistic file at every offset: exit 0 or 1, never 2; exit 1 is located."""
    path = tmp_path / "cut.sync"
    problems: list[str] = []
    for cut in range(len(REALISTIC) + 1):
        text = REALISTIC[:cut]
        write(path, text)
        run = check(capsys, path)
        lines = text.split("\n")
        where = f"cut at {cut} ({text[-30:]!r})"
        if run.err or run.code not in (0, 1):
            problems.append(f"{where}: exit {run.code}, stderr {run.err[:200]!r}")
            continue
        if run.code == 0:
            if run.out != "no problems found\n":
                problems.append(f"{where}: exit 0 but stdout {run.out[:200]!r}")
            continue
        found = heads(run.out, path)
        if not found:
            problems.append(f"{where}: exit 1 without a located message: {run.out[:300]!r}")
            continue
        summary = run.out.rstrip("\n").splitlines()[-1]
        if not summary.startswith(f"found {len(found)} error"):
            problems.append(f"{where}: {len(found)} located errors but summary {summary!r}")
        # the last line holding anything but blanks: a syntax error in a prefix of a valid
        # file is at its last (possibly cut) token or at the end of the file
        content = [i for i, s in enumerate(lines, 1) if s.strip()]
        last_content = content[-1] if content else 1
        for line, col, code, name in found:
            inside = 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]) + 1
            if not inside:
                problems.append(f"{where}: {line}:{col} {name} is outside the text")
            elif code == codes.SYNTAX_ERROR.code and line < last_content:
                problems.append(f"{where}: syntax error at {line}:{col}, before the cut")
            if codes.REGISTRY.get(code) is not codes.REGISTRY.get(name):
                problems.append(f"{where}: code {code} does not go with name {name}")
    assert not problems, "\n".join(problems[:20])


def test_truncation_inside_a_quoted_text_points_at_the_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = REALISTIC[: REALISTIC.index("valid Country") + 5]
    path = write(tmp_path / "cut.sync", text)
    line, col = position(text, text.rindex('"'))
    assert_located(check(capsys, path), path, line, col, codes.SYNTAX_ERROR)


def test_truncation_inside_a_block_reports_the_end_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = REALISTIC[: REALISTIC.index("    paused")]
    path = write(tmp_path / "cut.sync", text)
    line, col = position(text, len(text))
    assert_located(check(capsys, path), path, line, col, codes.SYNTAX_ERROR)


# -- bytes that are not rule text ----------------------------------------------------


def _first_bad_byte(data: bytes) -> tuple[int, int]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return position(data[: error.start].decode("utf-8"), error.start)
    raise AssertionError("the data decodes as UTF-8")


def test_random_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = random.Random(0).randbytes(64 * 1024)
    path = write(tmp_path / "binary.sync", data)
    line, col = _first_bad_byte(data)
    assert_located(check(capsys, path), path, line, col, codes.UNREADABLE_FILE)


def test_random_binary_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    path = write(tmp_path / "binary.sync", random.Random(0).randbytes(4096))
    run = check(capsys, path, fmt="json")
    assert (run.code, run.err) == (1, "")
    (diagnostic,) = json.loads(run.out)["diagnostics"]
    assert (diagnostic["path"], diagnostic["code"]) == (str(path), codes.UNREADABLE_FILE.code)
    assert diagnostic["line"] >= 1
    assert diagnostic["col"] >= 1


def test_random_printable_garbage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(0)
    alphabet = "abcXYZ019 \n\t(){}:,.\"'#&|!=<>+-*/^$_\\@%;[]~`?é😀\0\x7f"
    for n in range(20):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 400)))
        path = write(tmp_path / f"garbage{n}.sync", text)
        run = check(capsys, path)
        assert run.err == "", (text, run)
        assert run.code in (0, 1), (text, run)
        if run.code == 1:
            lines = text.split("\n")
            for line, col, _code, _name in heads(run.out, path) or pytest.fail(run.out):
                assert 1 <= line <= len(lines)
                assert 1 <= col <= len(lines[line - 1]) + 1


def test_nul_byte_in_the_middle_of_a_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "nul.sync", PROSPECT + STAGE + "sc\0ore > 1\n")
    assert_located(check(capsys, path), path, 5, 16, codes.SYNTAX_ERROR)


def test_nul_byte_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "nul.sync", b"\0" + REALISTIC.encode())
    assert_located(check(capsys, path), path, 1, 1, codes.SYNTAX_ERROR)


def test_invalid_utf8_is_located_at_the_bad_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (PROSPECT + STAGE + "score > 1\n").encode() + b"# caf\xc3( latin-1\n"
    path = write(tmp_path / "latin.sync", data)
    assert_located(check(capsys, path), path, 6, 6, codes.UNREADABLE_FILE)


def test_invalid_utf8_after_multibyte_characters_counts_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "# größe 😀 ok\n".encode() + b"# \xff\n"
    path = write(tmp_path / "mixed.sync", data)
    assert_located(check(capsys, path), path, 2, 3, codes.UNREADABLE_FILE)


def test_utf16_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "utf16.sync", REALISTIC.encode("utf-16"))
    assert_located(check(capsys, path), path, 1, 1, codes.UNREADABLE_FILE)


def test_unreadable_file_does_not_stop_the_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.sync", random.Random(0).randbytes(256))
    write(tmp_path / "b.sync", PROSPECT + STAGE + "scor > 1\n")
    run = check(capsys, tmp_path)
    assert (run.code, run.err) == (1, "")
    assert heads(run.out, tmp_path / "b.sync") == [
        (5, 14, codes.UNKNOWN_FIELD.code, codes.UNKNOWN_FIELD.name)
    ]
    assert [h[2] for h in heads(run.out, tmp_path / "a.sync")] == [codes.UNREADABLE_FILE.code]


# -- BOM and line endings ------------------------------------------------------------


def test_utf8_bom_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_clean(check(capsys, write(tmp_path / "bom.sync", b"\xef\xbb\xbf" + REALISTIC.encode())))


def test_utf8_bom_does_not_shift_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"\xef\xbb\xbf" + (STAGE + "scor > 1\n" + PROSPECT).encode()
    path = write(tmp_path / "bom.sync", data)
    assert_located(check(capsys, path), path, 1, 14, codes.UNKNOWN_FIELD)


def test_crlf_line_endings_are_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "crlf.sync", REALISTIC.replace("\n", "\r\n"))
    assert_clean(check(capsys, path))


def test_crlf_columns_and_lines_are_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PROSPECT + "\n" + STAGE + "score >= 1\n" + STAGE.replace("X", "Y") + "scor > 1\n"
    path = write(tmp_path / "crlf.sync", text.replace("\n", "\r\n"))
    run = check(capsys, path)
    assert_located(run, path, 7, 14, codes.UNKNOWN_FIELD)
    assert "\r" not in run.out


def test_crlf_syntax_error_at_the_end_of_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "crlf.sync", (PROSPECT + STAGE + "score > > 1\n").replace("\n", "\r\n"))
    assert_located(check(capsys, path), path, 5, 22, codes.SYNTAX_ERROR)


def test_columns_count_characters_not_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an astral-plane emoji is one column, as is é (two bytes in UTF-8)
    path = write(tmp_path / "u.sync", PROSPECT + 'stage X when "😀é" = "x" and scor > 1\n')
    assert_located(check(capsys, path), path, 5, 29, codes.UNKNOWN_FIELD)


def test_non_ascii_character_in_a_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "u.sync", PROSPECT + STAGE + "scöre > 1\n")
    assert_located(check(capsys, path), path, 5, 16, codes.SYNTAX_ERROR)


# -- quoted texts and comments -------------------------------------------------------


def test_quoted_text_with_a_line_break(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "s.sync", PROSPECT + STAGE + 'score > 1 or grade = "B\nC"\n')
    assert_located(check(capsys, path), path, 5, 35, codes.SYNTAX_ERROR)


def test_single_quoted_text_with_a_line_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "s.sync", PROSPECT + STAGE + "grade = 'B\n'\n")
    assert_located(check(capsys, path), path, 5, 22, codes.SYNTAX_ERROR)


def test_unterminated_block_comment_points_at_its_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # like a quoted text that never ends: the error is where the comment opens, and says so
    path = write(tmp_path / "c.sync", PROSPECT + STAGE + "score > 1 /* never closed\n")
    run = check(capsys, path)
    assert_located(run, path, 5, 24, codes.SYNTAX_ERROR)
    assert "comment" in run.out.splitlines()[0]


# -- nesting and size ----------------------------------------------------------------

DEPTH = 3000


def test_3000_nested_parentheses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = PROSPECT + STAGE + "(" * DEPTH + "score > 1" + ")" * DEPTH + "\n"
    assert_clean(check(capsys, write(tmp_path / "p.sync", text)))


def test_error_inside_3000_nested_parentheses_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PROSPECT + STAGE + "(" * DEPTH + 'score > "B"' + ")" * DEPTH + "\n"
    path = write(tmp_path / "p.sync", text)
    assert_located(check(capsys, path), path, 5, 14 + DEPTH, codes.INCOMPATIBLE_TYPES)


def test_3000_nested_parentheses_one_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PROSPECT + STAGE + "(" * DEPTH + "score > 1" + ")" * (DEPTH - 1) + "\n"
    path = write(tmp_path / "p.sync", text)
    assert_located(check(capsys, path), path, 6, 1, codes.SYNTAX_ERROR)


def test_3000_nested_function_calls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = PROSPECT + STAGE + "NOT(" * DEPTH + "score > 1" + ")" * DEPTH + "\n"
    assert_clean(check(capsys, write(tmp_path / "n.sync", text)))


def test_error_inside_3000_nested_function_calls_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PROSPECT + STAGE + "NOT(" * DEPTH + "scor > 1" + ")" * DEPTH + "\n"
    path = write(tmp_path / "n.sync", text)
    assert_located(check(capsys, path), path, 5, 14 + 4 * DEPTH, codes.UNKNOWN_FIELD)


def test_nesting_beyond_any_limit_is_a_diagnostic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PROSPECT + STAGE + "NOT(" * 100_000 + "score > 1" + ")" * 100_000 + "\n"
    path = write(tmp_path / "n.sync", text)
    run = check(capsys, path)
    assert (run.code, run.err) == (1, "")
    assert heads(run.out, path) == [(5, 1, codes.TOO_DEEP.code, codes.TOO_DEEP.name)]


TERMS = 20_000


@pytest.mark.parametrize(
    ("term", "joiner", "tail"),
    [("score", " + ", " > 1"), ("score > 1", " and ", "")],
    ids=["sum", "and-chain"],
)
def test_expression_of_20000_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], term: str, joiner: str, tail: str
) -> None:
    valid = PROSPECT + STAGE + joiner.join([term] * TERMS) + tail + "\n"
    assert_clean(check(capsys, write(tmp_path / "ok.sync", valid)))
    # the same with the last term misspelt: located on a 200-kB line
    body = joiner.join([term] * (TERMS - 1)) + joiner
    bad = PROSPECT + STAGE + body + term.replace("score", "scor") + tail + "\n"
    path = write(tmp_path / "bad.sync", bad)
    assert_located(check(capsys, path), path, 5, 14 + len(body), codes.UNKNOWN_FIELD)


def test_one_megabyte_file_of_stages(tmp_path: Path) -> None:
    """1 MB of valid stages is checked, not hung on. Run as a subprocess with a generous
    time limit that only guards against a hang: speed is measured in benchmarks/."""
    path = tmp_path / "big.sync"
    lines = [PROSPECT]
    size, i = len(PROSPECT), 0
    while size < 1024 * 1024:
        lines.append(f'stage S{i} when score >= {i} or grade >= "B"\n')
        size += len(lines[-1])
        i += 1
    path.write_text("".join(lines), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SYNCRULES_CACHE_DIR": str(tmp_path / "cache")}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "engine", "check", str(path)],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            cwd=tmp_path,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"check of a 1 MB file ({i} stages) did not finish in 180 s")
    assert (result.returncode, result.stdout, result.stderr) == (0, "no problems found\n", "")


# -- paths that are not rule files ---------------------------------------------------


def test_directory_named_like_a_rule_file_is_skipped_in_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.sync").mkdir()
    write(tmp_path / "a.sync", REALISTIC)
    assert_clean(check(capsys, tmp_path))


def test_directory_named_like_a_rule_file_given_directly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.sync").mkdir()
    run = check(capsys, tmp_path / "x.sync")
    assert (run.code, run.out) == (2, "")
    assert str(tmp_path / "x.sync") in run.err
    assert "Traceback" not in run.err


def test_include_of_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.sync").mkdir()
    path = write(tmp_path / "main.sync", PROSPECT + 'include "x.sync"\n')
    assert_located(check(capsys, path), path, 5, 1, codes.MISSING_INCLUDE)


def test_include_of_a_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = random.Random(0).randbytes(512)
    binary = write(tmp_path / "bin.sync", data)
    path = write(tmp_path / "main.sync", PROSPECT + 'include "bin.sync"\n')
    line, col = _first_bad_byte(data)
    assert_located(check(capsys, path), binary, line, col, codes.UNREADABLE_FILE)


def test_missing_path_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.sync"
    run = check(capsys, missing)
    assert (run.code, run.out) == (2, "")
    assert str(missing) in run.err
    assert "Traceback" not in run.err


def test_missing_path_next_to_a_good_one_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "good.sync", REALISTIC)
    missing = tmp_path / "nope.sync"
    run = check(capsys, good, missing)
    assert (run.code, run.out) == (2, "")
    assert str(missing) in run.err


# -- property tests: check_text never raises -----------------------------------------

TOKENS = [
    "stage",
    "X",
    "Y",
    "MQL",
    "when",
    "score",
    "grade",
    "email",
    "Email",
    "Country",
    "Status",
    "OwnerId",
    "assigned",
    "lead.Status",
    "contact.Email",
    "prospect.score",
    ">=",
    ">",
    "<",
    "<=",
    "=",
    "==",
    "!=",
    "<>",
    "+",
    "-",
    "*",
    "/",
    "^",
    "&",
    "(",
    ")",
    "{",
    "}",
    ":",
    ",",
    ".",
    "and",
    "or",
    "not",
    "&&",
    "||",
    "!",
    '"B"',
    "'x'",
    '""',
    "1",
    "0.5",
    "100",
    "true",
    "false",
    "null",
    "TRUE",
    "NOT(",
    "AND(",
    "OR(",
    "IF(",
    "CASE(",
    "ISBLANK(",
    "TEXT(",
    "ISPICKVAL(",
    "LEN(",
    "VALUE(",
    "REGEX(",
    "TODAY()",
    "FOO(",
    "field",
    "lead",
    "contact",
    "prospect",
    "user",
    "object",
    "connector",
    "share",
    "create",
    "validation",
    "on",
    "duplicate",
    "by",
    "in",
    "group",
    "include",
    "import",
    "salesforce",
    "personalization",
    "match",
    "designated_only:",
    "sync:",
    "error_if:",
    "message:",
    "active:",
    "user:",
    "paused:",
    "field:",
    "number",
    "text(80)",
    "text(0)",
    "picklist(",
    "reference(user)",
    "date",
    "required",
    "readonly",
    "most_recent",
    "pardot_always",
    "off",
    "#c\n",
    "/* c */",
    "/*",
    "\n",
    "\t",
    "\0",
    "\r\n",
    "😀",
]

PRELUDE = """\
object prospect {
    score: number
    grade: grade
    email: email
}
object lead {
    Email: email
    Status: text(20)
    Country: picklist("A", "B")
    OwnerId: reference(user)
}
"""


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # includes in fuzzed text resolve next to this (empty) folder's file, not the checkout
    return tmp_path_factory.mktemp("fuzz")


def assert_sane(text: str, path: str) -> None:
    rules = api.check_text(text, path)
    for d in rules.diagnostics:
        assert d.span.line >= 1, d
        assert d.span.col >= 1, d
        assert d.code in codes.REGISTRY, d
        assert codes.REGISTRY[d.code] is codes.REGISTRY.get(d.name), d


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text())
def test_arbitrary_text_never_raises(fuzz_dir: Path, text: str) -> None:
    assert_sane(text, str(fuzz_dir / "fuzz.sync"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tokens=st.lists(st.sampled_from(TOKENS), max_size=60),
    prelude=st.booleans(),
    glue=st.sampled_from([" ", "", "\n"]),
)
def test_arbitrary_token_mixes_never_raise(
    fuzz_dir: Path, tokens: list[str], prelude: bool, glue: str
) -> None:
    assert_sane((PRELUDE if prelude else "") + glue.join(tokens), str(fuzz_dir / "fuzz.sync"))


# Well-formed rules over ill-typed expressions: exercises the type checker, not the parser.
_ATOMS = st.sampled_from(
    [
        "score",
        "grade",
        "email",
        "Email",
        "Status",
        "Country",
        "OwnerId",
        "lead.Status",
        "lead.Country",
        "contact.Email",
        "prospect.score",
        "Owner.Name",
        "a.b.c",
        "assigned",
        "MQL",
        "Nope",
        "1",
        "0",
        "2.5",
        '"B"',
        "'x'",
        '""',
        "true",
        "false",
        "null",
    ]
)
_FUNCTION_NAMES = (
    "AND OR NOT IF CASE ISBLANK ISNULL BLANKVALUE NULLVALUE ISPICKVAL INCLUDES TEXT VALUE "
    "LEN BEGINS CONTAINS REGEX UPPER LOWER TRIM LEFT RIGHT MID ISNUMBER ISNEW ISCHANGED "
    "PRIORVALUE TODAY NOW DATE FOO"
)
_FUNCTIONS = st.sampled_from(_FUNCTION_NAMES.split())
_OPERATORS = st.sampled_from(
    ["=", "!=", "<>", "<", ">=", "&&", "and", "||", "or", "+", "-", "*", "/", "&", "^"]
)
_EXPRS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, _OPERATORS, inner),
        st.builds(lambda f, xs: f"{f}({', '.join(xs)})", _FUNCTIONS, st.lists(inner, max_size=4)),
        st.builds(lambda a: f"not {a}", inner),
        st.builds(lambda a: f"-{a}", inner),
        st.builds(
            lambda a, xs: f"{a} in ({', '.join(xs)})",
            inner,
            st.lists(inner, min_size=1, max_size=3),
        ),
        st.builds(lambda a: f'{a} in group "G"', inner),
    ),
    max_leaves=12,
)
_RULES = st.sampled_from(
    [
        "stage MQL when {}",
        "stage X when {}",
        "create lead when {}",
        "share lead when {}",
        "validation V on lead {{ error_if: {} }}",
        "field score {{ lead: Status sync: {} }}",
        "connector {{ paused: {} }}",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=st.lists(st.tuples(_RULES, _EXPRS), max_size=4))
def test_arbitrary_well_formed_rules_never_raise(
    fuzz_dir: Path, rules: list[tuple[str, str]]
) -> None:
    text = PRELUDE + "\n".join(rule.format(expr) for rule, expr in rules)
    assert_sane(text, str(fuzz_dir / "fuzz.sync"))
