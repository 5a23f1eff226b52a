"""The typed rule-file AST: frozen, slotted nodes, each with the span it came from.

Equality ignores spans (`compare=False`), so a formatted file that parses to the same
tree compares equal; never key a dict by a node for that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as dataclass_field  # Validation has a member named `field`
from decimal import Decimal

from engine.fieldtypes import FieldType
from engine.source import Span

# the closed sets live in a leaf every stage reads; front ends keep using them as ast.Sync
from engine.vocabulary import COMPARISONS as COMPARISONS
from engine.vocabulary import BinaryOp as BinaryOp
from engine.vocabulary import LogicOp as LogicOp
from engine.vocabulary import MatchMode as MatchMode
from engine.vocabulary import Sync as Sync
from engine.vocabulary import UnaryOp as UnaryOp


@dataclass(frozen=True, slots=True)
class Ident:
    """A name as written: `score`, `Country_Required`, `lead`."""

    name: str
    span: Span = field(compare=False)


# -- expressions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    """`100`, `"B"`, `'x'`, `true`, `null`."""

    value: Decimal | str | bool | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A (possibly qualified) name: `score`, `lead.Status`, `$User.Email`, `MQL`."""

    parts: tuple[str, ...]
    span: Span = field(compare=False)

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call: `ISBLANK(Country)`; the name keeps the case it was written in."""

    function: Ident
    args: tuple[Expr, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    """`not x`, `!x`, `-x`."""

    op: UnaryOp
    operand: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """`score >= 100`, `a & b`; `==` reads as `=` and `<>` as `!=`."""

    op: BinaryOp
    left: Expr
    right: Expr
    span: Span = field(compare=False)
    written: str = field(default="", compare=False)  # the operator as typed, for fmt


@dataclass(frozen=True, slots=True)
class Logic:
    """`a and b and c`, `a || b`: n-ary, so long formulas stay shallow."""

    op: LogicOp
    operands: tuple[Expr, ...]
    span: Span = field(compare=False)
    written: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class InList:
    """`Status in ("Open", "Working")`."""

    subject: Expr
    options: tuple[Expr, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class InGroup:
    """`OwnerId in group "Direct Sales"`: the user with that Id is in the public group."""

    subject: Expr
    group: str
    span: Span = field(compare=False)


Expr = Literal | Name | Call | Unary | Binary | Logic | InList | InGroup


# -- declarations ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """`key: value` inside a block, before it is read into the block's own fields."""

    key: Ident
    value: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Connector:
    """`connector { user: "…" paused: false match: email create_prospects: false }`."""

    user: str | None
    paused: bool
    match: MatchMode
    settings: tuple[Setting, ...]
    span: Span = field(compare=False)
    create_prospects: bool | None = None  # None: not written (the default follows `match`)
    email_fallback: bool = False  # match: crm_id, and an unlinked prospect matches by email
    person_accounts: bool = False  # "Sync Prospects with Person Accounts" (docs/design.md)
    assignment_rule: bool = False  # unassigned created leads go to the active assignment rule


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A field type as written, with the type it denotes (None when it is invalid)."""

    text: str
    type: FieldType | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class FieldDecl:
    """`LastName: text(80) required` inside an `object` block."""

    name: Ident
    type: TypeRef
    required: bool
    readonly: bool
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class ObjectDecl:
    """`object lead { … }`; several blocks for one object merge."""

    object: Ident
    fields: tuple[FieldDecl, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """`field first_name { lead: FirstName contact: FirstName sync: salesforce }`."""

    prospect_field: Ident
    lead: Ident | None
    contact: Ident | None
    sync: Sync
    sync_span: Span | None = field(compare=False)
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Share:
    """`share lead when OwnerId in group "Direct Sales"` (Marketing Data Sharing)."""

    object: Ident
    when: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Stage:
    """`stage MQL when score >= 100 or grade >= "B"`, in lifecycle order."""

    name: Ident
    when: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class CreateGate:
    """`create lead when MQL or assigned`."""

    object: Ident
    when: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Validation:
    """`validation Name on lead { error_if: … message: "…" field: X active: true }`."""

    name: Ident
    object: Ident
    error_if: Expr
    message: str
    field: Ident | None
    active: bool
    settings: tuple[Setting, ...]
    span: Span = dataclass_field(compare=False)
    imported: bool = False  # read from SFDX metadata: set aside, not an error, if it fails


@dataclass(frozen=True, slots=True)
class Duplicate:
    """`duplicate lead by Email`: a create whose fields equal an existing record's is blocked."""

    object: Ident
    fields: tuple[Ident, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class ImportSalesforce:
    """`import salesforce "force-app/main/default"`."""

    path: str
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Include:
    """`include "other.sync"`; `@syncrules/standard.sync` names a shipped pack."""

    path: str
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class PzMatch:
    """`match contact by Id, Email_Key__c, Email` inside `personalization`."""

    object: Ident
    fields: tuple[Ident, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Personalization:
    """`personalization { match contact by Id, Email  designated_only: false }`."""

    matches: tuple[PzMatch, ...]
    designated_only: bool
    settings: tuple[Setting, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Pair:
    """`"Marketing User": "Marketing"`: one quoted-name line in `user_sync` or `campaigns`."""

    key: str
    value: str
    key_span: Span = field(compare=False)
    value_span: Span = field(compare=False)
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class UserSync:
    """`user_sync { "Marketing User": "Marketing" }`: Salesforce profile → AE role."""

    roles: tuple[Pair, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Campaigns:
    """`campaigns { "Webinar Nov 2026": "701Dn000001AbCd"  create_missing: true }`:
    Connected Campaigns, AE campaign name → Salesforce campaign Id or Name."""

    links: tuple[Pair, ...]
    create_missing: bool
    settings: tuple[Setting, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class BusinessUnit:
    """One Account Engagement business unit on the org (docs/language.md, business units).

    business_unit EMEA {
        connector { user: "emea.integration@acme.example" }
        share lead when Region__c = "EMEA"
    }

    `items` are its `connector` block and `share` rules in the order written; whatever
    it does not give is the org-wide declaration."""

    name: Ident
    items: tuple[Connector | Share, ...]
    span: Span = field(compare=False)

    @property
    def connectors(self) -> tuple[Connector, ...]:
        return tuple(i for i in self.items if isinstance(i, Connector))

    @property
    def shares(self) -> tuple[Share, ...]:
        return tuple(i for i in self.items if isinstance(i, Share))


Item = (
    Connector
    | ObjectDecl
    | FieldMapping
    | Share
    | Stage
    | CreateGate
    | Validation
    | Duplicate
    | ImportSalesforce
    | Include
    | Personalization
    | UserSync
    | Campaigns
    | BusinessUnit
)


@dataclass(frozen=True, slots=True)
class Comment:
    """A `#` or `/* */` comment, kept for `fmt`."""

    text: str
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One parsed `.sync` file."""

    path: str
    items: tuple[Item, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
