import numpy as np
import pandas as pd
import pytest

import opsdx
from opsdx.flow import communication_paths, delegation_chain, hero_dependency, truck_factor


def small_log():
    return pd.DataFrame({
        "decision_id": ["d1", "d2", "d3", "d4", "d5"],
        "raised_at": ["2025-01-06", "2025-01-06", "2025-01-06", "2025-01-06", "2025-01-10"],
        "decided_at": ["2025-01-07", "2025-01-16", "2025-01-08", "2025-01-09", ""],
        "shipped_at": ["2025-01-09", "", "2025-01-10", "2025-01-12", ""],
        "decider": ["Ann", "Ann", "Ann", "Bo", "Ann"],
        "reversible": ["yes", "true", "no", "Type 1", ""],
        "category": ["pricing", "hiring", "pricing", "ops", "hiring"]})


def test_when_every_decider_is_needed_the_sentence_says_so_instead_of_naming_them():
    log = small_log().assign(decider=["Ann", "Ann", "Bo", "Bo", "Ann"],
                             category=["pricing", "pricing", "ops", "ops", "pricing"])
    report = opsdx.decision_report(opsdx.read_decisions(log))
    assert report.truck_factor == 2
    assert report.statement("truck_factor") == (
        "Every one of the 2 deciders is needed: without any one of them, more than half the "
        "decision categories would have no one who has decided one before.")
    assert report.statement("concentration") == (
        "Decisions are as concentrated as if 1.9 people shared them equally.")


def test_hand_computed_decision_figures():
    report = opsdx.decision_report(opsdx.read_decisions(small_log()))
    o = report.overall
    assert (o["decisions"], o["decided"], o["pending"]) == (5, 4, 1)
    # Kaplan-Meier over 1, 2, 3, 10 days decided and d5 pending for 6 days (censored):
    # the share still waiting drops to 4/5, 3/5, 2/5 (at 3 days), then 0 (at 10 days)
    assert o["latency_p50"] == pytest.approx(3.0)
    assert o["latency_p85"] == pytest.approx(10.0)
    assert report.herfindahl == pytest.approx(0.8 ** 2 + 0.2 ** 2)
    assert report.equivalent_deciders == pytest.approx(1 / 0.68)
    ann = report.by_decider.set_index("decider").loc["Ann"]
    # waiting: 1 + 10 + 2 days decided, plus d5 pending for 6 days at the last date (16 Jan)
    assert ann["waiting_days"] == pytest.approx(19.0) and ann["pending"] == 1
    assert ann["share"] == pytest.approx(0.8)
    assert o["conversion"] == pytest.approx(0.75)
    assert o["shipped_per_week"] == pytest.approx(3 / (10 / 7))
    assert report.truck_factor == 1 and report.truck_factor_people == ["Ann"]
    assert report.weekly["decided"].sum() == 4 and report.weekly["shipped"].sum() == 3
    text = " ".join(report.sentences())
    assert ("Ann decides 80% of all decisions, and a decision waits a median 2.0 days for them "
            "against 3.0 days with everyone else.") in text
    assert "Without Ann, more than half the decision categories" in text
    assert any("two speeds are not compared" in n for n in report.notes)
    assert report.to_dict()["truck_factor"] == 1
    # concentrated but not slower: not the founder-as-router pattern, by its one definition
    assert report.router is False and report.router_share == 0.0
    assert report.statement("router").startswith("Ann decides 80%")
    assert report.statement("two_way") is None and report.to_dict()["router"] is False


def test_the_router_has_one_definition():
    log = small_log()
    log["decided_at"] = ["2025-01-12", "2025-01-16", "2025-01-14", "2025-01-09", ""]  # Ann slow
    log["shipped_at"] = ""
    report = opsdx.decision_report(opsdx.read_decisions(log))
    ann, bo = report.by_decider.set_index("decider")["latency_p50"][["Ann", "Bo"]]
    assert report.router and report.router_share == pytest.approx(1 - bo / ann)
    log["decider"] = ["Ann", "Bo", "Cy", "Di", "Ed"]       # spread out: no router however slow
    assert not opsdx.decision_report(opsdx.read_decisions(log)).router


def test_truck_factor_needs_more_than_half():
    cats = pd.Series(["a", "b", "c", "d"])
    # each category has its own decider: any two absences orphan only half
    assert truck_factor(cats, pd.Series(["A", "B", "C", "D"]))[0] == 3
    # a shared category needs both its deciders gone
    size, people, exact = truck_factor(pd.Series(["a", "a", "b", "c"]),
                                       pd.Series(["A", "B", "A", "C"]))
    assert (size, people, exact) == (2, ["A", "B"], True)


def test_two_way_doors_treated_as_one_way():
    rng = np.random.default_rng(0)
    n = 60
    raised = pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.integers(0, 200, n), "D")
    reversible = rng.random(n) < 0.8
    for slow_reversible, expected in ((True, True), (False, False)):
        latency = rng.gamma(2.0, 4.0, n)
        if not slow_reversible:
            latency = np.where(reversible, latency / 6, latency)
        log = pd.DataFrame({"decision_id": [f"d{i}" for i in range(n)],
                            "raised_at": raised.strftime("%Y-%m-%d %H:%M"),
                            "decided_at": (raised + pd.to_timedelta(latency, "D")).strftime(
                                "%Y-%m-%d %H:%M"),
                            "decider": "Founder", "reversible": np.where(reversible, "yes", "no")})
        report = opsdx.decision_report(opsdx.read_decisions(log))
        assert report.two_way_as_one_way is expected
        assert any("wait as long as irreversible" in s for s in report.sentences()) is expected


def test_bad_decision_log_lists_every_problem(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text("decision_id,raised_at,decided_at,decider,shipped_at,reversible\n"
                    "d1,2025-01-06,2025-01-05,Ann,,yes\n"
                    "d1,2025-01-06,,Ann,2025-01-09,maybe\n"
                    ",someday,,,,\n")
    with pytest.raises(opsdx.DataError) as err:
        opsdx.read_decisions(path)
    found = {(p.row, p.column, p.message) for p in err.value.problems}
    assert found == {
        (2, "decided_at", "decided before it was raised"),
        (3, "decision_id", "decision_id appears twice"),
        (3, "shipped_at", "shipped but never decided"),
        (3, "reversible", "not true or false"),
        (4, "decision_id", "decision_id is blank"),
        (4, "decider", "decider is blank"),
        (4, "raised_at", "not a date")}


def test_hero_dependency_by_stage():
    v = pd.DataFrame({"item_id": ["1", "1", "2", "2", "3"],
                      "stage": ["Sell", "Deliver", "Sell", "Deliver", "Sell"],
                      "entered_at": pd.to_datetime(["2025-01-01", "2025-01-02"] * 2 + ["2025-01-03"]),
                      "exited_at": pd.NaT,
                      "owner": ["Founder", "Ops", "Founder", "Founder", "Rep"]})
    table = hero_dependency(v).set_index("stage")
    assert table.at["(all stages)", "person"] == "Founder"
    assert table.at["(all stages)", "share_of_items"] == pytest.approx(2 / 3)
    assert table.at["Sell", "share_of_items"] == pytest.approx(2 / 3)
    assert table.at["Deliver", "share_of_items"] == pytest.approx(1 / 2)
    assert table.at["(all stages)", "equivalent_people"] == pytest.approx(1 / (0.6 ** 2 + 0.2 ** 2 * 2))
    with pytest.raises(opsdx.OpsdxError, match="needs an owner column"):
        hero_dependency(v.drop(columns="owner"))


def test_organisation_mechanics():
    paths = communication_paths([{"name": n, "size": s} for n, s in
                                 [("a", 3), ("b", 5), ("c", 8), ("d", 12), ("e", 20), ("f", 50)]])
    assert paths["paths"].tolist() == [3, 10, 28, 66, 190, 1225]   # DOMAIN.md's table
    assert paths["over_size"].tolist() == [False, False, False, True, True, True]
    chain = delegation_chain(4)
    assert chain.loc[4, "intent"] == pytest.approx(0.8 ** 4)
    assert "not measurements" in chain.attrs["assumption"]
    custom = delegation_chain(1, {"intent": 0.5})
    assert custom.loc[1, "combined"] == 0.5
    with pytest.raises(opsdx.OpsdxError, match="between 0 and 1"):
        delegation_chain(1, {"intent": 1.5})


def test_pending_decisions_count_in_latency_and_odd_timestamps_are_refused():
    rows = [("f%d" % i, "2025-01-01", "", "Founder") for i in range(6)]
    rows += [("f6", "2025-01-01", "2025-01-02", "Founder"), ("f7", "2025-01-01", "2025-01-02", "Founder")]
    rows += [("o%d" % i, "2025-01-01", "2025-01-05", "Ops") for i in range(2)]
    rows += [("x", "2025-03-02", "2025-03-02", "Ops")]
    log = pd.DataFrame(rows, columns=["decision_id", "raised_at", "decided_at", "decider"])
    report = opsdx.decision_report(opsdx.read_decisions(log))
    founder = report.by_decider.set_index("decider").loc["Founder"]
    # 6 of 8 still pending after 60 days: the median is not reached, not "1 day"
    assert np.isnan(founder["latency_p50"]) and founder["longest_wait_days"] == 60
    assert "more than 60 days (most still pending)" in report.sentences()[0]
    bad = pd.DataFrame({"decision_id": ["a", "b", "c"],
                        "raised_at": ["2025-01-01 09:00+05:00", "2025-01-01 10:00", "2025"],
                        "decided_at": ["", "", ""], "decider": ["A", "A", "A"]})
    with pytest.raises(opsdx.DataError) as err:
        opsdx.read_decisions(bad)
    messages = {(p.row, p.message) for p in err.value.problems}
    assert (0, "time zone given on some timestamps but not on others") in messages
    assert (2, "not a date") in messages
