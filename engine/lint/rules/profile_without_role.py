"""profile-without-role: a Salesforce profile that `user_sync` gives no role."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ast
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import Kind, api_key
from engine.lint.registry import LintContext, Rule, rule
from engine.lint.rules.connector_user_has_role import connector_profile
from engine.source import Span


def keyword(node: ast.UserSync) -> Span:
    span, n = node.span, len("user_sync")
    return Span(span.path, span.start, span.start + n, span.line, span.col, span.line, span.col + n)


def known_profiles(ctx: LintContext) -> list[str]:
    """Profiles from `object user { Profile: picklist(…) }`, and from the users in
    `lint --records` data."""
    found: list[str] = []
    info = ctx.field("user", "Profile")
    if info is not None and info.type.kind is Kind.PICKLIST:
        found += info.type.values
    if ctx.records is not None:
        for user in ctx.records.users:
            for values in (user.values, user.raw):
                value = next((v for k, v in values.items() if api_key(k) == "profile"), None)
                if value:
                    found.append(str(value).strip())
                    break
    return sorted(set(found), key=found.index)


@rule(
    "SR511",
    "profile-without-role",
    Severity.WARNING,
    "a Salesforce profile that user_sync gives no Account Engagement role",
)
class ProfileWithoutRole(Rule):
    """Users with that profile get no AE user (and lose the one they have). Profiles come
    from the `Profile` picklist of `object user`, and from the data with `lint --records`;
    `"Profile": ""` in `user_sync` says no access on purpose and is not reported."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        config = ctx.rules.user_sync
        if config is None:
            return
        mapped = {p.key for p in config.roles}
        connector = connector_profile(ctx.rules)
        for profile in known_profiles(ctx):
            if profile in mapped or profile == connector:
                continue  # the connector user is not managed by User Sync
            yield self.at(
                keyword(config.node),
                f'profile "{profile}" has no role in user_sync: its users get no Account '
                "Engagement access and lose any they have",
                hint=f'map it ("{profile}": "Sales"), or write "{profile}": "" to say it '
                "gets no access on purpose",
            )
