"""pass@k: the unbiased estimator of Chen et al. (2021, "Evaluating Large Language Models Trained on Code").

For a task with ``n`` samples of which ``c`` pass, the probability that at least one of ``k`` samples drawn without
replacement passes is ``1 - C(n - c, k) / C(n, k)``, computed stably as ``1 - prod_{i=n-c+1}^{n} (1 - k / i)``
(and 1 when ``n - c < k``). A suite's pass@k is the mean over its tasks, per language (or per translation
direction). Estimating pass@k needs ``n >= k`` samples of every task. Nothing here imports torch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codescale.core.errors import CodescaleError


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimate of one task with ``n`` samples, ``c`` of them correct."""
    if n < 1 or not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n and n >= 1, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass@{k} needs at least {k} samples per task, got n={n}")
    if n - c < k:
        return 1.0
    miss = 1.0
    for i in range(n - c + 1, n + 1):
        miss *= 1.0 - k / i
    return 1.0 - miss


@dataclass(frozen=True)
class TaskResult:
    """How one task went: ``passed`` of ``n`` samples passed."""

    task: str
    group: str
    """The language written, or the translation direction (``python->java``)."""
    n: int
    passed: int


def check_ks(ks: Sequence[int], n: int) -> list[int]:
    """The k values, sorted and unique; every one must be between 1 and n (a CodescaleError names the fix)."""
    wanted = sorted(set(int(k) for k in ks))
    if not wanted or wanted[0] < 1:
        raise CodescaleError(f"--k values must be positive integers, got {list(ks)}")
    if wanted[-1] > n:
        raise CodescaleError(
            f"pass@{wanted[-1]} needs at least {wanted[-1]} samples per task, but --n is {n}",
            hint=f"raise --n to {wanted[-1]} or more, or drop k={wanted[-1]}",
        )
    return wanted


def suite_pass_at_k(results: Iterable[TaskResult], ks: Sequence[int]) -> dict[str, dict[int, float]]:
    """``{group: {k: mean pass@k over the group's tasks}}`` (k larger than a group's smallest n is left out)."""
    by_group: dict[str, list[TaskResult]] = {}
    for result in results:
        by_group.setdefault(result.group, []).append(result)
    scores: dict[str, dict[int, float]] = {}
    for group, tasks in by_group.items():
        smallest = min(t.n for t in tasks)
        scores[group] = {
            k: sum(pass_at_k(t.n, t.passed, k) for t in tasks) / len(tasks) for k in sorted(set(ks)) if k <= smallest
        }
    return scores
