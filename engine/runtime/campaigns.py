"""Connected Campaigns: the one-to-one link of AE and Salesforce campaigns (docs/language.md).

Each line of the `campaigns` block links an AE campaign (by name) to a Salesforce campaign
(by Id, else by Name). A declared link is `create`d (no AE campaign of that name yet: one is
created, connected), `link`ed (both exist, not yet connected) or already `linked`; it is
skipped when the Salesforce campaign does not exist, when an earlier line already claimed
either side (`linked_twice`), or when either side is connected to another campaign
(`linked_elsewhere`). Campaigns no line names keep their link in the data (`linked`); the
rest stay `unlinked`, except Salesforce campaigns when `create_missing: true` (`create`).
Names and Ids compare exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.check.model import CampaignsConfig, CheckedRules
from engine.plan import CampaignLink
from engine.records.model import RecordSet
from engine.runtime.user_sync import attribute


@dataclass(slots=True)
class _Org:
    """The campaigns of both sides and which of them a link has claimed."""

    salesforce: dict[str, str]  # Salesforce campaign Id → Name
    pardot: dict[str, tuple[str, str]]  # AE campaign id → (name, salesforce_campaign_id)
    claimed_sf: set[str] = field(default_factory=set)
    claimed_pc: set[str] = field(default_factory=set)

    def salesforce_campaign(self, ref: str) -> str | None:
        if ref in self.salesforce:
            return ref
        named = sorted(i for i, name in self.salesforce.items() if name == ref)
        return named[0] if named else None

    def pardot_campaign(self, name: str) -> str | None:
        named = sorted(i for i, (n, _) in self.pardot.items() if n == name)
        return named[0] if named else None

    def connected_to(self, sf_id: str) -> str | None:
        return next((i for i, (_, s) in sorted(self.pardot.items()) if s == sf_id), None)


def _org(records: RecordSet) -> _Org:
    salesforce = {c.id: attribute(c, "Name") for c in records.get("campaigns")}
    pardot = {
        c.id: (attribute(c, "name"), attribute(c, "salesforce_campaign_id"))
        for c in records.get("pardot_campaigns")
    }
    return _Org(salesforce, pardot)


def _declared(org: _Org, name: str, ref: str) -> CampaignLink:
    sf = org.salesforce_campaign(ref)
    pc = org.pardot_campaign(name)

    def entry(action: str, reason: str | None = None) -> CampaignLink:
        return CampaignLink(name, action, pc, sf, reason, declared=True)

    if sf is None:
        return entry("skip", "no_salesforce_campaign")
    if sf in org.claimed_sf or (pc is not None and pc in org.claimed_pc):
        return entry("skip", "linked_twice")  # the first line wins (campaign-linked-twice)
    if pc is not None and org.pardot[pc][1] == sf:
        return entry("linked")
    other = org.connected_to(sf)
    if (pc is not None and org.pardot[pc][1]) or (other is not None and other != pc):
        return entry("skip", "linked_elsewhere")  # a connection is one-to-one
    return entry("create" if pc is None else "link")


def plan_campaigns(rules: CheckedRules, records: RecordSet) -> tuple[CampaignLink, ...]:
    """Declared links in declaration order, then the AE campaigns (by id) and Salesforce
    campaigns (by Id) that no declared link takes."""
    config: CampaignsConfig | None = rules.campaigns
    if config is None:
        return ()
    org = _org(records)
    out: list[CampaignLink] = []
    for pair in config.links:
        link = _declared(org, pair.key, pair.value)
        out.append(link)
        if link.action != "skip":  # a skipped line leaves both campaigns as they are
            org.claimed_sf.add(link.salesforce_campaign or "")
            if link.pardot_campaign is not None:
                org.claimed_pc.add(link.pardot_campaign)
    for pc_id, (name, sf_id) in sorted(org.pardot.items()):
        if pc_id in org.claimed_pc:
            continue
        if sf_id and sf_id in org.salesforce:
            out.append(CampaignLink(name, "linked", pc_id, sf_id))
            org.claimed_sf.add(sf_id)
        else:
            out.append(CampaignLink(name, "unlinked", pc_id, None))
    for sf_id, name in sorted(org.salesforce.items()):
        if sf_id in org.claimed_sf:
            continue
        action = "create" if config.create_missing else "unlinked"
        out.append(CampaignLink(name, action, None, sf_id))
    return tuple(out)
