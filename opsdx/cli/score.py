"""``opsdx score``: stage, probability, index and top blockers of each client or answers file.

A client folder is scored through the workbook's diagnosis (its ``maturity``
part); a bare answers file through :func:`~opsdx.score_maturity`, the function
that part calls, with the options checked alike.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ..maturity import score_maturity
from ..questionnaire import load_questionnaire
from ..responses import read_responses
from ._common import (Found, add_client_options, add_json, add_workbook_options,
                      client_options, diagnosed, file_conventions, file_params, fmt, option,
                      printable, report_each, targets)


def register(sub) -> None:
    """Add the ``score`` sub-command."""
    score = sub.add_parser("score", help="score the maturity of client folders or answer files")
    score.add_argument("paths", nargs="+", metavar="CLIENT_DIR_OR_FILE",
                       help="a client folder, a folder of client folders, or a CSV/XLSX answers file")
    score.add_argument("--questionnaire", default="maturity",
                       help="for answer files: bundled name or .yaml path (default maturity)")
    add_workbook_options(score, threshold=0.75)
    score.add_argument("--seed", type=option("seed"), default=0,
                       help="seed of the bootstrap: the same seed gives the same result (default 0)")
    score.add_argument("--n-boot", type=option("n_boot"), default=2000,
                       help="bootstrap resamples; 0 for a point estimate without probabilities")
    score.add_argument("--top", type=int, default=3, help="blockers to list (default 3)")
    add_client_options(score)
    add_json(score)
    score.set_defaults(func=_cmd_score)


def _score(path: Path, args) -> Found:
    """The maturity result of one client folder or answers file."""
    options = {"threshold": args.threshold, "seed": args.seed, "n_boot": args.n_boot,
               **client_options(args)}
    if not path.is_file():
        return diagnosed(path, options, "maturity", "maturity")
    params = file_params(path, **options)
    q = load_questionnaire(args.questionnaire)
    with file_conventions(params):
        answers = read_responses(path, q, ignore_columns=params.ignore_columns)
    result = score_maturity(answers, q, threshold=params.threshold,
                            seed=params.seed, n_boot=params.n_boot)
    return Found(path.name, result)


def _cmd_score(args) -> int:
    jobs = [(path.name, partial(_score, path, args)) for path in targets(args.paths)]
    return report_each(args, jobs, doing="score", verb="scored",
                       show=partial(_print_result, top=args.top))


def _print_result(found: Found, top: int) -> None:
    result = found.result
    lo, hi = result.index_ci
    print(f"\n{printable(found.title)} ({printable(found.sector) or 'sector not given'}, "
          f"{result.n_respondents} respondents)")
    print(f"  stage {result.stage}: {result.stage_name}  "
          f"(probability {fmt(result.stage_probability)})")
    print(f"  maturity index {result.index:.2f}  "
          f"({result.params['ci']:.0%} interval {fmt(lo)} to {fmt(hi)})")
    probs = "  ".join(f"{s}: {fmt(p)}" for s, p in result.stage_probabilities.items())
    print(f"  stage probabilities  {probs}")
    _print_blockers(result.blockers, result.stage, top)
    roles = result.role_scores
    if len(roles) > 1:
        print("  mean score by role  " + "  ".join(
            f"{printable(r.role)} {r.overall:.2f} (n={r.n_respondents})" for r in roles.itertuples()))
    for note in result.notes:
        print(f"  note: {printable(note)}")


def _print_blockers(blockers, stage: int, top: int) -> None:
    if not len(blockers) or top <= 0:
        return
    print(f"  top blockers of stage {stage + 1} "
          f"({min(top, len(blockers))} of {len(blockers)}):")
    for b in blockers.head(top).itertuples():
        keyed = " (reverse-keyed: agreeing is bad)" if b.reverse else ""
        print(f"    {b.item_id:<9} score {b.score:.2f}{keyed}  {printable(b.text)}")
        if b.recommendation:
            print(f"              -> {printable(b.recommendation)}")
