"""email-case-mismatch: Personalization users whose email differs from a contact's or
lead's only in case — exact matching will silently miss them (data-aware)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from engine import ast
from engine.check.model import PersonalizationConfig
from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule
from engine.source import Span

if TYPE_CHECKING:
    from engine.records.model import Record


def text_of(record: Record, name: str) -> str:
    """A record's value for a match field as exact text; `Name` of a person is "First Last"."""
    for values in (record.values, record.raw):
        if name in values and values[name] is not None:
            return str(values[name])
    if name == "Id":
        return record.id
    if name == "Name" and record.object in ("contact", "lead"):
        parts = (text_of(record, "FirstName"), text_of(record, "LastName"))
        return " ".join(p for p in parts if p)
    return ""


def person_pools(config: PersonalizationConfig) -> list[tuple[str, ast.PzMatch | None]]:
    """The objects users match (contacts always, leads only with a `match lead` line)."""
    lines = {m.object: m.node for m in config.matches}
    pools: list[tuple[str, ast.PzMatch | None]] = [("contact", lines.get("contact"))]
    if "lead" in lines:
        pools.append(("lead", lines["lead"]))
    return pools


def block_keyword(node: ast.Personalization) -> Span:
    span = node.span
    n = len("personalization")
    return Span(span.path, span.start, span.start + n, span.line, span.col, span.line, span.col + n)


def uses_email(config: PersonalizationConfig, line: ast.PzMatch | None) -> bool:
    listed = line is not None and any(f.name == "Email" for f in line.fields)
    return listed or not config.designated_only


@rule(
    "SR501",
    "email-case-mismatch",
    Severity.WARNING,
    "Personalization users whose email differs from a contact's or lead's only in case",
)
class EmailCaseMismatch(Rule):
    """Personalization matching is exact and case-sensitive (SPEC §6): `Ada@x.com` never
    merges with a contact stored as `ada@x.com`. Runs only with `lint --records`."""

    data_aware = True

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        config, records = ctx.rules.personalization, ctx.records
        if config is None or records is None:
            return
        pools = person_pools(config)
        exact_anywhere = {text_of(r, "Email") for obj, _ in pools for r in records.get(f"{obj}s")}
        # a user that matches some contact or lead exactly by email is not missed
        users = sorted(
            (
                u
                for u in records.get("personalization_users")
                if text_of(u, "Email") not in exact_anywhere
            ),
            key=lambda r: r.id,
        )
        for obj, line in pools:
            if not uses_email(config, line):
                continue
            pool = records.get(f"{obj}s")
            folded: dict[str, str] = {}
            for r in sorted(pool, key=lambda r: r.id):
                folded.setdefault(text_of(r, "Email").casefold(), r.id)
            misses = []
            for user in users:
                email = text_of(user, "Email")
                if email and email.casefold() in folded:
                    misses.append(f"{user.id} ({email}) vs {obj} {folded[email.casefold()]}")
            if misses:
                shown = "; ".join(misses[:3]) + (
                    f"; and {len(misses) - 3} more" if misses[3:] else ""
                )
                yield self.at(
                    line.span if line is not None else block_keyword(config.node),
                    f"{len(misses)} Personalization user(s) have an email that differs from a "
                    f"{obj}'s only in case, and will not match it: {shown}",
                    hint="matching is exact and case-sensitive: fix the case on one side, or "
                    "match by a normalised key field (e.g. Email_Key__c) listed first",
                )
