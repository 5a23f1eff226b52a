"""Rule coverage: which stages, mappings, validation rules and sharing rules no test
exercised (docs/rule-tests.md, "Coverage").

Only the prospects a test's `expect` names count: the others are context for the test,
and nothing checks what happens to them. Definitions:

- a **stage** is exercised when a counted prospect ends with it in its stages, or an
  expectation's `stages` names it;
- a **mapping** when a counted outcome writes or drops its field (a Lead or Contact field
  in `to_salesforce`, the prospect field in `to_pardot`, either in `dropped`);
- a **validation rule** when it fires: it is among a counted outcome's errors;
- a **sharing rule** when it showed or hid a record that mattered: a counted outcome
  matched a record of its object, or was skipped `not_shared` because its CRM id names
  a record of that object.

A mapping with `sync: off` and an inactive validation rule can never be exercised: they
are listed as not counted instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from engine.check.model import CheckedRules, Mapping
from engine.fieldtypes import api_key
from engine.plan import Action, ErrorCode, Outcome, SkipReason
from engine.records.model import RecordSet
from engine.ruletest.model import Key, ProspectExpectation
from engine.source import Span
from engine.vocabulary import Sync


class Kind(StrEnum):
    STAGE = "stage"
    MAPPING = "mapping"
    VALIDATION = "validation"
    SHARE = "share"


# Report order, with the plural a summary line uses.
KINDS: tuple[tuple[Kind, str], ...] = (
    (Kind.STAGE, "stages"),
    (Kind.MAPPING, "mappings"),
    (Kind.VALIDATION, "validation rules"),
    (Kind.SHARE, "sharing rules"),
)


@dataclass(frozen=True, slots=True)
class Touched:
    """What one test exercised: stage names, written or dropped fields as (side, key),
    fired validation rules, and the objects whose sharing rule mattered."""

    stages: frozenset[str] = frozenset()
    fields: frozenset[tuple[str, str]] = frozenset()  # ("lead", "company"), ("prospect", "score")
    validations: frozenset[str] = frozenset()
    shared: frozenset[str] = frozenset()  # "lead", "contact"


@dataclass(frozen=True, slots=True)
class Item:
    """One rule of the rule set and whether some test exercised it. `counted` is False for
    what no test can exercise (`sync: off`, `active: false`)."""

    kind: Kind
    name: str
    location: str  # path:line of its declaration
    exercised: bool
    counted: bool = True


@dataclass(frozen=True, slots=True)
class RuleSetCoverage:
    rules: tuple[str, ...]  # the rule paths, as the tests named them
    items: tuple[Item, ...]

    def tally(self, kind: Kind) -> tuple[int, int]:
        """(exercised, counted) for one kind."""
        counted = [i for i in self.items if i.kind is kind and i.counted]
        return sum(i.exercised for i in counted), len(counted)

    def missed(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.counted and not i.exercised)

    def not_counted(self, kind: Kind) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind is kind and not i.counted)


@dataclass(frozen=True, slots=True)
class Coverage:
    """Coverage per rule set, in the order the tests first used them."""

    rule_sets: tuple[RuleSetCoverage, ...] = ()


# -- what one test touched ----------------------------------------------------------------


def touched(
    outcomes: Iterable[Outcome], expect: Sequence[ProspectExpectation], records: RecordSet
) -> Touched:
    """What the outcomes of the prospects `expect` names exercised."""
    named = {e.prospect for e in expect}
    stages: set[str] = set()
    fields: set[tuple[str, str]] = set()
    validations: set[str] = set()
    shared: set[str] = set()
    for expectation in expect:
        for check in expectation.checks:
            if check.key is Key.STAGES and isinstance(check.expected, tuple):
                stages.update(str(s) for s in check.expected)
    for outcome in outcomes:
        if outcome.prospect not in named:
            continue
        stages.update(outcome.stages)
        fields.update(_fields(outcome))
        validations.update(
            f.rule for f in outcome.failures if f.code is ErrorCode.VALIDATION and f.rule
        )
        shared.update(_shared(outcome, records))
    return Touched(frozenset(stages), frozenset(fields), frozenset(validations), frozenset(shared))


def _fields(outcome: Outcome) -> set[tuple[str, str]]:
    # a created lead (or a create that failed) has no target: its writes go to a lead
    obj = outcome.target.object if outcome.target else "lead"
    found = {(obj, api_key(name)) for name, _ in outcome.to_salesforce}
    found |= {("prospect", name) for name, _ in outcome.to_pardot}
    for drop in outcome.dropped:  # `field` names either side (SPEC §4): count both readings
        found |= {(obj, api_key(drop.field)), ("prospect", drop.field)}
    return found


def _shared(outcome: Outcome, records: RecordSet) -> set[str]:
    if outcome.target is not None and outcome.action is not Action.SKIP:
        return {outcome.target.object}
    if outcome.reason is not SkipReason.NOT_SHARED:
        return set()
    prospect = next((p for p in records.prospects if p.id == outcome.prospect), None)
    if prospect is None:
        return set()
    hidden: set[str] = set()
    if prospect.crm_contact_fid and any(c.id == prospect.crm_contact_fid for c in records.contacts):
        hidden.add("contact")
    if prospect.crm_lead_fid and any(r.id == prospect.crm_lead_fid for r in records.leads):
        hidden.add("lead")
    return hidden


# -- what the rule set holds ----------------------------------------------------------------


def measure(
    rules: CheckedRules, paths: tuple[str, ...], tests: Iterable[Touched]
) -> RuleSetCoverage:
    """Every stage, mapping, validation rule and sharing rule, and whether a test hit it."""
    seen = list(tests)
    stages = set().union(*(t.stages for t in seen))
    fields = set().union(*(t.fields for t in seen))
    validations = set().union(*(t.validations for t in seen))
    shared = set().union(*(t.shared for t in seen))
    items = [
        *(Item(Kind.STAGE, s.name, _where(s.node.span), s.name in stages) for s in rules.stages),
        *(
            Item(
                Kind.MAPPING,
                m.name,
                _where(m.node.span),
                _mapping_hit(m, fields),
                counted=m.sync is not Sync.OFF,
            )
            for m in rules.mappings
        ),
        *(
            Item(
                Kind.VALIDATION,
                v.name,
                _where(v.node.span),
                v.name in validations,
                counted=v.active,
            )
            for v in rules.validations
        ),
        *(
            Item(Kind.SHARE, s.object, _where(s.node.span), s.object in shared)
            for s in rules.shares
        ),
    ]
    return RuleSetCoverage(paths, tuple(items))


def _mapping_hit(mapping: Mapping, fields: set[tuple[str, str]]) -> bool:
    if ("prospect", mapping.prospect.name) in fields:
        return True
    return any(
        info is not None and (obj, api_key(info.name)) in fields
        for obj, info in (("lead", mapping.lead), ("contact", mapping.contact))
    )


def _where(span: Span) -> str:
    return f"{span.path}:{span.line}"
