"""Which linear layers of a run train in float8: the spec's ``float8`` switch, its ``float8_layers`` policy, the shape.

The model. A LLaMA block has four kinds of linear layer, identified by the module names torchtitan gives them
(``LAYERS``); the output head is a fifth. Each is a matmul ``[tokens, K] x [K, N]`` with K input and N output
features. Rowwise float8 (torchtitan's default recipe) only pays when both are wide: the casts and scales it adds
cost more than the faster matmul saves on small ones. The gate used here is torchao's own
(``torchao.float8.float8_linear_utils._auto_filter_for_rowwise``, from torchao's H100 benchmarks): a layer is kept in
bf16 when ``N <= 2048``, or ``K <= 1024``, or ``N <= 4096 and K <= 2048``. torchtitan 0.3 names this filter
``auto_filter_small_kn`` but passes it layer *configs* where it expects modules, so it converts nothing; the compiler
applies the same thresholds from the shape instead and hands torchtitan an explicit list of names to skip.

The output head is kept in bf16 by default, as torchtitan's largest llama3 recipe (405B) does, for the precision of
the logits. Both choices are spec fields (``float8_layers.exclude``, ``float8_layers.gate``).

``float8: auto`` trains in float8 when the GPU supports it (SM 8.9+), every dimension is a multiple of 16, and at
least one layer passes the gate; otherwise the run is plain bf16 (at the paper's widths of 832-1280 no layer does).
``float8: true`` insists, and is an error where nothing would be converted.
"""

from __future__ import annotations

from codescale.compiler.costing import Accelerator
from codescale.compiler.shapes import Shape
from codescale.compiler.spec import Spec
from codescale.compiler.validation import Problems

LAYERS = ("attention.qkv_linear.wqkv", "attention.wo", "feed_forward.w1", "feed_forward.w2", "feed_forward.w3")
HEAD = "lm_head"


def layer_widths(shape: Shape, vocab_size: int) -> dict[str, tuple[int, int]]:
    """``{module name: (K in-features, N out-features)}`` of every kind of linear layer (fused q/k/v: N = 3 dim)."""
    d, f = shape.dim, shape.ffn_dim
    return {
        "attention.qkv_linear.wqkv": (d, 3 * d),
        "attention.wo": (d, d),
        "feed_forward.w1": (d, f),
        "feed_forward.w2": (f, d),
        "feed_forward.w3": (d, f),
        HEAD: (d, vocab_size),
    }


def rowwise_float8_pays(k: int, n: int) -> bool:
    """torchao's rowwise thresholds (``_auto_filter_for_rowwise``): below them float8 is slower than bf16 on H100."""
    return not (n <= 2048 or k <= 1024 or (n <= 4096 and k <= 2048))


def resolve_float8(
    spec: Spec, shape: Shape, vocab_size: int, gpu: str, accelerator: Accelerator, problems: Problems
) -> tuple[bool, list[str] | None]:
    """``(float8, names kept in bf16)``; the list is None when the run does not use float8."""
    policy = spec.float8_layers
    widths = layer_widths(shape, vocab_size)
    excluded = []
    for name, (k, n) in widths.items():
        pattern_excluded = any(pattern in name for pattern in policy.exclude)
        too_small = policy.gate == "torchao_rowwise" and not rowwise_float8_pays(k, n)
        if pattern_excluded or too_small or k % 16 or n % 16:
            excluded.append(name)
    converted = [name for name in widths if name not in excluded]
    dims_allow = shape.dim % 16 == 0 and shape.ffn_dim % 16 == 0
    if spec.float8 == "auto":
        use = accelerator.supports_float8 and dims_allow and bool(converted)
    elif spec.float8 is True:
        use = True
        if not accelerator.supports_float8:
            sm = f"SM {accelerator.sm}" if accelerator.sm else "not an NVIDIA GPU"
            problems.add(
                ("float8",), f"float8 needs an SM 8.9+ GPU (H100/H800); {gpu} is {sm}", "use float8: auto or false"
            )
        elif not dims_allow:
            problems.add(
                ("float8",),
                f"float8 needs dim and ffn_dim to be multiples of 16 (dim {shape.dim}, ffn_dim {shape.ffn_dim})",
                "use float8: auto, or a shape with such dimensions",
            )
        elif not converted:
            problems.add(
                ("float8",),
                f"no linear layer of this model (dim {shape.dim}, ffn_dim {shape.ffn_dim}) is "
                "wide enough for rowwise float8 to pay (torchao's thresholds: N > 2048, K > 1024, and not "
                "N <= 4096 with K <= 2048)",
                "use float8: auto (bf16 here), or float8_layers.gate: none to convert them anyway",
            )
    else:
        use = False
    return use, (excluded if use else None)
