"""Items, blocks and settings → canonical lines, each comment placed (docs/fmt.md).

Layout works on *entries*: an item at the top level, a setting, field declaration or
`match` line in a block. Comments between entries are placed first (before the next entry
when they start their line, at the end of the previous entry's line otherwise); then
entries are drawn. A comment inside an entry goes to the end of the entry's line, unless
it is inside the entry's expression: that expression is then printed as written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine import ast
from engine.fmt.comments import Comments, comment_lines, is_ignore, settle, trailing_text
from engine.fmt.exprs import ExprPrinter, quote
from engine.fmt.settings import type_parts
from engine.fmt.wrap import INDENT, WIDTH, fill, wrap
from engine.source import Span
from engine.vocabulary import CONNECTOR_SETTINGS

# One-line items of one kind stay together (no blank line) unless the author parted them.
RUNS = {
    ast.Stage: "stage",
    ast.Share: "share",
    ast.CreateGate: "create",
    ast.Duplicate: "duplicate",
    ast.Include: "include",
    ast.ImportSalesforce: "import",
}
MATCH_LINE = "match line"  # a personalization `match … by …` line (not a setting key)
PAIR_LINE = "pair line"  # a `"name": "name"` line of user_sync or campaigns: kept in order
SETTING_ORDER = {
    "connector": CONNECTOR_SETTINGS,
    "field": ("lead", "contact", "sync"),
    "validation": ("error_if", "message", "field", "active"),
    "personalization": ("designated_only",),
    "campaigns": ("create_missing",),
}

Lines = tuple[list[ast.Comment], list[str]]  # (comments moved before the entry, its lines)


@dataclass(eq=False)
class Entry:
    """One unit printed at one indentation, with the comments placed around it."""

    start: int
    end: int
    draw: Callable[[Entry, str], Lines]
    kind: str = ""
    inline: str | None = None  # its one-line text, when a block may stay on one line
    leading: list[ast.Comment] = field(default_factory=list)
    after: list[ast.Comment] = field(default_factory=list)  # at the end of its last line


@dataclass(frozen=True, slots=True)
class Region:
    """Where an expression stands in the source; with a comment inside, it prints as written."""

    start: int
    end: int
    verbatim: bool


class Layout:
    """Draws the items of one parsed file."""

    def __init__(
        self,
        text: str,
        comments: Comments,
        field_settings: dict[int, tuple[ast.Setting, ...]],
    ) -> None:
        self.text = text
        self.comments = comments
        self.exprs = ExprPrinter(text)
        self.field_settings = field_settings

    # -- containers ---------------------------------------------------------------------

    def file(self, items: Sequence[ast.Item]) -> str:
        entries = [self.item(item) for item in items]
        end = self.place(entries, 0, len(self.text), None)
        lines = self.body(entries, end, "", keep_blanks=True, runs=True)
        text = "\n".join(line.rstrip() for line in "\n".join(lines).split("\n"))
        return text + "\n" if text else ""

    def place(
        self,
        entries: Sequence[Entry],
        start: int,
        end: int,
        header: list[ast.Comment] | None,
    ) -> list[ast.Comment]:
        """Attach the comments between entries; return those left for the container's end.

        `header` collects comments on the line that opens a block, after its `{`."""
        ordered = sorted(entries, key=lambda e: e.start)
        closing: list[ast.Comment] = []
        index = 0
        for comment in self.comments.within(start, end):
            while index < len(ordered) and ordered[index].end <= comment.span.start:
                index += 1
            if index < len(ordered) and ordered[index].start <= comment.span.start:
                continue  # inside an entry: the entry places it
            previous = ordered[index - 1] if index > 0 else None
            if not self.comments.own_line(comment):
                if previous is not None:
                    previous.after.append(comment)
                    continue
                if header is not None:
                    header.append(comment)
                    continue
            if index < len(ordered):
                ordered[index].leading.append(comment)
            else:
                closing.append(comment)
        return closing

    def body(
        self,
        entries: Sequence[Entry],
        closing: Sequence[ast.Comment],
        indent: str,
        *,
        keep_blanks: bool,
        runs: bool,
    ) -> list[str]:
        """Entries one after another with their comments, blank lines where they belong."""
        lines: list[str] = []
        previous: Entry | None = None
        for entry in entries:
            chunks = self.chunks(entry, indent)
            flags = [blank for blank, _ in chunks] if keep_blanks else [False] * len(chunks)
            if runs and previous is not None and not any(flags) and not _together(previous, entry):
                flags[0] = True  # items are parted by a blank line (SPEC-free house layout)
            for blank, (_, chunk) in zip(flags, chunks, strict=True):
                _add(lines, chunk, blank)
            previous = entry
        for comment in closing:
            blank = keep_blanks and self.comments.blank_before(comment.span.start)
            _add(lines, comment_lines(comment, indent), blank)
        return lines

    def chunks(self, entry: Entry, indent: str) -> list[tuple[bool, list[str]]]:
        """(blank line before?, lines) for the entry's leading comments and the entry."""
        moved, drawn = entry.draw(entry, indent)
        blank_before = self.comments.blank_before
        chunks = [(blank_before(c.span.start), comment_lines(c, indent)) for c in entry.leading]
        own = blank_before(entry.start)
        for comment in moved:
            chunks.append((own, comment_lines(comment, indent)))
            own = False
        chunks.append((own, drawn))
        return chunks

    # -- items --------------------------------------------------------------------------

    def item(self, item: ast.Item) -> Entry:
        kind = RUNS.get(type(item), "block")
        match item:
            case ast.Stage(name=name, when=when):
                return self.rule(item, f"stage {name.name} when ", name.span.end, when, kind)
            case ast.Share(object=obj, when=when) | ast.CreateGate(object=obj, when=when):
                word = "share" if isinstance(item, ast.Share) else "create"
                return self.rule(item, f"{word} {obj.name} when ", obj.span.end, when, kind)
            case ast.Duplicate(object=obj, fields=fields):
                names = ", ".join(f.name for f in fields)
                return self.line(item.span, f"duplicate {obj.name} by {names}", kind)
            case ast.Include(path=path):
                return self.line(item.span, f"include {self.path(path, item.span.end)}", kind)
            case ast.ImportSalesforce(path=path):
                written = self.path(path, item.span.end)
                return self.line(item.span, f"import salesforce {written}", kind)
            case ast.Connector(settings=settings):
                children = [self.setting(s) for s in settings]
                return self.block(
                    item.span,
                    "connector",
                    _after_word(item.span, "connector"),
                    children,
                    "connector",
                )
            case ast.FieldMapping(prospect_field=name):
                settings = self.field_settings.get(item.span.start, ())
                children = [self.setting(s) for s in settings]
                return self.block(item.span, f"field {name.name}", name.span.end, children, "field")
            case ast.Validation(name=name, object=obj, settings=settings):
                children = [self.setting(s) for s in settings]
                header = f"validation {name.name} on {obj.name}"
                return self.block(item.span, header, obj.span.end, children, "validation")
            case ast.Personalization(matches=matches, settings=settings):
                children = [self.pz_match(m) for m in matches] + [self.setting(s) for s in settings]
                head_end = _after_word(item.span, "personalization")
                return self.block(
                    item.span, "personalization", head_end, children, "personalization"
                )
            case ast.UserSync(roles=roles):
                children = [self.pair(p) for p in roles]
                head_end = _after_word(item.span, "user_sync")
                return self.block(item.span, "user_sync", head_end, children, "user_sync")
            case ast.Campaigns(links=links, settings=settings):
                # settings first, then the links in the order written (declaration order
                # decides which of two links to one campaign wins)
                entries = [self.setting(s) for s in settings] + [self.pair(p) for p in links]
                children = sorted(entries, key=lambda e: e.start)
                head_end = _after_word(item.span, "campaigns")
                return self.block(item.span, "campaigns", head_end, children, "campaigns")
            case ast.BusinessUnit(name=name, items=unit_items):
                # its connector block and share rules in the order written
                children = [self.item(i) for i in unit_items]
                header = f"business_unit {name.name}"
                return self.block(item.span, header, name.span.end, children, "business_unit")
            case ast.ObjectDecl(object=obj, fields=fields):
                children = [self.field_decl(f) for f in fields]
                return self.block(item.span, f"object {obj.name}", obj.span.end, children, "object")
        raise AssertionError(f"unknown item {item!r}")

    def path(self, value: str, end: int) -> str:
        return quote(value, self.exprs.quote_char(end - 1))

    def line(self, span: Span, text: str, kind: str) -> Entry:
        """An entry with no expression: every comment inside it moves to its line's end."""
        inner = self.comments.within(span.start, span.end)

        def draw(entry: Entry, indent: str) -> Lines:
            return _finish([indent + text], inner, entry.after, first_open=False)

        return Entry(span.start, span.end, draw, kind, None if inner else text)

    def rule(self, item: ast.Item, prefix: str, head_end: int, when: ast.Expr, kind: str) -> Entry:
        """`stage`, `share` and `create`: `<keyword> <name> when <expression>`."""
        when_at = self.comments.skip(head_end)
        return self.expression_entry(item.span, prefix, when_at + len("when"), when, kind)

    def setting(self, setting: ast.Setting) -> Entry:
        colon = self.comments.skip(setting.key.span.end)
        entry = self.expression_entry(
            setting.span, f"{setting.key.name}: ", colon + 1, setting.value, setting.key.name
        )
        return entry

    def expression_entry(
        self, span: Span, prefix: str, region_start: int, expr: ast.Expr, kind: str
    ) -> Entry:
        region = self.region(region_start, span.end)
        inner = self.comments.within(span.start, region.start)

        def draw(entry: Entry, indent: str) -> Lines:
            return self.expression(indent, prefix, expr, region, inner, entry.after)

        inline = None if inner or region.verbatim else prefix + self.exprs.print(expr)
        return Entry(span.start, span.end, draw, kind, inline)

    def region(self, start: int, end: int) -> Region:
        while start < end and self.text[start] in " \t\n":
            start += 1
        return Region(start, end, bool(self.comments.within(start, end)))

    def pz_match(self, match: ast.PzMatch) -> Entry:
        names = ", ".join(f.name for f in match.fields)
        return self.line(match.span, f"match {match.object.name} by {names}", MATCH_LINE)

    def pair(self, pair: ast.Pair) -> Entry:
        key = quote(pair.key, self.exprs.quote_char(pair.key_span.start))
        value = quote(pair.value, self.exprs.quote_char(pair.value_span.start))
        return self.line(pair.span, f"{key}: {value}", PAIR_LINE)

    def field_decl(self, decl: ast.FieldDecl) -> Entry:
        """`Name: type flags`; a long list of type values fills lines under it."""
        flags = (" required" if decl.required else "") + (" readonly" if decl.readonly else "")
        name, args = type_parts(decl.type.text)
        written = name if args is None else f"{name}({', '.join(args)})"
        text = f"{decl.name.name}: {written}{flags}"
        inner = self.comments.within(decl.span.start, decl.span.end)

        def draw(entry: Entry, indent: str) -> Lines:
            keep, moved = settle([*inner, *entry.after])
            if args is None or len(indent + text + trailing_text(keep)) <= WIDTH:
                return moved, [indent + text + trailing_text(keep)]
            opening = f"{indent}{decl.name.name}: {name}("
            return _finish(
                fill(opening, args, indent, ")" + flags), inner, entry.after, first_open=False
            )

        return Entry(decl.span.start, decl.span.end, draw, "", None if inner else text)

    # -- blocks -------------------------------------------------------------------------

    def block(
        self, span: Span, header: str, head_end: int, children: list[Entry], kind: str
    ) -> Entry:
        """`header { … }`: one child per line, indented; `header {}` when empty."""
        open_at = self.comments.skip(head_end)
        close_at = span.end - 1
        on_header = self.comments.within(span.start, open_at)
        closing = self.place(children, open_at + 1, close_at, on_header)
        ordered = _in_order(children, SETTING_ORDER.get(kind))
        one_line = "\n" not in self.text[span.start : span.end] and not self.comments.within(
            span.start, span.end
        )
        inline = f"{header} {{ {' '.join(c.inline or '' for c in ordered)} }}"

        def draw(entry: Entry, indent: str) -> Lines:
            if not children and not closing:
                return _finish([f"{indent}{header} {{}}"], on_header, entry.after, first_open=False)
            if one_line and any(is_ignore(c) for c in entry.after):
                # an ignore comment silences findings on its own line: keep the block there
                return _finish([indent + inline], [], entry.after, first_open=False)
            lines = [f"{indent}{header} {{"]
            # only object blocks keep the author's blank lines: their fields are not reordered
            keep_blanks = kind == "object"
            lines += self.body(
                ordered, closing, indent + INDENT, keep_blanks=keep_blanks, runs=False
            )
            lines.append(indent + "}")
            return _finish(lines, on_header, entry.after, first_open=False)

        return Entry(span.start, span.end, draw, "block")

    # -- expressions --------------------------------------------------------------------

    def expression(
        self,
        indent: str,
        prefix: str,
        expr: ast.Expr,
        region: Region,
        first: list[ast.Comment],
        last: list[ast.Comment],
    ) -> Lines:
        head = indent + prefix
        if region.verbatim:
            lines = self.verbatim(head, region, indent)
            return _finish(lines, first, last, first_open=self.ends_in_comment(region))
        keep, moved = settle([*first, *last])
        one = head + self.exprs.print(expr) + trailing_text(keep)
        # a line that carries an ignore comment is never split: the ignore covers its line
        if len(one) <= WIDTH or any(is_ignore(c) for c in (*first, *last)):
            return moved, [one]
        keep_first, moved_first = settle(first)
        keep_last, moved_last = settle(last)
        lines = wrap(self.exprs, expr, head, indent, trailing_text(keep_last))
        if len(lines) == 1:
            # fits only without the head's comments, which join the line's end: wrap for
            # all of them at the end, as the next run reads them (fmt is idempotent)
            lines = wrap(self.exprs, expr, head, indent, trailing_text(keep))
            return moved, [one] if len(lines) == 1 else lines
        lines[0] += trailing_text(keep_first)
        return [*moved_first, *moved_last], lines

    def ends_in_comment(self, region: Region) -> bool:
        """Does the region's first line end inside a comment (so nothing can follow it)?"""
        newline = self.text.find("\n", region.start, region.end)
        if newline == -1:
            return False
        return any(
            c.span.start < newline and (c.text.startswith("#") or c.span.end > newline)
            for c in self.comments.within(region.start, region.end)
        )

    def verbatim(self, head: str, region: Region, indent: str) -> list[str]:
        """The region as written, its continuation lines moved as a whole so the first
        keeps its place relative to them; none sits left of the item, and only a closing
        `)` sits level with it."""
        pieces = self.text[region.start : region.end].split("\n")
        line_start = self.text.rfind("\n", 0, region.start) + 1
        old_col = len(self.text[line_start : region.start].expandtabs(4))
        rest: list[tuple[int | None, str]] = []
        offset = region.start + len(pieces[0]) + 1
        for piece in pieces[1:]:
            if self.comments.inside_block(offset):
                rest.append((None, piece))  # a line of a /* */ comment: its text, untouched
            elif piece.strip():
                code = piece.lstrip(" \t")
                rest.append((len(piece[: len(piece) - len(code)].expandtabs(4)), code))
            offset += len(piece) + 1
        delta = len(head) - old_col
        # no line left of the item; none but a closing `)` level with it
        widths = [w for w, text in rest if w is not None]
        if widths:
            delta = max(delta, len(indent) - min(widths))
        opening = [w for w, text in rest if w is not None and not text.startswith(")")]
        if opening:
            delta = max(delta, len(indent) + len(INDENT) - min(opening))
        lines = [head + pieces[0]]
        lines += [text if w is None else " " * (w + delta) + text for w, text in rest]
        return lines


def _after_word(span: Span, word: str) -> int:
    """The end of a block's keyword when the keyword is the whole header (`connector`)."""
    return span.start + len(word)


def _in_order(children: list[Entry], order: tuple[str, ...] | None) -> list[Entry]:
    if order is None:
        return children
    rank = {key: index for index, key in enumerate(order)}

    # `match` lines come before the settings in personalization; unknown keys come last;
    # the `"name": "name"` lines of campaigns come after its settings, in written order
    def key(c: Entry) -> int:
        if c.kind == MATCH_LINE:
            return -1
        if c.kind == PAIR_LINE:
            return len(order) + 1
        return rank.get(c.kind, len(order))

    return sorted(children, key=key)


def _together(previous: Entry, entry: Entry) -> bool:
    return previous.kind == entry.kind and previous.kind in RUNS.values()


def _add(lines: list[str], chunk: list[str], blank: bool) -> None:
    if blank and lines and lines[-1] != "":
        lines.append("")
    lines.extend(chunk)


def _finish(
    lines: list[str], first: list[ast.Comment], last: list[ast.Comment], *, first_open: bool
) -> Lines:
    """Put trailing comments on the first and last line; return those that cannot stay."""
    if len(lines) == 1:
        keep, moved = settle([*first, *last])
        return moved, [lines[0] + trailing_text(keep)]
    keep_first: list[ast.Comment]
    moved_first: list[ast.Comment]
    if first_open:
        keep_first, moved_first = [], list(first)
    else:
        keep_first, moved_first = settle(first)
    keep_last, moved_last = settle(last)
    lines = [
        lines[0] + trailing_text(keep_first),
        *lines[1:-1],
        lines[-1] + trailing_text(keep_last),
    ]
    return [*moved_first, *moved_last], lines
