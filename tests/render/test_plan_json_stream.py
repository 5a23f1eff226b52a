"""The JSON plan is written a record at a time, with the json module's C string encoder,
and is still byte for byte what `json.dumps(..., indent=2, ensure_ascii=False)` gives."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.plan import Action, Outcome, Plan, Target
from engine.render import plan_json

_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # every code point: control characters, quotes, U+2028, emoji
)
_values = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(_values, st.sampled_from(["", "  ", "    "]))
def test_pretty_is_json_dumps_with_indent_2(value: Any, pad: str) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)
    assert plan_json.pretty(value, pad) == expected


def _plan(n: int) -> Plan:
    outcomes = tuple(
        Outcome(
            f"p{i}",
            Action.UPDATE if i % 2 else Action.NO_CHANGE,
            ("MQL",) if i % 3 else (),
            target=Target("lead", f"00Q{i}"),
            matched_by="email",
            to_salesforce=(("Title", f'CTO \u2028 {i} "x"'),) if i % 2 else (),
        )
        for i in range(n)
    )
    return Plan(outcomes)


def test_the_streamed_plan_is_the_dumped_plan() -> None:
    for n in (0, 1, 5):
        plan = _plan(n)
        expected = json.dumps(plan_json.as_dict(plan), indent=2, ensure_ascii=False) + "\n"
        chunks: list[str] = []
        plan_json.write(plan, chunks.append)
        assert "".join(chunks) == expected
        assert plan_json.render(plan) == expected
        assert len(chunks) > n  # one chunk per record at least: never one big text


def test_extra_keys_follow_the_plan_and_replace_in_place() -> None:
    plan = _plan(2)
    extra = {"summary": {"x": 1}, "written": ["a.yaml"]}
    expected = json.dumps(plan_json.as_dict(plan) | extra, indent=2, ensure_ascii=False) + "\n"
    assert plan_json.render(plan, extra) == expected
