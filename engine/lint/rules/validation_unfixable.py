"""validation-unfixable: a validation rule the connector can trip but never clear."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.ast import Sync
from engine.check.model import CheckedRules, ValidationRule
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import api_key
from engine.lint.constraints import Atom, Expander, TooComplex
from engine.lint.registry import LintContext, Rule, rule
from engine.lint.wording import join_names

# Behaviours under which Account Engagement may write into the Salesforce field.
WRITES_SALESFORCE = frozenset({Sync.SALESFORCE, Sync.PARDOT, Sync.MOST_RECENT, Sync.PARDOT_ALWAYS})
CONNECTOR_OBJECTS = ("lead", "contact")  # the only records the connector writes
FieldKey = tuple[object, ...]
MERGE = "$MERGE"  # merge fields lower to this call (engine.formula.merge_fields)


@rule(
    "SR401",
    "validation-unfixable",
    Severity.WARNING,
    "a validation rule that reads a field no mapping can write",
)
class ValidationUnfixable(Rule):
    """A record in the state the rule rejects refuses every connector write, and the
    connector can never change the fields that put it there."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        rules = ctx.rules
        for validation in rules.validations:
            if not validation.active or validation.object not in CONNECTOR_OBJECTS:
                continue
            writable = _writable(rules, validation.object)
            fields = _unfixable_fields(rules, validation, writable)
            if not fields:
                continue
            names = join_names([_why(rules, validation.object, f) for f in fields])
            them = "it" if len(fields) == 1 else "them"
            obj = validation.object
            yield self.at(
                validation.node.name.span,
                f"validation {validation.name} can fail on {names} alone, and the connector "
                f"cannot write {them}: a {obj} already in that state rejects every connector "
                "write (FIELD_CUSTOM_VALIDATION_EXCEPTION) until it is fixed in Salesforce",
                hint="let the connector user bypass this rule (a custom permission checked in "
                "the formula, e.g. && NOT($Permission.Bypass_Validation_Rules)), and clean up "
                f"existing {obj}s in that state",
            )


def _writable(rules: CheckedRules, obj: str) -> frozenset[FieldKey]:
    """Fields of obj the connector can write: mapped into, not readonly; OwnerId on create."""
    keys = {("field", obj, api_key("OwnerId"))} if obj == "lead" else set()
    for mapping in rules.mappings:
        target = mapping.target(obj)
        if target is not None and mapping.sync in WRITES_SALESFORCE and not target.readonly:
            keys.add(("field", obj, api_key(target.name)))
    return frozenset(keys)


def _unfixable_fields(
    rules: CheckedRules, validation: ValidationRule, writable: frozenset[FieldKey]
) -> list[str]:
    """What a way the rule can fire reads, when the connector can write none of it."""
    read = {_key(r): r.name for r in ir.field_refs(validation.error_if)}
    unwritable = frozenset(k for k in read if k not in writable)
    # the connector never changes a field it cannot write: ISCHANGED(f) is false for it
    expander = Expander({}, rules.sources, home=validation.object, unchanged=unwritable)
    try:
        ways = expander.dnf(validation.error_if)
    except TooComplex:
        return _clearest_case(validation.error_if, read, writable)
    found: dict[str, None] = {}
    for way in ways:
        keys: set[FieldKey] = set()
        merges: set[str] = set()
        for atom in way:
            _reads(atom, keys, merges)
        if keys & writable or any(m.startswith("$") for m in merges):
            continue  # the connector's write, or the connector user, decides
        found.update((read[k], None) for k in read if k in keys)
        found.update((m, None) for m in sorted(merges))
    return list(found)


def _clearest_case(
    error_if: ir.Expr, read: dict[FieldKey, str], writable: frozenset[FieldKey]
) -> list[str]:
    """Without a verdict on the formula's shape: only a rule reading nothing writable,
    nothing about the writing user and no change of a field."""
    for node in ir.walk(error_if):
        if isinstance(node, ir.Call) and node.function in ("ISCHANGED", "PRIORVALUE", MERGE):
            return []
    if not read or set(read) & writable:
        return []
    return list(read.values())


def _reads(atom: Atom, keys: set[FieldKey], merges: set[str]) -> None:
    """Collect the fields and merge fields (`$Permission.X`, `Owner.Name`) an atom reads."""
    subject = atom.subject
    if subject.field is not None:
        keys.add(("field", subject.field[0], api_key(subject.field[1])))
    if subject.key[0] == "merge":
        merges.add(str(subject.key[1]))
    if subject.node is None:
        return
    for part in ir.walk(subject.node):
        if isinstance(part, ir.FieldRef):
            keys.add(_key(part))
        elif isinstance(part, ir.Call) and part.function == MERGE and part.args:
            ref = part.args[0]
            if isinstance(ref, ir.Const) and isinstance(ref.value, str):
                merges.add(ref.value)


def _key(ref: ir.FieldRef) -> FieldKey:
    return ("field", ref.object, api_key(ref.name))


def _why(rules: CheckedRules, obj: str, name: str) -> str:
    """`Partner_Code__c (sync: off)`: why the connector cannot write a field."""
    if "." in name:
        return f"{name} (another record)"
    info = rules.object(obj).get(name)
    if info is not None and info.readonly:
        return f"{name} (readonly)"
    for mapping in rules.mappings:
        target = mapping.target(obj)
        if target is not None and api_key(target.name) == api_key(name):
            return f"{name} (sync: {mapping.sync})"
    return f"{name} (unmapped)"
