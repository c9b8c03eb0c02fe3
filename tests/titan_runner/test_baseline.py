"""A compiled job trained as torchtitan's own llama3 training (stock components, same model): the comparison
baseline for the runner, built from the job function's own output."""

from __future__ import annotations

import gc
import json

import pytest
from titan_testing import make_run

from codescale.titan_runner import cpu_compat
from codescale.titan_runner.baseline import with_torchtitan_components
from codescale.titan_runner.rundir import RunDir
from codescale.titan_runner.train import _shutdown_distributed, ensure_distributed_env, load_job_config, restore_env

pytestmark = pytest.mark.slow


def test_a_compiled_job_trains_with_torchtitans_stock_components_at_the_same_shape(tmp_path, prepared_corpus):
    cpu_compat.apply()
    run_dir = RunDir(make_run(tmp_path, prepared_corpus, run_id="baseline", steps=3))
    job = load_job_config(run_dir.load_run(), run_dir)
    text = tmp_path / "text"
    text.mkdir()
    raw = (prepared_corpus.parent / "raw" / "python.jsonl").read_text().splitlines()
    (text / "train.jsonl").write_text("".join(json.dumps({"text": json.loads(r)["content"]}) + "\n" for r in raw))
    config = with_torchtitan_components(job, dataset_path=str(text), dump_folder=str(tmp_path / "baseline"))

    assert config.model_spec is job.model_spec and config.training == job.training
    assert (
        type(config.dataloader).__name__ == "Config"
        and "HuggingFaceTextDataLoader" in type(config.dataloader).__qualname__
    )
    previous = ensure_distributed_env()
    try:
        trainer = config.build()
        try:
            trainer.train()
            assert trainer.step == 3
            assert sum(p.numel() for p in trainer.model_parts[0].parameters()) == run_dir.load_run().model.params
        finally:
            trainer.close()
    finally:
        _shutdown_distributed()
        restore_env(previous)
        gc.enable()
    assert not (run_dir.path / "metrics.jsonl").exists() and not (run_dir.path / "checkpoints").exists()
