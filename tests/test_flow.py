import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx.flow import Line, Stage, find_constraint, from_event_log, read_work_items, simulate_line


def tiny():
    return pd.DataFrame({
        "item_id": ["1", "2", "1", "2"],
        "stage": ["Build", "Build", "Test", "Test"],
        "entered_at": ["2025-01-01 00:00", "2025-01-02 00:00", "2025-01-03 00:00",
                       "2025-01-04 00:00"],
        "exited_at": ["2025-01-03 00:00", "2025-01-04 00:00", "2025-01-05 00:00", ""]})


def test_tiny_log_exact_values():
    flow = read_work_items(tiny())
    assert flow.stages == ["Build", "Test"] and flow.open_visits == 1
    report = find_constraint(flow)
    t = report.stages.set_index("stage")
    # window: 1 Jan to 5 Jan (4 days). Build holds 1, 2, 1, 0 items on the four days
    assert t.at["Build", "mean_wip"] == pytest.approx(1.0)
    assert t.at["Build", "time_p50"] == pytest.approx(2.0)
    assert t.at["Build", "arrivals_per_week"] == pytest.approx(2 * 7 / 4)
    assert t.at["Build", "departures_per_week"] == pytest.approx(2 * 7 / 4)
    # Test: item 1 from day 2 to 4, item 2 from day 3, still open: 0, 0, 1, 2 items
    assert t.at["Test", "mean_wip"] == pytest.approx(0.75)
    assert t.at["Test", "time_p50"] == pytest.approx(2.0)
    assert t.at["Test", "departures_per_week"] == pytest.approx(7 / 4)
    assert t.at["Test", "open_at_end"] == 1
    assert t.at["Build", "net_flow_per_week"] == 0
    assert t.at["Test", "net_flow_per_week"] == pytest.approx((2 - 1) * 7 / 4)
    # Build had nothing in it on the last day; Test on the first two
    assert t.at["Build", "next_idle_share"] == pytest.approx(0.5)
    # two items, nobody waited for a start: no stage has shown a limit
    assert report.constraint is None
    assert report.evidence[0].startswith("Too little flow to name a constraint: 0.6 weeks")
    assert report.provisional


def test_wip_over_time_and_plots():
    from opsdx.flow.plots import wip_over_time

    wip = wip_over_time(read_work_items(tiny()))
    assert wip["Build"].tolist() == [1, 2, 1, 0, 0]
    assert wip["Test"].tolist() == [0, 0, 1, 2, 1]
    line = Line([Stage("Build", 0.2, servers=2), Stage("Review", 0.4)], arrivals_per_day=2.0)
    report = find_constraint(simulate_line(line, days=60, seed=2))
    for plot in (report.plot_cfd, report.plot_time_in_stage, report.plot_wip):
        ax = plot()
        assert ax.get_title()
    # as the report draws it (every text as itself): the log axis says plain numbers
    import matplotlib.pyplot as plt

    with plt.rc_context({"text.parse_math": False}):
        ax = report.plot_time_in_stage()
        ax.figure.canvas.draw()
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and not any("$" in t or "mathdefault" in t for t in labels)
    assert {"0.1", "1"} <= set(labels)


def test_delay_stage_is_not_the_constraint_with_or_without_start():
    line = Line([Stage("Build", 0.3, servers=2), Stage("Review", 0.45, cv=0.5),
                 Stage("Soak test", 5.0, servers=None, cv=0.02, distribution="gamma"),
                 Stage("Deploy", 0.1)], arrivals_per_day=2.0)
    visits = simulate_line(line, days=365, seed=5)
    for data in (visits, visits.drop(columns="started_at")):
        report = find_constraint(data, stages=line.names)
        t = report.stages.set_index("stage")
        assert t["time_p50"].idxmax() == "Soak test"    # the naive reading
        assert report.constraint == "Review" == line.truth()
        assert report.confidence > 0.99
        assert t.at["Soak test", "role"].startswith("no limit shown")
        # offered load 0.9; this run's arrivals came 7% faster than the mean rate
        realised = t.at["Review", "arrivals_per_week"] / 7 * 0.45
        assert t.at["Review", "utilisation"] == pytest.approx(realised, abs=0.05)
        assert any("Soak test takes longer" in s and "a delay, not a constraint" in s
                   for s in report.evidence)


def test_overload_queue_growth_and_what_if():
    line = Line([Stage("Build", 0.2, servers=2), Stage("Review", 0.6), Stage("Deploy", 0.1)],
                arrivals_per_day=2.0)
    report = find_constraint(simulate_line(line, days=365, seed=3))
    t = report.stages.set_index("stage")
    assert report.constraint == "Review"
    assert t.at["Review", "capacity_per_week"] == pytest.approx(7 / 0.6, rel=0.1)
    assert t.at["Review", "wip_growth_per_week"] > 1
    assert any("grew by" in s for s in report.evidence)
    assert any("Deploy, right after it, had nothing to work on" in s for s in report.evidence)
    now = report.what_if("Review", 1.0)
    assert now["bound_now"] == "capacity" and now["tightest_now"] == "Review"
    assert now["throughput_per_week_now"] == pytest.approx(t.at["Review", "capacity_per_week"])
    more = report.what_if("Review", 10.0)
    # ten times faster, Review outruns Build (about 70 a week): demand binds, Build is tightest
    assert more["bound_after"] == "demand" and more["tightest_after"] == "Build"
    assert more["throughput_per_week_after"] == pytest.approx(report.params["demand_per_week"])
    with pytest.raises(opsdx.OpsdxError, match="no stage 'QA'"):
        report.what_if("QA", 2)
    assert (report.timeline["constraint"] == "Review").all() and len(report.timeline) == 4


def test_simulator_is_seeded_and_consistent():
    line = Line([Stage("A", 0.2), Stage("B", 0.3, rework_to="A", rework_share=0.2)],
                arrivals_per_day=1.5)
    a = simulate_line(line, days=120, seed=9)
    pd.testing.assert_frame_equal(a, simulate_line(line, days=120, seed=9))
    assert (a["started_at"] >= a["entered_at"]).all()
    done = a.dropna(subset=["exited_at"])
    assert (done["exited_at"] >= done["started_at"]).all()
    # rework: some items visit A twice; visits per item close to 1 / (1 - 0.2)
    visits = a[a["stage"] == "A"].groupby("item_id").size()
    assert visits.max() >= 2 and visits.mean() == pytest.approx(1.25, abs=0.08)
    assert line.visits().tolist() == pytest.approx([1.25, 1.25])
    with pytest.raises(opsdx.OpsdxError, match="rework_to must name this or an earlier stage"):
        Line([Stage("A", 1, rework_to="B", rework_share=0.1), Stage("B", 1)], 1.0)


def random_line(rng):
    """3 to 7 stages, up to two pure delays, 1 to 4 servers, rework in 30% of lines.

    The constraint's load is 0.6 to 1.1 of its capacity; every other stage has
    30% to 80% of the constraint's utilisation (closer than that, a year of
    data cannot separate two stages reliably, and neither could a consultant).
    """
    n = int(rng.integers(3, 8))
    n_delay = int(rng.integers(0, 3)) if n > 3 else int(rng.integers(0, 2))
    kinds = ["work"] * (n - n_delay) + ["delay"] * n_delay
    rng.shuffle(kinds)
    work = [i for i, k in enumerate(kinds) if k == "work"]
    star = int(rng.choice(work))
    rate = float(rng.uniform(2, 8))
    load = float(rng.uniform(0.6, 1.1))
    rework = None
    if rng.random() < 0.3:
        j = int(rng.choice(work))
        rework = (j, int(rng.integers(0, j + 1)), float(rng.uniform(0.1, 0.3)))
    visits = np.ones(n)
    if rework:
        visits[rework[1]:rework[0] + 1] /= 1 - rework[2]
    stages = []
    for i, kind in enumerate(kinds):
        extra = {}
        if rework and rework[0] == i:
            extra = {"rework_to": f"S{rework[1]}", "rework_share": rework[2]}
        shape = str(rng.choice(["gamma", "lognormal"]))
        if kind == "delay":
            stages.append(Stage(f"S{i}", float(rng.uniform(1, 10)), servers=None,
                                cv=float(rng.uniform(0.05, 1.0)), distribution=shape, **extra))
            continue
        servers = int(rng.integers(1, 5))
        util = load if i == star else load * float(rng.uniform(0.3, 0.8))
        stages.append(Stage(f"S{i}", util * servers / (rate * visits[i]), servers=servers,
                            cv=float(rng.choice([0.5, 1.0, 1.5])), distribution=shape, **extra))
    return Line(stages, rate)


@pytest.mark.slow
def test_verdict_names_the_true_constraint_on_random_lines():
    rng = np.random.default_rng(2026)
    n = 200
    hits = {True: 0, False: 0}
    naive = 0
    for _ in range(n):
        line = random_line(rng)
        visits = simulate_line(line, days=365, seed=rng)
        truth = line.truth()
        for with_start in (True, False):
            data = visits if with_start else visits.drop(columns="started_at")
            report = find_constraint(data, stages=line.names)
            hits[with_start] += report.constraint == truth
            if not with_start:
                naive += report.stages.set_index("stage")["time_p50"].idxmax() == truth
    assert hits[True] / n >= 0.95
    assert hits[False] / n >= 0.90
    assert naive / n < 0.8  # the longest stage is often not the constraint


def test_data_quality_rows_are_listed_not_dropped(tmp_path):
    path = tmp_path / "work_items.csv"
    path.write_text(
        "item_id,stage,entered_at,started_at,exited_at\n"
        "1,Build,2025-01-01 09:00,2025-01-01 10:00,2025-01-02 09:00\n"      # row 2 ok
        "1,Test,2025-01-02 09:00,2025-01-02 08:00,2025-01-03 09:00\n"       # 3 start before entry
        "2,Build,2025-01-05 09:00,,2025-01-04 09:00\n"                      # 4 exit before entry
        "3,Build,yesterday,,\n"                                             # 5 not a timestamp
        "1,Build,2025-01-01 09:00,2025-01-01 10:00,2025-01-02 09:00\n"      # 6 duplicate of 2
        ",Build,2025-01-06 09:00,,\n"                                       # 7 blank item
        "4,Deploy,2025-01-06 09:00,,\n"                                     # 8 unknown stage
        "5,Build,2025-01-07 09:00+01:00,,\n"                                # 9 zone on one row
        "6,Test,2025-01-07 10:00,,\n")                                      # 10 ok, open
    before = path.read_bytes()
    flow = read_work_items(path, stages=["Build", "Test"])
    assert path.read_bytes() == before
    q = flow.quality
    assert dict(zip(q["row"], q["problem"])) == {
        3: "start outside the visit (before entry or after exit)",
        4: "exit before entry",
        5: "not a date (expected ISO 8601, e.g. 2025-03-04 or 2025-03-04 14:30)",
        6: "duplicate visit (same item, stage and entry time)",
        7: "item_id is blank",
        8: "stage not among the declared stages (Build, Test)",
        9: "time zone given on some rows but not on others"}
    assert sorted(flow.visits["row"]) == [2, 10] and flow.open_visits == 1
    assert flow.quality_summary()["rows"].sum() == 7
    assert "2 visits of 2 items" in repr(flow)


def test_time_zones_convert_to_utc_and_missing_columns_fail():
    frame = pd.DataFrame({"item_id": ["a", "b"], "stage": ["X", "X"],
                          "entered_at": ["2025-03-30T01:30:00+01:00", "2025-03-30T03:30:00+02:00"],
                          "exited_at": ["2025-03-30T02:00:00Z", ""]})
    flow = read_work_items(frame)
    assert flow.visits["entered_at"].tolist() == [pd.Timestamp("2025-03-30 00:30"),
                                                  pd.Timestamp("2025-03-30 01:30")]
    assert flow.quality.empty
    with pytest.raises(opsdx.DataError, match="required column is missing") as err:
        read_work_items(frame.drop(columns=["exited_at", "stage"]))
    assert {p.column for p in err.value.problems} == {"exited_at", "stage"}


def test_stage_order_is_inferred_from_first_entries():
    line = Line([Stage("Intake", 0.1), Stage("Build", 0.2), Stage("Ship", 0.1)], 2.0)
    visits = simulate_line(line, days=30, seed=1).sample(frac=1, random_state=0)
    assert read_work_items(visits).stages == ["Intake", "Build", "Ship"]


def test_event_log_adapter_with_start_complete_pairs():
    log = pd.DataFrame({
        "case:concept:name": ["c1"] * 6 + ["c2"] * 3,
        "concept:name": ["Build", "Build", "Review", "Review", "Build", "Build",
                         "Build", "Build", "Review"],
        "lifecycle:transition": ["start", "complete"] * 3 + ["start", "complete", "start"],
        "time:timestamp": ["2025-03-03 09:00", "2025-03-03 17:00", "2025-03-04 10:00",
                           "2025-03-04 11:00", "2025-03-05 09:00", "2025-03-05 12:00",
                           "2025-03-03 10:00", "2025-03-03 12:00", "2025-03-06 09:00"],
        "org:resource": ["ann", "ann", "bo", "bo", "ann", "ann", "cy", "cy", "bo"]})
    flow = from_event_log(log)
    v = flow.visits.sort_values(["item_id", "entered_at", "stage"]).reset_index(drop=True)
    assert v[["item_id", "stage"]].values.tolist() == [
        ["c1", "Build"], ["c1", "Review"], ["c1", "Build"], ["c2", "Build"], ["c2", "Review"]]
    ts = pd.Timestamp
    # c1's second Build (rework) was entered when Review completed
    assert v.loc[2, ["entered_at", "started_at", "exited_at"]].tolist() == [
        ts("2025-03-04 11:00"), ts("2025-03-05 09:00"), ts("2025-03-05 12:00")]
    # c2's Review was started and is still open: entered when Build completed
    assert v.loc[4, "entered_at"] == ts("2025-03-03 12:00") and pd.isna(v.loc[4, "exited_at"])
    assert v.loc[1, "owner"] == "bo" and flow.stages == ["Build", "Review"]
    plain = from_event_log(log[log["lifecycle:transition"] == "complete"]
                           .rename(columns={"case:concept:name": "case", "concept:name": "activity",
                                            "time:timestamp": "timestamp"})
                           .drop(columns="lifecycle:transition"))
    assert "started_at" not in plain.visits and len(plain.visits) == 4
    with pytest.raises(opsdx.DataError, match="required column is missing"):
        from_event_log(log.drop(columns="time:timestamp"))


def test_review_cases_zero_length_visits_stale_tickets_and_stamped_starts():
    # date-only exports: visits that begin and end the same instant
    same = pd.DataFrame({"item_id": ["1", "2", "3"], "stage": "Build",
                         "entered_at": ["2025-03-03", "2025-03-03", "2025-03-04"],
                         "exited_at": ["2025-03-03", "2025-03-03", "2025-03-06"]})
    assert find_constraint(same).stages.at[0, "departures_per_week"] > 0
    line = Line([Stage("Build", 0.2, servers=2), Stage("Review", 0.45), Stage("Test", 0.3)],
                arrivals_per_day=2.0)
    visits = simulate_line(line, days=365, seed=8)
    # one abandoned ticket, started in Review a year ago and never finished
    zombie = pd.DataFrame({"item_id": ["Z"], "stage": ["Review"],
                           "entered_at": [visits["entered_at"].min()],
                           "started_at": [visits["entered_at"].min()], "exited_at": [pd.NaT]})
    report = find_constraint(pd.concat([visits, zombie], ignore_index=True), stages=line.names)
    t = report.stages.set_index("stage")
    assert report.constraint == "Review" and t.at["Review", "servers"] == 1
    assert t.at["Review", "stale_in_service"] == 1
    # starts stamped on entry show no queue: the departure rates decide instead
    stamped = visits.assign(started_at=visits["entered_at"])
    report = find_constraint(stamped, stages=line.names)
    assert report.constraint == "Review"
    assert report.stages.set_index("stage").at["Review", "capacity_from"] == "departure rates"


def test_thin_data_is_provisional_and_shared_people_are_named():
    line = Line([Stage("Build", 0.2, servers=2), Stage("Review", 0.45)], arrivals_per_day=2.0)
    short = simulate_line(line, days=14, seed=4)
    report = find_constraint(short)
    assert report.provisional and report.confidence <= 0.8
    provisional = [n for n in report.notes if n.code == "provisional"]
    assert len(provisional) == 1 and provisional[0].part == "constraint"
    assert provisional[0].startswith(f"provisional: {report.weeks:.1f} weeks of data")
    assert f"{report.weeks:.1f}" == "1.7"
    visits = simulate_line(Line([Stage("A", 0.3), Stage("B", 0.3), Stage("C", 0.2)], 2.0),
                           days=200, seed=2)
    visits["owner"] = np.where(visits["stage"] == "C", "Cy", "Ann")
    report = find_constraint(visits)
    shared = [n for n in report.notes if n.code == "shared_person"]
    assert [n.startswith("Ann does most of the work of A, B") for n in shared] == [True]
    assert not any("Ann does most" in s for s in report.sentences())
    with pytest.raises(opsdx.OpsdxError, match="start must be a date"):
        find_constraint(visits, start="notadate")
    with pytest.raises(opsdx.OpsdxError, match="capacity_factor must be a positive number"):
        report.what_if("A", "2")


def test_event_log_pairs_each_completion_with_its_own_start_and_keeps_file_rows(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case,activity,lifecycle,timestamp\n"
                    "1,Build,complete,2025-03-03 10:00\n"     # row 2: no start recorded
                    "1,Review,start,2025-03-04 09:00\n"       # row 3
                    "1,Review,complete,2025-03-04 12:00\n"    # row 4
                    "2,Build,start,01/03/2025\n")             # row 5: not ISO 8601
    flow = from_event_log(path)
    v = flow.visits.set_index("stage")
    assert v.at["Review", "started_at"] == pd.Timestamp("2025-03-04 09:00")
    assert v.at["Review", "entered_at"] == pd.Timestamp("2025-03-03 10:00")
    assert sorted(flow.visits["row"]) == [2, 4]
    assert flow.quality["row"].tolist() == [5]
    unreadable = tmp_path / "bad.csv"
    unreadable.write_text("case,activity,timestamp\n1,Build,01/03/2025\n")
    with pytest.raises(opsdx.DataError, match="no usable event") as err:
        from_event_log(unreadable)
    assert any(p.row == 2 for p in err.value.problems)


def test_excel_like_frames_time_cells_and_text_in_date_columns(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["item_id", "stage", "entered_at", "exited_at"])
    ws.append(["1", "Build", dt.datetime(2025, 3, 3, 9), dt.time(17, 0)])
    ws.append(["2", "Build", dt.datetime(2025, 3, 3, 10), dt.datetime(2025, 3, 4, 10)])
    wb.save(tmp_path / "w.xlsx")
    flow = read_work_items(tmp_path / "w.xlsx")
    assert flow.quality.to_dict("records") == [
        {"row": 2, "column": "exited_at", "value": "17:00:00",
         "problem": "not a date (expected ISO 8601, e.g. 2025-03-04 or 2025-03-04 14:30)"}]
    frame = pd.DataFrame({"item_id": ["1", "2"], "stage": ["Build", "Build"],
                          "entered_at": pd.to_datetime(["2025-03-03", "2025-03-04"]),
                          "exited_at": ["TBD", "2025-03-05"]})
    flow = read_work_items(frame)
    assert flow.quality["value"].tolist() == ["TBD"] and len(flow.visits) == 1
