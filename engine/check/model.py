"""The checked rule set: declarations resolved, expressions lowered to typed IR."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from engine import ast, ir
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import SALESFORCE_OBJECTS, FieldType, api_key
from engine.source import SourceFile, Span
from engine.vocabulary import MatchMode, Sync


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A declared field of one object."""

    object: str
    name: str  # as declared
    type: FieldType
    required: bool
    readonly: bool
    span: Span


@dataclass(frozen=True, slots=True)
class ObjectModel:
    """An object's declared fields; Salesforce objects look names up case-insensitively."""

    name: str
    fields: dict[str, FieldInfo]  # keyed by `key(name)`
    salesforce: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "salesforce", self.name in SALESFORCE_OBJECTS)

    def key(self, name: str) -> str:
        return api_key(name) if self.salesforce else name

    def get(self, name: str) -> FieldInfo | None:
        # the hot path of every evaluation: no helper call for the common case
        return self.fields.get(name.casefold() if self.salesforce else name)

    def names(self) -> list[str]:
        return [f.name for f in self.fields.values()]


@dataclass(frozen=True, slots=True)
class ConnectorConfig:
    user: str | None
    paused: bool
    match: MatchMode
    span: Span | None
    # SPEC §3.9: prospects from leads and contacts that have none; the default is true
    # with `match: crm_id` and false with `match: email`
    create_prospects: bool = False
    # with match: crm_id, an unlinked prospect syncs to the first record with its email
    # (the connector's "use email address to match" option); match: email always does
    email_fallback: bool = False
    # the connector setting "Sync Prospects with Person Accounts": without it a person
    # account is invisible to the connector (docs/design.md, person accounts)
    person_accounts: bool = False
    # the text settings runtime formulas read when the record set lacks the connector
    # user's record ($Profile.Name, $UserRole.Name, $Permission): profile, role, permissions
    text: dict[str, str] = field(default_factory=dict)
    # a created lead with no assigned user is sent without an owner, and Salesforce's
    # active lead assignment rule picks one (docs/design.md, "Ownership")
    assignment_rule: bool = False


@dataclass(frozen=True, slots=True)
class Mapping:
    """A prospect field and the Lead/Contact fields it syncs with."""

    prospect: FieldInfo
    lead: FieldInfo | None
    contact: FieldInfo | None
    sync: Sync
    node: ast.FieldMapping

    @property
    def name(self) -> str:
        return self.prospect.name

    def target(self, obj: str) -> FieldInfo | None:
        return self.lead if obj == "lead" else self.contact if obj == "contact" else None


@dataclass(frozen=True, slots=True)
class ShareRule:
    object: str
    when: ir.Expr
    node: ast.Share


@dataclass(frozen=True, slots=True)
class StageRule:
    name: str
    when: ir.Expr
    node: ast.Stage


@dataclass(frozen=True, slots=True)
class Gate:
    """The create gate; `node` is None for the default gate `assigned` (SPEC §1)."""

    when: ir.Expr
    node: ast.CreateGate | None


@dataclass(frozen=True, slots=True)
class ValidationRule:
    name: str
    object: str
    error_if: ir.Expr
    message: str
    field: FieldInfo | None
    active: bool
    node: ast.Validation
    # the fields an error names, for a rule rewritten for person accounts
    # (runtime/person.py); None: `field`, else the fields `error_if` reads
    fields: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class DuplicateRule:
    object: str
    fields: tuple[FieldInfo, ...]
    node: ast.Duplicate


@dataclass(frozen=True, slots=True)
class PersonalizationMatch:
    object: str
    fields: tuple[str, ...]
    node: ast.PzMatch


@dataclass(frozen=True, slots=True)
class PersonalizationConfig:
    matches: tuple[PersonalizationMatch, ...]
    designated_only: bool
    node: ast.Personalization


@dataclass(frozen=True, slots=True)
class UserSyncConfig:
    """User Sync: Salesforce profile → Account Engagement role, in declaration order."""

    roles: tuple[ast.Pair, ...]  # key: the profile, value: the role
    node: ast.UserSync

    def role_for(self, profile: str) -> str | None:
        """The role a profile gives (profile names compare exactly, as Salesforce shows them);
        None when the block does not name the profile or maps it to "" (no access, on purpose)."""
        return next((p.value for p in self.roles if p.key == profile), None) or None


@dataclass(frozen=True, slots=True)
class CampaignsConfig:
    """Connected Campaigns: AE campaign name → Salesforce campaign Id or Name."""

    links: tuple[ast.Pair, ...]
    create_missing: bool
    node: ast.Campaigns


@dataclass(frozen=True, slots=True)
class BusinessUnit:
    """One business unit with its settings in effect: its own connector settings and
    `share` rules, and the org-wide ones for what it does not give (docs/language.md)."""

    name: str
    connector: ConnectorConfig
    shares: tuple[ShareRule, ...]
    node: ast.BusinessUnit


@dataclass(frozen=True, slots=True)
class CheckedRules:
    """Everything later stages need; `diagnostics` holds check errors, sorted."""

    sources: dict[str, SourceFile]
    files: tuple[ast.RuleFile, ...]
    connector: ConnectorConfig
    objects: dict[str, ObjectModel]
    mappings: tuple[Mapping, ...]
    shares: tuple[ShareRule, ...]
    stages: tuple[StageRule, ...]
    gate: Gate
    validations: tuple[ValidationRule, ...]
    duplicates: tuple[DuplicateRule, ...]
    personalization: PersonalizationConfig | None
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    user_sync: UserSyncConfig | None = None
    campaigns: CampaignsConfig | None = None
    # what an SFDX tree retrieved in part left out (SPEC §1): lint findings, never check errors
    import_findings: tuple[Diagnostic, ...] = field(default=())
    # the business units in declaration order, the order their cycles run in; () when the
    # rule set declares none (one connector, the org-wide settings)
    units: tuple[BusinessUnit, ...] = field(default=())

    def for_unit(self, unit: BusinessUnit) -> CheckedRules:
        """The rule set one unit's cycle runs: its connector and sharing, no units."""
        return replace(self, connector=unit.connector, shares=unit.shares, units=())

    def sharing_views(self) -> tuple[tuple[str | None, CheckedRules], ...]:
        """The rule sets whose sharing a cycle runs: each business unit's (`for_unit`, named)
        when there are units, else the rule set itself (None). With units the org-wide share
        rules never run on their own, only through the units that keep them."""
        if not self.units:
            return ((None, self),)
        return tuple((unit.name, self.for_unit(unit)) for unit in self.units)

    def every_share(self) -> tuple[ShareRule, ...]:
        """The org-wide share rules, then each business unit's own, each once."""
        seen = {id(s) for s in self.shares}
        own = [s for u in self.units for s in u.shares if id(s) not in seen]
        return self.shares + tuple(dict.fromkeys(own))

    def unit(self, name: str) -> BusinessUnit | None:
        return next((u for u in self.units if u.name == name), None)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def object(self, name: str) -> ObjectModel:
        return self.objects.get(name) or ObjectModel(name, {})

    def shares_for(self, obj: str) -> tuple[ShareRule, ...]:
        return tuple(s for s in self.shares if s.object == obj)

    def mappings_for(self, obj: str) -> tuple[Mapping, ...]:
        return tuple(m for m in self.mappings if m.target(obj) is not None)
