"""business-unit-sharing-overlap: two business units whose Marketing Data Sharing for one
object can admit the same record."""

from __future__ import annotations

from collections.abc import Iterator

from engine.check.model import BusinessUnit
from engine.diagnostics import Diagnostic, Severity
from engine.lint.constraints import Conj, Expander, TooComplex, conflict
from engine.lint.registry import LintContext, Rule, rule

PLURAL = {"lead": "leads", "contact": "contacts"}


@rule(
    "SR408",
    "business-unit-sharing-overlap",
    Severity.WARNING,
    "two business units' share rules for leads or contacts can both hold for one record",
)
class BusinessUnitSharingOverlap(Rule):
    """Salesforce Help ("Managing Multiple Business Units"): a lead or contact syncs with a
    prospect in one business unit, and giving several units access to it causes data
    conflicts; Marketing Data Sharing rules must be unique per unit. Without data, a cheap
    check: a unit with no share rule for an object sees all of it, and two units' rules
    overlap when some way for one to hold does not contradict some way for the other (the
    comparisons with literals that `unreachable-stage` reads). A condition too complex to
    read is not reported."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        units = ctx.rules.units
        expander = Expander({}, ctx.rules.sources)
        for obj in ("lead", "contact"):
            ways = {u.name: _ways(expander, u, obj) for u in units}
            for later_at, later in enumerate(units):
                for earlier in units[:later_at]:
                    why = _overlap(earlier, later, obj, ways)
                    if why is None:
                        continue
                    yield self.at(
                        later.node.name.span,
                        f"business units {earlier.name} and {later.name} can both see the "
                        f"same {obj}: {why}; such a {obj} syncs with a prospect in each unit "
                        f"and the two overwrite each other's values",
                        hint=f"give each unit a share rule for {PLURAL[obj]} on one field "
                        "with a different value (Marketing Data Sharing rules must be unique "
                        "per business unit)",
                        related=((earlier.node.name.span, f"business unit {earlier.name}"),),
                    )


_ALL: list[Conj] = [()]  # no share rule: one way to hold, with no condition
_UNREAD: list[Conj] = []  # too complex to read: never reported


def _ways(expander: Expander, unit: BusinessUnit, obj: str) -> list[Conj]:
    shares = [s for s in unit.shares if s.object == obj]
    if not shares:
        return _ALL
    try:
        return expander.union(expander.dnf(s.when) for s in shares)
    except TooComplex:
        return _UNREAD


def _overlap(
    earlier: BusinessUnit, later: BusinessUnit, obj: str, ways: dict[str, list[Conj]]
) -> str | None:
    a, b = ways[earlier.name], ways[later.name]
    if a is _UNREAD or b is _UNREAD:
        return None
    for unit, own in ((earlier, a), (later, b)):
        if own is _ALL:
            return f"{unit.name} has no share rule for {PLURAL[obj]}, so it sees every {obj}"
    if any(conflict(x + y) is None for x in a for y in b):
        return f"their share rules for {PLURAL[obj]} can both hold"
    return None
