"""connector-user-has-role: user_sync gives the connector user's profile an AE role."""

from __future__ import annotations

from collections.abc import Iterator

from engine import ast
from engine.check.model import CheckedRules
from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule


def connector_profile(rules: CheckedRules) -> str | None:
    """The connector block's `profile:` setting (the connector user's profile)."""
    for rule_file in rules.files:
        for item in rule_file.items:
            if isinstance(item, ast.Connector) and item.span == rules.connector.span:
                for setting in item.settings:
                    value = setting.value
                    if setting.key.name == "profile" and isinstance(value, ast.Literal):
                        return str(value.value)
    return None


@rule(
    "SR512",
    "connector-user-has-role",
    Severity.WARNING,
    "user_sync maps the connector user's profile to an Account Engagement role",
)
class ConnectorUserHasRole(Rule):
    """The connector user is the integration's login, not a marketer: giving its profile a
    role makes every user of that profile (and the connector) an AE user."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        config, profile = ctx.rules.user_sync, connector_profile(ctx.rules)
        if config is None or profile is None:
            return
        for pair in config.roles:
            if pair.key == profile and pair.value:
                yield self.at(
                    pair.span,
                    f'"{profile}" is the connector user\'s profile (connector `profile:`); '
                    f'mapping it to "{pair.value}" gives the integration user an AE role',
                    hint="remove this line: the connector user needs no Account Engagement "
                    "user, and a role lets it act as a marketer",
                )
