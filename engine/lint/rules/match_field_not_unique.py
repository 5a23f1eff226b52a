"""match-field-not-unique: a Personalization match field that several Salesforce records
share in the data, so a user matches one of them by Id order (data-aware)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule
from engine.lint.rules.email_case_mismatch import text_of


@rule(
    "SR502",
    "match-field-not-unique",
    Severity.WARNING,
    "a Personalization match field whose values several records share",
)
class MatchFieldNotUnique(Rule):
    """A listed match field should identify one record; when several contacts share a value,
    the smallest Id wins and the others never merge. Runs only with `lint --records`."""

    data_aware = True

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        config, records = ctx.rules.personalization, ctx.records
        if config is None or records is None:
            return
        for match in config.matches:
            pool = records.get("accounts" if match.object == "account" else f"{match.object}s")
            if match.object != "account":
                # the nightly match never sees a contact or lead in the recycle bin
                # (runtime/personalization.py), so a deleted twin shares nothing
                pool = [r for r in pool if not r.deleted]
            for ident in match.node.fields:
                if ident.name == "Id":
                    continue  # Salesforce Ids are unique
                holders: dict[str, list[str]] = {}
                for r in sorted(pool, key=lambda r: r.id):
                    value = text_of(r, ident.name)
                    if value:
                        holders.setdefault(value, []).append(r.id)
                shared = sorted((v, ids) for v, ids in holders.items() if len(ids) > 1)
                if not shared:
                    continue
                value, ids = shared[0]
                more = f" ({len(shared) - 1} more shared values)" if shared[1:] else ""
                yield self.at(
                    ident.span,
                    f'{match.object} {ident.name} is not unique in the data: "{value}" is on '
                    f"{', '.join(ids)}{more}; a user matches only the smallest Id",
                    hint="deduplicate those records, or match by a field that is unique",
                )
