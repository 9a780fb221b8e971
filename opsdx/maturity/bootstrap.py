"""The bootstrap of the maturity score: what is resampled, and the resampled scores.

Three schemes (the ``bootstrap`` argument of :func:`~opsdx.maturity.score_maturity`):

``"respondents"``
    respondents drawn with replacement, every item's score aggregated again;
``"items"``
    within each stage, the items that have answers drawn with replacement;
``"both"``
    respondents first, then items within the resampled scores.

``"auto"`` resamples respondents when there are at least five, both with two
to four, and items with one: with few respondents a bootstrap over
respondents alone is over-confident (``bench/recovery.py --respondents 3-3
--scenario hard`` measures it).
"""

from __future__ import annotations

import numpy as np

from ..errors import OpsdxError
from ._common import FEW_RESPONDENTS, STAGES, quiet, weighted_stage_means

__all__ = ["bootstrap_mode", "bootstrap_scores", "MODES"]

#: The schemes a bootstrap can resample by.
MODES = ("respondents", "items", "both")
#: Upper bound on the number of floats in one block of the bootstrap.
_BLOCK = 4_000_000


def bootstrap_mode(bootstrap: str, n_respondents: int) -> str:
    """The scheme of :data:`MODES` that ``bootstrap`` means with ``n_respondents``."""
    if bootstrap == "auto":  # see the module's docstring for why
        return ("items" if n_respondents == 1 else
                "both" if n_respondents < FEW_RESPONDENTS else "respondents")
    if bootstrap not in MODES:
        raise OpsdxError(f"bootstrap must be 'auto', 'respondents', 'items' or 'both', not {bootstrap!r}")
    return bootstrap


def bootstrap_scores(X, item_score, weight, stage_pos, agg, rng, n_boot, mode):
    """Bootstrap item scores (n_boot, I) and stage attainments (n_boot, 4).

    ``X`` is the respondents x items matrix of scores (NaN where not
    answered), ``item_score`` its aggregate per item, ``agg(x, axis)`` the
    aggregation and ``stage_pos`` each item's stage as 0..3.
    """
    R, I = X.shape
    if n_boot == 0:
        return np.empty((0, I)), np.empty((0, len(STAGES)))
    if mode in {"respondents", "both"}:
        block = max(1, _BLOCK // max(1, R * I))
        parts = []
        for start in range(0, n_boot, block):
            idx = rng.integers(0, R, size=(min(block, n_boot - start), R))
            parts.append(quiet(agg, X[idx], 1))
        S = np.vstack(parts)
    else:
        S = np.broadcast_to(item_score, (n_boot, I)).copy()
    if mode in {"items", "both"}:
        # resample, with replacement within each stage, the items that have answers (as the
        # point estimate does); unanswered items stay in place, NaN, and count for nothing
        cols = np.broadcast_to(np.arange(I), (n_boot, I)).copy()
        answered = ~np.isnan(item_score)
        for pos in range(len(STAGES)):
            members = np.flatnonzero((stage_pos == pos) & answered)
            if len(members):
                cols[:, members] = members[rng.integers(0, len(members), size=(n_boot, len(members)))]
        S_items = np.take_along_axis(S, cols, axis=1)
        # gathered columns stay within their stage, so stage_pos still applies
        att = weighted_stage_means(S_items, np.take(weight, cols), stage_pos)
        return S, att
    return S, weighted_stage_means(S, weight, stage_pos)
