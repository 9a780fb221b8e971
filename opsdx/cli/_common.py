"""What the ``opsdx`` commands share: finding the inputs, running them, printing, argparse types.

A command module parses its arguments, hands each input to :func:`report_each`
as a ``(label, run)`` job and prints what comes back; the analyses themselves
are the workbook's (:func:`~opsdx.workbook.diagnosis.diagnose` for a client
folder, the library function it calls for a bare file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..client import find_clients
from ..errors import DataError, OpsdxError
from ..workbook.diagnosis import diagnose
from ..workbook.params import WorkbookParams, workbook_params

# ---------------------------------------------------------------------- inputs


def printable(text: str) -> str:
    """Client text shown on a terminal: line breaks kept, other control characters
    (escape sequences among them) replaced by ``?``."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in str(text))


def client_dirs(paths: list[str]) -> list[Path]:
    """The client folders of ``paths``: a folder with ``client.yaml``, or those inside it."""
    dirs: list[Path] = []
    for p in paths:
        if not Path(p).exists():
            raise OpsdxError(f"no such file or folder: {p}")
        if not Path(p).is_dir():
            raise OpsdxError(f"not a folder: {p}")
        found = find_clients(p)
        if not found:
            raise OpsdxError(f"no client.yaml in {p} or in its subfolders")
        dirs += [d if d.name else d.resolve() for d in found]  # "." is named as its folder
    return dirs


def targets(paths: list[str]) -> list[Path]:
    """Each file of ``paths`` as it is, each folder as its client folders."""
    found: list[Path] = []
    for p in paths:
        found += [Path(p)] if Path(p).is_file() else client_dirs([p])
    return found


def file_params(path: Path, **options) -> WorkbookParams:
    """The options for a bare data file, checked as the workbook checks a client's."""
    return workbook_params(client_dir=str(path), **options)


@dataclass
class Found:
    """What one job found: the client's title, the analysis result and the sector."""

    title: str
    result: object
    sector: str = ""


def diagnosed(folder: Path, options: dict, part: str, attribute: str) -> Found:
    """One part of a client's diagnosis, as the workbook computes it; broken input raises.

    Parameters
    ----------
    folder : Path
        The client folder.
    options : dict
        Workbook parameters (see :class:`~opsdx.workbook.WorkbookParams`).
    part : str
        The part of :func:`~opsdx.workbook.diagnosis.diagnose` to run.
    attribute : str
        The :class:`~opsdx.workbook.Diagnosis` attribute holding its result;
        when it stays None (no data for it), the notes are raised.
    """
    d = diagnose(folder, options, parts=(part,), strict=True)
    result = getattr(d, attribute)
    if result is None:
        raise OpsdxError("; ".join(d.notes))
    return Found(d.name, result, d.client.spec.sector)


# ---------------------------------------------------------------------- running and printing


def fmt(value: float) -> str:
    """A number to two decimals, ``n/a`` for NaN."""
    return "n/a" if value != value else f"{value:.2f}"


def cannot(label: str, doing: str, exc: Exception) -> None:
    """Say on stderr that ``label`` failed, and why."""
    print(f"\n{printable(label)}: cannot {doing}\n{printable(exc)}", file=sys.stderr)


def record(label: str, found: Found) -> dict:
    """The ``--json`` record of one job: the client, the source and the result's ``to_dict()``."""
    return {"client": found.title, "source": label, **found.result.to_dict()}


def report_each(args, jobs: list, *, doing: str, verb: str, show, to_json=record,
                failures=None) -> int:
    """Run each ``(label, run)`` job, show what it found or why not, then the tally.

    Parameters
    ----------
    args : argparse.Namespace
        With ``json``: print the records of :func:`to_json` as one JSON list.
    jobs : list of (str, callable)
        ``run()`` returns what ``show`` prints; an :class:`~opsdx.OpsdxError`
        it raises is reported as ``LABEL: cannot DOING`` and the job fails.
    doing, verb : str
        ``"score"`` and ``"scored"``: the failure message and the tally.
    show, to_json : callable
        ``show(found)`` prints; ``to_json(label, found)`` gives the record.
    failures : callable, optional
        ``failures(found)``: the parts that broke (label -> error), reported
        alike after the rest is shown; the job then counts as failed.

    Returns
    -------
    int
        The exit status: 1 when any job failed.
    """
    failed = 0
    results = []
    for label, run in jobs:
        try:
            found = run()
        except OpsdxError as exc:
            failed += 1
            cannot(label, doing, exc)
            continue
        if args.json:
            results.append(to_json(label, found))
        else:
            show(found)
        broken = failures(found) if failures else {}
        for part, exc in broken.items():
            cannot(label, f"analyse {part}", exc)
        failed += bool(broken)
    return finish(args, results, len(jobs), failed, verb)


def finish(args, results: list, n: int, failed: int, verb: str) -> int:
    """Print the JSON list (with --json) or the tally; exit status 1 when any job failed."""
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    elif n > 1:
        print(f"\n{verb} {n - failed} of {n}")
    return 1 if failed else 0


# ---------------------------------------------------------------------- arguments


def whole(minimum: int):
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


def option(field: str):
    """An argparse type for a whole-number workbook parameter, with the bounds the model sets."""
    bounds = {k: getattr(m, k) for m in WorkbookParams.model_fields[field].metadata
              for k in ("ge", "le") if hasattr(m, k)}
    at_least = whole(bounds.get("ge", 0))

    def parse(text: str) -> int:
        value = at_least(text)
        if "le" in bounds and value > bounds["le"]:
            raise argparse.ArgumentTypeError(f"must be at most {bounds['le']:,}, not {value:,}")
        return value
    return parse


def positive(text: str) -> float:
    """An argparse type: a positive, finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


#: The workbook options several commands take: name -> ``add_argument`` keywords.
WORKBOOK_OPTIONS = {
    "threshold": dict(type=float, help="attainment a stage needs to be reached, 0 to 1 "
                                       "(default 0.75)"),
    "by": dict(action="append", metavar="COLUMN",
               help="attribute defining sub-classes, e.g. --by kind (repeatable)"),
    "weights": dict(choices=["recency"], help="weight recent history more (half-life 365 days)"),
    "as_of": dict(metavar="DATE", help="first day of the forecast (default: the day after the "
                                       "last date in the data)"),
    "freq": dict(help="periods of the constraint timeline (pandas frequency; default QS, "
                      "quarters)"),
    "firm": dict(metavar="NAME", help="the consultancy's name, on the report's cover"),
    "prepared_by": dict(metavar="NAME", help="who prepared the report, on its cover"),
    "logo": dict(metavar="FILE", help="the firm's logo on the cover (PNG, JPEG or SVG)"),
    "confidentiality": dict(metavar="TEXT", help="the cover's confidentiality line ({client} "
                                                 "stands for the client's name)"),
}


def add_workbook_options(parser: argparse.ArgumentParser, **defaults) -> None:
    """Add the :data:`WORKBOOK_OPTIONS` named in ``defaults`` (``as_of=None`` adds ``--as-of``)."""
    for name, default in defaults.items():
        parser.add_argument("--" + name.replace("_", "-"), default=default,
                            **WORKBOOK_OPTIONS[name])


def _column_pair(text: str) -> str:
    """An argparse type: ``NAME=HEADER`` checked (kept as text; ``column_options`` parses)."""
    from ..workbook.params import column_options

    try:
        column_options([text])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_client_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--column``, ``--dates`` and ``--ignore-column``: the client's own files read
    as they are, on top of (and winning over) ``client.yaml``'s ``columns:`` and ``dates:``."""
    parser.add_argument("--column", action="append", dest="columns", type=_column_pair,
                        metavar="NAME=HEADER",
                        help="the client's header for one of opsdx's columns, e.g. --column "
                             "item_id=Ticket (any data file with that header) or --column "
                             "work_items.item_id=Ticket (that file only); repeatable")
    parser.add_argument("--dates", metavar="dayfirst|FORMAT",
                        help="dates that are not ISO 8601: dayfirst (05/01/2026 is 5 January) "
                             "or a strftime format such as '%%m/%%d/%%Y %%I:%%M %%p'")
    parser.add_argument("--ignore-column", action="append", dest="ignore_columns",
                        metavar="HEADER", help="a column of a wide answers file that is not "
                                               "an item (repeatable)")


def client_options(args) -> dict:
    """The workbook parameters of :func:`add_client_options` that were given."""
    given = {"columns": args.columns, "dates": args.dates, "ignore_columns": args.ignore_columns}
    return {name: value for name, value in given.items() if value}


@contextlib.contextmanager
def file_conventions(params: WorkbookParams):
    """While a bare data file is read: its headers renamed (``--column``; a ``FILE.`` prefix
    is moot for one file) and its dates read (``--dates``) as the options say."""
    from ..tables import DAYFIRST_FORMATS, conventions, in_client_names

    anywhere = {key.rpartition(".")[2]: header for key, header in params.columns.items()}
    formats = (() if not params.dates else DAYFIRST_FORMATS if params.dates == "dayfirst"
               else (params.dates,))
    try:
        with conventions(anywhere=anywhere, formats=formats):
            yield
    except DataError as exc:
        if not anywhere:
            raise
        raise in_client_names(exc, anywhere) from None


def add_json(parser: argparse.ArgumentParser) -> None:
    """Add ``--json``."""
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
