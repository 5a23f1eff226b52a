"""The only file-system access: UTF-8 reads with located errors, atomic writes."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine import codes
from engine.diagnostics import Diagnostic
from engine.source import SourceFile, Span, whole_file


class InputError(Exception):
    """The command cannot run: a path is unreadable or a record set is invalid (exit 2)."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span

    def __str__(self) -> str:
        if self.span is None:
            return self.message
        return f"{self.span.path}:{self.span.line}:{self.span.col}: {self.message}"


@dataclass(frozen=True, slots=True)
class ReadResult:
    source: SourceFile | None
    diagnostic: Diagnostic | None


def read_source(path: str, *, keep_newlines: bool = False) -> ReadResult:
    """Read a rule file as UTF-8; an unreadable or undecodable file is a diagnostic."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        return ReadResult(
            None, codes.UNREADABLE_FILE.at(whole_file(path), f"cannot read: {reason}")
        )
    return decode_source(path, data, keep_newlines=keep_newlines)


def decode_source(path: str, data: bytes, *, keep_newlines: bool = False) -> ReadResult:
    """Decode bytes as UTF-8 (a leading BOM is dropped), locating the first bad byte.
    Line ends become LF unless `keep_newlines` (fmt reports CRLF files as changed)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8")
        source = SourceFile(path, good)
        span = source.span(len(good), len(good))
        message = f"not UTF-8 text: byte 0x{data[error.start]:02x} cannot be decoded"
        hint = "save the file as UTF-8"
        return ReadResult(None, codes.UNREADABLE_FILE.at(span, message, hint=hint))
    if keep_newlines:
        return ReadResult(SourceFile(path, text), None)
    # CRLF (Windows) and a lone CR (classic Mac) both end a line
    return ReadResult(SourceFile(path, text.replace("\r\n", "\n").replace("\r", "\n")), None)


def sync_files_below(directory: str) -> list[str]:
    """Every `*.sync` file below a directory, in path order (SPEC §1)."""
    found = [p for p in Path(directory).rglob("*.sync") if p.is_file()]
    return sorted(str(p) for p in found)


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write a file so a reader sees the old content or the new, never a torn one.
    Text is written as UTF-8 with `\n` line ends; bytes (a Parquet file) as they are."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        # mkstemp creates 0600; a written file gets the mode any new file would (umask)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
