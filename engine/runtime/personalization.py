"""Marketing Cloud Personalization's nightly match-and-merge with Salesforce (SPEC §6).

Users match contacts, then (only with a `match lead` line) leads; accounts match accounts.
Priority is the listed field order, then `Name` and `Email` (not for accounts) unless
`designated_only`. Matching is exact and case-sensitive, and nothing is ever created.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.check.model import CheckedRules, PersonalizationConfig
from engine.formula.functions import to_text
from engine.plan import PzOutcome, Step, Target
from engine.records.model import Record, RecordSet
from engine.runtime.context import field_value


def _text(rules: CheckedRules, record: Record, name: str) -> str:
    """A record's value for a match field as exact text ("" when absent)."""
    info = rules.object(record.object).get(name)
    if info is not None:
        return to_text(field_value(rules, record, record.object, name))
    if name in record.values:
        return to_text(record.values[name])
    if name in record.raw:
        return to_text(record.raw[name])
    if name == "Id":
        return record.id
    if name == "Name" and record.object in ("contact", "lead"):
        # Salesforce's compound Name of a person: "First Last"
        first, last = _text(rules, record, "FirstName"), _text(rules, record, "LastName")
        return " ".join(p for p in (first, last) if p)
    return ""


def _priorities(fields: tuple[str, ...], designated_only: bool, account: bool) -> list[str]:
    # account matching never uses email, even when a `match account` line lists it
    order = [f for f in fields if not (account and f == "Email")]
    if not designated_only:
        for implied in ("Name",) if account else ("Name", "Email"):
            if implied not in order:
                order.append(implied)
    return order


def _find(rules: CheckedRules, pool: Iterable[Record], field: str, value: str) -> Record | None:
    hits = [r for r in pool if _text(rules, r, field) == value]
    return min(hits, key=lambda r: r.id) if hits else None  # several: the smallest Id


def _match(
    rules: CheckedRules,
    subject: Record,
    pools: list[tuple[str, list[Record], tuple[str, ...]]],
    config: PersonalizationConfig,
    account: bool,
) -> tuple[Record, str] | None:
    for _obj, pool, fields in pools:
        for field in _priorities(fields, config.designated_only, account):
            value = to_text(subject.values.get(field))
            if value == "":
                continue
            found = _find(rules, pool, field, value)
            if found is not None:
                return found, field
    return None


def _converted(records: RecordSet, lead: Record) -> Record:
    """A converted lead's data goes to the contact it became."""
    contact_id = next(
        (str(v) for k, v in lead.raw.items() if k.casefold() == "convertedcontactid" and v), None
    )
    if contact_id is None:
        return lead
    return next((c for c in records.contacts if c.id == contact_id), lead)


def _live(pool: list[Record]) -> list[Record]:
    """Records not in Salesforce's recycle bin (`IsDeleted`): the nightly share never
    sees a deleted record, as the prospect sync does not (SPEC §3.2)."""
    return [r for r in pool if not r.deleted]


def match_personalization(rules: CheckedRules, records: RecordSet) -> tuple[PzOutcome, ...]:
    """One outcome per Personalization user, then per account, each in id order."""
    config = rules.personalization
    if config is None:
        return ()
    by_object = {m.object: m.fields for m in config.matches}
    person_pools = [("contact", _live(records.contacts), by_object.get("contact", ()))]
    if "lead" in by_object:  # leads only when a `match lead` line enables them
        person_pools.append(("lead", _live(records.leads), by_object["lead"]))
    account_pools = [("account", records.get("accounts"), by_object.get("account", ()))]
    outcomes: list[PzOutcome] = []
    for kind, subjects, pools in (
        ("user", records.get("personalization_users"), person_pools),
        ("account", records.get("personalization_accounts"), account_pools),
    ):
        for subject in sorted(subjects, key=lambda r: r.id):
            found = _match(rules, subject, pools, config, kind == "account")
            if found is None:
                outcomes.append(PzOutcome(kind, subject.id, "skip", reason="unmatched"))
                continue
            record, field = found
            if record.object == "lead":
                record = _converted(records, record)
            outcomes.append(
                PzOutcome(kind, subject.id, "merge", Target(record.object, record.id), field)
            )
    return tuple(outcomes)


# -- explain ---------------------------------------------------------------------------


def _near_misses(rules: CheckedRules, pool: Iterable[Record], field: str, value: str) -> list[str]:
    """Records whose value differs from the subject's only in case or surrounding spaces."""
    folded = value.strip().casefold()
    return [
        f'{r.object} {r.id} has "{_text(rules, r, field)}"'
        for r in sorted(pool, key=lambda r: r.id)
        if _text(rules, r, field) != value and _text(rules, r, field).strip().casefold() == folded
    ]


def _try_pool(
    rules: CheckedRules, subject: Record, obj: str, pool: list[Record], order: list[str]
) -> tuple[tuple[Record, str] | None, Step]:
    """Each priority level against one object, with what was compared and why it did or
    did not match; stops at the first level that matches."""
    details: list[str] = []
    for level, field in enumerate(order, 1):
        value = to_text(subject.values.get(field))
        if value == "":
            details.append(
                f"{level}. {field}: the {subject.object.split('_')[1]} has none; skipped"
            )
            continue
        hits = sorted((r for r in pool if _text(rules, r, field) == value), key=lambda r: r.id)
        if hits:
            also = (
                f" (also {', '.join(r.id for r in hits[1:])}; the smallest Id wins)"
                if hits[1:]
                else ""
            )
            details.append(f'{level}. {field} = "{value}": matches {obj} {hits[0].id}{also}')
            return (hits[0], field), Step(
                f"match {obj}", f"{obj} {hits[0].id} by {field}", tuple(details)
            )
        misses = _near_misses(rules, pool, field, value)
        why = f"; {', '.join(misses)}: matching is exact and case-sensitive" if misses else ""
        details.append(f'{level}. {field} = "{value}": no {obj} has exactly this value{why}')
    return None, Step(f"match {obj}", f"no {obj} matches", tuple(details))


def explain_personalization(
    rules: CheckedRules, records: RecordSet, kind: str, subject_id: str
) -> tuple[PzOutcome, tuple[Step, ...]] | None:
    """Why a Personalization user or account merges or is skipped; None when not found."""
    config = rules.personalization
    name = "personalization_users" if kind == "user" else "personalization_accounts"
    subject = next((r for r in records.get(name) if r.id == subject_id), None)
    if config is None or subject is None:
        return None
    by_object = {m.object: m.fields for m in config.matches}
    objects = ["account"] if kind == "account" else ["contact", "lead"]
    steps: list[Step] = []
    results: dict[str, tuple[Record, str] | None] = {}
    for obj in objects:
        if obj == "lead" and "lead" not in by_object:
            steps.append(Step("match lead", "off: no `match lead` line, so leads are never tried"))
            continue
        order = _priorities(by_object.get(obj, ()), config.designated_only, kind == "account")
        pool = records.get("accounts") if obj == "account" else _live(records.get(f"{obj}s"))
        results[obj], step = _try_pool(rules, subject, obj, pool, order)
        steps.append(step)
    contact, lead = results.get("contact"), results.get("lead")
    if contact is not None and lead is not None:
        steps.append(
            Step(
                "contact over lead",
                f"contact {contact[0].id} wins",
                (
                    f"lead {lead[0].id} matches too; a user that matches both a contact "
                    "and a lead syncs only with the contact",
                ),
            )
        )
    found = results.get("account") if kind == "account" else contact or lead
    if found is not None and found[0].object == "lead":
        target = _converted(records, found[0])
        if target is not found[0]:
            steps.append(
                Step(
                    "converted lead",
                    f"lead {found[0].id} was converted to contact {target.id}",
                    ("a converted lead's data goes to its contact",),
                )
            )
    outcome = next(
        o for o in match_personalization(rules, records) if o.kind == kind and o.id == subject_id
    )
    if kind == "account" and "Email" in by_object.get("account", ()):
        steps.append(Step("note", "Email is listed but skipped: account matching never uses email"))
    steps.append(
        Step(
            "result",
            "merge: nothing is created on either side"
            if outcome.action == "merge"
            else "skip (unmatched): nothing is created on either side",
        )
    )
    return outcome, tuple(steps)
