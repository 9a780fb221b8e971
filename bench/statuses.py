"""Time read_status_history on a tracker-shaped export of 1,000,000 status changes.

    python bench/statuses.py [--changes 1000000]

The shape a Jira or GitHub export has: items moving through backlog, queues
and work statuses of four stages, some sent back to an earlier stage, some
reopened, a status the map does not name, timestamps with milliseconds and a
UTC offset. Printed beside it: reading the same flow as ``work_items.csv``
(one row per visit) with read_work_items, the reader it is measured against
(issue 12: the status history within the CSV reader's bound).
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "status_history.csv"
        history(args.changes).to_csv(path, index=False)
        t0 = time.perf_counter()
        flow = opsdx.read_status_history(path, MAP)
        status_s = time.perf_counter() - t0
        visits = flow.visits.drop(columns="row")
        visits_path = Path(scratch) / "work_items.csv"
        visits.to_csv(visits_path, index=False)
        t0 = time.perf_counter()
        opsdx.read_work_items(visits_path, stages=STAGES)
        items_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = opsdx.find_constraint(flow)
        analyse_s = time.perf_counter() - t0
    print(f"read_status_history: {args.changes:,} status changes -> {len(flow.visits):,} visits "
          f"in {status_s:.1f} s; read_work_items on those visits as work_items.csv "
          f"{items_s:.1f} s (ratio {status_s / items_s:.2f}); find_constraint {analyse_s:.1f} s: "
          f"{report.constraint}")
    print("notes: " + " | ".join(n.code for n in flow.notes))


if __name__ == "__main__":
    main()
