"""codescale.demo: the whole loop in miniature (``codescale demo``), on top of the four stages.

In: nothing but options; the specs are package data (``specs/``, linked to the repository's ``specs/demo``).
Out, under ``--out``: a generated parallel corpus and its catalog, a prepared corpus, one compiled plan per spec
with trained run directories, the DuckDB results store, fits, an allocation written back as a spec
(``next/allocation_spec.yaml``) and a Markdown + PNG report; on stdout, a summary of what was found.

- :mod:`~codescale.demo.study`: the stages in order (corpus, prepare, compile, train, ingest) and the spec files;
- :mod:`~codescale.demo.analysis`: the torch-free analysis (laws, synergy, pairing, multilingual law, allocation,
  report), calling the same ``codescale.laws`` functions as the CLI;
- :mod:`~codescale.demo.cli`: ``codescale demo``'s options and closing summary.

It depends on every stage and nothing depends on it.
"""
