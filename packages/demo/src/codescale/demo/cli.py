"""``codescale demo``: parse the options, run :func:`codescale.demo.study.run_demo`, print the closing summary.

The summary is the command's output (stdout); the stages' progress goes to the log (stderr).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from codescale.core.errors import CodescaleError
from codescale.demo.analysis import BOOTSTRAP

if TYPE_CHECKING:
    from codescale.demo.study import DemoResult


def register(command: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="codescale-demo", help="working directory (default ./codescale-demo)")
    parser.add_argument("--specs", nargs="*", help="spec files to run (default: the demo specs shipped with codescale)")
    parser.add_argument("--quick", action="store_true", help="the reduced study of the shipped quick/ specs (CI)")
    parser.add_argument(
        "--list-specs",
        action="store_true",
        help="print the paths of the spec files the demo would run (to copy or edit) and exit",
    )
    parser.add_argument(
        "--programs", type=int, default=None, help="parallel programs to generate (default 2500; 1000 with --quick)"
    )
    parser.add_argument("--max-parallel", type=int, default=2, help="runs trained at once (default 2)")
    parser.add_argument("--timeout", type=float, default=None, help="give up training after this many seconds")
    parser.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    from codescale.demo.study import PROGRAMS, QUICK_PROGRAMS, DemoConfig, run_demo, spec_files

    specs = [Path(s) for s in args.specs] if args.specs else spec_files(quick=args.quick)
    if args.list_specs:
        for spec in specs:
            print(spec)
        return 0
    missing = [s for s in specs if not s.is_file()]
    if missing:
        raise CodescaleError("spec file not found", source=missing[0], field="--specs", hint="pass existing YAML files")
    programs = args.programs or (QUICK_PROGRAMS if args.quick else PROGRAMS)
    cfg = DemoConfig(
        out=Path(args.out).resolve(),
        specs=specs,
        programs=programs,
        max_parallel=args.max_parallel,
        timeout_s=args.timeout,
    )
    started = time.perf_counter()
    result = run_demo(cfg)
    print_summary(result, time.perf_counter() - started)
    return 0 if result.states.get("failed", 0) == 0 else 1


def _interval(fit, name: str) -> str:
    value = fit.params.get(name)
    if value is None:
        return "-"
    ci = fit.intervals.get(name)
    text = f"{value:.3g}"
    if ci and all(x is not None for x in ci):
        text += f" [{ci[0]:.3g}, {ci[1]:.3g}]"
    return text


def print_summary(result: DemoResult, seconds: float) -> None:
    """The demo's closing summary (what a newcomer reads first)."""
    a = result.analysis
    print()
    print("=" * 100)
    print(
        f"codescale demo finished in {seconds / 60:.1f} min — {sum(result.states.values())} runs "
        f"({', '.join(f'{v} {k}' for k, v in sorted(result.states.items()))})"
    )
    print("stage times: " + ", ".join(f"{k} {v:.0f}s" for k, v in result.stage_seconds.items()))
    fits = a.get("language_fits") or []
    if fits:
        print(
            "\nPer-language law L(N, D) = E + A/N^alpha + B/D^beta (N non-embedding params, D tokens; "
            f"95% bootstrap intervals over runs, {BOOTSTRAP} replicates):"
        )
        for fit in fits:
            print(
                f"  {fit.group_value:10s} E {_interval(fit, 'E'):28s} alpha {_interval(fit, 'alpha'):26s} "
                f"beta {_interval(fit, 'beta'):26s} runs {fit.n_runs}"
            )
            for w in fit.warnings[:2]:
                print(f"  {'':10s} note: {w}")
    synergy = a.get("synergy_fits") or []
    if synergy:
        from codescale.laws.present import synergy_table

        print(
            "\nSynergy (relative gain of a 50:50 mix over the self-repetition baseline, ± one standard error over "
            "seeds; positive = mixing helps):"
        )
        print("  " + synergy_table(synergy[0]).replace("\n", "\n  "))
    pairing = a.get("pairing") or []
    if pairing:
        print("\nPairing effect: mean final translation loss on held-out parallel programs (target tokens only):")
        for organisation, directions, loss, _std, n, runs in pairing:
            print(f"  {directions:6s} {organisation:9s} {loss:.4f}  ({n} run x direction values, {runs} runs)")
    for fit in a.get("translation_fits") or []:
        if fit is a["translation_fits"][0]:
            print("\nTranslation laws L = A/N^alpha + L_inf per setting (mean loss over the setting's directions):")
        print(
            f"  {fit.group_value:16s} L_inf {_interval(fit, 'E'):28s} alpha {_interval(fit, 'alpha'):26s} "
            f"runs {fit.n_runs}{'' if fit.identified else '  (not identified)'}"
        )
    if a.get("multilingual") is not None:
        print("\nMixture laws, held-out comparison (relative errors: unit-free):")
        print("  " + a["multilingual"].render(per_domain=False).replace("\n", "\n  "))
    if a.get("allocation") is not None:
        print("\nRecommended allocation vs uniform:")
        print("  " + a["allocation"].render().replace("\n", "\n  "))
    for c in a.get("allocation_check") or []:
        interval = f" [{c['realised_low']:+.4f}, {c['realised_high']:+.4f}]" if c["realised_low"] is not None else ""
        predicted = (
            f" [{c['predicted_low']:+.4f}, {c['predicted_high']:+.4f}]" if c["predicted_low"] is not None else ""
        )
        print(
            f"\nClosing the loop (allocation_check, {c['n_allocated']} + {c['n_uniform']} runs trained): gain over "
            f"uniform predicted {c['predicted_gain']:+.4f}{predicted}, realised {c['realised_gain']:+.4f}{interval} "
            "nats"
        )
    for row in a.get("pass_at_1") or []:
        if row is a["pass_at_1"][0]:
            print(
                "\npass@1 on the built-in suite, largest model per language (greedy; near zero is expected at "
                "this scale):"
            )
        value = "-" if row["pass_at_1"] is None else f"{row['pass_at_1']:.3f}"
        print(f"  {row['language']:10s} {value} over {row['tasks']} tasks  ({row['run_id']})")
    check = a.get("reference_check")
    if check:
        cells = ", ".join(f"{lang} {c['passed']}/{c['total']}" for lang, c in sorted(check["by_language"].items()))
        print(f"  the harness's reference check (the suite's own solutions must all pass): {cells}")
    if a.get("directions"):
        print("\nThe paper's directions in this study (computed; rules in codescale.laws.directions):")
        for d in a["directions"]:
            print(f"  {d.verdict:28s} {d.claim}")
    for stage, why in a.get("problems", {}).items():
        print(f"\n{stage}: not available — {why}")
    report = a.get("report")
    print(
        f"\nreport:   {report or '-'}"
        + (f"\n          {report.parent / 'report.html'} (one page, figures embedded)" if report else "")
    )
    print(f"database: {result.db}")
    print("\nTry:")
    db = result.db
    print(
        f'  codescale sql --db {db} "SELECT language, params_non_embedding, tokens, round(loss, 4) AS loss '
        "FROM final_loss WHERE study = 'demo_per_language' ORDER BY language, params_non_embedding, tokens\""
    )
    print(
        f'  codescale sql --db {db} "SELECT target, aux, round(loss_self, 4) AS self, round(loss_mix, 4) AS mix, '
        'round(100 * rel_gain, 2) AS gain_pct FROM synergy_pairs ORDER BY target, aux"'
    )
    print(
        f"  codescale sql --db {db} \"SELECT coalesce(pairing_template, 'shuffled') AS organisation, seen, "
        'round(avg(loss), 4) AS loss FROM translation_final GROUP BY ALL ORDER BY seen, organisation"'
    )
    print(
        f'  codescale sql --db {db} "SELECT law, round(predicted_gain, 4) AS predicted, round(realised_gain, 4) AS '
        'realised, round(realised_low, 4) AS low, round(realised_high, 4) AS high FROM allocation_check"'
    )
