"""Backtest coverage on the bundled sample clients.

    python bench/backtest.py

For each client: the walk-forward coverage of the reference-class P50/P80/P90
(after recalibration too) against the inside view, and of the throughput
Monte Carlo's P50/P70/P85/P95 completion dates for the next 10 items.
Then a worked example of recalibration: a seeded history whose estimates grow
wilder a third of the way through, so that a class fitted on all the past is
over-confident; coverage before and after recalibration, on the same items.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import opsdx

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def main() -> None:
    for folder in sorted(p for p in SAMPLES.iterdir() if (p / "estimates.csv").is_file()):
        estimates = opsdx.read_estimates(folder / "estimates.csv")
        rc = opsdx.backtest_reference_class(estimates, p=(0.5, 0.8, 0.9))
        table = rc.summary()
        print(f"{folder.name}: {rc.sentence(0.8)}")
        for row in table.dropna(subset=["p"]).itertuples():
            print(f"  reference class P{row.p * 100:g}: coverage {row.coverage:.3f} over {row.n}; "
                  f"on the {row.n_recalibrated} recalibrated: {row.coverage_same_rows:.3f} as "
                  f"forecast, {row.coverage_recalibrated:.3f} recalibrated; "
                  f"pinball {row.pinball_loss:.3f}")
        when = opsdx.backtest_forecast_when(estimates, items=10, seed=0)
        for row in when.summary().itertuples():
            print(f"  throughput Monte Carlo P{row.p * 100:g}: coverage {row.coverage:.3f} "
                  f"over {row.n} forecasts")

    drifting = drifting_history()
    result = opsdx.backtest_reference_class(drifting, p=(0.5, 0.8, 0.9))
    print("recalibration, drifting history of 900 items (same items before and after):")
    for row in result.summary().dropna(subset=["p"]).itertuples():
        print(f"  P{row.p * 100:g}: as forecast {row.coverage_same_rows:.3f}, recalibrated "
              f"{row.coverage_recalibrated:.3f} over {row.n_recalibrated} items")
    levels = result.recalibration()
    print("  levels to read for an honest P50/P80/P90: "
          + ", ".join(f"{v:.3f}" for v in levels))


def drifting_history(n: int = 900, seed: int = 2) -> pd.DataFrame:
    """Ratios lognormal(0.3, 0.4), then lognormal(0.3, 0.9) after the first third; 25% on estimate."""
    rng = np.random.default_rng(seed)
    start = pd.date_range("2025-01-01", periods=n, freq="D")
    estimate = rng.choice([1, 2, 3, 5, 8], n).astype(float)
    sigma = np.where(np.arange(n) > n // 3, 0.9, 0.4)
    ratio = np.where(rng.random(n) < 0.25, 1.0, rng.lognormal(0.3, sigma, n))
    return pd.DataFrame({"item_id": [f"T{i}" for i in range(n)], "estimate": estimate,
                         "actual": estimate * ratio, "estimated_on": start,
                         "finished_on": start + pd.to_timedelta(rng.integers(1, 15, n), "D")})


if __name__ == "__main__":
    main()
