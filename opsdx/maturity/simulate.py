"""Answers simulated from an organisation whose stage is known.

:func:`simulate_responses` serves recovery tests (``bench/recovery.py``),
power analysis (how many respondents a given confidence needs) and
demonstrations.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import OpsdxError
from .questionnaire import Questionnaire, load_questionnaire

__all__ = ["simulate_responses"]


def simulate_responses(questionnaire: Questionnaire | str = "maturity", *, stage: int,
                       n_respondents: int = 8, seed: int | np.random.Generator = 0,
                       roles: Mapping[str, float] | None = None, noise: float = 0.12,
                       rater_sd: float = 0.07, item_sd: float = 0.08,
                       reached_level: float = 0.88, next_level: float = 0.45,
                       beyond_level: float = 0.18, p_na: float = 0.02,
                       p_skip: float = 0.02, labels: bool = True) -> pd.DataFrame:
    """Simulate answers from an organisation whose true stage is known.

    The organisation's practice level of each item (0..1) is drawn around
    ``reached_level`` for stages up to ``stage``, ``next_level`` for the next
    stage and ``beyond_level`` above it (spread ``item_sd``). Each respondent
    perceives it with a personal bias (``rater_sd``) plus their role's offset
    (``roles``: role -> offset, e.g. leadership rating practices higher) plus
    answer noise (``noise``); the perceived level is rounded onto the scale,
    and reverse-keyed items are answered on the flipped scale. Some answers are
    N/A or skipped.

    Useful for recovery tests, power analysis (how many respondents are
    needed for a given confidence) and demonstrations.

    Returns
    -------
    DataFrame
        Long answers (``respondent, role, item_id, answer``) that
        :func:`~opsdx.read_responses` accepts; ``attrs["true_stage"]`` holds
        ``stage``.
    """
    q = load_questionnaire(questionnaire)
    if stage not in range(1, 6):
        raise OpsdxError(f"stage must be 1..5, not {stage!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    roles = dict(roles or {"leadership": 0.08, "manager": 0.03, "staff": -0.03})
    items = q.items[q.items["scored"]].reset_index(drop=True)
    level_by_stage = np.where(items["stage"] <= stage, reached_level,
                              np.where(items["stage"] == stage + 1, next_level, beyond_level))
    practice = np.clip(level_by_stage + rng.normal(0, item_sd, len(items)), 0, 1)

    # each role once, then roles at random: a sample's role mix varies as a real one would
    role_names = list(roles)
    role_of = (role_names[:n_respondents]
               + list(rng.choice(role_names, max(0, n_respondents - len(role_names)))))
    offset = np.array([roles[r] for r in role_of]) + rng.normal(0, rater_sd, n_respondents)
    perceived = practice[None, :] + offset[:, None] + rng.normal(0, noise, (n_respondents, len(items)))
    perceived = np.clip(perceived, 0, 1)
    agree = np.where(items["reverse"].to_numpy()[None, :], 1 - perceived, perceived)

    # onto each item's scale
    answers = np.empty(agree.shape, dtype=object)
    for scale_id, scale in q.scales.items():
        cols = np.flatnonzero(items["scale"].to_numpy() == scale_id)
        if not len(cols):
            continue
        k = np.rint(agree[:, cols] * (scale.n_options - 1)).astype(int)
        choices = np.array(scale.labels if labels else [f"{v:g}" for v in scale.values], dtype=object)
        answers[:, cols] = choices[k]
    u = rng.random(agree.shape)
    allow_na = items["allow_na"].to_numpy()[None, :]
    answers = np.where((u < p_na) & allow_na, q.na_labels[0], answers)
    answers = np.where((u >= p_na) & (u < p_na + p_skip), "", answers)

    frame = pd.DataFrame({
        "respondent": np.repeat([f"R{i + 1:02d}" for i in range(n_respondents)], len(items)),
        "role": np.repeat(role_of, len(items)),
        "item_id": np.tile(items["item_id"].to_numpy(), n_respondents),
        "answer": answers.ravel(),
    })
    frame.attrs["true_stage"] = stage
    return frame
