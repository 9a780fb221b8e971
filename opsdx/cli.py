"""The ``opsdx`` command: a thin layer over the library.

    opsdx score CLIENT_DIR|FILE [...]         stage, probability, index, top blockers
    opsdx plan CLIENT_DIR|FILE [...]          planning optimism, outside view, backtest
    opsdx flow CLIENT_DIR [...]               the constraint, decisions, hero dependency
    opsdx batch SOURCE --out DIR              the workbook for every client, in parallel
    opsdx validate CLIENT_DIR [...]           every data problem; exit 1 when any
    opsdx schema questionnaire|client         JSON Schema for editors
    opsdx questionnaires                      the bundled questionnaires

A folder without ``client.yaml`` stands for all client folders inside it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .client import ClientSpec, find_clients, load_client
from .errors import DataError, OpsdxError
from .maturity import score_maturity
from .questionnaire import list_questionnaires, load_questionnaire, questionnaire_schema
from .responses import read_responses
from .workbook.diagnosis import diagnose
from .workbook.params import workbook_params


def _printable(text: str) -> str:
    """Client text shown on a terminal: line breaks kept, other control characters
    (escape sequences among them) replaced by ``?``."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in str(text))


def _client_dirs(paths: list[str]) -> list[Path]:
    dirs: list[Path] = []
    for p in paths:
        if not Path(p).exists():
            raise OpsdxError(f"no such file or folder: {p}")
        if not Path(p).is_dir():
            raise OpsdxError(f"not a folder: {p}")
        found = find_clients(p)
        if not found:
            raise OpsdxError(f"no client.yaml in {p} or in its subfolders")
        dirs += found
    return dirs


class _Job:
    """One thing to score or validate: a client folder or an answers file."""

    def __init__(self, path: Path, questionnaire: str):
        self.path, self.questionnaire, self.label = path, questionnaire, path.name

    def score(self, args):
        """Title, sector and the maturity result (a client folder through :func:`diagnose`)."""
        if self.path.is_file():
            q = load_questionnaire(self.questionnaire)
            result = score_maturity(read_responses(self.path, q), q, threshold=args.threshold,
                                    seed=args.seed, n_boot=args.n_boot)
            return self.path.name, "", result
        d = diagnose(self.path, {"threshold": args.threshold, "seed": args.seed,
                                 "n_boot": args.n_boot}, parts=("maturity",), strict=True)
        return d.name, d.client.spec.sector, d.maturity

    def validate(self) -> list:
        """Every problem, without raising (all data files of a client folder)."""
        try:
            if self.path.is_file():
                read_responses(self.path, load_questionnaire(self.questionnaire))
                return []
            return load_client(self.path).validate()
        except DataError as exc:
            return exc.problems


def _jobs(args) -> list[_Job]:
    jobs = []
    for p in args.paths:
        path = Path(p)
        folders = [path] if path.is_file() else _client_dirs([p])
        jobs += [_Job(f, args.questionnaire) for f in folders]
    return jobs


def _fmt(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f}"


def _cmd_score(args) -> int:
    failed = n = 0
    results = []
    for job in _jobs(args):
        label = job.label
        n += 1
        try:
            title, sector, result = job.score(args)
        except OpsdxError as exc:
            failed += 1
            print(f"\n{_printable(label)}: cannot score\n{_printable(exc)}", file=sys.stderr)
            continue
        if args.json:
            results.append({"client": title, "source": label, **result.to_dict()})
        else:
            _print_result(title, sector, result, args.top)
    return _finish(args, results, n, failed, "scored")


def _finish(args, results: list, n: int, failed: int, verb: str) -> int:
    """Print the JSON list (with --json) or the tally; exit status 1 when any job failed."""
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    elif n > 1:
        print(f"\n{verb} {n - failed} of {n}")
    return 1 if failed else 0


def _print_result(title: str, sector: str, result, top: int) -> None:
    lo, hi = result.index_ci
    print(f"\n{_printable(title)} ({_printable(sector) or 'sector not given'}, "
          f"{result.n_respondents} respondents)")
    print(f"  stage {result.stage}: {result.stage_name}  "
          f"(probability {_fmt(result.stage_probability)})")
    print(f"  maturity index {result.index:.2f}  "
          f"({result.params['ci']:.0%} interval {_fmt(lo)} to {_fmt(hi)})")
    probs = "  ".join(f"{s}: {_fmt(p)}" for s, p in result.stage_probabilities.items())
    print(f"  stage probabilities  {probs}")
    if len(result.blockers) and top > 0:
        print(f"  top blockers of stage {result.stage + 1} "
              f"({min(top, len(result.blockers))} of {len(result.blockers)}):")
        for b in result.blockers.head(top).itertuples():
            keyed = " (reverse-keyed: agreeing is bad)" if b.reverse else ""
            print(f"    {b.item_id:<9} score {b.score:.2f}{keyed}  {_printable(b.text)}")
            if b.recommendation:
                print(f"              -> {_printable(b.recommendation)}")
    roles = result.role_scores
    if len(roles) > 1:
        print("  mean score by role  " + "  ".join(
            f"{_printable(r.role)} {r.overall:.2f} (n={r.n_respondents})" for r in roles.itertuples()))
    for warning in result.warnings:
        print(f"  warning: {_printable(warning)}")


def _plan_jobs(paths: list[str], args) -> list[tuple[str, object]]:
    """(label, run) for each estimates file or client folder; running may raise."""
    from .forecast import assess_planning, read_estimates

    options = {"by": args.by, "weights": args.weights, "trials": args.trials,
               "seed": args.seed, "as_of": args.as_of}
    jobs = []
    for p in paths:
        path = Path(p)
        if path.is_file():
            def run(path=path):
                params = workbook_params(client_dir=str(path), **options)  # checked alike
                return path.name, assess_planning(
                    read_estimates(path), by=params.by, weights=params.weights,
                    trials=params.trials, seed=params.seed, as_of=params.as_of)
            jobs.append((path.name, run))
            continue
        for folder in _client_dirs([p]):
            def run(folder=folder):
                d = diagnose(folder, options, parts=("planning",), strict=True)
                if d.planning is None:
                    raise OpsdxError("; ".join(d.notes))
                return d.name, d.planning
            jobs.append((folder.name, run))
    return jobs


def _cmd_plan(args) -> int:
    failed = n = 0
    results = []
    for label, run in _plan_jobs(args.paths, args):
        n += 1
        try:
            title, result = run()
        except OpsdxError as exc:
            failed += 1
            print(f"\n{_printable(label)}: cannot assess planning\n{_printable(exc)}",
                  file=sys.stderr)
            continue
        if args.json:
            results.append({"client": title, "source": label, **result.to_dict()})
            continue
        _print_plan(title, result)
    return _finish(args, results, n, failed, "assessed")


def _print_plan(title: str, result) -> None:
    print(f"\n{_printable(title)}")
    for sentence in result.sentences():
        print(f"  {_printable(sentence)}")
    print("  reference classes (ratio = actual / estimate):")
    for row in result.classes.itertuples():
        name = _printable(row[1])
        if row.uses != row[1]:
            print(f"    {name:<22} n={row.n:<4} too few: uses {_printable(row.uses)}")
            continue
        print(f"    {name:<22} n={row.n:<4} over estimate {row.share_over:>4.0%}  "
              f"P50 {row.ratio_p50:.2f}  P80 {row.ratio_p80:.2f}  P90 {row.ratio_p90:.2f}")
    if len(result.estimators):
        print("  estimators, most optimistic first:")
        for row in result.estimators.itertuples():
            few = "" if row.enough_history else "  (few items: their open tasks use everyone's)"
            print(f"    {_printable(row.estimator):<22} n={row.n:<4} median ratio "
                  f"{row.median_ratio:.2f}  P80 {row.p80_ratio:.2f}{few}")
    for note in result.notes:
        print(f"  note: {_printable(note)}")


#: The parts of ``Diagnosis.results()`` that ``opsdx flow --json`` prints.
_FLOW_PARTS = ("constraint", "data_quality", "hero_dependency", "decisions",
               "communication_paths", "delegation_chain")


def _flow_result(folder: Path, freq: str):
    """The flow, decision and organisation parts of one client's diagnosis.

    A broken file stops its own analysis only (``Diagnosis.failures``); a
    broken ``client.yaml`` raises OpsdxError.
    """
    return diagnose(folder, {"freq": freq}, parts=("flow", "decisions", "organisation"))


def _flow_json(d) -> dict:
    results = d.results()
    return {"client": d.name, "source": d.client.path.name, "notes": results["notes"],
            **{k: results[k] for k in _FLOW_PARTS if k in results}}


def _print_flow(d) -> None:
    print(f"\n{_printable(d.name)}")
    if d.constraint is not None:
        report = d.constraint
        for sentence in report.evidence:
            print(f"  {_printable(sentence)}")
        print("  stages (flow order):")
        for row in report.stages.itertuples():
            cap = "no limit shown" if row.capacity_per_week == float("inf") else (
                f"capacity {row.capacity_per_week:.1f}/wk, {row.utilisation:.0%} utilised")
            print(f"    {_printable(row.stage):<30} in {row.arrivals_per_week:5.1f}/wk  "
                  f"WIP {row.mean_wip:5.1f}  p50 {row.time_p50:5.1f} d  {cap}")
        shifts = report.timeline["constraint"].dropna().unique()
        if len(shifts) > 1:
            print(f"  the constraint moved over time: {', '.join(map(_printable, shifts))}")
        for row in d.flow.quality_summary().itertuples():
            rows = "1 row" if row.rows == 1 else f"{row.rows} rows"
            print(f"  data quality: {rows} set aside: {_printable(row.problem)}")
    if d.heroes is not None:
        top = d.heroes.iloc[0]
        print(f"  hero dependency: {_printable(top.person)} touched {top.share_of_items:.0%} of "
              f"all items")
    if d.decisions is not None:
        for sentence in d.decisions.sentences():
            print(f"  {_printable(sentence)}")
    if d.paths is not None:
        big = d.paths[d.paths["over_size"]]
        for row in big.itertuples():
            print(f"  team {_printable(row.team)}: {row.size} people, {row.paths} communication "
                  "paths (above 8 people)")
    for note in d.notes:
        print(f"  note: {_printable(note)}")


def _cmd_flow(args) -> int:
    failed = n = 0
    results = []
    for folder in _client_dirs(args.paths):
        n += 1
        try:
            d = _flow_result(folder, args.freq)
        except OpsdxError as exc:
            failed += 1
            print(f"\n{_printable(folder.name)}: cannot analyse flow\n{_printable(exc)}",
                  file=sys.stderr)
            continue
        if args.json:
            results.append(_flow_json(d))
        else:
            _print_flow(d)
        for label, exc in d.failures.items():  # the other parts are printed; this one is not
            print(f"\n{_printable(folder.name)}: cannot analyse {label}\n{_printable(exc)}",
                  file=sys.stderr)
        failed += bool(d.failures)
    return _finish(args, results, n, failed, "analysed")


def _cmd_batch(args) -> int:
    from .workbook.batch import run_batch

    summary = run_batch(args.source, args.out, workers=args.workers, resume=args.resume,
                        timeout=args.timeout, scheduler=args.scheduler, verbose=args.verbose,
                        notebook=args.notebook, seed=args.seed, n_boot=args.n_boot,
                        trials=args.trials, progress=not args.quiet, pdf=args.pdf)
    print(_printable(summary.text()))
    for note in sorted({r["note"] for r in summary.succeeded if r.get("note")}):
        print(f"note: {_printable(note)}")
    out = summary.out
    for row in summary.succeeded:
        print(f"  {_printable(row['client'])} (from {_printable(row['source'])}): "
              f"{out / row['slug'] / 'workbook.html'}")
    if (out / "portfolio.csv").is_file():
        print(f"portfolio: {out / 'portfolio.xlsx'} and {out / 'portfolio.csv'}; "
              f"ledger: {out / 'ledger.jsonl'}")
    return 1 if summary.failed else 0


def _cmd_validate(args) -> int:
    n_problems = 0
    for job in _jobs(args):
        try:
            problems = job.validate()
        except OpsdxError as exc:
            print(f"{_printable(job.label)}: {_printable(exc)}")
            n_problems += 1
            continue
        n_problems += len(problems)
        status = "ok" if not problems else f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        print(f"{_printable(job.label)}: {status}")
        for p in problems:
            print(f"  {_printable(p)}")
    return 1 if n_problems else 0


def _cmd_schema(args) -> int:
    schema = questionnaire_schema() if args.what == "questionnaire" else ClientSpec.model_json_schema()
    json.dump(schema, sys.stdout, indent=2)
    print()
    return 0


def _cmd_questionnaires(args) -> int:
    for name in list_questionnaires():
        q = load_questionnaire(name)
        per_stage = q.items.groupby("stage").size()
        print(f"{name}: {q.title} (version {q.version})")
        print(f"  {len(q.items)} items in {len(q.dimensions)} dimensions; items per stage: "
              + ", ".join(f"{s}: {n}" for s, n in per_stage.items()))
    return 0


def _whole(minimum: int):
    """An argparse type: a whole number of at least ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value
    return parse


def _option(field: str):
    """An argparse type for a whole-number workbook parameter, with the bounds the model sets."""
    from .workbook.params import WorkbookParams

    bounds = {k: getattr(m, k) for m in WorkbookParams.model_fields[field].metadata
              for k in ("ge", "le") if hasattr(m, k)}
    whole = _whole(bounds.get("ge", 0))

    def parse(text: str) -> int:
        value = whole(text)
        if "le" in bounds and value > bounds["le"]:
            raise argparse.ArgumentTypeError(f"must be at most {bounds['le']:,}, not {value:,}")
        return value
    return parse


def _positive(text: str) -> float:
    """An argparse type: a positive, finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsdx", description="Operations diagnostics.")
    parser.add_argument("--version", action="version", version=f"opsdx {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    score = sub.add_parser("score", help="score the maturity of client folders or answer files")
    score.add_argument("paths", nargs="+", metavar="CLIENT_DIR_OR_FILE",
                       help="a client folder, a folder of client folders, or a CSV/XLSX answers file")
    score.add_argument("--questionnaire", default="maturity",
                       help="for answer files: bundled name or .yaml path (default maturity)")
    score.add_argument("--threshold", type=float, default=0.75,
                       help="attainment a stage needs to be reached, 0 to 1 (default 0.75)")
    score.add_argument("--seed", type=_option("seed"), default=0,
                       help="seed of the bootstrap: the same seed gives the same result (default 0)")
    score.add_argument("--n-boot", type=_option("n_boot"), default=2000,
                       help="bootstrap resamples; 0 for a point estimate without probabilities")
    score.add_argument("--top", type=int, default=3, help="blockers to list (default 3)")
    score.add_argument("--json", action="store_true", help="print machine-readable results")
    score.set_defaults(func=_cmd_score)

    plan = sub.add_parser("plan", help="planning optimism: reference class, backtest, and "
                                       "forecasts of the open items")
    plan.add_argument("paths", nargs="+", metavar="CLIENT_DIR_OR_FILE",
                      help="a client folder, a folder of client folders, or an estimates file")
    plan.add_argument("--by", action="append", default=[], metavar="COLUMN",
                      help="attribute defining sub-classes, e.g. --by kind (repeatable)")
    plan.add_argument("--weights", choices=["recency"], default=None,
                      help="weight recent history more (half-life 365 days)")
    plan.add_argument("--as-of", default=None, metavar="DATE",
                      help="first day of the forecast (default: the day after the last date "
                           "in the data)")
    plan.add_argument("--trials", type=_option("trials"), default=10_000,
                      help="Monte Carlo trials (100 to 1,000,000; default 10,000)")
    plan.add_argument("--seed", type=_option("seed"), default=0, help="random seed (default 0)")
    plan.add_argument("--json", action="store_true", help="print machine-readable results")
    plan.set_defaults(func=_cmd_plan)

    flow = sub.add_parser("flow", help="the constraint, decision bottlenecks and hero "
                                       "dependency of client folders")
    flow.add_argument("paths", nargs="+", metavar="CLIENT_DIR",
                      help="a client folder or a folder of client folders")
    flow.add_argument("--freq", default="QS",
                      help="periods of the constraint timeline (pandas frequency; default QS, "
                           "quarters)")
    flow.add_argument("--json", action="store_true", help="print machine-readable results")
    flow.set_defaults(func=_cmd_flow)

    batch = sub.add_parser("batch", help="execute the diagnostic workbook for every client: "
                                         "HTML, Excel and results.json, plus a portfolio")
    batch.add_argument("source", metavar="SOURCE",
                       help="a folder of client folders, or a CSV manifest with a client_dir column")
    batch.add_argument("--out", required=True, metavar="DIR", help="the output folder")
    batch.add_argument("--workers", type=_whole(1), default=None,
                       help="parallel processes (default: the number of cores)")
    batch.add_argument("--resume", action="store_true",
                       help="skip clients already done for the same inputs")
    batch.add_argument("--timeout", type=_positive, default=None, metavar="SECONDS",
                       help="longest time one notebook cell may run before the client fails")
    batch.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask distributed scheduler, e.g. tcp://host:8786")
    batch.add_argument("--notebook", default=None, help="another workbook notebook")
    batch.add_argument("--seed", type=_option("seed"), default=0)
    batch.add_argument("--n-boot", type=_option("n_boot"), default=2000)
    batch.add_argument("--trials", type=_option("trials"), default=10_000)
    batch.add_argument("--pdf", action="store_true",
                       help="also a PDF of each report, with WeasyPrint when installed")
    batch.add_argument("--verbose", action="store_true", help="show each cell as it runs")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.set_defaults(func=_cmd_batch)

    validate = sub.add_parser("validate", help="report every data problem of client folders "
                                                "or answer files")
    validate.add_argument("paths", nargs="+", metavar="CLIENT_DIR_OR_FILE")
    validate.add_argument("--questionnaire", default="maturity",
                          help="for answer files: bundled name or .yaml path (default maturity)")
    validate.set_defaults(func=_cmd_validate)

    schema = sub.add_parser("schema", help="print a JSON Schema for editors")
    schema.add_argument("what", choices=["questionnaire", "client"])
    schema.set_defaults(func=_cmd_schema)

    qs = sub.add_parser("questionnaires", help="list the bundled questionnaires")
    qs.set_defaults(func=_cmd_questionnaires)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except OpsdxError as exc:
        print(f"opsdx: {_printable(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
