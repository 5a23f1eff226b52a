"""Bulk engines: the sync cycle as SQL (DuckDB here, Spark SQL through PySpark).

`sql.py` compiles a checked rule set to one dialect-neutral SQL program (DuckDB's
dialect, parsed and re-emitted by sqlglot for each engine); `duck.py` and `spark.py`
run it; `engines.py` chooses one. What a bulk engine cannot evaluate is said, located
(`sql.CannotEvaluate`), so that `auto` falls back to the Python reference and a named
engine exits 2 instead of differing.
"""
