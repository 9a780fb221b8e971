import warnings

import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx import OpsdxError, ReferenceClass, SmallSampleWarning


def history(ratios, estimate=1.0, **columns):
    ratios = np.asarray(ratios, float)
    return pd.DataFrame({"estimate": estimate, "actual": ratios * estimate, **columns})


def test_type_7_quantiles_oracle():
    rc = ReferenceClass(history(np.arange(30, 130, 5)))
    assert rc.ratio_quantile([0.25, 0.5, 0.75]).tolist() == [53.75, 77.5, 101.25]
    assert rc.uplift(0.5) == 76.5
    assert rc.forecast([1, 2], p=(0.5,))["p50"].tolist() == [77.5, 155.0]


def test_published_roads_class():
    roads = opsdx.published_class("uk-dft-roads-2004")
    f = roads.forecast(100)
    assert f[["p50", "p80"]].iloc[0].round(9).tolist() == [115.0, 132.0]
    assert "Department for Transport" in roads.citation
    assert roads.uplift(0.65) == pytest.approx(0.15 + 0.5 * 0.17)
    with pytest.raises(OpsdxError, match="publishes uplifts for p = 0.5, 0.8 only"):
        roads.uplift(0.9)
    with pytest.raises(OpsdxError, match="no published reference class"):
        opsdx.published_class("nope")


def test_point_mass_on_estimate_is_reported():
    rc = ReferenceClass(history([0.8, 1, 1, 1, 1.5, 2.0, 1.0, 0.9, 3.0, 1.0]))
    shares = rc.point_mass
    assert shares.to_dict() == pytest.approx({"under": 0.2, "on": 0.5, "over": 0.3})
    assert rc.p_overrun(10) == pytest.approx(0.3)
    assert rc.p_overrun(10, budget=15) == pytest.approx(0.2)
    assert rc.p_overrun(np.array([10, 10]), budget=np.array([10, 30])).tolist() == pytest.approx([0.3, 0.0])
    # a continuous fit cannot show the mass; it says how much it hides
    assert rc.lognormal()["share_on_estimate_hidden"] == pytest.approx(0.5)


def test_small_class_warns_for_tail_quantiles():
    rc = ReferenceClass(history([1, 1.2, 1.5, 2, 3]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        rc.ratio_quantile(0.8)  # 0.8 <= 5/6: fine
    with pytest.warns(SmallSampleWarning, match="5 items cannot support p = 0.9"):
        rc.ratio_quantile(0.9)
    ci = rc.quantile_ci([0.5, 0.9], level=0.9)
    assert ci.loc[0, "ci_low"] <= ci.loc[0, "ratio"] <= ci.loc[0, "ci_high"]
    assert np.isnan(ci.loc[1, "ci_high"])  # 5 items cannot bound a P90 from above


def test_by_falls_back_to_parent_classes_and_says_so():
    rng = np.random.default_rng(0)
    h = pd.concat([
        history(rng.lognormal(0.5, 0.3, 40), kind="feature", team="a"),
        history(rng.lognormal(0.5, 0.3, 5), kind="feature", team="b"),
        history(rng.lognormal(0.0, 0.3, 30), kind="bug", team="b"),
    ], ignore_index=True)
    rc = ReferenceClass(h, by=["kind", "team"], min_size=20)
    assert rc.select(kind="feature", team="a").label_ == "kind=feature, team=a"
    fb = rc.select(kind="feature", team="b")
    assert fb.label_ == "kind=feature" and fb.n_ == 45
    assert "class kind=feature, team=b has 5 finished item(s), fewer than 20" in fb.notes_[0]
    with pytest.warns(opsdx.OpsdxWarning, match="no finished item matches kind=chore"):
        assert rc.select(kind="chore").label_ == "all history"
    f = rc.forecast(10, p=(0.5,), kind="bug", team="b")
    assert f["p50"].iloc[0] == pytest.approx(10 * rc.select(kind="bug", team="b").ratio_quantile(0.5))
    with pytest.raises(OpsdxError, match="colour not among the class attributes"):
        rc.select(colour="red")


def test_recency_weights_follow_the_newest_practice():
    dates = pd.date_range("2024-01-01", periods=200, freq="3D")
    ratios = np.where(np.arange(200) < 100, 2.0, 1.1)  # practice improved half-way
    h = history(ratios, finished_on=dates)
    plain = ReferenceClass(h)
    recent = ReferenceClass(h, weights="recency", half_life_days=60)
    assert plain.ratio_quantile(0.5) == pytest.approx(1.55)
    assert recent.ratio_quantile(0.5) == pytest.approx(1.1)
    assert recent.n_effective_ < 100


def test_order_statistic_intervals_cover_the_true_quantile():
    # 400 classes of 60 items from a known distribution: the 90% interval of the median
    # and of the P80 holds the true quantile at least 90% of the time (it is conservative)
    rng = np.random.default_rng(7)
    hits = np.zeros(2)
    for _ in range(400):
        ci = ReferenceClass(history(rng.lognormal(0, 0.5, 60))).quantile_ci([0.5, 0.8], level=0.9)
        truth = np.exp(0.5 * np.array([0.0, 0.8416212335729143]))
        hits += (ci["ci_low"].to_numpy() <= truth) & (truth <= ci["ci_high"].to_numpy())
    assert (hits / 400 >= 0.88).all() and (hits / 400 <= 0.97).all()
    exact = ReferenceClass(history(np.arange(1.0, 21.0))).quantile_ci([0.5], level=0.9)
    assert set(exact[["ci_low", "ci_high"]].iloc[0]) <= set(np.arange(1.0, 21.0))


def test_held_out_coverage_on_a_known_distribution():
    rng = np.random.default_rng(42)
    train = rng.lognormal(0.3, 0.5, 3000)
    test = rng.lognormal(0.3, 0.5, 50_000)
    rc = ReferenceClass(history(train))
    for p in (0.5, 0.8, 0.9):
        coverage = np.mean(test <= rc.ratio_quantile(p))
        assert abs(coverage - p) <= 0.03


def test_fat_tails_suppress_the_mean():
    rng = np.random.default_rng(1)
    pareto = ReferenceClass(history(1 + rng.pareto(0.8, 2000)))
    # the note is made with the class: reading the figures changes nothing
    assert any("mean-based figures are left out" in n for n in pareto.notes_)
    notes = list(pareto.notes_)
    assert pareto.tail_index() <= 1.0
    assert np.isnan(pareto.mean_ratio) and pareto.tail_index(k=50) > 0
    assert pareto.notes_ == notes
    thin = ReferenceClass(history(rng.lognormal(0, 0.2, 2000)))
    assert thin.tail_index() > 1 and np.isfinite(thin.mean_ratio)
    assert np.isnan(ReferenceClass(history([1, 2, 3])).tail_index())


def test_lognormal_fit_recovers_parameters():
    rng = np.random.default_rng(3)
    fit = ReferenceClass(history(rng.lognormal(np.log(1.4), 0.35, 5000))).lognormal()
    assert fit["sigma"] == pytest.approx(0.35, abs=0.02)
    assert fit["median"] == pytest.approx(1.4, rel=0.03)


def test_bad_history_is_refused():
    with pytest.raises(opsdx.DataError, match="estimate and actual must be positive numbers"):
        ReferenceClass(pd.DataFrame({"estimate": [1, 0], "actual": [1, 2]}))
    with pytest.raises(OpsdxError, match="no finished item"):
        ReferenceClass(pd.DataFrame({"estimate": [1.0], "actual": [np.nan]}))
    with pytest.raises(OpsdxError, match="no column 'kind'"):
        ReferenceClass(history([1, 2]), by=["kind"])
    with pytest.raises(OpsdxError, match="p must be strictly between 0 and 1"):
        ReferenceClass(history([1, 2])).ratio_quantile(1.0)


def test_from_read_estimates_ignores_open_items(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("item_id,estimate,actual\na,2,3\nb,2,\nc,4,4\n")
    rc = ReferenceClass(opsdx.read_estimates(path))
    assert rc.n_ == 2 and rc.point_mass["on"] == 0.5
    summary = rc.summary(p=(0.5,))
    assert summary.loc[0, "ratio"] == pytest.approx(1.25) and summary.loc[0, "class"] == "all history"


def test_review_fixes_weighted_quantile_select_and_overrun():
    from opsdx.forecast.reference_class import weighted_quantile

    x = np.array([1.0, 2.0, 3.0])
    assert float(weighted_quantile(x, np.array([1.0, 0.0, 1.0]), 0.5)) == 2.0
    assert float(weighted_quantile(x, np.array([0.0, 0.0, 1.0]), 0.5)) == 3.0
    # symmetric: mirroring the values and their weights mirrors the median
    heavy_top = float(weighted_quantile(x, np.array([1.0, 1, 100]), 0.5))
    heavy_bottom = float(weighted_quantile(x, np.array([100.0, 1, 1]), 0.5))
    assert heavy_top == pytest.approx(4 - heavy_bottom) and heavy_top > 2.95
    # numbers match numbers whatever their type; a NaN attribute is its own class
    h = history(np.r_[np.full(25, 2.0), np.full(25, 1.0), [1.5]], team=[1.0] * 25 + [2.0] * 25 + [np.nan])
    rc = ReferenceClass(h, by=["team"], min_size=20)
    assert rc.select(team=1).label_ == "team=1" and rc.select(team=1).ratio_quantile(0.5) == 2.0
    with pytest.raises(OpsdxError, match="positive numbers"):
        rc.p_overrun(0)
    with pytest.raises(OpsdxError, match="positive numbers"):
        rc.p_overrun(10, budget=-5)
    # rounded actuals: tied top ratios give no tail index, and the class says so
    capped = ReferenceClass(history(np.minimum(np.arange(1, 201) / 20, 3.0)))
    assert np.isnan(capped.tail_index())
    assert capped.notes_ == ["all history: the largest ratios are mostly ties (rounded or capped "
                             "actuals), so the tail index cannot be estimated"]


def test_bootstrap_intervals_cover_and_are_seeded():
    # scipy.stats.bootstrap percentile intervals, 200 classes of 120 items: close to 90%
    rng = np.random.default_rng(11)
    truth = np.exp(0.5 * np.array([0.0, 0.8416212335729143]))
    hits = np.zeros(2)
    for _ in range(200):
        rc = ReferenceClass(history(rng.lognormal(0, 0.5, 120)))
        ci = rc.quantile_ci([0.5, 0.8], level=0.9, method="bootstrap", n_resamples=500, seed=1)
        hits += (ci["ci_low"].to_numpy() <= truth) & (truth <= ci["ci_high"].to_numpy())
    assert (hits / 200 >= 0.83).all() and (hits / 200 <= 0.97).all()
    rc = ReferenceClass(history(rng.lognormal(0, 0.5, 50)))
    a = rc.quantile_ci(method="bootstrap", seed=3)
    pd.testing.assert_frame_equal(a, rc.quantile_ci(method="bootstrap", seed=3))
    assert (a["method"] == "bootstrap").all() and (a["ci_low"] <= a["ratio"]).all()
    # unequal (recency) weights are resampled with their items
    dated = history(rng.lognormal(0, 0.5, 50),
                    finished_on=pd.date_range("2025-01-01", periods=50, freq="7D"))
    weighted = ReferenceClass(dated, weights="recency", date="finished_on", half_life_days=90)
    w = weighted.quantile_ci([0.5], method="bootstrap", n_resamples=300)
    assert w.at[0, "ci_low"] <= w.at[0, "ratio"] <= w.at[0, "ci_high"]
    with pytest.raises(OpsdxError, match="method must be 'order' or 'bootstrap'"):
        rc.quantile_ci(method="bca")



def test_bootstrap_edge_cases():
    rc = ReferenceClass(history([1.0, 1.2, 1.4, 1.6, 1.8, 2.0]), weights=[0, 0, 1, 1, 2, 2])
    ci = rc.quantile_ci([0.5], method="bootstrap", n_resamples=200)
    assert ci.at[0, "ci_low"] >= 1.4   # zero-weight items never enter a resample
    with pytest.raises(OpsdxError, match="n_resamples must be a whole number >= 1"):
        rc.quantile_ci(method="bootstrap", n_resamples=0)
