"""The only file-system access: UTF-8 reads with located errors, atomic writes."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine import codes
from engine.deep import shielded
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


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write a file so a reader sees the old content or the new, never a torn one.
    Text is written as UTF-8 with `\n` line ends; bytes (a Parquet file) as they are."""
    write_files_atomic([(str(path), text)])


def write_files_atomic(items: Sequence[tuple[str, str | bytes]]) -> None:
    """Write files in place, each atomically, and as a set as far as a directory allows:
    every file goes to a temporary file beside its target first, and only when all are
    written are they renamed into place, together, shielded from Ctrl-C. A failure or an
    interrupt before that changes nothing (the temporary files are removed)."""
    temps: list[tuple[str, str]] = []
    current = ""  # the target being written, for the message
    try:
        for current, data in items:
            temps.append((_write_temp(_writable_target(current), data), current))
        with shielded():
            while temps:
                temp, current = temps[0]
                os.replace(temp, current)
                temps.pop(0)
    except OSError as error:
        raise InputError(f"{current}: cannot write: {_reason(error)}") from None
    finally:
        for temp, _target in temps:
            Path(temp).unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """A temporary path beside `path` to write a large output to (streamed, or by a
    library such as pyarrow); when the block ends without error it replaces `path`
    atomically, as `write_atomic` does. A failure or Ctrl-C leaves `path` as it was."""
    target = _writable_target(path)
    temp = ""
    try:
        fd, temp = tempfile.mkstemp(
            dir=os.path.dirname(target) or ".",
            prefix=f".{os.path.basename(target)}.",
            suffix=".tmp",
        )
        os.close(fd)
        yield temp
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp creates 0600, as in _write_temp
        with shielded():
            os.replace(temp, target)
    except OSError as error:
        raise InputError(f"{path}: cannot write: {_reason(error)}") from None
    finally:
        if temp:
            Path(temp).unlink(missing_ok=True)


def refuse_unwritable(path: str) -> None:
    """InputError for a path no file can be written to: `""`, `-`, a folder, a device, or
    a path under a file. Checks only: callers run it before any work (`run --report`)."""
    if path in ("", "-"):
        raise InputError(f"{path!r}: give a file path to write to")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a folder; give a file path to write to")
    if os.path.exists(path) and not os.path.isfile(path):
        raise InputError(f"{path}: not a regular file; give a file path to write to")
    above = os.path.dirname(path)
    while above and not os.path.exists(above):  # the nearest folder that exists
        above = os.path.dirname(above)
    if above and not os.path.isdir(above):
        raise InputError(f"{path}: cannot write: {above} is not a folder")


def _writable_target(path: str) -> str:
    refuse_unwritable(path)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return path


def _write_temp(target: str, data: str | bytes) -> str:
    """`data` in a new temporary file beside `target`; returns its path."""
    folder = os.path.dirname(target) or "."
    name = os.path.basename(target)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        # mkstemp creates 0600; a written file gets the mode any new file would (umask)
        os.chmod(temp, 0o666 & ~_umask())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def replace_folder(out_dir: str, contents: Mapping[str, str | bytes]) -> list[str]:
    """Write `contents` (file name → text or bytes) into `out_dir` as one set
    (`StagedFolder`): a failure or Ctrl-C before the switch leaves `out_dir`
    byte-identical and removes the staging folder. Returns the paths written, in
    `contents` order."""
    folder = StagedFolder(out_dir)
    try:
        for name, data in contents.items():
            folder.write(name, (data,))
        return folder.publish()
    finally:
        folder.discard()


class StagedFolder:
    """`out_dir`'s new files, written one by one as they are produced (streamed: no file
    need be held whole in memory), then put in place as one set by `publish`. Every file
    is written into a staging folder beside `out_dir`; at `publish` the files `out_dir`
    already holds and the run did not rewrite join it (hard links, else copies), and the
    staging folder takes `out_dir`'s place — in one atomic exchange where the system has
    one (Linux), else in two renames. Until then `out_dir` is untouched: a failure or
    Ctrl-C part-way, or `discard`, leaves it byte-identical and removes the staging folder
    (docs/robustness.md). The staging folder is made at the first file, so a command
    that fails before writing anything makes none. Where no folder can be made beside
    `out_dir` (a writable folder in a read-only one, `--out .`), each file goes to a
    temporary file in `out_dir` and all are renamed together at `publish`."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.target = _output_folder(out_dir)
        if os.path.isdir(self.target) and not os.access(self.target, os.W_OK):
            raise InputError(f"--out {out_dir}: cannot write: the folder is not writable")
        self.staging: str | None = None
        self.in_place = False  # no staging folder: temporary files in out_dir itself
        self.names: list[str] = []  # the files written, in order
        self._temps: dict[str, str] = {}  # in place: file name → its temporary file

    def write(self, name: str, chunks: Iterable[str | bytes]) -> None:
        """The file `name`, from its text or bytes in chunks, each written as it comes."""
        with self.file(name) as path, open(path, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)

    def copy(self, name: str, source: str) -> None:
        """The file `name` as a copy of `source`'s bytes (streamed, never read whole)."""
        with self.file(name) as path:
            try:
                shutil.copyfile(source, path)
            except OSError as error:  # the input, not the output: say which
                if os.path.exists(source) and os.access(source, os.R_OK):
                    raise
                raise InputError(
                    f"{source}: cannot copy the input file unchanged: {_reason(error)}"
                ) from None

    @contextlib.contextmanager
    def file(self, name: str) -> Iterator[str]:
        """A path to write the file `name` to (by a library, such as DuckDB's COPY); when
        the block ends it is one of the set, with the mode any new file would have."""
        existing = os.path.join(self.target, name)
        if os.path.isdir(existing) and not os.path.islink(existing):
            raise InputError(
                f"--out {self.out_dir}: {name} is a folder there; run writes a file {name}"
            )
        if name in self.names:
            raise AssertionError(f"{name} written twice")
        try:
            path = self._path(name)
            self.names.append(name)
            yield path
            os.chmod(path, 0o666 & ~_umask())
        except OSError as error:
            raise InputError(f"--out {self.out_dir}: cannot write: {_reason(error)}") from None

    def _path(self, name: str) -> str:
        if self.staging is None and not self.in_place:
            self._start()
        if self.staging is not None:
            return os.path.join(self.staging, name)
        fd, temp = tempfile.mkstemp(dir=self.target, prefix=f".{name}.", suffix=".tmp")
        os.close(fd)
        self._temps[name] = temp
        return temp

    def _start(self) -> None:
        parent, base = os.path.split(self.target)
        try:
            os.makedirs(parent, exist_ok=True)
            self.staging = tempfile.mkdtemp(dir=parent, prefix=f".{base}.staging-")
        except PermissionError:
            if not os.path.isdir(self.target):
                raise InputError(f"--out {self.out_dir}: cannot write: permission denied") from None
            # a writable folder in a read-only one (`--out .`): no staging folder can go
            # beside it, so each file is replaced atomically, all renames together
            self.in_place = True
            return
        if os.path.isdir(self.target):
            shutil.copymode(self.target, self.staging)
        else:  # mkdtemp makes 0700; a new folder gets the mode any new folder would
            os.chmod(self.staging, 0o777 & ~_umask())

    def publish(self) -> list[str]:
        """Put the set in place; returns the paths written, in the order written."""
        try:
            if self.in_place:
                with shielded():
                    while self._temps:
                        name, temp = next(iter(self._temps.items()))
                        os.replace(temp, os.path.join(self.target, name))
                        del self._temps[name]
            else:
                if self.staging is None:
                    self._start()  # a set of no files still makes the folder
                if self.staging is not None:
                    if os.path.isdir(self.target):
                        _keep_others(self.target, self.staging, set(self.names))
                    with shielded():
                        _switch(self.staging, self.target)
        except OSError as error:
            raise InputError(f"--out {self.out_dir}: cannot write: {_reason(error)}") from None
        return [os.path.join(self.out_dir, name) for name in self.names]

    def discard(self) -> None:
        """Remove what was staged (after `publish`: the old folder), leaving `out_dir`."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
        for temp in self._temps.values():
            Path(temp).unlink(missing_ok=True)
        self._temps.clear()


def _output_folder(out_dir: str) -> str:
    """The real path `run --out` will replace; what cannot be a folder is refused."""
    if out_dir in ("", "-"):
        raise InputError(f"--out {out_dir!r}: give the folder to write the new record set into")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        mode = os.stat(out_dir).st_mode
        kind = next((name for test, name in _KINDS if test(mode)), "a file")
        raise InputError(f"--out {out_dir}: {kind}, not a folder")
    target = os.path.realpath(out_dir)  # a symlinked folder: replace what it points to
    ancestor = os.path.dirname(target)
    while ancestor and not os.path.exists(ancestor):
        ancestor = os.path.dirname(ancestor)
    if ancestor and not os.path.isdir(ancestor):
        raise InputError(f"--out {out_dir}: {ancestor} is a file, so no folder can be made in it")
    return target


def _keep_others(source: str, staging: str, rewritten: set[str]) -> None:
    """What `source` holds and the run does not rewrite, into `staging` unchanged."""
    for entry in os.scandir(source):
        if entry.name in rewritten:
            continue
        destination = os.path.join(staging, entry.name)
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), destination)
        elif entry.is_dir():
            shutil.copytree(entry.path, destination, symlinks=True, copy_function=_link)
        else:
            _link(entry.path, destination)


def _link(source: str, destination: str) -> None:
    try:
        os.link(source, destination)  # same bytes, same mode, no copy
    except OSError:
        shutil.copy2(source, destination)


def _switch(staging: str, target: str) -> None:
    """Put `staging` where `target` is; `staging` then holds the old folder (if any)."""
    if not os.path.exists(target):
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    old = staging + ".old"
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)
        raise
    os.rename(old, staging)


def _exchange(first: str, second: str) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return bool(done == 0)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
