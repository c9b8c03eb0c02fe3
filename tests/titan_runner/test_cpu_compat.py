"""The CPU compatibility layer, on a compiled job's real Trainer.Config (no training)."""

from __future__ import annotations

import importlib.util
import sys

import pytest
import torch
from titan_testing import make_run

from codescale.titan_runner import cpu_compat
from codescale.titan_runner.rundir import RunDir
from codescale.titan_runner.train import load_job_config

pytestmark = pytest.mark.skipif(torch.cuda.is_available(), reason="checks what is patched without CUDA")


def test_apply_makes_torchtitan_target_the_cpu_without_faking_triton():
    cpu_compat.apply()
    import torchtitan.distributed.utils as dist_utils
    import torchtitan.tools.utils as titan_utils
    import torchtitan.trainer  # noqa: F401  (importable at all is the point)

    assert titan_utils.device_type == "cpu" == dist_utils.device_type
    assert titan_utils.device_module.get_device_properties().total_memory > 0
    assert "peak" in " ".join(titan_utils.device_module.memory_stats())
    assert importlib.util.find_spec("triton") is None and "triton" not in sys.modules
    assert callable(torch.distributed.set_timeout)


def test_a_job_loaded_on_the_cpu_is_adapted_by_its_own_function(tmp_path, prepared_corpus, monkeypatch):
    from torchtitan.components.quantization.float8 import Float8Linear
    from torchtitan.models.common.attention import FlexAttention, ScaledDotProductAttention

    cpu_compat.apply()
    run_dir = RunDir(make_run(tmp_path, prepared_corpus, float8=True))
    config = load_job_config(run_dir.load_run(), run_dir)
    model = config.model_spec.model
    assert not list(model.traverse(FlexAttention.Config))
    assert list(model.traverse(ScaledDotProductAttention.Config))
    layers = [layer for _, layer, _, _ in model.traverse(Float8Linear.Config)]
    assert layers and all(layer._torchao_config.emulate for layer in layers)
    assert config.parallelism.spmd_backend == "partial_dtensor"
    assert config.checkpoint.last_save_model_only is False
    assert config.model_spec.parallelize_fn._codescale_sum_reduction  # gloo has no PREMUL_SUM

    monkeypatch.setattr(cpu_compat, "cuda_available", lambda: True)  # what the same function returns on a GPU
    on_gpu = load_job_config(run_dir.load_run(), run_dir)
    assert list(on_gpu.model_spec.model.traverse(FlexAttention.Config))
    assert on_gpu.parallelism.spmd_backend != "partial_dtensor"
    assert not getattr(on_gpu.model_spec.parallelize_fn, "_codescale_sum_reduction", False)


def test_a_one_process_run_skips_torchtitans_wait_for_other_ranks(monkeypatch):
    import time

    import torchtitan.trainer as titan_trainer

    cpu_compat.skip_rank_wait()
    cpu_compat.skip_rank_wait()  # idempotent: wrapped once
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    assert not torch.distributed.is_initialized()
    titan_trainer.time.sleep(2)  # the end of Trainer.train on rank 0
    assert slept == []
    assert titan_trainer.time.perf_counter is time.perf_counter  # the rest is the real module
    monkeypatch.setattr(torch.distributed, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.distributed, "get_world_size", lambda group=None: 2)
    titan_trainer.time.sleep(2)  # with other ranks it still waits for them
    assert slept == [2]
