"""What the README shows is what the code does."""

import re
from pathlib import Path

import opsdx

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_tour_result_is_what_the_sample_client_gives(monkeypatch):
    monkeypatch.chdir(ROOT)
    quoted = re.search(r"result +# first line: (<MaturityResult[^\n]*>)", README).group(1)
    client = opsdx.load_client("sample_data/harbour-analytics")
    result = opsdx.score_maturity(client.responses(), client.questionnaire, seed=0)
    assert repr(result).splitlines()[0] == quoted


def test_readme_counts_match_the_bundled_questionnaire():
    q = opsdx.load_questionnaire("maturity")
    assert f"has {len(q.items)} items in six dimensions" in README
    assert len(q.dimensions) == 6
    assert f"at least {q.items.groupby('stage').size().min()} per stage" in README
    assert q.items.groupby("dimension")["stage"].nunique().eq(4).all()
    n_reverse = int(q.items["reverse"].sum())
    assert f"{['No', 'One', 'Two', 'Three', 'Four', 'Five', 'Six'][n_reverse]} items are reverse-keyed" in README


def test_planning_snippet_runs(monkeypatch):
    import matplotlib
    import pandas as pd

    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    block = README.split("## Planning reality (outside view)")[1].split("```python")[1].split("```")[0]
    namespace = {"opsdx": opsdx}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["backtest"].sentence(0.8).startswith("In backtest, our P80 covered")
    roads = opsdx.published_class("uk-dft-roads-2004").forecast(100)
    assert roads[["p50", "p80"]].iloc[0].round(9).tolist() == [115.0, 132.0]


def test_plan_output_quoted_in_readme(monkeypatch, capsys):
    from opsdx.cli import main

    monkeypatch.chdir(ROOT)
    quoted = README.split("For Northwind\nFreight it begins:\n\n```text\n")[1].split("```")[0]
    assert main(["plan", "sample_data/northwind-freight", "--by", "kind"]) == 0
    out = capsys.readouterr().out
    assert quoted.strip() in out


def test_flow_snippet_runs_and_quotes_true_figures(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    block = README.split("## The constraint, decisions and heroes")[1].split("```python")[1]
    block = block.split("```")[0]
    namespace = {"opsdx": opsdx}
    exec(compile(block, "README.md", "exec"), namespace)
    shown = re.search(r"report +# (<ConstraintReport: .*?), \.\.\.>", README).group(1)
    assert repr(namespace["report"]).startswith(shown)
    quoted = re.search(r'decisions.sentences\(\)   # "([^.]*)', README).group(1)
    assert namespace["decisions"].sentences()[0].startswith(quoted)


def test_tracker_export_snippet_runs_and_quotes_its_result(monkeypatch):
    monkeypatch.chdir(ROOT)
    section = README.split("### The client's own exports")[1].split("\n## ")[0]
    block = section.split("```python")[1].split("```")[0]
    namespace = {"opsdx": opsdx}
    exec(compile(block, "README.md", "exec"), namespace)
    quoted = re.search(r"report +# (<ConstraintReport[^\n]*>)", block).group(1)
    assert repr(namespace["report"]) == quoted
    # every file name the table offers is one a client folder reads
    from opsdx.client import _FLOW_SOURCES

    names = {n.rstrip("/") for _, files in _FLOW_SOURCES for n in files}
    offered = set(re.findall(r"`((?:status_history|time_in_status|event_log)[\w./]*)`",
                             section.split("| file in the client folder |")[1].split("\n\n")[0]))
    assert offered and {o.rstrip("/") for o in offered} <= names


def test_reassessment_output_quoted_in_readme(tmp_path, capsys):
    """The `opsdx compare` lines the README quotes, from the two Northwind assessments."""
    import json

    from opsdx.cli import main
    from opsdx.history import write_snapshot
    from opsdx.workbook import diagnose

    block = README.split("$ opsdx compare build/reassessment/workbooks/northwind-freight-ltd\n")[1] \
        .split("```")[0]
    first = diagnose(ROOT / "sample_data/northwind-freight")
    later = diagnose(ROOT / "sample_data/next-quarter/northwind-freight")
    before = write_snapshot(tmp_path, first)
    after = tmp_path / "results.json"
    after.write_text(json.dumps(later.results()))
    assert main(["compare", str(before), str(after)]) == 0
    out = capsys.readouterr().out
    for line in block.strip().splitlines():
        for piece in line.strip().split("..."):
            assert piece.strip(" ;") in out, piece
