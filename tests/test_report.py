"""The report a partner sends: its cover, first page, figures and Excel workbook."""

from __future__ import annotations

import base64
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

import opsdx
from opsdx.workbook import diagnose, display, workbook_params
from opsdx.workbook.excel import CHARTS, write_excel
from opsdx.workbook.summary import plot_summary, roadmap, summary_sentences

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
NORTHWIND = ROOT / "sample_data" / "northwind-freight"
FAST = {"n_boot": 100, "trials": 300}
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                       "hQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def d():
    return diagnose(NORTHWIND, FAST)


@pytest.fixture
def shown(monkeypatch):
    markup = []
    monkeypatch.setattr(display, "_display", markup.append)
    return markup


def test_the_cover_names_the_client_the_date_the_authors_and_the_data(d, shown, tmp_path):
    logo = tmp_path / "firm.png"
    logo.write_bytes(PNG)
    params = workbook_params(client_dir=str(NORTHWIND), firm="Lindqvist & Partners",
                             prepared_by="<b>A. Consultant</b>", logo=str(logo))
    display.cover(d, params)
    [cover] = shown
    assert "<h1>Northwind Freight Ltd</h1>" in cover
    assert "assessment of 12 October 2026" in cover
    assert "Prepared by &lt;b&gt;A. Consultant&lt;/b&gt;, Lindqvist &amp; Partners" in cover
    assert 'src="data:image/png;base64,' in cover and str(tmp_path) not in cover
    assert "Confidential: prepared for the management of Northwind Freight Ltd." in cover
    periods = d.data_periods().set_index("data")
    assert periods.at["Decision log", "records"] == "240 decisions"
    assert str(periods.at["Work-item flow", "first"]) == "2025-10-12"
    assert periods.at["Questionnaire answers", "first"] is None
    assert "12 October 2025 to 11 October 2026" in cover


def test_a_logo_must_be_an_image_that_is_there(tmp_path):
    script = tmp_path / "logo.html"
    script.write_text("<script>alert(1)</script>")
    for bad, message in [(script, "not a PNG, JPEG or SVG"),
                         (tmp_path / "missing.png", "missing.png was not found"),
                         ("data:text/html;base64,PHNjcmlwdD4=", "base64 PNG, JPEG or SVG")]:
        with pytest.raises(opsdx.OpsdxError, match=message):
            workbook_params(client_dir=".", logo=str(bad))
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\0" * 2_100_000)
    with pytest.raises(opsdx.OpsdxError, match="at most 2 MB"):
        workbook_params(client_dir=".", logo=str(big))


def test_the_first_page_says_each_finding_plainly(d):
    said = summary_sentences(d)
    assert said["stage"].startswith("Stage 1 of 5, \u201cSingle hero\u201d")
    assert said["constraint"] == ("Founder approval is the bottleneck: the work that arrives "
                                  "takes 98% of its capacity, so work queues there and any "
                                  "growth in demand will stall at it.")
    assert said["planning"].startswith("Work typically takes 1.75 times its estimate; to be on "
                                       "budget 8 times in 10, plan 2.62 times the estimate "
                                       "(a 10-hour estimate needs 26)")
    assert said["decisions"] == ("Founder takes 64% of decisions, and a decision waits a median "
                                 "8.8 days for them against 2.3 days with everyone else.")
    for text in said.values():
        for jargon in ("P80", "Herfindahl", "utilisation", "confidence", "_"):
            assert jargon not in text
    fig = plot_summary(d)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "Where the organisation stands", "What limits throughput", "How far plans run over",
        "Who decisions wait for"]


def test_a_client_without_data_gets_empty_panels_that_say_so(tmp_path):
    (tmp_path / "client.yaml").write_text("name: Only a name\n")
    bare = diagnose(tmp_path, FAST)
    assert summary_sentences(bare)["constraint"] == "No work-item data, so no constraint."
    fig = plot_summary(bare)
    assert all(not ax.axison for ax in fig.axes)
    assert roadmap(bare).empty and list(roadmap(bare).columns)[-2:] == ["Owner", "Due by"]


def test_figures_are_written_as_png_and_svg_when_asked(d, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw: shown.append(bundle))
    params = workbook_params(client_dir=str(NORTHWIND), figures_dir=str(tmp_path / "figures"))
    fig = plot_summary(d)
    display.show_figure("summary", params, alt='The <summary> & "more"')
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["summary.png",
                                                                       "summary.svg"]
    assert 'alt="The &lt;summary&gt; &amp; &quot;more&quot;"' in shown[0]["text/html"]
    assert shown[0]["text/plain"] == 'The <summary> & "more"'
    assert fig.number not in plt.get_fignums()  # shown once, then closed
    fig, ax = plt.subplots()
    ax.set_title("Arrivals by week")
    display.show_figure("nothing-written", workbook_params(client_dir="."))
    assert len(list((tmp_path / "figures").iterdir())) == 2
    assert 'alt="Chart: Arrivals by week"' in shown[1]["text/html"]


def test_the_excel_workbook_has_tables_from_row_one_and_native_charts(d, tmp_path):
    from openpyxl import load_workbook

    path = write_excel(d, tmp_path / "w.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["Summary", "Roadmap", "Headline"]
    assert wb["Summary"]["A1"].value == "Northwind Freight Ltd"
    assert wb["Summary"]["A3"].value == "Operations diagnostic, assessment of 12 October 2026"
    assert wb["Summary"]["A4"].value.startswith("Confidential: prepared for the management of "
                                               "Northwind Freight Ltd")
    assert wb["Summary"]["A6"].value.startswith("Stage 1 (Single hero), almost certain")
    figures = [row[0].value for row in wb["Headline"].iter_rows(min_row=2)]
    assert "add to an estimate to be on budget 8 times in 10" in figures
    assert not any("_" in f or "p80" in f for f in figures)
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert ws["A1"].value not in (None, "Northwind Freight Ltd"), name  # the header row
        assert ws.freeze_panes == "A2"
    charted = {name for name in wb.sheetnames if wb[name]._charts}
    assert charted == {"Stage scores", "Stages", "Decisions by decider"}
    assert charted <= set(CHARTS)
    roadmap_sheet = pd.read_excel(path, sheet_name="Roadmap")
    assert list(roadmap_sheet.columns) == ["#", "Recommendation", "Why it works", "Evidence",
                                           "Owner", "Due by"]


def test_a_dollar_in_a_name_is_text_in_every_chart_and_a_slack_line_is_not_limited(tmp_path):
    import matplotlib.pyplot as plt

    from opsdx.flow import Line, Stage, simulate_line

    line = Line([Stage("Build $\\frac$ desk", 0.3, servers=3), Stage("Approval $5k-$50k", 0.2)],
                arrivals_per_day=1.5)
    flow = simulate_line(line, days=200, seed=4)
    folder = tmp_path / "dollar"
    folder.mkdir()
    (folder / "client.yaml").write_text("name: Dollar Ltd\n")
    flow.visits.to_csv(folder / "work_items.csv", index=False) if hasattr(flow, "visits") \
        else flow.to_csv(folder / "work_items.csv", index=False)
    d = diagnose(folder, FAST)
    fig = plot_summary(d)
    fig.savefig(tmp_path / "s.png")  # mathtext would raise on "$\\frac$"
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert "Approval $5k-$50k" in labels
    plt.close(fig)
    said = summary_sentences(d)["constraint"]
    # Approval's work takes about 30% of its capacity: a limit so far off is no constraint
    used = d.constraint.stages.set_index("stage").at["Approval $5k-$50k", "utilisation"]
    assert used == pytest.approx(0.3, abs=0.06) and d.constraint.constraint is None
    assert said == ("No stage limits the flow yet: every stage keeps up with the work that "
                    "arrives.")
    assert d.constraint.statement("tightest").startswith("The tightest stage, Approval $5k-$50k, "
                                                        "uses only")


def test_the_planning_sentence_gives_an_example_only_in_a_unit_of_time():
    from types import SimpleNamespace

    for unit, tail in ((None, "times the estimate."), ("points", "times the estimate."),
                       ("days", "times the estimate (a 10-day estimate needs 25).")):
        planning = SimpleNamespace(headline=lambda u=unit: {"median_ratio": 1.5,
                                                            "p80_ratio": 2.5, "unit": u})
        d = SimpleNamespace(maturity=None, constraint=None, decisions=None, planning=planning)
        assert summary_sentences(d)["planning"].endswith(tail), unit


def test_a_stage_between_half_and_most_of_its_capacity_is_the_tightest(tmp_path):
    from opsdx.flow import Line, Stage, simulate_line

    line = Line([Stage("Build", 0.3, servers=3), Stage("Approval", 0.45)], arrivals_per_day=1.5)
    folder = tmp_path / "slack"
    folder.mkdir()
    (folder / "client.yaml").write_text("name: Slack Ltd\n")
    simulate_line(line, days=300, seed=4).to_csv(folder / "work_items.csv", index=False)
    d = diagnose(folder, FAST)
    used = d.constraint.stages.set_index("stage").at["Approval", "utilisation"]
    assert 0.5 <= used < 0.8 and d.constraint.constraint == "Approval"
    said = summary_sentences(d)["constraint"]
    assert said.startswith("Approval is the tightest stage") and "keeps up with demand" in said
