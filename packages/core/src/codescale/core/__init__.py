"""codescale.core: what every stage shares; it imports none of them.

In: nothing of codescale (pydantic and pyyaml only). Out, to every stage:

- :mod:`~codescale.core.contracts`: one pydantic model per file a stage hands to another (``run.json``,
  ``plan.json``, ``mixture.json``, the prepared manifest, ``status.json``, metric lines, the lease), with the format
  ids in one place; ``Model.read(path)`` is each file's reader and ``model.to_json()`` its writer's text;
- :mod:`~codescale.core.errors`: ``CodescaleError``, the one error a user sees (file, line, column, field, hint);
- :mod:`~codescale.core.domains` (the seven languages), :mod:`~codescale.core.quantities` (``"0.2B"``, ``"20x"``),
  :mod:`~codescale.core.yaml_source` (YAML with line/column positions), :mod:`~codescale.core.catalog` (the corpus
  catalog model, the mixtures stage's input);
- :mod:`~codescale.core.io` (atomic writes, located JSON reads), :mod:`~codescale.core.fmt` (numbers and tables
  for people), :mod:`~codescale.core.logging` (one logger tree, set up once per process);
- :mod:`~codescale.core.cli`: the ``codescale`` command, which imports only the module of the command it runs.

docs/architecture.md draws the stages, their files and the package graph.
"""
