"""Generation evals: checkpoints exported to Hugging Face, completions generated, executed in a sandbox and scored.

The data flow, one module per step:

- :mod:`.export`: a torchtitan DCP checkpoint of a run -> a Hugging Face model directory (torch, lazily);
- :mod:`.suites`: what to generate (the built-in completion suite, translation, MultiPL-E JSONL files);
- :mod:`.generate`: completions from the exported model (``transformers``, or ``vllm`` on GPU clusters);
- :mod:`.sandbox` and :mod:`.harness`: compile and run each completion with its tests in seven languages;
- :mod:`.passk` and :mod:`.bleu`: the scores;
- :mod:`.pipeline`: one checkpoint's evaluation, resumable, written to ``RUN_DIR/evals/``;
- :mod:`.jobs`: evaluation as jobs through the training executors (local, Slurm arrays), one task per checkpoint;
- :mod:`.cli`: ``codescale export`` and ``codescale eval``.

``sandbox``, ``harness``, ``suites``, ``passk`` and ``bleu`` never import torch or torchtitan.
"""
