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
    assert ax.get_xlabel() == "nominal probability p"


def test_too_little_history():
    with pytest.raises(OpsdxError, match="needs more than 20 finished, dated items"):
        opsdx.backtest_reference_class(make_history(15))
