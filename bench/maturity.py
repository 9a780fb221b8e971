"""Time score_maturity: 50 respondents, bundled questionnaire, 2000 bootstrap resamples.

    python bench/maturity.py [--repeat 7]

Target (issue 2): at most 0.5 s on the 2-core reference machine. Prints the
median and best of several runs; reading the answers is timed separately.
"""

from __future__ import annotations

import argparse
import statistics
import time

import opsdx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--respondents", type=int, default=50)
    parser.add_argument("--n-boot", type=int, default=2000)
    args = parser.parse_args()

    q = opsdx.load_questionnaire("maturity")
    raw = opsdx.simulate_responses(q, stage=3, n_respondents=args.respondents, seed=7)
    t0 = time.perf_counter()
    responses = opsdx.read_responses(raw, q)
    read_s = time.perf_counter() - t0

    opsdx.score_maturity(responses, q, n_boot=args.n_boot, seed=0)  # warm-up (imports, caches)
    times = []
    for i in range(args.repeat):
        t0 = time.perf_counter()
        opsdx.score_maturity(responses, q, n_boot=args.n_boot, seed=i)
        times.append(time.perf_counter() - t0)
    print(f"read_responses: {args.respondents} respondents x {len(q.items)} items: {read_s:.3f} s")
    print(f"score_maturity: {args.respondents} respondents, {len(q.items)} items, "
          f"n_boot={args.n_boot}: median {statistics.median(times):.3f} s, "
          f"best {min(times):.3f} s over {args.repeat} runs (target <= 0.5 s)")


if __name__ == "__main__":
    main()
