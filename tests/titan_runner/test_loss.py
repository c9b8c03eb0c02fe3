"""LanguageCrossEntropy: torchtitan's loss value, per-language sums on the device, and the CUDA-graph contract.

There is no GPU here, so the graph path is checked as far as the CPU allows: the loss is traced once (as a CUDA graph
is captured once) and the trace is replayed on new inputs with the same buffers; the sums must come out as the eager
calls make them, which only holds if nothing per call depends on Python state, host copies or tensor values. A trace
in fake-tensor mode additionally fails on any host synchronisation (``.item()``, ``bool(tensor)``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as nn
from torch.fx.experimental.proxy_tensor import make_fx

from codescale.titan_runner import cpu_compat

cpu_compat.apply()

from torchtitan.components.loss import ChunkedLossWrapper, CrossEntropyLoss  # noqa: E402

from codescale.titan_runner.loss import (  # noqa: E402
    LanguageCrossEntropy,
    decode_language_labels,
    encode_language_labels,
)

VOCAB, LANGUAGES = 50, ["python", "java", "go"]


def _batch(seed: int, batch: int = 3, length: int = 8):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(0, VOCAB, (batch, length), generator=g)
    languages = torch.randint(0, len(LANGUAGES), (batch, length), generator=g)
    tokens[0, :2] = -100  # ignored labels
    languages[0, :2] = -1
    labels = torch.from_numpy(encode_language_labels(tokens.numpy(), languages.numpy(), VOCAB))
    logits = torch.randn(batch, length, VOCAB, generator=g, requires_grad=True)
    return tokens, languages, labels, logits


def _expected_sums(tokens, languages, logits):
    per_token = (
        torch.nn.functional.cross_entropy(logits.flatten(0, 1), tokens.flatten(), reduction="none", ignore_index=-100)
        .detach()
        .double()
    )
    sums = torch.zeros(2, len(LANGUAGES), dtype=torch.float64)
    for lang in range(len(LANGUAGES)):
        mask = languages.flatten() == lang
        sums[0, lang], sums[1, lang] = per_token[mask].sum(), mask.sum()
    return sums


def _loss() -> LanguageCrossEntropy:
    return LanguageCrossEntropy.Config(global_vocab_size=VOCAB, languages=LANGUAGES).build()


def test_labels_carry_the_language_and_decode_back():
    tokens, languages, labels, _ = _batch(0)
    decoded_tokens, decoded_languages = decode_language_labels(labels, VOCAB)
    assert torch.equal(decoded_tokens, tokens) and torch.equal(decoded_languages, languages)
    plain_tokens, plain_languages = decode_language_labels(tokens, VOCAB)  # evaluation labels: plain token ids
    assert torch.equal(plain_tokens, tokens)


def test_a_counted_label_without_a_language_is_refused():
    with pytest.raises(ValueError, match="no language"):
        encode_language_labels(np.array([[3, 4]]), np.array([[0, -1]]), VOCAB)


def test_the_loss_is_torchtitans_and_the_sums_are_per_language():
    tokens, languages, labels, logits = _batch(1)
    gvt = (tokens != -100).sum()
    loss_fn = _loss()
    ours, _ = loss_fn(logits, labels, gvt)
    theirs, _ = CrossEntropyLoss.Config(global_vocab_size=VOCAB).build()(logits, tokens, gvt)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-6)
    assert torch.allclose(loss_fn.language_sums(), _expected_sums(tokens, languages, logits))

    loss_fn.reset_language_sums()
    with torch.no_grad():  # evaluation never adds to the training sums
        loss_fn(logits.detach(), tokens)
    assert torch.count_nonzero(loss_fn.language_sums()) == 0


def test_inside_torchtitans_chunked_loss_the_sums_cover_every_chunk():
    tokens, languages, labels, _ = _batch(2)
    dim = 16
    head = nn.Linear(dim, VOCAB, bias=False)
    hidden = torch.randn(3, 8, dim, requires_grad=True)
    chunked = ChunkedLossWrapper.Config(
        num_chunks=4, loss_fn=LanguageCrossEntropy.Config(global_vocab_size=VOCAB, languages=LANGUAGES)
    ).build()
    chunked.set_lm_head(head)
    loss, _ = chunked(hidden, labels, (tokens != -100).sum())
    loss.backward()
    logits = head(hidden).detach().requires_grad_(True)
    assert torch.allclose(chunked.loss_fn.language_sums(), _expected_sums(tokens, languages, logits), rtol=1e-5)


def test_a_trace_replayed_on_new_batches_accumulates_like_eager_calls():
    """The CUDA-graph model: capture once, then replay with new inputs copied into place; Python does not run."""
    loss_fn = _loss()
    warmup_tokens, _, warmup_labels, warmup_logits = _batch(10)
    loss_fn(warmup_logits, warmup_labels, (warmup_tokens != -100).sum())  # the eager warm-up allocates the sums
    loss_fn.reset_language_sums()

    def step(logits, labels, gvt):
        loss, _ = loss_fn(logits, labels, gvt)
        return loss

    _, _, labels, logits = _batch(11)
    graph = make_fx(step)(logits, labels, torch.tensor(1))
    loss_fn.reset_language_sums()  # tracing ran the ops once for real

    expected = torch.zeros(2, len(LANGUAGES), dtype=torch.float64)
    for seed in (12, 13, 14):
        tokens, languages, labels, logits = _batch(seed)
        graph(logits, labels, (tokens != -100).sum())
        expected += _expected_sums(tokens, languages, logits)
    assert torch.allclose(loss_fn.language_sums(), expected)


def test_the_step_has_no_host_synchronisation():
    """Fake tensors have no values: a .item(), a bool(tensor) or a value-dependent branch would fail to trace."""
    loss_fn = _loss()

    def step(logits, labels, gvt, sums, counts):
        loss_fn.loss_sums, loss_fn.token_counts = sums, counts
        loss, _ = loss_fn(logits, labels, gvt)
        return loss

    tokens, _, labels, logits = _batch(20)
    sums = torch.zeros(len(LANGUAGES), dtype=torch.float64)
    graph = make_fx(step, tracing_mode="fake")(logits, labels, (tokens != -100).sum(), sums, sums.clone())
    targets = {str(node.target) for node in graph.graph.nodes if node.op == "call_function"}
    assert "aten.index_add_.default" in targets
    assert not any("_local_scalar_dense" in t or t.startswith("aten.item") for t in targets)
