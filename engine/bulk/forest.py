"""Union-find over text keys: which prospects can reach one record or email key, so the
bulk engines run them in rounds (duck.components in memory, direct.py over the files)."""

from __future__ import annotations


class Forest:
    """Disjoint sets of keys. A set's root is its smallest key, so the grouping is the
    same whatever order the unions come in (the plan must not depend on it)."""

    __slots__ = ("parent",)

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        """x's root; a key seen for the first time is a set of its own."""
        root = x
        while self.parent.setdefault(root, root) != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def members(self) -> list[str]:
        return list(self.parent)
