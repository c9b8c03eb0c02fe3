"""codescale.laws: run directories -> a DuckDB results store -> scaling-law fits -> an allocation. Never imports torch.

In: run directories (``run.json``, ``status.json``, ``metrics.jsonl``; ``codescale ingest``), external results
(CSV/parquet; ``codescale import``), or a compiled ``plan.json`` and a ground-truth law (``codescale simulate``).
Out: the results store (one DuckDB file: runs, metrics, evals, fits; docs/results-store.md), fits with bootstrap
intervals, an allocation file (``codescale.allocation/1``) plus a spec the compiler accepts, the next runs for a
target as a spec (``codescale propose``: :mod:`.propose`), and a Markdown + PNG report.
"""
