"""Ground-truth laws for ``codescale simulate``: the ``paper`` preset and truth files of the same shape.

A truth (format ``codescale.truth/1``, JSON or YAML) holds, with N and D in **billions** (the paper's units):

``languages``    per language: ``alpha`` (α_N), ``beta`` (α_D), ``E`` (L∞), ``A``, ``B`` of
                 L_i(N, D_i) = E + A·N^−α + B·D_i^−β, where D_i is the run's tokens *of that language*.
``synergy``      ``{target: {aux: τ}}``: transfer coefficients of the mixture truth below.
``translation``  ``{"shuffled" | "parallel_seen" | "parallel_unseen": {A, B, alpha, beta, E}}``: translation loss of
                 a direction, L = E + A·N^−α + B·D^−β with D the run's total tokens; a run without pairing uses
                 ``shuffled`` for every direction, a paired run ``parallel_seen`` / ``parallel_unseen``.

The mixture truth (what a run with proportions p measures on language i, for p_i > 0)::

    L_i(N, D, p) = L_i(N, D·p_i) · (1 − Σ_{j≠i} τ_ij · s(p_i, p_j)),   s(p_i, p_j) = 4·p_i·p_j / (p_i + p_j)

s is 1 for a 50:50 pair, grows with both shares and vanishes when either does, so a strong pair gains most when it is
balanced (the paper's §6 reading). Repetition is not penalised (a self×2 baseline is as good as fresh data).

The ``paper`` preset (paper.md §3–§5):
- α_N, α_D, L∞ per language: Fig. 2 as reconstructed.
- A and B are not given by the paper. We set each reducible term to 0.5 nats at the smallest point of the §3 grid
  (N = 0.1B, D = 2B): A = 0.5·0.1^α_N, B = 0.5·2^α_D. Losses then run from about L∞ + 1 at (0.1B, 2B) down to
  L∞ + 0.03–0.25 at (3.1B, 64B), the range of the paper's figures.
- τ_ij: chosen so that at the synergy study's point (N = 1.1B, 128B tokens, 64B per language) the 50:50 run beats
  the self×2 baseline by exactly Table 1's relative gain g_ij: τ_ij = 1 − (1 − g_ij)·L_i(N, 128B) / L_i(N, 64B),
  i.e. τ_ij ≈ g_ij (it differs by the small data term).
- Translation: Eqs. 3–5. Eq. 4 prints α = 6.404, which would make the N term 1,500 nats at 0.2B; we read it as
  0.6404 (a lost decimal point). Its β (0.8829, identical to Eq. 3's) is kept as printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codescale.core.domains import LANGUAGE_IDS, domain_id
from codescale.core.errors import CodescaleError

TRUTH_FORMAT = "codescale.truth/1"

# Fig. 2 (reconstructed): α_N, α_D, L∞.
PAPER_PER_LANGUAGE = {
    "python": (0.221, 1.217, 0.566),
    "java": (0.447, 1.129, 0.397),
    "javascript": (0.692, 1.247, 0.554),
    "typescript": (0.439, 1.303, 0.518),
    "csharp": (0.321, 1.350, 0.288),
    "go": (0.845, 1.149, 0.414),
    "rust": (0.643, 1.297, 0.397),
}

# Table 1 relative gains (fractions; rows = target, columns = auxiliary), paper.md §4.
_ORDER = ("python", "java", "javascript", "typescript", "csharp", "go", "rust")
_TABLE1 = {
    "python": (None, 1.36, -1.12, -0.95, -1.69, -2.13, -2.72),
    "java": (6.02, None, 12.62, 12.08, 20.58, 10.68, 12.41),
    "javascript": (5.49, 2.98, None, 4.69, 2.44, 1.34, 2.56),
    "typescript": (4.17, 2.29, 3.34, None, 1.68, 1.39, 1.18),
    "csharp": (3.84, 1.93, 3.10, 3.71, None, 1.87, 1.98),
    "go": (4.77, 2.95, 2.70, 4.41, 2.95, None, 2.86),
    "rust": (3.87, 2.89, 4.20, 4.05, 2.81, 2.80, None),
}
PAPER_SYNERGY_GAIN = {
    t: {a: g / 100 for a, g in zip(_ORDER, row) if g is not None} for t, row in _TABLE1.items()
}  # fmt: skip

PAPER_TRANSLATION = {
    "shuffled": {"A": 0.1574, "B": 9.553, "alpha": 0.3470, "beta": 0.8829, "E": 0.1236},
    "parallel_seen": {"A": 0.0508, "B": 0.793, "alpha": 0.6404, "beta": 0.8829, "E": 0.1006},
    "parallel_unseen": {"A": 0.0350, "B": 4.518, "alpha": 0.781, "beta": 0.869, "E": 0.0524},
}

# Fig. 5(b) as reconstructed (paper.md §6): the paper's guided shares of 350B code tokens at 1.5B.
PAPER_GUIDED_SHARES = {
    "python": 0.219342857, "java": 0.158857143, "csharp": 0.126257143, "typescript": 0.117628571,
    "javascript": 0.104314286, "go": 0.130742857, "rust": 0.142857143,
}  # fmt: skip

SYNERGY_POINT = {"N": 1.1, "D": 128.0}  # billions: where Table 1 is reproduced exactly


def mono_loss(law: dict[str, float], n_billions: float, d_billions: float) -> float:
    return law["E"] + law["A"] * n_billions ** -law["alpha"] + law["B"] * d_billions ** -law["beta"]


def paper_truth() -> dict[str, Any]:
    """The ``paper`` preset as a truth dict (see the module docstring for every choice)."""
    languages = {
        lang: {"alpha": an, "beta": ad, "E": e, "A": 0.5 * 0.1**an, "B": 0.5 * 2.0**ad}
        for lang, (an, ad, e) in PAPER_PER_LANGUAGE.items()
    }
    n, d = SYNERGY_POINT["N"], SYNERGY_POINT["D"]
    synergy = {}
    for target, gains in PAPER_SYNERGY_GAIN.items():
        law = languages[target]
        ratio = mono_loss(law, n, d) / mono_loss(law, n, d / 2)
        synergy[target] = {aux: 1 - (1 - g) * ratio for aux, g in gains.items()}
    return {
        "format": TRUTH_FORMAT,
        "name": "paper",
        "units": "billions",
        "languages": languages,
        "synergy": synergy,
        "translation": {k: dict(v) for k, v in PAPER_TRANSLATION.items()},
    }


def load_truth(name_or_path: str) -> dict[str, Any]:
    """``paper`` or a JSON/YAML truth file; validated (known languages, positive parameters)."""
    if name_or_path == "paper":
        return paper_truth()
    path = Path(name_or_path)
    try:
        text = path.read_text()
    except OSError as err:
        raise CodescaleError(f"cannot read the truth file: {err.strerror}", source=path,
                             hint="pass --truth paper or a codescale.truth/1 JSON/YAML file") from None  # fmt: skip
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml

            truth = yaml.safe_load(text)
        else:
            truth = json.loads(text)
    except Exception as err:  # noqa: BLE001 - any parse error is the user's file
        raise CodescaleError(f"cannot parse the truth file: {err}", source=path) from None
    return validate_truth(truth, path)


def validate_truth(truth: Any, source: Path | str = "truth") -> dict[str, Any]:
    if not isinstance(truth, dict) or not str(truth.get("format", "")).startswith("codescale.truth/"):
        raise CodescaleError("not a truth file (need format: codescale.truth/1)", source=source, field="format")
    if truth["format"] != TRUTH_FORMAT:
        raise CodescaleError(f"unsupported truth format {truth['format']!r}; this codescale reads {TRUTH_FORMAT}",
                             source=source, field="format")  # fmt: skip
    if "mixture_law" in truth:
        spec = truth["mixture_law"]
        if not isinstance(spec, dict) or not {"law", "settings", "params"} <= set(spec):
            raise CodescaleError("mixture_law needs law, settings and params", source=source, field="mixture_law")
        from codescale.laws.mixlaws import law_from_settings

        law = law_from_settings(spec["law"], spec["settings"])
        for unit in law.units():
            missing = [n for n in law.names(unit) if n not in (spec["params"].get(unit) or {})]
            if missing:
                raise CodescaleError(f"mixture_law.params.{unit} lacks {', '.join(missing)}", source=source,
                                     field="mixture_law.params")  # fmt: skip
        return truth
    if truth.get("units", "billions") != "billions":
        raise CodescaleError("truth laws must use N and D in billions", source=source, field="units")
    languages = {}
    for name, law in (truth.get("languages") or {}).items():
        lang = domain_id(name)
        languages[lang] = _law(law, source, f"languages.{name}")
    if not languages:
        raise CodescaleError("the truth defines no languages", source=source, field="languages")
    synergy = {}
    for target, row in (truth.get("synergy") or {}).items():
        synergy[domain_id(target)] = {domain_id(aux): float(v) for aux, v in (row or {}).items()}
    translation = {k: _law(v, source, f"translation.{k}") for k, v in (truth.get("translation") or {}).items()}
    unknown = set(translation) - {"shuffled", "parallel_seen", "parallel_unseen"}
    if unknown:
        raise CodescaleError(f"unknown translation setting(s) {sorted(unknown)}", source=source, field="translation",
                             hint="use shuffled, parallel_seen, parallel_unseen")  # fmt: skip
    return {**truth, "units": "billions", "languages": languages, "synergy": synergy, "translation": translation}


def _law(law: Any, source, field: str) -> dict[str, float]:
    try:
        out = {k: float(law[k]) for k in ("A", "B", "E", "alpha", "beta")}
    except (KeyError, TypeError, ValueError):
        raise CodescaleError("a law needs numeric A, B, E, alpha, beta", source=source, field=field) from None
    if min(out["A"], out["B"], out["E"]) < 0:
        raise CodescaleError("A, B and E must be >= 0", source=source, field=field)
    return out


assert set(PAPER_PER_LANGUAGE) == set(LANGUAGE_IDS)
