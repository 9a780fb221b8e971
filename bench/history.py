"""Time the re-assessment's own work: reading a client's snapshots and comparing two.

    python bench/history.py [--snapshots 40] [--repeat 5]

A client assessed every quarter for ten years has 40 snapshots in
``<out>/<client>/history/``, each a ``results.json`` of the sample client
Northwind Freight with its figures moved. Printed: the size of
a snapshot, the time to write one, to read the whole history, to compare the
last two with the trend over all, and to draw the trend chart. No target is set
(issue 13 names none); the figures show what a re-assessment adds to a batch run
of about ten seconds per client.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from opsdx.history import compare, read_history, write_snapshot  # noqa: E402
from opsdx.workbook import diagnose  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = diagnose(ROOT / "sample_data" / "northwind-freight",
                       {"n_boot": 300, "trials": 1000}).results()
    with tempfile.TemporaryDirectory() as scratch:
        history = Path(scratch) / "history"
        start = dt.date(2017, 1, 16)
        for k in range(args.snapshots):
            r = copy.deepcopy(results)
            r["headline"]["assessment_date"] = (start + dt.timedelta(days=91 * k)).isoformat()
            r["headline"]["maturity_index"] = 1.2 + 3.0 * k / max(1, args.snapshots - 1)
            write_snapshot(history, r)
        size = sum(p.stat().st_size for p in history.iterdir()) / args.snapshots / 1e6
        write = best(lambda: write_snapshot(history, results, "2030-01-01"), args.repeat)
        (history / "2030-01-01.json").unlink()
        read = best(lambda: read_history(history), args.repeat)
        snaps = read_history(history)
        comp = best(lambda: compare(snaps[-2], snaps[-1], history=snaps[:-2]), args.repeat)
        c = compare(snaps[-2], snaps[-1], history=snaps[:-2])
        plot = best(lambda: plt.close(c.plot_trend().figure), args.repeat)
    print(f"{args.snapshots} quarterly snapshots of {size:.2f} MB each; best of {args.repeat}:")
    print(f"  write one snapshot            {write * 1000:7.1f} ms")
    print(f"  read the whole history        {read * 1000:7.1f} ms")
    print(f"  compare the last two (trend)  {comp * 1000:7.1f} ms  ({len(c.trend)} rows)")
    print(f"  draw the trend chart          {plot * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
