"""Time-in-status reports: one row per issue, one column per status, durations or moments.

The fixtures (``tests/data/time_in_status``) are shaped as Jira's time-in-status
apps export them: Jira's own ``02/Mar/26 9:30 AM`` creation dates, durations
written ``2d 4h 30m``, ``-`` for a status never visited, a current ``Status``
column, a status the map does not name (Blocked), a status-group column (Lead
Time), an unreadable cell, a missing creation date; and a report of the moments
each status was entered, with offsets and milliseconds on both sides of a
daylight-saving change, and one row written in Jira's zone-less format.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import opsdx
from opsdx.cli import main
from opsdx.errors import DataError, OpsdxError
from opsdx.flow.timeinstatus import (looks_like_time_in_status, parse_durations,
                                     time_in_status_table)
from opsdx.tables import MIXED_ZONES

DATA = Path(__file__).resolve().parent / "data"
TIS = DATA / "time_in_status"
MAP = DATA / "statuses.yaml"
T = pd.Timestamp


def _visits(flow, item):
    v = flow.visits[flow.visits["item_id"] == item]
    return v[["stage", "entered_at", "started_at", "exited_at"]].values.tolist()


@pytest.fixture(scope="module")
def durations():
    return opsdx.read_time_in_status(TIS / "durations.csv", MAP)


def test_durations_are_laid_end_to_end_from_creation_in_the_maps_order(durations):
    # OPS-1: created 9:30, 1d 2h in To Do, 2d 4h 30m in progress, 18h ready for review,
    # 3h 15m in review, then done
    assert _visits(durations, "OPS-1") == [
        ["Build", T("2026-03-03 11:30"), T("2026-03-03 11:30"), T("2026-03-05 16:00")],
        ["Review", T("2026-03-05 16:00"), T("2026-03-06 10:00"), T("2026-03-06 13:15")]]
    # OPS-3 waits in Ready for review: an open visit that has not started
    assert _visits(durations, "OPS-3") == [
        ["Build", T("2026-04-01 12:00"), T("2026-04-01 12:00"), T("2026-04-01 12:30")],
        ["Review", T("2026-04-01 12:30"), pd.NaT, pd.NaT]]


def test_the_current_status_goes_last_and_the_guess_is_said(durations):
    # OPS-2 is In Progress now, after review: its review came first, then the move back
    assert _visits(durations, "OPS-2") == [
        ["Review", T("2026-03-27 13:00"), T("2026-03-27 19:00"), T("2026-03-27 20:00")],
        ["Build", T("2026-03-27 20:00"), T("2026-03-27 20:00"), pd.NaT]]
    note = next(n for n in durations.notes if n.code == "time_in_status")
    assert "1 item whose current status came earlier" in note.text
    assert "rework, a reopen) is not seen" in note.text
    assert [n.code for n in durations.notes] == ["time_in_status", "status_columns_unmapped",
                                                 "backward_moves"]


def test_unread_cells_set_their_item_aside_by_file_row_and_column(durations):
    quality = durations.quality.sort_values("row")[["row", "column", "value"]]
    assert quality.values.tolist() == [[5, "In Progress", "two days"], [6, "Created", ""]]
    assert set(durations.visits["item_id"]) == {"OPS-1", "OPS-2", "OPS-3"}
    # the visits are numbered by the file's rows too
    assert durations.visits.groupby("item_id")["row"].first().to_dict() == {
        "OPS-1": 2, "OPS-2": 3, "OPS-3": 4}


def test_a_status_column_the_map_does_not_name_is_listed_never_silently_dropped(durations):
    note = next(n for n in durations.notes if n.code == "status_columns_unmapped")
    assert "'Blocked'" in note.text and "Lead Time" not in note.text
    assert "left out of the timeline" in note.text


def test_entry_dates_order_the_statuses_and_mixed_zones_are_refused():
    flow = opsdx.read_time_in_status(TIS / "entry_dates.csv", MAP)
    assert _visits(flow, "OPS-7") == [
        ["Build", T("2026-03-03 09:00"), T("2026-03-03 09:00"), T("2026-03-05 15:30")],
        ["Review", T("2026-03-05 15:30"), T("2026-03-06 10:02"), T("2026-03-06 14:40")]]
    # across the spring change: +01:00, then +02:00; blank cells were never reached
    assert _visits(flow, "OPS-8") == [
        ["Build", T("2026-03-27 12:00"), T("2026-03-27 12:00"), T("2026-03-30 07:00")],
        ["Review", T("2026-03-30 07:00"), pd.NaT, pd.NaT]]
    # OPS-9 is written in Jira's zone-less format among offsets: which time it means is unknown
    assert "OPS-9" not in set(flow.visits["item_id"])
    assert set(flow.quality["problem"]) == {f"{MIXED_ZONES}: the item is set aside"}
    assert sorted(flow.quality["row"].unique()) == [4]
    note = next(n for n in flow.notes if n.code == "time_in_status")
    assert "(entry dates)" in note.text


def test_jira_format_alone_reads_as_local_time_and_a_date_format_can_be_named():
    smap = {"stages": ["Build"], "statuses": [{"status": "Doing", "stage": "Build",
                                               "role": "work"}, {"status": "Done",
                                                                 "role": "done"}]}
    jira = pd.DataFrame({"Key": ["A-1"], "Doing": ["02/Mar/26 9:00 AM"],
                         "Done": ["03/Mar/26 4:45 PM"]})
    assert _visits(opsdx.read_time_in_status(jira, smap), "A-1") == [
        ["Build", T("2026-03-02 09:00"), T("2026-03-02 09:00"), T("2026-03-03 16:45")]]
    dayfirst = pd.DataFrame({"Key": ["A-1"], "Doing": ["02.03.2026 09:00"],
                             "Done": ["03.03.2026 16:45"]})
    flow = opsdx.read_time_in_status(dayfirst, smap, date_format="%d.%m.%Y %H:%M",
                                     shape="entry dates")
    assert _visits(flow, "A-1") == [
        ["Build", T("2026-03-02 09:00"), T("2026-03-02 09:00"), T("2026-03-03 16:45")]]


def test_durations_in_every_way_reports_write_them():
    hours, present = parse_durations(pd.Series(["2d 3h 15m", "51h 15m", "1w 2d", "3:15",
                                                "3:15:36", "0", "-", "", "—", "2 days"]),
                                     unit="hours")
    assert hours.round(2).tolist()[:6] == [51.25, 51.25, 216.0, 3.25, 3.26, 0.0]
    assert present.tolist() == [True] * 6 + [False] * 3 + [True]
    assert hours.iloc[9] == 48.0
    # business time: 8-hour days, 5-day weeks
    business, _ = parse_durations(pd.Series(["1w", "1d 4h", "2"]), unit="days", day_hours=8)
    assert business.tolist() == [40.0, 12.0, 16.0]


def test_bare_numbers_need_their_unit():
    smap = {"stages": ["Build"], "statuses": [{"status": "Doing", "stage": "Build",
                                               "role": "work"}, {"status": "Done",
                                                                 "role": "done"}]}
    report = pd.DataFrame({"Key": ["A-1", "A-2"], "Created": ["2026-03-02 09:00"] * 2,
                           "Doing": ["4.5", "2"], "Done": ["1", "-"]})
    with pytest.raises(DataError) as err:
        opsdx.read_time_in_status(report, smap)
    assert "unit=" in str(err.value) and "every row was set aside" in str(err.value)
    flow = opsdx.read_time_in_status(report, smap, unit="hours")
    assert _visits(flow, "A-1") == [["Build", T("2026-03-02 09:00"), T("2026-03-02 09:00"),
                                     T("2026-03-02 13:30")]]
    business = opsdx.read_time_in_status(report, smap, unit="days", day_hours=8)
    assert _visits(business, "A-2") == [["Build", T("2026-03-02 09:00"),
                                         T("2026-03-02 09:00"), pd.NaT]]
    assert "business time (8 hours a day)" in business.notes[0].text


def test_what_a_report_needs_is_said_at_once():
    with pytest.raises(DataError) as err:
        opsdx.read_time_in_status(pd.DataFrame({"Summary": ["x"], "Doing": ["1d"]}),
                                  {"stages": ["Build"], "statuses": [
                                      {"status": "In progress", "stage": "Build",
                                       "role": "work"}]})
    problems = [p.message for p in err.value.problems]
    assert sorted(problems) == ["no column is a status of the status map",
                               "required column is missing"]
    with pytest.raises(DataError, match="creation time"):
        opsdx.read_time_in_status(pd.DataFrame({"Key": ["A"], "In progress": ["1d"]}),
                                  {"stages": ["Build"], "statuses": [
                                      {"status": "In progress", "stage": "Build",
                                       "role": "work"}]})
    with pytest.raises(OpsdxError, match="day_hours"):
        opsdx.read_time_in_status(TIS / "durations.csv", MAP, day_hours=0)


def test_a_report_is_told_from_a_status_history():
    assert looks_like_time_in_status(TIS / "durations.csv")
    assert looks_like_time_in_status(TIS / "entry_dates.csv")
    assert not looks_like_time_in_status(DATA / "status_history.csv")


def test_the_statuses_of_a_report_and_a_first_map(capsys):
    table = time_in_status_table(TIS / "durations.csv")
    assert table["status"].tolist() == ["To Do", "In Progress", "Blocked", "Ready for review",
                                        "In review", "Done"]
    assert table.set_index("status")["items"].to_dict() == {
        "To Do": 4, "In Progress": 5, "Blocked": 1, "Ready for review": 3, "In review": 4,
        "Done": 3}
    assert main(["statuses", str(TIS / "durations.csv"), "--suggest"]) == 0
    out = capsys.readouterr().out
    assert "time-in-status report" in out and "Ready for review" in out
    assert "- status: In Progress" in out


def test_a_client_folder_with_a_report_is_analysed_like_work_items(tmp_path, capsys):
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "client.yaml").write_text("name: Acme\n")
    shutil.copy(TIS / "durations.csv", folder / "time_in_status.csv")
    shutil.copy(MAP, folder / "statuses.yaml")
    client = opsdx.load_client(folder)
    assert client.flow_source() == ("time_in_status", folder / "time_in_status.csv")
    flow = client.work_items()
    assert flow.visits["item_id"].nunique() == 3 and len(flow.quality) == 2
    before = (folder / "time_in_status.csv").read_bytes()
    main(["flow", str(folder)])
    out = capsys.readouterr().out
    assert "source: read from a time-in-status report (durations)" in out
    assert (folder / "time_in_status.csv").read_bytes() == before   # never modified


def test_client_yaml_says_how_to_read_the_report(tmp_path):
    folder = tmp_path / "acme"
    folder.mkdir()
    shutil.copy(MAP, folder / "statuses.yaml")
    pd.DataFrame({"Key": ["A-1"], "Created": ["2026-03-02T09:00:00Z"], "In Progress": ["1.5"],
                  "In review": ["0.5"], "Done": ["3"]}).to_csv(folder / "time_in_status.csv",
                                                               index=False)
    (folder / "client.yaml").write_text("name: Acme\n")
    with pytest.raises(DataError, match="unit="):
        opsdx.load_client(folder).work_items()
    (folder / "client.yaml").write_text("name: Acme\ntime_in_status:\n  unit: Days\n")
    flow = opsdx.load_client(folder).work_items()
    assert _visits(flow, "A-1") == [
        ["Build", T("2026-03-02 09:00"), T("2026-03-02 09:00"), T("2026-03-03 21:00")],
        ["Review", T("2026-03-03 21:00"), T("2026-03-03 21:00"), T("2026-03-04 09:00")]]
    (folder / "client.yaml").write_text("name: Acme\ntime_in_status:\n  unit: parsecs\n")
    with pytest.raises(DataError, match="time_in_status.unit"):
        opsdx.load_client(folder)


@pytest.mark.parametrize("done", ["-", None], ids=["done-dash", "no-done-column"])
def test_a_current_status_with_no_time_was_entered_when_the_last_stay_ended(done):
    """Reports often leave Done out, or show "-" for the status an item is in now."""
    report = pd.DataFrame({"Key": ["A-1", "A-2"], "Status": ["Done", "In review"],
                           "Created": ["2026-03-02 09:00"] * 2, "In Progress": ["1d", "2h"],
                           "In review": ["3h", "-"]})
    if done is not None:
        report["Done"] = done
    flow = opsdx.read_time_in_status(report, MAP)
    assert _visits(flow, "A-1") == [
        ["Build", T("2026-03-02 09:00"), T("2026-03-02 09:00"), T("2026-03-03 09:00")],
        ["Review", T("2026-03-03 09:00"), T("2026-03-03 09:00"), T("2026-03-03 12:00")]]
    # A-2 is in review now, with no time there yet: it entered at the end of its build
    assert _visits(flow, "A-2") == [
        ["Build", T("2026-03-02 09:00"), T("2026-03-02 09:00"), T("2026-03-02 11:00")],
        ["Review", T("2026-03-02 11:00"), T("2026-03-02 11:00"), pd.NaT]]
    assert "2 items in a current status with no time in the report" in flow.notes[0].text
    # and the statuses command lists Done for the map it suggests
    table = time_in_status_table(report)
    assert "Done" in set(table["status"]) and "In review" in set(table["status"])


def test_client_yaml_stages_must_agree_with_the_status_map(tmp_path):
    folder = tmp_path / "acme"
    folder.mkdir()
    shutil.copy(MAP, folder / "statuses.yaml")
    shutil.copy(TIS / "durations.csv", folder / "time_in_status.csv")
    (folder / "client.yaml").write_text("name: Acme\nstages: [Build, Test]\n")
    with pytest.raises(DataError, match="stages: disagrees with the stages of statuses.yaml"):
        opsdx.load_client(folder).work_items()
    (folder / "client.yaml").write_text("name: Acme\nstages: [build, review]\n")
    assert opsdx.load_client(folder).work_items().stages == ["Build", "Review"]
