"""The tokenizer: a byte-level BPE trained on a language-balanced sample, or an existing ``tokenizer.json``.

Balanced means every language contributes the same number of training documents, so the vocabulary does not
favour whichever language the corpus happens to hold most of. The result is a directory with ``tokenizer.json``
and ``tokenizer_config.json`` that torchtitan's ``HuggingFaceTokenizer`` loads as it is (it reads ``bos_token`` /
``eos_token`` from the config and finds them among the added tokens). Identity is the sha256 of ``tokenizer.json``.

Three special tokens exist in a trained tokenizer: ``<|bos|>``, ``<|eos|>`` (ends every document in the shards)
and ``<|pad|>``. An existing tokenizer must have an EOS token, named in its ``tokenizer_config.json`` or called one
of the usual names; prepare refuses one without.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

from codescale.core.errors import CodescaleError

BOS, EOS, PAD = "<|bos|>", "<|eos|>", "<|pad|>"
_EOS_NAMES = ("<|eos|>", "<|endoftext|>", "</s>", "<eos>", "<|end_of_text|>")
_BOS_NAMES = ("<|bos|>", "<|begin_of_text|>", "<s>", "<bos>")
_PAD_NAMES = ("<|pad|>", "<pad>", "[PAD]")


@dataclass(frozen=True)
class TokenizerInfo:
    """What the shards and the sampler need to know about the tokenizer."""

    dir: Path
    sha256: str
    vocab_size: int
    bos_id: int | None
    eos_id: int
    pad_id: int

    def manifest(self, root: Path) -> dict:
        return {
            "dir": os.path.relpath(self.dir, root),
            "sha256": self.sha256,
            "vocab_size": self.vocab_size,
            "bos_id": self.bos_id,
            "eos_id": self.eos_id,
            "pad_id": self.pad_id,
        }


def train_tokenizer(samples: Iterable[str], vocab_size: int, out_dir: Path) -> TokenizerInfo:
    """Train a byte-level BPE on ``samples`` and save it into ``out_dir``."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[BOS, EOS, PAD],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(samples, trainer)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out_dir / "tokenizer.json"))
    _write_config(out_dir, {"bos_token": BOS, "eos_token": EOS, "pad_token": PAD})
    return describe(out_dir)


def copy_tokenizer(tokenizer_json: Path, out_dir: Path) -> TokenizerInfo:
    """Use an existing ``tokenizer.json`` (and its ``tokenizer_config.json`` when one sits next to it)."""
    try:
        tokenizer = Tokenizer.from_file(str(tokenizer_json))
    except Exception as err:  # tokenizers raises plain Exception for unreadable files
        raise CodescaleError(
            f"not a tokenizers tokenizer.json ({err})",
            source=tokenizer_json,
            hint="point tokenizer.path at a Hugging Face tokenizer.json",
        ) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tokenizer_json, out_dir / "tokenizer.json")
    config_path = tokenizer_json.parent / "tokenizer_config.json"
    config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    vocab = tokenizer.get_vocab(with_added_tokens=True)
    for key, names in (("eos_token", _EOS_NAMES), ("bos_token", _BOS_NAMES), ("pad_token", _PAD_NAMES)):
        if _token_name(config.get(key)) not in vocab:
            found = next((name for name in names if name in vocab), None)
            if found is not None:
                config[key] = found
    if _token_name(config.get("eos_token")) not in vocab:
        raise CodescaleError(
            "the tokenizer has no end-of-document token",
            source=tokenizer_json,
            hint=f"add eos_token to a tokenizer_config.json next to it, or use one with one of {', '.join(_EOS_NAMES)}",
        )
    config.setdefault("add_bos_token", False)
    config.setdefault("add_eos_token", False)
    _write_config(out_dir, config)
    return describe(out_dir)


def _write_config(out_dir: Path, tokens: dict) -> None:
    config = {
        "add_bos_token": False,
        "add_eos_token": False,
        "model_max_length": 1 << 20,
        "tokenizer_class": "PreTrainedTokenizerFast",
        **tokens,
    }
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")


def _token_name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


def describe(tokenizer_dir: Path) -> TokenizerInfo:
    """Read a saved tokenizer directory back: hash, vocabulary size and special-token ids."""
    tokenizer_json = tokenizer_dir / "tokenizer.json"
    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    config = json.loads((tokenizer_dir / "tokenizer_config.json").read_text())
    ids = {
        key: tokenizer.token_to_id(_token_name(config.get(key)) or "")
        for key in ("bos_token", "eos_token", "pad_token")
    }
    eos = ids["eos_token"]
    if eos is None:
        raise CodescaleError(
            "the tokenizer has no end-of-text token",
            source=tokenizer_dir / "tokenizer_config.json",
            field="eos_token",
            hint="name a token of tokenizer.json's vocabulary as eos_token",
        )
    return TokenizerInfo(
        dir=tokenizer_dir,
        sha256=hashlib.sha256(tokenizer_json.read_bytes()).hexdigest(),
        vocab_size=tokenizer.get_vocab_size(with_added_tokens=True),
        bos_id=ids["bos_token"],
        eos_id=eos,
        pad_id=ids["pad_token"] if ids["pad_token"] is not None else eos,
    )


def document_encoder(info: TokenizerInfo) -> Tokenizer:
    """The tokenizer as prepare uses it: no BOS, and EOS appended to every document inside Rust.

    ``encode_batch(texts)`` gives documents ending in EOS; ``encode_batch(texts, add_special_tokens=False)`` gives
    bare text (separators, translation examples).
    """
    tokenizer = Tokenizer.from_file(str(info.dir / "tokenizer.json"))
    eos = tokenizer.id_to_token(info.eos_id)
    tokenizer.post_processor = processors.TemplateProcessing(single=f"$A {eos}", special_tokens=[(eos, info.eos_id)])
    return tokenizer
