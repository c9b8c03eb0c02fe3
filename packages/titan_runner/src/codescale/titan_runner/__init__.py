"""codescale.titan_runner: compiled runs -> torchtitan's real ``Trainer`` -> run directories.

The only package that imports torch, torchtitan and submitit. Modules, in the order data flows:

- :mod:`~codescale.titan_runner.cpu_compat`: what lets torchtitan 0.3 run on torch 2.13 and, without CUDA, on the CPU;
- :mod:`~codescale.titan_runner.dataloader`: ``MixtureDataLoader``, a torchtitan dataloader over the mixtures sampler;
- :mod:`~codescale.titan_runner.trainer`: ``RunTrainer``, torchtitan's Trainer plus per-language loss, metrics, evals;
- :mod:`~codescale.titan_runner.evaluate`: per-language validation and per-direction translation loss;
- :mod:`~codescale.titan_runner.rundir`: the on-disk protocol (docs/run-directory.md);
- :mod:`~codescale.titan_runner.train`: one start of a run (``codescale train``) and ``TrainJob`` for executors;
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
