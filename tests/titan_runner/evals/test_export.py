"""Export: a real torchtitan checkpoint becomes a Hugging Face model whose logits equal torchtitan's."""

from __future__ import annotations

import json

import pytest
import torch

from codescale.core.cli import main
from codescale.core.contracts import Run
from codescale.core.errors import CodescaleError
from codescale.titan_runner.evals.export import export_checkpoint, find_checkpoint, load_model_weights

pytestmark = pytest.mark.slow


def _torchtitan_model(run_dir, step):
    """The run's own model (its compiled config, SDPA on the CPU) with the checkpoint's weights."""
    from codescale.titan_runner import cpu_compat
    from codescale.titan_runner.rundir import RunDir
    from codescale.titan_runner.train import load_job_config

    cpu_compat.apply()
    config = load_job_config(Run.read(run_dir / "run.json"), RunDir(run_dir)).model_spec.model
    cpu_compat._swap_flex_for_sdpa(config)
    model = config.build()
    model.load_state_dict(load_model_weights(run_dir / "checkpoints" / f"step-{step}"), strict=True)
    return model.eval()


def test_the_exported_model_gives_the_same_logits_as_torchtitan(trained_run):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    exported = export_checkpoint(trained_run)
    assert exported.step == 4 and not exported.reused
    hf = AutoModelForCausalLM.from_pretrained(exported.path, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(exported.path)
    texts = ["def total(values, limit=3):\n    result = 0\n", "public class Util7 {\n    public static int "]
    ids = [tokenizer(t, add_special_tokens=False).input_ids[:12] for t in texts]
    tokens = torch.tensor([row + row[: 12 - len(row)] for row in ids])
    with torch.no_grad():
        expected = _torchtitan_model(trained_run, 4)(tokens)
        got = hf(tokens).logits
    assert got.dtype == torch.float32 and got.shape == expected.shape == (2, 12, 512)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_the_config_describes_the_run_and_the_tokenizer_is_the_corpus_one(trained_run, prepared_corpus):
    exported = export_checkpoint(trained_run, step=2)
    config = json.loads((exported.path / "config.json").read_text())
    shape = Run.read(trained_run / "run.json").model
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"]) == (
        shape.dim,
        shape.n_layers,
        shape.n_heads,
    )
    assert config["num_key_value_heads"] == shape.n_heads and config["rope_theta"] == 10000.0
    assert config["tie_word_embeddings"] is False and config["vocab_size"] == 512
    corpus_tokenizer = (prepared_corpus / "tokenizer" / "tokenizer.json").read_bytes()
    assert (exported.path / "tokenizer.json").read_bytes() == corpus_tokenizer
    record = json.loads((exported.path / "codescale_export.json").read_text())
    assert record["step"] == 2 and record["run_id"] == trained_run.name


def test_exporting_again_reuses_the_directory_unless_forced(trained_run):
    first = export_checkpoint(trained_run, step=4)
    weights = first.path / "model.safetensors"
    before = weights.stat().st_mtime_ns
    again = export_checkpoint(trained_run, step=4)
    assert again.reused and weights.stat().st_mtime_ns == before
    forced = export_checkpoint(trained_run, step=4, force=True)
    assert not forced.reused


def test_a_missing_checkpoint_step_lists_the_steps_there_are(trained_run, tmp_path, capsys):
    with pytest.raises(CodescaleError, match="no checkpoint of step 3") as err:
        find_checkpoint(trained_run, 3)
    assert "2, 4" in err.value.render()
    assert main(["export", str(trained_run), "--step", "3"]) == 2
    assert "steps with a checkpoint: 2, 4" in capsys.readouterr().err
    assert main(["export", str(trained_run), "--step", "2", "-o", str(tmp_path / "model")]) == 0
    assert "tmp" in capsys.readouterr().out and (tmp_path / "model" / "model.safetensors").is_file()
