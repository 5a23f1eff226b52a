"""The per-record reference runtime: evaluate.py (evaluator and trace), cycle.py (SPEC §3)."""
