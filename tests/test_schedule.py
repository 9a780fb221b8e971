import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx import OpsdxError


def test_each_estimator_draws_from_their_own_history_or_the_pool():
    past = pd.DataFrame({
        "estimate": [1.0] * 30,
        "actual": [1.0] * 10 + [3.0] * 10 + [2.0] * 10,
        "estimator": ["ana"] * 10 + ["ben"] * 10 + ["cy"] * 10,
    })
    todo = pd.DataFrame({"estimate": [5.0, 5.0, 4.0], "estimator": ["ana", "ben", "dee"]})
    f = opsdx.simulate_schedule(todo, past, trials=2000, seed=1, min_history=10)
    assert set(f.by_estimator["ana"]) == {5.0}        # ana always finishes on estimate
    assert set(f.by_estimator["ben"]) == {15.0}       # ben always takes three times as long
    assert set(f.by_estimator["dee"]) <= {4.0, 8.0, 12.0}  # dee borrows everyone's ratios
    assert f.sources["dee"] == "pooled (30 items)" and "dee has 0 finished" in f.notes[0]
    table = f.percentiles([0.5])
    assert table["estimator"].tolist() == ["ana", "ben", "dee", "(all estimators)"]
    assert table.set_index("estimator").at["(all estimators)", "tasks_inside_view"] == 14.0
    assert f.p_within(20.0) == pytest.approx(np.mean(f.totals <= 20.0))
    p50, p80 = np.quantile(f.totals, [0.5, 0.8])   # a short repr in a notebook, not the draws
    assert repr(f) == (f"<ScheduleForecast: 3 estimators, 2000 trials; total 14 as estimated, "
                       f"P50 {p50:.4g}, P80 {p80:.4g}>")


def test_same_seed_same_schedule_and_bad_input():
    past = pd.DataFrame({"estimate": [1.0, 2.0], "actual": [1.5, 2.0], "estimator": ["a", "a"]})
    todo = pd.DataFrame({"estimate": [3.0], "estimator": ["a"]})
    a = opsdx.simulate_schedule(todo, past, trials=500, seed=4, min_history=1)
    b = opsdx.simulate_schedule(todo, past, trials=500, seed=4, min_history=1)
    assert np.array_equal(a.totals, b.totals)
    with pytest.raises(OpsdxError, match="no column 'estimator'"):
        opsdx.simulate_schedule(todo.drop(columns="estimator"), past)
    with pytest.raises(OpsdxError, match="positive estimate"):
        opsdx.simulate_schedule(pd.DataFrame({"estimate": [0], "estimator": ["a"]}), past)


def test_an_estimator_called_total_and_bad_actuals():
    past = pd.DataFrame({"estimate": [1.0, 1.0], "actual": [2.0, 2.0], "estimator": ["total"] * 2})
    todo = pd.DataFrame({"estimate": [5.0, 5.0], "estimator": ["total", "x"]})
    table = opsdx.simulate_schedule(todo, past, trials=10, min_history=1).percentiles([0.5])
    assert table.set_index("estimator").at["total", "tasks_inside_view"] == 5.0
    with pytest.raises(opsdx.DataError, match="positive numbers"):
        opsdx.simulate_schedule(todo, past.assign(actual=[2.0, -1.0]))
