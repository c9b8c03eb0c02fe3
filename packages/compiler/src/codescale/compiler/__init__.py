"""codescale.compiler: a scaling-study spec -> validated, costed runs -> torchtitan job configs. Never imports torch.

In: a spec YAML (``codescale.compiler.spec.Spec``); optionally a corpus catalog and a prepared corpus's
``manifest.json`` (vocabulary size, natural and temperature mixtures, data checks); an allocation file for
``mixture.from_allocation``.
Out (``codescale compile SPEC -o OUT``): ``OUT/runs/<run_id>/run.json`` and ``mixture.json`` per run, ``OUT/jobs.py``
(a torchtitan config module with one function per run returning a ``Trainer.Config``) and ``OUT/plan.json``, last.

Modules, in the order a spec flows through them: :mod:`~codescale.compiler.spec` and
:mod:`~codescale.compiler.validation` (the models, located errors), :mod:`~codescale.compiler.sweep` (points),
:mod:`~codescale.compiler.resolve`, :mod:`~codescale.compiler.shapes`, :mod:`~codescale.compiler.mixing` and
:mod:`~codescale.compiler.costing` (one resolved, costed run per point), :mod:`~codescale.compiler.plan` (run ids,
totals, budget), :mod:`~codescale.compiler.render` + ``templates/`` (the files), :mod:`~codescale.compiler.table`,
:mod:`~codescale.compiler.datacheck`, and :mod:`~codescale.compiler.cli` (``validate``, ``plan``, ``compile``,
``schema``, ``diff``).
"""
