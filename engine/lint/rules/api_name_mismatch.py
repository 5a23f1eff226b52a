"""api-name-mismatch: one prospect field mapped to Lead and Contact fields of different names."""

from __future__ import annotations

from collections.abc import Iterator

from engine.ast import Sync
from engine.diagnostics import Diagnostic, Severity
from engine.fieldtypes import api_key
from engine.lint.registry import LintContext, Rule, rule

# Standard pairs the connector maps under different names: the Lead address
# (Street, City, …) is the Contact's Mailing address (MailingStreet, MailingCity, …).
ADDRESS_PARTS = (
    "Street",
    "City",
    "State",
    "PostalCode",
    "Country",
    "StateCode",
    "CountryCode",
    "Latitude",
    "Longitude",
    "GeocodeAccuracy",
)
STANDARD_PAIRS = frozenset((api_key(p), api_key(f"Mailing{p}")) for p in ADDRESS_PARTS)


@rule(
    "SR208",
    "api-name-mismatch",
    Severity.WARNING,
    "one prospect field mapped to Lead and Contact fields with different API names",
)
class ApiNameMismatch(Rule):
    """The connector maps a prospect field to a Lead and a Contact field of one API name."""

    def check(self, ctx: LintContext) -> Iterator[Diagnostic]:
        for mapping in ctx.rules.mappings:
            lead, contact = mapping.node.lead, mapping.node.contact
            if lead is None or contact is None or mapping.sync is Sync.OFF:
                continue  # off: switched off on purpose, nothing is expected to move
            if mapping.lead is None or mapping.contact is None:
                continue  # an undeclared field is unknown-field's: one typo, one finding
            pair = (api_key(lead.name), api_key(contact.name))
            if pair[0] == pair[1] or pair in STANDARD_PAIRS:
                continue
            yield self.at(
                contact.span,
                f"{mapping.name} maps lead.{lead.name} but contact.{contact.name}: the "
                "connector maps one prospect field to Lead and Contact fields of the same API "
                "name",
                hint=f"create {lead.name} on Contact (or {contact.name} on Lead) and map both "
                "to it, or map separate prospect fields",
                related=((lead.span, "lead field mapped here"),),
            )
