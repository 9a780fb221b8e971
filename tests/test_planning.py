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
    h = result.headline
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


def test_sentences_json_and_determinism(kestrel, result):
    text = " ".join(result.sentences())
    assert "Across 413 finished items, the median took 1.16x its estimate" in text
    assert f"our P80 covered {result.headline['backtest_p80_coverage']:.0%} of 383 later tasks" in text
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
    assert np.isnan(r.headline["backtest_p80_coverage"])
    no_estimator = kestrel.drop(columns=["estimator"])
    r = opsdx.assess_planning(no_estimator, trials=500, as_of="2026-12-01")
    assert r.schedule is None and any("needs an estimator column" in n for n in r.notes)
    assert str(r.completion.start) == "2026-12-01"
    # the forecast starts long after the last finish: no recent throughput to replay
    r = opsdx.assess_planning(kestrel, trials=500, as_of="2030-01-01")
    assert r.completion is None and any("nothing was finished" in n for n in r.notes)
    with pytest.raises(opsdx.OpsdxError, match="weights must be None or 'recency'"):
        opsdx.assess_planning(kestrel, weights=np.ones(len(kestrel)))


def test_plan_command(capsys, tmp_path):
    assert main(["plan", str(SAMPLES / "northwind-freight"), "--by", "kind", "--trials", "1000"]) == 0
    out = capsys.readouterr().out
    assert "Northwind Freight Ltd" in out and "kind=bug" in out
    assert "In backtest, our P80 covered" in out and "estimators, most optimistic first" in out
    assert main(["plan", str(SAMPLES / "meridian-care" / "estimates.csv"), "--json",
                 "--trials", "500"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["headline"]["n_finished"] == 296
    folder = tmp_path / "c"
    folder.mkdir()
    for name in ("client.yaml", "responses.csv"):
        (folder / name).write_bytes((SAMPLES / "meridian-care" / name).read_bytes())
    assert main(["plan", str(folder)]) == 1
    assert "no estimates.csv or estimates.xlsx" in capsys.readouterr().err
