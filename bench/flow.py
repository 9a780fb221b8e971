"""Speed of reading and analysing flow data: 1,000,000 stage visits.

    python bench/flow.py [--visits 1000000] [--repeat 3]

Simulates a six-stage line (one pure delay, rework) long enough to produce
about ``--visits`` stage visits with :func:`opsdx.simulate_line` (not timed),
writes them to a CSV file, then times ``read_work_items`` on the file plus
``find_constraint`` on the result (target: at most 5 s for a million visits
on a 2-core machine). When pm4py is installed (it is never a dependency of
opsdx: its licence is AGPL), the same visits are also timed through pm4py's
performance DFG as an event log, and the ratio is printed.

Then the verdict's hit rate on random lines (``--lines``), with and without
``started_at``, against two naive readings: the stage with the longest
median time, and the stage with the most work in progress.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import opsdx  # noqa: E402
from opsdx.flow import Line, Stage, simulate_line  # noqa: E402


def big_line(visits: int) -> tuple[Line, float]:
    stages = [Stage("Intake", 0.004, servers=2), Stage("Build", 0.03, servers=12),
              Stage("Review", 0.0032, servers=1, rework_to="Build", rework_share=0.1),
              Stage("Customer sign-off", 1.5, servers=None, cv=0.3),
              Stage("Release", 0.01, servers=4), Stage("Invoice", 0.002, servers=1)]
    line = Line(stages, arrivals_per_day=280.0)
    per_item = line.visits().sum()
    return line, visits / per_item / line.arrivals_per_day


def time_read_and_find(path: Path, stages: list, repeat: int) -> tuple[float, object]:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        flow = opsdx.read_work_items(path, stages=stages)
        report = opsdx.find_constraint(flow)
        best = min(best, time.perf_counter() - t)
    return best, report


def time_pm4py(visits) -> float | None:
    try:
        import pm4py  # noqa: F401
    except ImportError:
        return None
    import pandas as pd

    log = pd.concat([
        visits.rename(columns={"entered_at": "time:timestamp"}).assign(**{"lifecycle:transition": "start"}),
        visits.dropna(subset=["exited_at"]).drop(columns="entered_at")
              .rename(columns={"exited_at": "time:timestamp"}).assign(**{"lifecycle:transition": "complete"})])
    log = log.rename(columns={"item_id": "case:concept:name", "stage": "concept:name"})
    log = log[["case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition"]]
    t = time.perf_counter()
    pm4py.discover_performance_dfg(log)
    return time.perf_counter() - t


def accuracy(n_lines: int, seed: int) -> None:
    from test_flow import random_line

    rng = np.random.default_rng(seed)
    hits = {"with started_at": 0, "without started_at": 0, "naive: longest median time": 0,
            "naive: most work in progress": 0}
    for _ in range(n_lines):
        line = random_line(rng)
        visits = simulate_line(line, days=365, seed=rng)
        truth = line.truth()
        with_start = opsdx.find_constraint(visits, stages=line.names)
        without = opsdx.find_constraint(visits.drop(columns="started_at"), stages=line.names)
        table = without.stages.set_index("stage")
        hits["with started_at"] += with_start.constraint == truth
        hits["without started_at"] += without.constraint == truth
        hits["naive: longest median time"] += table["time_p50"].idxmax() == truth
        hits["naive: most work in progress"] += table["mean_wip"].idxmax() == truth
    print(f"verdict on {n_lines} random lines (3-7 stages, pure delays, rework, load 0.6-1.1):")
    for name, n in hits.items():
        print(f"  {name:<30} {n / n_lines:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    line, days = big_line(args.visits)
    t = time.perf_counter()
    visits = simulate_line(line, days=days, seed=0)
    print(f"simulated {len(visits):,} stage visits over {days:.0f} days "
          f"in {time.perf_counter() - t:.1f} s (not part of the timing)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "work_items.csv"
        out = visits.copy()
        for col in ("entered_at", "started_at", "exited_at"):
            out[col] = out[col].dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
        out.to_csv(path, index=False)
        size = path.stat().st_size / 1e6
        seconds, report = time_read_and_find(path, line.names, args.repeat)
    print(f"read_work_items + find_constraint, {len(visits):,} visits ({size:.0f} MB CSV): "
          f"{seconds:.2f} s (best of {args.repeat}; target at most 5 s)")
    print(f"  verdict {report.constraint!r} (true constraint {line.truth()!r}), "
          f"confidence {report.confidence:.2f}")
    flow = opsdx.read_work_items(visits, stages=line.names)
    t = time.perf_counter()
    opsdx.find_constraint(flow)
    in_memory = time.perf_counter() - t
    print(f"find_constraint alone, visits already in memory: {in_memory:.2f} s")
    pm = time_pm4py(visits)
    if pm is None:
        print("pm4py is not installed: no comparison (pip install pm4py, benchmarks only)")
    else:
        print(f"pm4py performance DFG on the same visits in memory: {pm:.2f} s; "
              f"opsdx find_constraint / pm4py DFG = {in_memory / pm:.2f} "
              f"(read from CSV + verdict / DFG = {seconds / pm:.2f})")
    if args.lines:
        accuracy(args.lines, args.seed)


if __name__ == "__main__":
    main()
