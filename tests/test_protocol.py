"""Every public result has the same surface: the result protocol of opsdx.results.

One parametrised test checks each result class against the protocol on real
sample data; the others check that findings are data (named statements, notes
with codes) and that a client's strings stay inert in every display.
"""

from __future__ import annotations

import importlib
import inspect
import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx.flow import Line, Stage, simulate_line
from opsdx.notes import Note
from opsdx.results import PROTOCOL, Result
from opsdx.workbook import diagnose

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SAMPLE = "sample_data/kestrel-software"


@pytest.fixture(scope="module")
def results() -> dict:
    """One result of each public class, from the bundled sample data."""
    d = diagnose("sample_data/northwind-freight", {"n_boot": 100, "trials": 500})
    client = opsdx.load_client(SAMPLE)
    planning = opsdx.assess_planning(client.estimates(), by=["kind"], trials=500)
    earlier = d.results()
    earlier["headline"].update(assessment_date="2026-07-01", constraint="Quote")
    earlier["maturity"]["item_scores"][0]["score"] = 0.0
    return {"MaturityResult": d.maturity, "PlanningResult": planning,
            "BacktestResult": planning.backtest, "ConstraintReport": d.constraint,
            "DecisionReport": opsdx.decision_report(client.decisions()), "Diagnosis": d,
            "Comparison": opsdx.compare(earlier, d)}


#: Where each result class lives, and its notes' codes (None: the codes of the parts).
CLASSES = {"MaturityResult": "opsdx.maturity", "PlanningResult": "opsdx.forecast.planning",
           "BacktestResult": "opsdx.forecast.backtest", "ConstraintReport": "opsdx.flow.constraint",
           "DecisionReport": "opsdx.flow.decisions", "Diagnosis": "opsdx.workbook.diagnosis",
           "Comparison": "opsdx.history"}


def _dumps(value) -> str:
    return json.dumps(value, allow_nan=False)  # NaN or a numpy number would fail here


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_every_result_class_has_the_protocol(results, name):
    cls = getattr(importlib.import_module(CLASSES[name]), name)
    result = results[name]
    assert type(result) is cls and isinstance(result, Result)
    assert all(hasattr(result, attr) for attr in PROTOCOL)
    assert cls.part and (name == "Diagnosis" or cls.part in {"maturity", "planning", "constraint",
                                                             "decisions", "comparison"})

    summary = result.summary()
    assert isinstance(summary, pd.DataFrame) and len(summary) > 0
    summary.iloc[0, 0] = None  # a copy: changing it leaves the result alone
    assert not result.summary().iloc[:1, :1].isna().all().all()

    headline = result.headline()
    assert isinstance(headline, dict) and headline and _dumps(headline)
    headline[next(iter(headline))] = "changed"  # a copy, too
    assert result.headline() != headline

    sentences = result.sentences()
    assert sentences and all(isinstance(s, str) and s.strip() for s in sentences)

    assert all(isinstance(n, Note) and n.code and n.text for n in result.notes)
    if name != "Diagnosis":
        codes = set(importlib.import_module(CLASSES[name]).NOTE_CODES)
        assert {n.part for n in result.notes} <= {cls.part}
        assert {n.code for n in result.notes} <= codes

    data = json.loads(_dumps(result.to_dict()))
    assert isinstance(data, dict)
    html = result._repr_html_()
    assert html.startswith('<div class="opsdx-result">') and "<table" in html

    plots = [m for m, _ in inspect.getmembers(cls, inspect.isfunction) if m.startswith("plot_")]
    for method in plots:
        assert "ax" in inspect.signature(getattr(cls, method)).parameters
        fig, ax = plt.subplots()
        assert getattr(result, method)(ax=ax) is ax, method
        plt.close(fig)


def test_each_engine_result_has_a_chart(results):
    for name in ("MaturityResult", "PlanningResult", "BacktestResult", "ConstraintReport",
                 "DecisionReport"):
        assert any(m.startswith("plot_") for m in dir(results[name])), name


def test_the_sentences_are_the_named_findings_in_order(results):
    for name in ("PlanningResult", "ConstraintReport", "DecisionReport", "Comparison"):
        result = results[name]
        module = importlib.import_module(CLASSES[name])
        named = [result.statement(f) for f in module.FINDINGS]
        assert result.sentences() == [s for s in named if s is not None], name
        with pytest.raises(opsdx.OpsdxError, match="no finding 'verdic'"):
            result.statement("verdic")  # a typo is an error, not a silent None


def test_the_diagnosis_quotes_findings_by_name_not_by_position(results):
    d = results["Diagnosis"]
    c, m = d.constraint, d.maturity
    assert d.sentences()[1] == c.statement("verdict")
    assert d.recommendations(k=10)[0].evidence in {c.statement("verdict"), *d.sentences()}
    table = d.summary().set_index("part")
    assert table.at["constraint", "finding"] == c.statement("verdict")
    assert table.at["maturity", "finding"].startswith(f"Stage {m.stage} ({m.stage_name})")
    assert table["status"].tolist() == ["analysed"] * 4
    assert d.summary_sentences() == d.sentences()  # the first name still works


def test_notes_are_text_and_data():
    n = Note("planning", "no_backtest", "no backtest: it needs dates")
    assert n == "no backtest: it needs dates" and "needs dates" in n and n.text == str(n)
    assert json.loads(_dumps(opsdx.output.json_safe([n]))) == [
        {"part": "planning", "code": "no_backtest", "text": "no backtest: it needs dates"}]
    import pickle

    back = pickle.loads(pickle.dumps(n))
    assert (back.part, back.code, back.text) == (n.part, n.code, n.text)


def test_the_notes_of_a_planning_result_carry_codes():
    estimates = opsdx.read_estimates(f"{SAMPLE}/estimates.csv")
    bare = estimates[estimates["actual"].notna()].drop(columns=["estimated_on", "finished_on",
                                                                "estimator"])
    r = opsdx.assess_planning(bare, trials=200)
    codes = [n.code for n in r.notes]
    assert "no_backtest" in codes and "no_open_items" in codes
    assert r.to_dict()["notes"][codes.index("no_backtest")] == {
        "part": "planning", "code": "no_backtest",
        "text": "no backtest: it needs estimated_on and finished_on dates"}


def test_a_missing_part_is_a_note_with_its_part_and_code(tmp_path):
    (tmp_path / "client.yaml").write_text("name: Only a name\n")
    d = diagnose(tmp_path, {"n_boot": 0, "trials": 200})
    by_part = {n.part: n.code for n in d.notes}
    assert by_part == {"maturity": "missing_data", "planning": "missing_data",
                       "constraint": "missing_data", "decisions": "missing_data"}
    assert d.summary()["status"].tolist() == ["no data"] * 4
    assert d.sentences() == [] and "Only a name" in d._repr_html_()


def test_a_clients_strings_stay_inert_in_every_display(tmp_path):
    hostile = "<img src=x onerror=alert(1)>"
    line = Line([Stage(hostile, 0.2, servers=2), Stage("Review", 0.45)], arrivals_per_day=2.0)
    report = opsdx.find_constraint(simulate_line(line, days=200, seed=3))
    log = tmp_path / "decisions.csv"
    log.write_text("decision_id,raised_at,decided_at,decider\n" + "".join(
        f"d{i},2026-01-{i + 1:02d},2026-01-{i + 3:02d},{'Bo' if i > 7 else hostile}\n"
        for i in range(12)))
    decisions = opsdx.read_decisions(log)
    dr = opsdx.decision_report(decisions)
    for result in (report, dr):
        html = result._repr_html_()
        assert hostile not in html and "&lt;img src=x" in html
        fig, ax = plt.subplots()
        result.plot_wip(ax=ax) if result is report else result.plot_deciders(ax=ax)
        plt.close(fig)


def test_the_constraint_summary_is_the_stage_table(results):
    c = results["ConstraintReport"]
    summary = c.summary()
    assert summary["stage"].tolist() == c.stages["stage"].tolist()
    assert np.allclose(summary["utilisation"], c.stages["utilisation"], equal_nan=True)
    assert c.headline()["provisional"] is c.provisional
    assert c.evidence == c.sentences()  # the older name


def test_each_package_exports_what_its_docstring_advertises():
    import re

    import opsdx.workbook as workbook

    advertised = set(re.findall(r":(?:func|class):`~?([A-Za-z_]+)`", workbook.__doc__))
    assert advertised and advertised <= set(workbook.__all__)
    assert all(callable(getattr(workbook, name)) for name in workbook.__all__)
    assert all(hasattr(opsdx, name) for name in opsdx.__all__)


def test_the_top_level_imports_each_module_once():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(opsdx.__file__).read_text())
    modules = [node.module for node in tree.body if isinstance(node, ast.ImportFrom)
               and node.level == 1]
    names = [a.asname or a.name for node in tree.body if isinstance(node, ast.ImportFrom)
             for a in node.names]
    assert len(modules) == len(set(modules)) and len(names) == len(set(names))
