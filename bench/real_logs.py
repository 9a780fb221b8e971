"""opsdx's constraint verdict on public real event logs, beside the figures an analyst reads.

    python bench/real_logs.py [--cache DIR] [--source DIR] [--logs receipt,helpdesk,...]

For each log it prints the time to read and to analyse, the verdict and its
confidence, and then, per activity (stage), two sets of figures side by side:

* **independent**: computed here with pandas from the raw events, the way a
  process-mining analyst computes them (pm4py's interval conversion): each
  ``complete`` paired with the earliest unpaired ``start`` of the same
  activity in the same case (a ``start_timestamp`` attribute gives it
  directly; a log of completions alone has no service time); *waiting* is the
  time from the latest completion in the case before the activity started to
  its start, *service* the time from start to completion; medians in days;
* **opsdx**: the stage's role in the verdict, its median wait and service
  time (days), the servers it inferred and its utilisation.

The reader judges the agreement: a stage named the constraint should show
real waiting in front of it and a utilisation where queueing is real.

The logs (none is committed; they are fetched into the cache folder,
``bench/.cache/real_logs`` by default, from the test data of pm4py's
repository, where these public logs are kept, or copied from ``--source``,
a folder such as a pm4py checkout's ``tests/input_data``):

============== =================================================================
receipt        Receipt phase of an environmental permit application process
               (WABO, CoSeLoG project), J.C.A.M. Buijs, 4TU.ResearchData,
               doi:10.4121/uuid:a07386a5-7be3-4367-9535-70bc9e77dbe6;
               completions only.
bpic2012       BPI Challenge 2012, a Dutch financial institute's loan
               applications, B.F. van Dongen, 4TU.ResearchData,
               doi:10.4121/uuid:3926db30-f712-4394-aebc-75976070e91f; schedule,
               start and complete events.
helpdesk       The ticketing system of an Italian software company's help desk,
               M. Polato, Mendeley Data, doi:10.17632/39bp3vv62t.1;
               completions only. Also read a second time as what it is, an
               issue tracker's status history, through a status map
               (``bench/helpdesk_statuses.yaml``).
roadtraffic    100 cases of the Road Traffic Fine Management Process, M. de Leoni
               and F. Mannhardt, 4TU.ResearchData,
               doi:10.4121/uuid:270fd440-1057-4fb9-89a9-b699b47990f5;
               completions only.
interval       pm4py's example of an interval log (each event has a
               ``start_timestamp``): an order-to-delivery process, simulated.
============== =================================================================

Each log's licence is stated on the page of its DOI. Without network access
the script says which files to place in the cache folder and goes on with
the others.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import time
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

import opsdx

HERE = Path(__file__).resolve().parent
RAW = "https://raw.githubusercontent.com/pm4py/pm4py-core/release/tests/input_data/"
LOGS = {
    "receipt": ("receipt.csv", "WABO receipt phase (4TU), completions"),
    "bpic2012": ("bpic2012.xes.gz", "BPI Challenge 2012 (4TU), start/complete"),
    "helpdesk": ("helpdesk.xes.gz", "Help desk tickets (Mendeley Data), completions"),
    "roadtraffic": ("roadtraffic100traces.xes", "Road traffic fines, 100 cases (4TU)"),
    "interval": ("interval_event_log.xes", "pm4py's interval example (simulated)"),
}
DAY = pd.Timedelta(days=1)


# --------------------------------------------------------------------------- fetching

def fetch(names: list[str], cache: Path, source: Path | None) -> dict[str, Path]:
    """The path of each log in the cache, copied from ``source`` or downloaded when missing."""
    cache.mkdir(parents=True, exist_ok=True)
    found, missing = {}, []
    for name in names:
        file = LOGS[name][0]
        target = cache / file
        if not target.is_file() and source is not None and (source / file).is_file():
            shutil.copyfile(source / file, target)
        if not target.is_file():
            try:
                with urllib.request.urlopen(RAW + file, timeout=60) as response:
                    tmp = target.with_suffix(target.suffix + ".part")
                    tmp.write_bytes(response.read())
                    tmp.replace(target)
            except OSError as exc:
                missing.append((file, exc))
                continue
        found[name] = target
    for file, exc in missing:
        print(f"not fetched: {file} ({exc.__class__.__name__}); place it in {cache} "
              f"(from {RAW + file}) or give --source", file=sys.stderr)
    return found


# --------------------------------------------------------------------------- raw events

def raw_events(path: Path) -> pd.DataFrame:
    """Every event of a log: case, activity, time (UTC), lifecycle, resource, start."""
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame.rename(columns={"case:concept:name": "case", "concept:name": "activity",
                                      "time:timestamp": "time",
                                      "lifecycle:transition": "lifecycle",
                                      "org:resource": "resource", "start_timestamp": "start"})
    else:
        opener = gzip.open if path.suffix == ".gz" else open
        rows, case, event, depth = [], None, None, 0
        keys = {"concept:name": "activity", "time:timestamp": "time",
                "lifecycle:transition": "lifecycle", "org:resource": "resource",
                "start_timestamp": "start"}
        with opener(path, "rb") as fh:
            for what, el in ElementTree.iterparse(fh, events=("start", "end")):
                tag = el.tag.rsplit("}", 1)[-1]
                if what == "start":
                    depth += 1
                    if tag == "event":
                        event = {}
                    elif depth == 3 and event is None and el.get("key") == "concept:name":
                        case = el.get("value")
                    elif event is not None and depth == 4 and el.get("key") in keys:
                        event[keys[el.get("key")]] = el.get("value")
                    continue
                depth -= 1
                if tag == "event" and event is not None:
                    event["case"] = case
                    rows.append(event)
                    event = None
                elif tag == "trace":
                    case = None
                    el.clear()
        frame = pd.DataFrame(rows)
    for column in ("lifecycle", "resource", "start"):
        if column not in frame:
            frame[column] = ""
    frame = frame.fillna("")
    for column in ("time", "start"):
        frame[column] = (pd.to_datetime(frame[column].replace("", None), utc=True,
                                        format="mixed").dt.tz_localize(None)
                         .astype("datetime64[ns]"))
    frame["lifecycle"] = frame["lifecycle"].str.lower()
    return frame[["case", "activity", "time", "lifecycle", "resource", "start"]]


def intervals(events: pd.DataFrame) -> pd.DataFrame:
    """Activity instances (case, activity, start, end): a ``start_timestamp`` gives the
    start; else each complete is paired with the earliest unpaired start of the same
    activity in the case; a complete without one starts when it ends."""
    has_life = events["lifecycle"].isin(["start", "complete"]).any() and \
        events["lifecycle"].eq("start").any()
    if not has_life:
        done = events[events["lifecycle"].isin(["", "complete"])]
        return pd.DataFrame({"case": done["case"], "activity": done["activity"],
                             "start": done["start"].fillna(done["time"]), "end": done["time"]})
    ev = events[events["lifecycle"].isin(["start", "complete"])].sort_values("time",
                                                                           kind="stable")
    ev = ev.assign(k=ev.groupby(["case", "activity", "lifecycle"]).cumcount())
    starts = ev[ev["lifecycle"] == "start"][["case", "activity", "k", "time"]]
    ends = ev[ev["lifecycle"] == "complete"][["case", "activity", "k", "time"]]
    both = ends.merge(starts, on=["case", "activity", "k"], how="left",
                      suffixes=("_end", "_start"))
    return pd.DataFrame({"case": both["case"], "activity": both["activity"],
                         "start": both["time_start"].fillna(both["time_end"]),
                         "end": both["time_end"]})


def independent_figures(events: pd.DataFrame) -> pd.DataFrame:
    """Per activity: instances, median waiting and service (days), from the raw events."""
    inst = intervals(events).sort_values(["case", "start", "end"], kind="stable")
    before = inst.groupby("case")["end"].cummax().groupby(inst["case"]).shift()
    waiting = (inst["start"] - before).clip(lower=pd.Timedelta(0)) / DAY
    service = (inst["end"] - inst["start"]) / DAY
    return (inst.assign(waiting=waiting, service=service).groupby("activity")
            .agg(n=("case", "size"), waiting_p50=("waiting", "median"),
                 service_p50=("service", "median")))


# --------------------------------------------------------------------------- opsdx

def run_opsdx(path: Path, status_map: Path | None = None):
    """(flow, report, read seconds, analysis seconds) of opsdx on one log."""
    t0 = time.perf_counter()
    if status_map is not None:
        flow = opsdx.read_status_history(as_status_history(path), status_map, name=path.name)
    elif path.suffix == ".csv":
        flow = opsdx.from_event_log(path)
    else:
        flow = opsdx.read_xes(path)
    t1 = time.perf_counter()
    report = opsdx.find_constraint(flow)
    return flow, report, t1 - t0, time.perf_counter() - t1


def as_status_history(path: Path) -> pd.DataFrame:
    """A ticket log as the tracker's status history: each event the moment a ticket
    entered the state the activity names."""
    events = raw_events(path)
    return pd.DataFrame({"item": events["case"], "status": events["activity"],
                         "changed_at": events["time"], "assignee": events["resource"]})


def side_by_side(report, figures: pd.DataFrame | None) -> pd.DataFrame:
    stages = report.stages.set_index("stage")
    table = pd.DataFrame({
        "opsdx role": stages["role"].str.replace(r" \(.*\)", "", regex=True),
        "opsdx wait p50": stages["wait_p50"], "opsdx service mean": stages["service_days"],
        "servers": stages["servers"], "utilisation": stages["utilisation"]})
    if figures is not None:
        table = figures.rename(columns={"n": "instances", "waiting_p50": "waiting p50",
                                        "service_p50": "service p50"}).join(table, how="outer")
    return table.sort_values(table.columns[0], ascending=False)


def _fmt(value) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if isinstance(value, float) and np.isinf(value):
        return "inf"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"


def show(name: str, what: str, flow, report, read_s: float, analyse_s: float,
         figures: pd.DataFrame | None) -> None:
    verdict = report.constraint or "no constraint shown (demand-limited or too little data)"
    print(f"\n== {name}: {what}")
    print(f"   {len(flow.visits):,} visits of {flow.visits['item_id'].nunique():,} cases; read "
          f"{read_s:.1f} s, analysed {analyse_s:.1f} s")
    print(f"   verdict: {verdict}; confidence {report.confidence:.2f}"
          + (" (provisional)" if report.provisional else ""))
    if figures is not None and not (figures["service_p50"] > 0).any():
        print("   completions only: 'waiting p50' is the time since the case's previous "
              "completion (service included); the log has no service time")
    for sentence in report.sentences():  # the verdict and every finding behind it
        print(f"   - {sentence}")
    table = side_by_side(report, figures).head(15)
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        print(table.map(_fmt).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=HERE / ".cache" / "real_logs")
    parser.add_argument("--source", type=Path, help="a folder holding the log files "
                                                    "(such as pm4py's tests/input_data)")
    parser.add_argument("--logs", default=",".join(LOGS))
    args = parser.parse_args()
    names = [n for n in args.logs.split(",") if n]
    unknown = [n for n in names if n not in LOGS]
    if unknown:
        parser.error(f"unknown logs: {', '.join(unknown)} (known: {', '.join(LOGS)})")
    paths = fetch(names, args.cache, args.source)
    for name, path in paths.items():
        figures = independent_figures(raw_events(path))
        show(name, LOGS[name][1], *run_opsdx(path), figures)
        if name == "helpdesk":
            show("helpdesk as a status history", "tickets through bench/"
                 "helpdesk_statuses.yaml", *run_opsdx(path, HERE / "helpdesk_statuses.yaml"),
                 None)
    if not paths:
        sys.exit("no log could be fetched: see the messages above")


if __name__ == "__main__":
    main()
