"""The rule sets an editor has open: which files belong together, their text (unsaved
buffers first, then disk), and checking them quickly and then fully.

A folder of `.sync` files is one rule set (the folder, or the highest folder above it
whose parents keep holding `.sync` files directly), with includes and `import salesforce`
followed by the loader. A check re-parses only the files whose text changed (a
`ParseCache` per rule set). Lint configuration is the nearest `.syncrules.toml` or
`pyproject.toml` above the rule set, as `syncrules lint` run from there would find it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from engine import api, codes
from engine.check.model import CheckedRules
from engine.diagnostics import Diagnostic, Report
from engine.files import InputError, read_source, sync_files_below
from engine.lint import suppress
from engine.lint.config import LintConfig, find_config, load_config
from engine.loader import PACK_PREFIX
from engine.lsp.symbols import Index, build


@dataclass(frozen=True, slots=True)
class Checked:
    """One check of a rule set: what it read, what it found, where every name is."""

    root: str
    texts: dict[str, str]  # the open buffers it used, by path
    rules: CheckedRules
    index: Index
    findings: tuple[Diagnostic, ...]  # check errors, plus lint findings once `full`
    full: bool  # lint ran too


@dataclass(slots=True)
class RuleSet:
    root: str
    cache: api.ParseCache = field(default_factory=api.ParseCache)
    last: Checked | None = None
    linted: Checked | None = None  # the last check that lint completed on
    parsed: Checked | None = None  # the last check where every file parsed: the names
    # completion offers while the file being typed does not parse
    published: set[str] = field(default_factory=set)  # paths shown with findings


class Workspace:
    """Open buffers and rule sets. Checks of one rule set never run at the same time."""

    def __init__(self) -> None:
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
            for path in self.files(rule_set.root):
                text = texts[path] if path in texts else _disk_text(path)
                if text is not None:  # else the loader reads it, and says why it cannot
                    texts[path] = text
            rules = api.check_edited(self.files(rule_set.root), texts, rule_set.cache)
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
            checked = Checked(
                rule_set.root, buffers, rules, build(rules), Report(list(found)).sorted(), False
            )
            rule_set.last = checked
            if not any(d.code == codes.SYNTAX_ERROR.code for d in rules.diagnostics):
                rule_set.parsed = checked
            return checked

    def lint(self, rule_set: RuleSet, checked: Checked) -> Checked:
        """Every lint finding too, exactly as `syncrules lint` reports them."""
        with self.lock:
            found = api.lint(checked.rules, self.config(rule_set.root))
            full = Checked(checked.root, checked.texts, checked.rules, checked.index, found, True)
            rule_set.linted = full
            if rule_set.last is checked:
                rule_set.last = full
            return full


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
