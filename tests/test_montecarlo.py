import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx import OpsdxError


def test_zero_days_are_kept_and_working_calendar():
    tp = opsdx.daily_throughput(pd.DataFrame({"finished_on": pd.to_datetime(
        ["2026-01-05", "2026-01-05", "2026-01-08", None])}))
    assert tp.tolist() == [2, 0, 0, 1]
    work = opsdx.daily_throughput(["2026-01-02", "2026-01-03", "2026-01-06"], calendar="working",
                                  holidays=["2026-01-05"])
    # Saturday's item counts on the next working day; the holiday Monday is not a day
    assert work.index.strftime("%Y-%m-%d").tolist() == ["2026-01-02", "2026-01-06"]
    assert work.tolist() == [1, 2]
    padded = opsdx.daily_throughput(["2026-01-05"], start="2026-01-01", end="2026-01-07")
    assert padded.tolist() == [0, 0, 0, 0, 1, 0, 0]


def test_constant_throughput_gives_exact_dates():
    f = opsdx.forecast_when([2, 2, 2], 10, start="2026-03-02", trials=500, seed=0)
    assert set(f.days) == {5}
    assert (f.percentiles()["date"] == pd.Timestamp("2026-03-06")).all()
    assert f.p_by("2026-03-06") == 1.0 and f.p_by("2026-03-05") == 0.0


def test_working_days_skip_weekends():
    tp = opsdx.daily_throughput(pd.bdate_range("2026-01-05", periods=10), calendar="working")
    f = opsdx.forecast_when(tp, 6, start="2026-03-05", trials=100, seed=0)  # a Thursday
    assert set(f.dates.astype(str)) == {"2026-03-12"}  # Thu, Fri, Mon, Tue, Wed, Thu


def test_how_many_uses_the_lower_quantile_for_at_least():
    f = opsdx.forecast_how_many([0, 1, 2, 3, 4], days=5, trials=20_000, seed=3)
    table = f.at_least([0.5, 0.85, 0.95])
    for row in table.itertuples():
        assert f.p_at_least(row.at_least) >= row.p         # a safe commitment ...
        assert f.p_at_least(row.at_least + 1) < row.p      # ... and the largest one
    # the p quantile would promise more than the team delivers in most trials
    naive = np.quantile(f.counts, 0.85)
    assert f.p_at_least(naive) < 0.5
    assert table["at_least"].is_monotonic_decreasing


def test_how_many_until_a_date_counts_working_days():
    tp = opsdx.daily_throughput(pd.bdate_range("2026-01-05", periods=10), calendar="working")
    f = opsdx.forecast_how_many(tp, start="2026-03-02", until="2026-03-13", trials=50, seed=0)
    assert f.days == 10 and set(f.counts) == {10.0}


def test_seed_reproduces_and_scope_growth_widens():
    tp = [0, 1, 3, 1, 2, 0, 1]
    a = opsdx.forecast_when(tp, 30, start="2026-01-01", trials=3000, seed=11)
    b = opsdx.forecast_when(tp, 30, start="2026-01-01", trials=3000, seed=11)
    assert np.array_equal(a.days, b.days)
    grown = opsdx.forecast_when(tp, 30, start="2026-01-01", trials=3000, seed=11, split=(1, 3))
    assert np.median(grown.days) > 1.7 * np.median(a.days)


def test_bad_arguments():
    with pytest.raises(OpsdxError, match="start is required"):
        opsdx.forecast_when([1, 2], 3, start=None)
    with pytest.raises(OpsdxError, match="no finished item"):
        opsdx.forecast_when([0, 0], 3, start="2026-01-01")
    with pytest.raises(OpsdxError, match="either days or until"):
        opsdx.forecast_how_many([1, 2])
    with pytest.raises(OpsdxError, match="split must be"):
        opsdx.forecast_when([1, 2], 3, start="2026-01-01", split=(2, 1))


def test_weekend_finishes_after_the_last_working_day_are_kept_and_thin_history_refused():
    tp = opsdx.daily_throughput(["2026-01-08", "2026-01-09", "2026-01-10"], calendar="working")
    assert tp.sum() == 3
    with pytest.raises(OpsdxError, match="too thin"):
        opsdx.forecast_when([1] + [0] * 999, 100, start="2026-01-01", trials=50)
