"""A small project on disk for rule tests: `rules/mql.sync` and test files beside it.

Tests run inside the project directory, so every path in an output is relative
(`tests/mql_test.yaml::…`) and goldens do not depend on where pytest runs.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)

RULES = """\
object prospect {
    email: email
    last_name: text(80)
    company: text(255)
    country: text(80)
    employees: text(20)
    score: number
    grade: grade
    last_seen: date
    region: picklist("NAMER", "EMEA")
}

object lead {
    Email: email
    LastName: text(80) required
    Company: text(255) required
    Country: picklist("United States", "Canada", "Germany")
    NumberOfEmployees: number
    OwnerId: reference(user)
    Region__c: picklist("NAMER", "EMEA")
    Partner_Code__c: text(20)
}

object contact {
    Email: email
    LastName: text(80) required
    OwnerId: reference(user)
}

field email { lead: Email  contact: Email }
field last_name { lead: LastName  contact: LastName }
field company { lead: Company }
field country { lead: Country }
field employees { lead: NumberOfEmployees }
field region { lead: Region__c  sync: salesforce_always }
field score { lead: Partner_Code__c  sync: off }

share lead when OwnerId in group "Direct Sales"

stage MQL when score >= 100 or grade >= "B"
stage Recent when TODAY() - last_seen <= 30
create lead when MQL

validation Country_Required on lead {
    error_if: NOT(ISBLANK(OwnerId)) && ISBLANK(TEXT(Country))
    message: "Lead must have a valid Country before being assigned."
    field: Country
}

validation No_Test_Leads on lead {
    error_if: CONTAINS(LOWER(Company), "test")
    message: "No test leads."
    active: false
}
"""

# The users every test file below starts from.
USERS = """\
  users:
    - {Id: 005A, Name: Dana Direct, groups: [Direct Sales], active: true}
    - {Id: 005C, Name: Chris Channel, groups: [Channel], active: true}
"""

Write = Callable[[str, str], Path]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Write:
    """Work in a fresh directory holding `rules/mql.sync`; returns a writer of files
    (path relative to the project, text dedented)."""
    monkeypatch.chdir(tmp_path)

    def write(path: str, text: str) -> Path:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return target

    write("rules/mql.sync", RULES)
    return write


GOLDENS = Path(__file__).parent / "goldens"
