"""Recovery: simulated organisations at a known stage are placed at that stage.

The simulation is the one of ``bench/recovery.py`` (which prints the full
report on more cases); here a smaller, fixed-seed run is asserted.
"""

import importlib.util
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location(
    "bench_recovery", Path(__file__).resolve().parent.parent / "bench" / "recovery.py")
recovery = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recovery)


@pytest.fixture(scope="module")
def outcomes():
    return recovery.run(cases=150, n_boot=400, seed=11)


def test_recovers_the_true_stage_in_at_least_90_percent(outcomes):
    assert outcomes["correct"].mean() >= 0.90
    # every stage is represented and recovered most of the time
    by_stage = outcomes.groupby("true_stage")["correct"].mean()
    assert by_stage.index.tolist() == [1, 2, 3, 4, 5]
    assert (by_stage >= 0.8).all()


def test_stage_probabilities_are_not_over_confident(outcomes):
    stated = outcomes["confidence"].mean()
    observed = outcomes["correct"].mean()
    assert stated - observed <= 0.03
    # when the model says 95% or more, it is right at least 95% of the time
    sure = outcomes[outcomes["confidence"] >= 0.95]
    assert len(sure) >= 50 and sure["correct"].mean() >= 0.95
    # when it is wrong, it was not sure: the true stage kept real probability
    wrong = outcomes[~outcomes["correct"]]
    if len(wrong):
        assert wrong["confidence"].mean() < 0.9
        assert wrong["p_true"].mean() > 0.1
