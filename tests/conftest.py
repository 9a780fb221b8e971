"""Shared fixtures: a tiny questionnaire small enough to score by hand."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

import opsdx

TINY_YAML = textwrap.dedent("""\
    id: tiny
    version: "1"
    title: Tiny test questionnaire
    scales:
      five:
        options:
          - {label: Never, value: 0}
          - {label: Rarely, value: 1}
          - {label: Sometimes, value: 2}
          - {label: Usually, value: 3}
          - {label: Always, value: 4}
    dimensions:
      - {id: A, title: Alpha}
      - {id: B, title: Beta}
    items:
      - {id: a2, dimension: A, stage: 2, text: a two}
      - {id: b2, dimension: B, stage: 2, text: b two, weight: 2}
      - {id: r2, dimension: A, stage: 2, text: reverse two, reverse: true}
      - {id: a3, dimension: A, stage: 3, text: a three}
      - {id: b3, dimension: B, stage: 3, text: b three, recommendation: fix b3, mechanism: m3}
      - {id: a4, dimension: A, stage: 4, text: a four}
      - {id: b4, dimension: B, stage: 4, text: b four}
      - {id: a5, dimension: A, stage: 5, text: a five}
      - {id: b5, dimension: B, stage: 5, text: b five}
""")


@pytest.fixture(scope="session")
def tiny() -> opsdx.Questionnaire:
    return opsdx.Questionnaire.from_yaml(TINY_YAML, name="tiny.yaml")


@pytest.fixture(scope="session")
def maturity() -> opsdx.Questionnaire:
    return opsdx.load_questionnaire("maturity")


def long_answers(table: dict[str, dict[str, object]], roles: dict[str, str] | None = None) -> pd.DataFrame:
    """``{respondent: {item_id: answer}}`` as a long frame."""
    rows = [
        {"respondent": r, "role": (roles or {}).get(r, "staff"), "item_id": i, "answer": a}
        for r, answers in table.items() for i, a in answers.items()
    ]
    return pd.DataFrame(rows)


def scale_actuals(folder, factor: float) -> None:
    """Rewrite ``folder/estimates.csv`` with every actual times ``factor`` (open rows stay blank).

    Northwind's actuals times 8 are days logged as hours: the unit mix-up the
    planning checks must catch.
    """
    path = folder / "estimates.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    actual = pd.to_numeric(frame["actual"], errors="coerce") * factor
    frame["actual"] = actual.map(lambda v: "" if pd.isna(v) else f"{v:g}")
    frame.to_csv(path, index=False)
