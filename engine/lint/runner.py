"""Run every lint rule over a checked rule set; apply configuration and ignore comments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from engine import codes
from engine.check.model import CheckedRules
from engine.diagnostics import Diagnostic, Report, Severity
from engine.lint import suppress
from engine.lint.config import LintConfig
from engine.lint.registry import LintContext, load_rules
from engine.source import PACK_PREFIX

if TYPE_CHECKING:
    from engine.records.model import RecordSet


def lint(
    rules: CheckedRules,
    config: LintConfig | None = None,
    records: RecordSet | None = None,
    units_sharing: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
) -> tuple[Diagnostic, ...]:
    """Check errors and lint findings, configured and filtered, in a stable order.

    A rule set with check errors is still linted: a finding about a mapping is worth
    knowing even while a stage has a typo elsewhere."""
    config = config or LintConfig()
    report = Report([*rules.diagnostics, *rules.import_findings])
    ctx = LintContext(rules, records, units_sharing)
    for rule in load_rules():
        if rule.data_aware and records is None:
            continue
        # a shipped pack's choices are documented there and not the user's to change:
        # its lint findings would only be noise in every rule set that includes it
        report.extend(d for d in rule.check(ctx) if not d.span.path.startswith(PACK_PREFIX))
    # ignore comments first, then configuration over everything left, unused ignores too
    kept = suppress.apply(report.sorted(), suppress.collect(rules.files), config.selects)
    return Report([config.adjust(d) for d in kept if config.selects(d)]).sorted()


def fails(diagnostics: tuple[Diagnostic, ...], level: Severity) -> bool:
    """Whether any finding is at or above the failing level (SPEC §4: default, any).
    Notes from `check` (an SFDX tree's skipped objects) are information, not findings."""
    return any(d.severity.rank >= level.rank and not _is_note(d) for d in diagnostics)


def _is_note(diagnostic: Diagnostic) -> bool:
    return (
        diagnostic.severity is Severity.INFO and codes.lookup(diagnostic.code) in codes.CHECK_CODES
    )
