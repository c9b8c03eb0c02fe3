"""Reading rows: bounded batches, over-long rows never held whole, labels mapped, bad rows located."""

from __future__ import annotations

from mixtures_testing import write_jsonl

from codescale.mixtures.documents import BATCH_BYTES, BATCH_DOCUMENTS, LabelMap, Piece, read_piece


def test_batches_hold_at_most_batch_bytes_of_text_or_one_larger_document(tmp_path):
    sizes = [100] * 30_000 + [3 * BATCH_BYTES] + [50_000] * 40
    write_jsonl(tmp_path / "a.jsonl", [{"content": "x" * n} for n in sizes])
    piece = Piece(tmp_path / "a.jsonl", "content", None, ("python",))
    batches = list(read_piece(piece, LabelMap({}), 8 * BATCH_BYTES))
    assert sum(len(b.texts) for b in batches) == len(sizes)
    for batch in batches:
        assert len(batch.texts) <= BATCH_DOCUMENTS
        assert batch.size < BATCH_BYTES or len(batch.texts) == 1 or batch.size - len(batch.encoded[-1]) < BATCH_BYTES


def test_a_line_over_the_limit_is_skipped_in_pieces_and_reported_with_its_number(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [{"content": "a = 1"}, {"content": "b" * 5_000_000}, {"content": "c = 3"}])
    piece = Piece(tmp_path / "a.jsonl", "content", None, ("python",))
    batches = list(read_piece(piece, LabelMap({}), 100_000))
    texts = [t for b in batches for t in b.texts]
    bad = [row for b in batches for row in b.bad]
    assert texts == ["a = 1", "c = 3"]
    assert len(bad) == 1 and bad[0].row == 2 and "5,000,016 bytes, over the reader's limit of 100,000" in bad[0].reason


def test_labels_map_through_the_catalog_then_the_language_names_and_unknown_ones_are_counted(tmp_path):
    rows = [
        {"lang": label, "content": f"text {i}"}
        for i, label in enumerate(["TSX", "TypeScript", "ts", "Markdown", "JavaScript", None, "Vue", "vue"])
    ]
    write_jsonl(tmp_path / "a.jsonl", rows)
    piece = Piece(tmp_path / "a.jsonl", "content", "lang", ("typescript", "javascript"))
    labels = LabelMap({"tsx": "typescript", "vue": "javascript", "markdown": None})
    (batch,) = list(read_piece(piece, labels, 1 << 20))
    assert list(zip(batch.texts, batch.targets)) == [
        ("text 0", 0),
        ("text 1", 0),
        ("text 2", 0),
        ("text 4", 1),
        ("text 6", 1),
        ("text 7", 1),
    ]
    assert dict(batch.unmapped) == {"<null>": 1}  # Markdown is ignored on purpose, not unmapped
