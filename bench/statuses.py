"""Time read_status_history on a tracker-shaped export of 1,000,000 status changes.

    python bench/statuses.py [--changes 1000000] [--repeat 3] [--no-jira]
    make bench-pm4py     # the same in .venv-bench, beside pm4py: prints the ratio

The shape a Jira or GitHub export has: items moving through backlog, queues
and work statuses of four stages, some sent back to an earlier stage, some
reopened, a status the map does not name, timestamps with milliseconds and a
UTC offset that changes with daylight saving (Europe/Berlin).

The target (issue 12) is the CSV reader's bound of ``bench/flow.py``: opsdx
reading and analysing the export in at most the time of the pair a
process-mining analyst would run on it, pandas ``read_csv`` with
``parse_dates`` and pm4py's performance DFG of the statuses (pm4py, AGPL, is
never a dependency: without it no ratio is printed). Printed beside it:
read_work_items on the same flow as ``work_items.csv``, and read_jira on the
same changes written as the pages of a Jira search with their changelogs.
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import opsdx

STAGES = ["Analysis", "Build", "Review", "Deploy"]
MAP = {"stages": STAGES, "statuses": [
    {"status": "Backlog", "role": "backlog"},
    {"status": "Ready for analysis", "stage": "Analysis", "role": "queue"},
    {"status": "Analysing", "stage": "Analysis", "role": "work"},
    {"status": "Ready for dev", "stage": "Build", "role": "queue"},
    {"status": "In progress", "stage": "Build", "role": "work"},
    {"status": "Ready for review", "stage": "Review", "role": "queue"},
    {"status": "In review", "stage": "Review", "role": "work"},
    {"status": "Ready to deploy", "stage": "Deploy", "role": "queue"},
    {"status": "Deploying", "stage": "Deploy", "role": "work"},
    {"status": "Done", "role": "done"}]}
PATH = ["Backlog", "Ready for analysis", "Analysing", "Ready for dev", "In progress",
        "Ready for review", "In review", "Ready to deploy", "Deploying", "Done"]


def history(n_changes: int, seed: int = 0) -> pd.DataFrame:
    """Status changes of items walking PATH (10 changes each), 5% sent back, 1% blocked."""
    rng = np.random.default_rng(seed)
    n_items = max(1, n_changes // len(PATH))
    status = np.tile(np.array(PATH, dtype=object), n_items)
    back = rng.random(status.size) < 0.05
    status[back & (status == "Ready to deploy")] = "In progress"  # sent back to build
    status[rng.random(status.size) < 0.01] = "Blocked"             # not in the map
    start = np.datetime64("2025-01-01T00:00:00", "ms") + (
        rng.uniform(0, 365, n_items) * 86_400_000).astype("timedelta64[ms]")
    steps = (rng.exponential(6, (n_items, len(PATH))).cumsum(axis=1) * 3_600_000
             ).astype("timedelta64[ms]")
    when = (start[:, None] + steps).ravel()
    stamps = pd.DatetimeIndex(when).tz_localize("UTC").tz_convert("Europe/Berlin")
    return pd.DataFrame({"Issue key": np.repeat([f"OPS-{k}" for k in range(n_items)],
                                                len(PATH)),
                         "Status": status,
                         "Changed": stamps.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3]
                         + stamps.strftime("%z").str[:3] + ":" + stamps.strftime("%z").str[3:],
                         "Assignee": rng.choice(["ana", "ben", "cho", "dev"], status.size)})


def jira_pages(frame: pd.DataFrame, page_size: int = 100) -> list[dict]:
    """The same changes as the pages of a Jira search with ``expand=changelog`` (not timed)."""
    key = frame["Issue key"].to_numpy()
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], len(key)]
    status, changed = frame["Status"].to_numpy(), frame["Changed"].to_numpy()
    who = frame["Assignee"].to_numpy()
    issues = []
    for a, b in zip(starts, ends):
        histories = [{"id": str(k), "created": changed[k], "items": [
            {"field": "status", "fieldId": "status", "fromString": status[k - 1],
             "toString": status[k]},
            {"field": "assignee", "fieldId": "assignee", "fromString": who[k - 1],
             "toString": who[k]}]} for k in range(a + 1, b)]
        issues.append({"key": key[a], "fields": {"created": changed[a],
                                                 "status": {"name": status[b - 1]},
                                                 "issuetype": {"name": "Story"},
                                                 "assignee": {"displayName": who[b - 1]}},
                       "changelog": {"startAt": 0, "total": len(histories),
                                     "maxResults": len(histories), "histories": histories}})
    return [{"startAt": i, "maxResults": page_size, "total": len(issues),
             "issues": issues[i:i + page_size]} for i in range(0, len(issues), page_size)]


def time_pair(path: Path, pm4py) -> tuple[float, float | None]:
    """What a process-mining analyst runs on the same export: pandas reads it (offsets that
    change with daylight saving leave the column as text: then to_datetime), pm4py's
    performance DFG of the statuses."""
    gc.collect()
    t0 = time.perf_counter()
    frame = pd.read_csv(path, parse_dates=["Changed"], date_format="ISO8601")
    if not pd.api.types.is_datetime64_any_dtype(frame["Changed"]):
        frame["Changed"] = pd.to_datetime(frame["Changed"], format="ISO8601", utc=True)
    read = time.perf_counter() - t0
    if pm4py is None:
        return read, None
    log = frame.rename(columns={"Issue key": "case:concept:name", "Status": "concept:name",
                                "Changed": "time:timestamp", "Assignee": "org:resource"})
    t1 = time.perf_counter()
    pm4py.discover_performance_dfg(log)
    return read, time.perf_counter() - t1


def time_opsdx(source, reader) -> tuple[float, float, object]:
    gc.collect()
    t0 = time.perf_counter()
    flow = reader(source, MAP)
    t1 = time.perf_counter()
    report = opsdx.find_constraint(flow)
    return t1 - t0, time.perf_counter() - t1, (flow, report)


def phases(path: Path, repeat: int) -> None:
    """Where read_status_history spends its time: the best of ``repeat`` runs, per step."""
    import functools

    from opsdx import tables
    from opsdx.flow import statuses

    spent: dict[str, float] = {}
    steps = [(statuses, "read_table"), (tables, "_read_csv"), (tables, "_arrow_body"),
             (tables, "_padded"), (tables, "_with_header"), (statuses, "parse_moments"),
             (statuses, "_tidy"), (statuses, "flow_from_visits")]
    originals = [(module, name, getattr(module, name)) for module, name in steps]

    def timed(name, f):
        @functools.wraps(f)
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
        return run

    for module, name, f in originals:
        setattr(module, name, timed(name, f))
    try:
        best: dict[str, float] | None = None
        for _ in range(repeat):
            spent.clear()
            gc.collect()
            t0 = time.perf_counter()
            opsdx.read_status_history(path, MAP)
            spent["total"] = time.perf_counter() - t0
            if best is None or spent["total"] < best["total"]:
                best = dict(spent)
    finally:
        for module, name, f in originals:
            setattr(module, name, f)
    print("  read_status_history by step (s; read_table holds the next four, _read_csv "
          "holds _arrow_body): "
          + ", ".join(f"{k} {v:.2f}" for k, v in best.items()))


def arrow(path: Path) -> None:
    """pyarrow's CSV reader alone on the same file, timestamps parsed."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={"Changed": pa.timestamp("ms", tz="UTC")}))
        best = min(best, time.perf_counter() - t0)
    print(f"  pyarrow.csv.read_csv, offsets parsed: {best:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jira", action=argparse.BooleanOptionalAction, default=True,
                        help="also read the same changes as Jira JSON pages")
    parser.add_argument("--phases", action="store_true",
                        help="also print where read_status_history spends its time, and "
                             "pyarrow's CSV reader alone on the same file")
    args = parser.parse_args()
    try:
        import pm4py
    except ImportError:
        pm4py = None
        print("pm4py is not installed: no ratio to the analyst's pair (make bench-pm4py runs "
              "this script in .venv-bench, where it is)")
    frame = history(args.changes)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "status_history.csv"
        frame.to_csv(path, index=False)
        ours, pair = [], []
        for _ in range(args.repeat):  # alternating, best of each
            read, analyse, (flow, report) = time_opsdx(path, opsdx.read_status_history)
            ours.append((read + analyse, read, analyse))
            pair.append(time_pair(path, pm4py))
        total, read, analyse = min(ours)
        visits_path = Path(scratch) / "work_items.csv"
        flow.visits.drop(columns="row").to_csv(visits_path, index=False)
        gc.collect()
        t0 = time.perf_counter()
        opsdx.read_work_items(visits_path, stages=STAGES)
        items_s = time.perf_counter() - t0
        print(f"{args.changes:,} status changes (CSV, Berlin offsets, milliseconds) -> "
              f"{len(flow.visits):,} visits; best of {args.repeat}, alternating runs:")
        print(f"  opsdx read_status_history {read:.2f} s + find_constraint {analyse:.2f} s "
              f"= {total:.2f} s: {report.constraint}")
        p_read = min(r for r, _ in pair)
        if pm4py is not None:
            p_total = min(r + d for r, d in pair)
            print(f"  pandas read_csv {p_read:.2f} s + pm4py performance DFG "
                  f"{min(d for _, d in pair):.2f} s = {p_total:.2f} s; ratio opsdx / pair "
                  f"{total / p_total:.2f} (target: at most 1.0)")
        else:
            print(f"  pandas read_csv alone {p_read:.2f} s")
        print(f"  read_work_items on the same visits as work_items.csv {items_s:.2f} s "
              f"(status history / work items {read / items_s:.2f})")
        if args.phases:
            phases(path, args.repeat)
            arrow(path)
        if args.jira:
            pages = jira_pages(frame)
            folder = Path(scratch) / "jira"
            folder.mkdir()
            for k, page in enumerate(pages, start=1):
                (folder / f"page-{k:04d}.json").write_text(json.dumps(page))
            j_read, j_analyse, (j_flow, j_report) = time_opsdx(folder, opsdx.read_jira)
            same = j_flow.visits.drop(columns=["row", "owner"], errors="ignore").equals(
                flow.visits.drop(columns=["row", "owner"], errors="ignore"))
            print(f"  the same changes as {len(pages):,} Jira JSON pages: read_jira {j_read:.2f} s"
                  f" + find_constraint {j_analyse:.2f} s: {j_report.constraint}; "
                  f"visits identical to the CSV's: {same}")
    print("notes: " + " | ".join(n.code for n in flow.notes))


if __name__ == "__main__":
    main()
