"""``opsdx plan``: planning optimism, the outside view and the backtest of each client.

A client folder is assessed through the workbook's diagnosis (its
``planning`` part); a bare estimates file through
:func:`~opsdx.assess_planning`, the function that part calls, with the
options checked alike.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ._common import (Found, add_client_options, add_json, add_workbook_options, client_options,
                      diagnosed, file_conventions, file_params, option, printable, report_each,
                      targets)


def register(sub) -> None:
    """Add the ``plan`` sub-command."""
    plan = sub.add_parser("plan", help="planning optimism: reference class, backtest, and "
                                       "forecasts of the open items")
    plan.add_argument("paths", nargs="+", metavar="CLIENT_DIR_OR_FILE",
                      help="a client folder, a folder of client folders, or an estimates file")
    add_workbook_options(plan, by=[], weights=None, as_of=None)
    plan.add_argument("--trials", type=option("trials"), default=10_000,
                      help="Monte Carlo trials (100 to 1,000,000; default 10,000)")
    plan.add_argument("--seed", type=option("seed"), default=0, help="random seed (default 0)")
    add_client_options(plan)
    add_json(plan)
    plan.set_defaults(func=_cmd_plan)


def _plan(path: Path, options: dict) -> Found:
    """The planning result of one client folder or estimates file."""
    if not path.is_file():
        return diagnosed(path, options, "planning", "planning")
    from ..forecast import assess_planning, read_estimates

    params = file_params(path, **options)
    with file_conventions(params):
        estimates = read_estimates(path)
    return Found(path.name, assess_planning(
        estimates, by=params.by, weights=params.weights, trials=params.trials,
        seed=params.seed, as_of=params.as_of))


def _cmd_plan(args) -> int:
    options = {"by": args.by, "weights": args.weights, "trials": args.trials,
               "seed": args.seed, "as_of": args.as_of, **client_options(args)}
    jobs = [(path.name, partial(_plan, path, options)) for path in targets(args.paths)]
    return report_each(args, jobs, doing="assess planning", verb="assessed", show=_print_plan)


def _print_plan(found: Found) -> None:
    result = found.result
    print(f"\n{printable(found.title)}")
    for sentence in result.sentences():
        print(f"  {printable(sentence)}")
    print("  reference classes (ratio = actual / estimate):")
    for row in result.classes.itertuples():
        name = printable(row[1])
        if row.uses != row[1]:
            print(f"    {name:<22} n={row.n:<4} too few: uses {printable(row.uses)}")
            continue
        print(f"    {name:<22} n={row.n:<4} over estimate {row.share_over:>4.0%}  "
              f"P50 {row.ratio_p50:.2f}  P80 {row.ratio_p80:.2f}  P90 {row.ratio_p90:.2f}")
    if len(result.estimators):
        print("  estimators, most optimistic first:")
        for row in result.estimators.itertuples():
            few = "" if row.enough_history else "  (few items: their open tasks use everyone's)"
            print(f"    {printable(row.estimator):<22} n={row.n:<4} median ratio "
                  f"{row.median_ratio:.2f}  P80 {row.p80_ratio:.2f}{few}")
    for note in result.notes:
        print(f"  note: {printable(note)}")
