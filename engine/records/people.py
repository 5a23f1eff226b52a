"""Who an owner Id is, as the record set tells: an active or inactive user of the `users`
list, a queue of the `queues` list, or unknown to both (an export may hold part of the org).

One answer for the cycle's ownership decisions (runtime/ownership.py) and for the lint
rule that warns about them (assigned-user-not-owner), so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.records.model import RecordSet


class Standing(StrEnum):
    QUEUE = "queue"
    ACTIVE = "active"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Directory:
    """Users (Id → active) and queues (Id → Name), each also under an 18-character Id's
    first 15 characters, which name the same record."""

    users: dict[str, bool]
    queues: dict[str, str]

    @classmethod
    def of(cls, records: RecordSet) -> Directory:
        users: dict[str, bool] = {}
        for user in records.users:
            users[user.id] = user.active
            users.setdefault(user.id[:15], user.active)
        queues: dict[str, str] = {}
        for queue in records.get("queues"):
            found = queue.values.get("Name") or queue.values.get("name") or queue.id
            name = found if isinstance(found, str) else str(found)
            queues[queue.id] = name
            queues.setdefault(queue.id[:15], name)
        return cls(users, queues)

    def active(self, user_id: str) -> bool | None:
        """True or False for a listed user, None for an Id the users list does not hold."""
        found = self.users.get(user_id)
        return self.users.get(user_id[:15]) if found is None else found

    def queue(self, owner_id: str) -> str | None:
        return self.queues.get(owner_id) or self.queues.get(owner_id[:15])

    def standing(self, owner_id: str) -> Standing:
        """A queue first: an Id both lists hold owns records as the queue it is."""
        if self.queue(owner_id) is not None:
            return Standing.QUEUE
        active = self.active(owner_id)
        if active is None:
            return Standing.UNKNOWN
        return Standing.ACTIVE if active else Standing.INACTIVE
