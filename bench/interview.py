"""Time the live interview: a click saved to interviews.csv, and the live panel rescored.

    python bench/interview.py [--repeat 30]

The shapes consultants have: the sample client Harbour Analytics (9 respondents
handed over) and a large engagement (50 respondents handed over, plus 30 already
interviewed, so interviews.csv holds 1,050 rows); and a workshop's file of 200
interviews (7,000 rows) for the save alone.

Targets (issue 11): a save at most 50 ms with 7,000 rows in the file; a click
(save, then the live panel's light bootstrap) at most 250 ms median on the large
engagement, so that the form never lags behind the person clicking.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import opsdx
from opsdx.live import InterviewFile

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms"


def _clicks(iv, repeat: int) -> list[float]:
    """Answer items through the form's buttons, as a click does; seconds per click."""
    form = iv.form
    ids = list(iv.questionnaire.items["item_id"])
    labels = iv.options(ids[0])[:5]
    times = []
    for k in range(repeat):
        choice = form.rows[ids[k % len(ids)]]["choice"]
        label = labels[k % len(labels)]
        if choice.value == label:
            label = labels[(k + 1) % len(labels)]
        t0 = time.perf_counter()
        choice.value = label  # saves, then rescores the live panel
        times.append(time.perf_counter() - t0)
    return times


def _fill(folder: Path, respondents: int, prefix: str) -> None:
    """``respondents`` complete interviews written straight into interviews.csv."""
    q = opsdx.load_questionnaire("maturity")
    raw = opsdx.simulate_responses(q, stage=3, n_respondents=respondents, seed=11)
    raw = raw.assign(respondent=prefix + raw["respondent"].astype(str), comment="",
                     answered_at="2026-12-01T09:00:00.000+00:00")
    InterviewFile(folder)._write(raw[list(opsdx.live.COLUMNS)].fillna(""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        # the sample client
        sample = shutil.copytree(ROOT / "sample_data" / "harbour-analytics", scratch / "harbour")
        t0 = time.perf_counter()
        iv = opsdx.interview(sample, respondent="R-bench", role="manager")
        opened = time.perf_counter() - t0
        t0 = time.perf_counter()
        iv.form
        built = time.perf_counter() - t0
        clicks = _clicks(iv, args.repeat)
        t0 = time.perf_counter()
        iv.form.refresh_live(full=True)
        full = time.perf_counter() - t0
        print(f"Harbour Analytics (9 respondents): open {opened * 1000:.0f} ms, form built "
              f"{built * 1000:.0f} ms; a click (save + live panel, {iv.n_boot} resamples): "
              f"{_median_ms(clicks)} over {args.repeat}; full score ({opsdx.live.FULL_BOOT:,} "
              f"resamples) {full * 1000:.0f} ms")

        # a large engagement: 50 handed over, 30 interviewed already
        large = scratch / "large"
        large.mkdir()
        (large / "client.yaml").write_text("name: Large Engagement plc\n")
        q = opsdx.load_questionnaire("maturity")
        opsdx.simulate_responses(q, stage=3, n_respondents=50, seed=3).to_csv(
            large / "responses.csv", index=False)
        _fill(large, 30, "I")
        iv = opsdx.interview(large, respondent="R-bench", role="manager")
        clicks = _clicks(iv, args.repeat)
        rows = len(InterviewFile(large).read())
        print(f"large engagement (50 handed over + 30 interviews, {rows:,} rows in "
              f"interviews.csv): a click {_median_ms(clicks)} over {args.repeat} "
              f"(target median <= 250 ms)")

        # a workshop's file: 200 interviews, the save alone
        workshop = scratch / "workshop"
        workshop.mkdir()
        (workshop / "client.yaml").write_text("name: Workshop Co\n")
        _fill(workshop, 200, "W")
        file = InterviewFile(workshop)
        ids = list(q.items["item_id"])
        saves = []
        for k in range(args.repeat):
            t0 = time.perf_counter()
            file.save("W-new", "staff", ids[k % len(ids)], "Usually true", "")
            saves.append(time.perf_counter() - t0)
        print(f"a save into a file of {len(file.read()):,} rows: {_median_ms(saves)} over "
              f"{args.repeat} (target <= 50 ms)")


if __name__ == "__main__":
    main()
