"""``opsdx statuses``: the statuses of a tracker's export, and a first status map to edit.

    opsdx statuses status_history.csv              statuses, counts, median hours in each
    opsdx statuses status_history.csv --suggest    ... and a first statuses.yaml on stdout
    opsdx statuses status_history.csv --suggest --write clients/acme/statuses.yaml
    opsdx statuses jira-export/                    a folder of Jira search pages (JSON)
    opsdx statuses events.json                     GitHub issue events or timelines
    opsdx statuses time_in_status.csv              a time-in-status report (a column
                                                   per status: durations or entry dates)

For a GitHub export, the labels are listed apart: a label is a status only
when the status map names it.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import OpsdxError
from ..flow.statuses import status_table, suggest_status_map
from ..flow.timeinstatus import looks_like_time_in_status, time_in_status_table
from ..flow.trackers import tracker_changes, tracker_kind
from ..output import write_text
from ._common import printable


def register(sub) -> None:
    """Add the ``statuses`` sub-command."""
    cmd = sub.add_parser("statuses", help="the statuses of a tracker's status history, and a "
                                          "first status map (statuses.yaml) to edit")
    cmd.add_argument("export", metavar="EXPORT", help="a status history: CSV or XLSX, one row "
                                                      "per status change; or a Jira or GitHub "
                                                      "JSON export (a file or a folder of pages)")
    cmd.add_argument("--item", help="the item column (default: found by name)")
    cmd.add_argument("--status", help="the status column")
    cmd.add_argument("--changed-at", dest="changed_at", help="the time column")
    cmd.add_argument("--unit", help="a time-in-status report: the unit of bare numbers "
                                    "(hours, days, ...)")
    cmd.add_argument("--suggest", action="store_true",
                     help="print a first status map, roles guessed from the status names")
    cmd.add_argument("--write", metavar="FILE", help="with --suggest: write the map there "
                                                     "(never over an existing file)")
    cmd.set_defaults(func=_cmd_statuses)


#: GitHub labels that name a topic, a kind or a priority, never a state of the work.
_TOPICAL = (r"^(?:bug|enhancement|feature|documentation|docs|question|good first issue|"
            r"help wanted|dependencies|security|performance|refactor|chore|tests?|p[0-4]|"
            r"(?:priority|type|kind|area|size|severity|component)\b.*)$")


def _cmd_statuses(args) -> int:
    export = Path(args.export)
    if not export.exists():
        raise OpsdxError(f"no such file or folder: {args.export}")
    columns = {k: getattr(args, k) for k in ("item", "status", "changed_at") if getattr(args, k)}
    kind = tracker_kind(export)
    labels = None
    if kind == "xes":
        raise OpsdxError(f"{export.name} is an XES event log: its activities are the stages, "
                         "it needs no status map (name it event_log.xes in the client folder)")
    if kind == "table" and not columns and looks_like_time_in_status(export):
        table = time_in_status_table(export, unit=args.unit)
        print("a time-in-status report: one column per status (read with statuses.yaml as "
              "time_in_status.csv in the client folder)\n")
    elif kind == "table":
        table = status_table(export, **columns)
    else:
        if columns:
            raise OpsdxError(f"--item, --status and --changed-at are for CSV or XLSX; a {kind} "
                             "export names its own fields")
        frame, _, label = tracker_changes(export)
        is_label = frame["kind"].eq("label")
        table = status_table(frame[~is_label].drop(columns="kind"), name=label)
        labels = frame[is_label]["status"].value_counts()
        if len(labels):  # the suggestion weighs the labels too: a workflow often lives in them
            topical = labels.index[labels.index.str.casefold().str.contains(_TOPICAL)]
            every = status_table(frame[~frame["status"].isin(topical)].drop(columns="kind"),
                                 name=label)
    width = max(len("status"), *(len(printable(s)) for s in table["status"]))
    print(f"{'status':<{width}}  changes  items  median hours")
    for row in table.itertuples():
        hours = "" if row.hours != row.hours else f"{row.hours:.1f}"
        print(f"{printable(row.status):<{width}}  {row.changes:>7}  {row.items:>5}  {hours:>12}")
    if labels is not None and len(labels):
        print("\nlabels (a status only when the map names one):")
        wide = max(len(printable(name)) for name in labels.index)
        for name, n in labels.items():
            print(f"  {printable(name):<{wide}}  {n:>7}")
    if args.suggest:
        if labels is not None and len(labels):
            left = (f"\n# Left out as labels of a topic, not a state: {', '.join(topical)}."
                    if len(topical) else "")
            text = suggest_status_map(every).replace(
                "# roles:", "# Labels are in it too: keep those that are states of the workflow,"
                f" delete the others.{left}\n# roles:", 1)
        else:
            text = suggest_status_map(table)
        if args.write:
            target = Path(args.write)
            if target.exists():
                raise OpsdxError(f"{target} exists: opsdx never writes over a status map "
                                 "(remove it, or write elsewhere)")
            write_text(target, text)
            print(f"\nwrote {target}: check every role and stage before using it")
        else:
            print()
            print(text, end="")
    elif args.write:
        raise OpsdxError("--write goes with --suggest")
    return 0
