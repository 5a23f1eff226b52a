"""The Python API the CLI is a thin shell over. Functions return values; none print or exit.

    from engine import api
    rules = api.check(["rules/"])          # CheckedRules; rules.diagnostics lists problems
    if not rules.has_errors:
        graph = api.graph(rules)           # EvaluationGraph
        print(graph.order())
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.check.model import CheckedRules
from engine.check.resolve import check_rules
from engine.deep import call_deep
from engine.files import InputError
from engine.loader import load, load_text

if TYPE_CHECKING:
    from engine.graph import EvaluationGraph

__all__ = ["CheckedRules", "InputError", "check", "check_text", "graph"]


def check(paths: Sequence[str] | str) -> CheckedRules:
    """Load rule files and directories, resolve and type-check them.

    Problems in the rules come back as `diagnostics`; a path that does not exist raises
    `InputError`.
    """
    if isinstance(paths, str):
        paths = [paths]
    return call_deep(lambda: check_rules(load(paths)))


def check_text(text: str, path: str = "<text>") -> CheckedRules:
    """Check rule text that is not in a file (editors, notebooks, tests)."""
    return call_deep(lambda: check_rules(load_text(text, path)))


def graph(rules: CheckedRules) -> EvaluationGraph:
    """The evaluation graph of a checked rule set."""
    from engine.graph import EvaluationGraph  # networkx is slow to import: only when asked

    return EvaluationGraph(rules)
