"""Generation with the transformers backend on a real exported model (a tiny one: its code is gibberish)."""

from __future__ import annotations

import pytest
import torch

from codescale.core.errors import CodescaleError
from codescale.titan_runner.evals.export import export_checkpoint
from codescale.titan_runner.evals.generate import SamplingSettings, generate_without_cache, make_backend

pytestmark = pytest.mark.slow
PROMPTS = ["def total(values):\n", "public class Util3 {\n"]


@pytest.fixture(scope="module")
def backend(trained_run):
    return make_backend("transformers", export_checkpoint(trained_run).path, batch_size=3)


def test_sampling_gives_n_samples_per_prompt_and_the_same_seed_the_same_samples(backend):
    settings = SamplingSettings(n=3, temperature=0.8, top_p=0.95, max_new_tokens=12)
    first = backend.generate(PROMPTS, [(), ()], settings, seed=7)
    again = backend.generate(PROMPTS, [(), ()], settings, seed=7)
    other = backend.generate(PROMPTS, [(), ()], settings, seed=8)
    assert [len(samples) for samples in first] == [3, 3]
    assert [[s.text for s in p] for p in first] == [[s.text for s in p] for p in again]
    assert [[s.text for s in p] for p in first] != [[s.text for s in p] for p in other]
    assert all(s.tokens <= 12 and s.finish in ("eos", "length") for p in first for s in p)


def test_a_completion_ends_before_its_first_stop_sequence(backend):
    greedy = SamplingSettings(n=2, temperature=0.0, max_new_tokens=24)
    free = backend.generate(PROMPTS[:1], [()], greedy)[0][0]
    assert free.finish in ("length", "eos") and len(free.text) > 4
    stop = free.text[len(free.text) // 2 :][:2]  # something the model does write, given the same greedy path
    (cut, repeat) = backend.generate(PROMPTS[:1], [(stop,)], greedy)[0]
    assert cut.finish == "stop" and stop not in cut.text and free.text.startswith(cut.text)
    assert repeat == cut  # greedy: the n samples are the one decoding, repeated


def test_the_kv_cache_and_the_plain_loop_decode_the_same_tokens(backend):
    ids = torch.tensor([backend.encode(PROMPTS[0])])
    with torch.no_grad():
        cached = backend.model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=10,
            min_new_tokens=10,
            do_sample=False,
            use_cache=True,
            pad_token_id=backend.pad_id,
        )
    assert torch.equal(generate_without_cache(backend.model, ids, 10), cached)


def test_the_vllm_backend_without_vllm_is_a_clear_error(trained_run):
    pytest.importorskip("torch")
    try:
        import vllm  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("vllm is installed here")
    with pytest.raises(CodescaleError, match=r"codescale-titan-runner\[vllm\]"):
        make_backend("vllm", export_checkpoint(trained_run).path)
