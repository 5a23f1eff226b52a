"""Lint: every check error plus the rules in `lint/rules/`, with config and ignores."""
