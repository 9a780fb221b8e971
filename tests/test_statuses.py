"""Status histories as trackers export them, and the status map that turns them into visits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import opsdx
from opsdx.cli import main
from opsdx.flow.statuses import StatusMap, status_table, suggest_status_map

DATA = Path(__file__).resolve().parent / "data"
HISTORY, MAP = DATA / "status_history.csv", DATA / "statuses.yaml"
T = pd.Timestamp


@pytest.fixture(scope="module")
def flow():
    return opsdx.read_status_history(HISTORY, MAP)


def _visits(flow, item):
    v = flow.visits[flow.visits["item_id"] == item]
    return v[["stage", "entered_at", "started_at", "exited_at", "owner"]].values.tolist()


def test_a_plain_item_queues_and_works_through_each_stage_in_utc(flow):
    assert flow.stages == ["Build", "Review"]
    assert _visits(flow, "OPS-1") == [
        ["Build", T("2026-03-02 09:30:15.250"), T("2026-03-02 09:30:15.250"),
         T("2026-03-04 15:00"), "ana"],
        # "Ready for Review" is the queue: entered at 15:00, work starts at "In Review"
        ["Review", T("2026-03-04 15:00"), T("2026-03-05 08:15"), T("2026-03-05 10:45"), "ben"]]


def test_a_move_back_is_rework_and_a_reopen_a_new_visit(flow):
    # OPS-2 went back from review to build (across the change to summer time, +01:00 to +02:00)
    assert [v[0] for v in _visits(flow, "OPS-2")] == ["Build", "Review", "Build", "Review"]
    assert _visits(flow, "OPS-2")[1][3] == T("2026-03-30 13:00")  # 15:00+02:00
    assert _visits(flow, "OPS-2")[2][1] == T("2026-03-30 13:00")
    # OPS-3 was done, then reopened: a second visit of Build
    assert [(v[0], v[1]) for v in _visits(flow, "OPS-3")] == [
        ("Build", T("2026-04-07 07:00")), ("Build", T("2026-04-13 07:30"))]
    codes = {n.code: n for n in flow.notes}
    assert codes["backward_moves"].text.endswith("counted as rework (a new visit): Build 1")
    assert codes["reopened"].text.startswith("1 item reopened")
    # backlog and abandoned items make no visit
    assert "OPS-5" not in set(flow.visits["item_id"])


def test_an_open_item_and_every_row_set_aside_is_listed(flow):
    # OPS-4 waits in review's queue at the end of the data: entered, not started, not left
    last = _visits(flow, "OPS-4")[-1]
    assert last[:2] == ["Review", T("2026-04-21 15:00")] and pd.isna(last[2]) and pd.isna(last[3])
    # "Blocked" is not in the map: listed, never dropped silently; the item stayed in Build
    assert _visits(flow, "OPS-4")[0][3] == T("2026-04-21 15:00")
    q = flow.quality.set_index("row")
    assert q.loc[22, ["column", "value"]].tolist() == ["Status", "Blocked"]
    assert "not in the status map" in q.loc[22, "problem"]
    assert q.loc[27, ["column", "value"]].tolist() == ["Changed", "not a date"]
    unmapped = next(n for n in flow.notes if n.code == "unmapped_statuses")
    assert "'Blocked' (1 row, 1 item)" in unmapped.text


def test_the_constraint_reads_a_status_history_with_its_queues(flow):
    report = opsdx.find_constraint(flow)
    assert "no_started_at" not in {n.code for n in report.notes}
    assert set(report.stages["stage"]) == {"Build", "Review"}


def test_a_client_folder_with_a_status_history_is_analysed(tmp_path):
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "client.yaml").write_text("name: Acme\n")
    shutil.copy(HISTORY, folder / "status_history.csv")
    client = opsdx.load_client(folder)
    assert client.has("work_items")
    with pytest.raises(opsdx.DataError, match="needs statuses.yaml beside it"):
        client.work_items()
    shutil.copy(MAP, folder / "statuses.yaml")
    assert len(opsdx.load_client(folder).work_items().visits) == 10
    from opsdx.workbook import diagnose

    d = diagnose(folder, {"n_boot": 0, "trials": 200}, parts=("flow",))
    assert list(d.constraint.stages["stage"]) == ["Build", "Review"]
    # ten visits, Review 1% busy: a limit so far from being reached is no constraint
    assert d.constraint.constraint is None
    assert d.constraint.sentences()[0].startswith("Too little flow to name a constraint")
    (folder / "work_items.csv").write_text("item_id,stage,entered_at,exited_at\n")
    with pytest.raises(opsdx.DataError, match="more than one source of work-item flow.*found work_items.csv, status_history.csv"):
        opsdx.load_client(folder).work_items()


@pytest.mark.parametrize("text, message", [
    ("stages: [Build]\nstatuses:\n  - {status: Doing, stage: Test, role: work}\n",
     "names stage 'Test', which is not among the stages"),
    ("stages: [Build]\nstatuses:\n  - {status: Doing, stage: Build, role: work}\n"
     "  - {status: DOING , stage: Build, role: queue}\n", "is mapped twice"),
    ("stages: [Build]\nstatuses:\n  - {status: Waiting, role: queue}\n",
     "a queue status needs the stage it belongs to"),
    ("stages: [Build]\nstatuses:\n  - {status: Done, stage: Build, role: done}\n",
     "a done status is outside the flow"),
    ("stages: [Build]\nstatuses:\n  - {status: Doing, stage: Build, role: busy}\n",
     "Input should be 'queue', 'work'"),
    ("stage: [Build]\nstatuses: []\n", "keys allowed here: stages, statuses"),
])
def test_status_map_mistakes_are_located(tmp_path, text, message):
    path = tmp_path / "statuses.yaml"
    path.write_text(text)
    with pytest.raises(opsdx.DataError, match=message) as err:
        opsdx.load_status_map(path)
    assert all(p.file == f"{tmp_path.name}/statuses.yaml" for p in err.value.problems)


def test_the_statuses_command_lists_them_and_suggests_a_map_that_loads(tmp_path, capsys):
    assert main(["statuses", str(HISTORY)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["status", "changes", "items", "median", "hours"]
    assert out[1].split() == ["In", "Progress", "7", "4", "33.0"]
    target = tmp_path / "statuses.yaml"
    assert main(["statuses", str(HISTORY), "--suggest", "--write", str(target)]) == 0
    suggested = opsdx.load_status_map(target)
    assert suggested.stages == ["Build", "Review"]
    # the suggestion reads the history as the hand-made map does
    mine = opsdx.read_status_history(HISTORY, MAP).visits.drop(columns="row")
    theirs = opsdx.read_status_history(HISTORY, suggested).visits.drop(columns="row")
    pd.testing.assert_frame_equal(mine, theirs)
    assert main(["statuses", str(HISTORY), "--suggest", "--write", str(target)]) == 2
    assert "never writes over a status map" in capsys.readouterr().err
    assert main(["schema", "statuses"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "opsdx status map"


SMAP = StatusMap.from_dict({"stages": ["A", "B", "C"], "statuses": [
    {"status": "todo", "role": "backlog"}, {"status": "qa", "stage": "A", "role": "queue"},
    {"status": "wa", "stage": "A", "role": "work"}, {"status": "qb", "stage": "B", "role": "queue"},
    {"status": "wb", "stage": "B", "role": "work"}, {"status": "wc", "stage": "C", "role": "work"},
    {"status": "done", "role": "done"}, {"status": "gone", "role": "abandoned"}]})
STATUSES = ["todo", "qa", "wa", "qb", "wb", "wc", "done", "gone"]


def _reference(history: pd.DataFrame) -> list[tuple]:
    """Visits by walking each item's changes one by one: the definition, written plainly."""
    stage_of = {"qa": "A", "wa": "A", "qb": "B", "wb": "B", "wc": "C"}
    out = []
    for item, rows in history.sort_values(["item", "t"], kind="stable").groupby("item"):
        current = None
        for status, t in zip(rows["status"], rows["t"]):
            stage = stage_of.get(status)
            if current is not None and stage != current["stage"]:
                current["exited"] = t
                out.append(current)
                current = None
            if stage is not None:
                if current is None:
                    current = {"item": item, "stage": stage, "entered": t, "started": None,
                               "exited": None}
                if status.startswith("w") and current["started"] is None:
                    current["started"] = t
        if current is not None:
            out.append(current)
    return sorted((v["item"], v["stage"], v["entered"],
                   v["started"] if v["started"] is not None else v["exited"], v["exited"])
                  for v in out)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["i1", "i2", "i3"]), st.sampled_from(STATUSES)),
                min_size=1, max_size=40))
def test_visits_match_the_definition_on_random_histories(changes):
    history = pd.DataFrame(changes, columns=["item", "status"])
    history["t"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(range(len(history)), unit="h")
    expected = _reference(history)
    if not expected:
        return
    flow = opsdx.read_status_history(history.rename(columns={"t": "changed_at"})
                                     .astype({"changed_at": str}), SMAP)
    got = sorted((r.item_id, r.stage, r.entered_at,
                  None if pd.isna(r.started_at) else r.started_at,
                  None if pd.isna(r.exited_at) else r.exited_at)
                 for r in flow.visits.itertuples())
    assert got == [(i, s, e, st_ if st_ is not None else None, x) for i, s, e, st_, x in expected]


def test_status_table_counts_and_median_stays():
    table = status_table(HISTORY).set_index("status")
    assert table.loc["Done", ["changes", "items"]].tolist() == [4, 3]
    # In Review: OPS-1 2.5 h, OPS-2 5 h then 1.5 h: median 2.5 h
    assert table.loc["In Review", "hours"] == pytest.approx(2.5)
    assert pd.isna(table.loc["Won't Do", "hours"])  # nothing came after it
    assert "stage: Review" in suggest_status_map(status_table(HISTORY))


def test_a_history_that_mixes_offsets_and_local_times_sets_the_smaller_group_aside():
    history = pd.DataFrame({
        "item": ["A", "A", "A", "B", "B"],
        "status": ["In Progress", "In review", "Done", "In Progress", "Done"],
        "changed_at": ["2026-03-02T09:00:00.000+01:00", "2026-03-02T15:00:00.000+01:00",
                       "2026-03-03 10:00", "2026-03-04T09:00:00Z", "2026-03-04T11:00:00Z"]})
    flow = opsdx.read_status_history(history, MAP)
    # "2026-03-03 10:00" could be local time or UTC: set aside by its row, never guessed
    assert flow.quality[["row", "column", "value"]].values.tolist() == [
        [2, "changed_at", "2026-03-03 10:00"]]
    assert flow.quality["problem"].tolist() == ["time zone given on some rows but not on others"]
    # without its Done, A is still in review
    last = flow.visits[flow.visits["item_id"] == "A"].iloc[-1]
    assert [last["stage"], last["entered_at"]] == ["Review", T("2026-03-02 14:00")]
    assert pd.isna(last["exited_at"])


def test_a_work_status_whose_time_is_lost_leaves_the_start_unknown_not_zero():
    history = pd.DataFrame({
        "item": ["A"] * 4 + ["B"] * 3,
        "status": ["In Progress", "Ready for review", "In review", "Done",
                   "In Progress", "Ready for review", "Done"],
        "changed_at": ["2026-03-02 09:00", "2026-03-02 15:00", "soon", "2026-03-03 12:00",
                       "2026-03-04 09:00", "2026-03-04 10:00", "2026-03-04 11:00"]})
    flow = opsdx.read_status_history(history, MAP)
    review = flow.visits[flow.visits["stage"] == "Review"].set_index("item_id")
    # A's "In review" cannot be placed in time: when its review work began is not known
    assert pd.isna(review.loc["A", "started_at"])
    assert review.loc["A", "exited_at"] == T("2026-03-03 12:00")
    # B went from the queue straight to Done: nothing to do in review, its start is its exit
    assert review.loc["B", "started_at"] == T("2026-03-04 11:00")
    note = next(n for n in flow.notes if n.code == "start_unknown")
    assert note.text.startswith("1 visit whose work status was set aside")
    assert flow.quality[["row", "column", "value"]].values.tolist() == [[2, "changed_at", "soon"]]


def test_map_mistakes_are_located_at_their_own_line_with_a_suggestion(tmp_path):
    path = tmp_path / "statuses.yaml"
    path.write_text("stages: [Build, Review]\nstatuses:\n"
                    "  - {status: In progress, stage: Build, role: work}\n"
                    "  - {status: Ready for review, stage: Reveiw, role: queue}\n"
                    "  - {status: In Progress, stage: Build, role: work}\n")
    with pytest.raises(opsdx.DataError) as err:
        opsdx.load_status_map(path)
    found = [(p.row, p.column, p.expected.split("?")[0]) for p in err.value.problems]
    assert found == [(4, "statuses[1].stage", "'Review'"),
                     (5, "statuses[2].status", "each status once (case and spaces are ignored)")]
