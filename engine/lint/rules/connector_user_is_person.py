"""connector-user-is-person: the connector runs as a person rather than an integration user."""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine import ast
from engine.check.model import CheckedRules
from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule
from engine.source import Span

# Words that mark a login as a service account rather than a person (any part of the
# address before the @, case-insensitively).
SERVICE_WORDS = (
    "integration",
    "integ",
    "connector",
    "pardot",
    "marketing",
    "mktg",
    "sync",
    "api",
    "svc",
    "service",
    "system",
    "admin",
    "automation",
    "b2bma",
    "mcae",
    "sfdc",
    "salesforce",
    "crm",
    "noreply",
    "no-reply",
    "donotreply",
)
# A person's login: a name, or names joined by . _ - ' (dana, dana.direct, d.direct,
# dana_direct), with at most two digits after it (dana.direct2).
PERSON = re.compile(r"[a-z]+(?:[._'-][a-z]+)*\d{0,2}")
EXAMPLE = "pardot.integration@yourcompany.example"


@rule(
    "SR403",
    "connector-user-is-person",
    Severity.WARNING,
    "the connector user looks like a person's login, or is not named",
)
class ConnectorUserIsPerson(Rule):
    """The connector writes with that person's permissions and in their name, and stops
    when their user is deactivated."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        node = _connector(ctx.rules)
        if node is None:
            return  # no connector block in this rule set: nothing to say where
        if node.user is None:
            yield self.at(
                _keyword(node.span, "connector"),
                "the connector block does not name its user: reviewers cannot check the "
                "connector's field permissions, and writes are attributed to whoever set "
                "the connector up",
                hint=f'add user: "{EXAMPLE}" (your dedicated integration user)',
            )
        elif looks_like_person(node.user):
            setting = next(s for s in node.settings if s.key.name == "user")
            yield self.at(
                setting.value.span,
                f'connector user "{node.user}" looks like a person\'s login: the sync writes '
                "with their permissions and in their name, and stops when they leave",
                hint=f'run the connector as a dedicated integration user (e.g. "{EXAMPLE}"); '
                "if this already is one, silence this finding on this line",
            )


def looks_like_person(user: str) -> bool:
    """A login whose local part reads as a name and carries no service-account word."""
    local = user.rsplit("@", 1)[0].strip().casefold()
    if any(word in local for word in SERVICE_WORDS):
        return False
    return PERSON.fullmatch(local) is not None


def _connector(rules: CheckedRules) -> ast.Connector | None:
    """The connector block the checked rules took their settings from."""
    span = rules.connector.span
    for rule_file in rules.files:
        for item in rule_file.items:
            if isinstance(item, ast.Connector) and item.span == span:
                return item
    return None


def _keyword(span: Span, keyword: str) -> Span:
    end = span.start + len(keyword)
    return Span(span.path, span.start, end, span.line, span.col, span.line, span.col + len(keyword))
