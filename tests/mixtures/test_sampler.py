"""MixtureSampler: exact quotas, determinism, data parallelism, resumption, epochs, pairing (contracts §2)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mixtures_testing import mixture
from tokenizers import Tokenizer

from codescale.core.errors import CodescaleError
from codescale.mixtures import MixtureSampler, PreparedCorpus
from codescale.mixtures.sampler import apportion, interleave

SEQ = 64
PAIRING = {
    "mode": "parallel",
    "template": "prompt",
    "pivot": "python",
    "directions": [["python", "java"]],
    "fraction": 0.25,
    "both_orders": True,
}


@pytest.fixture(scope="module")
def corpus(prepared) -> PreparedCorpus:
    return PreparedCorpus(prepared)


def run_all(sampler: MixtureSampler, local_batch_size: int) -> list:
    batches = []
    while sampler.sequences_left:
        batches.append(sampler.next_batch(local_batch_size))
    return batches


def counted(batches, n_languages: int) -> np.ndarray:
    ids = np.concatenate([b.language_ids.ravel() for b in batches])
    return np.bincount(ids[ids >= 0].astype(np.int64), minlength=n_languages)


@pytest.mark.parametrize("pairing", [None, PAIRING], ids=["monolingual", "paired"])
def test_each_language_gets_its_quota_within_one_sequence(corpus, pairing):
    quotas = {"python": SEQ * 40 + 17, "java": SEQ * 30 - 5, "go": SEQ * 26 - 12}
    sampler = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, pairing=pairing), corpus)
    seen = counted(run_all(sampler, 8), 3)
    for i, lang in enumerate(quotas):
        assert abs(int(seen[i]) - quotas[lang]) < SEQ, (lang, seen[i], quotas[lang])
    assert sampler.tokens_seen() == {lang: int(seen[i]) for i, lang in enumerate(quotas)}
    assert seen.sum() == sampler.total_sequences * SEQ


def test_mixture_is_even_through_the_run_not_only_at_its_end(corpus):
    quotas = {"python": SEQ * 64, "java": SEQ * 32, "go": SEQ * 32}
    sampler = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ), corpus)
    first_quarter = counted([sampler.next_batch(8) for _ in range(4)], 3)
    assert list(first_quarter // SEQ) == [16, 8, 8]


def test_labels_are_the_next_tokens_and_documents_end_in_eos(corpus):
    quotas = {"python": SEQ * 16, "rust": SEQ * 16}
    batch = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ), corpus).next_batch(8)
    assert batch.input_ids.dtype == np.int64 and batch.labels.dtype == np.int64
    assert batch.language_ids.dtype == np.int8 and batch.input_ids.shape == (8, SEQ)
    assert (batch.input_ids[:, 1:] == batch.labels[:, :-1]).all()
    assert (batch.input_ids == corpus.eos_id).sum() > 0
    assert batch.input_ids.max() < corpus.vocab_size


def test_same_seed_gives_the_same_batches_and_another_seed_does_not(corpus):
    quotas = {"python": SEQ * 32, "java": SEQ * 32}
    a = run_all(MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, seed=3), corpus), 8)
    b = run_all(MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, seed=3), corpus), 8)
    c = run_all(MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, seed=4), corpus), 8)
    assert all((x.input_ids == y.input_ids).all() for x, y in zip(a, b))
    assert not all((x.input_ids == y.input_ids).all() for x, y in zip(a, c))


@pytest.mark.parametrize("pairing", [None, PAIRING], ids=["monolingual", "paired"])
def test_ranks_get_disjoint_slices_whose_union_is_the_same_for_any_world_size(corpus, pairing):
    quotas = {"python": SEQ * 40, "java": SEQ * 32, "go": SEQ * 24}
    plan = mixture(quotas, quotas, seq_len=SEQ, global_batch_size=8, pairing=pairing)
    single = run_all(MixtureSampler(plan, corpus), 8)
    for world in (2, 4):
        ranks = [
            run_all(MixtureSampler(plan, corpus, dp_rank=r, dp_world_size=world), 8 // world) for r in range(world)
        ]
        for step, whole in enumerate(single):
            stacked = np.concatenate([ranks[r][step].input_ids for r in range(world)])
            assert (stacked == whole.input_ids).all()
            langs = np.concatenate([ranks[r][step].language_ids for r in range(world)])
            assert (langs == whole.language_ids).all()


@pytest.mark.parametrize("pairing", [None, PAIRING], ids=["monolingual", "paired"])
def test_resumed_sampler_continues_with_exactly_the_batches_it_would_have_seen(corpus, pairing):
    quotas = {"python": SEQ * 40, "java": SEQ * 40}
    plan = mixture(quotas, quotas, seq_len=SEQ, pairing=pairing)
    reference = run_all(MixtureSampler(plan, corpus), 8)
    first = MixtureSampler(plan, corpus)
    for _ in range(4):
        first.next_batch(8)
    state = json.loads(json.dumps(first.state_dict()))
    resumed = MixtureSampler(plan, corpus)
    resumed.load_state_dict(state)
    assert resumed.tokens_seen() == first.tokens_seen()
    rest = run_all(resumed, 8)
    assert len(rest) == len(reference) - 4
    for got, want in zip(rest, reference[4:]):
        assert (got.input_ids == want.input_ids).all() and (got.language_ids == want.language_ids).all()


def test_state_from_another_plan_is_refused(corpus):
    quotas = {"python": SEQ * 16, "java": SEQ * 16}
    state = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, seed=1), corpus).state_dict()
    other = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, seed=2), corpus)
    with pytest.raises(CodescaleError, match="different mixture plan"):
        other.load_state_dict(state)


def test_repeating_a_language_wraps_into_new_epochs_with_a_new_order(corpus):
    available = corpus.manifest["languages"]["go"]["train"]["tokens"]
    sequences = 3 * available // SEQ // 8 * 8
    quotas = {"go": sequences * SEQ}
    sampler = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, max_epochs={"go": 4}), corpus)
    assert 2.9 < sampler.planned_epochs["go"] < 3.1
    # rows of one language are consecutive windows of its stream, so their inputs concatenate to the stream
    stream = np.concatenate([b.input_ids.ravel() for b in run_all(sampler, 8)])
    corpus_counts = np.bincount(corpus.tokens("go"), minlength=corpus.vocab_size)
    epoch0, epoch1 = stream[:available], stream[available : 2 * available]
    assert (np.bincount(epoch0, minlength=corpus.vocab_size) == corpus_counts).all()
    assert (np.bincount(epoch1, minlength=corpus.vocab_size) == corpus_counts).all()
    assert not np.array_equal(epoch0, epoch1)
    assert sampler.epochs_seen()["go"] == pytest.approx(sampler.planned_epochs["go"], abs=0.01)


def test_plan_beyond_max_epochs_is_refused_before_any_batch(corpus):
    available = corpus.manifest["languages"]["java"]["train"]["tokens"]
    quotas = {"python": SEQ * 8, "java": 3 * available}
    with pytest.raises(CodescaleError) as err:
        MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, max_epochs={"python": None, "java": 2}), corpus)
    text = err.value.render()
    assert "java" in text and f"{3 * available:,}" in text and f"{available:,}" in text
    assert "max_epochs 2" in text and "add java data" in text


def test_mixture_language_absent_from_the_corpus_is_refused(corpus):
    quotas = {"python": SEQ * 8, "typescript": SEQ * 8}
    with pytest.raises(CodescaleError, match="'typescript' is not in the prepared corpus"):
        MixtureSampler(mixture(quotas, quotas, seq_len=SEQ), corpus)


def test_asking_beyond_the_plan_is_an_error(corpus):
    quotas = {"python": SEQ * 8}
    sampler = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ), corpus)
    sampler.next_batch(8)
    with pytest.raises(CodescaleError, match="has 8 sequences"):
        sampler.next_batch(8)


def test_paired_documents_hold_source_prompt_target_with_each_sides_language(corpus):
    quotas = {"python": SEQ * 64, "java": SEQ * 64}
    pairing = dict(PAIRING, fraction=0.5, both_orders=False)
    sampler = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, pairing=pairing), corpus)
    tokenizer = Tokenizer.from_file(str(corpus.tokenizer_dir / "tokenizer.json"))
    text_by_language = {0: [], 1: []}
    for batch in run_all(sampler, 8):
        for row in range(8):
            for lang in (0, 1):
                text_by_language[lang].append(
                    tokenizer.decode(batch.labels[row][batch.language_ids[row] == lang].tolist())
                )
    python_text, java_text = "".join(text_by_language[0]), "".join(text_by_language[1])
    assert "def " in python_text and "static int" not in python_text
    assert "static int" in java_text and "def " not in java_text
    assert "# Translate the above Python code to Java:" in java_text


def test_pairing_without_a_parallel_direction_in_the_run_is_refused(corpus):
    quotas = {"python": SEQ * 8, "java": SEQ * 8}
    pairing = dict(PAIRING, directions=[["python", "rust"]])
    with pytest.raises(CodescaleError, match="python->rust needs rust, which is not in the run's languages"):
        MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, pairing=pairing), corpus)


def test_apportion_is_exact_and_interleave_spreads_slots():
    assert list(apportion([1, 1, 1], 10)) == [4, 3, 3]
    assert apportion([5, 3, 2], 7).sum() == 7
    order = interleave(np.array([4, 2, 2]))
    assert list(np.bincount(order)) == [4, 2, 2]
    assert list(np.bincount(order[:4], minlength=3)) == [2, 1, 1]


def test_tokens_seen_matches_the_language_ids_handed_out_after_every_batch(corpus):
    quotas = {"python": SEQ * 48, "java": SEQ * 40, "go": SEQ * 32}
    sampler = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, pairing=PAIRING), corpus)
    batches = []
    while sampler.sequences_left:
        batches.append(sampler.next_batch(8))
        seen = counted(batches, 3)
        assert sampler.tokens_seen() == {lang: int(seen[i]) for i, lang in enumerate(quotas)}


def test_a_languages_document_order_does_not_depend_on_the_other_languages(corpus):
    alone = MixtureSampler(mixture(["go"], {"go": SEQ * 8}, seq_len=SEQ), corpus).next_batch(8)
    mixed = MixtureSampler(mixture(["python", "go"], {"python": SEQ * 8, "go": SEQ * 8}, seq_len=SEQ), corpus)
    rows = np.concatenate([b.input_ids[b.language_ids[:, 0] == 1] for b in (mixed.next_batch(8), mixed.next_batch(8))])
    assert (rows == alone.input_ids).all()


def test_direct_pairing_joins_the_programs_with_a_blank_line_and_no_instruction(corpus):
    quotas = {"python": SEQ * 64, "rust": SEQ * 64}
    pairing = dict(PAIRING, template="direct", directions=[["rust", "python"]], both_orders=False, fraction=0.5)
    sampler = MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, pairing=pairing), corpus)
    tokenizer = Tokenizer.from_file(str(corpus.tokenizer_dir / "tokenizer.json"))
    switches = 0
    for batch in run_all(sampler, 8):
        for row in range(8):
            langs = batch.language_ids[row]
            # rust (index 1) then python (index 0) inside one document: the first python token after rust
            for at in np.flatnonzero((langs[:-1] == 1) & (langs[1:] == 0)) + 1:
                if batch.labels[row][at - 1] != corpus.eos_id and at + 2 <= SEQ:
                    switches += 1
                    assert tokenizer.decode(batch.labels[row][at : at + 2].tolist()).startswith("\n\n")
    text = "".join(
        tokenizer.decode(b.input_ids.ravel().tolist())
        for b in run_all(MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, pairing=pairing), corpus), 8)
    )
    assert switches > 0 and "Translate" not in text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=8).filter(lambda n: sum(n) > 0))
def test_every_prefix_of_the_schedule_is_within_one_plus_half_the_streams_of_the_mixture(slots):
    order = interleave(np.array(slots))
    total = sum(slots)
    for stream, n in enumerate(slots):
        prefix_counts = np.cumsum(order == stream)
        ideal = np.arange(1, total + 1) * n / total
        assert np.abs(prefix_counts - ideal).max() < 1 + len(slots) / 2
        assert prefix_counts[-1] == n


def _documents_seen(batches, eos_id: int) -> dict[bytes, int]:
    """How many times each complete document appears in a one-language run (its rows concatenate to its stream)."""
    stream = np.concatenate([b.input_ids.ravel() for b in batches])
    ends = np.flatnonzero(stream == eos_id) + 1
    seen: dict[bytes, int] = {}
    for doc in np.split(stream[: ends[-1]], ends[:-1]):
        seen[doc.tobytes()] = seen.get(doc.tobytes(), 0) + 1
    return seen


def _repeated(quota: int, repeat: int, **kwargs) -> dict:
    plan = mixture({"java": quota}, {"java": quota}, seq_len=SEQ, **kwargs)
    return plan | {"unique_tokens_per_language": {"java": -(-quota // repeat)}}


def test_repeat_two_sees_each_pool_document_twice_and_nothing_outside_the_pool(corpus):
    available = corpus.manifest["languages"]["java"]["train"]["tokens"]
    quota = available // SEQ // 16 * 16 * SEQ  # one corpus worth of tokens, from a pool of half of it
    sampler = MixtureSampler(_repeated(quota, 2, max_epochs={"java": 2}), corpus)
    batches = run_all(sampler, 8)
    assert counted(batches, 1)[0] == quota
    assert sampler.epochs_seen()["java"] == pytest.approx(2, abs=0.05)
    seen = _documents_seen(batches, corpus.eos_id)
    twice = sum(len(doc) for doc, n in seen.items() if n == 2) // 8  # bytes -> int64 tokens
    assert max(seen.values()) == 2 and twice > 0.9 * quota / 2
    # the pool is what a run without repetition sees first: its unique tokens are the first quota / 2 of that run
    fresh_plan = mixture({"java": quota // 2}, {"java": quota // 2}, seq_len=SEQ)
    fresh = _documents_seen(run_all(MixtureSampler(fresh_plan, corpus), 8), corpus.eos_id)
    assert set(fresh) <= set(seen) and len(set(seen) - set(fresh)) <= 1


def test_repeated_run_resumes_with_exactly_the_batches_it_would_have_seen(corpus):
    available = corpus.manifest["languages"]["java"]["train"]["tokens"]
    plan = _repeated(available // SEQ // 8 * 8 * SEQ, 2)
    reference = run_all(MixtureSampler(plan, corpus), 8)
    first = MixtureSampler(plan, corpus)
    for _ in range(len(reference) // 2 + 1):  # past the end of the pool's first epoch
        first.next_batch(8)
    resumed = MixtureSampler(plan, corpus)
    resumed.load_state_dict(json.loads(json.dumps(first.state_dict())))
    rest = run_all(resumed, 8)
    for got, want in zip(rest, reference[len(reference) // 2 + 1 :], strict=True):
        assert (got.input_ids == want.input_ids).all() and (got.labels == want.labels).all()
    with pytest.raises(CodescaleError, match="different mixture plan"):  # a state without the pool is another plan
        MixtureSampler(plan | {"unique_tokens_per_language": {}}, corpus).load_state_dict(first.state_dict())


def test_pool_larger_than_the_corpus_is_refused_before_any_batch(corpus):
    available = corpus.manifest["languages"]["java"]["train"]["tokens"]
    with pytest.raises(CodescaleError) as err:
        MixtureSampler(_repeated(3 * available, 2), corpus)
    assert "pool of" in err.value.render() and "add java data" in err.value.render()


@pytest.mark.parametrize("fraction, trains", [(0.5, True), (0.9, False)])
def test_the_compilers_paired_quota_bound_agrees_with_the_sampler(corpus, fraction, trains):
    from codescale.compiler.mixing import paired_shares

    quotas = {"python": SEQ * 64, "java": SEQ * 64, "go": SEQ * 64}
    directions = [["python", "java"], ["python", "go"]]
    pairing = {**PAIRING, "directions": directions, "fraction": fraction}
    shares = paired_shares([tuple(d) for d in directions])
    compiler_accepts = all(fraction * shares[lang] <= 1 / 3 for lang in quotas)  # the compiler's rule
    assert compiler_accepts == trains
    if trains:
        MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, pairing=pairing), corpus)
    else:
        with pytest.raises(CodescaleError, match="paired documents alone hold .* python tokens"):
            MixtureSampler(mixture(quotas, quotas, seq_len=SEQ, pairing=pairing), corpus)
