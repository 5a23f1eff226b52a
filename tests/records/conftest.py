"""Shared fixtures for record-set tests: one rule set declaring every field type."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from engine import api
from engine.check.model import CheckedRules
from engine.files import InputError
from engine.records.load import load_records
from engine.records.model import RecordSet

RULES = """\
object prospect {
    email: email
    first_name: text(40)
    phone: phone
    score: number
    grade: grade
    opted_out: boolean
    birthday: date
    last_seen: datetime
    interests: multipicklist("Email", "Webinars", "Events")
}
object lead {
    Email: email
    LastName: text(80) required
    Company: text(255) required
    Country: picklist("United States", "Canada", "Germany")
    NumberOfEmployees: number
    OwnerId: reference(user)
    HasOptedOutOfEmail: boolean
}
object contact {
    Email: email
    LastName: text(80)
}
object account {
    Name: text(255)
}
personalization {
    match contact by Id, Email
    match account by Id
}
"""

Files = Callable[[dict[str, str]], None]
Load = Callable[[str], RecordSet]
LoadError = Callable[[str], str]


@pytest.fixture(scope="session")
def rules() -> CheckedRules:
    checked = api.check_text(RULES, "rules.sync")
    assert checked.diagnostics == ()
    return checked


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Files:
    """Write files (name → text, dedented) into a fresh directory and work inside it, so
    messages name paths as a user would type them."""
    monkeypatch.chdir(tmp_path)

    def make(contents: dict[str, str]) -> None:
        for name, text in contents.items():
            path = Path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")

    return make


@pytest.fixture
def load(rules: CheckedRules) -> Load:
    return lambda path: load_records(path, rules)


@pytest.fixture
def load_error(rules: CheckedRules) -> LoadError:
    """The message of the InputError loading a path raises."""

    def message(path: str) -> str:
        with pytest.raises(InputError) as caught:
            load_records(path, rules)
        return str(caught.value)

    return message
