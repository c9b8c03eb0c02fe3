"""The mixture sampler: packed training sequences with exact per-language token quotas (contracts §2).

The model. A run is ``N = total_tokens / seq_len`` sequence *slots*, consumed ``global_batch_size`` at a time.
Each slot is filled from one *stream* (``streams.py``): a language's monolingual stream, or the paired-document
stream when ``pairing.mode`` is ``parallel``. A sequence is ``seq_len + 1`` consecutive tokens of its stream
starting at ``k * seq_len`` (its k-th sequence), so consecutive sequences of a stream share one boundary token and
every label token of a stream is counted exactly once.

Quotas. The paired stream gets ``round(fraction * N)`` slots; because the stream is a fixed function of the seed,
the tokens each language contributes to those slots are known before training, and each language's monolingual
slot count is its remaining quota divided by ``seq_len``, apportioned by largest remainder. So after the run every
language has seen within one sequence of ``tokens_per_language[lang]`` tokens. Slots are interleaved by sorting
``(j + 0.5) / n_stream`` over every stream's j-th slot, so the mixture is even throughout the run, not just at
its end: each stream's slot count up to any key is within half a slot of its share, so every prefix of the schedule
holds each stream's share within 1 + K/2 sequences for K streams (ties between streams' keys are what can add up;
in practice, e.g. 265 slots against seven single ones, the worst prefix is off by about 3.4 at K = 8). A plan that
would repeat a language's data more than ``max_epochs`` times is refused at construction.

Forced repetition. A language with ``unique_tokens_per_language[lang]`` (the spec's ``mixture.repeat``) is drawn
from a fixed *pool*: the first documents of its epoch-0 order, up to the first whose tokens reach the budget. Its
stream cycles over the pool alone, in a new order each epoch, so every unique token is seen about ``repeat`` times
and ``epochs_seen`` counts passes over the pool.

Data parallelism and resumption. A call ``next_batch(b)`` consumes the next ``b * dp_world_size`` slots; rank
``r`` builds rows ``r*b .. (r+1)*b`` of them. Which tokens fill a slot depends only on the slot's position, so the
union over ranks is the same for any world size with the same ``b * dp_world_size``, and the state is just the
slot cursor (``state_dict``): a resumed run sees exactly the batches it would have seen.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from codescale.core.contracts import MixtureManifest
from codescale.core.domains import LANGUAGE_IDS, direction_key
from codescale.core.errors import CodescaleError
from codescale.mixtures.corpus import PreparedCorpus
from codescale.mixtures.pairing import TEMPLATES, build_pairs
from codescale.mixtures.streams import TokenStream

STATE_FORMAT = "codescale.sampler/1"
_PAIRED_STREAM_KEY = 1000  # seeds the paired stream's document order; language streams use their LANGUAGE_IDS index


@dataclass
class Batch:
    input_ids: np.ndarray  # int64 [B, L]
    labels: np.ndarray  # int64 [B, L]
    language_ids: np.ndarray  # int8 [B, L]: index into the manifest's languages of each label token


def apportion(weights: list[int], total: int) -> np.ndarray:
    """Largest-remainder split of ``total`` units in proportion to integer ``weights`` (ties: earlier first)."""
    weights_arr = np.array(weights, dtype=object)
    weight_sum = int(sum(weights))
    if weight_sum == 0:
        return np.zeros(len(weights), dtype=np.int64)
    floors = [int(w) * total // weight_sum for w in weights_arr]
    remainders = [int(w) * total % weight_sum for w in weights_arr]
    missing = total - sum(floors)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:missing]:
        floors[i] += 1
    return np.array(floors, dtype=np.int64)


def interleave(slots_per_stream: np.ndarray) -> np.ndarray:
    """int8 stream index of every slot, spreading each stream's slots evenly over the run."""
    keys = np.concatenate([(np.arange(n) + 0.5) / n for n in slots_per_stream if n > 0] or [np.zeros(0)])
    owners = np.concatenate(
        [np.full(n, s, dtype=np.int8) for s, n in enumerate(slots_per_stream) if n > 0] or [np.zeros(0, dtype=np.int8)]
    )
    return owners[np.argsort(keys, kind="stable")]


class MixtureSampler:
    def __init__(
        self, manifest: MixtureManifest | dict, corpus: PreparedCorpus, dp_rank: int = 0, dp_world_size: int = 1
    ) -> None:
        """``manifest`` is a run's ``mixture.json`` (a plain dict is validated as one)."""
        if not isinstance(manifest, MixtureManifest):
            manifest = MixtureManifest.from_dict(manifest)
        if not 0 <= dp_rank < dp_world_size:
            raise CodescaleError(f"dp_rank {dp_rank} is outside 0..{dp_world_size - 1}", field="dp_rank")
        self.manifest = manifest
        self.languages: list[str] = list(manifest.languages)
        self.seq_len = int(manifest.seq_len)
        self.global_batch_size = int(manifest.global_batch_size)
        self.seed = int(manifest.seed)
        self.dp_rank, self.dp_world_size = dp_rank, dp_world_size
        self.corpus = corpus
        self._pair_first_token: np.ndarray | None = None
        quotas = [int(manifest.tokens_per_language.get(lang, 0)) for lang in self.languages]
        self.quotas = dict(zip(self.languages, quotas))
        self.total_sequences = int(manifest.total_tokens) // self.seq_len
        self.max_epochs = {lang: manifest.max_epochs.get(lang) for lang in self.languages}
        self.unique_tokens: dict[str, int] = {lang: int(n) for lang, n in manifest.unique_tokens_per_language.items()}
        for lang in self.languages:
            if lang not in corpus.languages:
                raise CodescaleError(
                    f"mixture language {lang!r} is not in the prepared corpus (it has {', '.join(corpus.languages)})",
                    source=corpus.path,
                    field="languages",
                    hint="add the language to the corpus catalog and prepare again, or drop it from the mixture",
                )
        k = len(self.languages)
        self.streams: list[TokenStream] = [self._language_stream(i, lang) for i, lang in enumerate(self.languages)]
        pairing = manifest.pairing.to_dict()
        pair_stream = self._pair_stream(pairing)
        pair_slots = 0
        pair_tokens = np.zeros(k, dtype=np.int64)
        if pair_stream is not None:
            fraction = float(pairing.get("fraction") or 0.0)
            pair_slots = int(round(fraction * self.total_sequences))
            self.streams.append(pair_stream)
            if pair_slots:
                pair_tokens = self._label_counts(pair_stream, pair_slots)
        mono_quota = np.array(quotas, dtype=np.int64) - pair_tokens
        for i, lang in enumerate(self.languages):
            if mono_quota[i] < 0:
                raise CodescaleError(
                    f"paired documents alone hold {pair_tokens[i]:,} {lang} tokens, more than its quota of "
                    f"{quotas[i]:,}",
                    field="pairing.fraction",
                    hint=f"lower pairing.fraction or raise {lang}'s proportion",
                )
        mono_slots = apportion([int(q) for q in mono_quota], self.total_sequences - pair_slots)
        self.slots_per_stream = np.concatenate([mono_slots, [pair_slots] if pair_stream is not None else []]).astype(
            np.int64
        )
        self._check_epochs(pair_stream is not None)
        self.schedule = interleave(self.slots_per_stream)
        self._plan_id = self._fingerprint(manifest.to_dict())
        self._slot = 0
        self._consumed = np.zeros(len(self.streams), dtype=np.int64)

    # -- construction --------------------------------------------------------------------------------------------
    def _language_stream(self, index: int, lang: str) -> TokenStream:
        shard = self.corpus.split(lang, "train")
        if shard.documents == 0:
            raise CodescaleError(
                f"{lang} has no training documents",
                source=self.corpus.path,
                field=lang,
                hint="add data for the language and prepare again",
            )
        starts, lengths = shard.offsets[:-1], np.diff(shard.offsets)
        # keyed by the language itself, so its document order does not depend on the other languages of the mix
        seed_key = (self.seed, LANGUAGE_IDS.index(lang))
        if lang in self.unique_tokens:
            pool = self._pool(lang, lengths, seed_key)
            starts, lengths = starts[pool], lengths[pool]
        return TokenStream(shard.tokens, starts, lengths, np.full(len(starts), index, dtype=np.int8), 1, seed_key)

    def _pool(self, lang: str, lengths: np.ndarray, seed_key: tuple[int, ...]) -> np.ndarray:
        """Indices of the documents a repeated language is drawn from: a prefix of the epoch-0 order (the data a
        run without repetition would see first) whose tokens reach the unique budget."""
        budget, available = self.unique_tokens[lang], int(lengths.sum())
        if budget > available:
            raise CodescaleError(
                f"{lang} is repeated from a pool of {budget:,} unique tokens, more than its {available:,} training "
                "tokens",
                source=self.corpus.path,
                field=f"mixture.repeat.{lang}",
                hint=f"raise repeat, lower {lang}'s proportion or the total tokens, or add {lang} data",
            )
        order = np.random.default_rng((*seed_key, 0)).permutation(len(lengths))
        documents = int(np.searchsorted(np.cumsum(lengths[order]), budget)) + 1
        return order[:documents]

    def _pair_stream(self, pairing: dict) -> TokenStream | None:
        if pairing.get("mode", "none") == "none" or not pairing.get("fraction"):
            return None
        template = pairing.get("template") or "direct"
        if template not in TEMPLATES:
            raise CodescaleError(
                f"unknown pairing template {template!r}",
                field="pairing.template",
                hint=f"use one of {', '.join(TEMPLATES)}",
            )
        parallel = self.corpus.prepared.parallel
        if parallel is None:
            raise CodescaleError(
                "pairing.mode is parallel but the prepared corpus has no parallel corpus",
                source=self.corpus.path,
                field="pairing.mode",
                hint="add a `parallel:` section to the corpus catalog and prepare again",
            )
        directions = [tuple(d) for d in pairing.get("directions") or []]
        if pairing.get("both_orders"):
            directions += [(t, s) for s, t in directions if (t, s) not in directions]
        for src, tgt in directions:
            for lang in (src, tgt):
                if lang not in parallel.languages or lang not in self.languages:
                    raise CodescaleError(
                        f"pairing direction {direction_key(src, tgt)} needs {lang}, which is not in "
                        + ("the parallel corpus" if lang not in parallel.languages else "the run's languages"),
                        field="pairing.directions",
                        hint="drop the direction or add the language",
                    )
        if not directions:
            raise CodescaleError(
                "pairing.mode is parallel but pairing.directions is empty",
                field="pairing.directions",
                hint="list the training directions, e.g. [[python, java]]",
            )
        # one token array: every parallel shard, then the separators, then one EOS
        arrays, bases, position = [], {}, 0
        offsets = {}
        for lang in parallel.languages:
            shard = self.corpus.shard(parallel.shards[lang])
            bases[lang], offsets[lang] = position, shard.offsets
            arrays.append(np.asarray(shard.tokens))
            position += len(shard.tokens)
        separator_bases = {}
        for src, tgt in directions:
            ids = parallel.separators[template][direction_key(src, tgt)]
            separator_bases[direction_key(src, tgt)] = (position, len(ids))
            arrays.append(np.asarray(ids, dtype=self.corpus.dtype))
            position += len(ids)
        arrays.append(np.array([self.corpus.eos_id], dtype=self.corpus.dtype))
        train_groups = np.load(self.corpus.path / parallel.file)
        pieces = build_pairs(offsets, bases, separator_bases, position, train_groups, directions, self.languages)
        if pieces.documents == 0:
            raise CodescaleError(
                "no parallel group holds both sides of any pairing direction",
                source=self.corpus.path,
                field="pairing.directions",
                hint="check the parallel corpus covers the directions",
            )
        self.pair_directions = directions
        return TokenStream(
            np.concatenate(arrays), pieces.start, pieces.length, pieces.language, 4, (self.seed, _PAIRED_STREAM_KEY)
        )

    def _label_counts(self, stream: TokenStream, sequences: int) -> np.ndarray:
        """Tokens per language among the labels of a stream's first ``sequences`` sequences."""
        k = len(self.languages)
        if self._pair_first_token is None:  # position 0 is an input only, never a label
            self._pair_first_token = stream.language_counts(1, k)
        return stream.language_counts(sequences * self.seq_len + 1, k) - self._pair_first_token

    def _check_epochs(self, paired: bool) -> None:
        self.planned_epochs: dict[str, float] = {}
        for i, lang in enumerate(self.languages):
            stream = self.streams[i]
            needed = int(self.slots_per_stream[i]) * self.seq_len + 1 if self.slots_per_stream[i] else 0
            epochs = stream.epochs(needed)
            self.planned_epochs[lang] = epochs
            limit = self.max_epochs[lang]
            if lang in self.unique_tokens:  # its epochs are passes over the pool: the cap bounds the nominal repeat
                repeat = self.quotas[lang] / max(self.unique_tokens[lang], 1)
                if limit is not None and repeat > float(limit):
                    raise CodescaleError(
                        f"{lang} is repeated {repeat:.2f} times, above max_epochs {limit}",
                        source=self.corpus.path,
                        field=f"mixture.repeat.{lang}",
                        hint="lower repeat or raise max_epochs",
                    )
            elif limit is not None and epochs > float(limit):
                raise CodescaleError(
                    f"{lang}'s quota of {self.quotas[lang]:,} tokens needs {epochs:.2f} epochs of its "
                    f"{stream.epoch_tokens:,} training tokens, above max_epochs {limit}",
                    source=self.corpus.path,
                    field=f"mixture.max_epochs.{lang}",
                    hint=f"lower {lang}'s proportion or the total tokens, raise max_epochs, or add {lang} data",
                )
        if paired:
            stream = self.streams[-1]
            epochs = stream.epochs(int(self.slots_per_stream[-1]) * self.seq_len + 1)
            self.planned_epochs["paired"] = epochs
            limits = [
                cap
                for cap in (self.max_epochs[lang] for pair in self.pair_directions for lang in pair)
                if cap is not None
            ]
            if limits and epochs > min(limits):
                raise CodescaleError(
                    f"paired documents need {epochs:.2f} epochs of the parallel corpus ({stream.epoch_tokens:,} "
                    f"tokens in the training directions), above max_epochs {min(limits)}",
                    source=self.corpus.path,
                    field="pairing.fraction",
                    hint="lower pairing.fraction, raise max_epochs, or add parallel groups",
                )

    def _fingerprint(self, manifest: dict) -> str:
        keys = ("languages", "tokens_per_language", "total_tokens", "seq_len", "global_batch_size", "seed", "pairing")
        plan = {key: manifest.get(key) for key in keys} | {"corpus": self.corpus.content_hash}
        if self.unique_tokens:  # only then, so states saved before forced repetition existed still load
            plan["unique_tokens_per_language"] = self.unique_tokens
        return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()[:16]

    # -- batches -------------------------------------------------------------------------------------------------
    def next_batch(self, local_batch_size: int) -> Batch:
        """This rank's ``local_batch_size`` rows of the next ``local_batch_size * dp_world_size`` slots."""
        b, seq_len = local_batch_size, self.seq_len
        global_rows = b * self.dp_world_size
        if self._slot + global_rows > self.total_sequences:
            raise CodescaleError(
                f"the mixture plan has {self.total_sequences} sequences and {self._slot} are used; "
                f"{global_rows} more were asked for",
                field="total_tokens",
                hint="train for at most total_tokens / (seq_len * global_batch_size) steps",
            )
        slots = self.schedule[self._slot : self._slot + global_rows]
        n_streams = len(self.streams)
        before = self._consumed + np.bincount(slots[: self.dp_rank * b], minlength=n_streams)
        local = slots[self.dp_rank * b : (self.dp_rank + 1) * b]
        input_ids = np.empty((b, seq_len), dtype=np.int64)
        labels = np.empty((b, seq_len), dtype=np.int64)
        language_ids = np.empty((b, seq_len), dtype=np.int8)
        for stream_index in np.unique(local).tolist():
            rows = np.flatnonzero(local == stream_index)
            n, k0 = len(rows), int(before[stream_index])
            stream = self.streams[stream_index]
            a, end = k0 * seq_len, (k0 + n) * seq_len + 1
            contiguous = rows[-1] - rows[0] + 1 == n
            target = slice(int(rows[0]), int(rows[-1]) + 1) if contiguous else rows
            tokens, langs = stream.window(a, end)
            if stream_index < len(self.languages):
                language_ids[target] = stream_index
            else:
                language_ids[target] = langs[1:].reshape(n, seq_len)
            input_ids[target] = tokens[:-1].reshape(n, seq_len)
            labels[target] = tokens[1:].reshape(n, seq_len)
        self._consumed += np.bincount(slots, minlength=n_streams)
        self._slot += global_rows
        return Batch(input_ids, labels, language_ids)

    def tokens_seen(self) -> dict[str, int]:
        """Label tokens per language in every slot consumed so far, over all ranks."""
        k = len(self.languages)
        counts = self._consumed[:k] * self.seq_len
        if len(self.streams) > k and self._consumed[k]:
            counts = counts + self._label_counts(self.streams[k], int(self._consumed[k]))
        return {lang: int(counts[i]) for i, lang in enumerate(self.languages)}

    def epochs_seen(self) -> dict[str, float]:
        """How many times each language's training data has been gone through so far."""
        return {
            lang: self.streams[i].epochs(int(self._consumed[i]) * self.seq_len) for i, lang in enumerate(self.languages)
        }

    @property
    def sequences_left(self) -> int:
        return self.total_sequences - self._slot

    # -- state ---------------------------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "format": STATE_FORMAT,
            "plan": self._plan_id,
            "slot": int(self._slot),
            "consumed": [int(c) for c in self._consumed],
        }

    def load_state_dict(self, state: dict) -> None:
        if state.get("format") != STATE_FORMAT or state.get("plan") != self._plan_id:
            raise CodescaleError(
                "the sampler state comes from a different mixture plan or prepared corpus",
                field="state_dict",
                hint="resume with the same mixture.json and prepared corpus, or start the run afresh",
            )
        consumed = np.array(state["consumed"], dtype=np.int64)
        if len(consumed) != len(self.streams) or not 0 <= int(state["slot"]) <= self.total_sequences:
            raise CodescaleError(
                "the sampler state does not fit this plan",
                field="state_dict",
                hint="resume with the same mixture.json and prepared corpus",
            )
        self._slot = int(state["slot"])
        self._consumed = consumed


__all__ = ["Batch", "MixtureSampler", "apportion", "interleave"]
