"""pass@k: the estimator against its combinatorial definition, and the per-language aggregation."""

from __future__ import annotations

from math import comb

import pytest

from codescale.core.errors import CodescaleError
from codescale.titan_runner.evals.passk import TaskResult, check_ks, pass_at_k, suite_pass_at_k


@pytest.mark.parametrize("n", [1, 2, 5, 10, 20])
def test_the_estimator_equals_one_minus_the_binomial_ratio(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            exact = 1.0 - comb(n - c, k) / comb(n, k)
            assert pass_at_k(n, c, k) == pytest.approx(exact, abs=1e-12)


def test_pass_at_1_is_the_fraction_that_passed_and_edge_cases_hold():
    assert pass_at_k(20, 3, 1) == pytest.approx(0.15)
    assert pass_at_k(10, 0, 10) == 0.0
    assert pass_at_k(10, 1, 10) == 1.0
    with pytest.raises(ValueError):
        pass_at_k(5, 1, 6)
    with pytest.raises(ValueError):
        pass_at_k(5, 6, 1)


def test_a_suite_score_is_the_mean_over_tasks_per_language():
    results = [TaskResult("a", "python", 4, 4), TaskResult("b", "python", 4, 0), TaskResult("a", "java", 4, 1)]
    scores = suite_pass_at_k(results, [1, 2])
    assert scores["python"] == {1: pytest.approx(0.5), 2: pytest.approx(0.5)}
    assert scores["java"] == {1: pytest.approx(0.25), 2: pytest.approx(0.5)}


def test_k_larger_than_n_is_refused_with_the_fix():
    assert check_ks([10, 1, 1], 20) == [1, 10]
    with pytest.raises(CodescaleError, match="raise --n to 10"):
        check_ks([1, 10], 5)
