"""business-unit-records-overlap: leads and contacts of the record set that two business
units' sharing both admit (data-aware)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule

SHOWN = 3  # records named per pair of units; the rest are counted


@rule(
    "SR409",
    "business-unit-records-overlap",
    Severity.WARNING,
    "leads or contacts of the record set that two business units' sharing both admit",
)
class BusinessUnitRecordsOverlap(Rule):
    """Salesforce Help ("Managing Multiple Business Units"): a lead or contact syncs with a
    prospect in one business unit; giving several units access to it causes data
    conflicts. Runs only with `lint --records`: each lead and contact that is not in the
    recycle bin (nor a converted lead) is tested against every unit's share rules, as the
    cycle tests them, and each pair of units that admits the same records is reported
    once, at the later unit, naming the first records. A dry-run lists the records the
    units actually both sync with under `business_unit_overlaps`."""

    data_aware = True

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        shared = ctx.units_sharing
        if not shared or len(ctx.rules.units) < 2:
            return
        pairs: dict[tuple[str, str], list[str]] = {}
        for (obj, record_id), units in sorted(shared.items()):
            for later_at, later in enumerate(units):
                for earlier in units[:later_at]:
                    pairs.setdefault((earlier, later), []).append(f"{obj} {record_id}")
        order = {u.name: n for n, u in enumerate(ctx.rules.units)}
        for earlier, later in sorted(pairs, key=lambda p: (order[p[1]], order[p[0]])):
            found = pairs[(earlier, later)]
            unit = ctx.rules.unit(later)
            first = ctx.rules.unit(earlier)
            assert unit is not None
            assert first is not None
            shown = ", ".join(found[:SHOWN]) + (
                f" and {len(found) - SHOWN} more" if found[SHOWN:] else ""
            )
            yield self.at(
                unit.node.name.span,
                f"{len(found)} record(s) are admitted by the sharing of both business units "
                f"{earlier} and {later} ({shown}): each syncs with a prospect in both units, "
                "and the unit that syncs last overwrites the other's values",
                hint="change one unit's share rule, or the records' sharing field, so each "
                "record is admitted by one unit",
                related=((first.node.name.span, f"business unit {earlier}"),),
            )
