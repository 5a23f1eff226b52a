"""User Sync (profile → AE role) and Connected Campaigns in the dry-run plan."""

from __future__ import annotations

from pathlib import Path

from tests.runtime.helpers import plan

RULES = """
connector { user: "pardot.integration@acme.example" profile: "Integration" }
user_sync {
    "Marketing User": "Marketing"
    "System Administrator": "Administrator"
    "Integration": "Administrator"
}
"""
USERS = """
users:
  - {Id: 005A, Name: Gain, Profile: Marketing User, active: true}
  - {Id: 005B, Name: Change, Profile: System Administrator, active: true, pardot_role: Marketing}
  - {Id: 005C, Name: Deactivated, Profile: Marketing User, active: false, pardot_role: Marketing}
  - {Id: 005D, Name: Lose, Profile: Standard User, active: true, pardot_role: Sales}
  - {Id: 005E, Name: Keep, Profile: Marketing User, active: true, pardot_role: Marketing}
  - {Id: 005F, Name: None, Profile: Standard User, active: true}
  - {Id: 005G, Name: Connector, Username: pardot.integration@acme.example, Profile: Integration}
"""


def test_user_sync_gain_change_lose_keep_none_and_the_connector_user(tmp_path: Path) -> None:
    data = plan(tmp_path, RULES, USERS, base=False)
    got = {
        u["user"]: (u["action"], u["role"], u["current_role"], u.get("reason"))
        for u in data["user_sync"]
    }
    assert got == {
        "005A": ("gain", "Marketing", None, None),
        "005B": ("change", "Administrator", "Marketing", None),
        # a deactivated user loses access at once, whatever the profile says
        "005C": ("lose", None, "Marketing", "deactivated"),
        "005D": ("lose", None, "Sales", "no_role"),
        "005E": ("keep", "Marketing", "Marketing", None),
        "005F": ("none", None, None, "no_role"),
        # the connector user is never managed by User Sync
        "005G": ("skip", None, None, "connector_user"),
    }
    assert [u["user"] for u in data["user_sync"]] == sorted(got)


def test_no_user_sync_block_means_no_list(tmp_path: Path) -> None:
    data = plan(tmp_path, "connector {}\n", USERS, base=False)
    assert "user_sync" not in data
    assert "campaigns" not in data


CAMPAIGN_RULES = """
campaigns {
    "Webinar Nov 2026": "701A"
    "Trade Show": "Trade Show 2026"
    "Ghost": "701Z"
    "Replay": "701A"
    "Moved": "701C"
}
"""
CAMPAIGNS = """
campaigns:
  - {Id: 701A, Name: Webinar Nov 2026}
  - {Id: 701B, Name: Trade Show 2026}
  - {Id: 701C, Name: Spring Launch}
  - {Id: 701D, Name: Linked One}
  - {Id: 701E, Name: Orphan}
pardot_campaigns:
  - {id: "1", name: Trade Show, salesforce_campaign_id: ""}
  - {id: "2", name: Linked One, salesforce_campaign_id: 701D}
  - {id: "3", name: Lonely}
  - {id: "4", name: Moved, salesforce_campaign_id: 701D}
"""


def _campaigns(data: dict) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (
            c["campaign"],
            c["action"],
            c["pardot_campaign"],
            c["salesforce_campaign"],
            c.get("reason"),
        )
        for c in data["campaigns"]
    ]


def test_campaigns_create_link_linked_unlinked_and_skips(tmp_path: Path) -> None:
    data = plan(tmp_path, CAMPAIGN_RULES, CAMPAIGNS, base=False)
    assert _campaigns(data) == [
        ("Webinar Nov 2026", "create", None, "701A", None),  # no AE campaign yet: created
        ("Trade Show", "link", "1", "701B", None),  # by Salesforce Name; both exist
        ("Ghost", "skip", None, None, "no_salesforce_campaign"),
        ("Replay", "skip", None, "701A", "linked_twice"),  # the first line won 701A
        ("Moved", "skip", "4", "701C", "linked_elsewhere"),  # AE 4 is connected to 701D
        ("Linked One", "linked", "2", "701D", None),  # linked in the data already
        ("Lonely", "unlinked", "3", None, None),
        ("Moved", "linked", "4", "701D", None),
        ("Spring Launch", "unlinked", None, "701C", None),
        ("Orphan", "unlinked", None, "701E", None),
    ]


def test_create_missing_gives_unlinked_salesforce_campaigns_an_ae_campaign(tmp_path: Path) -> None:
    rules = "campaigns { create_missing: true }\n"
    data = plan(tmp_path, rules, CAMPAIGNS, base=False)
    created = [c[3] for c in _campaigns(data) if c[1] == "create"]
    assert created == ["701A", "701B", "701C", "701E"]
