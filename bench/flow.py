"""Speed of reading and analysing flow data: 1,000,000 stage visits, in every timestamp shape.

    python bench/flow.py [--visits 1000000] [--repeat 3] [--shapes seconds,offset,...]
    make bench-pm4py     # the same, in .venv-bench where pm4py is installed beside opsdx

Simulates a six-stage line (one pure delay, rework) long enough to produce
about ``--visits`` stage visits with :func:`opsdx.simulate_line` (not timed),
then writes them to one CSV file per timestamp shape, as exports write them:

=========== ===================================================================
shape       a timestamp as written
=========== ===================================================================
seconds     ``2025-01-06 00:03:29``
fraction    ``2025-01-06 00:03:29.807558942`` (nanoseconds, as simulators write)
offset      ``2025-01-06T00:03:29.807+0000`` (Jira, ISO 8601 with milliseconds)
zulu        ``2025-01-06T00:03:29.807Z`` (GitHub, Linear)
dst         ``2025-01-06T01:03:29.807+01:00``, ``+02:00`` in summer (Europe/Berlin)
=========== ===================================================================

For each shape, alternately in one process, ``--repeat`` times:

* opsdx: ``read_work_items`` on the file, then ``find_constraint``;
* the pair a process-mining analyst would run: pandas ``read_csv`` with
  ``parse_dates`` (plus ``to_datetime(utc=True)`` for a column pandas leaves
  as text, as with offsets that change), then pm4py's performance DFG on the
  same visits as a start/complete event log (the reshaping is not timed).

It prints the best time of each and the ratio opsdx / pair (target: at most
1.0 for every shape). pm4py is never a dependency of opsdx (its licence is
AGPL): without it the pair's pm4py part is missing and no ratio is printed.

Then the verdict's hit rate on random lines (``--lines``), with and without
``started_at``, against two naive readings: the stage with the longest
median time, and the stage with the most work in progress.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import opsdx  # noqa: E402
from opsdx.flow import Line, Stage, simulate_line  # noqa: E402

TIMES = ["entered_at", "started_at", "exited_at"]


def _iso_ms(times: pd.Series, zone: str | None = None, suffix: str = "") -> pd.Series:
    local = times if zone is None else times.dt.tz_localize("UTC").dt.tz_convert(zone)
    text = local.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3]
    if zone is not None:
        offset = local.dt.strftime("%z")
        text = text + offset.str[:3] + ":" + offset.str[3:]
    return text + suffix


SHAPES = {
    "seconds": lambda t: t.dt.strftime("%Y-%m-%d %H:%M:%S"),
    "fraction": lambda t: t.astype(str).where(t.notna()),
    "offset": lambda t: _iso_ms(t, suffix="+0000"),
    "zulu": lambda t: _iso_ms(t, suffix="Z"),
    "dst": lambda t: _iso_ms(t, zone="Europe/Berlin"),
}


def big_line(visits: int) -> tuple[Line, float]:
    stages = [Stage("Intake", 0.004, servers=2), Stage("Build", 0.03, servers=12),
              Stage("Review", 0.0032, servers=1, rework_to="Build", rework_share=0.1),
              Stage("Customer sign-off", 1.5, servers=None, cv=0.3),
              Stage("Release", 0.01, servers=4), Stage("Invoice", 0.002, servers=1)]
    line = Line(stages, arrivals_per_day=280.0)
    per_item = line.visits().sum()
    return line, visits / per_item / line.arrivals_per_day


def write_shape(visits: pd.DataFrame, shape: str, path: Path) -> str:
    out = visits.copy()
    for col in TIMES:
        out[col] = SHAPES[shape](out[col]).fillna("")
    out.to_csv(path, index=False)
    return out["entered_at"].iloc[0]


def pm4py_log(visits: pd.DataFrame) -> pd.DataFrame:
    """The visits as a start/complete event log with pm4py's column names."""
    start = visits.rename(columns={"entered_at": "time:timestamp"}).assign(
        **{"lifecycle:transition": "start"})
    done = visits.dropna(subset=["exited_at"]).drop(columns="entered_at").rename(
        columns={"exited_at": "time:timestamp"}).assign(**{"lifecycle:transition": "complete"})
    log = pd.concat([start, done]).rename(columns={"item_id": "case:concept:name",
                                                   "stage": "concept:name"})
    return log[["case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition"]]


def time_opsdx(path: Path, stages: list) -> tuple[float, float, object]:
    gc.collect()
    t0 = time.perf_counter()
    flow = opsdx.read_work_items(path, stages=stages)
    t1 = time.perf_counter()
    report = opsdx.find_constraint(flow)
    return t1 - t0, time.perf_counter() - t1, report


def time_pair(path: Path, pm4py) -> tuple[float, float | None]:
    gc.collect()
    t0 = time.perf_counter()
    frame = pd.read_csv(path, parse_dates=TIMES, date_format="ISO8601")
    for col in TIMES:  # a column pandas left as text (offsets that change): what a user does next
        if not pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = pd.to_datetime(frame[col], format="ISO8601", utc=True)
    read = time.perf_counter() - t0
    if pm4py is None:
        return read, None
    log = pm4py_log(frame)
    t1 = time.perf_counter()
    pm4py.discover_performance_dfg(log)
    return read, time.perf_counter() - t1


def speed(visits: pd.DataFrame, line: Line, shapes: list[str], repeat: int) -> None:
    try:
        import pm4py
    except ImportError:
        pm4py = None
        print("pm4py is not installed: no ratio (make bench-pm4py runs this script in "
              ".venv-bench, where it is)")
    print(f"read + analysis of {len(visits):,} visits, best of {repeat}, alternating runs:")
    print(f"  {'shape':<9} {'written as':<32} {'opsdx read':>10} {'analysis':>9} {'total':>7}"
          f"   {'pandas':>7} {'pm4py':>7} {'total':>7}   ratio")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            path = Path(tmp) / f"{shape}.csv"
            example = write_shape(visits, shape, path)
            ours, pair = [], []
            for _ in range(repeat):
                read, analysis, report = time_opsdx(path, line.names)
                ours.append((read + analysis, read, analysis))
                pair.append(time_pair(path, pm4py))
            total, read, analysis = min(ours)
            assert report.constraint == line.truth(), (shape, report.constraint)
            p_read = min(r for r, _ in pair)
            text = (f"  {shape:<9} {example:<32} {read:>9.2f}s {analysis:>8.2f}s {total:>6.2f}s"
                    f"   {p_read:>6.2f}s")
            if pm4py is not None:
                p_dfg = min(d for _, d in pair)
                p_total = min(r + d for r, d in pair)
                text += f" {p_dfg:>6.2f}s {p_total:>6.2f}s   {total / p_total:.2f}"
            print(text)
            path.unlink()
    print(f"  verdict on every shape: {line.truth()!r}, the true constraint")


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
    parser.add_argument("--shapes", default=",".join(SHAPES),
                        help=f"comma-separated, among {', '.join(SHAPES)}")
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = sorted(set(shapes) - set(SHAPES))
    if unknown:
        parser.error(f"unknown shapes {', '.join(unknown)}; choose among {', '.join(SHAPES)}")

    line, days = big_line(args.visits)
    t = time.perf_counter()
    visits = simulate_line(line, days=days, seed=0)
    print(f"simulated {len(visits):,} stage visits over {days:.0f} days "
          f"in {time.perf_counter() - t:.1f} s (not part of the timing)")
    if shapes:
        speed(visits, line, shapes, args.repeat)
    if args.lines:
        accuracy(args.lines, args.seed)


if __name__ == "__main__":
    main()
