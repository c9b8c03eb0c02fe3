"""BLEU through sacrebleu, with the tokenisation stated in the signature."""

from __future__ import annotations

import pytest

from codescale.core.errors import CodescaleError
from codescale.titan_runner.evals.bleu import corpus_bleu


def test_identical_programs_score_100_and_the_signature_names_the_tokeniser():
    score = corpus_bleu(["def f(x):\n    return x + 1\n"], ["def f(x):\n    return x + 1\n"])
    assert score.score == pytest.approx(100.0)
    assert "tok:13a" in score.signature and "nrefs:1" in score.signature


def test_the_tokeniser_changes_the_number_and_is_recorded():
    hypothesis, reference = ["return a+b;"], ["return a + b;"]
    spaced = corpus_bleu(hypothesis, reference, tokenize="13a")
    raw = corpus_bleu(hypothesis, reference, tokenize="none")
    assert spaced.score == pytest.approx(100.0)
    assert raw.score < spaced.score
    assert "tok:none" in raw.signature


def test_an_unknown_tokeniser_is_a_clear_error():
    with pytest.raises(CodescaleError, match="unknown BLEU tokenisation 'words'"):
        corpus_bleu(["a"], ["a"], tokenize="words")
