"""Every validation rule of the spec language, each with a real bad-spec fixture in fixtures/bad/.

Each fixture breaks one rule (``several_errors`` breaks three). The test asserts the exact one-line messages,
``file:line:col field: message (hint)``, that `codescale validate` prints, so a change of wording or of location is
a visible, reviewed change.
"""

from pathlib import Path

import pytest

from codescale.compiler.plan import OverBudget, plan_spec
from codescale.core.cli import main
from codescale.core.errors import CodescaleError

BAD = Path(__file__).parent / "fixtures" / "bad"

EXPECTED = {
    "alias_bomb": [
        "alias_bomb.yaml:6:49 alias *d3 expands past 100,000 values (an alias bomb?) (write the values out, or use fewer aliases of large nodes)",
    ],
    "alias_twice": [
        "alias_twice.yaml:4:16 mixture.proportions: python is listed twice (as 'python' and 'py')",
    ],
    "allocation_bad_sum": [
        "allocation_bad_sum.alloc.yaml:3:3 proportions: proportions sum to 0.9; they must sum to 1",
    ],
    "allocation_missing": [
        "allocation_missing.yaml:4:20 mixture.from_allocation: allocation file 'nowhere.yaml' not found (paths are relative to the spec file; write one with `codescale allocate`)",
    ],
    "batch_not_multiple": [
        "batch_not_multiple.yaml:12:24 training.global_batch_tokens: 4000 tokens per step is not a multiple of seq_len × data-parallel ranks = 128 (use 3968)",
    ],
    "budget_unreadable": [
        "budget_unreadable.yaml:9:11 budget.tokens: expected a number such as 150M, 0.2B or 3e21, got 'lots'",
    ],
    "control_character": [
        "control_character.yaml:2:12 a control character (U+0001) is not allowed in YAML (delete it; YAML allows tabs, line breaks and printable text only)",
    ],
    "decay_ratio_without_wsd": [
        "decay_ratio_without_wsd.yaml:14:16 training.decay_ratio: decay_ratio applies to decay: wsd, not cosine (remove it, or use decay: wsd)",
    ],
    "decay_unknown": [
        "decay_unknown.yaml:13:10 training.decay: Input should be 'cosine', 'linear' or 'wsd'",
    ],
    "direction_malformed": [
        "direction_malformed.yaml:18:16 pairing.directions[0]: 'python to java' is not a direction (write it as \"python->java\")",
    ],
    "direction_without_pivot": [
        "direction_without_pivot.yaml:18:32 pairing.directions[1]: java->go does not involve the pivot python (the parallel corpus pairs the pivot with each other language)",
    ],
    "duplicate_key": [
        "duplicate_key.yaml:8:3 model.vocab_size: duplicate key 'vocab_size' (first written on line 7) (keep one of them)",
    ],
    "empty": [
        "empty.yaml:1:1 the file holds no YAML document (it is empty or only comments) (start from a file in specs/demo/)",
    ],
    "eval_direction_unknown_language": [
        "eval_direction_unknown_language.yaml:17:17 eval.translation[0]: unknown language 'cobol' (known languages: Python, Java, JavaScript, TypeScript, C#, Go, Rust (aliases such as py, js, ts, c#, golang, rs work too))",
    ],
    "float8_odd_dims": [
        "float8_odd_dims.yaml:16:9 float8: float8 needs dim and ffn_dim to be multiples of 16 (dim 72, ffn_dim 192) (use float8: auto, or a shape with such dimensions)",
    ],
    "float8_on_a100": [
        "float8_on_a100.yaml:16:9 float8: float8 needs an SM 8.9+ GPU (H100/H800); A100 is SM 8.0 (use float8: auto or false)",
    ],
    "float8_on_cpu": [
        "float8_on_cpu.yaml:16:9 float8: float8 needs an SM 8.9+ GPU (H100/H800); cpu is not an NVIDIA GPU (use float8: auto or false)",
    ],
    "float8_unknown_value": [
        "float8_unknown_value.yaml:16:9 float8: Input should be 'auto', True or False",
    ],
    "gpu_unknown": [
        "gpu_unknown.yaml:14:8 cluster.gpu: Input should be 'H800', 'H100', 'H200', 'A100' or 'cpu'",
    ],
    "heads_do_not_divide": [
        "heads_do_not_divide.yaml:6:42 model.shape.n_heads: dim 64 is not divisible by n_heads 5 (pick heads that divide the width)",
    ],
    "lr_nan": [
        "lr_nan.yaml:13:7 training.lr: Input should be a finite number",
    ],
    "lr_negative": [
        "lr_negative.yaml:13:7 training.lr: Input should be greater than 0",
    ],
    "lr_rule_overflow": [
        "lr_rule_overflow.yaml:14:5 training.lr: the rule gives a learning rate of inf for 101k parameters (the rule must give a learning rate in (0, 1])",
    ],
    "max_epochs_foreign": [
        "max_epochs_foreign.yaml:5:16 mixture.max_epochs.java: java is not in this run's mixture (python) (remove it)",
    ],
    "micro_batch_not_divisor": [
        "micro_batch_not_divisor.yaml:13:21 training.micro_batch_size: micro_batch_size 5 does not divide the 32 sequences each device gets per step (pick a divisor, or change global_batch_tokens)",
    ],
    "mixture_missing": [
        "mixture_missing.yaml:2:1 mixture: required field 'mixture' is missing",
    ],
    "natural_needs_corpus": [
        "natural_needs_corpus.yaml:4:12 mixture.natural: a natural mixture needs the corpus token counts (set corpus.prepared (or pass --prepared DIR) to a prepared corpus directory)",
    ],
    "nesting_too_deep": [
        "nesting_too_deep.yaml:16:78 nesting deeper than 64 levels (flatten the document)",
    ],
    "not_a_mapping": [
        "not_a_mapping.yaml:2:1 a spec must be a YAML mapping with study, mixture, model, budget, ..., not a list (start from a file in specs/demo/)",
    ],
    "not_utf8": [
        "not_utf8.yaml:2:12 not UTF-8 text: byte 0xff at byte offset 48 (invalid start byte) (save the file as UTF-8 (binary junk or a file in another encoding?))",
    ],
    "over_budget": [
        "over_budget.yaml:10:14 budget.gpu_hours: the plan needs an estimated 0.0067 GPU-hours for 1 runs, over the budget of 1e-06 (raise budget.gpu_hours, shrink the sweep, or check cluster.mfu)",
    ],
    "parallel_degrees_mismatch": [
        "parallel_degrees_mismatch.yaml:17:3 parallelism: dp_shard × dp_replicate = 3, but the run has 4 processes (make their product nodes × gpus_per_node, or leave them out to derive them)",
    ],
    "pairing_over_quota": [
        "pairing_over_quota.yaml:8:13 pairing.fraction: paired documents alone would put about 0.5 of the run's tokens in python (one side of the pairs of 2 of the 2 directions), more than its share of 0.333 (lower pairing.fraction to at most 0.667 (less if python's programs are longer than their translations), or raise python's proportion to at least 0.5)",
    ],
    "pivot_not_in_mixture": [
        "pivot_not_in_mixture.yaml:17:3 pairing.pivot: pivot python is not in this run's mixture (java, go) (add it to the mixture or choose another pivot)",
    ],
    "proportions_nan": [
        "proportions_nan.yaml:4:25 mixture.proportions.python: Input should be a finite number",
        "proportions_nan.yaml:4:37 mixture.proportions.java: Input should be a finite number",
    ],
    "proportions_sum": [
        "proportions_sum.yaml:5:5 mixture.proportions: proportions sum to 0.97; they must sum to 1 (rescale or add the missing language)",
    ],
    "recursive_alias": [
        "recursive_alias.yaml:4:28 alias *langs refers to a node that contains it (a recursive alias) (write the value out instead of referring to its own parent)",
    ],
    "repeat_above_max_epochs": [
        "repeat_above_max_epochs.yaml:6:11 mixture.repeat: python is repeated 3 times, above max_epochs 2 (raise max_epochs to at least repeat, or drop max_epochs)",
    ],
    "seed_negative": [
        "seed_negative.yaml:13:9 training.seed: Input should be greater than or equal to 0",
    ],
    "several_errors": [
        "several_errors.yaml:4:13 mixture.uniform[0]: unknown language 'pyton'; known languages: Python, Java, JavaScript, TypeScript, C#, Go, Rust (aliases such as py, js, ts, c#, golang, rs work too)",
        "several_errors.yaml:9:11 budget.tokens: expected a number such as 150M, 0.2B or 3e21, got 'lots'",
        "several_errors.yaml:11:12 training.seq_len: Input should be greater than or equal to 8",
    ],
    "size_and_shape": [
        'size_and_shape.yaml:6:3 model: give exactly one of model.size and model.shape (e.g. size: "0.2B")',
    ],
    "size_rule_empty": [
        "size_rule_empty.yaml:13:14 training.global_batch_tokens.by_size: by_size needs at least one {size: value} entry",
    ],
    "size_unreadable": [
        "size_unreadable.yaml:6:9 model.size: expected a number such as 150M, 0.2B or 3e21, got 'huge'",
    ],
    "study_name_invalid": [
        "study_name_invalid.yaml:2:8 study: String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.-]*$'",
    ],
    "sweep_bad_value": [
        "sweep_bad_value.yaml:18:24 model.size: expected a number such as 150M, 0.2B or 3e21, got 'tiny'",
    ],
    "sweep_block_typo": [
        "sweep_block_typo.yaml:17:3 sweep.products: unknown field 'products' (known fields: product, zip, include, exclude, name)",
    ],
    "sweep_duplicate_runs": [
        "sweep_duplicate_runs.yaml:17:3 sweep: sweep points 1 and 2 resolve to the same run minimal-100k-3590d78e (remove the duplicate values or make the runs differ)",
    ],
    "sweep_filter_not_axis": [
        "sweep_filter_not_axis.yaml:20:8 sweep.exclude[0].budget.tokens: 'budget.tokens' is not an axis of this sweep block (axes: model.size)",
    ],
    "sweep_filters_everything": [
        "sweep_filters_everything.yaml:17:3 sweep: include/exclude filter out every sweep point, so the spec has no runs (loosen the filters)",
    ],
    "sweep_gpu_hours": [
        "sweep_gpu_hours.yaml:18:5 sweep.product.budget.gpu_hours: budget.gpu_hours limits the whole spec and cannot be swept (set it once under budget)",
    ],
    "sweep_name_placeholder": [
        "sweep_name_placeholder.yaml:17:9 sweep.name: name template refers to {model.depth}, which this run does not set (use a swept field path or a field written in the spec)",
    ],
    "sweep_no_blocks": [
        "sweep_no_blocks.yaml:16:8 sweep: the sweep has no blocks, so the spec has no runs (add a block or remove `sweep`)",
    ],
    "sweep_too_big": [
        "sweep_too_big.yaml:16:1 sweep: the sweep expands into 1,000,000 points (counted before include/exclude), over the limit of 100,000 runs (shrink the sweep, or raise the limit with --max-runs N)",
    ],
    "sweep_unknown_path": [
        "sweep_unknown_path.yaml:18:5 sweep.product.model.sise: 'model.sise' is not a field that can be swept (fields here: size, shape, vocab_size, params_counted)",
    ],
    "sweep_zip_lengths": [
        "sweep_zip_lengths.yaml:18:5 sweep.zip: zipped axes have different lengths (model.size: 2, budget.tokens: 1) (give every zip axis as many values)",
    ],
    "swept_body_nan": [
        "swept_body_nan.yaml:9:11 budget.tokens: expected a finite number, got nan",
    ],
    "template_without_parallel": [
        "template_without_parallel.yaml:17:13 pairing.template: template applies to mode: parallel (remove it or set mode: parallel)",
    ],
    "tokens_and_compute": [
        'tokens_and_compute.yaml:9:3 budget: give exactly one of budget.tokens and budget.compute (e.g. tokens: "64B" or "20x")',
    ],
    "tokens_huge_integer": [
        "tokens_huge_integer.yaml:9:11 budget.tokens: expected a number below 1e308, got one with about 401 digits",
    ],
    "tokens_too_many": [
        "tokens_too_many.yaml:9:11 budget.tokens: 1e+21 training tokens is above the most a run may train on (1e+18) (lower the budget)",
    ],
    "two_mixture_kinds": [
        "two_mixture_kinds.yaml:4:3 mixture: give exactly one of proportions, uniform, natural, temperature, from_allocation (found uniform, natural) (e.g. uniform: [python, java])",
    ],
    "unknown_field": [
        "unknown_field.yaml:11:3 training.seq_length: unknown field 'seq_length' (known fields: seq_len, global_batch_tokens, micro_batch_size, lr, min_lr_ratio, warmup, decay, decay_ratio, weight_decay, max_norm, seed, checkpoint_interval, log_interval)",
    ],
    "unknown_language": [
        "unknown_language.yaml:4:21 mixture.uniform[1]: unknown language 'cobol'; known languages: Python, Java, JavaScript, TypeScript, C#, Go, Rust (aliases such as py, js, ts, c#, golang, rs work too)",
    ],
    "vocab_unknown": [
        "vocab_unknown.yaml:6:3 model: the vocabulary size is unknown (set model.vocab_size, or corpus.prepared (--prepared) to read the tokenizer's)",
    ],
    "warmup_infinite": [
        "warmup_infinite.yaml:13:11 training.warmup: Input should be a finite number",
    ],
    "warmup_too_long": [
        "warmup_too_long.yaml:13:11 training.warmup: warmup of 500 steps is not shorter than the run's 98 steps (use fewer warmup steps or a fraction such as 0.01)",
    ],
    "yaml_syntax": [
        "yaml_syntax.yaml:5:6 invalid YAML: did not find expected ',' or ']' (fix the YAML syntax)",
    ],
    "zero_share": [
        "zero_share.yaml:4:36 mixture.proportions.java: share of java is 0.0; shares must be > 0 (remove the language instead of giving it 0)",
    ],
}


def test_every_bad_fixture_has_an_expectation():
    fixtures = {p.stem for p in BAD.glob("*.yaml") if not p.name.endswith(".alloc.yaml")}
    assert fixtures == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_spec_reports_location_field_and_fix(name, monkeypatch):
    monkeypatch.chdir(BAD)
    with pytest.raises(CodescaleError) as info:
        plan_spec(f"{name}.yaml")
    assert info.value.render().splitlines() == EXPECTED[name]


def test_over_budget_is_its_own_error_and_exits_1(monkeypatch, capsys):
    monkeypatch.chdir(BAD)
    with pytest.raises(OverBudget):
        plan_spec("over_budget.yaml")
    assert main(["plan", "over_budget.yaml"]) == 1
    assert "the plan needs an estimated 0.0067 GPU-hours" in capsys.readouterr().err


def test_cli_prints_each_error_on_one_line_and_exits_2(monkeypatch, capsys):
    monkeypatch.chdir(BAD)
    assert main(["validate", "several_errors.yaml"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["error: " + EXPECTED["several_errors"][0], *EXPECTED["several_errors"][1:]]
