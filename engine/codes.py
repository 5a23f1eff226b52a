"""The one registry of diagnostic codes: code ↔ name ↔ default severity ↔ docs page.

Codes are stable and never reused. `SR0xx` syntax and input, `SR1xx` names and types,
`SR2xx` mappings, `SR3xx` stages and the gate, `SR4xx` sharing, validation and duplicate
rules, `SR5xx` Personalization. Check errors live here too (severity error): an ignore
may hide one from a report, but never makes a rule set valid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.diagnostics import Diagnostic, Severity
from engine.source import Span

DOCS_BASE = "https://github.com/syncrules/syncrules/blob/main/docs"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str
    severity: Severity
    summary: str
    kind: str  # "check" (makes the rule set invalid) or "lint"

    @property
    def docs_path(self) -> str:
        folder = "errors" if self.kind == "check" else "rules"
        return f"docs/{folder}/{self.name}.md"

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}/{self.docs_path.removeprefix('docs/')}"

    def at(
        self,
        span: Span,
        message: str,
        *,
        hint: str | None = None,
        related: tuple[tuple[Span, str], ...] = (),
        severity: Severity | None = None,
    ) -> Diagnostic:
        return Diagnostic(
            self.code, self.name, severity or self.severity, message, span, hint, related
        )


E = Severity.ERROR

SYNTAX_ERROR = Code("SR001", "syntax-error", E, "the text is not a rule file", "check")
UNREADABLE_FILE = Code(
    "SR002", "unreadable-file", E, "a rule file cannot be read as UTF-8 text", "check"
)
TOO_DEEP = Code("SR003", "expression-too-deep", E, "an expression nests too deeply", "check")
MISSING_INCLUDE = Code(
    "SR004", "missing-include", E, "an include or import target cannot be read", "check"
)
INCLUDE_CYCLE = Code("SR005", "include-cycle", E, "a file includes itself", "check")
INVALID_SETTING = Code(
    "SR006", "invalid-setting", E, "a block holds an unknown setting or a bad value", "check"
)
# only ever a note (an imported tree's objects syncrules does not model): never fails check
UNSUPPORTED = Code(
    "SR007",
    "not-supported-yet",
    Severity.INFO,
    "a construct this version cannot handle yet (a note)",
    "check",
)
UNKNOWN_FIELD = Code(
    "SR101", "unknown-field", E, "a field, object or stage that is never declared", "check"
)
UNKNOWN_FUNCTION = Code("SR102", "unknown-function", E, "a function that does not exist", "check")
WRONG_ARGUMENTS = Code(
    "SR103", "wrong-arguments", E, "a function called with the wrong number of arguments", "check"
)
INCOMPATIBLE_TYPES = Code(
    "SR104",
    "incompatible-types",
    E,
    "an expression compares or combines values of incompatible types",
    "check",
)
WRONG_CONTEXT = Code("SR105", "wrong-context", E, "a name used where it means nothing", "check")
DUPLICATE_DECLARATION = Code(
    "SR106", "duplicate-declaration", E, "the same thing declared twice", "check"
)
DUPLICATE_BLOCK = Code(
    "SR107",
    "duplicate-block",
    E,
    "a second connector, personalization, user_sync or campaigns block",
    "check",
)
INVALID_TYPE = Code("SR108", "invalid-type", E, "a field type that does not exist", "check")
STAGE_CYCLE = Code("SR301", "stage-cycle", E, "stages that depend on each other", "check")

CHECK_CODES: tuple[Code, ...] = (
    SYNTAX_ERROR,
    UNREADABLE_FILE,
    TOO_DEEP,
    MISSING_INCLUDE,
    INCLUDE_CYCLE,
    INVALID_SETTING,
    UNSUPPORTED,
    UNKNOWN_FIELD,
    UNKNOWN_FUNCTION,
    WRONG_ARGUMENTS,
    INCOMPATIBLE_TYPES,
    WRONG_CONTEXT,
    DUPLICATE_DECLARATION,
    DUPLICATE_BLOCK,
    INVALID_TYPE,
    STAGE_CYCLE,
)

# What an org retrieved in part leaves out (SPEC §1): not errors, so `check` stays silent
# and the rule set runs; `lint` reports each at its metadata file and line.
W = Severity.WARNING
GLOBAL_VALUE_SET_MISSING = Code(
    "SR110",
    "global-value-set-missing",
    W,
    "an imported picklist's global value set is not in the tree: it accepts any value",
    "lint",
)
IMPORTED_RULE_SET_ASIDE = Code(
    "SR410",
    "imported-rule-set-aside",
    W,
    "an imported validation rule that does not parse or check: set aside, it never fires",
    "lint",
)
PARTIAL_IMPORT_CODES: tuple[Code, ...] = (GLOBAL_VALUE_SET_MISSING, IMPORTED_RULE_SET_ASIDE)

REGISTRY: dict[str, Code] = {}


def register(code: Code) -> Code:
    """Add a code; codes and names must both be unique."""
    for key in (code.code, code.name):
        if key in REGISTRY and REGISTRY[key] is not code:
            raise ValueError(f"diagnostic {key} registered twice")
        REGISTRY[key] = code
    return code


for _code in (*CHECK_CODES, *PARTIAL_IMPORT_CODES):
    register(_code)


def lookup(key: str) -> Code | None:
    """A code by its code (`SR101`) or its name (`unknown-field`)."""
    return REGISTRY.get(key) or REGISTRY.get(key.upper())


def set_aside(name: str, problems: Iterable[Diagnostic]) -> Diagnostic | None:
    """An imported rule that does not parse or check is left out of the rule set (SPEC §1):
    not an error but one `imported-rule-set-aside` finding, at its first problem, with every
    problem as a located reason. None when the rule has no error."""
    errors = sorted((d for d in problems if d.severity is Severity.ERROR), key=Diagnostic.sort_key)
    if not errors:
        return None
    first = errors[0]
    return IMPORTED_RULE_SET_ASIDE.at(
        first.span,
        f"validation rule {name} is set aside, it never fires: {first.message}",
        hint=first.hint,
        related=tuple((d.span, f"{d.code} {d.name}: {d.message}") for d in errors),
    )
