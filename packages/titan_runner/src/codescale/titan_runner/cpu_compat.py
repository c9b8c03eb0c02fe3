"""What it takes to run torchtitan 0.3's real ``Trainer`` on this torch and, without CUDA, on the CPU.

torchtitan 0.3 targets torch 2.14 on NVIDIA/AMD GPUs. Nothing here replaces a torchtitan component; each patch
removes one obstacle and is applied once, before the Trainer or a job module is imported (:func:`apply`), or to a
``Trainer.Config`` before it is built (:func:`adapt_config`). On a GPU only the version shim is applied, and
FlexAttention, real float8 and NCCL are used as the job config says.

Always (version shim):
  - ``torch.distributed.set_timeout`` is public from torch 2.14; on 2.13 it is the private ``_set_pg_timeout`` with
    the same signature. The Trainer calls it after the first step.

Without CUDA (:func:`apply`):
  - ``torchtitan.distributed.minimal_async_ep.kernels`` imports triton at import time (it is only used by MoE expert
    parallelism, which a dense llama3 never reaches). We put an inert module under that name, whose kernels raise if
    ever called, rather than faking triton itself: inductor and torchao check ``find_spec("triton")`` and must keep
    seeing that there is none.
  - ``torchtitan.tools.utils`` chooses ``device_type = <accelerator> or "cuda"`` at import time and several modules
    bind ``device_type``/``device_module`` by name. We set ``"cpu"`` (which makes the process group gloo) and a
    device module that adds what the memory monitor and barriers call and ``torch.cpu`` lacks
    (``get_device_name``, ``get_device_properties``, ``memory_stats``, ``reset_peak_memory_stats``,
    ``empty_cache``), in ``torchtitan.tools.utils`` and in every torchtitan module already imported.
  - ``Float8LinearConverter`` refuses hardware float8 off SM89+ GPUs; on the CPU it is built in emulation (same
    numerics as scaled float8 casts, matmuls in high precision) and never with a compiled model.

Without CUDA (:func:`adapt_config`, on the job's ``Trainer.Config``):
  - FlexAttention has no backward on the CPU: every ``FlexAttention.Config`` in the model becomes
    ``ScaledDotProductAttention.Config()``. Plain causal SDPA ignores packed-document boundaries, so CPU losses are
    not bit-comparable with GPU ones; the GPU keeps flex with the per-document mask.
  - ``parallelism.spmd_backend = "partial_dtensor"``: the default ``spmd_types`` backend fails FSDP through the
    Trainer on torch 2.13 ("all parameters must be DTensors on the full SPMD mesh").
  - float8 emulation (see above) also for float8 layers already converted in the config, and model compilation off
    when any are present (emulation does not compile).

Without CUDA (also :func:`adapt_config`): gloo has no ``ReduceOp.PREMUL_SUM``, which FSDP2 uses when torchtitan sets
the gradient divide factor to 1 (it normalises by the global token count itself). The model spec's
``parallelize_fn`` is wrapped so that, right after torchtitan parallelises the model, every FSDP module reduces with
plain SUM (:func:`force_sum_reduction`): the same math, and nothing to patch once the Trainer is built.

Where it is applied. A compiled ``jobs.py`` calls :func:`apply` when it is imported (before it imports
``torchtitan.trainer``) and returns ``adapt_config(config)`` from every job function, so the job is complete for the
machine it is loaded on and runs as it is: ``codescale train`` builds it with torchtitan's stock ``Trainer``. On a
CPU, torchtitan's own entry point imports ``torchtitan.trainer`` before it loads any job module, which needs
:func:`apply` first: ``python -m codescale.titan_runner.titan_train`` is ``python -m torchtitan.train`` with it.

One process (everywhere, :func:`skip_rank_wait`, once the Trainer is built): at the end of ``Trainer.train`` rank 0
sleeps 2 s "for other ranks to complete". A one-process run has no other rank, and the demo's and the tests' runs
are short, so those 2 s were a fifth of a small run's wall time. ``torchtitan.trainer`` gets a ``time`` whose
``sleep`` waits only when the process group has more than one rank; everything else is the real ``time`` module.

Checkpoint policy (everywhere): the final checkpoint keeps the full training state
(``checkpoint.last_save_model_only = False``) so a run killed after its last save still resumes as "finished" and not
as a fresh run from a weights-only checkpoint.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
import types
from typing import Any

import torch

log = logging.getLogger(__name__)

_KERNELS_MODULE = "torchtitan.distributed.minimal_async_ep.kernels"
_applied = False


def cuda_available() -> bool:
    return torch.cuda.is_available()


def apply() -> None:
    """Patch torch/torchtitan for this machine; idempotent. Call before importing ``torchtitan.trainer``."""
    global _applied
    if _applied:
        return
    _shim_set_timeout()
    if not cuda_available():
        _stub_triton_kernels()
        _use_cpu_device()
        _float8_emulation_on_cpu()
    _applied = True


class _RankWaitTime:
    """The ``time`` module for ``torchtitan.trainer``, with a ``sleep`` that waits only for other ranks."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            time.sleep(seconds)


def skip_rank_wait() -> None:
    """Drop torchtitan's end-of-training wait for other ranks in a one-process run (see the module docstring)."""
    import torchtitan.trainer as titan_trainer

    if not isinstance(titan_trainer.time, _RankWaitTime):
        titan_trainer.time = _RankWaitTime()


def _shim_set_timeout() -> None:
    import torch.distributed as dist

    if not hasattr(dist, "set_timeout") and hasattr(dist.distributed_c10d, "_set_pg_timeout"):
        setattr(dist, "set_timeout", dist.distributed_c10d._set_pg_timeout)  # noqa: B010 (a module patch)


def _stub_triton_kernels() -> None:
    if _KERNELS_MODULE in sys.modules:
        return
    try:
        import triton  # noqa: F401  (a real triton: nothing to stub)

        return
    except ImportError:
        pass
    stub = types.ModuleType(_KERNELS_MODULE, "Inert stand-in: MoE expert-parallel triton kernels need a GPU.")

    def _kernel(name: str):
        def unavailable(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError(f"{name}: MoE expert parallelism needs triton and a GPU; this machine has neither")

        unavailable.__name__ = name
        return unavailable

    def module_getattr(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _kernel(name)

    stub.__getattr__ = module_getattr  # type: ignore[method-assign]
    sys.modules[_KERNELS_MODULE] = stub


class CpuDeviceModule:
    """``torch.cpu`` plus the accelerator calls torchtitan's memory monitor, barriers and device setup make."""

    def __getattr__(self, name: str) -> Any:
        return getattr(torch.cpu, name)

    def get_device_name(self, device: Any = None) -> str:
        import platform

        return platform.processor() or platform.machine() or "cpu"

    def get_device_properties(self, device: Any = None) -> Any:
        import os

        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            total = 0
        return types.SimpleNamespace(name=self.get_device_name(), total_memory=total or 1)

    def memory_stats(self, device: Any = None) -> dict[str, int]:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
        return {"active_bytes.all.peak": peak, "reserved_bytes.all.peak": peak, "num_alloc_retries": 0, "num_ooms": 0}

    def reset_peak_memory_stats(self, device: Any = None) -> None:
        return None

    def empty_cache(self) -> None:
        return None

    def current_device(self) -> int:
        return 0

    def device_count(self) -> int:
        return 1

    def set_device(self, device: Any) -> None:
        return None

    def synchronize(self, device: Any = None) -> None:
        return None


def _use_cpu_device() -> None:
    import torchtitan.tools.utils as titan_utils

    old_type, old_module = titan_utils.device_type, titan_utils.device_module
    cpu_module = CpuDeviceModule()
    titan_utils.device_type, titan_utils.device_module = "cpu", cpu_module
    # Modules imported before us bound the old values by name.
    for name, module in list(sys.modules.items()):
        if not name.startswith("torchtitan.") or module is None or module is titan_utils:
            continue
        if getattr(module, "device_type", None) == old_type and "device_type" in vars(module):
            setattr(module, "device_type", "cpu")  # noqa: B010 (an attribute only some modules have)
        if "device_module" in vars(module) and getattr(module, "device_module", None) is old_module:
            setattr(module, "device_module", cpu_module)  # noqa: B010


def _float8_emulation_on_cpu() -> None:
    from torchtitan.components.quantization.float8 import Float8LinearConverter

    original_init = Float8LinearConverter.__init__
    if getattr(original_init, "_codescale_cpu", False):
        return

    def __init__(self, config):  # noqa: N807
        if not config.emulate or config.model_compile_enabled:
            log.warning("float8 on the CPU: using torchao emulation (no hardware float8, no compiled model)")
            config = dataclasses.replace(config, emulate=True, model_compile_enabled=False)
        original_init(self, config)

    __init__._codescale_cpu = True  # type: ignore[attr-defined]
    Float8LinearConverter.__init__ = __init__


def adapt_config(config: Any) -> Any:
    """Make a job's ``Trainer.Config`` runnable here (in place; returned for chaining). See the module docstring."""
    config.checkpoint.last_save_model_only = False
    if cuda_available():
        return config
    model = config.model_spec.model
    _swap_flex_for_sdpa(model)
    has_float8 = _emulate_float8_layers(model)
    if has_float8 and config.compile.enable and "model" in config.compile.components:
        log.warning("float8 emulation does not compile; compiling only the loss")
        config.compile.components = [c for c in config.compile.components if c != "model"]
    config.parallelism.spmd_backend = "partial_dtensor"
    parallelize = config.model_spec.parallelize_fn
    if parallelize is not None and not getattr(parallelize, "_codescale_sum_reduction", False):
        config.model_spec.parallelize_fn = _with_sum_reduction(parallelize)
    return config


def _with_sum_reduction(parallelize: Any) -> Any:
    def parallelize_with_sum_reduction(model: Any, **kwargs: Any) -> Any:
        model = parallelize(model, **kwargs)
        force_sum_reduction([model])
        return model

    parallelize_with_sum_reduction._codescale_sum_reduction = True  # type: ignore[attr-defined]
    parallelize_with_sum_reduction.__qualname__ = f"{parallelize.__qualname__} + force_sum_reduction"
    return parallelize_with_sum_reduction


def _replace(parent: Any, attr: Any, new: Any) -> None:
    if isinstance(parent, list):
        parent[attr] = new
    else:
        setattr(parent, attr, new)


def _swap_flex_for_sdpa(model_config: Any) -> int:
    from torchtitan.models.common.attention import FlexAttention, ScaledDotProductAttention

    swapped = 0
    for _, _, parent, attr in list(model_config.traverse(FlexAttention.Config)):
        if parent is not None:
            _replace(parent, attr, ScaledDotProductAttention.Config())
            swapped += 1
    return swapped


def _emulate_float8_layers(model_config: Any) -> bool:
    from torchtitan.components.quantization.float8 import Float8Linear

    if Float8Linear is None:
        return False
    found = False
    for _, layer, _, _ in list(model_config.traverse(Float8Linear.Config)):
        found = True
        torchao_config = layer._torchao_config
        if torchao_config is not None and not torchao_config.emulate:
            layer._torchao_config = dataclasses.replace(torchao_config, emulate=True)
    return found


def force_sum_reduction(model_parts: list[torch.nn.Module]) -> None:
    """Gloo lacks PREMUL_SUM: make FSDP2 reduce gradients with SUM (torchtitan already divides by the token count)."""
    if cuda_available():
        return
    from torch.distributed.fsdp import FSDPModule

    for model in model_parts:
        for module in model.modules():
            if isinstance(module, FSDPModule):
                module.set_force_sum_reduction_for_comms(True)
