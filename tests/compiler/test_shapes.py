"""The shape solver: targets are met, the rule is deterministic, counts follow the documented formula."""

import pytest

from codescale.compiler.shapes import Shape, ffn_dim_for, solve

PAPER_SIZES = [1e8, 2e8, 4e8, 6e8, 1.1e9, 1.3e9, 1.6e9, 2.0e9, 2.4e9, 3.1e9, 5e8, 1.5e9, 3e9, 7e9, 1.4e10]


@pytest.mark.parametrize("target", PAPER_SIZES)
def test_paper_sizes_are_met_within_two_percent(target):
    shape = solve(target, 32768)
    assert abs(shape.params_non_embedding() / target - 1) <= 0.02
    assert shape.dim % shape.n_heads == 0 and shape.dim // shape.n_heads in (64, 128)
    assert 16 <= shape.dim / shape.n_layers <= 256


def test_tiny_sizes_get_small_heads_and_stay_close():
    for target in (5e4, 1.5e5, 4e5, 1e6):
        shape = solve(target, 2048)
        assert abs(shape.params_non_embedding() / target - 1) < 0.15
        assert shape.dim // shape.n_heads in (16, 32)


def test_total_count_includes_untied_embeddings():
    shape = Shape(n_layers=2, dim=64, n_heads=4, ffn_dim=176)
    assert shape.params_non_embedding() == 2 * (4 * 64 * 64 + 3 * 64 * 176 + 2 * 64) + 64
    assert shape.params(1000) == shape.params_non_embedding() + 2 * 1000 * 64
    total = solve(1e6, 2048, "total")
    assert abs(total.params(2048) / 1e6 - 1) < 0.15


def test_ffn_follows_llama_rounding():
    assert ffn_dim_for(4096) == 11008  # LLaMA-2 7B
    assert ffn_dim_for(2048) == 5632
    assert ffn_dim_for(64) == 176


def test_solver_is_deterministic():
    assert solve(1.1e9, 32768) == solve(1.1e9, 32768) == Shape(17, 2304, 18, 6144)
