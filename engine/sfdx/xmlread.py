"""Metadata XML → a small element tree that remembers where each element's text is.

Parsing is defused (defusedxml): a document type declaration is refused outright, so no
entity can be declared — no "billion laughs" expansion — and no external entity or DTD is
ever fetched. Salesforce metadata files never carry a DOCTYPE, so refusing one costs
nothing. Each element keeps the offsets of its text in the file, so a formula's syntax and
type errors point into the XML file at the right line and column.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import DefusedXMLParser, ParseError  # type: ignore[import-untyped]

from engine import codes
from engine.diagnostics import Diagnostic
from engine.source import SourceFile, Span


@dataclass(slots=True)
class Element:
    """One XML element: local tag name, text, children, and where its text lies."""

    tag: str
    start: int  # byte offset of `<`
    children: list[Element] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    end: int = 0  # byte offset of `</` (or just past `<x/>`)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def child(self, tag: str) -> Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> Iterator[Element]:
        return (c for c in self.children if c.tag == tag)

    def value(self, tag: str) -> str | None:
        """The text of the first child with this tag, stripped; None when absent."""
        found = self.child(tag)
        return found.text.strip() if found is not None else None

    def flag(self, tag: str, default: bool = False) -> bool:
        found = self.value(tag)
        return default if found is None else found.lower() == "true"


class _Builder:
    """An ElementTree parser target that records byte offsets from expat."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.stack: list[Element] = []
        self.root: Element | None = None

    def _offset(self) -> int:
        assert self.parser is not None
        return int(self.parser.parser.CurrentByteIndex)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        node = Element(tag.rsplit("}", 1)[-1], self._offset())
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, tag: str) -> None:
        self.stack.pop().end = self._offset()

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(text)

    def close(self) -> Element | None:
        return self.root


@dataclass(slots=True)
class Document:
    """A parsed metadata file: its source (for spans and carets) and its root element."""

    source: SourceFile
    root: Element
    data: bytes
    _char_at: list[int] | None = None  # byte offset → character offset, for non-ASCII files

    def char_offset(self, byte: int) -> int:
        if len(self.data) == len(self.source.text):
            return byte  # ASCII: bytes are characters
        if self._char_at is None:
            table = [0] * (len(self.data) + 1)
            position = 0
            for index, char in enumerate(self.source.text):
                width = len(char.encode("utf-8"))
                for k in range(width):
                    table[position + k] = index
                position += width
            table[position] = len(self.source.text)
            self._char_at = table
        return self._char_at[min(byte, len(self.data))]

    def text_span(self, element: Element) -> tuple[int, int]:
        """The character offsets of an element's text (between its tags) in the source."""
        open_end = _tag_end(self.data, element.start)
        return self.char_offset(open_end), self.char_offset(max(open_end, element.end))

    def span(self, element: Element) -> Span:
        """The span of an element's text, or of its start tag when it has none."""
        start, end = self.text_span(element)
        if start == end:
            first = self.char_offset(element.start)
            return self.source.span(first, start)
        return self.source.span(start, end)

    def text_positions(self, element: Element) -> list[int]:
        """For each character of the element's text, its offset in the source; one more
        entry for the end. Entities (`&amp;`) and CDATA are read as XML reads them."""
        start, end = self.text_span(element)
        decoded, positions = decode_with_positions(self.source.text, start, end)
        if decoded != element.text:  # something unusual (comments inside text): be coarse
            return [start] * (len(element.text) + 1)
        return positions


def _tag_end(data: bytes, start: int) -> int:
    """Just past the `>` that closes the start tag beginning at `start`."""
    quote = 0
    for index in range(start, len(data)):
        byte = data[index]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:
            return index + 1
    return len(data)


_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def decode_with_positions(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """XML character data → (text, offsets): entities, character references and CDATA."""
    out: list[str] = []
    positions: list[int] = []
    index = start
    while index < end:
        if text.startswith("<![CDATA[", index):
            close = text.find("]]>", index)
            close = end if close == -1 else close
            for offset in range(index + 9, close):
                out.append(text[offset])
                positions.append(offset)
            index = close + 3
            continue
        char = text[index]
        if char == "&":
            semi = text.find(";", index, min(end, index + 12))
            name = text[index + 1 : semi] if semi != -1 else ""
            value = _NAMED.get(name) or _char_ref(name)
            if value is not None:
                out.append(value)
                positions.append(index)
                index = semi + 1
                continue
        out.append(char)
        positions.append(index)
        index += 1
    positions.append(end)
    return "".join(out), positions


def _char_ref(name: str) -> str | None:
    try:
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
    except (ValueError, OverflowError):
        return None
    return None


def parse_document(source: SourceFile) -> Document | Diagnostic:
    """Parse a metadata file; malformed or unsafe XML is a located `unreadable-file`."""
    data = source.text.encode("utf-8")
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as error:
        doctype = max(source.text.find("<!DOCTYPE"), 0)
        return codes.UNREADABLE_FILE.at(
            source.span(doctype, doctype + len("<!DOCTYPE") if doctype else 0),
            f"refused: the XML declares a document type or entities ({type(error).__name__})",
            hint="Salesforce metadata has no DOCTYPE; entity declarations and external "
            "entities are never read",
        )
    except (ParseError, xml.parsers.expat.ExpatError, SyntaxError) as error:
        line, col = getattr(error, "position", None) or (1, 0)
        offset = _offset_of(source, line, col + 1)
        reason = str(error).split(":", 1)[0]
        return codes.UNREADABLE_FILE.at(
            source.span(offset, offset), f"not well-formed XML: {reason}"
        )
    if root is None:
        return codes.UNREADABLE_FILE.at(source.span(0, 0), "no XML element in this file")
    return Document(source, root, data)


def _offset_of(source: SourceFile, line: int, col: int) -> int:
    if not 1 <= line <= len(source.line_starts):
        return len(source.text)
    return min(source.line_starts[line - 1] + col - 1, len(source.text))
