"""codescale.titan_runner: compiled runs -> torchtitan's real ``Trainer`` -> run directories.

In: a compiled output directory (``plan.json``, ``jobs.py``, ``runs/<id>/run.json`` + ``mixture.json``; a spec is
compiled first) and the prepared corpus the mixtures name. Out, in each run directory: ``status.json``,
``metrics.jsonl``, ``lease.json``, submission records, ``resolved_config.json``, torchtitan checkpoints and logs
(docs/run-directory.md).

The only package that imports torch, torchtitan and submitit. Modules, in the order data flows:

- :mod:`~codescale.titan_runner.cpu_compat`: what lets torchtitan 0.3 run on torch 2.13 and, without CUDA, on the CPU;
- the torchtitan components a compiled job configures (torchtitan's own ``Trainer`` runs them, unsubclassed):
  :mod:`~codescale.titan_runner.dataloader` (``MixtureDataLoader``, over the mixtures sampler),
  :mod:`~codescale.titan_runner.loss` (``LanguageCrossEntropy``: per-language loss sums, CUDA-graph safe),
  :mod:`~codescale.titan_runner.validator` (``LanguageValidator``, measuring with
  :mod:`~codescale.titan_runner.evaluate`), :mod:`~codescale.titan_runner.recording` (``RunMetrics``) and its
  :mod:`~codescale.titan_runner.callbacks` (metrics.jsonl, status.json, cancel at a step boundary);
- :mod:`~codescale.titan_runner.rundir`: the on-disk protocol (docs/run-directory.md);
- :mod:`~codescale.titan_runner.train`: one start of a run (``codescale train``) and ``TrainJob`` for executors;
  :mod:`~codescale.titan_runner.titan_train`: torchtitan's own entry point on this machine;
- :mod:`~codescale.titan_runner.submit`, :mod:`~codescale.titan_runner.localqueue`,
  :mod:`~codescale.titan_runner.status`, :mod:`~codescale.titan_runner.cancel`: ``codescale submit|status|cancel``;
- ``slurm*``: the Slurm executor;
- :mod:`~codescale.titan_runner.evals`: generation evals of checkpoints (``codescale export|eval``): Hugging Face
  export, generation, the sandboxed seven-language harness, pass@k and BLEU, as jobs through the same executors.

Python API for drivers such as ``codescale demo``::

    from codescale.titan_runner.submit import submit
    from codescale.titan_runner.status import collect, wait, format_table
    records = submit("specs/demo/synergy.yaml", executor="local", max_parallel=2, out="runs/demo")
    rows = wait("runs/demo")        # blocks until every run is completed, failed or cancelled
    print(format_table(rows))
"""
