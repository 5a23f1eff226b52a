"""`syncrules lsp` driven over real LSP messages by pygls's client, as an editor drives it:
open, change, hover, definition, references, completion, formatting, quick fixes,
semantic tokens, and malformed text that must never stop the server answering."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from lsprotocol import types

from tests.conftest import ROOT
from tests.lsp.harness import Session, codes, position_of, run, uri
from tests.sfdx.conftest import field_xml, rule_xml

MAIN = textwrap.dedent(
    """\
    include "@syncrules/standard.sync"
    include "custom.sync"

    stage MQL when score >= 100 or grade >= "B"
    stage SQL when MQL and lead.Status = "Working - Contacted"
    create lead when (MQL or assigned) and company != "" and last_name != ""

    validation Country_Required on lead {
        error_if: NOT(ISBLANK(OwnerId)) && ISBLANK(Country)
        message: "Lead must have a valid Country before being assigned."
        field: Country
    }
    """
)
CUSTOM = textwrap.dedent(
    """\
    object prospect {
        nickname: text(40) required
    }
    object lead {
        Nickname__c: text(40)
    }
    field nickname {
        lead: Nickname__c
        sync: most_recent
    }
    """
)


def rule_set(tmp_path: Path, main: str = MAIN, custom: str = CUSTOM) -> tuple[Path, Path]:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "main.sync").write_text(main, encoding="utf-8")
    (folder / "custom.sync").write_text(custom, encoding="utf-8")
    return folder / "main.sync", folder / "custom.sync"


def identifier(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri(path))


def hover_text(found: types.Hover | None) -> str:
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    return found.contents.value


# -- diagnostics -------------------------------------------------------------------------


def test_open_publishes_check_errors_and_lint_findings_of_the_whole_rule_set(
    tmp_path: Path,
) -> None:
    main, custom = rule_set(tmp_path, main=MAIN.replace("score >= 100", "scor >= 100"))

    async def body(session: Session) -> None:
        session.open(main)
        found = await session.diagnostics_until(main, lambda d: bool(d))
        assert codes(found) == ["SR101 unknown-field"]
        error = found[0]
        assert error.severity == types.DiagnosticSeverity.Error
        assert error.range == types.Range(types.Position(3, 15), types.Position(3, 19))
        assert 'prospect has no field "scor"' in error.message
        assert 'did you mean "score"?' in error.message
        assert error.code_description is not None
        assert error.code_description.href.endswith("docs/errors/unknown-field.md")
        # the other file of the folder is checked with it: its lint finding is published
        # although only main.sync is open
        other = await session.diagnostics_until(custom, lambda d: bool(d))
        assert codes(other) == ["SR207 most-recent-not-opt-out"]
        assert other[0].severity == types.DiagnosticSeverity.Warning
        assert other[0].range.start == types.Position(8, 10)
        assert other[0].code_description is not None
        assert other[0].code_description.href.endswith("docs/rules/most-recent-not-opt-out.md")

    run(body)


def test_an_unsaved_change_is_checked_and_fixing_it_clears_the_errors(tmp_path: Path) -> None:
    main, custom = rule_set(tmp_path)

    async def body(session: Session) -> None:
        session.open(main)
        session.open(custom)
        await session.diagnostics_until(custom, lambda d: bool(d))
        assert await session.diagnostics_until(main, lambda d: not d) == []
        # rename the field in the declaring file, without saving: main.sync breaks
        broken = CUSTOM.replace("nickname: text(40)", "nick: text(40)")
        session.replace(custom, broken)
        found = await session.diagnostics_until(custom, lambda d: "SR101" in str(codes(d)))
        assert 'prospect has no field "nickname"' in found[0].message
        assert (tmp_path / "rules" / "custom.sync").read_text("utf-8") == CUSTOM  # not saved
        session.replace(custom, CUSTOM)
        fixed = await session.diagnostics_until(
            custom, lambda d: codes(d) == ["SR207 most-recent-not-opt-out"]
        )
        assert 'has no field "nickname"' not in str(fixed)

    run(body)


def test_ignore_comments_and_configuration_apply_as_in_lint(tmp_path: Path) -> None:
    ignored = CUSTOM.replace(
        "sync: most_recent", "sync: most_recent  # syncrules: ignore[most-recent-not-opt-out]"
    )
    _main, custom = rule_set(tmp_path, custom=ignored)
    extra = tmp_path / "rules" / "extra.sync"
    extra.write_text(
        "object prospect {\n    alias: text(40)\n}\nobject lead {\n    Alias__c: text(40)\n}\n"
        "field alias {\n    lead: Alias__c\n    sync: most_recent\n}\n",
        encoding="utf-8",
    )
    (tmp_path / ".syncrules.toml").write_text(
        '[severity]\n"most-recent-not-opt-out" = "error"\n', encoding="utf-8"
    )

    async def body(session: Session) -> None:
        session.open(custom)
        found = await session.diagnostics_until(extra, lambda d: bool(d))
        # configuration raised the severity; the ignore comment silenced custom.sync
        assert codes(found) == ["SR207 most-recent-not-opt-out"]
        assert found[0].severity == types.DiagnosticSeverity.Error
        assert await session.diagnostics_until(custom, lambda d: not d) == []
        # an ignore that silences nothing is reported, as `syncrules lint` does
        session.replace(custom, ignored.replace("most_recent  #", "salesforce  #"))
        unused = await session.diagnostics_until(custom, lambda d: bool(d))
        assert codes(unused) == ["SR009 unused-ignore"]

    run(body)


# -- hover, definition, references -----------------------------------------------------


def test_hover_shows_fields_stages_functions_and_rule_pages(tmp_path: Path) -> None:
    custom_ignored = CUSTOM.replace(
        "sync: most_recent", "sync: most_recent  # syncrules: ignore[most-recent-not-opt-out]"
    )
    main, custom = rule_set(tmp_path, custom=custom_ignored)

    async def body(session: Session) -> None:
        session.open(main)
        session.open(custom)
        # a field: its declared type and flags, where, and its mapping
        line, col = position_of(CUSTOM, "nickname {")
        text = hover_text(await session.hover(custom, line, col + 2))
        assert "prospect.nickname: text(40) required" in text
        assert "custom.sync:2" in text
        assert "Maps to lead.Nickname__c (sync: most_recent)" in text
        # a Salesforce field read in a validation rule, with the standard mapping
        line, col = position_of(MAIN, "ISBLANK(Country)")
        text = hover_text(await session.hover(main, line, col + 9))
        assert "lead.Country: text(80)" in text
        assert "Synced with prospect.country (sync: salesforce)" in text
        # a stage used in another stage: its condition
        line, col = position_of(MAIN, "MQL and")
        text = hover_text(await session.hover(main, line, col + 1))
        assert 'stage MQL when score >= 100 or grade >= "B"' in text
        assert "Stage 1 of 2" in text
        # a formula function: its Salesforce signature and meaning
        line, col = position_of(MAIN, "ISBLANK(OwnerId)")
        text = hover_text(await session.hover(main, line, col + 2))
        assert "ISBLANK(value) → boolean" in text
        assert "true when blank" in text
        # a rule named in an ignore comment: its documentation page
        line, col = position_of(custom_ignored, "most-recent-not-opt-out")
        text = hover_text(await session.hover(custom, line, col + 3))
        assert text.startswith("# most-recent-not-opt-out")
        assert "SR207" in text
        # nothing to say about a keyword
        assert await session.hover(main, 3, 1) is None

    run(body)


def test_definition_and_references_cross_files_packs_and_sfdx_imports(tmp_path: Path) -> None:
    sfdx = tmp_path / "rules" / "sfdx"
    (sfdx / "objects/Lead/fields").mkdir(parents=True)
    (sfdx / "objects/Lead/validationRules").mkdir(parents=True)
    field_file = sfdx / "objects/Lead/fields/Tier__c.field-meta.xml"
    field_file.write_text(
        field_xml(
            "    <fullName>Tier__c</fullName>\n    <type>Number</type>"
            "\n    <precision>3</precision>\n    <scale>0</scale>"
        ),
        encoding="utf-8",
    )
    rule_file = sfdx / "objects/Lead/validationRules/Tier_Set.validationRule-meta.xml"
    rule_file.write_text(rule_xml("Tier_Set", "Tier__c &gt; 5"), encoding="utf-8")
    main_text = MAIN + 'import salesforce "sfdx"\nstage Tiered when MQL and lead.Tier__c > 2\n'
    main, custom = rule_set(tmp_path, main=main_text)

    async def definition(path: Path, needle: str, offset: int = 1) -> list[types.Location]:
        text = path.read_text("utf-8")
        line, col = position_of(text, needle)
        found = await session_ref[0].request(
            session_ref[0].client.text_document_definition_async(
                types.DefinitionParams(identifier(path), types.Position(line, col + offset))
            )
        )
        assert isinstance(found, list)
        return [loc for loc in found if isinstance(loc, types.Location)]

    session_ref: list[Session] = []

    async def body(session: Session) -> None:
        session_ref.append(session)
        session.open(main)
        await session.diagnostics_until(main, lambda d: True)
        # a stage: its declaration
        [stage] = await definition(main, "MQL and")
        assert (stage.uri, stage.range.start) == (uri(main), types.Position(3, 6))
        # a prospect field declared in another file of the folder
        [decl] = await definition(main, "MQL or assigned")
        assert decl.range.start == types.Position(3, 6)
        # a field declared in another file
        line, col = position_of(CUSTOM, "Nickname__c\n    sync")
        found = await session.request(
            session.client.text_document_definition_async(
                types.DefinitionParams(identifier(custom), types.Position(line, col + 1))
            )
        )
        assert isinstance(found, list)
        assert found[0].range.start == types.Position(4, 4)
        # an included file, and an included pack
        [included] = await definition(main, 'include "custom.sync"', 10)
        assert included.uri == uri(custom)
        [pack] = await definition(main, "@syncrules/standard.sync")
        assert pack.uri == uri(ROOT / "rules" / "standard.sync")
        # a standard Lead field declared in the pack
        [country] = await definition(main, "Country)")
        assert country.uri == uri(ROOT / "rules" / "standard-objects.sync")
        # an imported SFDX tree: its metadata files; an imported field: its XML file
        tree = await definition(main, 'import salesforce "sfdx"', 20)
        assert {loc.uri for loc in tree} == {uri(field_file), uri(rule_file)}
        [tier] = await definition(main, "Tier__c > 2")
        assert tier.uri == uri(field_file)
        # references of a stage: its declaration and every use
        line, col = position_of(main_text, "MQL")
        refs = await session.request(
            session.client.text_document_references_async(
                types.ReferenceParams(
                    text_document=identifier(main),
                    position=types.Position(line, col),
                    context=types.ReferenceContext(include_declaration=True),
                )
            )
        )
        assert refs is not None
        assert sorted(r.range.start.line for r in refs) == [3, 4, 5, 13]

    run(body)


# -- completion --------------------------------------------------------------------------


def test_completion_offers_what_fits_where_the_cursor_is(tmp_path: Path) -> None:
    main, custom = rule_set(tmp_path)

    async def complete(
        session: Session, path: Path, text: str, line: int, col: int
    ) -> dict[str, types.CompletionItem]:
        session.replace(path, text)
        found = await session.request(
            session.client.text_document_completion_async(
                types.CompletionParams(identifier(path), types.Position(line, col))
            )
        )
        assert isinstance(found, types.CompletionList)
        return {item.label: item for item in found.items}

    async def body(session: Session) -> None:
        session.open(main)
        session.open(custom)
        # an empty line at the top level: the keywords that start a statement
        items = await complete(session, main, MAIN + "\n", 13, 0)
        assert {"stage", "validation", "field", "include", "object", "share"} <= set(items)
        assert items["stage"].insert_text_format == types.InsertTextFormat.Snippet
        # in a stage's condition: prospect fields (the other file's too), earlier stages,
        # functions with their signature
        items = await complete(session, main, MAIN + "stage X when sc", 13, 15)
        assert {"score", "grade", "nickname", "MQL", "SQL", "assigned", "ISBLANK"} <= set(items)
        assert "Country" not in items  # a Lead field, not the prospect's
        assert items["nickname"].detail == "prospect · text(40) required"
        assert items["LEFT"].detail == "LEFT(text, number) → text"
        # in a validation rule on lead: the Lead's fields
        text = MAIN.replace("&& ISBLANK(Country)", "&& ISBLANK(Co")
        line, col = position_of(text, "ISBLANK(Co")
        items = await complete(session, main, text, line, col + 10)
        assert {"Country", "Company", "Nickname__c", "$User"} <= set(items)
        assert "score" not in items
        # after `lead.`: the Lead's fields
        items = await complete(session, main, MAIN + "stage Y when lead.", 13, 18)
        assert {"Status", "Country", "Nickname__c"} <= set(items)
        # a mapping's sync behaviour, and its target field
        text = CUSTOM.replace("sync: most_recent", "sync: ")
        items = await complete(session, custom, text, 8, 10)
        assert set(items) == {
            "salesforce",
            "pardot",
            "most_recent",
            "salesforce_always",
            "pardot_always",
            "off",
        }
        text = CUSTOM.replace("lead: Nickname__c", "lead: ")
        items = await complete(session, custom, text, 7, 10)
        assert "Nickname__c" in items
        assert "nickname" not in items

    run(body)


# -- formatting and quick fixes ----------------------------------------------------------


def test_formatting_returns_the_canonical_layout(tmp_path: Path) -> None:
    main, _custom = rule_set(tmp_path)
    messy = 'include   "@syncrules/standard.sync"\nstage   MQL   when score>=100\n'

    async def body(session: Session) -> None:
        session.open(main, messy)
        edits = await session.request(
            session.client.text_document_formatting_async(
                types.DocumentFormattingParams(identifier(main), types.FormattingOptions(4, True))
            )
        )
        assert edits is not None
        [edit] = edits
        assert edit.range.start == types.Position(0, 0)
        assert edit.range.end == types.Position(2, 0)
        assert edit.new_text == (
            'include "@syncrules/standard.sync"\n\nstage MQL when score >= 100\n'
        )
        # a file that does not parse is left alone
        session.replace(main, "stage MQL when (\n")
        none = await session.request(
            session.client.text_document_formatting_async(
                types.DocumentFormattingParams(identifier(main), types.FormattingOptions(4, True))
            )
        )
        assert not none

    run(body)


def test_quick_fixes_for_a_typo_a_missing_declaration_and_a_lint_finding(tmp_path: Path) -> None:
    main, custom = rule_set(tmp_path, main=MAIN.replace("score >= 100", "scor >= 100"))

    async def actions(session: Session, path: Path, line: int, col: int) -> list[types.CodeAction]:
        found = await session.request(
            session.client.text_document_code_action_async(
                types.CodeActionParams(
                    identifier(path),
                    types.Range(types.Position(line, col), types.Position(line, col)),
                    types.CodeActionContext(diagnostics=[]),
                )
            )
        )
        assert found is not None
        return [a for a in found if isinstance(a, types.CodeAction)]

    async def body(session: Session) -> None:
        session.open(main)
        session.open(custom)
        await session.diagnostics_until(custom, lambda d: bool(d))
        typo, declare = await actions(session, main, 3, 16)
        assert typo.title == 'Change to "score"'
        assert typo.is_preferred
        assert typo.edit is not None
        assert typo.edit.changes is not None
        [edit] = typo.edit.changes[uri(main)]
        assert edit == types.TextEdit(
            types.Range(types.Position(3, 15), types.Position(3, 19)), "score"
        )
        assert declare.title == "Declare prospect.scor as text(255) at the end of this file"
        assert declare.edit is not None
        assert declare.edit.changes is not None
        [edit] = declare.edit.changes[uri(main)]
        assert edit.new_text == "\nobject prospect {\n    scor: text(255)\n}\n"
        # a lint finding: an ignore comment at the end of its line
        [ignore] = await actions(session, custom, 8, 12)
        assert ignore.title == "Ignore most-recent-not-opt-out on this line"
        assert ignore.edit is not None
        assert ignore.edit.changes is not None
        [edit] = ignore.edit.changes[uri(custom)]
        assert edit == types.TextEdit(
            types.Range(types.Position(8, 21), types.Position(8, 21)),
            "  # syncrules: ignore[most-recent-not-opt-out]",
        )

    run(body)


# -- semantic tokens and positions -------------------------------------------------------


def _decode(data: list[int], legend: list[str], text: str) -> list[tuple[str, str]]:
    lines = text.split("\n")
    out, line, col = [], 0, 0
    for i in range(0, len(data), 5):
        delta_line, delta_col, length, kind, _mods = data[i : i + 5]
        line += delta_line
        col = col + delta_col if delta_line == 0 else delta_col
        out.append((lines[line][col : col + length], legend[kind]))
    return out


def test_semantic_tokens_tell_stages_fields_and_functions_apart(tmp_path: Path) -> None:
    # a prospect field named like a keyword, and a stage read like a field
    text = (
        'include "@syncrules/standard.sync"\nobject prospect {\n    match: boolean\n}\n'
        "stage MQL when match and ISBLANK(city)\nstage SQL when MQL\n"
    )
    main, _custom = rule_set(tmp_path, main=text)

    async def body(session: Session) -> None:
        assert session.capabilities is not None
        provider = session.capabilities.capabilities.semantic_tokens_provider
        assert isinstance(provider, types.SemanticTokensOptions)
        legend = list(provider.legend.token_types)
        session.open(main)
        tokens = await session.request(
            session.client.text_document_semantic_tokens_full_async(
                types.SemanticTokensParams(identifier(main))
            )
        )
        assert tokens is not None
        assert _decode(list(tokens.data), legend, text) == [
            ("prospect", "namespace"),
            ("match", "property"),
            ("boolean", "type"),
            ("MQL", "enumMember"),
            ("match", "property"),
            ("ISBLANK", "function"),
            ("city", "property"),
            ("SQL", "enumMember"),
            ("MQL", "enumMember"),
        ]

    run(body)


def test_positions_count_utf16_units_unless_utf8_is_agreed(tmp_path: Path) -> None:
    # "🎯" is one character, two UTF-16 units and four UTF-8 bytes
    text = 'include "@syncrules/standard.sync"\nstage MQL when "🎯" = city and scor > 1\n'
    main, _custom = rule_set(tmp_path, main=text)

    def body_for(expected: int):  # type: ignore[no-untyped-def]
        async def body(session: Session) -> None:
            session.open(main)
            [error] = await session.diagnostics_until(main, lambda d: bool(d))
            assert error.range.start == types.Position(1, expected)
            found = await session.hover(main, 1, expected - 8)  # on `city`
            assert "prospect.city" in hover_text(found)

        return body

    characters = text.split("\n")[1].index("scor")  # 35 characters in
    run(body_for(characters + 1))
    run(body_for(characters + 3), encodings=["utf-8"])


# -- robustness --------------------------------------------------------------------------

MALFORMED = [
    "stage MQL when (" * 3000,  # nesting far deeper than any formula
    "object lead {\n    Country: text(80\n",  # unclosed
    "\x00\x01\x02 stage \ufffe",  # control characters
    "stage " + "x" * 200_000,  # one enormous line
    'validation V on lead { error_if: "unterminated\n}',
    "}}}}{{{{",
    "",
]


def test_malformed_text_never_stops_the_server_answering(tmp_path: Path) -> None:
    main, custom = rule_set(tmp_path)

    async def body(session: Session) -> None:
        session.open(main)
        session.open(custom)
        for text in MALFORMED:
            session.replace(custom, text)
            # it keeps answering every request on the broken text
            await session.hover(custom, 0, 3)
            await session.request(
                session.client.text_document_completion_async(
                    types.CompletionParams(identifier(custom), types.Position(0, 5))
                )
            )
            await session.request(
                session.client.text_document_semantic_tokens_full_async(
                    types.SemanticTokensParams(identifier(custom))
                )
            )
            await session.request(
                session.client.text_document_formatting_async(
                    types.DocumentFormattingParams(
                        identifier(custom), types.FormattingOptions(4, True)
                    )
                )
            )
        # and still checks: back to the good text, the findings are the usual ones
        session.replace(custom, CUSTOM)
        found = await session.diagnostics_until(
            custom, lambda d: codes(d) == ["SR207 most-recent-not-opt-out"]
        )
        assert found
        line, col = position_of(MAIN, "MQL or")
        assert "stage MQL" in hover_text(await session.hover(main, line, col))

    run(body)


def test_a_syntax_error_is_published_at_its_place(tmp_path: Path) -> None:
    main, _custom = rule_set(tmp_path)

    async def body(session: Session) -> None:
        session.open(main, "stage MQL when score >=\n")
        [error] = await session.diagnostics_until(main, lambda d: bool(d))
        assert str(error.code) == "SR001 syntax-error"
        assert error.range.start.line in (0, 1)

    run(body)


def test_without_pygls_the_command_says_what_to_install() -> None:
    script = (
        "import sys; sys.modules['pygls'] = None\n"
        "from engine.cli import main\nsys.exit(main(['lsp']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr == (
        "syncrules: the language server needs pygls: pip install 'syncrules[lsp]'\n"
    )


def test_closing_an_unsaved_buffer_checks_the_file_on_disk_again(tmp_path: Path) -> None:
    main, custom = rule_set(tmp_path)

    async def body(session: Session) -> None:
        session.open(main)
        session.open(custom, CUSTOM.replace("nickname: text(40)", "nick: text(40)"))
        await session.diagnostics_until(custom, lambda d: "SR101" in str(codes(d)))
        session.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=identifier(custom))
        )
        # the file is still part of the rule set: its saved text is what counts now
        found = await session.diagnostics_until(custom, lambda d: "SR101" not in str(codes(d)))
        assert codes(found) in ([], ["SR207 most-recent-not-opt-out"])
        assert await session.diagnostics_until(
            custom, lambda d: codes(d) == ["SR207 most-recent-not-opt-out"]
        )

    run(body)
