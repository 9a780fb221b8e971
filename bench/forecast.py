"""Time forecast_when: 100 items, 10,000 trials; and the speed-up over a per-trial loop.

    python bench/forecast.py [--repeat 7]

Targets (issue 3): at most 0.1 s, and at least 20x faster than the
straightforward loop below (one Python loop per trial, one draw per day), which
computes the same distribution.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import opsdx

THROUGHPUT = np.array([0, 1, 2, 0, 3, 1, 1, 0, 2, 4, 1, 0, 0, 2, 1, 3, 0, 1, 2, 1])


def loop_forecast(throughput: np.ndarray, items: int, trials: int, seed: int) -> np.ndarray:
    """The obvious implementation: for each trial, draw days until the items are done."""
    rng = np.random.default_rng(seed)
    days = np.empty(trials, dtype=np.int64)
    for t in range(trials):
        total, day = 0.0, 0
        while total < items:
            total += throughput[rng.integers(0, throughput.size)]
            day += 1
        days[t] = day
    return days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--trials", type=int, default=10_000)
    args = parser.parse_args()

    opsdx.forecast_when(THROUGHPUT, args.items, start="2026-01-05", trials=100, seed=0)  # warm-up
    times = []
    for i in range(args.repeat):
        t0 = time.perf_counter()
        fast = opsdx.forecast_when(THROUGHPUT, args.items, start="2026-01-05",
                                   trials=args.trials, seed=i)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    slow = loop_forecast(THROUGHPUT, args.items, args.trials, seed=0)
    loop_s = time.perf_counter() - t0
    median = statistics.median(times)
    print(f"forecast_when: {args.items} items, {args.trials} trials: median {median:.4f} s, "
          f"best {min(times):.4f} s over {args.repeat} runs (target <= 0.1 s)")
    print(f"per-trial Python loop: {loop_s:.3f} s; speed-up {loop_s / median:.0f}x (target >= 20x)")
    print(f"same distribution: median days {np.median(fast.days):g} (vectorised) vs "
          f"{np.median(slow):g} (loop); P85 {np.quantile(fast.days, 0.85, method='inverted_cdf'):g} "
          f"vs {np.quantile(slow, 0.85, method='inverted_cdf'):g}")


if __name__ == "__main__":
    main()
