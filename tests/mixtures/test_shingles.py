"""Words and n-grams of a batch: boundaries, documents, deterministic hashes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from codescale.mixtures.shingles import TextBatch, ngrams, text_ngrams, words


def batch(*texts: str) -> TextBatch:
    return TextBatch.of([t.encode() for t in texts])


def test_words_are_runs_of_letters_digits_underscores_and_non_ascii_within_one_document():
    found = words(batch("total += x*5", "x_1 ünïcode 中文", "a"))
    assert list(found.document) == [0, 0, 0, 1, 1, 1, 2]
    total, x, five, x_1, unicode, chinese, a = found.hashes
    assert len(set(found.hashes.tolist())) == 7
    again = words(batch("(x) total;5", "a"))
    assert list(again.hashes) == [x, total, five, a]  # a word's hash ignores its neighbours


def test_long_words_and_words_differing_only_in_the_middle_get_different_hashes():
    found = words(batch("get_user_name_by_id get_user_mail_by_id get_user_name_by_id short shorter"))
    h = found.hashes
    assert h[0] == h[2] and h[0] != h[1] and h[3] != h[4]


def test_ngrams_never_cross_documents():
    grams, owner = ngrams(words(batch("a b c", "d e", "f g h")), 3)
    assert list(owner) == [0, 2]
    assert grams[0] != grams[1]
    assert len(ngrams(words(batch("a b")), 3)[0]) == 0


def test_hashes_are_the_same_in_another_process():
    code = (
        "from codescale.mixtures.shingles import text_ngrams; "
        "print(','.join(map(str, text_ngrams(['for i in range(10): total += i * 2'], 3))))"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    mine = text_ngrams(["for i in range(10): total += i * 2"], 3)
    assert other == ",".join(map(str, mine)) and np.all(np.diff(mine.astype(np.float64)) > 0)
