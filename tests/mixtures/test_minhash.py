"""MinHash signatures and LSH bands: bit for bit datasketch's, computed for a whole batch at once."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from mixtures_testing import near_copy, program

from codescale.core.errors import CodescaleError
from codescale.mixtures.minhash import band_keys, lsh_parameters, shingle_hash32, signatures
from codescale.mixtures.shingles import TextBatch, ngrams, words


def shingled(texts: list[str], n: int = 5):
    grams, owner = ngrams(words(TextBatch.of([t.encode() for t in texts])), n)
    return shingle_hash32(grams), owner


def test_signatures_equal_datasketch_minhash_of_the_same_shingles():
    texts = [program("python", i, repeat=3) for i in range(6)] + ["too short", program("rust", 1, repeat=40)]
    params = lsh_parameters(0.7, 128)
    shingles, owner = shingled(texts)
    sigs = signatures(shingles, owner, len(texts), params)
    for i in range(len(texts)):
        reference = MinHash(num_perm=128, seed=1, hashfunc=int)
        reference.update_batch(shingles[owner == i].tolist())
        assert np.array_equal(sigs[i], reference.hashvalues), i
    assert (sigs[6] == 0xFFFFFFFF).all()  # two words: no 5-gram, the empty signature


def test_banding_is_datasketchs_choice_for_the_threshold():
    for threshold, num_perm in ((0.7, 256), (0.5, 128), (0.9, 64)):
        params = lsh_parameters(threshold, num_perm)
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (params.bands, params.rows) == (lsh.b, lsh.r)
    with pytest.raises(CodescaleError, match="no LSH banding for threshold 0.99"):
        lsh_parameters(0.99, 256)


def test_near_copies_share_a_band_and_unrelated_programs_do_not():
    base = [program("python", 100 + i, repeat=6) for i in range(4)]
    texts = base + [near_copy(base[0])]
    params = lsh_parameters(0.7, 256)
    shingles, owner = shingled(texts)
    keys = band_keys(signatures(shingles, owner, len(texts), params), params)
    assert keys.shape == (5, params.bands)
    assert (keys[4] == keys[0]).any()
    assert not any((keys[i] == keys[j]).any() for i in range(4) for j in range(i + 1, 4))


def test_a_long_document_gets_datasketchs_signature_in_bounded_blocks():
    from codescale.mixtures import minhash

    long = " ".join(f"w{i % 5000} x{i % 7}" for i in range(20_000))  # ~40k shingles: 39 blocks of 1,024
    shingles, owner = shingled([long])
    assert len(shingles) > 30 * minhash._BLOCK
    sig = signatures(shingles, owner, 1, lsh_parameters(0.7, 256))
    whole = MinHash(num_perm=256, seed=1, hashfunc=int)
    whole.update_batch(shingles.tolist())
    assert np.array_equal(sig[0], whole.hashvalues)


def test_workers_never_import_datasketch_or_scipy():
    import subprocess
    import sys

    code = (
        "import sys; import codescale.mixtures.work, codescale.mixtures.executors; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'datasketch', 'scipy'}))"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
    )
