"""Regenerate the fictional sample clients (seeded: the same files every time).

    python sample_data/generate.py

Each client is a folder with ``client.yaml``, ``responses.csv`` (one in the
wide shape a form tool exports, one as an Excel workbook) and
``estimates.csv``, ``work_items.csv`` (a year of flow through the client's
stages, simulated by :func:`opsdx.simulate_line` with a different constraint
per client, one pure delay stage, rework and open items) and
``decisions.csv`` (Northwind Freight shows a strong founder-as-router
pattern). Kestrel Software hands its flow over as its tracker exports it: the
pages of a Jira search with ``expand=changelog`` in ``status_history/``, with
the ``statuses.yaml`` that maps its workflow's statuses onto the stages (its
times written in Berlin time, offsets changing with daylight saving). Northwind Freight is
assessed again a quarter later (``next-quarter/northwind-freight``, the same files: a
consultant updates the client's folder in place and runs the batch again). The answers are simulated with
:func:`opsdx.simulate_responses` from an organisation at a known stage. The
estimates follow the planning fallacy as DOMAIN.md describes it: the inside
view is optimistic (a different median ratio per client), a share of items
finish exactly on estimate, and the right tail is fat. Names, sectors and
figures are invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

import opsdx
from opsdx.output import atomic_path, write_text

HERE = Path(__file__).resolve().parent

CLIENTS = [
    {
        "folder": "northwind-freight", "stage": 1, "n": 7, "seed": 101, "shape": "long",
        "levels": {"next_level": 0.55, "noise": 0.15},
        "estimates": {"n": 260, "median_ratio": 1.8, "on_estimate": 0.10, "sigma": 0.55,
                      "tail_share": 0.06, "estimators": ["founder", "dispatch lead", "analyst"]},
        "roles": {"founder": 0.16, "operations lead": 0.04, "dispatcher": -0.04},
        "flow": {"arrivals_per_day": 3.0, "seed": 111, "stages": [
            ("Order intake", 0.15, 2, 1.0, None, 0.0),
            ("Quote", 0.35, 2, 0.8, None, 0.0),
            ("Founder approval", 0.30, 1, 1.0, None, 0.0),
            ("Dispatch planning", 0.25, 2, 0.7, "Quote", 0.08),
            ("Awaiting customer confirmation", 2.5, None, 0.8, None, 0.0),
            ("Delivery", 0.9, 5, 0.5, None, 0.0),
            ("Invoicing", 0.12, 1, 1.0, None, 0.0)],
            "owners": {"Founder approval": {"founder": 0.92, "operations lead": 0.08},
                       "Quote": {"founder": 0.45, "sales rep": 0.55},
                       "*": {"founder": 0.15, "operations lead": 0.25, "dispatcher a": 0.3,
                             "dispatcher b": 0.3}}},
        "decisions": {"n": 240, "seed": 112, "deciders": {"founder": (0.64, 9.0),
                      "operations lead": (0.2, 2.5), "finance lead": (0.1, 3.0),
                      "sales lead": (0.06, 1.5)}, "reversible_speedup": 1.0,
                      "founder_categories": "all", "conversion": 0.62},
        "spec": {
            "name": "Northwind Freight Ltd", "sector": "Logistics", "headcount": 38,
            "assessment_date": "2026-10-12", "management_layers": 2,
            "teams": [{"name": "Dispatch", "size": 9}, {"name": "Warehouse", "size": 21},
                      {"name": "Sales", "size": 5}, {"name": "Finance", "size": 3}],
        },
    },
    {
        "folder": "harbour-analytics", "stage": 2, "n": 9, "seed": 202, "shape": "wide",
        "levels": {"next_level": 0.62, "noise": 0.16, "rater_sd": 0.09},
        "estimates": {"n": 320, "median_ratio": 1.45, "on_estimate": 0.22, "sigma": 0.45,
                      "tail_share": 0.04, "estimators": ["partner", "manager a", "manager b",
                                                         "consultant"]},
        "roles": {"partner": 0.10, "manager": 0.02, "consultant": -0.03},
        "flow": {"arrivals_per_day": 1.6, "seed": 211, "stages": [
            ("Scoping", 0.4, 2, 0.8, None, 0.0),
            ("Analysis", 2.0, 6, 0.9, None, 0.0),
            ("Partner review", 0.5, 1, 0.9, "Analysis", 0.15),
            ("Client review", 6.0, None, 0.7, None, 0.0),
            ("Delivery", 0.5, 2, 0.6, None, 0.0)],
            "owners": {"Partner review": {"partner a": 0.7, "partner b": 0.3},
                       "*": {"manager a": 0.3, "manager b": 0.3, "consultant a": 0.2,
                             "consultant b": 0.2}}},
        "decisions": {"n": 200, "seed": 212, "deciders": {"partner a": (0.38, 5.0),
                      "partner b": (0.22, 4.0), "manager a": (0.2, 2.0),
                      "manager b": (0.2, 2.0)}, "reversible_speedup": 2.5,
                      "founder_categories": None, "conversion": 0.74},
        "spec": {
            "name": "Harbour Analytics", "sector": "Professional services", "headcount": 64,
            "assessment_date": "2026-09-30", "management_layers": 3,
            "teams": [{"name": "Advisory", "size": 22}, {"name": "Data engineering", "size": 14},
                      {"name": "Sales", "size": 8}, {"name": "Operations", "size": 12}],
        },
    },
    {
        "folder": "kestrel-software", "stage": 3, "n": 6, "seed": 303, "shape": "xlsx",
        "levels": {"reached_level": 0.89, "noise": 0.14, "rater_sd": 0.07},
        "estimates": {"n": 420, "median_ratio": 1.35, "on_estimate": 0.28, "sigma": 0.40,
                      "tail_share": 0.03, "estimators": ["cto", "em platform", "em payments",
                                                         "engineer a", "engineer b"]},
        "roles": {"cto": 0.05, "engineering manager": 0.02, "engineer": -0.02},
        "flow": {"arrivals_per_day": 4.0, "seed": 311, "stages": [
            ("Refinement", 0.2, 2, 1.0, None, 0.0),
            ("Development", 1.6, 12, 0.9, None, 0.0),
            ("Code review", 0.25, 2, 1.0, "Development", 0.12),
            ("QA", 0.42, 2, 0.8, "Development", 0.1),
            ("Staging soak", 2.0, None, 0.05, None, 0.0),
            ("Deploy", 0.05, 1, 0.5, None, 0.0)],
            "owners": {"*": {"engineer a": 0.2, "engineer b": 0.2, "engineer c": 0.2,
                             "em platform": 0.1, "em payments": 0.1, "qa lead": 0.2}},
            "jira": {"project": "KES", "tz": "Europe/Berlin", "page_size": 100, "statuses": {
                "Refinement": ("Ready for refinement", "In refinement"),
                "Development": ("Selected for development", "In progress"),
                "Code review": ("Ready for review", "In review"),
                "QA": ("Ready for QA", "In QA"),
                "Staging soak": ("Ready for staging", "On staging"),
                "Deploy": ("Ready to deploy", "Deploying")}}},
        "decisions": {"n": 260, "seed": 312, "deciders": {"cto": (0.25, 3.0),
                      "em platform": (0.25, 1.5), "em payments": (0.25, 1.5),
                      "product lead": (0.25, 2.0)}, "reversible_speedup": 4.0,
                      "founder_categories": None, "conversion": 0.82},
        "spec": {
            "name": "Kestrel Software GmbH", "sector": "Software", "headcount": 120,
            "assessment_date": "2026-11-02", "management_layers": 3,
            "teams": [{"name": "Platform", "size": 8}, {"name": "Payments", "size": 7},
                      {"name": "Support", "size": 11}, {"name": "Customer success", "size": 9}],
        },
    },
    {
        "folder": "meridian-care", "stage": 4, "n": 12, "seed": 404, "shape": "long",
        "estimates": {"n": 300, "median_ratio": 1.25, "on_estimate": 0.35, "sigma": 0.30,
                      "tail_share": 0.02, "estimators": ["intake lead", "care planner",
                                                         "scheduler", "billing lead"]},
        "roles": {"executive": 0.05, "service manager": 0.01, "care coordinator": -0.02},
        "flow": {"arrivals_per_day": 2.5, "seed": 411, "stages": [
            ("Referral intake", 0.2, 1, 0.8, None, 0.0),
            ("Assessment", 0.7, 2, 0.8, None, 0.0),
            ("Care planning", 0.5, 2, 0.9, "Assessment", 0.05),
            ("Funding approval", 4.0, None, 0.6, None, 0.0),
            ("Scheduling", 0.2, 1, 1.0, None, 0.0),
            ("First visit", 1.0, 6, 0.5, None, 0.0)],
            "owners": {"*": {"intake lead": 0.15, "assessor a": 0.2, "assessor b": 0.2,
                             "care planner": 0.2, "scheduler": 0.15, "coordinator": 0.1}}},
        "decisions": {"n": 300, "seed": 412, "deciders": {"service manager a": (0.2, 2.0),
                      "service manager b": (0.2, 2.0), "clinical lead": (0.2, 3.0),
                      "operations director": (0.15, 4.0), "finance lead": (0.25, 2.5)},
                      "reversible_speedup": 3.0, "founder_categories": None, "conversion": 0.86},
        "spec": {
            "name": "Meridian Care Group", "sector": "Health and care services", "headcount": 410,
            "assessment_date": "2026-10-20", "management_layers": 4,
            "teams": [{"name": "Intake", "size": 6}, {"name": "Care planning", "size": 8},
                      {"name": "Scheduling", "size": 5}, {"name": "Billing", "size": 7}],
        },
    },
]

def _next_quarter(first: dict) -> dict:
    """Northwind Freight assessed again a quarter later, in ``next-quarter/northwind-freight``.

    Two changes were made after the first assessment. One worked: the operations lead now
    approves orders too (a second server at "Founder approval", which took most of the
    founder's approvals), so the constraint moves on to "Quote". One did not: decisions were
    to be delegated, but the founder still takes most of them, as slowly. The answers come
    from an organisation still at stage 1, a little further on; plans are as optimistic.
    """
    client = json.loads(json.dumps(first))  # a deep copy: tuples become lists
    client.update(seed=105, levels={"next_level": 0.6, "noise": 0.15})
    client["estimates"]["median_ratio"] = 1.75
    stages = [list(s) for s in client["flow"]["stages"]]
    stages[2][2] = 2  # Founder approval: the founder and the operations lead
    client["flow"].update(seed=121, stages=[tuple(s) for s in stages])
    client["flow"]["owners"]["Founder approval"] = {"founder": 0.45, "operations lead": 0.55}
    client["decisions"].update(seed=122, deciders={
        "founder": (0.60, 8.5), "operations lead": (0.24, 2.5), "finance lead": (0.1, 3.0),
        "sales lead": (0.06, 1.5)})
    client["spec"]["assessment_date"] = "2027-01-18"
    return client


#: Later assessments of sample clients (each in ``next-quarter/<folder>``, same file names)
NEXT_QUARTER = [_next_quarter(CLIENTS[0])]

KINDS = {"feature": 0.45, "bug": 0.30, "chore": 0.25}
ESTIMATE_HOURS = np.array([2, 4, 8, 16, 24, 40], dtype=float)


def simulate_estimates(params: dict, assessment_date: str, rng: np.random.Generator) -> pd.DataFrame:
    """A year and more of estimates and actuals with the client's optimism.

    Ratios actual / estimate: a share exactly on estimate; the rest lognormal
    around ``median_ratio`` (bugs run 20% worse, chores 15% better), with a
    share from a Pareto tail (tail index 1.6) for the projects that go badly
    wrong. Actuals are rounded to half hours. The last few weeks hold open
    items.
    """
    n = params["n"]
    end = pd.Timestamp(assessment_date)
    begin = end - pd.Timedelta(days=440)
    estimated_on = begin + pd.to_timedelta(np.sort(rng.integers(0, 440, n)), "D")
    kind = rng.choice(list(KINDS), n, p=list(KINDS.values()))
    estimator = rng.choice(params["estimators"], n)
    estimate = rng.choice(ESTIMATE_HOURS, n, p=[0.15, 0.25, 0.25, 0.2, 0.1, 0.05])
    kind_factor = np.select([kind == "bug", kind == "chore"], [1.2, 0.85], 1.0)
    ratio = params["median_ratio"] * kind_factor * rng.lognormal(0.0, params["sigma"], n)
    tail = rng.random(n) < params["tail_share"]
    ratio[tail] = params["median_ratio"] * (1.0 + rng.pareto(1.6, tail.sum())) * 1.5
    on = rng.random(n) < params["on_estimate"]
    ratio[on] = 1.0
    actual = np.maximum(0.5, np.round(estimate * ratio * 2) / 2)
    actual[on] = estimate[on]
    finished_on = estimated_on + pd.to_timedelta(
        np.ceil(actual / 6.0 + rng.integers(0, 10, n)).astype(int), "D")
    still_open = finished_on > end
    frame = pd.DataFrame({
        "item_id": [f"{k[:1].upper()}-{1000 + i}" for i, k in enumerate(kind)],
        "kind": kind, "estimator": estimator, "estimate": estimate,
        "actual": np.where(still_open, np.nan, actual),
        "estimated_on": estimated_on.strftime("%Y-%m-%d"),
        "finished_on": np.where(still_open, "", finished_on.strftime("%Y-%m-%d")),
    })
    return frame


COMMENTS = [
    "Playbook exists but is out of date.",
    "Only true for the Monday run.",
    "We started this in the summer.",
    "Depends on who is on shift.",
]


CATEGORIES = ["pricing", "hiring", "customer exception", "spend", "scheduling",
              "process change", "supplier"]


def simulate_flow(params: dict, assessment_date: str) -> pd.DataFrame:
    """A year of stage visits up to the assessment date, from the serial-line simulator.

    One stage is a pure delay (unlimited servers), one sends work back
    (rework), and the visits still open at the end stay open.
    """
    from opsdx.flow import Line, Stage, simulate_line

    rng = np.random.default_rng(params["seed"])
    stages = [Stage(name, mean, servers=servers, cv=cv, rework_to=back, rework_share=share)
              for name, mean, servers, cv, back, share in params["stages"]]
    line = Line(stages, params["arrivals_per_day"])
    start = pd.Timestamp(assessment_date) - pd.Timedelta(days=365)
    visits = simulate_line(line, days=365, seed=rng, start=start)
    owners = params["owners"]
    visits["owner"] = ""
    for stage in line.names:
        people = owners.get(stage, owners["*"])
        mask = visits["stage"] == stage
        visits.loc[mask, "owner"] = rng.choice(list(people), int(mask.sum()),
                                               p=np.array(list(people.values())) / sum(people.values()))
    for col in ("entered_at", "started_at", "exited_at"):  # to the minute, as a tracker shows
        visits[col] = visits[col].dt.floor("min")
    return visits


def jira_export(visits: pd.DataFrame, spec: dict) -> tuple[list[dict], str]:
    """The visits as a Jira search returns them (``expand=changelog``), and the status map.

    Each item is an issue created in "To Do" when it first enters the flow;
    entering a stage moves it to the stage's queue status (left out when work
    starts at once, as teams do), starting work to its work status with the
    visit's owner assigned in the same change, and leaving the last stage to
    "Done". Times are written in ``spec["tz"]`` with their offset and
    milliseconds, as Jira Cloud writes them.
    """
    tz, key = spec["tz"], spec["project"]
    local = {c: visits[c].dt.tz_localize(tz, ambiguous=np.zeros(len(visits), bool),
                                         nonexistent="shift_forward")
             for c in ("entered_at", "started_at", "exited_at")}

    def stamp(t) -> str:
        return t.strftime("%Y-%m-%dT%H:%M:%S.000%z")

    v = visits.assign(**{c: local[c] for c in local}).sort_values(["item_id", "entered_at"],
                                                                   kind="stable")
    issues, history_id = [], 10000
    for n, (item, rows) in enumerate(v.groupby("item_id", sort=True), start=1):
        histories, status, assignee = [], "To Do", None

        def move(at, to, who=None):
            nonlocal status, assignee, history_id
            items = [{"field": "status", "fieldtype": "jira", "fieldId": "status",
                      "fromString": status, "toString": to}]
            if who is not None and who != assignee:
                items.append({"field": "assignee", "fieldtype": "jira", "fieldId": "assignee",
                              "fromString": assignee, "toString": who})
                assignee = who
            history_id += 1
            histories.append({"id": str(history_id), "author": {"displayName": who or "jira"},
                              "created": stamp(at), "items": items})
            status = to

        for r in rows.itertuples():
            queue, work = spec["statuses"][r.stage]
            if pd.isna(r.started_at) or r.started_at > r.entered_at:
                move(r.entered_at, queue)
            if pd.notna(r.started_at):
                move(r.started_at, work, r.owner)
        last = rows.iloc[-1]
        if pd.notna(last["exited_at"]):
            move(last["exited_at"], "Done")
        issues.append({"id": str(20000 + n), "key": f"{key}-{n}", "fields": {
            "issuetype": {"name": "Story"}, "created": stamp(rows["entered_at"].iloc[0]),
            "status": {"name": status},
            "assignee": None if assignee is None else {"displayName": assignee}},
            "changelog": {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                          "histories": histories}})
    size = spec["page_size"]
    pages = [{"startAt": i, "maxResults": size, "total": len(issues), "issues": issues[i:i + size]}
             for i in range(0, len(issues), size)]
    rules = [{"status": "To Do", "role": "backlog"}]
    for stage, (queue, work) in spec["statuses"].items():
        rules += [{"status": queue, "stage": stage, "role": "queue"},
                  {"status": work, "stage": stage, "role": "work"}]
    rules.append({"status": "Done", "role": "done"})
    smap = ("# How Kestrel's Jira workflow maps onto its stages (sample_data/generate.py)\n"
            + yaml.safe_dump({"stages": list(spec["statuses"]), "statuses": rules},
                             sort_keys=False, width=100))
    return pages, smap


def simulate_decisions(params: dict, assessment_date: str) -> pd.DataFrame:
    """A year of decisions: deciders with their share and median latency (days).

    Reversible decisions are ``reversible_speedup`` times faster than
    irreversible ones (1: no faster, two-way doors treated as one-way). With
    ``founder_categories="all"`` the first decider handles every category.
    """
    rng = np.random.default_rng(params["seed"])
    n = params["n"]
    names = list(params["deciders"])
    shares = np.array([v[0] for v in params["deciders"].values()])
    medians = np.array([v[1] for v in params["deciders"].values()])
    who = rng.choice(len(names), n, p=shares / shares.sum())
    end = pd.Timestamp(assessment_date)
    raised = end - pd.to_timedelta(np.sort(rng.uniform(0, 365, n))[::-1], "D")
    reversible = rng.random(n) < 0.85
    latency = medians[who] * rng.lognormal(0, 0.6, n)
    latency = np.where(reversible, latency / params["reversible_speedup"], latency)
    decided = raised + pd.to_timedelta(latency, "D")
    pending = decided > end
    shipped_ok = (rng.random(n) < params["conversion"]) & ~pending
    shipped = decided + pd.to_timedelta(rng.gamma(2.0, 3.0, n), "D")
    shipped_ok &= shipped <= end
    # categories: each decider handles a few; the founder-as-router handles them all
    owned = {i: rng.choice(CATEGORIES, 3, replace=False) for i in range(len(names))}
    if params["founder_categories"] == "all":
        owned[0] = np.array(CATEGORIES)
        for i in range(1, len(names)):
            owned[i] = owned[i][:1]
    category = np.array([rng.choice(owned[w]) for w in who])
    fmt = "%Y-%m-%d %H:%M"
    return pd.DataFrame({
        "decision_id": [f"D-{i + 1:04d}" for i in range(n)],
        "raised_at": raised.strftime(fmt),
        "decided_at": np.where(pending, "", decided.strftime(fmt)),
        "shipped_at": np.where(shipped_ok, shipped.strftime(fmt), ""),
        "decider": np.array(names)[who],
        "reversible": np.where(reversible, "yes", "no"),
        "category": category,
        "escalated": np.where(rng.random(n) < 0.1, "yes", "no")}).sort_values(
            "raised_at", kind="stable")


def build(client: dict, out: Path = HERE) -> Path:
    """Write one client folder under ``out``; returns the folder."""
    folder = out / client["folder"]
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(client["seed"])
    answers = opsdx.simulate_responses("maturity", stage=client["stage"],
                                       n_respondents=client["n"], seed=rng, roles=client["roles"],
                                       **client.get("levels", {}))
    spec = dict(client["spec"])
    estimates = simulate_estimates(client["estimates"], spec["assessment_date"],
                                   np.random.default_rng(client["seed"] + 1))
    write_text(folder / "estimates.csv", estimates.to_csv(index=False, float_format="%g"))
    spec.update(estimate_unit="hours", actual_unit="hours")  # the sample teams log hours
    work = simulate_flow(client["flow"], spec["assessment_date"])
    if "jira" in client["flow"]:  # the tracker's own export, and the map of its statuses
        pages, smap = jira_export(work, client["flow"]["jira"])
        (folder / "status_history").mkdir(exist_ok=True)
        for k, page in enumerate(pages, start=1):
            write_text(folder / "status_history" / f"page-{k:02d}.json",
                       json.dumps(page, separators=(",", ":")) + "\n")
        write_text(folder / "statuses.yaml", smap)
        (folder / "work_items.csv").unlink(missing_ok=True)
    else:
        for col in ("entered_at", "started_at", "exited_at"):
            work[col] = work[col].dt.strftime("%Y-%m-%d %H:%M").fillna("")
        write_text(folder / "work_items.csv", work.to_csv(index=False))
        spec["stages"] = [stage[0] for stage in client["flow"]["stages"]]
    decisions = simulate_decisions(client["decisions"], spec["assessment_date"])
    write_text(folder / "decisions.csv", decisions.to_csv(index=False))
    if client["shape"] == "long":
        picked = rng.random(len(answers)) < 0.04
        answers["comment"] = np.where(picked, rng.choice(COMMENTS, len(answers)), "")
        write_text(folder / "responses.csv", answers.to_csv(index=False))
    else:
        wide = answers.pivot(index=["respondent", "role"], columns="item_id", values="answer")
        wide = wide.reindex(columns=answers["item_id"].unique()).reset_index()
        # form tools add a timestamp column; opsdx ignores it
        wide.insert(0, "Timestamp", pd.date_range(f"{spec['assessment_date']} 09:00",
                                                  periods=len(wide), freq="37min").astype(str))
        if client["shape"] == "wide":
            write_text(folder / "responses.csv", wide.to_csv(index=False))
        else:
            target = folder / "responses.xlsx"
            # a workbook records when it was saved: rewrite it only when its cells change
            if not (target.exists() and pd.read_excel(target, dtype=str, keep_default_na=False)
                    .equals(wide.astype(str).replace("nan", ""))):
                with atomic_path(target) as tmp:
                    wide.to_excel(tmp, index=False, sheet_name="Form responses", engine="openpyxl")
            spec["responses"] = "responses.xlsx"
    write_text(folder / "client.yaml",
               "# Fictional sample client generated by sample_data/generate.py\n"
               + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    return folder


def main() -> None:
    for client, out in [(c, HERE) for c in CLIENTS] + [(c, HERE / "next-quarter")
                                                       for c in NEXT_QUARTER]:
        loaded = opsdx.load_client(build(client, out))
        result = opsdx.score_maturity(loaded.responses(), loaded.questionnaire, seed=0)
        print(f"{out.name + '/' + client['folder']:<34} designed at stage {client['stage']}, "
              f"scored {result.stage} (p = {result.stage_probability:.2f})")


if __name__ == "__main__":
    main()
