"""From a parameter count to a LLaMA-2-style decoder shape, and parameter counts of a shape.

The architecture is the paper's: pre-norm decoder blocks with multi-head attention (as many key/value heads as
query heads), RoPE, RMSNorm and a SwiGLU feed-forward; untied input embedding and output head; no biases.

Parameters of a shape (``V`` vocabulary, ``d`` width, ``h`` SwiGLU hidden size, ``L`` layers)::

    per block       4·d² (wq, wk, wv, wo) + 3·d·h (w1, w2, w3) + 2·d (two RMSNorms)
    non-embedding   L · per block + d (final RMSNorm)
    total           non-embedding + 2·V·d (embedding + output head)

The solver's rule, for a target count N (of the kind ``params_counted`` names):

1. head size: 16 for d < 128, 32 for d < 512, 64 for d < 2048, else 128; ``d`` is a multiple of it, heads = d / head size;
2. SwiGLU hidden size: ``int(8·d/3)`` rounded up to a multiple of 16 (d < 256), 64 (d < 1024) or 256;
3. preferred aspect ratio d / L: 32 below 20M parameters, 64 below 1B, 128 from 1B (GPT-3 / LLaMA-2 practice);
4. for every depth L = 1..160, take the width (a multiple of the head size) whose count is nearest N; keep the
   depths whose count is within 2 % of N (or, if none is, the nearest ones), and among those pick the depth whose
   aspect ratio is nearest the preferred one in log space.

The rule is deterministic: the same target and vocabulary always give the same shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Shape:
    n_layers: int
    dim: int
    n_heads: int
    ffn_dim: int

    def params_non_embedding(self) -> int:
        d, h = self.dim, self.ffn_dim
        return self.n_layers * (4 * d * d + 3 * d * h + 2 * d) + d

    def params(self, vocab_size: int) -> int:
        return self.params_non_embedding() + 2 * vocab_size * self.dim

    def counted(self, vocab_size: int, kind: str) -> int:
        return self.params(vocab_size) if kind == "total" else self.params_non_embedding()


def head_size(dim: float) -> int:
    if dim < 128:
        return 16
    if dim < 512:
        return 32
    if dim < 2048:
        return 64
    return 128


def ffn_dim_for(dim: int) -> int:
    """LLaMA's SwiGLU hidden size: 2/3 of 4·d, rounded up to a hardware-friendly multiple."""
    multiple_of = 16 if dim < 256 else 64 if dim < 1024 else 256
    hidden = int(8 * dim / 3)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def preferred_aspect(params: float) -> float:
    if params < 2e7:
        return 32.0
    if params < 1e9:
        return 64.0
    return 128.0


def _shape(n_layers: int, dim: int) -> Shape:
    return Shape(n_layers=n_layers, dim=dim, n_heads=dim // head_size(dim), ffn_dim=ffn_dim_for(dim))


@lru_cache(maxsize=4096)
def solve(target: float, vocab_size: int, counted: str = "non_embedding") -> Shape:
    """The shape whose parameter count (of kind ``counted``) best matches ``target`` by the rule above."""
    candidates: list[tuple[float, Shape]] = []
    for n_layers in range(1, 161):
        # width for this depth if the count were 12·L·d² (+ 2·V·d), then the nearest multiples of the head size
        a = 12.0 * n_layers
        b = 2.0 * vocab_size if counted == "total" else 0.0
        width = (-b + math.sqrt(b * b + 4 * a * target)) / (2 * a)
        if width < 8:
            break
        quantum = head_size(width)
        best: tuple[float, Shape] | None = None
        for dim in {max(quantum, quantum * math.floor(width / quantum)), quantum * math.ceil(width / quantum)}:
            shape = _shape(n_layers, dim)
            error = abs(math.log(shape.counted(vocab_size, counted) / target))
            if best is None or error < best[0]:
                best = (error, shape)
        assert best is not None
        candidates.append(best)
    if not candidates:
        candidates.append((0.0, _shape(1, 16)))
    nearest = min(err for err, _ in candidates)
    tolerance = max(math.log(1.02), nearest + 1e-12)
    aspect = preferred_aspect(target)
    close = [shape for err, shape in candidates if err <= tolerance]
    return min(close, key=lambda s: (abs(math.log(s.dim / s.n_layers / aspect)), s.n_layers))
