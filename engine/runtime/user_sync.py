"""User Sync: Salesforce profiles give Account Engagement roles (docs/language.md#user_sync).

Each Salesforce user in the record set either gains, changes, loses or keeps an AE user
with a role, or stays without one. The role follows the user's profile through the
`user_sync` block; a profile the block does not name gives no access, and a deactivated
user loses access at once. The connector user is never managed by User Sync.
"""

from __future__ import annotations

from engine.check.model import CheckedRules, UserSyncConfig
from engine.fieldtypes import api_key
from engine.formula.functions import to_text
from engine.plan import Step, UserAccess
from engine.records.model import Record, RecordSet

# Columns that name a user's login in an export; the connector's `user:` is one of them.
LOGIN_KEYS = ("username", "email")


def attribute(record: Record, name: str) -> str:
    """A user's column as text, declared or not; Salesforce names compare case-insensitively."""
    key = api_key(name)
    for values in (record.values, record.raw):
        for field, value in values.items():
            if api_key(field) == key:
                return to_text(value).strip()
    return ""


def is_connector_user(rules: CheckedRules, user: Record) -> bool:
    login = (rules.connector.user or "").strip().casefold()
    if not login:
        return False
    return login == user.id.casefold() or any(
        attribute(user, key).casefold() == login for key in LOGIN_KEYS
    )


def user_access(
    rules: CheckedRules, config: UserSyncConfig, user: Record, steps: list[Step] | None = None
) -> UserAccess:
    """What one user's AE access becomes, with the steps that decide it when asked."""
    name, profile = attribute(user, "Name"), attribute(user, "Profile")
    current = attribute(user, "pardot_role") or None
    have = f'has the AE role "{current}"' if current else "has no AE user"
    log = steps if steps is not None else []
    log.append(
        Step(
            "user",
            f"{user.id} {name}".strip(),
            (
                f'profile: "{profile}"' if profile else "profile: (blank)",
                f"active: {'true' if user.active else 'false'}",
                f"today the user {have}",
            ),
        )
    )
    if is_connector_user(rules, user):
        log.append(
            Step(
                "connector user",
                "left alone: the connector user is not managed by User Sync",
                (f'it is the connector block\'s user "{rules.connector.user}"',),
            )
        )
        return UserAccess(user.id, name, profile, "skip", current, current, "connector_user")
    if not user.active:
        action = "lose" if current else "none"
        log.append(
            Step(
                "active",
                "deactivated: loses AE access at once"
                if current
                else "deactivated: stays without AE access",
            )
        )
        return UserAccess(user.id, name, profile, action, None, current, "deactivated")
    role = config.role_for(profile)
    if role is None:
        listed = ", ".join(f'"{p.key}"' for p in config.roles) or "none"
        log.append(
            Step(
                "role",
                f'profile "{profile}" has no role in user_sync',
                (f"profiles with a role: {listed}",),
            )
        )
        action = "lose" if current else "none"
        return UserAccess(user.id, name, profile, action, None, current, "no_role")
    pair = next(p for p in config.roles if p.key == profile)
    where = f"{pair.span.path}:{pair.span.line}"
    log.append(Step("role", f'profile "{profile}" gives the role "{role}"', (f"rule: {where}",)))
    if current is None:
        action, said = "gain", f'gains an AE user with the role "{role}"'
    elif current == role:
        action, said = "keep", f'keeps the role "{role}"'
    else:
        action, said = "change", f'changes from "{current}" to "{role}"'
    log.append(Step("access", said))
    return UserAccess(user.id, name, profile, action, role, current)


def plan_user_sync(rules: CheckedRules, records: RecordSet) -> tuple[UserAccess, ...]:
    """One entry per Salesforce user, in Id order."""
    config = rules.user_sync
    if config is None:
        return ()
    return tuple(user_access(rules, config, u) for u in sorted(records.users, key=lambda u: u.id))
