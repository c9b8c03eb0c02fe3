"""Token streams: an endless, epoch-by-epoch shuffled concatenation of documents, addressable by position.

A stream is defined by a token array and a table of documents, each made of one or more *pieces* (``start``,
``length``, ``language``) into that array — a monolingual document is one piece (its tokens, EOS included); a
paired document is four (source, separator, target, EOS). Epoch ``e`` visits every document once in the order of a
permutation seeded by ``(seed, stream key, e)``; epoch ``e + 1`` follows directly. So position ``p`` of the stream
is a pure function of the seed, and any range ``[a, b)`` can be cut out without reading what comes before it: that
is what makes the sampler resumable and data-parallel without coordination.

``take(a, b)`` is vectorised: the documents overlapping the range come from a binary search over the epoch's
cumulative lengths, the pieces are clipped to the range, and one numpy gather (``np.repeat`` of piece offsets plus
an ``arange``) copies the tokens. There is no per-token or per-document Python loop. ``window(a, b)`` serves the
sampler's small, mostly increasing ranges from a read-ahead buffer filled by ``take`` (``READ_AHEAD`` tokens at a
time), so a batch costs a few slices per stream instead of a dozen numpy calls.
"""

from __future__ import annotations

import numpy as np

READ_AHEAD = 1 << 20


class TokenStream:
    def __init__(
        self,
        tokens: np.ndarray,
        piece_start: np.ndarray,
        piece_length: np.ndarray,
        piece_language: np.ndarray,
        pieces_per_document: int,
        seed_key: tuple[int, ...],
    ) -> None:
        self.tokens = np.asarray(tokens)
        self.pieces_per_document = pieces_per_document
        self.piece_start = piece_start.astype(np.int64).reshape(-1, pieces_per_document)
        self.piece_length = piece_length.astype(np.int64).reshape(-1, pieces_per_document)
        self.piece_language = piece_language.astype(np.int8).reshape(-1, pieces_per_document)
        self.document_length = self.piece_length.sum(axis=1)
        self.documents = len(self.document_length)
        self.epoch_tokens = int(self.document_length.sum())
        self.seed_key = seed_key
        self._epochs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._buffer_start = 0
        self._per_document: np.ndarray | None = None
        self._counts_memo: tuple[int, np.ndarray] | None = None
        self._buffer_tokens = np.zeros(0, dtype=self.tokens.dtype)
        self._buffer_languages = np.zeros(0, dtype=np.int8)

    def _epoch(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """(document order, cumulative token ends in that order) of one epoch; the last two are cached."""
        cached = self._epochs.get(epoch)
        if cached is None:
            order = np.random.default_rng((*self.seed_key, epoch)).permutation(self.documents)
            cached = (order, np.cumsum(self.document_length[order]))
            if len(self._epochs) >= 2:
                self._epochs.pop(min(self._epochs))
            self._epochs[epoch] = cached
        return cached

    def _pieces(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Clipped (start, length, language) of the pieces covering stream positions ``[a, b)``."""
        starts, lengths, langs = [], [], []
        first_epoch, last_epoch = a // self.epoch_tokens, (b - 1) // self.epoch_tokens
        for epoch in range(first_epoch, last_epoch + 1):
            base = epoch * self.epoch_tokens
            lo, hi = max(a, base) - base, min(b, base + self.epoch_tokens) - base
            order, ends = self._epoch(epoch)
            d0 = int(np.searchsorted(ends, lo, side="right"))
            d1 = int(np.searchsorted(ends, hi - 1, side="right")) + 1
            docs = order[d0:d1]
            start = self.piece_start[docs].ravel()
            length = self.piece_length[docs].ravel()
            # stream position of each piece: the first document's start, then the running sum of piece lengths
            first = int(ends[d0] - self.document_length[docs[0]])
            position = first + np.concatenate(([0], np.cumsum(length[:-1])))
            cut_front = np.clip(lo - position, 0, length)
            cut_back = np.clip(position + length - hi, 0, length)
            length = length - cut_front - cut_back
            keep = length > 0
            starts.append((start + cut_front)[keep])
            lengths.append(length[keep])
            langs.append(self.piece_language[docs].ravel()[keep])
        if len(starts) == 1:
            return starts[0], lengths[0], langs[0]
        return np.concatenate(starts), np.concatenate(lengths), np.concatenate(langs)

    def take(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Tokens and their language indices at stream positions ``[a, b)``."""
        start, length, lang = self._pieces(a, b)
        if len(length) <= 64:  # few long pieces: slice copies beat an index gather
            tokens = np.concatenate([self.tokens[s : s + n] for s, n in zip(start.tolist(), length.tolist())])
        else:
            index = np.repeat(start - (np.cumsum(length) - length), length)
            index += np.arange(b - a, dtype=np.int64)
            tokens = self.tokens[index]
        return tokens, np.repeat(lang, length)

    def window(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Like ``take`` but served from the read-ahead buffer; the arrays are read-only views."""
        end = self._buffer_start + len(self._buffer_tokens)
        if a < self._buffer_start or b > end:
            self._buffer_start = a
            self._buffer_tokens, self._buffer_languages = self.take(a, max(b, a + READ_AHEAD))
        lo, hi = a - self._buffer_start, b - self._buffer_start
        return self._buffer_tokens[lo:hi], self._buffer_languages[lo:hi]

    def language_counts(self, end: int, n_languages: int) -> np.ndarray:
        """int64[n_languages]: tokens of each language at stream positions ``[0, end)``.

        Counting from the document table costs O(documents); a query a little past the previous one (the sampler
        asks after every batch) only counts the tokens in between.
        """
        memo = self._counts_memo
        if memo is not None and memo[1].shape == (n_languages,) and 0 <= end - memo[0] <= READ_AHEAD:
            _, lang = self.take(memo[0], end) if end > memo[0] else (None, np.zeros(0, dtype=np.int8))
            counts = memo[1] + np.bincount(lang.astype(np.int64), minlength=n_languages)
        else:
            counts = self._counts_by_documents(end, n_languages)
        self._counts_memo = (end, counts)
        return counts.copy()

    def _counts_by_documents(self, end: int, n_languages: int) -> np.ndarray:
        counts = np.zeros(n_languages, dtype=np.int64)
        if end <= 0:
            return counts
        if self._per_document is None or self._per_document.shape[1] != n_languages:
            table = np.zeros((self.documents, n_languages), dtype=np.int64)
            rows = np.repeat(np.arange(self.documents), self.pieces_per_document)
            np.add.at(table, (rows, self.piece_language.ravel().astype(np.int64)), self.piece_length.ravel())
            self._per_document = table
        per_document = self._per_document
        full_epochs, rest = divmod(end, self.epoch_tokens)
        counts += full_epochs * per_document.sum(axis=0)
        if rest:
            base = full_epochs * self.epoch_tokens
            order, ends = self._epoch(full_epochs)
            whole = int(np.searchsorted(ends, rest, side="right"))
            counts += per_document[order[:whole]].sum(axis=0)
            done = int(ends[whole - 1]) if whole else 0
            if done < rest:
                _, lang = self.take(base + done, base + rest)
                counts += np.bincount(lang.astype(np.int64), minlength=n_languages)
        return counts

    def epochs(self, positions: int) -> float:
        return positions / self.epoch_tokens if self.epoch_tokens else float("inf")
