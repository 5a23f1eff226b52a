"""Who an owner Id is, from the record set's users and queues (records/people.py)."""

from __future__ import annotations

from engine import api
from engine.records.load import load_records_text
from engine.records.people import Directory, Standing

RECORDS = """
users:
  - {Id: 005A00000000001, Name: Ada, active: true}
  - {Id: 005B, Name: Bo, active: false}
  - {Id: 00G9, Name: Also a user, active: true}
queues:
  - {Id: 00G1, Name: Inbound}
  - {Id: 00G9, Name: Both lists}
"""


def _directory() -> Directory:
    rules = api.check_text("object prospect { email: email }\n", "r.sync")
    return Directory.of(load_records_text(RECORDS, "records.yaml", rules))


def test_each_standing_by_the_lists() -> None:
    people = _directory()
    assert people.standing("005A00000000001") is Standing.ACTIVE
    assert people.standing("005B") is Standing.INACTIVE
    assert people.standing("00G1") is Standing.QUEUE
    assert people.standing("005Z") is Standing.UNKNOWN


def test_an_18_character_id_names_its_15_character_record() -> None:
    people = _directory()
    assert people.standing("005A00000000001AAA") is Standing.ACTIVE
    assert people.queue("00G1") == "Inbound"


def test_a_queue_wins_over_a_user_of_the_same_id() -> None:
    assert _directory().standing("00G9") is Standing.QUEUE
