"""The memory model's activations (``codescale.compiler.memory``) against torchtitan's real blocks and loss.

A small llama3 is compiled by the real compiler from fixtures/memory/tiny_block.yaml and loaded the way the runner
loads it; torchtitan's own activation-checkpointing policies (none, ``SelectiveAC``, ``FullAC``) are applied to it
and it runs in bf16 (the dtype FSDP's mixed precision gives activations). A dispatch mode records every storage the
model creates and how many bytes are alive after each op:

- the storages one block's forward leaves alive are what autograd and the checkpoint keep for backward: they must
  equal :func:`~codescale.compiler.memory.saved_bytes_per_token_layer` byte for byte;
- the peak over a whole training step (forward, torchtitan's ``ChunkedLossWrapper`` with its chunked head backward,
  then the decoder's backward) must lie under the estimate's activations and logits, and not far under: the model is
  an upper bound.

Two GPU kernels cannot run here, so the test stands in for them (mocks, as narrow as possible):

- **RMSNorm**: on CUDA ``rms_norm`` runs the fused kernel, which keeps its input and an fp32 rstd; on the CPU it is
  decomposed into fp32 element-wise ops that keep more. The norm runs through an autograd function that keeps
  exactly what the CUDA kernel keeps.
- **Attention**: flex attention has no CPU backward, so the blocks use SDPA (the runner's own CPU swap); its CPU flash
  kernel keeps what flex keeps (q, k, v, output, fp32 log-sum-exp per head). torchtitan's per-op SAC saves flex's
  output; it does not list the CPU flash op, which a ``SelectiveAC`` subclass adds through torchtitan's documented
  ``get_save_ops`` hook.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from codescale.compiler.memory import Layout, estimate_run, saved_bytes_per_token_layer
from codescale.compiler.plan import plan_spec
from codescale.compiler.render import write_plan

SPEC = Path(__file__).parent / "fixtures" / "memory" / "tiny_block.yaml"
BATCH = 2

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("torchtitan") is None,
    reason="torchtitan is not installed (pip install -r requirements-workspace.txt)",
)


@pytest.fixture(scope="module")
def titan():
    from codescale.titan_runner import cpu_compat

    cpu_compat.apply()  # before anything imports torchtitan: its trainer imports triton-only kernels


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory, titan):
    out = tmp_path_factory.mktemp("tiny_block")
    plan = plan_spec(SPEC, out_dir=out)
    write_plan(plan, out)
    return {run.activation_checkpointing: run for run in plan.runs}


@pytest.fixture
def fused_norm(monkeypatch, titan):
    """torchtitan's RMSNorm keeping what CUDA's fused kernel keeps (input, fp32 rstd), see the module docstring."""
    import torch
    from torchtitan.models.common.nn_modules import RMSNorm

    class FusedRMSNorm(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, weight, eps):
            rstd = torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps)
            ctx.save_for_backward(x, weight, rstd)
            return (x.float() * rstd).to(x.dtype) * weight

        @staticmethod
        def backward(ctx, grad):
            x, weight, rstd = ctx.saved_tensors
            normed = x.float() * rstd
            grad_normed = grad.float() * weight.float()
            grad_x = rstd * (grad_normed - normed * (grad_normed * normed).mean(-1, keepdim=True))
            grad_weight = (grad.float() * normed).flatten(0, -2).sum(0)
            return grad_x.to(x.dtype), grad_weight.to(weight.dtype), None

    def forward(self, x):
        return FusedRMSNorm.apply(x, self.weight, self.eps or torch.finfo(x.dtype).eps)

    monkeypatch.setattr(RMSNorm, "forward", forward)


def _tiny_model(run):
    """The run's model as the runner builds it (CPU attention swap), materialised in bf16, with its AC policy, and
    its loss as the Trainer sets it up (the chunked loss applies the output head)."""
    import torch
    from torchtitan.distributed.activation_checkpoint import SelectiveAC

    from codescale.titan_runner import cpu_compat
    from codescale.titan_runner.rundir import RunDir
    from codescale.titan_runner.train import load_job_config

    class SelectiveACWithCpuFlash(SelectiveAC):
        def get_save_ops(self):
            return super().get_save_ops() | {torch.ops.aten._scaled_dot_product_flash_attention_for_cpu.default}

    config = cpu_compat.adapt_config(load_job_config(run, RunDir(run.paths.run_dir)))
    with torch.device("meta"):
        model = config.model_spec.model.build()
    model.to_empty(device="cpu")
    model.init_states(buffer_device=torch.device("cpu"))
    for param in model.parameters():  # FSDP's mixed precision casts parameters, not buffers (RoPE stays complex)
        param.data = param.data.to(torch.bfloat16)
    policy = config.activation_checkpoint
    if isinstance(policy, SelectiveAC.Config):
        SelectiveACWithCpuFlash(policy).apply(model)
    elif policy is not None:
        policy.build().apply(model)
    loss = config.loss.build(compile_config=config.compile)
    loss.set_lm_head(model.lm_head)
    model._skip_lm_head = True
    return model, loss


class _Storages:
    """A dispatch mode recording the storages ops create (weakly), and the peak of the bytes alive among them."""

    def __new__(cls, owned):
        import torch
        from torch.multiprocessing.reductions import StorageWeakRef
        from torch.utils._python_dispatch import TorchDispatchMode
        from torch.utils._pytree import tree_flatten

        class Mode(TorchDispatchMode):
            def __init__(self):
                super().__init__()
                self.made, self.peak = [], 0
                self.skip = {StorageWeakRef(t.untyped_storage()).cdata for t in owned}

            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                for t in tree_flatten(out)[0]:
                    if isinstance(t, torch.Tensor):
                        self.made.append((StorageWeakRef(t.untyped_storage()), t.untyped_storage().nbytes()))
                self.made = [(ref, n) for ref, n in self.made if not ref.expired()]
                self.peak = max(self.peak, sum(self.alive().values()))
                return out

            def alive(self):
                return {ref.cdata: n for ref, n in self.made if not ref.expired() and ref.cdata not in self.skip}

        return Mode()


def _kept_bytes_per_token(model, tokens):
    """Bytes the second block keeps from its forward for backward, per token (storages it made that are still
    alive, except its output, plus its input, which every mode keeps)."""
    blocks = list(model.layers.values())
    x = blocks[0](model.tok_embeddings(tokens), None, None)
    track = _Storages([*model.parameters(), *model.buffers()])
    with track:
        out = blocks[1](x, None, None)
    kept = {cdata: n for cdata, n in track.alive().items() if cdata != _storage_id(out)}
    return (sum(kept.values()) + x.untyped_storage().nbytes()) / tokens.numel()


def _storage_id(tensor):
    from torch.multiprocessing.reductions import StorageWeakRef

    return StorageWeakRef(tensor.untyped_storage()).cdata


@pytest.mark.parametrize("mode", ["none", "selective", "full"])
def test_saved_activations_match_torchtitans_blocks(mode, tiny_runs, fused_norm):
    import torch

    run = tiny_runs[mode]
    model, _ = _tiny_model(run)
    tokens = torch.randint(0, run.model.vocab_size, (BATCH, run.training.seq_len))
    measured = _kept_bytes_per_token(model, tokens)
    assert measured == saved_bytes_per_token_layer(Layout.of_run(run).shape, mode)


@pytest.mark.parametrize("mode", ["none", "selective", "full"])
def test_a_training_steps_activation_peak_lies_under_the_estimate(mode, tiny_runs, fused_norm):
    import torch

    run = tiny_runs[mode]
    model, loss_fn = _tiny_model(run)
    for p in model.parameters():  # gradients exist before the step (as after the first one): accumulated in place
        p.grad = torch.zeros_like(p)
    shape = (run.training.local_batch_size, run.training.seq_len)
    tokens, labels = torch.randint(0, run.model.vocab_size, shape), torch.randint(0, run.model.vocab_size, shape)
    track = _Storages([*model.parameters(), *model.buffers(), *(p.grad for p in model.parameters())])
    with track:
        pred = model(tokens)
        loss, _ = loss_fn(pred, labels, torch.tensor(float(labels.numel())))
        del pred
        loss.backward()
    estimate = estimate_run(run)
    modelled = estimate.activations + estimate.logits
    assert track.peak <= modelled <= 1.25 * track.peak, (track.peak, modelled)
