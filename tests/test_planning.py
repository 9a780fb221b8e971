import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="module")
def kestrel():
    return opsdx.read_estimates(SAMPLES / "kestrel-software" / "estimates.csv")


@pytest.fixture(scope="module")
def result(kestrel):
    return opsdx.assess_planning(kestrel, by=["kind"], trials=3000, seed=4)


def test_headline_agrees_with_the_pieces(kestrel, result):
    rc = opsdx.ReferenceClass(kestrel, by=["kind"])
    h = result.headline()
    assert h["n_finished"] == kestrel["actual"].notna().sum() == 413
    assert h["n_open"] == 7
    assert h["median_ratio"] == pytest.approx(float(np.quantile(kestrel["ratio"].dropna(), 0.5)))
    assert h["p80_uplift"] == pytest.approx(rc.uplift(0.8))
    assert h["share_on"] == pytest.approx(rc.point_mass["on"])
    backtest = opsdx.backtest_reference_class(kestrel, by=["kind"], min_history=20)
    table = backtest.summary()
    assert h["backtest_p80_coverage"] == pytest.approx(
        table.loc[np.isclose(table["p"], 0.8), "coverage"].item())
    assert h["backtest_inside_view_coverage"] == pytest.approx(table.iloc[-1]["coverage"])
    # per-class and per-estimator tables
    assert result.classes["class"].tolist() == ["all history", "kind=bug", "kind=chore",
                                                "kind=feature"]
    bugs = kestrel[(kestrel["kind"] == "bug") & kestrel["finished"]]
    assert result.classes.set_index("class").at["kind=bug", "n"] == len(bugs)
    assert result.classes.set_index("class").at["kind=bug", "ratio_p50"] == pytest.approx(
        bugs["ratio"].median())
    est = result.estimators.set_index("estimator")
    assert est["n"].sum() == 413
    assert est.index[0] == result.estimators.sort_values("median_ratio").iloc[-1]["estimator"]
    # open work: effort from each estimator's record and dates from throughput
    open_items = kestrel[~kestrel["finished"]]
    assert result.schedule.inside_view_total == pytest.approx(open_items["estimate"].sum())
    assert h["open_effort_p80"] > h["open_effort_inside_view"]
    last = max(kestrel["estimated_on"].max(), kestrel["finished_on"].max())
    assert pd.Timestamp(str(result.completion.start)) == last + pd.Timedelta(days=1)
    assert result.completion.items == len(open_items)


def test_the_headline_is_computed_once_and_handed_out_as_a_copy(kestrel):
    r = opsdx.assess_planning(kestrel, trials=300, seed=2)
    first = r.headline()
    first["n_finished"] = -1                     # the caller's copy: the result is unchanged
    r.reference_class.ratio_quantile = None      # a second computation would fail here
    assert r.headline()["n_finished"] == 413 and r.sentences()[0].startswith("Across 413")


def test_sentences_json_and_determinism(kestrel, result):
    text = " ".join(result.sentences())
    assert "Across 413 finished items, the typical one (the median) took 1.16 times its " in text
    assert ("Tested on the past: budgets from past work of the same kind, meant to hold 8 times "
            f"in 10, held for {result.headline()['backtest_p80_coverage']:.0%} of 383 later "
            f"tasks; the estimates alone held for "
            f"{result.headline()['backtest_inside_view_coverage']:.0%}.") in text
    assert "The 7 open items are estimated at 92" in text
    payload = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert payload["headline"]["n_open"] == 7 and payload["params"]["by"] == ["kind"]
    again = opsdx.assess_planning(kestrel, by=["kind"], trials=3000, seed=4)
    assert again.to_dict() == result.to_dict()
    assert "backtest P80 coverage" in repr(result)


def test_missing_pieces_are_named_not_guessed(kestrel):
    bare = kestrel[kestrel["finished"]].drop(columns=["estimated_on", "finished_on", "estimator"])
    r = opsdx.assess_planning(bare, trials=500)
    assert r.backtest is None and r.schedule is None and r.completion is None
    assert any("needs estimated_on and finished_on" in n for n in r.notes)
    assert any("no open items" in n for n in r.notes)
    assert r.headline()["backtest_p80_coverage"] is None  # JSON-safe: None, not NaN
    no_estimator = kestrel.drop(columns=["estimator"])
    r = opsdx.assess_planning(no_estimator, trials=500, as_of="2026-12-01")
    assert r.schedule is None and any("needs an estimator column" in n for n in r.notes)
    assert str(r.completion.start) == "2026-12-01"
    # the forecast starts long after the last finish: it replays the last window of data, and says so
    r = opsdx.assess_planning(kestrel, trials=500, as_of="2030-01-01")
    assert str(r.completion.start) == "2030-01-01"
    assert any("days after the last finish in the data" in n for n in r.notes)
    with pytest.raises(opsdx.OpsdxError, match="weights must be None or 'recency'"):
        opsdx.assess_planning(kestrel, weights=np.ones(len(kestrel)))


def test_plan_command(capsys, tmp_path):
    assert main(["plan", str(SAMPLES / "northwind-freight"), "--by", "kind", "--trials", "1000"]) == 0
    out = capsys.readouterr().out
    assert "Northwind Freight Ltd" in out and "kind=bug" in out
    assert "Tested on the past: budgets from past work of the same kind, meant to hold" in out
    assert "estimators, most optimistic first" in out
    assert main(["plan", str(SAMPLES / "meridian-care" / "estimates.csv"), "--json",
                 "--trials", "500"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["headline"]["n_finished"] == 296
    folder = tmp_path / "c"
    folder.mkdir()
    for name in ("client.yaml", "responses.csv"):
        (folder / name).write_bytes((SAMPLES / "meridian-care" / name).read_bytes())
    assert main(["plan", str(folder)]) == 1
    assert "planning: no estimates.csv, so no reference class" in capsys.readouterr().err


def test_as_of_in_the_past_sees_only_what_was_known(kestrel):
    r = opsdx.assess_planning(kestrel, as_of="2026-03-01", trials=500)
    known = kestrel[(kestrel["estimated_on"] < "2026-03-01")]
    finished = known["finished_on"] < "2026-03-01"
    assert r.headline()["n_finished"] == int(finished.sum())
    assert r.n_open == int((~finished).sum())
    assert str(r.completion.start) == "2026-03-01"
    assert r.backtest.items["date"].max() < pd.Timestamp("2026-03-01")
    assert any("count as open" in n for n in r.notes) and any("left out" in n for n in r.notes)


def test_small_and_odd_histories_say_so(kestrel):
    tail = kestrel.sort_values("estimated_on").tail(12)
    r = opsdx.assess_planning(tail, trials=500)
    assert any("lie beyond what so few items can show" in n for n in r.notes)
    assert any("throughput window covers" in n for n in r.notes)
    # the window is the data's own: a short history is not padded with empty days
    days = (r.completion.percentiles([0.5])["date"].iloc[0] - pd.Timestamp(str(r.completion.start))).days
    assert days < 60
    one = opsdx.assess_planning(kestrel[kestrel["ratio"] < 1].head(1), trials=200)
    text = " ".join(one.sentences())
    assert "Across 1 finished item," in text and "estimate minus" in text
    typo = kestrel.copy()
    typo.loc[typo.index[0], "finished_on"] = pd.Timestamp("2099-01-01")
    r = opsdx.assess_planning(typo, trials=200)
    assert any("check it for a typing error" in n for n in r.notes)


def test_small_classes_and_blank_estimators_are_shown_not_hidden(kestrel):
    few = kestrel[(kestrel["kind"] != "chore") | (kestrel.index % 9 == 0)].copy()
    few.loc[few.index[:40], "estimator"] = ""
    r = opsdx.assess_planning(few, by=["kind"], trials=300)
    chores = r.classes.set_index("class").loc["kind=chore"]
    assert chores["n"] < 20 and chores["uses"] == "all history"
    assert any("falling back" in n for n in r.notes)
    assert "" not in r.estimators["estimator"].tolist()
    assert "(no estimator)" not in r.estimators["estimator"].tolist()
    intern = kestrel.copy()
    intern.loc[intern.index[0], "estimator"] = "intern"
    table = opsdx.assess_planning(intern, trials=200).estimators
    assert table.iloc[-1]["estimator"] == "intern" and not table.iloc[-1]["enough_history"]


def test_class_values_with_commas_and_equals_signs_are_counted_as_data(kestrel):
    odd = kestrel.copy()
    odd["kind"] = odd["kind"].replace({"bug": "bug, urgent=yes"})
    classes = opsdx.assess_planning(odd, by=["kind"], trials=200).classes.set_index("class")
    finished = odd[odd["finished"]]
    assert classes.at["kind=bug, urgent=yes", "n"] == int((finished["kind"] == "bug, urgent=yes").sum())


def test_streams_are_independent_and_bad_arguments_are_clean_errors(kestrel):
    a = opsdx.assess_planning(kestrel, trials=2000, seed=0).completion.days
    b = opsdx.assess_planning(kestrel.drop(columns="estimator"), trials=2000, seed=0).completion.days
    np.testing.assert_array_equal(a, b)
    for kwargs, match in [({"as_of": "notadate"}, "as_of must be a date"),
                          ({"trials": 0}, "trials must be a whole number >= 1"),
                          ({"seed": -1}, "seed must be a whole number >= 0"),
                          ({"p": 1.5}, "p must be levels strictly between 0 and 1")]:
        with pytest.raises(opsdx.OpsdxError, match=match):
            opsdx.assess_planning(kestrel, **kwargs)
    assert opsdx.assess_planning(kestrel, p=0.8, trials=200).params["p"] == (0.8,)
    text = kestrel.astype(str).replace({"nan": "", "NaT": ""})
    assert opsdx.assess_planning(text, trials=200).headline()["n_finished"] == 413


def test_plan_command_keeps_going_past_a_broken_client(tmp_path, capsys):
    import shutil

    for name in ("kestrel-software", "meridian-care"):
        shutil.copytree(SAMPLES / name, tmp_path / name)
    with open(tmp_path / "meridian-care" / "client.yaml", "a") as fh:
        fh.write("unknown_key: 1\n")
    assert main(["plan", str(tmp_path), "--trials", "200"]) == 1
    captured = capsys.readouterr()
    assert "Kestrel Software GmbH" in captured.out and "assessed 1 of 2" in captured.out
    assert "meridian-care: cannot assess planning" in captured.err
    with pytest.raises(SystemExit):
        main(["plan", str(tmp_path), "--trials", "0"])
