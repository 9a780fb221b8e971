"""``opsdx flow``: the constraint, decision bottlenecks and hero dependency of each client.

Each client folder goes through the workbook's diagnosis (its ``flow``,
``decisions`` and ``organisation`` parts). A broken file stops its own
analysis only: the others are printed, and the broken one is reported.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ..flow.statuses import NOTE_CODES as _STATUS_NOTES
from ..flow.timeinstatus import NOTE_CODES as _REPORT_NOTES
from ..flow.trackers import NOTE_CODES as _TRACKER_NOTES
from ..workbook.diagnosis import diagnose
from ._common import (add_client_options, add_json, add_workbook_options, client_dirs,
                      client_options, printable, report_each)

_SOURCE_NOTES = set(_STATUS_NOTES + _TRACKER_NOTES + _REPORT_NOTES)
#: The parts of ``Diagnosis.results()`` that ``opsdx flow --json`` prints.
_FLOW_PARTS = ("constraint", "data_quality", "hero_dependency", "decisions",
               "communication_paths", "delegation_chain")


def register(sub) -> None:
    """Add the ``flow`` sub-command."""
    flow = sub.add_parser("flow", help="the constraint, decision bottlenecks and hero "
                                       "dependency of client folders")
    flow.add_argument("paths", nargs="+", metavar="CLIENT_DIR",
                      help="a client folder or a folder of client folders")
    add_workbook_options(flow, freq="QS")
    add_client_options(flow)
    add_json(flow)
    flow.set_defaults(func=_cmd_flow)


def _flow_result(folder: Path, options: dict):
    """The flow, decision and organisation parts of one client's diagnosis.

    A broken file stops its own analysis only (``Diagnosis.failures``); a
    broken ``client.yaml`` raises OpsdxError.
    """
    return diagnose(folder, options, parts=("flow", "decisions", "organisation"))


def _cmd_flow(args) -> int:
    options = {"freq": args.freq, **client_options(args)}
    jobs = [(folder.name, partial(_flow_result, folder, options))
            for folder in client_dirs(args.paths)]
    return report_each(args, jobs, doing="analyse flow", verb="analysed", show=_print_flow,
                       to_json=_flow_json, failures=lambda d: d.failures)


def _flow_json(label: str, d) -> dict:
    results = d.results()
    return {"client": d.name, "source": d.client.path.name, "notes": results["notes"],
            **{k: results[k] for k in _FLOW_PARTS if k in results}}


def _print_flow(d) -> None:
    print(f"\n{printable(d.name)}")
    if d.constraint is not None:
        _print_constraint(d)
    if d.heroes is not None:
        top = d.heroes.iloc[0]
        print(f"  hero dependency: {printable(top.person)} touched {top.share_of_items:.0%} of "
              f"all items")
    if d.decisions is not None:
        for sentence in d.decisions.sentences():
            print(f"  {printable(sentence)}")
    if d.paths is not None:
        big = d.paths[d.paths["over_size"]]
        for row in big.itertuples():
            print(f"  team {printable(row.team)}: {row.size} people, {row.paths} communication "
                  "paths (above 8 people)")
    for note in d.notes:
        print(f"  note: {printable(note)}")


def _print_constraint(d) -> None:
    report = d.constraint
    for sentence in report.evidence:
        print(f"  {printable(sentence)}")
    print("  stages (flow order):")
    for row in report.stages.itertuples():
        cap = "no limit shown" if row.capacity_per_week == float("inf") else (
            f"capacity {row.capacity_per_week:.1f}/wk, its work takes {row.utilisation:.0%}")
        print(f"    {printable(row.stage):<30} in {row.arrivals_per_week:5.1f}/wk  "
              f"WIP {row.mean_wip:5.1f}  p50 {row.time_p50:5.1f} d  {cap}")
    shifts = report.timeline["constraint"].dropna().unique()
    if len(shifts) > 1:
        print(f"  the constraint moved over time: {', '.join(map(printable, shifts))}")
    for note in report.notes:  # what the reader of a tracker's export said about it
        if note.code in _SOURCE_NOTES:
            print(f"  source: {printable(note.text)}")
    for row in d.flow.quality_summary().itertuples():
        rows = "1 row" if row.rows == 1 else f"{row.rows} rows"
        print(f"  data quality: {rows} set aside: {printable(row.problem)}")
