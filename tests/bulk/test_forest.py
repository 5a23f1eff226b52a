"""The union-find both bulk engines group prospects with (engine/bulk/forest.py)."""

from __future__ import annotations

import itertools

from engine.bulk.forest import Forest


def test_a_set_s_root_is_its_smallest_key_whatever_the_order_of_unions() -> None:
    pairs = [("p:2", "e:b"), ("p:1", "e:a"), ("p:3", "e:b"), ("e:a", "l:9")]
    for order in itertools.permutations(pairs):
        forest = Forest()
        for a, b in order:
            forest.union(a, b)
        assert {k: forest.find(k) for k in sorted(forest.members())} == {
            "e:a": "e:a",
            "l:9": "e:a",
            "p:1": "e:a",
            "e:b": "e:b",
            "p:2": "e:b",
            "p:3": "e:b",
        }


def test_a_key_seen_once_is_a_set_of_its_own() -> None:
    forest = Forest()
    assert forest.find("p:7") == "p:7"
    assert forest.members() == ["p:7"]
