"""MixtureDataLoader: torchtitan's batch format from the mixtures sampler, language ids, resumable state."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch
from titan_testing import make_run

from codescale.core.errors import CodescaleError
from codescale.titan_runner.dataloader import MixtureDataLoader, document_positions


def _loader(run_dir, **kwargs):
    config = MixtureDataLoader.Config(
        manifest=str(run_dir / "mixture.json"), language_label_stride=kwargs.get("language_label_stride")
    )
    return config.build(
        dp_world_size=kwargs.get("world", 1),
        dp_rank=kwargs.get("rank", 0),
        tokenizer=None,
        seq_len=kwargs.get("seq_len", 64),
        local_batch_size=kwargs.get("batch", 4),
        snapshot_every_n_steps=None,
    )


def test_config_has_two_fields_of_its_own_the_manifest_and_the_label_stride():
    own = {f.name for f in dataclasses.fields(MixtureDataLoader.Config)} - {"dataset", "dataset_path"}
    assert own == {"manifest", "language_label_stride"}


def test_batches_have_torchtitan_shapes_and_labels_that_carry_their_language(tmp_path, prepared_corpus):
    from codescale.titan_runner.loss import decode_language_labels

    run_dir = make_run(tmp_path, prepared_corpus)
    inputs, labels = next(iter(_loader(run_dir)))
    assert set(inputs) == {"input", "positions"}
    assert inputs["input"].shape == labels.shape == (4, 64) and inputs["input"].dtype == torch.int64
    assert torch.equal(inputs["input"][:, 1:], labels[:, :-1])  # plain labels: the next tokens

    encoded_inputs, encoded = next(iter(_loader(run_dir, language_label_stride=512)))
    tokens, languages = decode_language_labels(encoded, 512)
    assert torch.equal(tokens, labels) and torch.equal(encoded_inputs["input"], inputs["input"])
    assert set(languages.unique().tolist()) == {0, 1}  # python and java rows, every label with its language


def test_restoring_the_state_replays_the_same_batches(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus)
    first = _loader(run_dir)
    it = iter(first)
    next(it)
    state = first.state_dict()
    expected = [next(it)[1] for _ in range(2)]
    second = _loader(run_dir)
    second.load_state_dict(json.loads(json.dumps(state)))
    it2 = iter(second)
    assert all(torch.equal(next(it2)[1], e) for e in expected)


def test_two_ranks_draw_different_rows_of_the_same_global_batch(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus)
    whole = next(iter(_loader(run_dir, batch=4)))[1]
    rank0 = next(iter(_loader(run_dir, batch=2, world=2, rank=0)))[1]
    rank1 = next(iter(_loader(run_dir, batch=2, world=2, rank=1)))[1]
    assert torch.equal(torch.cat([rank0, rank1]), whole)


def test_state_from_another_world_size_is_refused(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus)
    state = _loader(run_dir).state_dict()
    with pytest.raises(CodescaleError, match="data-parallel"):
        _loader(run_dir, batch=2, world=2, rank=0).load_state_dict(state)


def test_a_seq_len_override_that_disagrees_with_the_mixture_is_refused(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus)
    with pytest.raises(CodescaleError, match="seq_len"):
        _loader(run_dir, seq_len=128)


def test_a_mixture_without_a_prepared_corpus_is_refused(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus)
    manifest = json.loads((run_dir / "mixture.json").read_text())
    (run_dir / "mixture.json").write_text(json.dumps({**manifest, "prepared": None}))
    with pytest.raises(CodescaleError, match="names no prepared corpus") as caught:
        _loader(run_dir)
    assert caught.value.field == "prepared" and str(run_dir / "mixture.json") in caught.value.render()


def test_a_missing_manifest_names_the_file(tmp_path):
    with pytest.raises(CodescaleError, match="mixture file not found"):
        _loader(tmp_path / "nowhere")


def test_positions_restart_after_each_end_of_document():
    eos = 9
    ids = np.array([[5, 6, eos, 7, 8, eos, 1], [eos, 1, 2, 3, 4, 5, 6]])
    assert document_positions(ids, eos).tolist() == [[0, 1, 2, 0, 1, 2, 0], [0, 0, 1, 2, 3, 4, 5]]
