"""Generation: completions from an exported Hugging Face model directory, by one of two backends.

``transformers`` (default; CPU or GPU)
    ``AutoModelForCausalLM`` with its KV cache (``generate``), prompts batched with left padding; each row stops at
    end-of-document or at its problem's first stop sequence (checked on the decoded text as tokens arrive), or at
    ``max_new_tokens``. ``temperature == 0`` is greedy decoding (one sample, repeated ``n`` times).
``vllm`` (GPU clusters; the optional ``vllm`` extra)
    vLLM's ``LLM.generate`` on the same directory, with the same sampling settings and stop sequences. Where vLLM is
    not installed this backend is a CodescaleError naming the extra, never an ImportError.

Either way a completion is the decoded new text, cut before its first stop sequence (the stop sequence itself is not
kept), with why it ended: ``stop`` (a stop sequence), ``eos`` or ``length``.

Prompts are tokenised with the prepared corpus's tokenizer exactly as training tokenised documents: no BOS, no EOS.
Randomness: ``seed`` and the index of a batch seed each batch, so a resumed evaluation draws the same samples for the
batches it still has to generate. :func:`generate_without_cache` (a plain loop that re-runs the whole forward for
every new token) exists as the benchmark's baseline.

Imports torch and transformers only when a backend is built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError

log = logging.getLogger(__name__)
BACKENDS = ("transformers", "vllm")


@dataclass(frozen=True)
class SamplingSettings:
    """How samples are drawn (part of an evaluation's identity)."""

    n: int = 20
    """Samples per problem."""
    temperature: float = 0.2
    top_p: float = 0.95
    max_new_tokens: int = 512
    seed: int = 0

    def validate(self) -> None:
        if self.n < 1:
            raise CodescaleError(f"--n must be at least 1, got {self.n}")
        if self.temperature < 0:
            raise CodescaleError(f"--temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise CodescaleError(f"--top-p must be in (0, 1], got {self.top_p}")
        if self.max_new_tokens < 1:
            raise CodescaleError(f"--max-new-tokens must be at least 1, got {self.max_new_tokens}")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


@dataclass(frozen=True)
class Generation:
    text: str
    """The completion, cut before its first stop sequence."""
    tokens: int
    """New tokens generated (up to and including the one that completed a stop sequence)."""
    finish: str
    """``stop``, ``eos`` or ``length``."""


def cut_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """(text before the first stop sequence, whether one occurred)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return (text, False) if cut < 0 else (text[:cut], True)


class TransformersBackend:
    """Hugging Face transformers with its KV cache."""

    name = "transformers"

    def __init__(self, model_dir: str | Path, *, device: str = "auto", dtype: str = "auto", batch_size: int = 16):
        import torch
        from tokenizers import Tokenizer
        from transformers import AutoModelForCausalLM
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self.device = torch.device(
            "cuda" if device == "auto" and torch.cuda.is_available() else "cpu" if device == "auto" else device
        )
        torch_dtype = {
            "auto": torch.bfloat16 if self.device.type == "cuda" else torch.float32,
            "float32": torch.float32,
            "bfloat16": torch.bfloat16,
            "float16": torch.float16,
        }[dtype]
        model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch_dtype)
        # PreTrainedModel.to is decorated with functools.wraps(nn.Module.to), whose typeshed type takes the instance
        # as the first explicit argument: mypy reads the device as `self`
        self.model = model.to(self.device).eval()  # type: ignore[arg-type]
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        config = self.model.config
        self.eos_id = config.eos_token_id
        self.pad_id = config.pad_token_id if config.pad_token_id is not None else config.eos_token_id
        self.context = int(getattr(config, "max_position_embeddings", 0) or 0)
        self.batch_size = max(1, batch_size)
        self._warned_context = False

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def generate(
        self,
        prompts: Sequence[str],
        stops: Sequence[Sequence[str]],
        settings: SamplingSettings,
        seed: int = 0,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[Generation]]:
        """``n`` generations per prompt, in prompt order."""
        import torch

        draws = 1 if settings.greedy else settings.n
        rows = [(p, s) for p in range(len(prompts)) for s in range(draws)]
        out: list[list[Generation]] = [[] for _ in prompts]
        for number, start in enumerate(range(0, len(rows), self.batch_size)):
            batch = rows[start : start + self.batch_size]
            torch.manual_seed(seed * 1_000_003 + number)
            generations = self._batch([prompts[p] for p, _ in batch], [stops[p] for p, _ in batch], settings)
            for (p, _), generation in zip(batch, generations):
                out[p].append(generation)
            if progress:
                progress(len(batch))
        if settings.greedy:
            out = [samples * settings.n for samples in out]
        return out

    def _batch(self, prompts: list[str], stops: list[Sequence[str]], settings: SamplingSettings) -> list[Generation]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        encoded = [self.encode(p) or [self.pad_id] for p in prompts]
        if (
            self.context
            and not self._warned_context
            and max(map(len, encoded)) + settings.max_new_tokens > self.context
        ):
            log.warning(
                "a prompt plus --max-new-tokens exceeds the model's training context of %d tokens", self.context
            )
            self._warned_context = True
        width = max(map(len, encoded))
        input_ids = torch.full((len(encoded), width), self.pad_id, dtype=torch.long)
        attention = torch.zeros((len(encoded), width), dtype=torch.long)
        for i, ids in enumerate(encoded):  # left padding: every row's last prompt token is at the same column
            input_ids[i, width - len(ids) :] = torch.tensor(ids)
            attention[i, width - len(ids) :] = 1
        decode = self.tokenizer.decode
        # a stop sequence completes at the newest token, so only the tail needs decoding (every token is >= 1 byte)
        window = max((len(s.encode()) for row in stops for s in row), default=0) + 4

        class StopSequences(StoppingCriteria):
            def __call__(self, ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
                done = torch.zeros(ids.shape[0], dtype=torch.bool, device=ids.device)
                start = max(width, ids.shape[1] - window)
                for row in range(ids.shape[0]):
                    if stops[row]:
                        text = decode(ids[row, start:].tolist(), skip_special_tokens=True)
                        done[row] = any(s in text for s in stops[row])
                return done

        sampling: dict[str, bool | float] = {"do_sample": not settings.greedy}
        if not settings.greedy:
            sampling.update(temperature=settings.temperature, top_p=settings.top_p, top_k=0)
        with torch.no_grad():
            output = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=attention.to(self.device),
                max_new_tokens=settings.max_new_tokens,
                eos_token_id=self.eos_id,
                pad_token_id=self.pad_id,
                stopping_criteria=StoppingCriteriaList([StopSequences()]),
                use_cache=True,
                **sampling,
            )
        results = []
        for row in range(len(prompts)):
            new = output[row, width:].tolist()
            ended = self.eos_id in new
            if ended:
                new = new[: new.index(self.eos_id)]
            while new and new[-1] == self.pad_id and self.pad_id != self.eos_id:
                new.pop()
            text, stopped = cut_at_stop(self.tokenizer.decode(new, skip_special_tokens=True), stops[row])
            finish = "stop" if stopped else "eos" if ended else "length"
            results.append(Generation(text, len(new) + (1 if ended else 0), finish))
        return results


class VllmBackend:
    """vLLM on GPUs (``pip install 'codescale-titan-runner[vllm]'``)."""

    name = "vllm"

    def __init__(self, model_dir: str | Path, *, device: str = "auto", dtype: str = "auto", batch_size: int = 16):
        try:
            from vllm import LLM
        except ImportError:
            raise CodescaleError(
                "the vllm backend needs vLLM, which is not installed here",
                hint="on a GPU machine: pip install 'codescale-titan-runner[vllm]'; or use --backend transformers",
            ) from None
        self.llm = LLM(model=str(model_dir), dtype=dtype if dtype != "auto" else "auto", seed=0)

    def generate(
        self,
        prompts: Sequence[str],
        stops: Sequence[Sequence[str]],
        settings: SamplingSettings,
        seed: int = 0,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[Generation]]:
        from vllm import SamplingParams

        params = [
            SamplingParams(
                n=settings.n,
                temperature=settings.temperature,
                top_p=settings.top_p,
                max_tokens=settings.max_new_tokens,
                stop=list(stop),
                seed=seed + i,
            )
            for i, stop in enumerate(stops)
        ]
        outputs = self.llm.generate(list(prompts), params, use_tqdm=False)
        result = []
        for output in outputs:
            result.append(
                [
                    Generation(
                        o.text,
                        len(o.token_ids),
                        "stop"
                        if o.finish_reason == "stop" and o.stop_reason is not None
                        else "eos"
                        if o.finish_reason == "stop"
                        else "length",
                    )
                    for o in output.outputs
                ]
            )
        if progress:
            progress(len(prompts) * settings.n)
        return result


def make_backend(name: str, model_dir: str | Path, **options: Any) -> TransformersBackend | VllmBackend:
    """The named backend on ``model_dir`` (an exported model directory)."""
    if name == "transformers":
        try:
            import transformers  # noqa: F401
        except ImportError:
            raise CodescaleError(
                "the transformers backend needs Hugging Face transformers",
                hint="pip install 'codescale-titan-runner[eval]'",
            ) from None
        return TransformersBackend(model_dir, **options)
    if name == "vllm":
        return VllmBackend(model_dir, **options)
    raise CodescaleError(f"unknown generation backend {name!r}", hint=f"use one of {', '.join(BACKENDS)}")


def generate_without_cache(model: Any, input_ids: Any, max_new_tokens: int) -> Any:
    """Greedy decoding by re-running the full forward over the whole sequence for every new token (no KV cache):
    the baseline :mod:`bench.eval_bench` measures the cache against."""
    import torch

    ids = input_ids
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(input_ids=ids, use_cache=False).logits[:, -1, :]
            ids = torch.cat([ids, logits.argmax(dim=-1, keepdim=True)], dim=1)
    return ids
