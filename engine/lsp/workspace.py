"""The rule sets an editor has open: which files belong together, their text (unsaved
buffers first, then disk), and checking them quickly and then fully.

A folder of `.sync` files is one rule set (the folder, or the highest folder above it
whose parents keep holding `.sync` files directly), with includes and `import salesforce`
followed by the loader. A check re-parses only the files whose text changed (a
`ParseCache` per rule set). Lint configuration is the nearest `.syncrules.toml` or
`pyproject.toml` above the rule set, as `syncrules lint` run from there would find it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from engine import api, codes
from engine.check.model import CheckedRules
from engine.diagnostics import Diagnostic, Report
from engine.files import InputError, read_source, sync_files_below
from engine.lint import suppress
from engine.lint.config import LintConfig, find_config, load_config
from engine.lint.registry import load_rules
from engine.lsp.symbols import FileCache, Index, build
from engine.source import PACK_PREFIX


class Checked:
    """One check of a rule set: what it read, what it found, and (built when a request
    first needs it, so diagnostics never wait for it) where every name is."""

    def __init__(
        self,
        root: str,
        texts: dict[str, str],
        rules: CheckedRules,
        findings: tuple[Diagnostic, ...],
        full: bool,
        files: FileCache,
    ) -> None:
        self.root = root
        self.texts = texts  # the open buffers it used, by path
        self.rules = rules
        self.findings = findings  # check errors, plus lint findings once `full`
        self.full = full  # lint ran too
        self._files = files
        self._index: Index | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> Index:
        with self._lock:
            if self._index is None:
                self._index = build(self.rules, self._files)
            return self._index

    def with_findings(self, findings: tuple[Diagnostic, ...]) -> Checked:
        done = Checked(self.root, self.texts, self.rules, findings, True, self._files)
        done._index = self._index
        return done


@dataclass(slots=True)
class RuleSet:
    root: str
    cache: api.ParseCache = field(default_factory=api.ParseCache)
    last: Checked | None = None
    linted: Checked | None = None  # the last check that lint completed on
    parsed: Checked | None = None  # the last check where every file parsed: the names
    # completion offers while the file being typed does not parse
    # what the editor shows for each file: a file is sent again only when it changes
    published: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    files: FileCache = field(default_factory=dict)  # each file's names, between checks


class Workspace:
    """Open buffers and rule sets. Checks of one rule set never run at the same time."""

    def __init__(self) -> None:
        load_rules()  # every code known here too, not only in the child that lints
        self.buffers: dict[str, str] = {}  # path → text of an open document
        self.sets: dict[str, RuleSet] = {}
        self.lock = threading.Lock()
        self.config_error: str | None = None

    # -- which files belong together --------------------------------------------------

    def root_of(self, path: str) -> str:
        folder = os.path.dirname(os.path.abspath(path))
        while True:
            parent = os.path.dirname(folder)
            if parent == folder or not _holds_sync_files(parent):
                return folder
            folder = parent

    def rule_set(self, path: str) -> RuleSet:
        root = self.root_of(path)
        if root not in self.sets:
            self.sets[root] = RuleSet(root)
        return self.sets[root]

    def files(self, root: str) -> list[str]:
        on_disk = set(sync_files_below(root)) if os.path.isdir(root) else set()
        inside = {p for p in self.buffers if p.endswith(".sync") and _below(p, root)}
        return sorted(on_disk | inside)

    def stale(self, rule_set: RuleSet) -> bool:
        last = rule_set.last
        return last is None or last.texts != self.buffers

    # -- checking ----------------------------------------------------------------------

    def config(self, root: str) -> LintConfig:
        try:
            config = load_config(find_config(root))
        except InputError as error:
            self.config_error = str(error)
            return LintConfig()
        self.config_error = None
        return config

    def check(self, rule_set: RuleSet) -> Checked:
        """Check errors now, with the last lint's findings for files that did not change."""
        with self.lock:
            # every open buffer: one outside the folder may be included by the rule set
            buffers = dict(self.buffers)
            texts = dict(buffers)
            files = self.files(rule_set.root)
            for path in files:
                text = texts[path] if path in texts else _disk_text(path)
                if text is not None:  # else the loader reads it, and says why it cannot
                    texts[path] = text
            rules = api.check_edited(files, texts, rule_set.cache)
            config = self.config(rule_set.root)
            found = _quick(rules, config)
            linted = rule_set.linted
            if linted is not None:
                unchanged = {p for p, s in rules.sources.items() if _same(linted, p, s.text)}
                found += tuple(
                    d
                    for d in linted.findings
                    if d.span.path in unchanged and not _is_check(d) and d.name != "unused-ignore"
                )
            findings = Report(list(found)).sorted()
            checked = Checked(rule_set.root, buffers, rules, findings, False, rule_set.files)
            rule_set.last = checked
            if not any(d.code == codes.SYNTAX_ERROR.code for d in rules.diagnostics):
                rule_set.parsed = checked
            return checked

    def lint(self, rule_set: RuleSet, checked: Checked) -> Checked | None:
        """Every lint finding too, exactly as `syncrules lint` reports them; None when the
        text changed before lint finished (the next check lints again)."""

        def stale() -> bool:
            return rule_set.last is not checked or self.buffers != checked.texts

        found = lint_apart(checked.rules, self.config(rule_set.root), stale)
        if found is None:
            return None
        full = checked.with_findings(found)
        with self.lock:
            rule_set.linted = full
            if rule_set.last is checked:
                rule_set.last = full
        return full


def lint_apart(
    rules: CheckedRules, config: LintConfig, stale: Callable[[], bool]
) -> tuple[Diagnostic, ...] | None:
    """Lint in a forked child: it runs beside the next edit's check instead of slowing it
    (lint of a large rule set takes seconds, check a tenth of that), and is killed as
    soon as the text it lints is out of date. Without fork (Windows), lint runs here."""
    if not hasattr(os, "fork"):
        return None if stale() else api.lint(rules, config)
    read, write = os.pipe()
    with warnings.catch_warnings():  # 3.12 warns about forking a threaded process
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: no multiprocessing, which would touch the locked stdin
        _lint_child(write, rules, config)
    os.close(write)
    data = bytearray()
    try:
        while True:
            ready, _, _ = select.select([read], [], [], 0.02)
            if ready:
                chunk = os.read(read, 1 << 16)
                if not chunk:
                    break
                data += chunk
            elif stale():
                return None
    finally:
        os.close(read)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not data:  # the child could not answer: lint here
        return api.lint(rules, config)
    found: tuple[Diagnostic, ...] = pickle.loads(bytes(data))
    return found


def _lint_child(write: int, rules: CheckedRules, config: LintConfig) -> NoReturn:
    try:
        # stdout is the protocol's channel: nothing the child does may reach the editor
        quiet = os.open(os.devnull, os.O_RDWR)
        os.dup2(quiet, 0)
        os.dup2(quiet, 1)
        data = pickle.dumps(api.lint(rules, config))
        view = memoryview(data)
        while view:
            view = view[os.write(write, view) :]
    finally:
        os._exit(0)


def _quick(rules: CheckedRules, config: LintConfig) -> tuple[Diagnostic, ...]:
    """Check errors as lint shows them (ignore comments and configuration applied); an
    unused ignore waits for the full lint, which knows whether it silences a finding."""
    ignores = suppress.collect(rules.files)
    kept = suppress.apply(Report(list(rules.diagnostics)).sorted(), ignores, config.selects)
    return tuple(config.adjust(d) for d in kept if config.selects(d) and d.name != "unused-ignore")


def _is_check(diagnostic: Diagnostic) -> bool:
    return codes.lookup(diagnostic.code) in codes.CHECK_CODES


def _same(checked: Checked, path: str, text: str) -> bool:
    source = checked.rules.sources.get(path)
    return source is not None and source.text == text


def _holds_sync_files(folder: str) -> bool:
    try:
        return any(name.endswith(".sync") for name in os.listdir(folder))
    except OSError:
        return False


def _below(path: str, root: str) -> bool:
    return os.path.commonpath([os.path.abspath(path), root]) == root


_DISK: dict[str, tuple[int, int, str]] = {}


def _disk_text(path: str) -> str | None:
    """A file's text as on disk, read again only when its size or time changes; None
    when it cannot be read as UTF-8."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    known = _DISK.get(path)
    if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    read = read_source(path)
    if read.source is None:
        return None
    _DISK[path] = (stat.st_mtime_ns, stat.st_size, read.source.text)
    return read.source.text


def is_shown(path: str) -> bool:
    """Findings inside the shipped packs are not the user's to fix (as in `lint`)."""
    return not path.startswith(PACK_PREFIX)
