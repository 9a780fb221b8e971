import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx import OpsdxError


def make_history(n=500, seed=0, drift=False):
    rng = np.random.default_rng(seed)
    start = pd.date_range("2025-01-01", periods=n, freq="D")
    estimate = rng.choice([1, 2, 3, 5, 8], n).astype(float)
    sigma = np.where(drift & (np.arange(n) > n // 3), 0.9, 0.4) if drift else 0.4
    ratio = np.where(rng.random(n) < 0.25, 1.0, rng.lognormal(0.3, sigma, n))
    return pd.DataFrame({"item_id": [f"T{i}" for i in range(n)], "estimate": estimate,
                         "actual": estimate * ratio, "estimated_on": start,
                         "finished_on": start + pd.to_timedelta(rng.integers(1, 15, n), "D")})


def test_stable_history_is_calibrated():
    result = opsdx.backtest_reference_class(make_history(), p=(0.5, 0.8, 0.9))
    summary = result.summary().set_index("method")
    ref = result.summary().dropna(subset=["p"])
    assert (abs(ref["coverage"] - ref["p"]) <= 0.05).all()
    inside = summary.loc["inside view (the estimate)", "coverage"]
    assert inside < 0.45  # estimates are optimistic in this history
    assert result.sentence(0.8).startswith("In backtest, our P80 covered ")


def test_only_what_was_known_is_used():
    h = make_history(200)
    result = opsdx.backtest_reference_class(h, min_history=20)
    for row in result.items.sample(20, random_state=0).itertuples():
        known = (h["finished_on"] < row.date).sum()
        assert row.n_class == known


def test_recalibration_repairs_an_over_confident_class():
    result = opsdx.backtest_reference_class(make_history(900, seed=2, drift=True), p=(0.8, 0.9))
    table = result.summary().dropna(subset=["p"]).set_index("p")
    for p in (0.8, 0.9):
        before = abs(table.at[p, "coverage"] - p)
        after = abs(table.at[p, "coverage_recalibrated"] - p)
        assert after < before


def test_pit_and_plot():
    result = opsdx.backtest_reference_class(make_history(300))
    assert result.items["pit"].between(0, 1).all()
    ax = result.plot_calibration()
    assert ax.get_xlabel() == "chance the budget promises to hold (P80 = 0.8)"


def test_too_little_history():
    with pytest.raises(OpsdxError, match="needs more than 20 finished, dated items"):
        opsdx.backtest_reference_class(make_history(15))


def test_throughput_backtest_on_a_steady_team_is_calibrated():
    rng = np.random.default_rng(5)
    days = pd.date_range("2024-01-01", periods=900, freq="D")
    finished = np.repeat(days, rng.poisson(1.5, len(days)))
    result = opsdx.backtest_forecast_when(finished, items=15, window_days=120, step_days=7,
                                          trials=1000, seed=1)
    table = result.summary()
    assert len(result.items) > 100
    # outcomes are whole days, so "done by the P(p) day" holds at least p of the time
    # (the day itself carries probability); the mid-point PIT is centred when calibrated
    assert (table["coverage"] >= table["p"] - 0.05).all()
    assert abs(result.items["pit"].mean() - 0.5) <= 0.06
    assert result.sentence(0.85).startswith("In backtest, our P85 covered ")
    assert "inside view" not in result.sentence(0.85)
    again = opsdx.backtest_forecast_when(finished, items=15, window_days=120, step_days=7,
                                         trials=1000, seed=1)
    pd.testing.assert_frame_equal(result.items, again.items)


def test_throughput_backtest_needs_history():
    with pytest.raises(OpsdxError, match="not enough history"):
        opsdx.backtest_forecast_when(pd.date_range("2024-01-01", periods=30, freq="D"), items=10)


def test_backtest_weights_follow_rows_and_no_silent_look_ahead():
    h = make_history(200, seed=4)
    w = np.where(np.arange(200) % 2 == 0, 1.0, 1e-6)
    shuffled = h.sample(frac=1, random_state=3)
    ws = w[shuffled.index.to_numpy()]
    a = opsdx.backtest_reference_class(h, weights=w).items.set_index("item_id")["q50"]
    b = opsdx.backtest_reference_class(shuffled, weights=ws).items.set_index("item_id")["q50"]
    pd.testing.assert_series_equal(a.sort_index(), b.sort_index())
    with pytest.raises(OpsdxError, match="no 'finished_on' column"):
        opsdx.backtest_reference_class(h.drop(columns="finished_on"))
    with pytest.warns(opsdx.OpsdxWarning, match="sees outcomes before they happened"):
        opsdx.backtest_reference_class(h.drop(columns="finished_on"), known_from="estimated_on")


def test_forecast_with_recalibration_from_a_backtest():
    h = make_history(900, seed=2, drift=True)
    backtest = opsdx.backtest_reference_class(h, p=(0.5, 0.8, 0.9))
    levels = backtest.recalibration()
    # the class mixes the calm early history with the wilder later one: it is
    # over-confident, so an honest P80 and P90 read higher levels
    assert levels[0.8] > 0.8 and levels[0.9] > 0.9
    rc = opsdx.ReferenceClass(h)
    plain = rc.forecast(10, p=(0.8, 0.9))
    fixed = rc.forecast(10, p=(0.8, 0.9), recalibration=backtest)
    assert list(fixed.columns) == ["estimate", "p80", "p90"]
    assert (fixed[["p80", "p90"]].to_numpy() > plain[["p80", "p90"]].to_numpy()).all()
    assert fixed.at[0, "p80"] == pytest.approx(10 * rc.ratio_quantile(levels[0.8]))
    with pytest.raises(OpsdxError, match="no level for p = 0.95"):
        rc.forecast(10, p=(0.95,), recalibration={0.8: 0.85})


def test_throughput_backtests_cannot_recalibrate_a_class():
    days = pd.date_range("2024-01-01", periods=400, freq="D")
    finished = np.repeat(days, np.random.default_rng(1).poisson(1.5, len(days)))
    when = opsdx.backtest_forecast_when(finished, items=10, trials=300)
    with pytest.raises(OpsdxError, match="recalibration applies to reference-class backtests"):
        when.recalibration()
    ax = when.plot_calibration()
    assert "forecasts of the next 10 items" in ax.get_title()
