"""Regenerate the fictional sample clients (seeded: the same files every time).

    python sample_data/generate.py

Each client is a folder with ``client.yaml``, ``responses.csv`` (one in the
wide shape a form tool exports, one as an Excel workbook) and
``estimates.csv``. The answers are simulated with
:func:`opsdx.simulate_responses` from an organisation at a known stage. The
estimates follow the planning fallacy as DOMAIN.md describes it: the inside
view is optimistic (a different median ratio per client), a share of items
finish exactly on estimate, and the right tail is fat. Names, sectors and
figures are invented.
"""

from __future__ import annotations

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
        "spec": {
            "name": "Meridian Care Group", "sector": "Health and care services", "headcount": 410,
            "assessment_date": "2026-10-20", "management_layers": 4,
            "teams": [{"name": "Intake", "size": 6}, {"name": "Care planning", "size": 8},
                      {"name": "Scheduling", "size": 5}, {"name": "Billing", "size": 7}],
        },
    },
]

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
    for client in CLIENTS:
        loaded = opsdx.load_client(build(client))
        result = opsdx.score_maturity(loaded.responses(), loaded.questionnaire, seed=0)
        print(f"{client['folder']:<20} designed at stage {client['stage']}, "
              f"scored {result.stage} (p = {result.stage_probability:.2f})")


if __name__ == "__main__":
    main()
