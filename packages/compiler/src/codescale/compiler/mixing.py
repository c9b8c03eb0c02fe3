"""Language proportions of a run and their exact token quotas.

A mixture resolves to proportions over the run's languages, in the vocabulary's fixed order (``LANGUAGE_IDS``),
which is also the language index the sampler writes into ``language_ids``:

- ``proportions``: as written; each share > 0, and they must sum to 1 within 1e-6;
- ``uniform``: 1/k each;
- ``natural``: training tokens of each language in the prepared corpus (``manifest.json``), normalised;
- ``temperature``: natural counts raised to 1/tau, normalised;
- ``from_allocation``: the ``proportions`` of an allocation file (``codescale.allocation/1``) written by the laws package.

Token quotas are integers that sum exactly to the run's tokens: each language gets the floor of its share, and the
tokens left over go one by one to the largest fractional remainders (ties to the earlier language).
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path

from codescale.compiler.spec import Spec
from codescale.compiler.validation import Problems
from codescale.core.contracts import FORMATS, PreparedManifest
from codescale.core.domains import LANGUAGE_IDS, canonical
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.core.yaml_source import Path_, load_yaml

SUM_TOLERANCE = 1e-6
ALLOCATION_FORMAT = FORMATS["allocation"]


def ordered(languages: list[str] | set[str]) -> list[str]:
    """Languages in the vocabulary's order."""
    present = set(languages)
    return [lang for lang in LANGUAGE_IDS if lang in present]


def largest_remainder(total: int, proportions: dict[str, float]) -> dict[str, int]:
    """Integer quotas summing exactly to ``total`` (largest-remainder rounding); shares must be finite and >= 0 with a
    positive sum (ValueError otherwise: callers validate the shares first)."""
    langs = list(proportions)
    norm = sum(proportions.values())
    if not all(math.isfinite(p) and p >= 0 for p in proportions.values()) or not 0 < norm < math.inf:
        raise ValueError(f"proportions must be finite, >= 0 and sum to a positive number, got {proportions}")
    exact = [total * proportions[lang] / norm for lang in langs]
    quotas = [math.floor(x) for x in exact]
    left = total - sum(quotas)
    order = sorted(range(len(langs)), key=lambda i: (-(exact[i] - quotas[i]), i))
    for i in order[:left]:
        quotas[i] += 1
    return dict(zip(langs, quotas))


@lru_cache(maxsize=64)
def prepared_manifest(prepared: str) -> PreparedManifest:
    """The prepared corpus manifest (read once per directory per process)."""
    return PreparedManifest.read_dir(prepared)


def corpus_tokens(prepared: str, language: str) -> int:
    """Training tokens of a language in a prepared corpus; CodescaleError if the corpus lacks the language."""
    manifest = prepared_manifest(prepared)
    try:
        return manifest.train_tokens(language)
    except KeyError:
        known = ", ".join(sorted(manifest.languages)) or "none"
        raise CodescaleError(
            f"the prepared corpus has no training tokens for {language!r}",
            source=Path(prepared) / "manifest.json",
            hint=f"it has: {known}",
        ) from None


@lru_cache(maxsize=64)
def allocation_proportions(path: str, display: str) -> tuple[tuple[str, float], ...]:
    """Proportions from an allocation file, validated (format, languages, positive shares summing to 1)."""
    data, smap = load_yaml(path, display)
    if not isinstance(data, dict):
        raise CodescaleError("an allocation file must be a mapping with format and proportions", source=display)
    fmt = str(data.get("format", ""))
    if not fmt.startswith(ALLOCATION_FORMAT):
        raise smap.error(("format",), f"unsupported allocation format {fmt!r}; this compiler reads {ALLOCATION_FORMAT}")
    shares = data.get("proportions")
    if not isinstance(shares, dict) or not shares:
        raise smap.error(("proportions",), "an allocation needs a non-empty proportions mapping {language: share}")
    out: dict[str, float] = {}
    for name, share in shares.items():
        try:
            lang = canonical(name)
        except CodescaleError as err:
            raise smap.error(("proportions", name), err.message, err.hint, key=True) from None
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not share > 0:
            raise smap.error(("proportions", name), f"share must be a positive number, got {share!r}")
        out[lang] = float(share)
    total = sum(out.values())
    if abs(total - 1) > SUM_TOLERANCE:
        raise smap.error(("proportions",), f"proportions sum to {total:.6g}; they must sum to 1")
    return tuple((lang, out[lang]) for lang in ordered(list(out)))


def mixture_kind(spec: Spec) -> str:
    mx = spec.mixture
    for kind, value in (
        ("explicit", mx.proportions),
        ("uniform", mx.uniform),
        ("natural", mx.natural),
        ("temperature", mx.temperature),
        ("allocation", mx.from_allocation),
    ):
        if value is not None:
            return kind
    return "explicit"


def resolve_proportions(spec: Spec, spec_dir: str, prepared: str | None, problems: Problems) -> dict[str, float]:
    mx = spec.mixture
    given = [
        k
        for k, v in (
            ("proportions", mx.proportions),
            ("uniform", mx.uniform),
            ("natural", mx.natural),
            ("temperature", mx.temperature),
            ("from_allocation", mx.from_allocation),
        )
        if v is not None
    ]
    if len(given) != 1:
        problems.add(
            ("mixture",),
            "give exactly one of proportions, uniform, natural, temperature, from_allocation"
            + (f" (found {', '.join(given)})" if given else ""),
            "e.g. uniform: [python, java]",
        )
        raise CodescaleErrors(problems.errors)
    kind = given[0]
    if kind == "proportions":
        shares = dict(mx.proportions or {})
        if not shares:
            problems.add(("mixture", "proportions"), "no languages given", "e.g. {python: 0.5, java: 0.5}")
            raise CodescaleErrors(problems.errors)
        for lang, share in shares.items():
            if share <= 0:
                problems.add(
                    ("mixture", "proportions", lang),
                    f"share of {lang} is {share}; shares must be > 0",
                    "remove the language instead of giving it 0",
                )
        total = sum(shares.values())
        if abs(total - 1) > SUM_TOLERANCE:
            problems.add(
                ("mixture", "proportions"),
                f"proportions sum to {total:.6g}; they must sum to 1",
                "rescale or add the missing language",
            )
        if problems.errors:
            raise CodescaleErrors(problems.errors)
        return {lang: shares[lang] for lang in ordered(list(shares))}
    if kind == "uniform":
        langs = ordered(mx.uniform or [])
        if not langs:
            problems.add(("mixture", "uniform"), "no languages given", "e.g. uniform: [python, java]")
            raise CodescaleErrors(problems.errors)
        return {lang: 1.0 / len(langs) for lang in langs}
    if kind == "from_allocation":
        assert mx.from_allocation is not None
        path = os.path.abspath(os.path.join(spec_dir, os.path.expanduser(mx.from_allocation)))
        if not os.path.exists(path):
            problems.add(
                ("mixture", "from_allocation"),
                f"allocation file {mx.from_allocation!r} not found",
                "paths are relative to the spec file; write one with `codescale allocate`",
            )
            raise CodescaleErrors(problems.errors)
        try:
            return dict(allocation_proportions(path, os.path.relpath(path)))
        except CodescaleError as err:
            problems.absorb(err)
            raise CodescaleErrors(problems.errors) from None
    # natural / temperature: corpus token counts
    named = mx.natural if kind == "natural" else mx.temperature.languages if mx.temperature else None
    langs = ordered(named or [])
    where: Path_ = ("mixture", kind)
    if not langs:
        problems.add(where, "no languages given")
        raise CodescaleErrors(problems.errors)
    if prepared is None:
        problems.add(
            where,
            f"a {kind} mixture needs the corpus token counts",
            "set corpus.prepared (or pass --prepared DIR) to a prepared corpus directory",
        )
        raise CodescaleErrors(problems.errors)
    counts = {}
    try:
        for lang in langs:
            counts[lang] = corpus_count = corpus_tokens(prepared, lang)
            if corpus_count <= 0:
                problems.add(where, f"the prepared corpus has no {lang} training tokens")
    except CodescaleError as err:
        problems.absorb(err)
    if problems.errors:
        raise CodescaleErrors(problems.errors)
    tau = 1.0 if kind == "natural" else spec.mixture.temperature.tau  # type: ignore[union-attr]
    try:  # the direct formula, whose exact floats existing run ids hash
        weights = {lang: counts[lang] ** (1.0 / tau) for lang in langs}
        norm = sum(weights.values())
        if not math.isfinite(norm):
            raise OverflowError
    except OverflowError:  # a small tau: the same shares computed in log space
        logs = {lang: math.log(counts[lang]) / tau for lang in langs}
        top = max(logs.values())
        weights = {lang: math.exp(value - top) for lang, value in logs.items()}
        norm = sum(weights.values())
    shares = {lang: w / norm for lang, w in weights.items()}
    starved = [lang for lang, share in shares.items() if share <= 0]
    if starved:
        problems.add(
            ("mixture", "temperature", "tau"),
            f"tau {tau:g} leaves {', '.join(starved)} with a share of 0",
            "raise tau (1 = natural proportions)",
        )
        raise CodescaleErrors(problems.errors)
    return shares


def resolve_max_epochs(spec: Spec, languages: list[str], problems: Problems) -> dict[str, float | None]:
    cap = spec.mixture.max_epochs
    if cap is None:
        return {lang: None for lang in languages}
    if isinstance(cap, (int, float)):
        if cap <= 0:
            problems.add(("mixture", "max_epochs"), f"max_epochs must be > 0, got {cap}")
        return {lang: float(cap) for lang in languages}
    for lang, value in cap.items():
        if lang not in languages:
            problems.add(
                ("mixture", "max_epochs", lang),
                f"{lang} is not in this run's mixture ({', '.join(languages)})",
                "remove it",
                key=True,
            )
        elif value <= 0:
            problems.add(("mixture", "max_epochs", lang), f"max_epochs must be > 0, got {value}")
    return {lang: (float(cap[lang]) if lang in cap else None) for lang in languages}


def resolve_repeat(
    spec: Spec, languages: list[str], max_epochs: dict[str, float | None], problems: Problems
) -> dict[str, float]:
    """``{lang: repeat}`` for the languages whose tokens are forced to repeat (the others are absent)."""
    given = spec.mixture.repeat
    if given is None:
        return {}
    scalar = isinstance(given, (int, float))
    per_language = {lang: float(given) for lang in languages} if isinstance(given, (int, float)) else given
    resolved: dict[str, float] = {}
    for lang, value in per_language.items():
        where: Path_ = ("mixture", "repeat") if scalar else ("mixture", "repeat", lang)
        cap = max_epochs.get(lang)
        if lang not in languages:
            problems.add(where, f"{lang} is not in this run's mixture ({', '.join(languages)})", "remove it", key=True)
        elif value < 1:
            problems.add(
                where,
                f"repeat must be >= 1 (how many times each unique token is seen), got {value:g}",
                "use 1 for fresh data, or 2 for the paper's self×2 baseline",
            )
        elif cap is not None and value > cap:
            problems.add(
                where,
                f"{lang} is repeated {value:g} times, above max_epochs {cap:g}",
                "raise max_epochs to at least repeat, or drop max_epochs",
            )
        else:
            resolved[lang] = float(value)
            continue
        if scalar:  # one number: one message, not one per language
            break
    return resolved


def paired_shares(directions: list[tuple[str, str]]) -> dict[str, float]:
    """Each language's share of the tokens in paired documents, if every direction gets equally many documents and a
    pair's two programs are equally long (the parallel corpus holds equivalent programs): a language in ``k`` of ``n``
    directions holds ``k / (2 n)`` of them. Both orders of a pair hold the same languages, so they change nothing."""
    if not directions:
        return {}
    counts: dict[str, int] = {}
    for src, tgt in directions:
        for lang in (src, tgt):
            counts[lang] = counts.get(lang, 0) + 1
    return {lang: k / (2 * len(directions)) for lang, k in counts.items()}


def unique_tokens(tokens_per_language: dict[str, int], repeat: dict[str, float]) -> dict[str, int]:
    """Size of each repeated language's pool of unique tokens: ceil(tokens_per_language / repeat)."""
    return {lang: int(math.ceil(tokens_per_language[lang] / r)) for lang, r in repeat.items()}
