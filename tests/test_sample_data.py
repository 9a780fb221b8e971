"""The bundled sample clients: regenerable, valid, and at clearly different stages."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import opsdx

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
spec = importlib.util.spec_from_file_location("generate", SAMPLES / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)


WHERE = [(c, "") for c in generate.CLIENTS] + [(c, "next-quarter") for c in generate.NEXT_QUARTER]


@pytest.mark.parametrize("client, under", WHERE,
                         ids=lambda c: c["folder"] if isinstance(c, dict) else c or "top")
def test_generator_reproduces_the_committed_files(client, under, tmp_path):
    folder = generate.build(client, tmp_path)
    committed = SAMPLES / under / client["folder"]
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for name in files:
        if name.suffix == ".xlsx":  # workbooks carry a creation time: compare cells
            pd.testing.assert_frame_equal(pd.read_excel(folder / name),
                                          pd.read_excel(committed / name))
        else:
            assert (folder / name).read_bytes() == (committed / name).read_bytes(), name


@pytest.mark.parametrize("client", generate.CLIENTS, ids=lambda c: c["folder"])
def test_sample_clients_score_at_their_designed_stage(client):
    loaded = opsdx.load_client(SAMPLES / client["folder"])
    assert loaded.validate() == []
    spec = loaded.spec
    assert spec.name and spec.sector and spec.headcount and spec.assessment_date
    assert spec.teams and spec.management_layers
    responses = loaded.responses()
    assert responses["respondent"].nunique() >= 5
    assert responses["role"].nunique() >= 3
    result = opsdx.score_maturity(responses, loaded.questionnaire, seed=0)
    assert result.stage == client["stage"]
    assert result.stage_probability >= 0.9


def test_clients_span_the_stages():
    stages = sorted(c["stage"] for c in generate.CLIENTS)
    assert stages == [1, 2, 3, 4]
    shapes = {c["shape"] for c in generate.CLIENTS}
    assert shapes == {"long", "wide", "xlsx"}


@pytest.mark.parametrize("client", generate.CLIENTS, ids=lambda c: c["folder"])
def test_sample_estimates_show_the_planning_fallacy(client):
    estimates = opsdx.read_estimates(SAMPLES / client["folder"] / "estimates.csv")
    assert len(estimates) >= 250 and (~estimates["finished"]).sum() >= 1  # some work still open
    span = estimates["estimated_on"].max() - estimates["estimated_on"].min()
    assert span.days >= 365
    rc = opsdx.ReferenceClass(estimates)
    shares = rc.point_mass
    assert 0.1 <= shares["on"] <= 0.45            # a point mass on estimate
    assert 1.0 < rc.ratio_quantile(0.5) <= 2.0    # the inside view is optimistic
    assert rc.ratio_quantile(0.9) / rc.ratio_quantile(0.5) > 1.4  # with a long right tail
    backtest = opsdx.backtest_reference_class(estimates, p=(0.8,))
    coverage = backtest.summary().set_index("method").at["reference class", "coverage"]
    assert abs(coverage - 0.8) <= 0.06


def test_clients_differ_in_optimism():
    medians = [opsdx.ReferenceClass(opsdx.read_estimates(SAMPLES / c["folder"] / "estimates.csv"))
               .ratio_quantile(0.5) for c in generate.CLIENTS]
    assert medians == sorted(medians, reverse=True)  # the least mature plan the worst


CONSTRAINTS = {"northwind-freight": "Founder approval", "harbour-analytics": "Partner review",
               "kestrel-software": "QA", "meridian-care": "Assessment"}


@pytest.mark.parametrize("folder", sorted(CONSTRAINTS))
def test_sample_flow_has_its_designed_constraint(folder):
    client = opsdx.load_client(SAMPLES / folder)
    flow = client.work_items()
    designed = next(c for c in generate.CLIENTS if c["folder"] == folder)["flow"]["stages"]
    assert flow.stages == [s[0] for s in designed] and 5 <= len(flow.stages) <= 7
    assert flow.open_visits > 0
    assert flow.visits.groupby(["item_id", "stage"]).size().max() >= 2   # rework
    report = opsdx.find_constraint(flow)
    assert report.constraint == CONSTRAINTS[folder] and report.confidence > 0.95
    roles = report.stages.set_index("stage")["role"]
    assert roles.str.startswith("no limit shown").sum() >= 1            # the pure delay


def test_kestrel_hands_over_its_jira_export_and_it_reads_as_the_visits_it_came_from():
    """The tracker's export and the status map give back the simulated visits exactly (in
    UTC: the export wrote them in Berlin time with their offsets)."""
    client = opsdx.load_client(SAMPLES / "kestrel-software")
    assert client.flow_source() == ("status_history", SAMPLES / "kestrel-software" /
                                    "status_history")
    flow = client.work_items()
    spec = next(c for c in generate.CLIENTS if c["folder"] == "kestrel-software")
    simulated = generate.simulate_flow(spec["flow"], spec["spec"]["assessment_date"])
    local = {c: simulated[c].dt.tz_localize("Europe/Berlin",
                                            ambiguous=np.zeros(len(simulated), bool),
                                            nonexistent="shift_forward")
             .dt.tz_convert("UTC").dt.tz_localize(None) for c in
             ("entered_at", "started_at", "exited_at")}
    expected = simulated.assign(**local)
    key = ["n", "entered_at", "stage"]
    got = flow.visits.assign(n=flow.visits["item_id"].str.replace("KES-", "").astype(int))
    got = got.sort_values(key).reset_index(drop=True)
    expected = expected.assign(n=expected["item_id"].str.replace("W", "").astype(int))
    expected = expected.sort_values(key).reset_index(drop=True)
    assert len(got) == len(expected) == 9903 and flow.quality.empty
    assert got["n"].tolist() == expected["n"].tolist()
    for c in ("stage", "entered_at", "started_at", "exited_at"):
        assert got[c].astype(object).fillna("open").tolist() == \
            expected[c].astype(object).fillna("open").tolist(), c
    # the owner is the assignee when work started; a visit still queued keeps the last one
    started = expected["started_at"].notna()
    assert got.loc[started, "owner"].tolist() == expected.loc[started, "owner"].tolist()
    queued = got[~started]
    assert len(queued) == 2 and queued["owner"].tolist() == [
        got.loc[i - 1, "owner"] for i in queued.index]
    assert [n.code for n in flow.notes] == ["backward_moves"]
    # every move back is to Development (the simulated rework), each stage named once
    assert flow.notes[0].text.endswith("(a new visit): Development 390")


def test_founder_as_router_only_at_northwind():
    reports = {f: opsdx.decision_report(opsdx.load_client(SAMPLES / f).decisions())
               for f in CONSTRAINTS}
    north = reports.pop("northwind-freight")
    assert north.overall["top_decider"] == "founder" and north.overall["top_share"] > 0.55
    assert north.truck_factor == 1 and north.two_way_as_one_way
    for other in reports.values():
        assert other.overall["top_share"] < 0.4 and other.truck_factor > 1
        assert other.two_way_as_one_way is False


def test_northwind_a_quarter_later_kept_one_change_and_lost_the_other():
    """The second assessment: the constraint moved on (the second approver worked), the
    founder still decides most (the delegation did not), the same files as the first."""
    first, later = SAMPLES / "northwind-freight", SAMPLES / "next-quarter" / "northwind-freight"
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in later.iterdir())
    client = opsdx.load_client(later)
    assert str(client.spec.assessment_date) == "2027-01-18"
    assert client.spec.name == opsdx.load_client(first).spec.name
    report = opsdx.find_constraint(client.work_items())
    assert report.constraint == "Quote"
    decisions = opsdx.decision_report(client.decisions())
    assert decisions.router and decisions.overall["top_decider"] == "founder"
    assert decisions.overall["top_share"] > 0.55
