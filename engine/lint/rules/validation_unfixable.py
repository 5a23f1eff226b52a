"""validation-unfixable: a validation rule the connector can trip but never clear."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ir
from engine.ast import Sync
from engine.check.model import CheckedRules, ValidationRule
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import api_key
from engine.lint.constraints import Atom, Conj, Expander, TooComplex
from engine.lint.registry import LintContext, Rule, rule

# Behaviours under which Account Engagement may write into the Salesforce field.
WRITES_SALESFORCE = frozenset({Sync.SALESFORCE, Sync.PARDOT, Sync.MOST_RECENT, Sync.PARDOT_ALWAYS})
CONNECTOR_OBJECTS = ("lead", "contact")  # the only records the connector writes
FieldKey = tuple[object, ...]


@rule("SR401", "validation-unfixable", Severity.WARNING,
      "a validation rule that reads a field no mapping can write")
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
            names = _join([_why(rules, validation.object, f) for f in fields])
            them = "it" if len(fields) == 1 else "them"
            obj = validation.object
            yield self.at(
                validation.node.name.span,
                f"validation {validation.name} can fail on {names} alone, and the connector "
                f"cannot write {them}: a {obj} already in that state rejects every connector "
                "write (FIELD_CUSTOM_VALIDATION_EXCEPTION) until it is fixed in Salesforce",
                hint="let the connector user bypass this rule in Salesforce (a custom permission "
                f"checked in the formula) and clean up existing {obj}s in that state, or map "
                f"{fields[0]} with a sync that writes Salesforce",
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
    """The unwritable fields of a way the rule can fire that involves no writable field."""
    read = {("field", r.object, api_key(r.name)): r.name for r in ir.field_refs(validation.error_if)}
    unwritable = frozenset(k for k in read if k not in writable)
    if not unwritable:
        return []
    # the connector never changes a field it cannot write: ISCHANGED(f) is false for it
    expander = Expander({}, rules.sources, home=validation.object, unchanged=unwritable)
    try:
        ways = expander.dnf(validation.error_if)
    except TooComplex:
        # no verdict on the shape: keep to the clearest case, a rule reading nothing writable
        plain = all(not isinstance(n, ir.Call) or n.function not in ("ISCHANGED", "PRIORVALUE")
                    for n in ir.walk(validation.error_if))
        return sorted(read.values()) if plain and len(unwritable) == len(read) else []
    found: dict[str, None] = {}
    for conj in ways:
        keys = _keys(conj)
        if keys and not keys & writable:
            found.update((read[k], None) for k in read if k in keys)
    return list(found)


def _keys(conj: Conj) -> set[FieldKey]:
    """The fields a conjunction's atoms read (LEN(x) and opaque tests included)."""
    keys: set[FieldKey] = set()
    for atom in conj:
        keys |= _atom_keys(atom)
    return keys


def _atom_keys(atom: Atom) -> set[FieldKey]:
    subject = atom.subject
    if subject.node is not None:
        return {("field", r.object, api_key(r.name)) for r in ir.field_refs(subject.node)}
    if subject.field is not None:
        obj, name = subject.field
        return {("field", obj, api_key(name))}
    return set()


def _why(rules: CheckedRules, obj: str, name: str) -> str:
    """`Partner_Code__c (sync: off)`: why the connector cannot write a field."""
    info = rules.object(obj).get(name)
    if info is not None and info.readonly:
        return f"{name} (readonly)"
    for mapping in rules.mappings:
        target = mapping.target(obj)
        if target is not None and api_key(target.name) == api_key(name):
            return f"{name} (sync: {mapping.sync})"
    return f"{name} (unmapped)"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
