"""Every job of specs/paper/ dry-built on the meta device, the way a GPU node would start it — without a GPU.

Each study is compiled (``plan_spec`` + ``write_plan``); for every distinct job (runs that differ only in data, lr
or length share one) the job function is loaded from jobs.py by the runner's own loader
(``codescale.titan_runner.train.load_job_config``) and put through the checks torchtitan's ``Trainer.__init__``
makes before it touches a device:

- ``Trainer.Config.__post_init__`` (CUDA graphs, pipeline and checkpointing rules), run again on the loaded config;
- ``ParallelDims.from_config`` for the planned world size (the degrees multiply to it);
- ``model_config.update_from_config`` (sequence length against RoPE, tensor-parallel heads);
- the batch rule the Trainer asserts inline (global batch = local batch × data-parallel degree × accumulation);
- the model built on the meta device, ``verify_module_protocol()``, and torchtitan's own parameter count
  (``get_nparams_and_flops``) against ``run.json``; each distinct model is built once.

Then the memory model's verdict: every paper run fits its 8 × 80 GB node, and where the spec leaves the micro-batch
open the compiler took the largest divisor of the per-device share that fits.

torchtitan's trainer module needs the CPU shims of ``codescale.titan_runner.cpu_compat`` to import here (no triton);
nothing of the GPU config is adapted (``adapt_config`` is not called), so flex attention and float8 stay as the
cluster would run them (float8 layers are built in emulation, which changes no parameter).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from codescale.compiler.memory import Layout, estimate_run
from codescale.compiler.plan import plan_spec
from codescale.compiler.render import write_plan

ROOT = Path(__file__).resolve().parents[2]
PAPER = sorted(p for p in (ROOT / "specs/paper").glob("*.yaml") if re.search(r"^study:", p.read_text(), re.M))

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("torchtitan") is None,
    reason="torchtitan is not installed (pip install -r requirements-workspace.txt)",
)


def _job_signature(run):
    """What a run's Trainer.Config depends on besides data, paths, learning rate and length."""
    t = run.training
    return (
        run.model.model_dump_json(),
        t.seq_len,
        t.local_batch_size,
        t.global_batch_size,
        run.parallelism.model_dump_json(),
        run.float8,
        run.compile,
        run.activation_checkpointing,
    )


@pytest.fixture(scope="module")
def paper_plans(tmp_path_factory):
    plans = {}
    for spec in PAPER:
        out = tmp_path_factory.mktemp(spec.stem)
        plan = plan_spec(spec, out_dir=out)
        write_plan(plan, out)
        plans[spec.stem] = plan
    return plans


@pytest.fixture(scope="module")
def dry_built(paper_plans):
    """{signature: (representative run, what torchtitan's checks found)} for every distinct paper job."""
    from codescale.titan_runner import cpu_compat

    cpu_compat.apply()  # torchtitan.trainer imports triton-only kernels; nothing else of the CPU path is used
    import torch
    from torchtitan.distributed import ParallelDims
    from torchtitan.trainer import Trainer

    from codescale.titan_runner.rundir import RunDir
    from codescale.titan_runner.train import load_job_config

    jobs, models = {}, {}
    for plan in paper_plans.values():
        for run in plan.runs:
            signature = _job_signature(run)
            if signature in jobs:
                continue
            config = load_job_config(run, RunDir(run.paths.run_dir))
            assert isinstance(config, Trainer.Config)
            config.__post_init__()
            dims = ParallelDims.from_config(config.parallelism, run.parallelism.world_size)
            batch_degree = dims.dp_replicate * dims.dp_shard
            t = config.training
            assert t.global_batch_size % (t.local_batch_size * batch_degree) == 0, run.run_id
            model_config = config.model_spec.model
            model_config.update_from_config(config=config)
            model_key = (run.model.model_dump_json(), run.float8)
            if model_key not in models:
                with torch.device("meta"):
                    model = model_config.build()
                model.verify_module_protocol()
                params, _ = model_config.get_nparams_and_flops(model, t.seq_len)
                float8_layers = sum(type(m).__name__ == "Float8Linear" for m in model.modules())
                models[model_key] = (params, float8_layers)
                del model
            params, float8_layers = models[model_key]
            jobs[signature] = (
                run,
                {
                    "params": params,
                    "float8_layers": float8_layers,
                    "accumulation": t.global_batch_size // (t.local_batch_size * batch_degree),
                    "dp_shard": dims.dp_shard,
                },
            )
    return jobs


def test_every_paper_study_is_dry_built(paper_plans, dry_built):
    assert set(paper_plans) == {"allocation", "pairing", "per_language", "synergy"}
    assert sum(len(p.runs) for p in paper_plans.values()) == 420 + 45 + 28 + 2
    runs = [run for plan in paper_plans.values() for run in plan.runs]
    assert {_job_signature(run) for run in runs} == set(dry_built)


def test_parameter_counts_of_the_built_models_match_the_plan(dry_built):
    for run, found in dry_built.values():
        assert found["params"] == run.model.params, run.run_id


def test_float8_runs_build_float8_linears(dry_built):
    for run, found in dry_built.values():
        assert (found["float8_layers"] > 0) == run.float8, run.run_id


def test_the_built_batch_keeps_the_planned_global_batch(dry_built):
    for run, found in dry_built.values():
        t = run.training
        assert found["dp_shard"] == run.parallelism.dp_shard
        assert t.local_batch_size * found["accumulation"] * run.parallelism.world_size == t.global_batch_size


def test_every_paper_run_fits_eight_80gb_gpus_per_node(paper_plans):
    for plan in paper_plans.values():
        for run in plan.runs:
            estimate = estimate_run(run)
            assert run.cluster.gpu == "H800" and run.cluster.gpus_per_node == 8
            assert estimate.device_memory is not None and estimate.device_memory >= 79 * 2**30
            assert estimate.fits, (run.run_id, estimate.describe())


def test_an_open_micro_batch_is_the_largest_divisor_that_fits(paper_plans):
    open_runs = paper_plans["per_language"].runs  # per_language.yaml leaves training.micro_batch_size open
    for run in open_runs:
        layout = Layout.of_run(run)
        per_device = run.training.global_batch_size // run.parallelism.world_size
        larger = [m for m in range(run.training.local_batch_size + 1, per_device + 1) if per_device % m == 0]
        assert per_device % run.training.local_batch_size == 0
        assert not any(layout.estimate(m).fits for m in larger), run.run_id
    by_size = {run.model.size_label: run.training.local_batch_size for run in open_runs}
    assert by_size["0.1B"] == 32 and by_size["1.6B"] == 32 and by_size["3.1B"] == 16  # of 32, 64 and 128 per GPU
