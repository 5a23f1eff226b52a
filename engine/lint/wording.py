"""Phrases several lint rules' messages share, so the same thing reads the same way."""

from __future__ import annotations


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def in_units(units: list[str]) -> str:
    """The prefix of a finding about some business units' sharing: '' without units,
    'in business unit A, ' or 'in business units A and B, '."""
    if not units:
        return ""
    return f"in business unit{'s' if len(units) > 1 else ''} {join_names(units)}, "
