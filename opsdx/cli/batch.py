"""``opsdx batch``: the diagnostic workbook for every client, in parallel, plus a portfolio.

The command hands its options to :func:`opsdx.workbook.batch.run_batch` and
prints the summary; the workbook options it is not given keep the
workbook's defaults.
"""

from __future__ import annotations

from ._common import (add_client_options, add_workbook_options, client_options, option,
                      positive, printable, whole)

#: The workbook options passed to ``run_batch`` only when given on the command line.
_GIVEN_ONLY = ("threshold", "by", "weights", "as_of", "freq", "firm", "prepared_by", "logo",
               "confidentiality")


def register(sub) -> None:
    """Add the ``batch`` sub-command."""
    batch = sub.add_parser("batch", help="execute the diagnostic workbook for every client: "
                                         "HTML, Excel and results.json, plus a portfolio",
                           description="Execute the diagnostic workbook for every client. "
                                       "Workbook options not given keep the workbook's "
                                       "defaults (--by kind, where the estimates have it).")
    batch.add_argument("source", metavar="SOURCE",
                       help="a folder of client folders, or a CSV manifest with a client_dir column")
    batch.add_argument("--out", required=True, metavar="DIR", help="the output folder")
    batch.add_argument("--workers", type=whole(1), default=None,
                       help="parallel processes (default: the number of cores)")
    batch.add_argument("--resume", action="store_true",
                       help="skip clients already done for the same inputs")
    batch.add_argument("--timeout", type=positive, default=None, metavar="SECONDS",
                       help="longest time one notebook cell may run before the client fails")
    batch.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask distributed scheduler, e.g. tcp://host:8786")
    batch.add_argument("--notebook", default=None, help="another workbook notebook")
    batch.add_argument("--seed", type=option("seed"), default=0)
    batch.add_argument("--n-boot", type=option("n_boot"), default=2000)
    batch.add_argument("--trials", type=option("trials"), default=10_000)
    add_workbook_options(batch, **dict.fromkeys(_GIVEN_ONLY))
    add_client_options(batch)
    batch.add_argument("--pdf", action="store_true",
                       help="also a PDF of each report, with WeasyPrint when installed")
    batch.add_argument("--verbose", action="store_true", help="show each cell as it runs")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.set_defaults(func=_cmd_batch)


def batch_options(args) -> dict:
    """The workbook options for ``run_batch``: seed, n_boot, trials, and the others given."""
    options = {"seed": args.seed, "n_boot": args.n_boot, "trials": args.trials}
    options.update({name: getattr(args, name) for name in _GIVEN_ONLY
                    if getattr(args, name) is not None})
    return {**options, **client_options(args)}


def _cmd_batch(args) -> int:
    from ..workbook.batch import run_batch

    summary = run_batch(args.source, args.out, workers=args.workers, resume=args.resume,
                        timeout=args.timeout, scheduler=args.scheduler, verbose=args.verbose,
                        notebook=args.notebook, progress=not args.quiet, pdf=args.pdf,
                        **batch_options(args))
    _print_summary(summary)
    return 1 if summary.failed else 0


def _print_summary(summary) -> None:
    print(printable(summary.text()))
    for note in sorted({r["note"] for r in summary.succeeded if r.get("note")}):
        print(f"note: {printable(note)}")
    out = summary.out
    for row in summary.succeeded:
        print(f"  {printable(row['client'])} (from {printable(row['source'])}): "
              f"{out / row['slug'] / 'workbook.html'}")
    if (out / "portfolio.csv").is_file():
        print(f"portfolio: {out / 'portfolio.xlsx'} and {out / 'portfolio.csv'}; "
              f"ledger: {out / 'ledger.jsonl'}")
