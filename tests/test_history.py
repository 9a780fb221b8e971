"""Re-assessment: snapshots of each assessment, what changed between two, the workbook's section."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import opsdx
from opsdx import DataError, OpsdxError
from opsdx.history import (Snapshot, compare, read_history, read_snapshot, snapshot, trend_table,
                           write_snapshot)
from opsdx.workbook import diagnose
from opsdx.workbook.batch import run_batch

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
FAST = {"n_boot": 300, "trials": 1000}


def results(day, stage, index, ci, constraint, *, items=None, share=None, ratio=None):
    """The parts of a results.json that a comparison reads."""
    out = {"headline": {"assessment_date": day, "stage": stage, "maturity_index": index,
                        "constraint": constraint, "top_decider_share": share,
                        "median_ratio": ratio},
           "maturity": {"index_ci": ci}}
    if items is not None:
        out["maturity"]["item_scores"] = [
            {"item_id": k, "dimension": "pods", "stage": 2, "score": v, "n_answered": 7}
            for k, v in items.items()]
    if share is not None:
        out["decisions"] = {"overall": {"top_decider": "founder"},
                            "by_decider": [{"decider": "founder", "latency_p50": 9.0}]}
    return out


BEFORE = results("2026-10-12", 1, 1.84, [1.70, 1.95], "Founder approval",
                 items={"A": 0.5, "B": 0.25, "C": 0.75}, share=0.64, ratio=1.8)
AFTER = results("2027-01-18", 2, 2.31, [2.20, 2.41], "Quote",
                items={"A": 0.5, "B": 0.75, "C": 0.625}, share=0.40, ratio=1.79)


def test_a_snapshot_round_trips_exactly(tmp_path):
    path = write_snapshot(tmp_path / "history", BEFORE, inputs_hash="abc123")
    assert path.name == "2026-10-12.json"
    snap = read_snapshot(path)
    assert snap.assessment_date.isoformat() == "2026-10-12"
    assert snap.results == BEFORE and snap.inputs_hash == "abc123"
    assert snap.opsdx_version == opsdx.__version__
    assert json.loads(path.read_text())["format"] == 1


def test_a_later_assessment_never_overwrites_an_earlier_one(tmp_path):
    history = tmp_path / "history"
    write_snapshot(history, BEFORE)
    write_snapshot(history, AFTER)
    corrected = json.loads(json.dumps(AFTER))
    corrected["headline"]["maturity_index"] = 2.30
    write_snapshot(history, corrected)  # the same date: the same assessment, corrected
    (history / "notes.txt").write_text("the consultant's own notes")
    (history / ".2027-01-18.json.x1y2.tmp").write_text("{")  # a write in progress
    snaps = read_history(history)
    assert [s.assessment_date.isoformat() for s in snaps] == ["2026-10-12", "2027-01-18"]
    assert snaps[0].results == BEFORE
    assert snaps[1].results["headline"]["maturity_index"] == 2.30
    assert [s.assessment_date.isoformat() for s in read_history(history, before="2027-01-18")] \
        == ["2026-10-12"]
    assert read_history(tmp_path / "nowhere") == []


def test_broken_snapshots_are_named_all_at_once(tmp_path):
    history = tmp_path / "history"
    history.mkdir()
    (history / "2026-01-05.json").write_text("{not json")
    (history / "2026-04-05.json").write_text('{"format": 1, "results": {"x": 1}}')
    (history / "2026-07-05.json").write_text("[1, 2]")
    with pytest.raises(DataError) as err:
        read_history(history)
    text = str(err.value)
    assert "2026-01-05.json" in text and "not valid JSON" in text
    assert "2026-04-05.json" in text and "no headline" in text
    assert "2026-07-05.json" in text and "not a JSON object" in text


def test_compare_gives_the_changes_with_their_uncertainty():
    c = compare(BEFORE, AFTER)
    h = c.headline()
    assert h["date_before"] == "2026-10-12" and h["date_now"] == "2027-01-18"
    assert h["days_between"] == 98
    assert (h["stage_before"], h["stage_now"]) == (1, 2)
    assert h["index_change"] == 0.47 and h["index_change_beyond_uncertainty"] is True
    assert (h["constraint_before"], h["constraint_now"], h["constraint_moved"]) == \
        ("Founder approval", "Quote", True)
    assert c.items["item_id"].tolist() == ["B", "C", "A"]
    assert c.items["change"].tolist() == [0.5, -0.125, 0.0]
    m = c.summary().set_index("measure")
    assert m.at["top_decider_share", "change"] == pytest.approx(-0.24)
    assert m.at["median_ratio", "before"] == 1.8
    assert c.statement("stage") == (
        "The maturity index rose from 1.84 to 2.31 (stage 1 then, stage 2 now): more than the "
        "uncertainty of either assessment, a change the answers show.")
    assert c.statement("decisions").startswith("Decisions are less concentrated: the main "
                                               "decider (founder) took 64% of them then and "
                                               "40% now")
    assert c.statement("planning").startswith("Plans are as optimistic as before")
    assert "fifth focusing step" in c.statement("constraint")
    assert c.notes == []


def test_a_change_within_the_uncertainty_is_not_called_a_change():
    after = results("2027-01-18", 1, 1.92, [1.78, 2.05], "Founder approval")
    c = compare(results("2026-10-12", 1, 1.84, [1.70, 1.95], "Founder approval"), after)
    assert c.headline()["index_change"] == 0.08
    assert c.index_change_beyond_uncertainty is False
    assert "do not show a change" in c.statement("stage")
    assert c.statement("constraint") == ("The constraint is still Founder approval: what was "
                                         "done to it has not yet lifted it.")
    assert c.constraint_moved is False


def test_what_cannot_be_compared_is_said():
    before = results("2026-10-12", 1, 1.84, [1.70, 1.95], None, items={"A": 0.5, "B": 0.2})
    before["planning"] = {}
    after = results("2026-07-01", 1, 1.9, [1.8, 2.0], "Quote", items={"A": 0.75, "Z": 1.0})
    c = compare(before, after)
    codes = [n.code for n in c.notes]
    assert codes == ["order", "part_missing", "questionnaire_changed"]
    assert c.items["item_id"].tolist() == ["A"]
    assert c.statement("constraint") == "The constraint was not found then and is Quote now."


def test_compare_reads_files_snapshots_and_diagnoses(tmp_path):
    snap_path = write_snapshot(tmp_path, BEFORE)
    results_path = tmp_path / "results.json"
    results_path.write_text(json.dumps(AFTER))
    c = compare(snap_path, results_path)
    assert c.headline()["index_change"] == 0.47
    d = diagnose(SAMPLES / "northwind-freight", {**FAST, "n_boot": 100}, parts=["maturity"])
    c2 = compare(BEFORE, d)
    assert c2.date_now.isoformat() == "2026-10-12"
    assert c2.headline()["index_now"] == pytest.approx(d.maturity.index)
    with pytest.raises(OpsdxError, match="cannot compare a list"):
        compare([], AFTER)


def test_the_trend_has_one_row_per_assessment_in_date_order():
    middle = results("2026-12-01", 1, 2.0, [1.9, 2.1], "Quote")
    t = trend_table([AFTER, BEFORE, middle])
    assert [str(d) for d in t["assessment_date"]] == ["2026-10-12", "2026-12-01", "2027-01-18"]
    assert t["maturity_index"].tolist() == [1.84, 2.0, 2.31]
    c = compare(middle, AFTER, history=[BEFORE])
    assert len(c.trend) == 3
    ax = c.plot_trend()
    assert len(ax.lines) == 1 and ax.get_ylabel() == "maturity index"


def test_a_diagnosis_compares_itself_with_the_latest_earlier_snapshot(tmp_path):
    history = tmp_path / "history"
    write_snapshot(history, results("2026-04-01", 1, 1.5, [1.4, 1.6], "Quote"))
    write_snapshot(history, results("2026-07-01", 1, 1.6, [1.5, 1.7], "Quote"))
    write_snapshot(history, results("2027-04-01", 2, 2.5, [2.4, 2.6], "Delivery"))  # later
    d = diagnose(SAMPLES / "northwind-freight", {**FAST, "history_dir": str(history)})
    assert [s.assessment_date.isoformat() for s in d.history] == ["2026-04-01", "2026-07-01"]
    since = d.results()["since_last"]
    assert since["date_before"] == "2026-07-01"
    assert (since["stage_before"], since["stage_now"]) == (1, 1)
    assert (since["constraint_before"], since["constraint_now"]) == ("Quote", "Founder approval")
    assert len(since["trend"]) == 3
    assert any(n.code == "later_assessments" for n in d.notes)
    assert d.headline()["next_assessment_due"] == "2027-01-10"
    assert d.sentences()[-1].startswith("The next re-assessment is due by 10 January 2027, 90 "
                                        "days after this one")
    assert "history_dir" not in d.results()["params"]  # no path of the machine recorded


def test_the_re_assessment_interval_comes_from_client_yaml(tmp_path):
    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "n")
    with open(folder / "client.yaml", "a") as fh:
        fh.write("reassess_after_days: 120\n")
    d = diagnose(folder, FAST, parts=["maturity"])
    assert d.headline()["next_assessment_due"] == "2027-02-09"
    assert d.since_last is None and "since_last" not in d.results()
    with open(folder / "client.yaml", "a") as fh:
        fh.write("reassess_after_days: 0\n")
    with pytest.raises(OpsdxError, match="reassess_after_days"):
        opsdx.load_client(folder)


def test_a_batch_run_a_quarter_later_says_what_changed(tmp_path):
    """The consultant updates the client's folder in place and runs the batch again."""
    clients = tmp_path / "clients"
    folder = shutil.copytree(SAMPLES / "northwind-freight", clients / "northwind-freight")
    out = tmp_path / "out"
    first = run_batch(clients, out, workers=1, progress=False, **FAST)
    assert len(first.succeeded) == 1
    slug = first.rows[0]["slug"]
    assert "since_last" not in json.loads((out / slug / "results.json").read_text())
    for f in (SAMPLES / "next-quarter" / "northwind-freight").iterdir():
        shutil.copy(f, folder / f.name)
    second = run_batch(clients, out, workers=1, progress=False, **FAST)
    assert [r["slug"] for r in second.succeeded] == [slug]
    assert sorted(p.name for p in (out / slug / "history").iterdir()) == [
        "2026-10-12.json", "2027-01-18.json"]
    r = json.loads((out / slug / "results.json").read_text())
    since = r["since_last"]
    assert since["date_before"] == "2026-10-12" and since["date_now"] == "2027-01-18"
    assert (since["stage_before"], since["stage_now"]) == (1, 1)
    assert (since["constraint_before"], since["constraint_now"]) == ("Founder approval", "Quote")
    assert since["index_change_beyond_uncertainty"] is False  # stage 1, a little further on
    decisions = next(s for s in since["sentences"] if s.startswith("Decisions"))
    assert decisions.startswith("Decisions are as concentrated as before")  # did not work
    html = (out / slug / "workbook.html").read_text()
    assert "Since the last assessment" in html
    assert "The constraint moved from Founder approval to Quote" in html
    book = pd.read_excel(out / slug / "workbook.xlsx", sheet_name=None, header=None)
    assert {"Since last assessment", "Assessments over time"} <= set(book)
    portfolio = pd.read_csv(out / "portfolio.csv")
    row = portfolio.set_index("slug").loc[slug]
    assert (row["stage_before"], row["stage"]) == (1, 1)
    assert row["previous_assessment_date"] == "2026-10-12"
    assert row["constraint_before"] == "Founder approval" and row["constraint"] == "Quote"
    # the same quarter run again: its own snapshot replaced, the earlier one untouched
    earlier = (out / slug / "history" / "2026-10-12.json").read_bytes()
    run_batch(clients, out, workers=1, progress=False, resume=False, **FAST)
    assert sorted(p.name for p in (out / slug / "history").iterdir()) == [
        "2026-10-12.json", "2027-01-18.json"]
    assert (out / slug / "history" / "2026-10-12.json").read_bytes() == earlier


def test_opsdx_compare_prints_what_changed(tmp_path, capsys):
    from opsdx.cli import main

    out = tmp_path / "client-out"
    write_snapshot(out / "history", BEFORE)
    write_snapshot(out / "history", AFTER)
    assert main(["compare", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("2026-10-12 -> 2027-01-18 (98 days)\n")
    assert "The constraint moved from Founder approval to Quote" in printed
    assert main(["compare", str(out / "history" / "2026-10-12.json"),
                 str(out / "history" / "2027-01-18.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["index_change"] == 0.47
    (out / "history" / "2027-01-18.json").unlink()
    assert main(["compare", str(out)]) == 2
    assert "1 snapshot in history/; a comparison needs two" in capsys.readouterr().err


def test_two_clients_with_one_name_keep_their_own_histories(tmp_path):
    clients = tmp_path / "clients"
    shutil.copytree(SAMPLES / "northwind-freight", clients / "northwind-freight")
    shutil.copytree(SAMPLES / "next-quarter" / "northwind-freight", clients / "zz-copy")
    out = tmp_path / "out"
    summary = run_batch(clients, out, workers=2, progress=False, **FAST)
    slugs = sorted(r["slug"] for r in summary.succeeded)
    assert slugs == ["northwind-freight-ltd", "northwind-freight-ltd--zz-copy"]
    assert [p.name for p in (out / slugs[0] / "history").iterdir()] == ["2026-10-12.json"]
    assert [p.name for p in (out / slugs[1] / "history").iterdir()] == ["2027-01-18.json"]
    for slug in slugs:  # neither is compared with the other's assessment
        assert "since_last" not in json.loads((out / slug / "results.json").read_text())


def test_the_wording_when_nothing_moved_or_the_people_changed():
    same = compare(BEFORE, results("2027-01-18", 1, 1.84, [1.70, 1.95], "Founder approval"))
    assert same.statement("stage").startswith("The maturity index stayed at 1.84 (stage 1 as "
                                              "before)")
    before = json.loads(json.dumps(BEFORE))
    before["headline"]["constraint_utilisation"] = 0.52
    after = results("2027-01-18", 1, 1.9, [1.8, 2.0], "Founder approval", share=0.47)
    after["headline"]["constraint_utilisation"] = 0.24
    after["decisions"] = {"overall": {"top_decider": "finance lead"},
                          "by_decider": [{"decider": "finance lead", "latency_p50": 1.3}]}
    c = compare(before, after)
    assert c.statement("constraint") == ("The constraint is still Founder approval, and the work "
                                         "arriving now takes 24% of its capacity against 52% "
                                         "then: its load has eased.")
    assert c.statement("decisions").endswith("decisions waited a median 9.0 days for founder "
                                             "then, and 1.3 days for finance lead now.")
    assert c.summary().set_index("measure").at["top_decider_share", "figure"] == \
        "share of decisions taken by the main decider"


def test_opsdx_compare_takes_two_output_folders(tmp_path, capsys):
    from opsdx.cli import main

    for name, r in (("a", BEFORE), ("b", AFTER)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(r))
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "2026-10-12 -> 2027-01-18" in capsys.readouterr().out
