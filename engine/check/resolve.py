"""Loaded items → CheckedRules: declarations resolved, every expression type-checked.

Every problem is reported and checking goes on, so one run shows them all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine import ast, codes, ir
from engine.check.exprs import ExprChecker, Scope
from engine.check.model import (
    BusinessUnit,
    CampaignsConfig,
    CheckedRules,
    ConnectorConfig,
    DuplicateRule,
    FieldInfo,
    Gate,
    Mapping,
    ObjectModel,
    PersonalizationConfig,
    PersonalizationMatch,
    ShareRule,
    StageRule,
    UserSyncConfig,
    ValidationRule,
)
from engine.check.stages import stage_cycles
from engine.diagnostics import Report, suggest
from engine.fieldtypes import OBJECTS, SALESFORCE_OBJECTS, VType
from engine.loader import Loaded
from engine.source import Span
from engine.vocabulary import CONNECTOR_SETTINGS

MAPPABLE = ("lead", "contact")
SHAREABLE = ("lead", "contact")
PERSONALIZATION_OBJECTS = ("contact", "lead", "account")


@dataclass(slots=True)
class _Items:
    """The loaded items sorted by kind, in declaration order."""

    connectors: list[ast.Connector] = field(default_factory=list)
    objects: list[ast.ObjectDecl] = field(default_factory=list)
    mappings: list[ast.FieldMapping] = field(default_factory=list)
    shares: list[ast.Share] = field(default_factory=list)
    stages: list[ast.Stage] = field(default_factory=list)
    gates: list[ast.CreateGate] = field(default_factory=list)
    validations: list[ast.Validation] = field(default_factory=list)
    duplicates: list[ast.Duplicate] = field(default_factory=list)
    imports: list[ast.ImportSalesforce] = field(default_factory=list)
    personalizations: list[ast.Personalization] = field(default_factory=list)
    user_syncs: list[ast.UserSync] = field(default_factory=list)
    campaigns: list[ast.Campaigns] = field(default_factory=list)
    units: list[ast.BusinessUnit] = field(default_factory=list)


def _sort(items: Sequence[ast.Item]) -> _Items:
    out = _Items()
    buckets: dict[type, list] = {  # type: ignore[type-arg]
        ast.Connector: out.connectors,
        ast.ObjectDecl: out.objects,
        ast.FieldMapping: out.mappings,
        ast.Share: out.shares,
        ast.Stage: out.stages,
        ast.CreateGate: out.gates,
        ast.Validation: out.validations,
        ast.Duplicate: out.duplicates,
        ast.ImportSalesforce: out.imports,
        ast.Personalization: out.personalizations,
        ast.UserSync: out.user_syncs,
        ast.Campaigns: out.campaigns,
        ast.BusinessUnit: out.units,
    }
    for item in items:
        bucket = buckets.get(type(item))
        if bucket is not None:
            bucket.append(item)
    return out


def check_rules(loaded: Loaded) -> CheckedRules:
    """Resolve and type-check a loaded rule set; diagnostics come back sorted."""
    report = Report(list(loaded.diagnostics))
    items = _sort(loaded.items)
    objects = _objects(items.objects, report)
    connector = _connector(items.connectors, report)
    personalization = _personalization(items.personalizations, report)
    mappings = _mappings(items.mappings, objects, report)
    stage_names = _stage_names(items.stages, objects, report)
    stages = _stages(items.stages, objects, stage_names, report)
    report.extend(stage_cycles(stages))
    gate = _gate(items.gates, objects, stage_names, report)
    shares = _shares(items.shares, objects, stage_names, report)
    validations = _validations(items.validations, objects, stage_names, report)
    duplicates = _duplicates(items.duplicates, objects, report)
    units = _units(items, objects, stage_names, shares, report)
    found = report.sorted()
    partial = {c.code for c in codes.PARTIAL_IMPORT_CODES}
    return CheckedRules(
        sources=loaded.sources,
        files=loaded.files,
        connector=connector,
        objects=objects,
        mappings=mappings,
        shares=shares,
        stages=stages,
        gate=gate,
        validations=validations,
        duplicates=duplicates,
        personalization=personalization,
        user_sync=_user_sync(items.user_syncs, report),
        campaigns=_campaigns(items.campaigns, report),
        diagnostics=tuple(d for d in found if d.code not in partial),
        import_findings=tuple(d for d in found if d.code in partial),
        units=units,
    )


def _duplicate(report: Report, span: Span, message: str, first: Span) -> None:
    report.add(
        codes.DUPLICATE_DECLARATION.at(
            span,
            message,
            related=((first, "first declared here"),),
        )
    )


def _known_object(name: ast.Ident, report: Report, allowed: Sequence[str] = OBJECTS) -> bool:
    if name.name in allowed:
        return True
    if name.name in OBJECTS:
        report.add(
            codes.WRONG_CONTEXT.at(
                name.span,
                f"{name.name} cannot be used here",
                hint="this rule applies to " + " or ".join(allowed),
            )
        )
        return False
    report.add(
        codes.UNKNOWN_FIELD.at(
            name.span,
            f'no object "{name.name}"',
            hint=suggest(name.name, allowed) or "objects: " + ", ".join(allowed),
        )
    )
    return False


# -- declarations ------------------------------------------------------------------------


def _objects(decls: list[ast.ObjectDecl], report: Report) -> dict[str, ObjectModel]:
    objects: dict[str, ObjectModel] = {}
    for decl in decls:
        if not _known_object(decl.object, report):
            continue
        model = objects.setdefault(decl.object.name, ObjectModel(decl.object.name, {}))
        for fdecl in decl.fields:
            if fdecl.type.type is None:
                continue  # the invalid type was reported while lowering
            target = fdecl.type.type.target
            if target is not None and target not in OBJECTS:
                report.add(
                    codes.UNKNOWN_FIELD.at(
                        fdecl.type.span,
                        f'reference to no object "{target}"',
                        hint=suggest(target, OBJECTS) or "objects: " + ", ".join(OBJECTS),
                    )
                )
            info = FieldInfo(
                model.name,
                fdecl.name.name,
                fdecl.type.type,
                fdecl.required,
                fdecl.readonly,
                fdecl.span,
            )
            key = model.key(fdecl.name.name)
            earlier = model.fields.get(key)
            if earlier is None:
                model.fields[key] = info
            elif (earlier.type, earlier.required, earlier.readonly, earlier.name) != (
                info.type,
                info.required,
                info.readonly,
                info.name,
            ):
                # the same declaration twice (a pack and an org file) merges quietly
                _duplicate(
                    report,
                    fdecl.name.span,
                    f"{model.name}.{fdecl.name.name} is declared again, differently",
                    earlier.span,
                )
    return objects


def _connector(nodes: list[ast.Connector], report: Report) -> ConnectorConfig:
    _second_blocks(nodes, "connector", report, why="Account Engagement has one connector")
    if not nodes:
        return ConnectorConfig(None, False, ast.MatchMode.EMAIL, None)
    return _connector_config(nodes[0])


def _connector_config(node: ast.Connector) -> ConnectorConfig:
    create = node.create_prospects
    if create is None:
        create = node.match is ast.MatchMode.CRM_ID
    text = {
        s.key.name: s.value.value
        for s in node.settings
        if isinstance(s.value, ast.Literal) and isinstance(s.value.value, str)
    }
    return ConnectorConfig(
        node.user,
        node.paused,
        node.match,
        node.span,
        create,
        node.email_fallback,
        person_accounts=node.person_accounts,
        assignment_rule=node.assignment_rule,
        text=text,
    )


# -- business units ------------------------------------------------------------------------


def _units(
    items: _Items,
    objects: dict[str, ObjectModel],
    stage_names: frozenset[str],
    org_shares: tuple[ShareRule, ...],
    report: Report,
) -> tuple[BusinessUnit, ...]:
    """Each unit with its settings in effect; a unit named twice is reported and skipped."""
    org = items.connectors[0] if items.connectors else None
    units: list[BusinessUnit] = []
    seen: dict[str, Span] = {}
    for node in items.units:
        name = node.name.name
        connectors = list(node.connectors)
        _second_blocks(connectors, "connector", report, why=f"business unit {name} has one")
        connector = _unit_connector(org, connectors[0] if connectors else None)
        own = _shares(list(node.shares), objects, stage_names, report)
        if name in seen:
            twice = f"business unit {name} is declared twice"
            _duplicate(report, node.name.span, twice, seen[name])
            continue
        seen[name] = node.name.span
        units.append(BusinessUnit(name, connector, _unit_shares(org_shares, own), node))
    return tuple(units)


def _unit_connector(org: ast.Connector | None, own: ast.Connector | None) -> ConnectorConfig:
    """The unit's connector settings where it writes them, else the org-wide ones; the
    `create_prospects` default follows the `match` in effect (SPEC §3.9)."""
    if own is None:
        return _connector_config(org) if org is not None else _connector(_none, Report())
    if org is None:
        return _connector_config(own)
    written = {s.key.name for s in own.settings}
    inherited = {key: getattr(org, key) for key in CONNECTOR_SETTINGS if key not in written}
    settings = (*(s for s in org.settings if s.key.name not in written), *own.settings)
    return _connector_config(dataclasses.replace(own, settings=settings, **inherited))


_none: list[ast.Connector] = []


def _unit_shares(org: tuple[ShareRule, ...], own: tuple[ShareRule, ...]) -> tuple[ShareRule, ...]:
    """Per object, the unit's own `share` rules replace the org-wide ones (Marketing Data
    Sharing is set per business unit); an object it gives none keeps the org-wide rules."""
    mine = {s.object for s in own}
    return tuple(s for s in org if s.object not in mine) + own


def _keyword_span(span: Span, keyword: str) -> Span:
    end = span.start + len(keyword)
    return Span(span.path, span.start, end, span.line, span.col, span.line, span.col + len(keyword))


def _personalization(
    nodes: list[ast.Personalization], report: Report
) -> PersonalizationConfig | None:
    _second_blocks(nodes, "personalization", report)
    if not nodes:
        return None
    node = nodes[0]
    matches: list[PersonalizationMatch] = []
    seen: dict[str, Span] = {}
    for match in node.matches:
        if not _known_object(match.object, report, PERSONALIZATION_OBJECTS):
            continue
        if match.object.name in seen:
            _duplicate(
                report, match.span, f"{match.object.name} is matched twice", seen[match.object.name]
            )
            continue
        seen[match.object.name] = match.span
        fields = tuple(f.name for f in match.fields)
        matches.append(PersonalizationMatch(match.object.name, fields, match))
    return PersonalizationConfig(tuple(matches), node.designated_only, node)


def _second_blocks(
    nodes: Sequence[ast.Connector | ast.Personalization | ast.UserSync | ast.Campaigns],
    keyword: str,
    report: Report,
    why: str | None = None,
) -> None:
    """`duplicate-block` at every block after the first: a rule set holds one of each."""
    for extra in nodes[1:]:
        report.add(
            codes.DUPLICATE_BLOCK.at(
                _keyword_span(extra.span, keyword),
                f"a second {keyword} block" + (f": {why}" if why else ""),
                related=((nodes[0].span, f"first {keyword} block here"),),
            )
        )


def _user_sync(nodes: list[ast.UserSync], report: Report) -> UserSyncConfig | None:
    _second_blocks(nodes, "user_sync", report)
    if not nodes:
        return None
    roles: list[ast.Pair] = []
    seen: dict[str, Span] = {}
    for pair in nodes[0].roles:
        if pair.key in seen:
            # one profile, two roles: which one a user gets would be a guess
            _duplicate(
                report, pair.key_span, f'profile "{pair.key}" is mapped twice', seen[pair.key]
            )
            continue
        seen[pair.key] = pair.key_span
        roles.append(pair)
    return UserSyncConfig(tuple(roles), nodes[0])


def _campaigns(nodes: list[ast.Campaigns], report: Report) -> CampaignsConfig | None:
    # a campaign linked twice is a lint finding (campaign-linked-twice): the first link wins
    _second_blocks(nodes, "campaigns", report)
    if not nodes:
        return None
    node = nodes[0]
    return CampaignsConfig(node.links, node.create_missing, node)


def _field_of(
    objects: dict[str, ObjectModel], obj: str, name: ast.Ident, report: Report
) -> FieldInfo | None:
    model = objects.get(obj)
    info = model.get(name.name) if model else None
    if info is not None:
        return info
    if model is None:
        message = f'{obj} has no field "{name.name}": no `object {obj}` is declared'
        hint = None
    else:
        message = f'{obj} has no field "{name.name}"'
        hint = suggest(name.name, model.names())
    report.add(codes.UNKNOWN_FIELD.at(name.span, message, hint=hint))
    return None


def _mappings(
    nodes: list[ast.FieldMapping], objects: dict[str, ObjectModel], report: Report
) -> tuple[Mapping, ...]:
    mappings: list[Mapping] = []
    seen: dict[str, Span] = {}
    for node in nodes:
        name = node.prospect_field.name
        if name in seen:
            _duplicate(
                report, node.prospect_field.span, f"field {name} is mapped twice", seen[name]
            )
            continue
        seen[name] = node.prospect_field.span
        prospect = _field_of(objects, "prospect", node.prospect_field, report)
        lead = _field_of(objects, "lead", node.lead, report) if node.lead else None
        contact = _field_of(objects, "contact", node.contact, report) if node.contact else None
        if prospect is not None and (lead or contact):
            mappings.append(Mapping(prospect, lead, contact, node.sync, node))
    return tuple(mappings)


# -- rules with conditions --------------------------------------------------------------


def _stage_names(
    nodes: list[ast.Stage], objects: dict[str, ObjectModel], report: Report
) -> frozenset[str]:
    seen: dict[str, Span] = {}
    clashes: set[str] = set()
    prospect = objects.get("prospect")
    for node in nodes:
        name = node.name.name
        if name in seen:
            _duplicate(report, node.name.span, f"stage {name} is declared twice", seen[name])
            continue
        seen[name] = node.name.span
        clash = prospect.get(name) if prospect else None
        if clash is not None:
            _duplicate(
                report,
                node.name.span,
                f"stage {name} has the name of a prospect field: conditions could not tell "
                "them apart",
                clash.span,
            )
            clashes.add(name)
        elif name == "assigned":
            report.add(
                codes.DUPLICATE_DECLARATION.at(
                    node.name.span,
                    "`assigned` is built in (the prospect has an assigned user): "
                    "a stage cannot take its name",
                )
            )
            clashes.add(name)
    # a clashing name keeps meaning the field, so its uses are not misread as the stage
    return frozenset(seen.keys() - clashes)


def _condition(checker: ExprChecker, expr: ast.Expr) -> ir.Expr:
    checked = checker.check(expr)
    checker.expect_bool(checked)
    return checked


def _stages(
    nodes: list[ast.Stage],
    objects: dict[str, ObjectModel],
    names: frozenset[str],
    report: Report,
) -> tuple[StageRule, ...]:
    checker = ExprChecker(Scope("stage", "prospect", objects, names), report)
    stages: list[StageRule] = []
    taken: set[str] = set()
    for node in nodes:
        when = _condition(checker, node.when)
        if node.name.name in names and node.name.name not in taken:
            taken.add(node.name.name)
            stages.append(StageRule(node.name.name, when, node))
    return tuple(stages)


def _gate(
    nodes: list[ast.CreateGate],
    objects: dict[str, ObjectModel],
    stage_names: frozenset[str],
    report: Report,
) -> Gate:
    checker = ExprChecker(Scope("create", "prospect", objects, stage_names), report)
    gate: Gate | None = None
    for node in nodes:
        when = _condition(checker, node.when)
        if not _known_object(node.object, report, ("lead",)):
            continue
        if gate is not None and gate.node is not None:
            _duplicate(report, node.span, "a second create rule for lead", gate.node.span)
            continue
        gate = Gate(when, node)
    if gate is None:
        default_span = Span("<default>", 0, 0, 1, 1, 1, 1)
        gate = Gate(ir.Assigned(VType.BOOLEAN, default_span), None)
    return gate


def _shares(
    nodes: list[ast.Share],
    objects: dict[str, ObjectModel],
    stage_names: frozenset[str],
    report: Report,
) -> tuple[ShareRule, ...]:
    shares: list[ShareRule] = []
    for node in nodes:
        if not _known_object(node.object, report, SHAREABLE):
            continue
        checker = ExprChecker(Scope("share", node.object.name, objects, stage_names), report)
        shares.append(ShareRule(node.object.name, _condition(checker, node.when), node))
    return tuple(shares)


def _validations(
    nodes: list[ast.Validation],
    objects: dict[str, ObjectModel],
    stage_names: frozenset[str],
    report: Report,
) -> tuple[ValidationRule, ...]:
    rules: list[ValidationRule] = []
    seen: dict[tuple[str, str], Span] = {}
    for node in nodes:
        if not _known_object(node.object, report, sorted(SALESFORCE_OBJECTS)):
            continue
        obj = node.object.name
        key = (obj, node.name.name.casefold())
        if key in seen:
            message = f"validation {node.name.name} on {obj} is declared twice"
            _duplicate(report, node.name.span, message, seen[key])
            continue
        seen[key] = node.name.span
        imported = node.imported
        # an imported rule that does not check is set aside, located, and the rest runs
        own = Report() if imported else report
        checker = ExprChecker(Scope("validation", obj, objects, stage_names), own)
        error_if = _condition(checker, node.error_if)
        display = _field_of(objects, obj, node.field, own) if node.field else None
        if imported:
            aside = codes.set_aside(node.name.name, own.items)
            if aside is not None:
                report.add(aside)
                continue
        rules.append(
            ValidationRule(node.name.name, obj, error_if, node.message, display, node.active, node)
        )
    return tuple(rules)


def _duplicates(
    nodes: list[ast.Duplicate], objects: dict[str, ObjectModel], report: Report
) -> tuple[DuplicateRule, ...]:
    rules: list[DuplicateRule] = []
    for node in nodes:
        if not _known_object(node.object, report, ("lead",)):
            continue
        infos = [_field_of(objects, node.object.name, f, report) for f in node.fields]
        fields = tuple(i for i in infos if i is not None)
        if len(fields) == len(infos):
            rules.append(DuplicateRule(node.object.name, fields, node))
    return tuple(rules)
