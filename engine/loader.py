"""Files, directories and includes → one ordered list of rule items (a loaded rule set).

An included file's items take the place of its `include` line, so lifecycle order and
validation order read the way the files do. Each file is read once: a file reached a
second time (included twice, or both included and found in a directory) adds nothing,
and a file that includes itself, directly or through others, is an `include-cycle`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from engine import ast, codes
from engine.diagnostics import Diagnostic, Report
from engine.files import (
    InputError,
    ReadResult,
    decode_source,
    read_source,
    sync_files_below,
)
from engine.source import PACK_PREFIX, SourceFile, Span, whole_file
from engine.syntax.lower import lower_tree
from engine.syntax.parser import NOT_RULE_TEXT, parse_tree

if TYPE_CHECKING:  # the SFDX reader loads only for a rule set that imports a tree
    from engine.sfdx.tree import ImportedTree


@dataclass(frozen=True, slots=True)
class Loaded:
    """What loading produced: files in reading order, their items, and the problems."""

    sources: dict[str, SourceFile]
    files: tuple[ast.RuleFile, ...]
    items: tuple[ast.Item, ...]
    diagnostics: tuple[Diagnostic, ...]
    imports: tuple[ImportedTree, ...] = ()  # what each `import salesforce` read


@dataclass(slots=True)
class ParseCache:
    """What an editor keeps between checks of one rule set: each file's parse, by its
    text (only the latest text per path is kept), and each imported SFDX tree. Nodes
    are frozen, so a file whose text did not change is reused as it is."""

    files: dict[str, tuple[str, _Parsed]] = field(default_factory=dict)
    trees: dict[tuple[str, Span], ImportedTree] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Parsed:
    source: SourceFile
    items: tuple[ast.Item, ...]
    problems: tuple[Diagnostic, ...]
    comments: tuple[ast.Comment, ...]
    failed: bool  # a syntax error: no items


@dataclass(slots=True)
class _State:
    report: Report = field(default_factory=Report)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files: list[ast.RuleFile] = field(default_factory=list)
    items: list[ast.Item] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    stack: list[str] = field(default_factory=list)
    trees: list[tuple[ImportedTree, ast.ImportSalesforce]] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)  # identity → text
    cache: ParseCache | None = None


def expand_paths(paths: Sequence[str]) -> list[str]:
    """Rule paths as given: files stay, directories become their `*.sync` files."""
    expanded: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found = sync_files_below(path)
            if not found:
                raise InputError(f"{path}: no *.sync files in this directory")
            expanded.extend(found)
        elif os.path.exists(path):
            expanded.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return expanded


def load(
    paths: Sequence[str],
    *,
    overrides: Mapping[str, str] | None = None,
    cache: ParseCache | None = None,
) -> Loaded:
    """Read, parse and lower every rule file named or found below the given paths.

    `overrides` maps a file path to the text to use instead of what is on disk (an
    editor's unsaved buffer; the file need not exist yet); `cache` keeps parses between
    calls."""
    state = _State(cache=cache)
    for path, text in (overrides or {}).items():
        state.overrides[_identity(path)] = text
    for path in paths:
        given = _identity(path) in state.overrides
        for found in [path] if given else expand_paths([path]):
            _load_file(state, found, None)
    return _finish(state)


def load_text(text: str, path: str = "<text>") -> Loaded:
    """Parse rule text that is not on disk (tests, editors, the API).

    The text stands for the file at `path`: includes resolve beside it, and a file that
    includes `path` back is an include cycle, not a second copy."""
    state = _State()
    identity = _identity(path)
    state.seen.add(identity)
    state.stack.append(identity)
    _load_source(state, SourceFile(path, text))
    return _finish(state)


def _finish(state: _State) -> Loaded:
    # standard fields of imported objects that nothing declares: typed without a declaration
    if state.trees:
        from engine.sfdx.tree import standard_declarations
    for tree, node in state.trees:
        state.items.extend(standard_declarations(tree, state.items, node.span))
    return Loaded(
        state.sources,
        tuple(state.files),
        tuple(state.items),
        tuple(state.report.items),
        tuple(tree for tree, _node in state.trees),
    )


def _identity(path: str) -> str:
    """What makes two paths the same file: a pack seen from a checkout is its rules/ file."""
    if path.startswith(PACK_PREFIX):
        location = _pack_dir().joinpath(path.removeprefix(PACK_PREFIX))
        return os.path.realpath(str(location)) if isinstance(location, Path) else path
    return os.path.realpath(path)


def _load_file(state: _State, path: str, include: ast.Include | None) -> None:
    identity = _identity(path)
    if identity in state.stack and include is not None:
        itself = identity == state.stack[-1]
        message = (
            f'this file includes itself ("{include.path}")'
            if itself
            else f'"{include.path}" includes the file that includes it'
        )
        hint = "remove the include" if itself else "remove one of the includes"
        state.report.add(codes.INCLUDE_CYCLE.at(include.span, message, hint=hint))
        return
    if identity in state.seen:
        return
    if identity in state.overrides:
        text = state.overrides[identity].removeprefix("\ufeff")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        cached = state.cache.files.get(path) if state.cache is not None else None
        same = cached is not None and cached[0] == text
        result = ReadResult(cached[1].source if cached and same else SourceFile(path, text), None)
    elif path.startswith(PACK_PREFIX):
        result = _read_pack(path)
    else:
        result = read_source(path)
    if result.source is None:
        assert result.diagnostic is not None
        if include is not None and result.diagnostic.message.startswith("cannot read"):
            reason = result.diagnostic.message.removeprefix("cannot read: ")
            state.report.add(
                codes.MISSING_INCLUDE.at(include.span, f'cannot include "{include.path}": {reason}')
            )
        else:
            state.report.add(result.diagnostic)
        return
    state.seen.add(identity)
    state.stack.append(identity)
    try:
        _load_source(state, result.source)
    finally:
        state.stack.pop()


def _parse(source: SourceFile) -> _Parsed:
    parsed = parse_tree(source)
    comments = tuple(
        ast.Comment(str(t), source.span(t.start_pos or 0, t.end_pos or 0)) for t in parsed.comments
    )
    if parsed.tree is None:
        assert parsed.diagnostic is not None
        return _Parsed(source, (), (parsed.diagnostic,), comments, failed=True)
    items, problems = lower_tree(parsed.tree, source)
    return _Parsed(source, tuple(items), tuple(problems), comments, failed=False)


def _load_source(state: _State, source: SourceFile) -> None:
    state.sources[source.path] = source
    cached = state.cache.files.get(source.path) if state.cache is not None else None
    if cached is not None and cached[0] == source.text:
        parsed = cached[1]
    else:
        parsed = _parse(source)
        if state.cache is not None:
            state.cache.files[source.path] = (source.text, parsed)
    if parsed.failed and parsed.problems[0].message == NOT_RULE_TEXT:
        del state.sources[source.path]  # its text is never echoed (parser.py)
    state.report.extend(parsed.problems)
    state.files.append(ast.RuleFile(source.path, parsed.items, parsed.comments))
    if parsed.failed:
        return
    for item in parsed.items:
        if isinstance(item, ast.Include):
            _load_file(state, _include_target(source.path, item.path), item)
            continue
        if isinstance(item, ast.ImportSalesforce):
            _import(state, source, item)
            continue
        state.items.append(item)


def _import(state: _State, source: SourceFile, item: ast.ImportSalesforce) -> None:
    """Declare what an SFDX tree holds where its `import` line stands (SPEC §1): its
    validation rules come after the rules declared earlier in the rule set."""
    target = os.path.normpath(os.path.join(os.path.dirname(source.path), item.path))
    if not os.path.isdir(target):
        state.report.add(
            codes.MISSING_INCLUDE.at(
                item.span,
                f'cannot import "{item.path}": no such directory',
                hint="paths are relative to the rule file",
            )
        )
        return
    identity = "import:" + os.path.realpath(target)
    if identity in state.seen:
        return  # a tree imported twice adds nothing the second time
    state.seen.add(identity)
    # diagnostics of the tree point at the import line: the same tree read from
    # another line is read again
    key = (identity, item.span)
    tree = state.cache.trees.get(key) if state.cache is not None else None
    if tree is None:
        from engine.sfdx.tree import import_tree

        tree = import_tree(target, item.span)
        if state.cache is not None:
            state.cache.trees[key] = tree
    state.report.extend(tree.diagnostics)
    state.sources.update(tree.sources)
    state.items.append(item)
    state.items.extend(tree.objects)
    state.items.extend(tree.validations)
    state.trees.append((tree, item))


def _include_target(including: str, target: str) -> str:
    if target.startswith(PACK_PREFIX):
        return target
    if including.startswith(PACK_PREFIX):
        return PACK_PREFIX + target  # packs include packs
    return os.path.normpath(os.path.join(os.path.dirname(including), target))


def include_target(including: str, target: str) -> str:
    """The path an `include` line in `including` reads (an editor's go-to-definition)."""
    return _include_target(including, target)


def pack_file(path: str) -> str | None:
    """The file on disk an `@syncrules/…` path reads, when the packs are plain files."""
    location = _pack_dir().joinpath(path.removeprefix(PACK_PREFIX))
    return str(location) if isinstance(location, Path) and location.is_file() else None


def pack_names() -> list[str]:
    """The rule packs shipped with syncrules (`include "@syncrules/<name>"`)."""
    return sorted(p.name for p in _pack_dir().iterdir() if p.name.endswith(".sync"))


def _pack_dir() -> Traversable:
    try:
        return resources.files("engine.packs")
    except ModuleNotFoundError:  # running from a checkout: the packs are in rules/
        return Path(__file__).resolve().parents[1] / "rules"


def _read_pack(path: str) -> ReadResult:
    name = path.removeprefix(PACK_PREFIX)
    try:
        data = _pack_dir().joinpath(name).read_bytes()
    except OSError:
        message = f"cannot read: no shipped pack {name!r} (packs: {', '.join(pack_names())})"
        return ReadResult(None, codes.UNREADABLE_FILE.at(whole_file(path), message))
    return decode_source(path, data)


def included_by(path: str) -> list[str]:
    """Other `*.sync` files in the same directory that include this file (by name)."""
    if not os.path.isfile(path):
        return []
    folder = os.path.dirname(path) or "."
    name = os.path.basename(path)
    found = []
    for other in sync_files_below(folder):
        if os.path.dirname(other) != os.path.dirname(os.path.join(folder, name)):
            continue
        if os.path.samefile(other, path):
            continue
        result = read_source(other)
        if result.source is not None and (
            f'include "{name}"' in result.source.text or f"include '{name}'" in result.source.text
        ):
            found.append(other)
    return found
