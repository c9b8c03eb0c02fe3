"""Mixture proportions (explicit, uniform, natural, temperature, allocation) and exact integer quotas."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codescale.compiler.mixing import largest_remainder
from codescale.compiler.plan import plan_spec
from codescale.core.contracts import PreparedManifest
from codescale.core.errors import CodescaleError

GOOD = (Path(__file__).parent / "fixtures" / "good" / "minimal.yaml").read_text()


@given(st.integers(0, 10**13), st.lists(st.floats(0.001, 1000), min_size=1, max_size=7))
def test_quotas_are_integers_summing_exactly_to_the_total(total, weights):
    shares = {f"l{i}": w for i, w in enumerate(weights)}
    quotas = largest_remainder(total, shares)
    assert sum(quotas.values()) == total
    norm = sum(weights)
    assert all(abs(quotas[k] - total * w / norm) < 1 for k, w in shares.items())


def test_leftover_tokens_go_to_the_largest_remainders():
    assert largest_remainder(10, {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}) == {"a": 4, "b": 3, "c": 3}
    assert largest_remainder(7, {"a": 0.55, "b": 0.45}) == {"a": 4, "b": 3}


def _manifest(tokens: dict[str, int], vocab: int) -> PreparedManifest:
    """A prepared-corpus manifest with only token counts (no shards are read by the compiler)."""
    return PreparedManifest(
        catalog="catalog.yaml",
        content_hash="0",
        dtype="uint16",
        validation={"fraction": 0.02},
        parallel=None,
        tokenizer={"dir": "tokenizer", "sha256": "0", "vocab_size": vocab, "bos_id": 0, "eos_id": 1, "pad_id": 2},
        languages={lang: {"train": {"documents": 1, "tokens": n, "shards": []}} for lang, n in tokens.items()},
        translation={},
    )


def _prepared(tmp_path: Path, tokens: dict[str, int], vocab: int = 1024) -> Path:
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    (prepared / "manifest.json").write_text(_manifest(tokens, vocab).to_json())
    return prepared


def _spec(tmp_path: Path, mixture: str, extra: str = "") -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("  uniform: [python]\n", mixture) + extra)
    return path


def test_natural_mixture_follows_prepared_token_counts(tmp_path):
    prepared = _prepared(tmp_path, {"python": 3000, "java": 1000, "go": 50})
    plan = plan_spec(_spec(tmp_path, "  natural: [java, python]\n"), prepared=str(prepared))
    run = plan.runs[0]
    assert run.mixture.proportions == {"python": 0.75, "java": 0.25}
    assert run.languages == ["python", "java"]
    assert sum(run.mixture.tokens_per_language.values()) == run.training.tokens
    assert run.corpus.prepared == str(prepared)


def test_temperature_flattens_natural_shares(tmp_path):
    prepared = _prepared(tmp_path, {"python": 9000, "java": 1000})
    spec = _spec(tmp_path, "  temperature: {languages: [python, java], tau: 2}\n", f"corpus:\n  prepared: {prepared}\n")
    shares = plan_spec(spec).runs[0].mixture.proportions
    assert shares == pytest.approx({"python": 0.75, "java": 0.25})


def test_vocabulary_comes_from_the_prepared_tokenizer_and_must_fit(tmp_path):
    prepared = _prepared(tmp_path, {"python": 10}, vocab=3000)
    with pytest.raises(CodescaleError, match="vocab_size 1024 is smaller than the tokenizer's 3000"):
        plan_spec(_spec(tmp_path, "  uniform: [python]\n"), prepared=str(prepared))
    path = tmp_path / "s.yaml"
    path.write_text(path.read_text().replace("  vocab_size: 1024\n", ""))
    assert plan_spec(path, prepared=str(prepared)).runs[0].model.vocab_size == 3000


def test_natural_mixture_refuses_a_language_the_corpus_lacks(tmp_path):
    prepared = _prepared(tmp_path, {"python": 10})
    with pytest.raises(CodescaleError, match="the prepared corpus has no training tokens for 'rust'"):
        plan_spec(_spec(tmp_path, "  natural: [python, rust]\n"), prepared=str(prepared))


def test_allocation_file_gives_the_proportions(tmp_path):
    (tmp_path / "alloc.json").write_text(
        json.dumps(
            {"format": "codescale.allocation/1", "proportions": {"Python": 0.6, "C#": 0.4}, "law": "multilingual"}
        )
    )
    run = plan_spec(_spec(tmp_path, "  from_allocation: alloc.json\n")).runs[0]
    assert run.mixture.proportions == {"python": 0.6, "csharp": 0.4}
    assert run.mixture.kind == "allocation"


def test_allocation_of_unknown_format_is_refused(tmp_path):
    (tmp_path / "alloc.yaml").write_text("format: codescale.allocation/2\nproportions: {python: 1}\n")
    with pytest.raises(CodescaleError) as info:
        plan_spec(_spec(tmp_path, "  from_allocation: alloc.yaml\n"))
    assert "unsupported allocation format 'codescale.allocation/2'" in info.value.render()


def test_max_epochs_one_number_applies_to_every_language(tmp_path):
    run = plan_spec(_spec(tmp_path, "  uniform: [python, go]\n  max_epochs: 2\n")).runs[0]
    assert run.mixture.max_epochs == {"python": 2.0, "go": 2.0}


def test_repeat_resolves_to_a_pool_of_unique_tokens_per_repeated_language(tmp_path):
    from codescale.compiler.render import mixture_manifest

    run = plan_spec(_spec(tmp_path, "  uniform: [python, go]\n  repeat: {python: 3}\n")).runs[0]
    assert run.mixture.repeat == {"python": 3.0}
    quota = run.mixture.tokens_per_language["python"]
    assert mixture_manifest(run).unique_tokens_per_language == {"python": -(-quota // 3)}


def test_runs_without_repeat_keep_their_mixture_keys_and_ids(tmp_path):
    plain = plan_spec(_spec(tmp_path, "  uniform: [python]\n  max_epochs: 2\n")).runs[0]
    repeated = plan_spec(_spec(tmp_path, "  uniform: [python]\n  max_epochs: 2\n  repeat: 2\n")).runs[0]
    assert "repeat" not in plain.to_dict()["mixture"] and repeated.mixture.repeat == {"python": 2.0}
    assert plain.run_id != repeated.run_id


@pytest.mark.parametrize(
    "repeat, message",
    [
        ("{java: 2}", "mixture.repeat.java: java is not in this run's mixture (python) (remove it)"),
        ("0.5", "mixture.repeat: repeat must be >= 1"),
    ],
)
def test_repeat_outside_the_mixture_or_below_one_is_refused(tmp_path, repeat, message):
    with pytest.raises(CodescaleError) as info:
        plan_spec(_spec(tmp_path, f"  uniform: [python]\n  repeat: {repeat}\n"))
    assert message in info.value.render()
