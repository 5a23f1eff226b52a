"""Find `grammar/syncrules.lark` (installed or in a checkout) and build the parser once."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token

GRAMMAR_FILE = "syncrules.lark"


def grammar_text() -> str:
    """The grammar: shipped as `engine.grammar` package data, or read from the checkout."""
    try:
        return resources.files("engine.grammar").joinpath(GRAMMAR_FILE).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        checkout = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_FILE
        return checkout.read_text("utf-8")


class CommentSink(threading.local):
    """Collects comment tokens during one parse (lark calls back as it lexes); one list
    per thread, so parses on different threads never mix their comments."""

    def __init__(self) -> None:
        self.tokens: list[Token] = []

    def __call__(self, token: Token) -> Token:
        self.tokens.append(token)
        return token


COMMENTS = CommentSink()


@functools.cache
def parser() -> Lark:
    """The LALR parser with a contextual lexer, cached on disk between runs."""
    text = grammar_text()
    options: dict[str, Any] = {
        "parser": "lalr",
        "lexer": "contextual",
        "propagate_positions": True,
        "maybe_placeholders": False,
        "lexer_callbacks": {"COMMENT": COMMENTS, "BLOCK_COMMENT": COMMENTS},
    }
    return Lark(text, cache=_cache_path(text), **options)


def _cache_path(text: str) -> str | bool:
    # lark's own cache=True keys by grammar and options but not by lark version; ours adds
    # the version so an upgrade never loads a stale pickle.
    import lark

    digest = hashlib.sha256(f"{lark.__version__}\0{text}".encode()).hexdigest()[:16]
    folder = Path(os.environ.get("SYNCRULES_CACHE_DIR", tempfile.gettempdir()))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return str(folder / f"syncrules-grammar-{digest}.lark-cache")
