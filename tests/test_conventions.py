"""A client's own spreadsheets: its column names and its day-first dates, read as they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import opsdx
from opsdx.workbook import diagnose

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def home_made(tmp_path) -> Path:
    """Northwind Freight's files as the client keeps them: its own headers, dates day-first."""
    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "acme")
    work = pd.read_csv(folder / "work_items.csv", dtype=str, keep_default_na=False)
    for col in ("entered_at", "started_at", "exited_at"):
        t = pd.to_datetime(work[col].replace("", None))
        work[col] = t.dt.strftime("%d/%m/%Y %H:%M").fillna("")
    work.rename(columns={"item_id": "Ticket", "stage": "Step", "entered_at": "Arrived",
                         "started_at": "Picked up", "exited_at": "Left",
                         "owner": "Who"}).to_csv(folder / "work_items.csv", index=False)
    log = pd.read_csv(folder / "decisions.csv", dtype=str, keep_default_na=False)
    for col in ("raised_at", "decided_at", "shipped_at"):
        t = pd.to_datetime(log[col].replace("", None))
        log[col] = t.dt.strftime("%d.%m.%Y %H:%M").fillna("")
    log.rename(columns={"decider": "Decided by", "raised_at": "Asked"}).to_csv(
        folder / "decisions.csv", index=False)
    est = pd.read_csv(folder / "estimates.csv", dtype=str, keep_default_na=False)
    for col in ("estimated_on", "finished_on"):
        t = pd.to_datetime(est[col].replace("", None))
        est[col] = t.dt.strftime("%d/%m/%Y").fillna("")
    est.rename(columns={"estimate": "Original estimate (h)", "actual": "Time spent (h)"}).to_csv(
        folder / "estimates.csv", index=False)
    with open(folder / "client.yaml", "a") as fh:
        fh.write("columns:\n"
                 "  work_items: {item_id: Ticket, stage: Step, entered_at: Arrived,\n"
                 "               started_at: Picked up, exited_at: Left, owner: Who}\n"
                 "  decisions: {decider: Decided by, raised_at: Asked}\n"
                 "  estimates: {estimate: Original estimate (h), actual: Time spent (h)}\n"
                 "dates: {dayfirst: true}\n")
    return folder


def test_a_home_made_folder_reads_as_the_sample_it_was_made_from(tmp_path):
    folder = home_made(tmp_path)
    ours, theirs = opsdx.load_client(SAMPLES / "northwind-freight"), opsdx.load_client(folder)
    pd.testing.assert_frame_equal(ours.work_items().visits, theirs.work_items().visits)
    pd.testing.assert_frame_equal(ours.decisions(), theirs.decisions())
    pd.testing.assert_frame_equal(ours.estimates(), theirs.estimates())
    d = diagnose(folder, {"n_boot": 100, "trials": 300})
    assert d.headline()["constraint"] == "Founder approval" and not d.failures


def test_without_the_conventions_the_same_files_are_refused_by_name(tmp_path):
    folder = home_made(tmp_path)
    text = (folder / "client.yaml").read_text()
    (folder / "client.yaml").write_text(text.split("columns:")[0])
    with pytest.raises(opsdx.DataError, match="required column is missing"):
        opsdx.load_client(folder).work_items()


def test_a_mapping_to_a_column_the_file_lacks_is_named(tmp_path):
    folder = home_made(tmp_path)
    text = (folder / "client.yaml").read_text().replace("stage: Step", "stage: Phase")
    (folder / "client.yaml").write_text(text)
    with pytest.raises(opsdx.DataError) as err:
        opsdx.load_client(folder).work_items()
    assert ("acme/work_items.csv, row 1, column 'Phase': columns: maps stage to 'Phase', which "
            "the file does not have") in str(err.value)


@pytest.mark.parametrize("yaml, message", [
    ("columns: {tickets: {item_id: Ticket}}\n", "columns"),
    ("dates: dd/mm/yyyy\n", "is not a date format"),
    ("dates: {dayfirst: maybe}\n", "dayfirst"),
])
def test_bad_conventions_in_client_yaml(tmp_path, yaml, message):
    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "acme")
    with open(folder / "client.yaml", "a") as fh:
        fh.write(yaml)
    with pytest.raises(opsdx.OpsdxError, match=message):
        opsdx.load_client(folder)


def test_a_format_string_reads_american_dates(tmp_path):
    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "acme")
    log = pd.read_csv(folder / "decisions.csv", dtype=str, keep_default_na=False)
    expected = opsdx.load_client(folder).decisions()
    for col in ("raised_at", "decided_at", "shipped_at"):
        t = pd.to_datetime(log[col].replace("", None))
        log[col] = t.dt.strftime("%m/%d/%Y %I:%M %p").fillna("")
    log.to_csv(folder / "decisions.csv", index=False)
    with open(folder / "client.yaml", "a") as fh:
        fh.write("dates: '%m/%d/%Y %I:%M %p'\n")
    pd.testing.assert_frame_equal(opsdx.load_client(folder).decisions(), expected)


def test_a_problem_names_the_clients_own_column(tmp_path):
    folder = home_made(tmp_path)
    work = pd.read_csv(folder / "work_items.csv", dtype=str, keep_default_na=False)
    work.loc[0, "Arrived"] = "sometime in May"
    work.loc[1, "Ticket"] = ""
    work.to_csv(folder / "work_items.csv", index=False)
    flow = opsdx.load_client(folder).work_items()  # rows set aside, the rest analysed
    assert set(flow.quality["row"]) == {2, 3}
    with pytest.raises(opsdx.DataError) as err:
        with opsdx.load_client(folder).reading("work_items", folder / "work_items.csv"):
            opsdx.read_work_items(folder / "work_items.csv", name="acme/work_items.csv",
                                  stages=["nope"])
    assert "column 'Step'" in str(err.value) and "column 'stage'" not in str(err.value)
