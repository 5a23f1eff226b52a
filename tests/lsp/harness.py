"""A real LSP client (pygls's) talking to `python -m engine lsp` in a subprocess.

Tests write rule files into a temporary folder, open them as an editor would, and read
back what the server publishes and answers. Each test runs its own event loop with
`asyncio.run`, so no pytest plugin is needed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

pytest.importorskip("pygls", reason="the language server needs pygls: pip install '.[lsp]'")

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from tests.conftest import ROOT

T = TypeVar("T")
TIMEOUT = 60.0  # seconds: under load 30 s ran out; a hung server still fails


def uri(path: Path) -> str:
    found = from_fs_path(str(path))
    assert isinstance(found, str)
    return found


class Session:
    """One server process and the diagnostics it has published, by URI."""

    def __init__(self) -> None:
        self.client = LanguageClient("syncrules-tests", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.published: dict[str, int] = {}  # how many times, by URI
        self.changed = asyncio.Condition()
        self.versions: dict[str, int] = {}
        self.capabilities: types.InitializeResult | None = None

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        async def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            async with self.changed:
                self.diagnostics[params.uri] = list(params.diagnostics)
                self.published[params.uri] = self.published.get(params.uri, 0) + 1
                self.changed.notify_all()

    async def start(self, encodings: list[str] | None = None) -> types.InitializeResult:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        await self.client.start_io(sys.executable, "-m", "engine", "lsp", cwd=str(ROOT), env=env)
        general = (
            types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None
        )
        self.capabilities = await asyncio.wait_for(
            self.client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(general=general),
                    initialization_options={"debounce": 0.02},
                )
            ),
            TIMEOUT,
        )
        self.client.initialized(types.InitializedParams())
        return self.capabilities

    async def stop(self) -> None:
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), TIMEOUT)  # type: ignore[no-untyped-call]

    def open(self, path: Path, text: str | None = None) -> None:
        text = path.read_text("utf-8") if text is None else text
        self.versions[uri(path)] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri(path), language_id="syncrules", version=1, text=text)
            )
        )

    def replace(self, path: Path, text: str) -> None:
        """The whole buffer changes to `text` (unsaved)."""
        key = uri(path)
        self.versions[key] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=key, version=self.versions[key]
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def diagnostics_until(
        self, path: Path, accept: Callable[[list[types.Diagnostic]], bool]
    ) -> list[types.Diagnostic]:
        """Wait until what is published for `path` satisfies `accept`."""
        key = uri(path)

        async def wait() -> list[types.Diagnostic]:
            async with self.changed:
                while key not in self.diagnostics or not accept(self.diagnostics[key]):
                    await self.changed.wait()
                return self.diagnostics[key]

        return await asyncio.wait_for(wait(), TIMEOUT)

    async def request(self, call: Awaitable[T]) -> T:
        return await asyncio.wait_for(call, TIMEOUT)

    async def hover(self, path: Path, line: int, character: int) -> types.Hover | None:
        return await self.request(
            self.client.text_document_hover_async(
                types.HoverParams(
                    types.TextDocumentIdentifier(uri(path)), types.Position(line, character)
                )
            )
        )


def run(body: Callable[[Session], Awaitable[T]], encodings: list[str] | None = None) -> T:
    """Start a server, run the test body against it, always stop the server."""

    async def main() -> T:
        session = Session()
        await session.start(encodings)
        try:
            return await body(session)
        finally:
            await session.stop()

    # in a thread of its own: the browser tests' Playwright (sync API) keeps an event loop
    # running in this worker's main thread for the session, and asyncio.run refuses to
    # start inside a running loop
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def position_of(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, character) of the start of the nth occurrence of needle (0-based)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at)
    return line, at - (text.rfind("\n", 0, at) + 1)


def anything(_found: Any) -> bool:
    return True
