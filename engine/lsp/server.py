"""`syncrules lsp`: the Language Server Protocol over stdio, on pygls.

Only this module speaks the protocol: it converts positions (the protocol counts UTF-16
code units; spans count characters) and types, and schedules checks. Diagnostics are
debounced per rule set and published in two steps: check errors as soon as the edit is
checked, then every lint finding when lint has run over the same text. A request
(hover, definition, …) on text newer than the last check checks it first, so answers
always describe the text the editor shows.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from engine import __version__
from engine.diagnostics import Diagnostic, Severity
from engine.loader import pack_file, pack_names
from engine.lsp import features
from engine.lsp.symbols import Kind, Occurrence
from engine.lsp.workspace import Checked, RuleSet, Workspace, is_shown
from engine.source import PACK_PREFIX, SourceFile, Span

log = logging.getLogger("syncrules.lsp")

DEBOUNCE_SECONDS = 0.15  # `initializationOptions: {"debounce": 0.05}` changes it

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
COMPLETION_KINDS = {
    features.ItemKind.KEYWORD: types.CompletionItemKind.Keyword,
    features.ItemKind.FIELD: types.CompletionItemKind.Field,
    features.ItemKind.STAGE: types.CompletionItemKind.EnumMember,
    features.ItemKind.FUNCTION: types.CompletionItemKind.Function,
    features.ItemKind.OBJECT: types.CompletionItemKind.Module,
    features.ItemKind.VALUE: types.CompletionItemKind.Value,
    features.ItemKind.FILE: types.CompletionItemKind.File,
}

T = TypeVar("T")


class SyncRulesServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("syncrules", __version__)
        self.rule_files = Workspace()
        self.debounce = DEBOUNCE_SECONDS
        # one worker: checks of the ParseCache never overlap, and run in order; lint
        # waits on its own worker, so a check never queues behind it
        self.worker = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.linter = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.pending: dict[str, asyncio.Task[None]] = {}

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.worker, work)

    async def fresh(self, path: str) -> Checked:
        """The rule set of `path`, checked on the text the editor has now."""
        rule_set = self.rule_files.rule_set(path)
        last = rule_set.last
        if last is not None and not self.rule_files.stale(rule_set):
            return last
        return await self.run(lambda: self.rule_files.check(rule_set))


SERVER = SyncRulesServer()


def _path(uri: str) -> str:
    path = to_fs_path(uri)
    return os.path.abspath(path) if path else uri


def _uri(path: str) -> str:
    if path.startswith(PACK_PREFIX):
        path = pack_file(path) or path
    return from_fs_path(path) or path


def _source(checked: Checked, path: str) -> SourceFile:
    return checked.rules.sources.get(path) or SourceFile(path, "")


def _encoding() -> str:
    try:
        encoding = SERVER.workspace.position_encoding
    except RuntimeError:  # before initialize
        return "utf-16"
    return str(getattr(encoding, "value", encoding) or "utf-16")


def _offset(source: SourceFile, position: types.Position) -> int:
    """A protocol position as an offset in the checked text."""
    starts = source.line_starts
    if position.line >= len(starts):
        return len(source.text)
    line = source.line_text(position.line + 1)
    return starts[position.line] + features.char_col(line, position.character, _encoding())


def _position(source: SourceFile, line: int, col: int) -> types.Position:
    """1-based line and character column → protocol position."""
    text = source.line_text(line)
    return types.Position(
        max(line - 1, 0), features.encoded_col(text, max(col - 1, 0), _encoding())
    )


def _range(source: SourceFile, span: Span) -> types.Range:
    return types.Range(
        _position(source, span.line, span.col), _position(source, span.end_line, span.end_col)
    )


def _offrange(source: SourceFile, start: int, end: int) -> types.Range:
    span = source.span(start, end)
    return _range(source, span)


def _location(checked: Checked, span: Span) -> types.Location:
    return types.Location(_uri(span.path), _range(_source(checked, span.path), span))


def _diagnostic(checked: Checked, found: Diagnostic) -> types.Diagnostic:
    from engine import codes

    source = _source(checked, found.span.path)
    code = codes.lookup(found.code)
    message = found.message + (f"\n{found.hint}" if found.hint else "")
    related = [
        types.DiagnosticRelatedInformation(_location(checked, span), note)
        for span, note in found.related
        if is_shown(span.path) or pack_file(span.path)
    ]
    return types.Diagnostic(
        range=_range(source, found.span),
        message=message,
        severity=SEVERITIES[found.severity],
        code=f"{found.code} {found.name}",
        code_description=types.CodeDescription(code.help_uri) if code else None,
        source="syncrules",
        related_information=related or None,
    )


def publish(server: SyncRulesServer, rule_set: RuleSet, checked: Checked) -> None:
    """Send each file's findings, only for the files whose findings changed (a rule
    set of hundreds of files would otherwise send hundreds of messages per edit)."""
    by_path: dict[str, list[Diagnostic]] = {}
    for found in checked.findings:
        if is_shown(found.span.path):
            by_path.setdefault(found.span.path, []).append(found)
    for path in set(checked.rules.sources) | set(checked.texts) | set(rule_set.published):
        if (path.endswith(".sync") and is_shown(path)) or path in rule_set.published:
            by_path.setdefault(path, [])  # nothing (any more): clear what it showed
    for path in sorted(by_path):
        shown = tuple(by_path[path])
        if rule_set.published.get(path) == shown:
            continue
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=_uri(path), diagnostics=[_diagnostic(checked, d) for d in shown]
            )
        )
        rule_set.published[path] = shown


async def _check_later(server: SyncRulesServer, rule_set: RuleSet) -> None:
    await asyncio.sleep(server.debounce)
    checked = await server.run(lambda: server.rule_files.check(rule_set))
    publish(server, rule_set, checked)
    if server.rule_files.config_error:
        server.window_show_message(
            types.ShowMessageParams(types.MessageType.Error, server.rule_files.config_error)
        )
    loop = asyncio.get_running_loop()
    full = await loop.run_in_executor(
        server.linter, lambda: server.rule_files.lint(rule_set, checked)
    )
    if full is not None and rule_set.last is full:  # no newer edit was checked meanwhile
        publish(server, rule_set, full)


def schedule(server: SyncRulesServer, path: str) -> None:
    rule_set = server.rule_files.rule_set(path)
    pending = server.pending.get(rule_set.root)
    if pending is not None and not pending.done():
        pending.cancel()
    task = asyncio.get_running_loop().create_task(_guarded(_check_later(server, rule_set)))
    server.pending[rule_set.root] = task


async def _guarded(work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception:  # a bug: logged, and the server keeps answering
        log.exception("syncrules: checking failed")


def _safe(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A failing request answers nothing instead of taking the server down."""

    async def wrapped(ls: SyncRulesServer, params: Any) -> Any:
        try:
            result = handler(ls, params)
            if asyncio.iscoroutine(result):
                result = await result
            return result
        except Exception:
            log.exception("syncrules: %s failed", handler.__name__)
            return None

    wrapped.__name__ = handler.__name__
    return wrapped


# -- document sync ---------------------------------------------------------------------


@SERVER.feature(types.INITIALIZE)
def initialize(server: SyncRulesServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("debounce"), int | float):
        server.debounce = max(0.0, float(options["debounce"]))


@SERVER.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(server: SyncRulesServer, params: types.DidOpenTextDocumentParams) -> None:
    path = _path(params.text_document.uri)
    server.rule_files.buffers[path] = params.text_document.text
    schedule(server, path)


@SERVER.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(server: SyncRulesServer, params: types.DidChangeTextDocumentParams) -> None:
    path = _path(params.text_document.uri)
    document = server.workspace.get_text_document(params.text_document.uri)
    server.rule_files.buffers[path] = document.source
    schedule(server, path)


@SERVER.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(server: SyncRulesServer, params: types.DidCloseTextDocumentParams) -> None:
    path = _path(params.text_document.uri)
    server.rule_files.buffers.pop(path, None)
    schedule(server, path)  # the file on disk takes the buffer's place


@SERVER.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(server: SyncRulesServer, params: types.DidSaveTextDocumentParams) -> None:
    schedule(server, _path(params.text_document.uri))


@SERVER.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def watched(server: SyncRulesServer, params: types.DidChangeWatchedFilesParams) -> None:
    for rule_set in list(server.rule_files.sets.values()):
        rule_set.cache.trees.clear()  # an SFDX file may have changed
        schedule(server, os.path.join(rule_set.root, "_"))


# -- requests --------------------------------------------------------------------------


async def _at(
    server: SyncRulesServer, uri: str, position: types.Position
) -> tuple[Checked, SourceFile, int, Occurrence | None]:
    path = _path(uri)
    checked = await server.fresh(path)
    source = _source(checked, path)
    offset = _offset(source, position)
    return checked, source, offset, checked.index.at(path, offset)


@SERVER.feature(types.TEXT_DOCUMENT_HOVER)
@_safe
async def hover(server: SyncRulesServer, params: types.HoverParams) -> types.Hover | None:
    checked, source, _off, occurrence = await _at(server, params.text_document.uri, params.position)
    if occurrence is None:
        return None
    text = features.hover(checked.rules, occurrence)
    if text is None:
        return None
    return types.Hover(
        types.MarkupContent(types.MarkupKind.Markdown, text),
        _range(source, occurrence.span),
    )


def _targets(checked: Checked, occurrence: Occurrence) -> list[types.Location]:
    symbol = occurrence.symbol
    if symbol.kind is Kind.FILE:
        target = symbol.key[0]
        if target.startswith(PACK_PREFIX) or os.path.isfile(target):
            start = types.Range(types.Position(0, 0), types.Position(0, 0))
            return [types.Location(_uri(target), start)]
        # an imported SFDX tree: the metadata files it read
        prefix = target.rstrip(os.sep) + os.sep
        found = sorted(p for p in checked.rules.sources if p.startswith(prefix))
        start = types.Range(types.Position(0, 0), types.Position(0, 0))
        return [types.Location(_uri(p), start) for p in found]
    return [_location(checked, span) for span in checked.index.definitions(symbol)]


@SERVER.feature(types.TEXT_DOCUMENT_DEFINITION)
@_safe
async def definition(
    server: SyncRulesServer, params: types.DefinitionParams
) -> list[types.Location] | None:
    checked, _src, _off, occurrence = await _at(server, params.text_document.uri, params.position)
    if occurrence is None:
        return None
    return _targets(checked, occurrence) or None


@SERVER.feature(types.TEXT_DOCUMENT_REFERENCES)
@_safe
async def references(
    server: SyncRulesServer, params: types.ReferenceParams
) -> list[types.Location] | None:
    checked, _src, _off, occurrence = await _at(server, params.text_document.uri, params.position)
    if occurrence is None:
        return None
    if occurrence.symbol.kind is Kind.FILE:
        return _targets(checked, occurrence)
    spans = checked.index.references(occurrence.symbol, params.context.include_declaration)
    return [_location(checked, s) for s in spans if is_shown(s.path) or pack_file(s.path)]


@SERVER.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[".", ":", '"', " "]),
)
@_safe
async def completion(
    server: SyncRulesServer, params: types.CompletionParams
) -> types.CompletionList | None:
    path = _path(params.text_document.uri)
    checked = await server.fresh(path)
    source = _source(checked, path)
    offset = _offset(source, params.position)
    folder = os.path.dirname(path)
    files = [PACK_PREFIX + name for name in pack_names()]
    files += sorted(
        os.path.relpath(p, folder) for p in server.rule_files.files(checked.root) if p != path
    )
    # while the line being typed does not parse, the names of the last parse that did
    names = server.rule_files.rule_set(path).parsed or checked
    items = []
    for found in features.complete(names.rules, source.text, offset, files):
        snippet = found.insert is not None and "$" in found.insert
        items.append(
            types.CompletionItem(
                label=found.label,
                kind=COMPLETION_KINDS[found.kind],
                detail=found.detail or None,
                documentation=types.MarkupContent(types.MarkupKind.Markdown, found.documentation)
                if found.documentation
                else None,
                insert_text=found.insert,
                insert_text_format=types.InsertTextFormat.Snippet
                if snippet
                else types.InsertTextFormat.PlainText,
            )
        )
    return types.CompletionList(is_incomplete=False, items=items)


@SERVER.feature(types.TEXT_DOCUMENT_FORMATTING)
@_safe
def formatting(
    server: SyncRulesServer, params: types.DocumentFormattingParams
) -> list[types.TextEdit] | None:
    from engine.fmt import format_source

    document = server.workspace.get_text_document(params.text_document.uri)
    original = document.source
    result = format_source(original, _path(params.text_document.uri))
    if result.text is None or result.text == original:
        return [] if result.text is not None else None
    lines = original.split("\n")
    end = types.Position(
        len(lines) - 1, features.encoded_col(lines[-1], len(lines[-1]), _encoding())
    )
    whole = types.Range(types.Position(0, 0), end)
    return [types.TextEdit(whole, result.text)]


@SERVER.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
@_safe
async def code_action(
    server: SyncRulesServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    path = _path(params.text_document.uri)
    checked = await server.fresh(path)
    source = _source(checked, path)
    start = _offset(source, params.range.start)
    end = _offset(source, params.range.end)
    actions = []
    for found in checked.findings:  # found in the text the editor shows
        span = found.span
        if span.path != path or span.end < start or span.start > end:
            continue
        for fix in features.fixes(found, source):
            edit = types.TextEdit(_offrange(source, fix.edit.start, fix.edit.end), fix.edit.text)
            actions.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[_diagnostic(checked, found)],
                    is_preferred=fix.preferred or None,
                    edit=types.WorkspaceEdit(changes={_uri(fix.edit.path): [edit]}),
                )
            )
    return actions


LEGEND = types.SemanticTokensLegend(
    token_types=list(features.TOKEN_TYPES), token_modifiers=list(features.TOKEN_MODIFIERS)
)


@SERVER.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
@_safe
async def semantic_tokens(
    server: SyncRulesServer, params: types.SemanticTokensParams
) -> types.SemanticTokens:
    path = _path(params.text_document.uri)
    checked = await server.fresh(path)
    return types.SemanticTokens(
        data=features.semantic_tokens(checked.index, _source(checked, path), _encoding())
    )


def serve() -> None:
    """Answer an editor on stdin/stdout until it says exit."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    SERVER.start_io()
