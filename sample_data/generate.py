"""Regenerate the fictional sample clients (seeded: the same files every time).

    python sample_data/generate.py

Each client is a folder with ``client.yaml`` and ``responses.csv`` (one in the
wide shape a form tool exports, one as an Excel workbook). The answers are
simulated with :func:`opsdx.simulate_responses` from an organisation at a
known stage; the names, sectors and figures are invented.
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
        "roles": {"executive": 0.05, "service manager": 0.01, "care coordinator": -0.02},
        "spec": {
            "name": "Meridian Care Group", "sector": "Health and care services", "headcount": 410,
            "assessment_date": "2026-10-20", "management_layers": 4,
            "teams": [{"name": "Intake", "size": 6}, {"name": "Care planning", "size": 8},
                      {"name": "Scheduling", "size": 5}, {"name": "Billing", "size": 7}],
        },
    },
]

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
