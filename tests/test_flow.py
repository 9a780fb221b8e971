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
    assert any("Deploy, where its work goes next, had nothing to work on" in s
               for s in report.evidence)
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


def test_repeated_activity_instances_are_paired_first_in_first_out():
    """A call made again and again in one case (BPIC 2012's W_Nabellen offertes): each
    completion takes the earliest start not yet taken, so the time between calls is waiting,
    and overlapping instances never leave a completion without its start."""
    rows = [("c1", "Call", "start", "2025-03-03 09:00"), ("c1", "Call", "complete", "2025-03-03 09:10"),
            ("c1", "Call", "start", "2025-03-05 09:00"), ("c1", "Call", "complete", "2025-03-05 09:05"),
            # overlapping: two starts, then their completions
            ("c2", "Call", "start", "2025-03-03 10:00"), ("c2", "Call", "start", "2025-03-03 10:30"),
            ("c2", "Call", "complete", "2025-03-03 10:20"), ("c2", "Call", "complete", "2025-03-03 10:40"),
            # a completion without a start, then a start completed later
            ("c3", "Intake", "complete", "2025-03-03 10:00"),
            ("c3", "Call", "complete", "2025-03-03 11:00"), ("c3", "Call", "start", "2025-03-04 11:00"),
            ("c3", "Call", "complete", "2025-03-04 11:30"),
            # a start never completed: still open
            ("c4", "Call", "start", "2025-03-06 08:00")]
    log = pd.DataFrame(rows, columns=["case", "activity", "lifecycle", "timestamp"])
    flow = from_event_log(log)
    assert flow.quality.empty
    v = flow.visits[flow.visits["stage"] == "Call"]
    v = v.sort_values(["item_id", "exited_at"]).reset_index(drop=True)
    minutes = ((v["exited_at"] - v["started_at"]).dt.total_seconds() / 60).tolist()
    assert minutes[:6] == [10, 5, 20, 10, 0, 30]  # c3's first: no start, so no work time
    assert v.loc[1, "entered_at"] == pd.Timestamp("2025-03-03 09:10")  # waited two days
    assert v.loc[1, "started_at"] == pd.Timestamp("2025-03-05 09:00")
    assert v["exited_at"].isna().sum() == 1 and v.iloc[-1]["item_id"] == "c4"


def test_an_interval_log_gives_each_visit_its_start(tmp_path):
    """pm4py's interval shape: start_timestamp beside the timestamp, no lifecycle."""
    path = tmp_path / "interval.csv"
    path.write_text("case:concept:name,concept:name,start_timestamp,time:timestamp\n"
                    "1,order,2025-03-03 09:00,2025-03-03 09:30\n"
                    "1,pack,2025-03-04 10:00,2025-03-04 10:20\n"
                    "2,order,2025-03-03T11:00:00.250+01:00,2025-03-03T11:45:00.250+01:00\n"
                    "2,pack,yesterday,2025-03-05 12:00\n")
    flow = from_event_log(path)
    v = flow.visits.set_index(["item_id", "stage"])
    assert v.at[("1", "pack"), "entered_at"] == pd.Timestamp("2025-03-03 09:30")
    assert v.at[("1", "pack"), "started_at"] == pd.Timestamp("2025-03-04 10:00")
    assert v.at[("2", "order"), "started_at"] == pd.Timestamp("2025-03-03 10:00:00.250")
    # an unreadable start keeps the visit, all of it waiting, and is listed
    assert v.at[("2", "pack"), "started_at"] == v.at[("2", "pack"), "exited_at"]
    (q,) = flow.quality.itertuples()
    assert (q.row, q.column, q.value) == (5, "start_timestamp", "yesterday")
    # the same events as start/complete rows read alike
    events = pd.read_csv(path, dtype=str)[:3]
    rows = pd.concat([events.assign(**{"time:timestamp": events["start_timestamp"],
                                       "lifecycle:transition": "start"}),
                      events.assign(**{"lifecycle:transition": "complete"})])
    paired = from_event_log(rows.drop(columns="start_timestamp")).visits
    cols = ["item_id", "stage", "entered_at", "started_at", "exited_at"]
    pd.testing.assert_frame_equal(
        paired[cols].sort_values(cols[:2], ignore_index=True),
        from_event_log(path).visits.iloc[:3][cols].sort_values(cols[:2], ignore_index=True))
    both = rows.assign(start_timestamp=rows["start_timestamp"])
    assert "start times are not used" in " ".join(from_event_log(both).notes)
    # start times beside a lifecycle of completions only (an interval log as XES) are read
    completes = events.assign(**{"lifecycle:transition": "complete"})
    pd.testing.assert_frame_equal(from_event_log(completes).visits[cols],
                                  from_event_log(path).visits.iloc[:3][cols])


# ------------------------------------------------ real logs' shapes (issue 15): no verdict without a limit


def _customer_wait_before(visits: pd.DataFrame, stage: str, mean_wait: float, seed: int):
    """``visits`` with a stage in front of ``stage`` whose time is the customer's: an entry,
    a wait of ``mean_wait`` days on average, then six minutes of work (a call)."""
    rng = np.random.default_rng(seed)
    after = visits[visits["stage"] == stage]
    exited = after["entered_at"]
    started = exited - pd.Timedelta(minutes=6)
    waited = pd.to_timedelta(rng.exponential(mean_wait, len(after)), unit="D")
    before = pd.DataFrame({"item_id": after["item_id"], "stage": "Customer decision",
                           "entered_at": started - waited, "started_at": started,
                           "exited_at": exited})
    return pd.concat([before, visits], ignore_index=True)


@pytest.mark.parametrize("service, expected", [(0.05, None), (0.4, "Deliver")])
def test_customer_time_in_front_of_a_stage_is_no_constraint(service, expected):
    """Waits in front of a stage that is barely busy (customers deciding) are not its
    capacity: no constraint at 2% utilisation (the interval log's make delivery at 10%),
    and a real limit behind them is still found."""
    line = Line([Stage("Deliver", service)], arrivals_per_day=2.0)
    visits = _customer_wait_before(simulate_line(line, days=300, seed=4), "Deliver", 5.0, 4)
    report = find_constraint(visits, stages=["Customer decision", "Deliver"])
    t = report.stages.set_index("stage")
    assert t.at["Customer decision", "wait_p50"] > 2  # days waiting: the customer's
    assert t.at["Customer decision", "utilisation"] < 0.05
    assert report.constraint == expected
    if expected is None:
        tightest = report.statement("tightest")
        assert tightest.startswith("The tightest stage, ") and "uses only" in tightest
        assert "come from elsewhere" in tightest
    else:
        assert t.at["Deliver", "utilisation"] == pytest.approx(0.8, abs=0.1)


def test_a_timer_stage_is_a_delay_not_a_capacity():
    """The help desk's Closed: a ticket closes itself 15 days after it is resolved unless the
    customer confirms earlier; a log of completions only (no start times)."""
    rng = np.random.default_rng(8)
    line = Line([Stage("Resolve", 0.4)], arrivals_per_day=2.0)
    visits = simulate_line(line, days=300, seed=8, started_at=False)
    done = visits.dropna(subset=["exited_at"])
    timer = rng.random(len(done)) < 0.4
    stay = np.where(timer, 15.0, rng.uniform(0.5, 14.0, len(done)))
    closed = pd.DataFrame({"item_id": done["item_id"], "stage": "Closed",
                           "entered_at": done["exited_at"],
                           "exited_at": done["exited_at"] + pd.to_timedelta(stay, unit="D")})
    report = find_constraint(pd.concat([visits, closed], ignore_index=True),
                             stages=["Resolve", "Closed"])
    t = report.stages.set_index("stage")
    assert t.at["Closed", "role"] == "delay (a timer)"
    assert t.at["Closed", "timer_days"] == 15 and t.at["Closed", "timer_share"] > 0.35
    assert not np.isfinite(t.at["Closed", "capacity_per_week"])
    assert report.constraint == "Resolve"
    assert "Closed takes longer" in report.statement("longest")
    assert "it is a timer, not a capacity" in report.statement("longest")
    # date-only data, where equal times are the rule, is never read as a timer
    daily = pd.concat([visits, closed], ignore_index=True)
    for col in ("entered_at", "exited_at"):
        daily[col] = daily[col].dt.floor("D")
    assert (find_constraint(daily, stages=["Resolve", "Closed"]).stages["timer_share"] == 0).all()


def test_starvation_evidence_follows_the_work_where_it_goes():
    """A branching process (the receipt log): nearly all work goes from Check to Decide; a
    rare branch, Adjust, sits between them in the stage order. The stage 'right after' the
    constraint is the one its work goes to, weighted by the flow."""
    rng = np.random.default_rng(2)
    line = Line([Stage("Check", 0.45), Stage("Decide", 0.1)], arrivals_per_day=2.0)
    visits = simulate_line(line, days=300, seed=2)
    checked = visits[(visits["stage"] == "Check")].dropna(subset=["exited_at"])
    rare = checked.sample(frac=0.04, random_state=1)
    adjust = pd.DataFrame({"item_id": rare["item_id"], "stage": "Adjust",
                           "entered_at": rare["exited_at"],
                           "started_at": rare["exited_at"],
                           "exited_at": rare["exited_at"] + pd.Timedelta(hours=1)})
    # those items reach Decide an hour later, from Adjust
    later = visits["item_id"].isin(rare["item_id"]) & (visits["stage"] == "Decide")
    shifted = visits.copy()
    for col in ("entered_at", "started_at", "exited_at"):
        shifted.loc[later, col] = shifted.loc[later, col] + pd.Timedelta(hours=1)
    report = find_constraint(pd.concat([shifted, adjust], ignore_index=True),
                             stages=["Check", "Adjust", "Decide"])
    t = report.stages.set_index("stage")
    assert report.constraint == "Check"
    assert t.at["Check", "next_stages"] == ["Decide"]  # Adjust gets 4%: not named
    shares = report.successors.set_index(["from", "to"])["share"]
    assert shares[("Check", "Decide")] == pytest.approx(0.96, abs=0.01)
    weighted = (shares[("Check", "Decide")] * t.at["Decide", "idle_share"]
                if "idle_share" in t else None)
    assert t.at["Check", "next_idle_share"] > 0.5  # Decide waits for Check's work
    assert report.statement("next_idle").startswith("Decide, where its work goes next, had "
                                                    "nothing to work on")
    assert weighted is None or t.at["Check", "next_idle_share"] == pytest.approx(weighted,
                                                                                abs=0.05)


def test_small_logs_raise_no_warnings_and_print_no_float_noise():
    """A handful of events (zero-length visits, a stage with one visit, times with
    milliseconds): no NumPy warnings, and equal moments give exactly 0 days."""
    import warnings

    log = pd.DataFrame({
        "case": ["1", "1", "1", "2", "2", "3"],
        "activity": ["Receive", "Check", "Send", "Receive", "Check", "Receive"],
        "lifecycle": ["complete", "start", "complete", "complete", "complete", "complete"],
        "timestamp": ["2025-03-03 09:00:00.123", "2025-03-03 09:00:00.123",
                      "2025-03-03 09:00:00.123", "2025-03-04 10:15:30.777",
                      "2025-03-04 10:15:30.777", "2025-03-05 08:00:00.001"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = find_constraint(from_event_log(log))
        report.sentences(), report.to_dict()
    numbers = report.stages.select_dtypes("number").to_numpy().ravel()
    tiny = numbers[np.isfinite(numbers) & (numbers != 0)]
    assert not (np.abs(tiny) < 1e-9).any()  # no 2.8e-14 where two moments are equal


def test_rows_set_aside_are_named_as_their_source_names_them(tmp_path):
    """A file's line (header = 1), or a DataFrame's own index label, whatever its order."""
    log = pd.DataFrame({"case": ["1", "1", "2", "2"], "activity": ["a", "b", "a", "b"],
                        "timestamp": ["2025-01-01 10:00", "2025-01-02 10:00", "someday",
                                      "2025-01-03 10:00"]}, index=[40, 41, 42, 43])
    for frame in (log, log.iloc[::-1]):
        flow = from_event_log(frame)
        assert flow.quality["row"].tolist() == [42]
        assert sorted(flow.visits["row"]) == [40, 41, 43]
    log.to_csv(tmp_path / "log.csv", index=False)
    assert from_event_log(tmp_path / "log.csv").quality["row"].tolist() == [4]
