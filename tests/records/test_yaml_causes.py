"""A malformed YAML export gets the parser's words plus the usual cause in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import api
from engine.files import InputError

RULES = api.check_text("object prospect { email: email score: number }\n", "rules.sync")


@pytest.mark.parametrize(
    ("text", "location", "cause"),
    [
        (
            "prospects:\n  - id: p1\n    email: a@b.com\n   score: 5\n",
            ":4:4:",
            "a line is indented differently from the lines around it",
        ),
        ('prospects:\n  - {id: p1, email: "abc}\n', ":3:1:", "a quoted text is not closed"),
    ],
)
def test_yaml_syntax_errors_name_the_likely_cause(
    tmp_path: Path, text: str, location: str, cause: str
) -> None:
    path = tmp_path / "records.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        api.load_records(str(path), RULES)
    message = str(raised.value)
    assert message.startswith(f"{path}{location} invalid YAML: ")
    assert message.endswith(f"(likely: {cause})")
