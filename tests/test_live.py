"""The live assessment, headless: the interview form driven through its widgets, the file it
keeps, the live panel, the workshop view and the what-if explorers."""

from __future__ import annotations

import multiprocessing
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx.live import INTERVIEWS, InterviewFile

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


@pytest.fixture
def harbour(tmp_path) -> Path:
    """A copy of a sample client (9 respondents in responses.csv)."""
    return Path(shutil.copytree(SAMPLES / "harbour-analytics", tmp_path / "harbour"))


@pytest.fixture
def empty_client(tmp_path) -> Path:
    """A client folder with client.yaml alone: every answer will come from interviews."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    (folder / "client.yaml").write_text("name: Fresh Start Ltd\n")
    return folder


def _rows(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / INTERVIEWS, dtype=str, keep_default_na=False)


def test_clicks_land_in_the_file_with_their_status(harbour):
    iv = opsdx.interview(harbour, respondent="R7", role="manager")
    form = iv.form
    row = form.rows["PODS-2A"]
    assert list(row["choice"].options) == iv.options("PODS-2A") == [
        "Not true", "Rarely true", "Sometimes true", "Usually true", "Always true", "N/A"]
    row["choice"].value = "Usually true"                 # a click
    form.rows["KNOW-2A"]["choice"].value = "N/A"
    form.rows["KNOW-2B"]["skip"].click()                 # seen, left blank
    form.rows["PODS-2A"]["comment"].value = "playbook shown, last run 3 Nov"
    saved = _rows(harbour).set_index("item_id")
    assert list(_rows(harbour).columns) == list(opsdx.live.COLUMNS)
    assert saved.loc["PODS-2A", ["answer", "comment"]].tolist() == [
        "Usually true", "playbook shown, last run 3 Nov"]
    assert saved.loc["KNOW-2A", "answer"] == "N/A" and saved.loc["KNOW-2B", "answer"] == ""
    assert saved["respondent"].eq("R7").all() and saved["role"].eq("manager").all()
    assert saved["answered_at"].str.match(STAMP).all()
    # the library reads them with the statuses the form meant
    r = opsdx.load_client(harbour).responses().set_index(["respondent", "item_id"])
    assert r.loc[("R7", "PODS-2A"), ["value", "status"]].tolist() == [3.0, "answered"]
    assert r.loc[("R7", "KNOW-2A"), "status"] == "n/a"
    assert r.loc[("R7", "KNOW-2B"), "status"] == "skipped"
    assert iv.progress == (2, 35)
    assert iv.answers.loc["KNOW-2B", "status"] == "skipped"
    assert iv.answers.loc["MEAS-5A", "status"] == "not asked yet"
    assert form.count.value == "2 of 35 answered" and form.bar.value == 2
    # the handed-over file is only read
    assert (harbour / "responses.csv").read_bytes() == \
        (SAMPLES / "harbour-analytics" / "responses.csv").read_bytes()


def test_answer_takes_labels_values_na_and_none_like_a_click(harbour):
    iv = opsdx.interview(harbour, respondent="R7", role="manager")
    iv.answer("pods-2a", "  usually   TRUE ")
    iv.answer("PODS-2B", 4)
    iv.answer("PODS-2C", "2")
    iv.answer("KNOW-2A", "not applicable")
    iv.answer("KNOW-2B", None)
    iv.answer("KNOW-2C", "")
    saved = _rows(harbour).set_index("item_id")["answer"].to_dict()
    assert saved == {"PODS-2A": "Usually true", "PODS-2B": "Always true",
                     "PODS-2C": "Sometimes true", "KNOW-2A": "N/A", "KNOW-2B": "",
                     "KNOW-2C": ""}
    # a second answer replaces the first in place; the order of the rows is kept
    iv.answer("PODS-2A", "Rarely true")
    assert _rows(harbour)["item_id"].tolist()[0] == "PODS-2A"
    assert _rows(harbour).set_index("item_id").loc["PODS-2A", "answer"] == "Rarely true"
    assert len(_rows(harbour)) == 6


def test_an_invalid_value_is_never_saved(harbour, tmp_path):
    iv = opsdx.interview(harbour, respondent="R7")
    iv.answer("PODS-2A", 3)
    before = (harbour / INTERVIEWS).read_bytes()
    for item, value, message in [
            ("PODS-2A", "maybe", r"PODS-2A: 'maybe' is not an answer to this item; expected "
                                 r"one of 'Not true' \(0\), .*'N/A', or None to skip"),
            ("PODS-2A", 7, "7 is not an answer"), ("PODS-2A", 2.5, "2.5 is not an answer"),
            ("PODS-2A", True, "True is not an answer"),
            ("PODS-2X", 1, r"no item 'PODS-2X' .*did you mean PODS-2C")]:
        with pytest.raises(opsdx.OpsdxError, match=message):
            iv.answer(item, value)
    assert (harbour / INTERVIEWS).read_bytes() == before
    # an item that does not allow N/A offers no N/A button and refuses one typed
    q = (ROOT / "questionnaires" / "maturity.yaml").read_text()
    q = q.replace("    text: In the last month, someone other than its originator ran",
                  "    allow_na: false\n    text: In the last month, someone other than its "
                  "originator ran", 1)
    (harbour / "strict.yaml").write_text(q)
    (harbour / "client.yaml").write_text((harbour / "client.yaml").read_text().replace(
        "questionnaire: maturity", "") + "questionnaire: strict.yaml\n")
    strict = opsdx.interview(harbour, respondent="R8")
    assert "N/A" not in strict.options("KNOW-2A") and "N/A" in strict.options("KNOW-2B")
    assert "N/A" not in strict.form.rows["KNOW-2A"]["choice"].options
    with pytest.raises(opsdx.OpsdxError, match="KNOW-2A does not allow N/A"):
        strict.answer("KNOW-2A", "n/a")


def test_reopening_in_a_new_kernel_prefills_and_continues(harbour):
    iv = opsdx.interview(harbour, respondent="R7", role="manager")
    iv.answer("PODS-2A", "Usually true", comment="seen the playbook")
    iv.answer("KNOW-2A", "N/A")
    script = textwrap.dedent(f"""
        import opsdx
        iv = opsdx.interview({str(harbour)!r}, respondent="R7")
        form = iv.form
        print(iv.role, iv.progress, form.rows["PODS-2A"]["choice"].value,
              form.rows["PODS-2A"]["comment"].value, form.rows["KNOW-2A"]["choice"].value,
              form.rows["PODS-2B"]["choice"].value, sep="|")
        iv.answer("PODS-2B", "Always true")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "manager|(2, 35)|Usually true|seen the playbook|N/A|None"
    again = opsdx.interview(harbour, respondent="R7", role="Manager")  # same role, other case
    assert again.progress == (3, 35)
    assert again.answers.loc["PODS-2B", "answer"] == "Always true"
    with pytest.raises(opsdx.OpsdxError, match="was interviewed as 'manager', not 'partner'"):
        opsdx.interview(harbour, respondent="R7", role="partner")
    # an id typed another way reopens the same interview, never a second respondent
    for typed in ("r7", "  R7 "):
        assert opsdx.interview(harbour, respondent=typed).respondent == "R7"
    spaced = opsdx.interview(harbour, respondent="  Jo   Smith ", role="lead")
    spaced.answer("PODS-2A", 1)
    assert opsdx.interview(harbour, respondent="jo smith").progress == (1, 35)
    assert InterviewFile(harbour).respondents() == ["R7", "Jo Smith"]


def test_other_respondents_rows_are_untouched(harbour):
    first = opsdx.interview(harbour, respondent="R7", role="manager")
    second = opsdx.interview(harbour, respondent="R8", role="staff")
    first.answer("PODS-2A", 3, comment='said "=SUM(A1)" then laughed')
    second.answer("PODS-2A", 1)
    lines = (harbour / INTERVIEWS).read_text().splitlines()
    r7 = [line for line in lines if line.startswith("R7,")]
    for value in ("Always true", "Not true", None, "N/A"):
        second.answer("PODS-2A", value)
        second.answer("KNOW-2A", value)
    assert [line for line in (harbour / INTERVIEWS).read_text().splitlines()
            if line.startswith("R7,")] == r7
    # text a spreadsheet would run is stored inert and read back as typed
    assert "'=SUM" not in r7[0] and ",'said" not in r7[0]
    assert InterviewFile(harbour).rows_of("R7").loc["PODS-2A", "comment"] == \
        'said "=SUM(A1)" then laughed'
    third = opsdx.interview(harbour, respondent="=cmd|' /C calc'!A0", role="-staff")
    third.answer("PODS-2A", 2)
    raw = (harbour / INTERVIEWS).read_text()
    assert "\n'=cmd|" in raw and ",'-staff," in raw
    assert InterviewFile(harbour).respondents() == ["R7", "R8", "=cmd|' /C calc'!A0"]


def _save_many(folder, respondent, n):
    from opsdx.live.store import InterviewFile as File

    items = opsdx.load_questionnaire("maturity").items["item_id"].tolist()[:n]
    for item in items:
        File(folder).save(respondent, "staff", item, "Usually true", "")


def test_two_kernels_saving_at_once_lose_nothing(harbour):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_save_many, args=(harbour, f"P{k}", 20)) for k in range(2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
    assert [p.exitcode for p in workers] == [0, 0]
    saved = _rows(harbour)
    assert saved.groupby("respondent").size().to_dict() == {"P0": 20, "P1": 20}
    assert not list(harbour.glob(".interviews.csv.*.tmp"))


def test_client_responses_read_both_files_and_refuse_one_respondent_in_both(harbour):
    handed = opsdx.load_client(harbour).responses()
    iv = opsdx.interview(harbour, respondent="R7", role="manager")
    iv.answer("PODS-2A", "Always true")
    both = opsdx.load_client(harbour).responses()
    assert both["respondent"].nunique() == handed["respondent"].nunique() + 1
    assert len(both) == len(handed) + 35
    assert both.attrs["source"] == "harbour/responses.csv + harbour/interviews.csv"
    assert isinstance(both["status"].dtype, pd.CategoricalDtype)
    # the respondent's own id cannot be reused for an interview ...
    with pytest.raises(opsdx.OpsdxError, match=r"'r01' is already in harbour/responses.csv"):
        opsdx.interview(harbour, respondent="r01")
    # ... and a file edited by hand that puts one in both is an error naming both files
    with open(harbour / INTERVIEWS, "a") as fh:
        fh.write("R01,partner,PODS-2A,Usually true,,2026-12-06T10:00:00.000+00:00\n")
    with pytest.raises(opsdx.DataError) as err:
        opsdx.load_client(harbour).responses()
    problem, = err.value.problems
    assert (problem.file, problem.column, problem.value) == (
        "harbour/interviews.csv", "respondent", "R01")
    assert "also in harbour/responses.csv" in problem.message
    # a broken answer in the file is reported at its spreadsheet row
    (harbour / INTERVIEWS).write_text("respondent,role,item_id,answer,comment,answered_at\n"
                                      "R7,manager,PODS-2A,Usually true,,\n"
                                      "R7,manager,PODS-2B,Perhaps,,\n")
    with pytest.raises(opsdx.DataError) as err:
        opsdx.load_client(harbour).responses()
    problem, = err.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "answer", "Perhaps")
    (harbour / INTERVIEWS).write_text("respondent,item_id,answer\nR7,PODS-2A,1\n")
    with pytest.raises(opsdx.DataError, match="column 'role' is missing"):
        opsdx.load_client(harbour).responses()


def test_the_live_panel_follows_the_answers(empty_client):
    iv = opsdx.interview(empty_client, respondent="Ana", role="founder")
    form = iv.form
    assert "no answers yet" in form.live.value
    q = iv.questionnaire.items
    # every practice always in place (reverse-keyed items: never true): stage 5
    for item in q.itertuples():
        iv.answer(item.item_id, "Not true" if item.reverse else "Always true")
    assert iv.result.stage == 5 and "<b>Stage 5: Multiple chains</b>" in form.live.value
    assert "Light bootstrap, 200 resamples" in form.live.value
    # the stage-3 practices fail: the panel drops to stage 2 and names what holds it up
    for item in q[q["stage"] == 3].itertuples():
        iv.answer(item.item_id, "Always true" if item.reverse else "Not true")
    assert iv.result.stage == 2 and "<b>Stage 2: First designed pod</b>" in form.live.value
    assert all(i in form.live.value for i in iv.result.blockers["item_id"].head(3))
    form.full.click()
    assert "Full bootstrap, 2,000 resamples" in form.live.value
    # the panel shows what the library computes from the same files
    direct = opsdx.score_maturity(opsdx.load_client(empty_client).responses(), n_boot=200)
    assert (direct.stage, direct.index) == (iv.result.stage, iv.result.index)
    assert f"Maturity index {direct.index:.2f}" in form.live.value
    # and the workbook reads the interviews as answers
    from opsdx.workbook import diagnose

    d = diagnose(empty_client, {"n_boot": 200, "trials": 500})
    assert d.maturity.stage == 2 and d.maturity.n_respondents == 1


def test_pages_navigation_and_escaping(harbour):
    iv = opsdx.interview(harbour, respondent="<img src=x onerror=alert(1)>", role="<b>boss</b>")
    form = iv.form
    assert form.titles == [d.title for d in iv.questionnaire.spec.dimensions]
    assert form.previous.disabled and not form.next.disabled
    form.next.click()
    assert form.page == 1 and form.jump.value == 1
    form.jump.value = 5
    assert form.next.disabled and form.body.children == (form.pages[5],)
    every_html = " ".join(child.value for top in [iv.widget, *form.pages]
                          for child in _walk(top) if isinstance(getattr(child, "value", None), str))
    assert "<img src=x" not in every_html and "&lt;img src=x" in every_html
    assert "<b>boss</b>" not in every_html
    # each item shows its help text: the evidence to ask for
    helps = iv.questionnaire.items.set_index("item_id")["help"]
    assert helps["KNOW-2A"] and any(helps["KNOW-2A"][:40] in v for v in every_html.split("<br>"))


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_the_workshop_shows_where_respondents_disagree_and_follows_new_answers(harbour):
    ws = opsdx.workshop(harbour, top=5)
    table = ws.disagreements()
    assert len(table) == 5 and table["rwg"].is_monotonic_increasing
    r = opsdx.load_client(harbour).responses()
    direct = opsdx.score_maturity(r, n_boot=0).agreement.set_index("item_id")
    first = table.iloc[0]
    assert first["rwg"] == pytest.approx(direct.loc[first["item_id"], "rwg"])
    assert first["rwg"] == pytest.approx(direct["rwg"].min())
    ws.picker.value = ("R01",)
    assert "at least two respondents" in ws.table.value
    ws.picker.value = ("R01", "R02")
    two = ws.disagreements()
    pair = r[r["respondent"].isin(["R01", "R02"])]
    assert two.iloc[0]["rwg"] == pytest.approx(
        opsdx.score_maturity(pair, n_boot=0).agreement["rwg"].min())
    # an interview in another kernel: Refresh shows the new respondent, picked
    opsdx.interview(harbour, respondent="R7", role="manager").answer("PODS-2A", 0)
    ws.refresh_button.click()
    assert "R7" in ws.picker.options and ws.picker.value == ("R01", "R02", "R7")
    with pytest.raises(opsdx.OpsdxError, match="no respondent 'R99'"):
        opsdx.workshop(harbour, respondents=["R99"])


def test_constraint_explorer_is_what_if_with_a_chart():
    report = opsdx.load_client(SAMPLES / "northwind-freight")
    report = opsdx.find_constraint(report.work_items())
    ex = opsdx.explore_constraint(report)
    assert ex.stage.value == report.constraint
    for factor in (0.5, 1.0, 2.0, 3.0):
        ex.factor.value = factor
        assert ex.outcome == report.what_if(report.constraint, factor)
        assert ex.chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    other = [s for s in ex.stage.options if s != report.constraint][0]
    ex.stage.value = other
    assert ex.outcome["stage"] == other
    assert f"{ex.outcome['throughput_per_week_after']:.1f}" in ex.text.value


def test_planning_explorer_gives_the_outside_view_budget_at_each_level():
    client = opsdx.load_client(SAMPLES / "northwind-freight")
    planning = opsdx.assess_planning(client.estimates(), by=["kind"], trials=500)
    ex = opsdx.explore_planning(planning, estimate=10)
    rc = planning.reference_class
    for level in (0.5, 0.8, 0.95):
        ex.level.value = level
        expected = rc.forecast(10, p=[level]).iloc[0, 1]
        assert ex.outcome["budget"] == pytest.approx(expected)
        assert ex.outcome["p_overrun"] == pytest.approx(rc.p_overrun(10))
    ex.cls.value = (("kind", "bug"),)
    assert ex.outcome["class"] == "kind=bug"
    assert ex.outcome["budget"] == pytest.approx(rc.select(kind="bug").forecast(10, p=[0.95])
                                                 .iloc[0, 1])
    assert ex.outcome["budget"] > 10  # Northwind's bugs overrun: the outside view is higher
    ex.estimate.value = 0
    assert ex.outcome == {} and "positive number" in ex.text.value


def test_maturity_explorer_rescores_with_the_threshold_and_weights(harbour):
    ex = opsdx.explore_maturity(harbour, n_boot=200)
    r = opsdx.load_client(harbour).responses()
    assert ex.outcome["stage"] == ex.baseline.stage
    ex.threshold.value = 0.5
    low = opsdx.score_maturity(r, threshold=0.5, n_boot=200)
    assert (ex.outcome["stage"], ex.outcome["index"]) == (low.stage, low.index)
    assert ex.outcome["stage"] >= ex.baseline.stage
    ex.weights["connections"].value = 3.0
    q = opsdx.load_questionnaire("maturity").items
    weights = dict(zip(q["item_id"], q["weight"] * np.where(q["dimension"] == "connections", 3, 1)))
    heavy = opsdx.score_maturity(r, threshold=0.5, n_boot=200, weights=weights)
    assert ex.outcome["index"] == pytest.approx(heavy.index)
    assert ex.outcome["stage_probability"] == pytest.approx(heavy.stage_probability)
    assert f"index {heavy.index:.2f}" in ex.text.value


def _layout(tmp_path: Path) -> Path:
    """The checkout's layout in ``tmp_path``: the notebooks beside a sample client."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks",
                    ignore=shutil.ignore_patterns("figures", "*.py"))
    shutil.copytree(SAMPLES / "harbour-analytics", tmp_path / "sample_data" / "harbour-analytics")
    shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "sample_data" / "northwind-freight")
    return tmp_path


def _execute(path: Path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def test_the_interview_and_explore_notebooks_run_on_a_sample_client(tmp_path):
    root = _layout(tmp_path)
    nb = _execute(root / "notebooks" / "interview.ipynb")
    widgets = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 2  # the form and the workshop view
    practice = root / "build" / "lab" / "harbour-analytics"
    assert (practice / "client.yaml").is_file() and not (practice / INTERVIEWS).exists()
    assert not (root / "sample_data" / "harbour-analytics" / INTERVIEWS).exists()
    nb = _execute(root / "notebooks" / "explore.ipynb")
    views = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert len(views) == 3 and not errors


def test_a_click_in_jupyterlab_in_a_real_browser_saves_the_answer(tmp_path):
    """JupyterLab on localhost, the interview notebook in Chromium: a click reaches the file."""
    sys.path.insert(0, str(ROOT / "notebooks"))
    import labdriver

    if labdriver.CHROMIUM is None:
        pytest.skip("no Chromium: `make test` installs Debian's chromium where apt-get runs as "
                    "root; elsewhere install it (apt-get install chromium) to run this test")
    pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is missing")
    pytest.importorskip("jupyterlab", reason="jupyterlab (the test extra) is not installed")
    root = _layout(tmp_path / "lab")
    saved = root / "build" / "lab" / "harbour-analytics" / INTERVIEWS
    with labdriver.jupyterlab(root) as (base, token), labdriver.chromium_page() as page:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        labdriver.open_and_run(page, base, token, "notebooks/interview.ipynb")
        button = page.locator(".widget-toggle-button", has_text="Usually true").first
        button.wait_for(timeout=120_000)
        button.click()
        deadline = time.monotonic() + 60
        while not saved.is_file() and time.monotonic() < deadline:
            time.sleep(0.25)
        assert saved.is_file(), "the click did not reach interviews.csv"
        rows = _rows(saved.parent)
        assert rows[["respondent", "role", "item_id", "answer"]].values.tolist() == [
            ["R-demo", "manager", "KNOW-2A", "Usually true"]]
        # the live panel moved with it: the new respondent is counted
        page.locator(".widget-html", has_text="from 10 respondents").first.wait_for(
            timeout=60_000)
        assert not errors, errors


def test_what_two_kernels_save_is_never_overwritten_by_the_other(harbour):
    a = opsdx.interview(harbour, respondent="R7", role="manager")
    b = opsdx.interview(harbour, respondent="R7", role="manager")  # a second kernel
    b.answer("PODS-2A", "Always true")
    a.comment("PODS-2A", "seen the playbook")          # a's form never saw b's answer
    row = InterviewFile(harbour).rows_of("R7").loc["PODS-2A"]
    assert (row["answer"], row["comment"]) == ("Always true", "seen the playbook")
    assert a.answers.loc["PODS-2A", "answer"] == "Always true"  # and a now shows it
    # a second kernel opening the same new id with another role cannot save under it
    c = opsdx.interview(harbour, respondent="R9", role="staff")
    d = opsdx.interview(harbour, respondent="r9", role="partner")
    c.answer("PODS-2A", 1)
    with pytest.raises(opsdx.OpsdxError, match="was interviewed as 'staff', not 'partner'"):
        d.answer("PODS-2B", 1)
    assert InterviewFile(harbour).respondents() == ["R7", "R9"]
    opsdx.load_client(harbour).responses()  # still readable


def test_a_file_edited_by_hand_is_read_as_the_readers_read_it(harbour):
    (harbour / INTERVIEWS).write_text(
        "respondent,role,item_id,answer,comment,answered_at\n"
        "R7,manager,pods-2a,usually TRUE,,\n"           # case, and no timestamp
        "R7,manager,KNOW-2A,'=not a formula,,\n"
        "R7,manager,KNOW-2B,maybe,,\n")                  # not an answer
    iv = opsdx.interview(harbour, respondent="R7")
    assert iv.answers.loc["PODS-2A", ["answer", "status"]].tolist() == ["Usually true",
                                                                         "answered"]
    assert len(iv.problems) == 2 and all("interviews.csv" in p for p in iv.problems)
    form = iv.form  # builds, and says what it cannot show
    assert form.rows["PODS-2A"]["choice"].value == "Usually true"
    assert form.rows["KNOW-2B"]["choice"].value is None and "maybe" in form.message.value
    iv.answer("PODS-2A", "Rarely true")                  # the same row, not a second one
    iv.answer("KNOW-2B", "Not true")
    assert len(iv.problems) == 1
    rows = _rows(harbour)
    assert rows["item_id"].str.casefold().value_counts().max() == 1 and len(rows) == 3
    # an apostrophe typed first survives the round trip through the file
    iv.comment("KNOW-2B", "'=not a formula either")
    assert InterviewFile(harbour).rows_of("R7").loc["KNOW-2B", "comment"] == \
        "'=not a formula either"
    # a zero-byte file is no answers yet, not a crash
    (harbour / INTERVIEWS).write_bytes(b"")
    assert opsdx.interview(harbour, respondent="R7").progress == (0, 35)
    assert opsdx.load_client(harbour).responses()["respondent"].nunique() == 9


def test_the_responses_key_never_names_the_interviews_and_a_missing_file_stays_an_error(
        harbour):
    yaml = (harbour / "client.yaml").read_text()
    (harbour / "client.yaml").write_text(yaml + "responses: interviews.csv\n")
    with pytest.raises(opsdx.DataError, match="responses names interviews.csv"):
        opsdx.load_client(harbour).responses()
    (harbour / "client.yaml").write_text(yaml + "responses: respones.csv\n")  # a typo
    opsdx.interview(harbour, respondent="R7", role="manager").answer("PODS-2A", 2)
    with pytest.raises(opsdx.OpsdxError, match="respones.csv"):
        opsdx.load_client(harbour).responses()
    # a problem in each file: both are listed at once
    (harbour / "client.yaml").write_text(yaml)
    text = (harbour / "responses.csv").read_text().replace("Always true", "Allways true", 1)
    (harbour / "responses.csv").write_text(text)
    with open(harbour / INTERVIEWS, "a") as fh:
        fh.write("R7,manager,PODS-2B,Perhaps,,\n")
    with pytest.raises(opsdx.DataError) as err:
        opsdx.load_client(harbour).responses()
    assert {p.value for p in err.value.problems} == {"Allways true", "Perhaps"}


def test_respondent_ids_match_alike_everywhere(harbour):
    ws = opsdx.workshop(harbour, respondents=["r01", " R02 "])
    assert ws.respondents == ["R01", "R02"]
    for typed in ("R01 ", " r01 "):  # spaces collapsed, case ignored: R01 is taken
        with pytest.raises(opsdx.OpsdxError, match="is already in harbour/responses.csv"):
            opsdx.interview(harbour, respondent=typed)


def test_an_unscored_item_is_asked_and_left_out_of_the_weights(harbour):
    q = (ROOT / "questionnaires" / "maturity.yaml").read_text()
    q = q.replace("default_scale: evidence", "  tool:\n    options:\n      - {label: Jira}\n"
                  "      - {label: Linear}\ndefault_scale: evidence", 1)
    q += ("  - id: TOOL-1\n    dimension: measurement\n    stage: 2\n    scale: tool\n"
          "    text: Which tracker holds the work?\n")
    (harbour / "tools.yaml").write_text(q)
    (harbour / "client.yaml").write_text((harbour / "client.yaml").read_text()
                                         + "questionnaire: tools.yaml\n")
    iv = opsdx.interview(harbour, respondent="R7", role="manager")
    assert iv.options("TOOL-1") == ["Jira", "Linear", "N/A"]
    iv.answer("TOOL-1", "linear")
    with pytest.raises(opsdx.OpsdxError, match="'Jira', 'Linear', 'N/A', or None"):
        iv.answer("TOOL-1", 3)
    ex = opsdx.explore_maturity(iv, n_boot=100)
    ex.weights["measurement"].value = 2.0
    assert ex.outcome["stage"] in range(1, 6) and "Stage" in ex.text.value
