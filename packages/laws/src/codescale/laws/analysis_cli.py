"""The analysis commands: ``fit``, ``validate-law``, ``allocate``, ``report``, ``simulate``.

Parse and print only: each command turns its options into typed arguments of a library function of
:mod:`codescale.laws` and prints what :mod:`codescale.laws.present` (or the result's own ``render``) makes of the
result; nothing here is imported by the library. Each takes ``--db PATH`` (default ``$CODESCALE_DB`` or
``./codescale.duckdb``). Heavy modules (scipy, matplotlib) are imported inside the command that needs them, so
``codescale --help`` stays quick. A rehearsal without GPUs::

    codescale compile specs/paper/per_language.yaml -o out/per_language      # likewise synergy, pairing
    codescale simulate out/per_language out/synergy out/pairing --truth paper --noise 0.005
    codescale fit chinchilla --by language --units billions --bootstrap 200  # prints a batch id
    codescale fit synergy
    codescale fit translation
    codescale fit mixture --where "n_languages > 1" --per-domain BATCH --compare
    codescale fit mixture --law synergy_factor --per-domain BATCH --bootstrap 100   # prints a fit id
    codescale fit pass-rate --suite builtin                                  # pass@1 vs validation loss
    codescale validate-law FIT_ID [--holdout "params_non_embedding > 2e9" | --folds 5]
    codescale allocate FIT_ID --tokens 350B --size 1.5B -o specs/next.yaml --base-spec specs/paper/allocation.yaml
    codescale report -o report/
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from codescale.core.errors import CodescaleError
from codescale.laws.perlanguage import MONOLINGUAL


def register(command: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="results store (default: $CODESCALE_DB or ./codescale.duckdb)")
    {"fit": _register_fit, "validate-law": _register_validate, "allocate": _register_allocate,
     "report": _register_report, "simulate": _register_simulate}[command](parser)  # fmt: skip


def _connect(args, create: bool = False):
    """The results store, writable (fits are stored); a missing file is an error unless ``create``."""
    from codescale.laws import store

    path = Path(args.db) if args.db else store.default_db_path()
    if not create and not path.exists():
        raise CodescaleError("no results store here", source=path,
                             hint="run `codescale ingest`, `import` or `simulate` first, or pass --db / set CODESCALE_DB")  # fmt: skip
    return store.connect(path)


def _add_method(p: argparse.ArgumentParser, units: str, where: str = "true") -> None:
    p.add_argument("--where", default=where, help=f"SQL predicate selecting the runs (default: {where})")
    p.add_argument("--bootstrap", type=int, default=0, metavar="B", help="bootstrap replicates over runs (0 = none)")
    p.add_argument(
        "--grid", choices=["full", "coarse"], default="full", help="initialisation grid (full: 4,500 starts)"
    )
    p.add_argument("--form", default=None, help="chinchilla (default), chinchilla_shared (alpha = beta) or n_only")
    p.add_argument("--units", choices=["raw", "billions"], default=units, help=f"N and D units (default {units})")
    p.add_argument("--delta", type=float, default=1e-3, help="Huber threshold on log residuals")
    p.add_argument("--ci", type=float, default=0.95, help="interval level")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--exhaustive", action="store_true",
                   help="run every grid start to convergence instead of successive halving")  # fmt: skip
    p.add_argument("--n-column", choices=["params_non_embedding", "params"], default="params_non_embedding",
                   help="which parameter count is N")  # fmt: skip


def _settings(args, default_form: str = "chinchilla"):
    from codescale.laws.fit import FitSettings

    s = FitSettings(form=args.form or default_form, units=args.units, delta=args.delta, grid=args.grid,
                    bootstrap=args.bootstrap, ci=args.ci, seed=args.seed, exhaustive=args.exhaustive)  # fmt: skip
    s.validate()
    return s


# --- fit ------------------------------------------------------------------------------------------------------------


def _register_fit(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="law", required=True, metavar="LAW")
    p = sub.add_parser("chinchilla", help="per-language law L = E + A/N^alpha + B/D^beta")
    p.add_argument("--db", default=argparse.SUPPRESS)
    _add_method(p, units="raw", where=MONOLINGUAL)
    p.add_argument("--by", choices=["language", "none"], default="language", help="one fit per language (default)")
    p.add_argument("--languages", default=None, help="comma list of languages to fit (default: all selected)")
    p.add_argument("--tokens", choices=["language", "total"], default="language",
                   help="D = that language's training tokens (default) or the run's total tokens")  # fmt: skip
    p.add_argument("--repetition", action="store_true",
                   help="D = repetition-aware effective tokens U + U·R*·(1 − e^(−R/R*)) where the run repeats data "
                        "(Muennighoff et al. 2023; U from run_languages.unique_tokens)")  # fmt: skip
    p.add_argument("--r-star", type=float, default=None, help="repetition constant R* (default 15.4)")
    p.set_defaults(func=_cmd_fit_chinchilla)

    p = sub.add_parser("translation", help="translation laws, seen vs unseen (paper Eqs. 3-5)")
    p.add_argument("--db", default=argparse.SUPPRESS)
    _add_method(p, units="billions")
    p.add_argument("--by", choices=["setting", "template", "direction"], default="setting")
    p.set_defaults(func=_cmd_fit_translation)

    p = sub.add_parser("synergy", help="bilingual synergy matrix (paper Table 1)")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--where", default="true", help="SQL predicate over synergy_pairs")
    p.add_argument("--ci", type=float, default=0.95)
    p.set_defaults(func=_cmd_fit_synergy)

    p = sub.add_parser("mixture", aliases=["multilingual"],
                       help="a mixture law over runs of several domains (paper Eqs. 6-7, ye_exp, joint_additive, "
                            "joint, effective_data, synergy_factor, regression); --compare ranks them all")  # fmt: skip
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--where", default="true", help="SQL predicate over final_loss choosing the runs (default: all)")
    p.add_argument(
        "--law",
        "--model",
        dest="law",
        default="paper",
        help="paper (default), ye_exp, joint_additive, joint, effective_data, synergy_factor, regression",
    )
    p.add_argument("--domains", default=None, help="comma list of evaluated domains to fit (default: every one)")
    p.add_argument("--per-domain", "--per-language", dest="per_domain", default=None, metavar="BATCH|FIT_IDS",
                   help="per-domain laws for paper/effective_data/synergy_factor (batch id or comma list of "
                        "chinchilla fits; default: the newest per domain)")  # fmt: skip
    p.add_argument("--synergy", default=None, metavar="FIT_ID", help="synergy fit giving tau (default: the newest)")
    p.add_argument("--bootstrap", type=int, default=0, metavar="B", help="bootstrap replicates over runs (0 = none)")
    p.add_argument("--delta", type=float, default=1e-3, help="Huber threshold on log residuals (default 1e-3)")
    p.add_argument("--ci", type=float, default=0.95, help="interval level")
    p.add_argument("--r-star", type=float, default=None, help="repetition constant R* (default 15.4)")
    p.add_argument(
        "--reference-scales",
        default=None,
        metavar="N0,D0",
        help="N and D enter paper/joint laws as N/N0, D/D0 (default: geometric means of the runs)",
    )
    p.add_argument("--compare", action="store_true", help="refit every law on the same folds, rank by held-out error")
    p.add_argument("--laws", default=None, help="with --compare: comma list of laws (default: all)")
    p.add_argument("--holdout", default=None, help="with --compare: SQL predicate of held-out runs (default: folds)")
    p.add_argument("--folds", type=int, default=5, help="with --compare: number of folds (default 5)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_fit_mixture)

    p = sub.add_parser("pass-rate", help="pass@k of generation evals vs validation loss, a logistic per language")
    p.add_argument("--db", default=argparse.SUPPRESS)
    p.add_argument("--suite", default=None, help="only this suite's evaluations (e.g. builtin; default: all)")
    p.add_argument("--k", type=int, default=1, help="which pass@k (default 1)")
    p.add_argument("--where", default="true", help="SQL predicate over the pass_vs_loss view")
    p.add_argument("--ceiling", type=float, default=None,
                   help="fix the logistic's ceiling c (e.g. 1); default: fitted in (0, 1]")  # fmt: skip
    p.add_argument("--bootstrap", type=int, default=0, metavar="B", help="bootstrap replicates over points")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_fit_pass_rate)


def _cmd_fit_chinchilla(args) -> int:
    from codescale.laws.fitstore import new_batch_id
    from codescale.laws.perlanguage import fit_language_laws
    from codescale.laws.present import law_fits_text

    settings = _settings(args)
    batch = new_batch_id()
    con = _connect(args)
    fits = fit_language_laws(
        con,
        settings,
        where=args.where,
        by_language=args.by == "language",
        languages=args.languages.split(",") if args.languages else None,
        tokens=args.tokens,
        repetition=args.repetition,
        r_star=args.r_star,
        n_column=args.n_column,
        batch=batch,
    )
    print(law_fits_text(fits))
    print(f"batch {batch}: {len(fits)} fit(s) stored; use the batch id with `fit mixture --per-domain`")
    return 0


def _cmd_fit_translation(args) -> int:
    from codescale.laws.fitstore import new_batch_id
    from codescale.laws.present import law_fits_text
    from codescale.laws.translation import fit_translation_laws

    settings = _settings(args)
    con = _connect(args)
    fits = fit_translation_laws(con, args.where, args.by, settings, args.n_column, batch=new_batch_id())
    print(law_fits_text(fits))
    return 0


def _cmd_fit_synergy(args) -> int:
    from codescale.laws.fitstore import new_batch_id
    from codescale.laws.present import synergy_table
    from codescale.laws.synergy import fit_synergy

    con = _connect(args)
    for fit in fit_synergy(con, args.where, args.ci, batch=new_batch_id()):
        print(f"{fit.fit_id}  {fit.group_value}  runs={fit.n_runs}")
        print(synergy_table(fit))
        for w in fit.warnings:
            print(f"  warning: {w}")
    return 0


def _cmd_fit_mixture(args) -> int:
    from codescale.core.domains import domain_id
    from codescale.laws.fitstore import new_batch_id
    from codescale.laws.mixfit import FitOptions
    from codescale.laws.repetition import R_STAR

    options = FitOptions(delta=args.delta, bootstrap=args.bootstrap, ci=args.ci, seed=args.seed)
    if not 0 < args.ci < 1 or args.delta <= 0 or args.bootstrap < 0:
        raise CodescaleError("--ci must lie in (0, 1), --delta be > 0 and --bootstrap >= 0")
    domains = [domain_id(x) for x in args.domains.split(",") if x.strip()] if args.domains else None
    r_star = args.r_star or R_STAR
    con = _connect(args)
    if args.compare:
        from codescale.laws.compare import compare_laws

        laws = [x.strip() for x in args.laws.split(",") if x.strip()] if args.laws else None
        result = compare_laws(con, args.where, laws=laws, holdout=args.holdout, folds=args.folds, seed=args.seed,
                              options=options, per_domain=args.per_domain, synergy=args.synergy, r_star=r_star,
                              eval_domains=domains, batch=new_batch_id())  # fmt: skip
        print(result.render())
        return 0
    from codescale.laws.mixture import fit_and_store
    from codescale.laws.present import mixture_fit_text

    reference = None
    if args.reference_scales:
        from codescale.core.quantities import parse_quantity

        try:
            n0, d0 = (parse_quantity(x) for x in args.reference_scales.split(","))
        except ValueError as err:
            raise CodescaleError(f"--reference-scales: {err}", hint="e.g. --reference-scales 1B,20B") from None
        reference = (float(n0), float(d0))
    fit, stored = fit_and_store(con, args.law, args.where, options, per_domain=args.per_domain, synergy=args.synergy,
                                r_star=r_star, eval_domains=domains, reference=reference, batch=new_batch_id())  # fmt: skip
    print(mixture_fit_text(stored))
    return 0


def _cmd_fit_pass_rate(args) -> int:
    from codescale.laws.fitstore import new_batch_id
    from codescale.laws.passrate import fit_pass_rate
    from codescale.laws.present import law_fits_text

    if args.ceiling is not None and not 0 < args.ceiling <= 1:
        raise CodescaleError(f"--ceiling must be in (0, 1], got {args.ceiling}")
    con = _connect(args)
    fits = fit_pass_rate(
        con,
        suite=args.suite,
        k=args.k,
        where=args.where,
        ceiling=args.ceiling,
        bootstrap=args.bootstrap,
        seed=args.seed,
        batch=new_batch_id(),
    )
    print(f"pass@{args.k} = c / (1 + exp(s (L - L0))), L = validation loss")
    print(law_fits_text(fits, names=("c", "s", "L0")))
    return 0


# --- validate-law ----------------------------------------------------------------------------------------------------


def _register_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fit_id", metavar="FIT_ID")
    parser.add_argument("--holdout", default=None,
                        help="SQL predicate of held-out runs (default: the largest-compute runs for a per-language "
                             "law, 5 folds for a mixture law)")  # fmt: skip
    parser.add_argument("--folds", type=int, default=None, help="K-fold cross-validation over runs instead")
    parser.add_argument("--fraction", type=float, default=0.2, help="share held out by default (by 6·N·D)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fold assignment")
    parser.set_defaults(func=_cmd_validate)


def _cmd_validate(args) -> int:
    from codescale.laws.validate import validate_fit

    con = _connect(args)
    result = validate_fit(con, args.fit_id, args.holdout, args.fraction, args.folds, args.seed)
    print(result.render())
    return 0


# --- allocate --------------------------------------------------------------------------------------------------------


def _register_allocate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fit_id", metavar="FIT_ID", help="a mixture fit, or a batch id / comma list of per-domain fits")
    parser.add_argument("--tokens", required=True, help="training tokens, e.g. 350B")
    parser.add_argument("--size", required=True, help="model size (non-embedding parameters), e.g. 1.5B")
    parser.add_argument(
        "--languages",
        "--domains",
        dest="languages",
        default=None,
        help="comma list of domains to allocate (default: every training domain of the fit)",
    )
    parser.add_argument("--weights", default=None, help="objective weights, e.g. python=2,java=1 (default equal)")
    parser.add_argument("--min-share", default=None, help="lower bound per language: 0.05 or python=0.1,rust=0.05")
    parser.add_argument("--max-share", default=None, help="upper bound per language, same syntax")
    parser.add_argument("--prepared", default=None, help="prepared corpus dir: caps tokens at available x max epochs")
    parser.add_argument(
        "--available",
        default=None,
        metavar="DOMAIN=TOKENS,...",
        help="distinct tokens each domain has (like --prepared, for any domain), e.g. go=10B",
    )
    parser.add_argument(
        "--max-epochs", type=float, default=4.0, help="repetition cap with --prepared/--available (default 4)"
    )
    parser.add_argument("--starts", type=int, default=16, help="optimiser starts on the simplex")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", default=None, help="spec YAML to write (and an allocation file next to it)")
    parser.add_argument("--base-spec", default=None, help="spec to copy (its mixture is replaced by from_allocation)")
    parser.add_argument("--allocation-file", default=None, help="where the allocation JSON goes (default: next to -o)")
    parser.set_defaults(func=_cmd_allocate)


def _assignments(text: str | None, option: str, example: str) -> dict[str, str]:
    """``NAME=VALUE,...`` as {name: value}; an entry without ``=`` is an error naming the option."""
    out = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CodescaleError(f"{option} entry {item!r} is not DOMAIN=VALUE", hint=f"e.g. {option} {example}")
        out[name.strip()] = value.strip()
    return out


def _fraction(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CodescaleError(f"{option}: {text!r} is not a number", hint=f"e.g. {option} 0.05") from None


def _per_domain(text: str | None, option: str) -> float | dict[str, float] | None:
    """``0.05`` (every domain) or ``python=0.1,rust=0.05`` (those domains)."""
    if not text:
        return None
    if "=" not in text:
        return _fraction(text, option)
    return {name: _fraction(value, option) for name, value in _assignments(text, option, "python=0.1").items()}


def _available_tokens(text: str | None) -> dict[str, float]:
    from codescale.core.quantities import parse_quantity

    out = {}
    for name, value in _assignments(text, "--available", "go=10B").items():
        try:
            out[name] = float(parse_quantity(value))
        except ValueError as err:
            raise CodescaleError(f"--available {name}={value}: {err}") from None
    return out


def _cmd_allocate(args) -> int:
    from codescale.core.quantities import parse_quantity
    from codescale.laws import allocate

    try:
        tokens, size = parse_quantity(args.tokens), parse_quantity(args.size)
    except ValueError as err:
        raise CodescaleError(f"--tokens/--size: {err}") from None
    languages = args.languages.split(",") if args.languages else None
    weights = _per_domain(args.weights, "--weights")
    min_share, max_share = _per_domain(args.min_share, "--min-share"), _per_domain(args.max_share, "--max-share")
    available = _available_tokens(args.available)
    con = _connect(args)
    result = allocate.allocate(con, args.fit_id, tokens, size, languages, weights=weights, min_share=min_share,
                               max_share=max_share, prepared=args.prepared, max_epochs=args.max_epochs,
                               starts=args.starts, seed=args.seed, available=available or None)  # fmt: skip
    allocate.write_outputs(result, args.output, args.base_spec, args.allocation_file)
    allocation_id = allocate.record(con, result)
    print(result.render())
    print(
        f"recorded as {allocation_id}: train it and the uniform mixture at the same N and D, ingest, then "
        f"`codescale sql \"SELECT * FROM allocation_check WHERE allocation_id = '{allocation_id}'\"`"
    )
    return 0


# --- report ----------------------------------------------------------------------------------------------------------


def _register_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", default="report", help="output directory (default ./report)")
    parser.add_argument("--batch", default=None, help="per-language fits to plot (default: newest per language)")
    parser.set_defaults(func=_cmd_report)


def _cmd_report(args) -> int:
    from codescale.laws.report import write_report

    con = _connect(args)
    path = write_report(con, Path(args.output), args.batch)
    print(f"wrote {path}")
    return 0


# --- simulate --------------------------------------------------------------------------------------------------------


def _register_simulate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN_JSON", nargs="+", help="plan.json (or compiled directories)")
    parser.add_argument(
        "--truth",
        default="paper",
        help="'paper', a codescale.truth/1 JSON/YAML file (per-language laws or a mixture_law of any "
        "law of the family), or fit:FIT_ID to generate from a stored mixture fit",
    )
    parser.add_argument("--noise", type=float, default=0.005, help="log-normal noise sigma on losses (default 0.005)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-truth", default=None, metavar="FILE", help="also write the truth used as JSON")
    parser.set_defaults(func=_cmd_simulate)


def _cmd_simulate(args) -> int:
    from codescale.laws.presets import load_truth
    from codescale.laws.simulate import load_plan, simulate_plan

    con = _connect(args, create=True)
    if args.truth.startswith("fit:"):
        from codescale.laws.simulate import truth_from_fit

        truth = truth_from_fit(con, args.truth[4:])
    else:
        truth = load_truth(args.truth)
    for plan_path in args.plan:
        report = simulate_plan(con, load_plan(plan_path), truth, args.noise, args.seed)
        print(f"{plan_path}: {report.summary()}")
    if args.write_truth:
        Path(args.write_truth).write_text(json.dumps(truth, indent=2) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `codescale fit|validate-law|allocate|report|simulate`")
