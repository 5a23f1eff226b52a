"""unknown-match-field: a Personalization match field the matched object does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from engine.diagnostics import Diagnostic, Severity
from engine.lint.registry import LintContext, Rule, rule

# Every contact, lead and account has these; `Name` of a person is First and Last name.
ALWAYS_KNOWN = ("Id", "Name", "Email")


@rule(
    "SR503",
    "unknown-match-field",
    Severity.WARNING,
    "a Personalization match field that the declared object does not have",
)
class UnknownMatchField(Rule):
    """A field the object lacks never holds a value, so that priority level never matches.
    Only objects the rule set declares are checked; Id, Name and Email are always known."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        config = ctx.rules.personalization
        if config is None:
            return
        for match in config.matches:
            model = ctx.rules.objects.get(match.object)
            if model is None or not model.fields:
                continue  # undeclared object: nothing to compare with
            for ident in match.node.fields:
                if ident.name in ALWAYS_KNOWN or model.get(ident.name) is not None:
                    continue
                yield self.at(
                    ident.span,
                    f'{match.object} has no field "{ident.name}": this priority level never '
                    "matches",
                    hint=f"declare it in `object {match.object}`, or fix the name (API names, "
                    "e.g. Email_Key__c)",
                )
