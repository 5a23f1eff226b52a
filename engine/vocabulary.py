"""The rule language's closed sets: operators, sync behaviours and match modes.

Every stage reads them (the AST is built with them, the IR and the check's model carry
them, the engines switch on them), so they live in a leaf of their own rather than in the
AST: nothing below `check` imports a front end's node types.
"""

from __future__ import annotations

from enum import StrEnum


class UnaryOp(StrEnum):
    NOT = "not"
    NEG = "-"
    POS = "+"


class BinaryOp(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    POW = "^"
    CONCAT = "&"


COMPARISONS = frozenset(
    {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE}
)


class LogicOp(StrEnum):
    AND = "and"
    OR = "or"


class MatchMode(StrEnum):
    EMAIL = "email"
    CRM_ID = "crm_id"


class Sync(StrEnum):
    """Who wins a mapped field (SPEC §3.5)."""

    SALESFORCE = "salesforce"
    PARDOT = "pardot"
    MOST_RECENT = "most_recent"
    SALESFORCE_ALWAYS = "salesforce_always"
    PARDOT_ALWAYS = "pardot_always"
    OFF = "off"


# The connector block's settings (SPEC §1, docs/language.md), in the order fmt writes
# them; then the connector user's, which only formulas read ($Profile.Name, $UserRole.Name,
# $Permission.X). The parser, the formatter and the editor's completions share them.
CONNECTOR_SETTINGS: tuple[str, ...] = (
    "user",
    "paused",
    "match",
    "create_prospects",
    "email_fallback",
    "person_accounts",
    "assignment_rule",
)
CONNECTOR_USER_SETTINGS: tuple[str, ...] = ("profile", "role", "permissions")


__all__ = [
    "COMPARISONS",
    "CONNECTOR_SETTINGS",
    "CONNECTOR_USER_SETTINGS",
    "BinaryOp",
    "LogicOp",
    "MatchMode",
    "Sync",
    "UnaryOp",
]
