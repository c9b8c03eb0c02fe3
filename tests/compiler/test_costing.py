"""FLOPs per token (Chinchilla appendix F, ×3 for training) and GPU-hours."""

from codescale.compiler.costing import ACCELERATORS, forward_flops_per_token, gpu_hours, training_flops_per_token
from codescale.compiler.shapes import Shape


def test_forward_flops_follow_the_chinchilla_count():
    shape = Shape(n_layers=2, dim=64, n_heads=4, ffn_dim=176)
    d, h, s, v = 64, 176, 128, 1000
    per_layer = 6 * d * d + 2 * s * d + 3 * 4 * s + 2 * s * d + 2 * d * d + 6 * d * h
    assert forward_flops_per_token(shape, v, s) == 2 * per_layer + 2 * d * v
    assert training_flops_per_token(shape, v, s) == 3 * (2 * per_layer + 2 * d * v)


def test_exact_count_approaches_6n_for_large_models_at_short_context():
    shape = Shape(n_layers=32, dim=4096, n_heads=32, ffn_dim=11008)
    ratio = training_flops_per_token(shape, 32000, 128) / (6 * shape.params(32000) - 6 * 32000 * 4096)
    assert 1.0 < ratio < 1.02


def test_gpu_hours_divide_flops_by_peak_times_mfu():
    h800 = ACCELERATORS["H800"]
    assert gpu_hours(989e12 * 0.5 * 3600, h800.peak_flops, 0.5) == 1.0
    assert h800.supports_float8 and ACCELERATORS["H100"].supports_float8
    assert not ACCELERATORS["A100"].supports_float8 and not ACCELERATORS["cpu"].supports_float8
