"""What the modules of :mod:`opsdx.maturity` share: the stages, weighted means, wording."""

from __future__ import annotations

import warnings

import numpy as np

#: The stages that items are attached to; stage 1 is the floor.
STAGES = (2, 3, 4, 5)
#: Fewer respondents than this makes a note about the bootstrap (and the "auto"
#: bootstrap resamples items as well).
FEW_RESPONDENTS = 5
#: Tolerance for "meets the threshold", so that an attainment of exactly
#: 0.75 computed in floating point counts as meeting 0.75.
TOL = 1e-9


def quiet(fn, *args):
    """Call ``fn`` without numpy's warnings about empty slices (NaN is the answer there)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args)


def onehot(labels, groups) -> np.ndarray:
    """(n_items, n_groups) indicator matrix of each item's group."""
    return (np.asarray(labels)[:, None] == np.asarray(list(groups))[None, :]).astype(float)


def weighted_group_means(scores: np.ndarray, weights: np.ndarray,
                         membership: np.ndarray) -> np.ndarray:
    """Weighted mean of item scores per group, ignoring NaN: (..., I) -> (..., G).

    ``weights`` is (I,) or broadcastable to ``scores``; ``membership`` is the
    (I, G) matrix of :func:`onehot`; a group without any scored item is NaN.
    """
    present = ~np.isnan(scores)
    num = np.where(present, scores * weights, 0.0) @ membership
    den = np.where(present, weights, 0.0) @ membership
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def weighted_stage_means(scores: np.ndarray, weights: np.ndarray, stage_pos: np.ndarray) -> np.ndarray:
    """Attainment of stages 2..5 from item scores (..., I) -> (..., 4)."""
    return weighted_group_means(scores, weights, onehot(stage_pos, range(len(STAGES))))


def listing(names, limit: int = 8) -> str:
    """``names`` joined with commas, the first ``limit`` of them and how many more."""
    names = [str(n) for n in names]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def text_number(value: float) -> str:
    """A probability or score with two decimals, "not computed" when NaN."""
    return "not computed" if np.isnan(value) else f"{value:.2f}"
