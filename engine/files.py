"""The only file-system access: UTF-8 reads with located errors, atomic writes."""

from __future__ import annotations

import errno
import os
import stat
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


# Every file syncrules reads is a regular file of bounded size (issue 11): a FIFO would
# block the read forever, /dev/zero and /dev/urandom never end, and a file that grows while
# it is read must not take all memory. Rule files are written by hand (an imported SFDX
# object file is the largest at a few MB); record sets are exports and may be large.
MAX_RULE_FILE_BYTES = 64 * 1024 * 1024
MAX_RECORD_FILE_BYTES = 2 * 1024 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_source(
    path: str, *, keep_newlines: bool = False, max_bytes: int = MAX_RULE_FILE_BYTES
) -> ReadResult:
    """Read a rule file as UTF-8; an unreadable or undecodable file is a diagnostic."""
    try:
        data = read_regular_file(path, max_bytes)
    except OSError as error:
        reason = error.strerror or str(error)
        return ReadResult(
            None, codes.UNREADABLE_FILE.at(whole_file(path), f"cannot read: {reason}")
        )
    return decode_source(path, data, keep_newlines=keep_newlines)


def read_regular_file(path: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; anything else is an OSError
    whose strerror says what the path is. Opening does not block on a FIFO (O_NONBLOCK),
    and the read stops one byte past the bound, so a file growing meanwhile is caught."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise OSError(errno.EINVAL, f"{kind}, not a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise OSError(errno.EFBIG, f"larger than {_size_text(max_bytes)}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size_text(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


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


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file so a reader sees the old content or the new, never a torn one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
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
