"""Scoring on small cases computed by hand (tiny questionnaire, scale 0..4)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx import OpsdxError
from opsdx.maturity import cronbach_alpha, rwg, stage_from_attainment

from conftest import long_answers

STRONG = {"a3": 4, "b3": 4, "a4": 4, "b4": 4, "a5": 4, "b5": 4}


def score(tiny, table, roles=None, **kw):
    kw.setdefault("n_boot", 200)
    return opsdx.score_maturity(opsdx.read_responses(long_answers(table, roles), tiny), tiny, **kw)


def test_weak_stage_two_gates_everything_above(tiny):
    # stage 2: a2 = 1 -> .25, b2 = 1 -> .25 (weight 2), r2 = 3 reversed -> .25; stages 3-5 perfect
    res = score(tiny, {"solo": {"a2": 1, "b2": 1, "r2": 3, **STRONG}})
    att = res.attainment.set_index("stage")["attainment"]
    assert att.to_dict() == pytest.approx({2: 0.25, 3: 1.0, 4: 1.0, 5: 1.0})
    assert res.stage == 1 and res.stage_name == "Single hero"
    assert res.index == pytest.approx(1 + 0.25 / 0.75)
    assert res.blockers["item_id"].tolist() == ["b2", "a2", "r2"]  # gap .5 x weight 2 first
    assert res.blockers["priority"].tolist() == pytest.approx([1.0, 0.5, 0.5])


def test_strong_stage_four_on_weak_stage_two_is_not_stage_four(tiny):
    res = score(tiny, {"x": {"a2": 2, "b2": 2, "r2": 2, **STRONG}})
    assert res.attainment["attainment"].iloc[0] == pytest.approx(0.5)
    assert res.stage == 1


def test_tie_exactly_at_threshold_meets_it(tiny):
    # every stage-2 score is exactly 0.75 (3 of 4; reverse r2 = 1 -> 0.75)
    res = score(tiny, {"x": {"a2": 3, "b2": 3, "r2": 1, "a3": 2, "b3": 2}})
    assert res.attainment["attainment"].iloc[0] == 0.75
    assert res.stage == 2
    assert res.index == pytest.approx(2 + 0.5 / 0.75)
    # an attainment a hair below the threshold does not meet it
    assert stage_from_attainment(np.array([0.75 - 1e-6, 1, 1, 1]))[0] == 1
    # a custom threshold is an argument, not a constant
    assert score(tiny, {"x": {"a2": 3, "b2": 3, "r2": 1}}, threshold=0.8).stage == 1


def test_reverse_items_are_flipped(tiny):
    low = score(tiny, {"x": {"a2": 4, "b2": 4, "r2": 4}})   # r2 = 4 -> score 0
    high = score(tiny, {"x": {"a2": 4, "b2": 4, "r2": 0}})  # r2 = 0 -> score 1
    assert low.attainment["attainment"].iloc[0] == pytest.approx(3 / 4)
    assert high.attainment["attainment"].iloc[0] == pytest.approx(1.0)
    assert low.item_scores.set_index("item_id").at["r2", "score"] == 0.0


def test_weights_from_yaml_and_overridden(tiny):
    # a2 = 4 (1.0, w 1), b2 = 2 (0.5, w 2), r2 N/A: (1 + 2 * .5) / 3
    table = {"x": {"a2": 4, "b2": 2, "r2": "N/A"}}
    assert score(tiny, table).attainment["attainment"].iloc[0] == pytest.approx(2 / 3)
    equal = score(tiny, table, weights={"b2": 1})
    assert equal.attainment["attainment"].iloc[0] == pytest.approx(0.75)
    assert equal.stage == 2
    with pytest.raises(OpsdxError, match="'zz' is not an item of questionnaire 'tiny'"):
        score(tiny, table, weights={"zz": 2})


def test_na_and_skipped_both_leave_the_score_but_not_the_coverage(tiny):
    base = {"y": {"a2": 4, "b2": 4, "r2": 0}}
    na = score(tiny, {**base, "x": {"a2": 4, "b2": 4, "r2": "N/A"}, "z": {"r2": "N/A"}})
    skipped = score(tiny, {**base, "x": {"a2": 4, "b2": 4, "r2": ""}, "z": {"r2": ""}})
    assert na.attainment["attainment"].iloc[0] == skipped.attainment["attainment"].iloc[0] == 1.0
    cov_na = na.coverage.set_index("item_id").loc["r2"]
    cov_sk = skipped.coverage.set_index("item_id").loc["r2"]
    assert (cov_na["answered"], cov_na["n/a"], cov_na["skipped"]) == (1, 2, 0)
    assert (cov_sk["answered"], cov_sk["n/a"], cov_sk["skipped"]) == (1, 0, 2)
    assert any(w.startswith("1 item(s) answered N/A by more than 50%") and "r2" in w for w in na.notes)
    assert any(w.startswith("3 item(s) skipped by more than 30%") and "r2" in w for w in skipped.notes)
    assert any("have no answer from any respondent: a3, b3, a4, b4, a5, b5" in w for w in na.notes)
    assert na.notes[0] == "1 respondent(s) gave no scored answer and are left out of the score: z"
    assert "2 respondent(s) skipped more than 30% of items: x, y" in na.notes
    assert [n.code for n in na.notes] == ["respondent_left_out", "few_respondents",
                                          "items_unanswered", "na_heavy_items",
                                          "skip_heavy_items", "respondents_skipping",
                                          "stage_unreachable"]
    assert {n.part for n in na.notes} == {"maturity"}
    assert "skip_heavy_items" in {n.code for n in skipped.notes}


def test_notes_keep_their_old_name_warnings_with_a_deprecation(tiny):
    res = score(tiny, {"x": {"a2": 4, "b2": 4, "r2": "N/A"}, "z": {"r2": "N/A"}})
    with pytest.deprecated_call(match="MaturityResult.notes"):
        said = res.warnings
    assert said == [n.text for n in res.notes] and all(type(w) is str for w in said)
    assert res.to_dict()["warnings"] == said
    assert [n["code"] for n in res.to_dict()["notes"]] == [n.code for n in res.notes]


def test_sentences_are_rendered_from_the_fields(tiny):
    res = score(tiny, {"solo": {"a2": 1, "b2": 1, "r2": 3, **STRONG}})
    lo, hi = res.index_ci
    assert res.sentences()[0] == res.statement("stage")
    assert res.stage_probability > 0.99 and res.n_respondents == 1
    assert res.statement("stage") == (
        "Stage 1 (Single hero), almost certain from the answers of 1 person (few: another group "
        f"could answer differently); maturity index {res.index:.2f} (90% interval {lo:.2f} to "
        f"{hi:.2f}).")
    assert res.statement("next_stage") == ("The next step, stage 2 (First designed pod): its "
                                           "practices score 0.25 on a scale of 0 to 1, and it "
                                           "needs 0.75.")
    assert res.statement("blockers").startswith("The items that hold it up most: ")
    top = score(tiny, {"solo": {"a2": 4, "b2": 4, "r2": 0, **STRONG}})
    assert top.stage == 5
    assert top.statement("next_stage") == "Every stage is met: this is the top of the scale."
    assert top.statement("blockers") is None
    with pytest.raises(OpsdxError, match="no finding 'nope'"):
        res.statement("nope")


def test_aggregation_across_respondents_is_an_argument(tiny):
    table = {"a": {"a2": 4, "b2": 4, "r2": 0}, "b": {"a2": 4, "b2": 4, "r2": 0},
             "c": {"a2": 0, "b2": 0, "r2": 4}}
    mean = score(tiny, table)
    median = score(tiny, table, aggregate="median")
    assert mean.attainment["attainment"].iloc[0] == pytest.approx(2 / 3)
    assert median.attainment["attainment"].iloc[0] == pytest.approx(1.0)
    assert (mean.stage, median.stage) == (1, 2)
    trimmed_min = score(tiny, table, aggregate=lambda x, axis: np.nanmin(x, axis=axis))
    assert trimmed_min.attainment["attainment"].iloc[0] == 0


def test_stage_without_answers_cannot_be_reached(tiny):
    res = score(tiny, {"x": {"a2": 4, "b2": 4, "r2": 0}})
    assert res.stage == 2 and res.index == 2.0
    assert "stage(s) 3, 4, 5 have no scored answer and cannot be reached" in res.notes


def test_stage_five_and_index_bounds(tiny):
    res = score(tiny, {"x": {"a2": 4, "b2": 4, "r2": 0, **STRONG}})
    assert (res.stage, res.index) == (5, 5.0)
    assert res.blockers.empty and list(res.blockers.columns)[:2] == ["item_id", "stage"]
    assert res.stage_probabilities.loc[5] == 1.0


def test_bootstrap_over_respondents(tiny):
    # two respondents at stage 2, one at stage 1: resamples land on either stage
    table = {"a": {"a2": 4, "b2": 4, "r2": 0}, "b": {"a2": 4, "b2": 4, "r2": 0},
             "c": {"a2": 1, "b2": 1, "r2": 3}}
    res = score(tiny, table, n_boot=4000, seed=3, bootstrap="respondents")
    p = res.stage_probabilities
    assert p.index.tolist() == [1, 2, 3, 4, 5] and p.sum() == pytest.approx(1.0)
    # stage 2 needs at most one copy of "c" among three draws: P = (2/3)^3 + 3 (1/3)(2/3)^2 = 20/27
    assert p.loc[2] == pytest.approx(20 / 27, abs=0.02)
    assert p.loc[1] == pytest.approx(7 / 27, abs=0.02)
    lo, hi = res.index_ci
    assert 1 <= lo <= res.index <= hi <= 5
    assert res.params["bootstrap"] == "respondents"


def test_auto_bootstrap_depends_on_the_number_of_respondents(maturity):
    modes = {}
    for n in (1, 2, 4, 5, 9):
        answers = opsdx.simulate_responses(maturity, stage=2, n_respondents=n, seed=n)
        modes[n] = opsdx.score_maturity(answers, maturity, n_boot=10).params["bootstrap"]
    assert modes == {1: "items", 2: "both", 4: "both", 5: "respondents", 9: "respondents"}


def test_single_respondent_bootstraps_items(tiny):
    res = score(tiny, {"x": {"a2": 4, "b2": 0, "r2": 0, **STRONG}}, n_boot=2000)
    assert res.params["bootstrap"] == "items"
    assert 0 < res.stage_probabilities.loc[1] < 1
    assert any("only 1 respondent" in w for w in res.notes)


def test_same_seed_same_result_and_no_bootstrap(tiny, maturity):
    answers = opsdx.simulate_responses(maturity, stage=2, n_respondents=5, seed=9)
    a = opsdx.score_maturity(answers, maturity, seed=42, n_boot=300)
    b = opsdx.score_maturity(answers, maturity, seed=42, n_boot=300)
    pd.testing.assert_series_equal(a.stage_probabilities, b.stage_probabilities)
    assert a.index_ci == b.index_ci
    fixed = opsdx.score_maturity(answers, maturity, n_boot=0)
    assert fixed.stage == a.stage and fixed.index == a.index  # the point estimate is unchanged
    assert fixed.stage_probabilities.isna().all() and np.isnan(fixed.index_ci[0])
    assert fixed.to_dict()["stage_probability"] is None


def test_agreement_rwg_and_role_gaps(tiny):
    table = {"lead": {"a2": 4, "b2": 4}, "s1": {"a2": 1, "b2": 4}, "s2": {"a2": 1, "b2": 3}}
    roles = {"lead": "founder", "s1": "staff", "s2": "staff"}
    res = score(tiny, table, roles)
    ag = res.agreement.set_index("item_id")
    # a2: answers 4, 1, 1 -> sample variance 3; uniform null on 5 options: (25 - 1) / 12 = 2
    assert ag.at["a2", "sd_answer"] ** 2 == pytest.approx(3.0)
    assert ag.at["a2", "rwg"] == 0.0  # 1 - 3/2 < 0 is truncated
    # b2: 4, 4, 3 -> variance 1/3 -> rwg = 1 - (1/3)/2
    assert ag.at["b2", "rwg"] == pytest.approx(1 - (1 / 3) / 2)
    assert (ag.at["a2", "role_high"], ag.at["a2", "role_low"]) == ("founder", "staff")
    assert ag.at["a2", "role_gap"] == pytest.approx(1.0 - 0.25)
    assert np.isnan(ag.at["a3", "rwg"])
    gaps = res.perception_gaps()
    assert gaps["item_id"].tolist() == ["a2"]  # b2: 1.0 vs 0.875 is below 0.25
    assert res.perception_gaps(min_gap=0.1)["item_id"].tolist() == ["a2", "b2"]
    roles_tab = res.role_scores.set_index("role")
    assert roles_tab.at["founder", "stage_2"] == pytest.approx(1.0)
    assert roles_tab.at["staff", "n_respondents"] == 2
    # overall: weighted over a2 (w 1) and b2 (w 2); staff: a2 = .25, b2 = (1 + .75) / 2
    assert roles_tab.at["staff", "overall"] == pytest.approx((0.25 + 2 * 0.875) / 3)
    assert res.role_scores["role"].tolist() == ["founder", "staff"]


def test_cronbach_alpha_matches_the_formula(tiny):
    rng = np.random.default_rng(0)
    table = {f"r{i}": {"a2": int(v), "r2": int(4 - w), "a3": int(x)}
             for i, (v, w, x) in enumerate(rng.integers(0, 5, size=(8, 3)))}
    res = score(tiny, table, min_respondents_alpha=5)
    X = np.array([[t["a2"] / 4, 1 - t["r2"] / 4, t["a3"] / 4] for t in table.values()])
    k = 3
    expected = k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / X.sum(axis=1).var(ddof=1))
    dims = res.dimensions.set_index("dimension")
    # a4 and a5 were answered by nobody: they are left out, not allowed to void the alpha
    assert dims.at["A", "alpha"] == pytest.approx(expected)
    assert dims.at["A", "alpha_n"] == 8
    assert np.isnan(dims.at["B", "alpha"])  # no answered item in B
    fewer = score(tiny, dict(list(table.items())[:4]), min_respondents_alpha=5)
    assert np.isnan(fewer.dimensions.set_index("dimension").at["A", "alpha"])


def test_summary_to_dict_repr_and_plots(maturity):
    answers = opsdx.simulate_responses(maturity, stage=3, n_respondents=6, seed=4)
    res = opsdx.score_maturity(answers, maturity, n_boot=300)
    summary = res.summary()
    assert summary["stage"].tolist() == [1, 2, 3, 4, 5]
    assert summary["p_at_stage"].sum() == pytest.approx(1.0)
    assert summary["p_at_least"].iloc[0] == pytest.approx(1.0)
    assert summary["p_at_least"].diff().dropna().le(1e-12).all()
    assert summary.loc[0, "name"] == "Single hero"
    assert summary["reached"].tolist() == [s <= res.stage for s in range(1, 6)]
    d = res.to_dict()
    assert d["stage"] == res.stage and len(d["index_ci"]) == 2
    assert f"stage {res.stage}" in repr(res)
    html = res._repr_html_()
    assert f"<p>Stage {res.stage} ({res.stage_name}), " in html and "<table" in html
    for kind in ("bar", "heatmap"):
        ax = res.plot_profile(kind=kind)
        assert ax.get_title().startswith(f"Stage {res.stage}")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    assert res.plot_profile(ax=ax) is ax
    plt.close("all")
    assert res.profile.shape == (6, 4)


def test_answers_for_another_questionnaire_are_refused(tiny, maturity):
    answers = opsdx.read_responses(long_answers({"x": {"a2": 1}}), tiny)
    with pytest.raises(OpsdxError, match="read for questionnaire 'tiny', not 'maturity'"):
        opsdx.score_maturity(answers, maturity)


@pytest.mark.parametrize("kw, message", [
    ({"threshold": 0}, "threshold"), ({"threshold": 1.5}, "threshold"),
    ({"ci": 1}, "ci must be"), ({"n_boot": -1}, "n_boot"),
    ({"aggregate": "mode"}, "aggregate"), ({"bootstrap": "rows"}, "bootstrap"),
])
def test_bad_arguments(tiny, kw, message):
    with pytest.raises(OpsdxError, match=message):
        score(tiny, {"x": {"a2": 1}}, **kw)


def test_item_bootstrap_resamples_answered_items_only(tiny):
    # one respondent; stage 2 rests on a2 alone (b2 and r2 are N/A): every resample agrees
    res = score(tiny, {"x": {"a2": 4, "b2": "N/A", "r2": "N/A"}}, n_boot=2000)
    assert res.stage == 2
    assert res.stage_probabilities.loc[2] == 1.0
    both = score(tiny, {"x": {"a2": 4, "b2": "N/A", "r2": "N/A"}, "y": {"a2": 4}},
                 bootstrap="both", n_boot=2000)
    assert both.stage_probabilities.loc[2] == 1.0


def test_respondents_without_scored_answers_are_left_out(tiny):
    res = score(tiny, {"x": {"a2": 4, "b2": 4, "r2": 0}, "blank": {"a2": "", "b2": "N/A"}},
                n_boot=2000)
    assert res.n_respondents == 1 and res.params["bootstrap"] == "items"
    assert res.stage_probabilities.loc[2] == 1.0
    assert res.notes[0].startswith("1 respondent(s) gave no scored answer") and "blank" in res.notes[0]


def test_nothing_to_score_is_an_error(tiny):
    answers = opsdx.read_responses(long_answers({"x": {"a2": "N/A", "b2": ""}}), tiny)
    with pytest.raises(opsdx.DataError, match="nothing to score"):
        opsdx.score_maturity(answers, tiny)


@pytest.mark.parametrize("weights, message", [
    ({"b2": float("nan")}, "not a positive finite number"),
    ({"b2": float("inf")}, "not a positive finite number"),
    ({"b2": -1}, "not a positive finite number"),
    ({"b2": "2"}, "not a positive finite number"),
    ({"zz": 1}, "'zz' is not an item of questionnaire 'tiny'"),
])
def test_weights_are_validated(tiny, weights, message):
    with pytest.raises(OpsdxError, match=message):
        score(tiny, {"x": {"a2": 1}}, weights=weights)


def test_row_order_does_not_change_the_bootstrap(maturity):
    answers = opsdx.simulate_responses(maturity, stage=3, n_respondents=7, seed=5)
    shuffled = answers.sample(frac=1, random_state=1)
    a = opsdx.score_maturity(answers, maturity, seed=3, n_boot=500)
    b = opsdx.score_maturity(shuffled, maturity, seed=3, n_boot=500)
    pd.testing.assert_series_equal(a.stage_probabilities, b.stage_probabilities)
    assert a.index_ci == b.index_ci


def test_rwg_uses_option_positions_not_raw_values():
    from conftest import TINY_YAML
    spaced = TINY_YAML.replace("value: 1}", "value: 25}").replace("value: 2}", "value: 50}") \
        .replace("value: 3}", "value: 75}").replace("value: 4}", "value: 100}")
    q100 = opsdx.Questionnaire.from_yaml(spaced, name="spaced.yaml")
    q4 = opsdx.Questionnaire.from_yaml(TINY_YAML, name="tiny.yaml")
    table = {"a": {"b2": "Usually"}, "b": {"b2": "Always"}, "c": {"b2": "Always"}}
    r4 = opsdx.score_maturity(opsdx.read_responses(long_answers(table), q4), q4, n_boot=0)
    r100 = opsdx.score_maturity(opsdx.read_responses(long_answers(table), q100), q100, n_boot=0)
    rwg4 = r4.agreement.set_index("item_id").at["b2", "rwg"]
    assert rwg4 == pytest.approx(1 - (1 / 3) / 2)
    assert r100.agreement.set_index("item_id").at["b2", "rwg"] == pytest.approx(rwg4)


def test_questionnaire_without_items_for_a_stage_says_so():
    from conftest import TINY_YAML
    text = TINY_YAML.replace("stage: 4", "stage: 3")
    q = opsdx.Questionnaire.from_yaml(text, name="short.yaml")
    table = {"x": {i: (0 if i == "r2" else 4) for i in q.items["item_id"]}}
    res = opsdx.score_maturity(opsdx.read_responses(long_answers(table), q), q, n_boot=0)
    assert res.stage == 3
    assert any("no scored item for stage 4: the score cannot go above stage 3" in w for w in res.notes)


def test_a_gate_at_risk_is_named(tiny):
    # stage 2 just met on average, but one of four respondents would fail it
    table = {r: {"a2": 3, "b2": 3, "r2": 1} for r in ["a", "b", "c"]}
    table["d"] = {"a2": 4, "b2": 4, "r2": 0}
    table["e"] = {"a2": 2, "b2": 2, "r2": 2}
    res = score(tiny, table, n_boot=1000, bootstrap="respondents")
    assert res.stage == 2
    risk = [w for w in res.notes if w.startswith("stage 2 is met")]
    assert len(risk) == 1 and "of resamples; its weakest items: " in risk[0]


def test_edited_or_combined_frames_are_checked_again(maturity):
    answers = opsdx.read_responses(opsdx.simulate_responses(maturity, stage=2, n_respondents=5,
                                                           seed=2), maturity)
    both = pd.concat([answers, answers])
    with pytest.raises(opsdx.DataError, match="more than one answer for this respondent and item"):
        opsdx.score_maturity(both, maturity)
    edited = answers.copy()
    edited.loc[edited["status"] == "answered", "value"] = 99
    with pytest.raises(opsdx.DataError, match="value is not on the item's scale"):
        opsdx.score_maturity(edited, maturity)


def test_result_objects_compare_by_identity_and_aggregate_is_checked(tiny, maturity):
    res = score(tiny, {"x": {"a2": 4}}, n_boot=0)
    assert res == res and res != score(tiny, {"x": {"a2": 4}}, n_boot=0)
    with pytest.raises(OpsdxError, match="ignore NaN"):
        score(tiny, {"x": {"a2": 4}}, aggregate=np.median)
    with pytest.raises(OpsdxError, match="f\\(x, axis\\)"):
        score(tiny, {"x": {"a2": 4}}, aggregate=lambda x: x)
    with pytest.raises(OpsdxError, match="threshold must be a number"):
        score(tiny, {"x": {"a2": 4}}, threshold="0.8")
    with pytest.raises(OpsdxError, match="n_boot must be a whole number"):
        score(tiny, {"x": {"a2": 4}}, n_boot=100.0)
    few = score(tiny, {"x": {"a2": 4}}, n_boot=50)
    assert any("only 50 bootstrap resamples" in w for w in few.notes)


# --------------------------------------------------------------------------- reliability

SMALL = pd.DataFrame({"q1": [1, 2, 3, 4], "q2": [2, 2, 3, 4], "q3": [1, 3, 3, 3]})


def test_cronbach_alpha_by_hand():
    # item variances 5/3, 11/12, 1 (sum 43/12); totals 4, 7, 9, 11: variance 107/12
    res = cronbach_alpha(data=SMALL)
    assert res.alpha == pytest.approx(3 / 2 * (1 - 43 / 107)) and res.alpha == pytest.approx(96 / 107)
    assert (res.n_respondents, res.n_items) == (4, 3)
    assert cronbach_alpha(SMALL.to_numpy()) == res  # an array works as a frame does
    long = SMALL.rename_axis("who").reset_index().melt("who", var_name="item", value_name="score")
    assert cronbach_alpha(long, respondent="who", item="item", score="score").alpha == \
        pytest.approx(res.alpha)
    # identical items: alpha 1; an item that contradicts the others lowers it below 0
    assert cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]})).alpha == pytest.approx(1.0)
    assert cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [3, 1, 1]})).alpha == pytest.approx(-12)


def test_cronbach_alpha_missing_answers_and_edge_cases():
    gappy = SMALL.assign(q4=[np.nan, np.nan, np.nan, 2.0])
    # q4 has one answer (< min_respondents): left out rather than voiding the listwise alpha
    assert cronbach_alpha(gappy) == cronbach_alpha(SMALL)
    holes = SMALL.astype(float)
    holes.iloc[0, 0] = np.nan  # listwise: respondent 0 drops out
    assert cronbach_alpha(holes) == cronbach_alpha(SMALL.iloc[1:])
    assert cronbach_alpha(holes).n_respondents == 3
    assert np.isnan(cronbach_alpha(SMALL[["q1"]]).alpha)  # one item
    assert np.isnan(cronbach_alpha(SMALL, min_respondents=5).alpha)  # too few respondents
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [3, 2, 1]})).alpha)  # flat totals
    with pytest.raises(OpsdxError, match="2-D"):
        cronbach_alpha(np.arange(4.0))
    with pytest.raises(OpsdxError, match="respondent=, item= and score="):
        cronbach_alpha(SMALL, item="q1")


def test_cronbach_alpha_is_the_textbook_formula_on_random_data():
    rng = np.random.default_rng(11)
    trait = rng.normal(size=(40, 1))
    X = trait + rng.normal(scale=0.8, size=(40, 6))
    C = np.cov(X, rowvar=False)  # alpha = k / (k - 1) (1 - trace(C) / sum(C))
    expected = 6 / 5 * (1 - np.trace(C) / C.sum())
    assert cronbach_alpha(pd.DataFrame(X)).alpha == pytest.approx(expected, rel=1e-12)


def test_rwg_by_hand():
    # 4, 4, 3: sample variance 1/3; a uniform choice among 5 options: (25 - 1) / 12 = 2
    assert rwg([4, 4, 3], n_options=5) == pytest.approx(1 - (1 / 3) / 2)
    assert rwg(data=[5, 1, 1], n_options=5) == 0.0  # variance 16/3 > 2: truncated at 0
    assert rwg([3, 3, 3], 5) == 1.0 and np.isnan(rwg([3], 5))
    wide = pd.DataFrame({"b2": [5, 5, 4], "a2": [5, 1, 1], "c2": [2, np.nan, np.nan]})
    per_item = rwg(wide, n_options=5)
    assert per_item.index.tolist() == ["b2", "a2", "c2"] and per_item.name == "rwg"
    assert per_item.tolist()[:2] == pytest.approx([1 - (1 / 3) / 2, 0.0])
    assert np.isnan(per_item["c2"])  # one answer
    # a three-option item: null variance (9 - 1) / 12 = 2/3
    mixed = rwg(wide[["b2"]].assign(t=[1, 1, 2]), n_options={"b2": 5, "t": 3})
    assert mixed["t"] == pytest.approx(1 - (1 / 3) / (2 / 3))
    long = wide.melt(var_name="item_id", value_name="position").dropna()
    pd.testing.assert_series_equal(rwg(long, 5, item="item_id", answer="position"),
                                   per_item.rename_axis("item_id"))
    with pytest.raises(OpsdxError, match="both item= and answer="):
        rwg(long, 5, item="item_id")
