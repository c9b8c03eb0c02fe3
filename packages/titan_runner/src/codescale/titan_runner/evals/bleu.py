"""BLEU of generated translations: sacrebleu's corpus BLEU, with the tokenisation named in every result.

Code has no standard tokeniser, so the choice is part of the number: codescale uses sacrebleu's ``13a`` tokeniser
(mteval-v13a: punctuation split from words, which separates most operators and brackets from identifiers) unless
another of sacrebleu's tokenisers is asked for (``--bleu-tokenize``; ``char`` and ``none`` are common alternatives).
Every score is stored with sacrebleu's signature (``nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:...``), so
scores computed differently are never compared by accident. One reference per example (the hand-written target
program); corpus BLEU over a direction's examples, on a 0-100 scale. Nothing here imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from codescale.core.errors import CodescaleError

DEFAULT_TOKENIZE = "13a"


@dataclass(frozen=True)
class BleuScore:
    score: float
    """Corpus BLEU, 0-100."""
    signature: str
    examples: int


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str], tokenize: str = DEFAULT_TOKENIZE) -> BleuScore:
    """Corpus BLEU of ``hypotheses`` against one reference each."""
    from sacrebleu.metrics import BLEU

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    try:
        metric = BLEU(tokenize=tokenize)
    except Exception as err:  # sacrebleu raises plain exceptions for an unknown tokeniser
        from sacrebleu.metrics.bleu import _TOKENIZERS

        raise CodescaleError(
            f"unknown BLEU tokenisation {tokenize!r} ({err})",
            hint=f"one of sacrebleu's: {', '.join(sorted(_TOKENIZERS))}",
        ) from None
    result = metric.corpus_score(list(hypotheses), [list(references)])
    return BleuScore(float(result.score), str(metric.get_signature()), len(hypotheses))
