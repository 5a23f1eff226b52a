"""What the editor shows: hover text, completions, quick fixes and semantic tokens.

Pure functions of a checked rule set, its symbol index and the text being edited; the
protocol layer (engine.lsp.server) only converts positions and types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from engine import ast, codes
from engine.check.model import CheckedRules, FieldInfo
from engine.diagnostics import Diagnostic
from engine.fieldtypes import OBJECTS, Kind
from engine.formula.merge_fields import GLOBALS
from engine.formula.signatures import SIGNATURES, P, R, Signature
from engine.lsp.symbols import Index, Occurrence
from engine.lsp.symbols import Kind as SymbolKind
from engine.source import SourceFile
from engine.vocabulary import CONNECTOR_SETTINGS, CONNECTOR_USER_SETTINGS

# -- hover -------------------------------------------------------------------------------

SYNC_MEANINGS: dict[ast.Sync, str] = {
    ast.Sync.SALESFORCE: "Salesforce wins; a blank Salesforce value is filled from the prospect.",
    ast.Sync.PARDOT: "Account Engagement wins; a blank prospect value is filled from Salesforce.",
    ast.Sync.MOST_RECENT: "The record updated last wins.",
    ast.Sync.SALESFORCE_ALWAYS: "Salesforce wins, even when its value is blank.",
    ast.Sync.PARDOT_ALWAYS: "Account Engagement wins, even when its value is blank.",
    ast.Sync.OFF: "The field does not sync.",
}

PARAM_NAMES: dict[P, str] = {
    P.BOOL: "logical",
    P.NUMBER: "number",
    P.TEXT: "text",
    P.ANY: "value",
    P.PICKLIST: "picklist_field",
    P.MULTIPICKLIST: "multi_select_picklist_field",
    P.FIELD: "field",
    P.DATE: "date",
    P.DATE_OR_TEXT: "date_or_text",
    P.DATETIME_OR_TEXT: "datetime_or_text",
    P.DATETIME: "datetime",
    P.DATE_OR_DATETIME: "date_or_datetime",
    P.TEXTABLE: "value",
    P.LITERAL_TEXT: '"text"',
}


def signature_text(sig: Signature) -> tuple[str, str]:
    """(`LEFT(text, number) → text`, `the first n characters`): a function as Salesforce
    documents it, and what it does."""
    returns = sig.returns
    if isinstance(returns, R):
        result = {R.UNIFY: "the arguments' type", R.FIRST: "the argument's type"}.get(
            returns, "the results' type"
        )
    else:
        result = str(returns)
    doc = sig.doc
    if doc.startswith(f"{sig.name}(") and ")" in doc:
        close = doc.index(")")
        meaning = doc[close + 1 :].lstrip(":").strip()
        return f"{doc[: close + 1]} → {result}", meaning
    names = [PARAM_NAMES[p] for p in sig.params]
    if sig.max_args is None:
        names.append("…")
    shown = [n if i < sig.min_args or n == "…" else f"[{n}]" for i, n in enumerate(names)]
    return f"{sig.name}({', '.join(shown)}) → {result}", doc


def function_hover(name: str) -> str | None:
    sig = SIGNATURES.get(name.upper())
    if sig is None:
        return None
    text, meaning = signature_text(sig)
    lines = [f"```\n{text}\n```", "", f"Salesforce formula function: {meaning}."]
    if sig.context == "validation":
        lines.append("")
        lines.append("Only in validation rules: it compares the record before and after a write.")
    return "\n".join(lines)


def _flags(info: FieldInfo) -> str:
    flags = [f for f, on in (("required", info.required), ("readonly", info.readonly)) if on]
    return " ".join([str(info.type), *flags])


def _where(path: str, line: int) -> str:
    return f"{path}:{line}"


def field_hover(rules: CheckedRules, obj: str, name: str) -> str:
    info = rules.object(obj).get(name)
    if info is None:
        return f"`{obj}.{name}`: not declared"
    lines = [f"```sync\n{obj}.{info.name}: {_flags(info)}\n```"]
    lines.append(f"Declared at {_where(info.span.path, info.span.line)}.")
    for mapping in rules.mappings:
        if obj == "prospect" and mapping.prospect is not None and mapping.name == info.name:
            ends = [
                f"{o}.{t.name}"
                for o, t in (("lead", mapping.lead), ("contact", mapping.contact))
                if t
            ]
            lines.append(
                f"Maps to {', '.join(ends) or 'nothing'} (sync: {mapping.sync}): "
                f"{SYNC_MEANINGS[mapping.sync]}"
            )
        elif obj in ("lead", "contact"):
            target = mapping.target(obj)
            if target is not None and target.name.casefold() == info.name.casefold():
                lines.append(
                    f"Synced with prospect.{mapping.name} (sync: {mapping.sync}): "
                    f"{SYNC_MEANINGS[mapping.sync]}"
                )
    return "\n\n".join(lines)


def _slice(rules: CheckedRules, start: int, end: int, path: str) -> str:
    source = rules.sources.get(path)
    return " ".join(source.text[start:end].split()) if source else ""


def stage_hover(rules: CheckedRules, name: str) -> str | None:
    for number, stage in enumerate(rules.stages, 1):
        if stage.name == name:
            span = stage.node.when.span
            condition = _slice(rules, span.start, span.end, span.path)
            return (
                f"```sync\nstage {name} when {condition}\n```\n\n"
                f"Stage {number} of {len(rules.stages)} in lifecycle order; "
                f"declared at {_where(stage.node.span.path, stage.node.span.line)}."
            )
    return None


def validation_hover(rules: CheckedRules, name: str) -> str | None:
    for rule in rules.validations:
        if rule.name == name:
            span = rule.node.error_if.span
            formula = _slice(rules, span.start, span.end, span.path)
            state = "" if rule.active else " (inactive)"
            return (
                f"validation **{name}** on {rule.object}{state}\n\n"
                f"```\nerror_if: {formula}\n```\n\nMessage: {rule.message}"
            )
    return None


def object_hover(rules: CheckedRules, name: str) -> str:
    model = rules.objects.get(name)
    count = len(model.fields) if model else 0
    side = "Account Engagement" if name == "prospect" else "Salesforce"
    return f"object **{name}** ({side}): {count} declared field{'s' if count != 1 else ''}"


def rule_hover(name: str) -> str | None:
    """A lint rule's or check error's documentation page."""
    from engine.lint.registry import load_rules

    load_rules()
    code = codes.lookup(name)
    if code is None:
        return None
    from engine import api

    return api.rule_doc(name) + f"\n\n[{code.code} {code.name}]({code.help_uri})"


def hover(rules: CheckedRules, occurrence: Occurrence) -> str | None:
    symbol = occurrence.symbol
    match symbol.kind:
        case SymbolKind.FIELD:
            obj, _key = symbol.key
            return field_hover(rules, obj, symbol.name.split(".", 1)[1])
        case SymbolKind.STAGE:
            return stage_hover(rules, symbol.key[0])
        case SymbolKind.VALIDATION:
            return validation_hover(rules, symbol.key[0])
        case SymbolKind.FUNCTION:
            return function_hover(symbol.key[0])
        case SymbolKind.OBJECT:
            return object_hover(rules, symbol.key[0])
        case SymbolKind.SYNC:
            return f"sync: **{symbol.name}**: {SYNC_MEANINGS[ast.Sync(symbol.name)]}"
        case SymbolKind.IGNORE:
            return rule_hover(symbol.name)
        case SymbolKind.FILE:
            return f"`{symbol.key[0]}`"
        case _:
            return None


# -- completion --------------------------------------------------------------------------


class ItemKind(StrEnum):
    KEYWORD = "keyword"
    FIELD = "field"
    STAGE = "stage"
    FUNCTION = "function"
    OBJECT = "object"
    VALUE = "value"  # a sync behaviour, a type, a setting value
    FILE = "file"


@dataclass(frozen=True, slots=True)
class Completion:
    label: str
    kind: ItemKind
    detail: str = ""
    documentation: str = ""
    insert: str | None = None  # a snippet; None: the label


TOP_LEVEL: tuple[tuple[str, str, str], ...] = (
    ("connector", "connector {\n\t$0\n}", "the connector's settings"),
    ("object", "object ${1:prospect} {\n\t$0\n}", "declare fields of an object"),
    (
        "field",
        "field ${1:name} {\n\tlead: $2\n\tcontact: $3\n\tsync: ${4:salesforce}\n}",
        "a mapping",
    ),
    ("share", "share ${1:lead} when $0", "a Marketing Data Sharing rule"),
    ("stage", "stage ${1:Name} when $0", "a lifecycle stage"),
    ("create", "create lead when $0", "when a prospect becomes a lead"),
    (
        "validation",
        'validation ${1:Name} on ${2:lead} {\n\terror_if: $3\n\tmessage: "$4"\n}',
        "a Salesforce validation rule",
    ),
    ("duplicate", "duplicate ${1:lead} by ${2:Email}", "a Salesforce duplicate rule"),
    ("include", 'include "$1"', "another rule file, or a shipped pack"),
    ("import salesforce", 'import salesforce "${1:force-app/main/default}"', "an SFDX tree"),
    ("personalization", "personalization {\n\tmatch ${1:contact} by ${2:Email}\n}", ""),
    ("user_sync", 'user_sync {\n\t"$1": "$2"\n}', "Salesforce profile → AE role"),
    ("campaigns", 'campaigns {\n\t"$1": "$2"\n}', "Connected Campaigns"),
    (
        "business_unit",
        'business_unit ${1:Name} {\n\tconnector {\n\t\tuser: "$2"\n\t}\n\tshare lead when $0\n}',
        "an Account Engagement business unit: its connector and sharing",
    ),
)
# what a business_unit block holds (docs/language.md, business units)
UNIT_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("connector", "connector {\n\t$0\n}", "the unit's connector settings"),
    ("share", "share ${1:lead} when $0", "the unit's Marketing Data Sharing rule"),
)

BLOCK_KEYS: dict[str, tuple[str, ...]] = {
    "field": ("lead", "contact", "sync"),
    "validation": ("error_if", "message", "field", "active"),
    "connector": (*CONNECTOR_SETTINGS, *CONNECTOR_USER_SETTINGS),
    "personalization": ("designated_only",),
    "campaigns": ("create_missing",),
}

TYPE_NAMES: tuple[str, ...] = tuple(k.value for k in Kind)
STATEMENT = re.compile(
    r"(connector|object|field|share|stage|create|validation|duplicate|include|import|"
    r"personalization|user_sync|campaigns|business_unit)\b"
)


@dataclass(frozen=True, slots=True)
class Context:
    """Where the cursor is: the innermost open block's header and the line before it."""

    block: str | None  # `validation Name on lead`, `field email`, `object lead` …
    statement: str | None  # the top-level statement an expression continues
    prefix: str  # the current line up to the cursor
    in_string: bool
    in_comment: bool


def context_at(text: str, offset: int) -> Context:
    """Scan the text before the cursor: braces, strings and comments."""
    before = text[:offset]
    headers: list[str] = []
    statement_start = 0
    i, n = 0, len(before)
    in_string: str | None = None
    in_comment = False
    line_start = 0
    last_brace = -1
    while i < n:
        ch = before[i]
        if ch == "\n":
            line_start = i + 1
            in_comment = False
            if in_string:
                in_string = None
        elif in_comment:
            pass
        elif in_string:
            if ch == "\\":
                i += 1
            elif ch == in_string:
                in_string = None
        elif ch in "\"'":
            in_string = ch
        elif ch == "#":
            in_comment = True
        elif before.startswith("/*", i):
            end = before.find("*/", i + 2)
            if end == -1:
                return Context(None, None, before[line_start:], False, True)
            i = end + 2
            continue
        elif ch == "{":
            # a block inside a block (a business unit's connector): its header starts on
            # its own line or after the brace before it
            start = max(line_start, last_brace + 1) if headers else statement_start
            headers.append(" ".join(before[start:i].split()))
            last_brace = i
        elif ch == "}":
            if headers:
                headers.pop()
            statement_start, last_brace = i + 1, i
        elif (
            not headers
            and not ch.isspace()
            and not before[line_start:i].strip()
            and STATEMENT.match(before, i)
        ):  # a line that starts with a keyword starts a statement at the top level
            statement_start = i
        i += 1
    prefix = before[line_start:]
    statement = None if headers else " ".join(before[statement_start:].split())
    return Context(headers[-1] if headers else None, statement, prefix, bool(in_string), in_comment)


def _field_items(rules: CheckedRules, obj: str, qualified: bool = False) -> list[Completion]:
    items = []
    for info in rules.object(obj).fields.values():
        label = f"{obj}.{info.name}" if qualified else info.name
        items.append(Completion(label, ItemKind.FIELD, f"{obj} · {_flags(info)}"))
    return items


def _function_items() -> list[Completion]:
    items = []
    for name, sig in sorted(SIGNATURES.items()):
        text, meaning = signature_text(sig)
        snippet = f"{name}($1)" if sig.max_args != 0 else f"{name}()"
        items.append(Completion(name, ItemKind.FUNCTION, text, meaning, snippet))
    return items


def _expression_items(rules: CheckedRules, obj: str | None) -> list[Completion]:
    """Names an expression may use: the prospect's (stages, gate) or one object's."""
    if obj is None:  # stages and the gate read the prospect, earlier stages and records
        items = _field_items(rules, "prospect")
        items += [Completion(s.name, ItemKind.STAGE, "stage") for s in rules.stages]
        items += [Completion(o, ItemKind.OBJECT, "object") for o in ("prospect", "lead", "contact")]
        items.append(Completion("assigned", ItemKind.KEYWORD, "the prospect has an assigned user"))
    else:
        items = _field_items(rules, obj)
        items += [Completion(g, ItemKind.OBJECT, "global merge field") for g in GLOBALS]
    items += [
        Completion(w, ItemKind.KEYWORD) for w in ("and", "or", "not", "in", "true", "false", "null")
    ]
    return items + _function_items()


def _header_object(header: str) -> str | None:
    match = re.match(r"(?:validation\s+\w+\s+on|share|create|duplicate)\s+(\w+)", header)
    return match.group(1) if match else None


def complete(rules: CheckedRules, text: str, offset: int, files: list[str]) -> list[Completion]:
    """Completions at a cursor; `files` are the include targets to offer."""
    ctx = context_at(text, offset)
    prefix = ctx.prefix
    if ctx.in_comment:
        return []
    if ctx.in_string:
        if re.search(r'^\s*include\s+["\'][^"\']*$', prefix):
            return [Completion(f, ItemKind.FILE) for f in files]
        return []
    dotted = re.search(r"\b(\w+)\.(\w*)$", prefix)
    if dotted and dotted.group(1) in OBJECTS:
        return _field_items(rules, dotted.group(1))
    if ctx.block is not None:
        return _in_block(rules, ctx.block, prefix)
    statement = ctx.statement or ""
    if re.fullmatch(r"\s*\w*", prefix) and not _continues(text, offset, statement):
        return [
            Completion(word, ItemKind.KEYWORD, doc, "", snippet) for word, snippet, doc in TOP_LEVEL
        ]
    head = re.match(r"(stage|create|share|duplicate|object|validation)\b(.*)", statement)
    if head is None:
        return []
    keyword, rest = head.groups()
    if keyword in ("stage", "create") and " when" in f" {rest}":
        return _expression_items(rules, None)
    if keyword == "share" and " when" in f" {rest}":
        return _expression_items(rules, _header_object(statement))
    if keyword == "duplicate" and re.search(r"\bby\b", rest):
        return _field_items(rules, _header_object(statement) or "lead")
    if keyword == "create" and re.fullmatch(r"\s*\w*", rest):
        return [Completion("lead", ItemKind.OBJECT, "object")]
    if keyword in ("share", "duplicate", "object") and re.fullmatch(r"\s*\w*", rest):
        return [Completion(o, ItemKind.OBJECT, "object") for o in OBJECTS]
    if keyword == "validation" and re.search(r"\bon\s+\w*$", rest):
        return [Completion(o, ItemKind.OBJECT, "object") for o in OBJECTS if o != "prospect"]
    return []


def _in_unit(rules: CheckedRules, prefix: str) -> list[Completion]:
    """Inside `business_unit NAME { … }`: its connector block and share rules."""
    if re.fullmatch(r"\s*\w*", prefix):
        return [Completion(w, ItemKind.KEYWORD, doc, "", snippet) for w, snippet, doc in UNIT_ITEMS]
    share = re.match(r"\s*share\s+(\w*)(\s+when\b)?", prefix)
    if share is None:
        return []
    if share.group(2):
        return _expression_items(rules, share.group(1))
    return [Completion(o, ItemKind.OBJECT, "object") for o in ("lead", "contact")]


def _continues(text: str, offset: int, statement: str) -> bool:
    """Whether the cursor's line continues an expression (the line before ends in an
    operator, or the statement has not reached its condition yet)."""
    if not statement:
        return False
    line_start = text.rfind("\n", 0, offset) + 1
    earlier = text[:line_start].rstrip()
    if not earlier:
        return False
    earlier = re.sub(r"#[^\n]*$", "", earlier).rstrip()
    return bool(re.search(r"(\b(and|or|not|when|in|by)|&&|\|\||[=<>!,(+\-*/&^])$", earlier))


def _in_block(rules: CheckedRules, header: str, prefix: str) -> list[Completion]:
    kind = header.split(" ", 1)[0]
    if kind == "business_unit":
        return _in_unit(rules, prefix)
    setting = re.match(r"^\s*(\w+)\s*:\s*(.*)$", prefix)
    if setting is None:
        if kind == "object" or not re.fullmatch(r"\s*\w*", prefix):
            return []
        keys = BLOCK_KEYS.get(kind, ())
        items = [Completion(f"{k}:", ItemKind.KEYWORD, insert=f"{k}: ") for k in keys]
        if kind == "personalization":
            items.append(Completion("match", ItemKind.KEYWORD, insert="match ${1:contact} by $0"))
        return items
    key, value = setting.groups()
    if kind == "object":
        if re.fullmatch(r"\w*", value):
            return [Completion(t, ItemKind.VALUE, "field type") for t in TYPE_NAMES]
        return [Completion(f, ItemKind.KEYWORD) for f in ("required", "readonly")]
    if kind == "field":
        if key == "sync":
            return [
                Completion(s.value, ItemKind.VALUE, "sync behaviour", SYNC_MEANINGS[s])
                for s in ast.Sync
            ]
        if key in ("lead", "contact"):
            return _field_items(rules, key)
        return []
    if kind == "validation":
        obj = _header_object(header) or "lead"
        if key == "field":
            return _field_items(rules, obj)
        if key == "error_if":
            return _expression_items(rules, obj)
        if key == "active":
            return [Completion(v, ItemKind.VALUE) for v in ("true", "false")]
        return []
    if kind == "connector" and key == "match":
        return [Completion(m.value, ItemKind.VALUE) for m in ast.MatchMode]
    if kind == "connector" and key in (
        "paused",
        "create_prospects",
        "email_fallback",
        "person_accounts",
    ):
        return [Completion(v, ItemKind.VALUE) for v in ("true", "false")]
    return []


# -- code actions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] of one file."""

    path: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edit: Edit
    diagnostic: Diagnostic
    preferred: bool = False


DID_YOU_MEAN = re.compile(r'did you mean "([^"]+)"\?')
NO_FIELD = re.compile(r'^(\w+) has no field "(\w+)"')


def fixes(diagnostic: Diagnostic, source: SourceFile) -> list[Fix]:
    """The quick fixes a finding has: the name it probably meant, a declaration of the
    missing field, or an ignore comment for a lint finding."""
    found: list[Fix] = []
    span = diagnostic.span
    written = source.text[span.start : span.end]
    meant = DID_YOU_MEAN.search(diagnostic.hint or "")
    if meant and written and "\n" not in written:
        name = meant.group(1)
        start = span.start
        if "." in written and "." not in name:  # `lead.Contry`: only the field part
            start = span.start + written.rindex(".") + 1
        found.append(
            Fix(f'Change to "{name}"', Edit(span.path, start, span.end, name), diagnostic, True)
        )
    missing = NO_FIELD.match(diagnostic.message)
    if diagnostic.name == "unknown-field" and missing and missing.group(1) in OBJECTS:
        obj, name = missing.groups()
        text = source.text
        block = ("\n" if text and not text.endswith("\n") else "") + (
            f"\nobject {obj} {{\n    {name}: text(255)\n}}\n"
        )
        found.append(
            Fix(
                f"Declare {obj}.{name} as text(255) at the end of this file",
                Edit(span.path, len(text), len(text), block),
                diagnostic,
            )
        )
    code = codes.lookup(diagnostic.code)
    if code is not None and code.kind == "lint" and diagnostic.name != "unused-ignore":
        found.append(_ignore_fix(diagnostic, source))
    return found


def _ignore_fix(diagnostic: Diagnostic, source: SourceFile) -> Fix:
    line = source.line_text(diagnostic.span.line)
    line_start = source.line_starts[diagnostic.span.line - 1]
    title = f"Ignore {diagnostic.name} on this line"
    existing = re.search(r"#\s*syncrules:\s*ignore\[([^\]]*)\]", line)
    if existing:
        at = line_start + existing.end(1)
        sep = ", " if existing.group(1).strip() else ""
        edit = Edit(diagnostic.span.path, at, at, f"{sep}{diagnostic.name}")
    else:
        at = line_start + len(line.rstrip())
        comment = f"  # syncrules: ignore[{diagnostic.name}]"
        edit = Edit(diagnostic.span.path, at, line_start + len(line), comment)
    return Fix(title, edit, diagnostic)


# -- semantic tokens ---------------------------------------------------------------------

TOKEN_TYPES: tuple[str, ...] = (
    "namespace",  # an object
    "property",  # a field
    "enumMember",  # a stage
    "class",  # a validation rule
    "function",
    "type",
    "keyword",  # a sync behaviour
    "macro",  # a rule named in an ignore comment
)
TOKEN_MODIFIERS: tuple[str, ...] = ("declaration", "readonly")
_TOKEN_OF: dict[SymbolKind, int] = {
    SymbolKind.OBJECT: 0,
    SymbolKind.FIELD: 1,
    SymbolKind.STAGE: 2,
    SymbolKind.VALIDATION: 3,
    SymbolKind.FUNCTION: 4,
    SymbolKind.TYPE: 5,
    SymbolKind.SYNC: 6,
    SymbolKind.IGNORE: 7,
}


def _units(ch: str, encoding: str) -> int:
    if encoding == "utf-32":
        return 1
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    return 2 if ord(ch) > 0xFFFF else 1


def encoded_col(line: str, chars: int, encoding: str = "utf-16") -> int:
    """A column counted in characters, as the protocol counts it (UTF-16 code units
    unless the client and server agreed on UTF-8 or UTF-32)."""
    return sum(_units(ch, encoding) for ch in line[:chars])


def char_col(line: str, units: int, encoding: str = "utf-16") -> int:
    """The other way: a protocol column → a column in characters."""
    seen = 0
    for chars, ch in enumerate(line):
        if seen >= units:
            return chars
        seen += _units(ch, encoding)
    return len(line)


def semantic_tokens(index: Index, source: SourceFile, encoding: str = "utf-16") -> list[int]:
    """The file's names as LSP semantic tokens (relative, five integers each)."""
    data: list[int] = []
    last_line, last_col = 0, 0
    for occ in index.by_path.get(source.path, []):
        kind = _TOKEN_OF.get(occ.symbol.kind)
        span = occ.span
        if kind is None or span.line != span.end_line or span.end <= span.start:
            continue
        line = span.line - 1
        text = source.line_text(span.line)
        col = encoded_col(text, span.col - 1, encoding)
        length = encoded_col(text, span.end_col - 1, encoding) - col
        modifiers = 1 if occ.definition else 0
        delta_col = col - last_col if line == last_line else col
        if line == last_line and data and delta_col < 0:
            continue  # overlapping (cannot happen for names, but never send a bad stream)
        data += [line - last_line, delta_col, length, kind, modifiers]
        last_line, last_col = line, col
    return data
