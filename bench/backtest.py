"""Backtest coverage on the bundled sample clients.

    python bench/backtest.py

For each client: the walk-forward coverage of the reference-class P50/P80/P90
(after recalibration too) against the inside view, and of the throughput
Monte Carlo's P50/P70/P85/P95 completion dates for the next 10 items.
"""

from __future__ import annotations

from pathlib import Path

import opsdx

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def main() -> None:
    for folder in sorted(p for p in SAMPLES.iterdir() if (p / "estimates.csv").is_file()):
        estimates = opsdx.read_estimates(folder / "estimates.csv")
        rc = opsdx.backtest_reference_class(estimates, p=(0.5, 0.8, 0.9))
        table = rc.summary()
        print(f"{folder.name}: {rc.sentence(0.8)}")
        for row in table.dropna(subset=["p"]).itertuples():
            print(f"  reference class P{row.p * 100:g}: coverage {row.coverage:.3f} "
                  f"(recalibrated {row.coverage_recalibrated:.3f}), pinball {row.pinball_loss:.3f}")
        when = opsdx.backtest_forecast_when(estimates, items=10, seed=0)
        for row in when.summary().itertuples():
            print(f"  throughput Monte Carlo P{row.p * 100:g}: coverage {row.coverage:.3f} "
                  f"over {row.n} forecasts")


if __name__ == "__main__":
    main()
