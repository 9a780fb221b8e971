"""Scoring the five-stage maturity model.

The model (seed 002, "Systems, Not Heroes") has five cumulative stages:
single hero, first designed pod, first redesigned connection, first chain
running, multiple chains. Each questionnaire item names the stage (2..5) at
which its practice is expected; :func:`score_maturity` turns answers into

* a **staged** result, as CMMI does: stage *k* is reached only when every
  stage from 2 to *k* meets the threshold. A strong stage 4 built on a weak
  stage 2 is not credible, so it does not count;
* a **continuous index** in [1, 5] that shows partial progress towards the
  next stage and never contradicts the staged result (``floor(index) ==
  stage``);
* **uncertainty** from a bootstrap: the probability of each stage and a
  confidence interval for the index;
* the diagnostics a consultant needs next: blockers with recommendations,
  per-dimension profile, agreement between respondents and perception gaps by
  role, coverage and reliability.

See :func:`score_maturity` for the formulas.
"""

from __future__ import annotations

import numbers
from typing import Callable, Mapping, Union

import numpy as np
import pandas as pd

from ..errors import DataError, OpsdxError, Problem, ProblemLog
from ._common import STAGES, TOL, quiet, weighted_stage_means
from .bootstrap import bootstrap_mode, bootstrap_scores
from .diagnostics import (coverage_table, dimension_scores, find_blockers, item_agreement,
                          maturity_notes, scores_by_role, status_counts)
from .questionnaire import Questionnaire, load_questionnaire
from .responses import STATUSES, read_responses
from .result import MaturityResult

__all__ = ["score_maturity", "stage_from_attainment", "STAGES"]

STATUSES_ALLOWED = frozenset(STATUSES)

Aggregate = Union[str, Callable[..., np.ndarray]]


def stage_from_attainment(attainment: np.ndarray, threshold: float = 0.75):
    """Staged rule and continuous index from stage attainments, vectorised.

    Parameters
    ----------
    attainment : array of shape (..., 4)
        Attainment (0..1) of stages 2, 3, 4, 5 in the last axis; NaN where a
        stage could not be assessed (it then counts as not met).
    threshold : float
        The attainment a stage needs to be reached.

    Returns
    -------
    stage : int array of shape (...)
        ``1 + the number of leading stages that meet the threshold``.
    index : float array of shape (...)
        ``stage + attainment[next stage] / threshold`` below stage 5, and 5 at
        stage 5. The next stage's attainment is below the threshold by
        construction, so ``floor(index) == stage``.

    Examples
    --------
    >>> stage, index = stage_from_attainment(np.array([0.9, 0.3, 0.95, 1.0]))
    >>> int(stage), float(round(index, 4))
    (2, 2.4)
    >>> stage_from_attainment(np.array([[0.75, 0.8, 0.9, 0.6], [0.5, 1, 1, 1]]))[0]
    array([4, 1])
    """
    a = np.asarray(attainment, dtype=float)
    met = np.nan_to_num(a, nan=-1.0) >= threshold - TOL
    stage = 1 + np.cumprod(met, axis=-1).sum(axis=-1)
    nxt = np.clip(stage - 1, 0, a.shape[-1] - 1)  # position of the next stage in the last axis
    next_att = np.take_along_axis(a, np.expand_dims(nxt, -1), axis=-1)[..., 0]
    partial = np.where(stage < 5, np.nan_to_num(next_att, nan=0.0) / threshold, 0.0)
    index = np.clip(stage + np.minimum(partial, 1.0 - 1e-12), 1.0, 5.0)
    return stage, index


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)


def _aggregator(aggregate: Aggregate) -> Callable[[np.ndarray, int], np.ndarray]:
    if callable(aggregate):
        probe = np.array([[0.25, 0.5], [np.nan, 0.5], [0.75, 0.5]])
        try:
            result = np.asarray(aggregate(probe, 0), dtype=float)
        except Exception as exc:
            raise OpsdxError(f"aggregate must be called as f(x, axis): {exc}") from None
        if result.shape != (2,) or np.isnan(result).any():
            raise OpsdxError("aggregate must combine along the given axis and ignore NaN "
                             "(missing answers), as np.nanmean or np.nanmedian do")
        return aggregate
    if aggregate == "mean":
        return lambda x, axis: np.nanmean(x, axis=axis)
    if aggregate == "median":
        return lambda x, axis: np.nanmedian(x, axis=axis)
    raise OpsdxError(f"aggregate must be 'mean', 'median' or a callable f(x, axis), not {aggregate!r}")


def score_maturity(responses, questionnaire: Questionnaire | str = "maturity", *,
                   threshold: float = 0.75, seed: int | np.random.Generator = 0,
                   n_boot: int = 2000, weights: Mapping[str, float] | None = None,
                   aggregate: Aggregate = "mean", bootstrap: str = "auto",
                   ci: float = 0.90, min_respondents_alpha: int = 5) -> MaturityResult:
    """Place an organisation on the five maturity stages, with uncertainty.

    Parameters
    ----------
    responses : DataFrame or path
        The output of :func:`~opsdx.read_responses`; anything else is read
        with it first.
    questionnaire : Questionnaire or str
    threshold : float in (0, 1]
        Attainment a stage needs to be reached (default 0.75: "usually true"
        on the bundled 0..4 scale).
    seed : int or numpy Generator
        Seed of the bootstrap; the same seed gives identical results.
    n_boot : int
        Bootstrap resamples. 0 skips the bootstrap, for a fast point
        estimate: stage probabilities and intervals are then NaN.
    weights : mapping item_id -> weight, optional
        Overrides the questionnaire's item weights (only the items named).
    aggregate : {"mean", "median"} or callable
        How an item's answers are combined across respondents; a callable
        gets ``(array, axis)`` with NaN for missing answers.
    bootstrap : {"auto", "respondents", "items", "both"}
        What is resampled: respondents, items within each stage, or both.
        ``"auto"`` resamples respondents when there are at least five, both
        respondents and items with two to four, and items with one. With
        fewer than five respondents a bootstrap over respondents alone is
        over-confident (``bench/recovery.py --respondents 3-3 --scenario
        hard`` measures it); adding the item resampling brings the stated
        probabilities back in line with how often they are right.
    ci : float
        Level of the percentile intervals.
    min_respondents_alpha : int
        Respondents needed for Cronbach's alpha: an item joins a dimension's
        alpha when at least this many answered it, and the alpha is given when
        at least this many answered all those items.

    Returns
    -------
    MaturityResult

    Notes
    -----
    1. Each answer on a numeric scale is normalised to ``(value - min) / (max
       - min)``; a reverse-keyed item is flipped (``1 - score``), so that 1 is
       always the best practice. *N/A* and skipped answers are excluded.
    2. An item's score aggregates its respondents' scores (``aggregate``).
    3. A stage's attainment is the weighted mean of the scores of its items
       that have at least one answer.
    4. Stage *k* (2..5) is reached when every stage 2..*k* has attainment >=
       ``threshold``; stage 1 is the floor. A stage without any answered item
       cannot be reached.
    5. ``index = stage + attainment(stage + 1) / threshold`` below stage 5,
       and 5 at stage 5: a stage's progress shows only once every stage under
       it is met (the gating of step 4), and raising any answer towards better
       practice never lowers it.
    6. The bootstrap (see ``bootstrap``) repeats steps 2-5 on ``n_boot``
       resamples; the stage probabilities are the shares of resamples at each
       stage and the index interval is the percentile interval. Respondents
       without any scored answer are left out of it (and named in a warning).
    7. Agreement (:func:`~opsdx.maturity.rwg`): ``rwg = 1 - s^2 / sigma_EU^2``,
       with ``s^2`` the variance of the answers' option positions (1..A) and
       ``sigma_EU^2 = (A^2 - 1) / 12`` the variance of a uniform choice among
       A options (James, Demaree and Wolf 1984), truncated at 0. Cronbach's
       alpha per dimension (:func:`~opsdx.maturity.cronbach_alpha`, Cronbach
       1951) uses the items answered by at least ``min_respondents_alpha``
       respondents and the respondents who answered all of them.

    References
    ----------
    Stages: "Systems, Not Heroes" (seed 002). Staged scoring as in CMMI.
    James, L. R., Demaree, R. G. and Wolf, G. (1984), Estimating within-group
    interrater reliability with and without response bias, J. Appl. Psych. 69.
    Cronbach, L. J. (1951), Coefficient alpha and the internal structure of
    tests, Psychometrika 16(3).

    Examples
    --------
    >>> from opsdx.maturity import simulate_responses
    >>> answers = simulate_responses("maturity", stage=3, n_respondents=6, seed=1)
    >>> result = score_maturity(answers, "maturity", seed=0, n_boot=500)
    >>> result.stage, result.stage_name
    (3, 'First redesigned connection')
    >>> float(result.stage_probabilities.sum())
    1.0
    """
    q = load_questionnaire(questionnaire)
    if not isinstance(responses, pd.DataFrame) or "status" not in responses.columns:
        responses = read_responses(responses, q)
    elif responses.attrs.get("questionnaire") not in (None, q.id):
        raise OpsdxError(f"these answers were read for questionnaire "
                         f"{responses.attrs['questionnaire']!r}, not {q.id!r}")
    else:
        _check_tidy(responses, q)  # edited or combined after reading: check again
    if not (_is_real(threshold) and 0 < threshold <= 1):
        raise OpsdxError(f"threshold must be a number in (0, 1], not {threshold!r}")
    if not (_is_real(ci) and 0 < ci < 1):
        raise OpsdxError(f"ci must be a number in (0, 1), not {ci!r}")
    if not (isinstance(n_boot, numbers.Integral) and not isinstance(n_boot, bool) and n_boot >= 0):
        raise OpsdxError(f"n_boot must be a whole number >= 0, not {n_boot!r}")
    agg = _aggregator(aggregate)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    items = q.items[q.items["scored"]].sort_values("stage", kind="stable").reset_index(drop=True)
    weight = _weights(q, items, weights)
    stage_pos = items["stage"].to_numpy() - 2

    # respondents x items matrix of normalised scores (NaN = not answered); respondents in
    # sorted order, so that the same answers give the same bootstrap whatever their row order
    scored = _normalised(responses, q)
    respondents = sorted(pd.unique(responses["respondent"]), key=str)
    X = (scored.pivot_table(index="respondent", columns="item_id", values="score",
                            aggfunc="first", dropna=False)
         .reindex(index=respondents, columns=items["item_id"]).to_numpy(float))
    has_score = ~np.isnan(X).all(axis=1)
    if not has_score.any():
        raise DataError([Problem(
            responses.attrs.get("source") or "<answers>",
            "nothing to score: every answer is N/A, skipped or on a scale without numeric values",
            expected="at least one answer on a numeric scale")])
    X = X[has_score]  # respondents without a scored answer carry no evidence to resample
    R = X.shape[0]

    item_score = quiet(agg, X, 0)
    att = weighted_stage_means(item_score, weight, stage_pos)
    stage, index = stage_from_attainment(att, threshold)
    stage, index = int(stage), float(index)

    mode = bootstrap_mode(bootstrap, R)  # see the bootstrap parameter for why
    boot_items, boot_att = bootstrap_scores(X, item_score, weight, stage_pos, agg, rng, n_boot,
                                            mode)
    b_stage, b_index = stage_from_attainment(boot_att, threshold)

    if n_boot:
        probs = pd.Series(np.bincount(b_stage, minlength=6)[1:] / n_boot, index=range(1, 6))
        lo_q, hi_q = (1 - ci) / 2, 1 - (1 - ci) / 2
        index_ci = tuple(float(v) for v in np.quantile(b_index, [lo_q, hi_q]))
        att_lo, att_hi = quiet(lambda a, axis: np.nanquantile(a, [lo_q, hi_q], axis=axis), boot_att, 0)
    else:  # no bootstrap, no uncertainty to state
        probs = pd.Series(np.nan, index=range(1, 6))
        index_ci = (np.nan, np.nan)
        att_lo = att_hi = np.full(len(STAGES), np.nan)
    probs.index.name = "stage"

    counts = status_counts(responses, q)
    item_scores = items[["item_id", "stage", "dimension", "reverse"]].assign(
        weight=weight, score=item_score,
        n_answered=counts.reindex(items["item_id"])["answered"].to_numpy())

    attainment = pd.DataFrame({
        "stage": list(STAGES), "name": [q.stage_names[s] for s in STAGES],
        "attainment": att, "ci_low": att_lo, "ci_high": att_hi,
        "met": np.nan_to_num(att, nan=-1) >= threshold - TOL,
        "n_items": items.groupby("stage").size().reindex(STAGES, fill_value=0).to_numpy(),
        "n_items_answered": item_scores.assign(a=item_scores["n_answered"] > 0)
        .groupby("stage")["a"].sum().reindex(STAGES, fill_value=0).to_numpy(),
    })

    dimensions, profile = dimension_scores(q, items, X, item_score, boot_items, weight, ci,
                                           min_respondents_alpha, mode, stage)
    blockers = find_blockers(q, item_scores, stage, threshold)
    agreement = item_agreement(scored, q)
    role_scores = scores_by_role(scored, items, weight, stage_pos, agg)
    coverage = coverage_table(counts)
    left_out = [r for r, scored_any in zip(respondents, has_score) if not scored_any]
    notes = maturity_notes(responses, coverage, attainment, item_scores, boot_att, threshold,
                             R, left_out)

    return MaturityResult(
        stage=stage, stage_name=q.stage_names[stage], index=index, index_ci=index_ci,
        stage_probabilities=probs, attainment=attainment, item_scores=item_scores,
        dimensions=dimensions, profile=profile, blockers=blockers, agreement=agreement,
        role_scores=role_scores, coverage=coverage, notes=notes,
        params={"threshold": threshold,
                "seed": int(seed) if isinstance(seed, numbers.Integral) else None,
                "n_boot": n_boot, "aggregate": aggregate if isinstance(aggregate, str) else "custom",
                "bootstrap": mode, "ci": ci, "stage_names": q.stage_names},
        n_respondents=R, questionnaire=q.id,
    )


def _check_tidy(responses: pd.DataFrame, q: Questionnaire) -> None:
    """Check a frame that claims to be read_responses' output (it may have been edited)."""
    file = responses.attrs.get("source") or "<answers>"
    log = ProblemLog(file)
    required = ["respondent", "role", "item_id", "value", "status"]
    missing = [c for c in required if c not in responses.columns]
    for col in missing:
        log.add("required column is missing", column=col,
                expected="the frame read_responses returns (columns " + ", ".join(required) + ")")
    log.raise_if_any()
    items = q.items.set_index("item_id")
    unknown = ~responses["item_id"].isin(items.index)
    log.add_rows("unknown item id", responses.index[unknown].to_series(),
                 responses.loc[unknown, "item_id"], column="item_id",
                 expected=f"an item id of questionnaire {q.id!r}")
    bad_status = ~responses["status"].astype(str).isin(STATUSES_ALLOWED)
    log.add_rows("unknown status", responses.index[bad_status].to_series(),
                 responses.loc[bad_status, "status"], column="status",
                 expected="answered, n/a or skipped")
    dup = responses.duplicated(["respondent", "item_id"], keep="first")
    log.add_rows("more than one answer for this respondent and item (frames of several "
                 "clients combined?)", responses.index[dup].to_series(),
                 responses.loc[dup, "item_id"], column="item_id",
                 expected="one row per respondent and item")
    answered = (responses["status"].astype(str) == "answered") & ~unknown
    for scale_id, scale in q.scales.items():
        on = answered & (responses["item_id"].map(items["scale"]) == scale_id)
        if not (scale.numeric and on.any()):
            continue
        values = responses.loc[on, "value"].to_numpy(float)
        ok = np.isclose(values[:, None], np.asarray(scale.values, float)[None, :]).any(axis=1)
        off = responses.index[on][~ok]
        log.add_rows("value is not on the item's scale", off.to_series(),
                     responses.loc[off, "value"], column="value",
                     expected="one of " + ", ".join(f"{v:g}" for v in scale.values))
    log.raise_if_any()


def _weights(q: Questionnaire, items: pd.DataFrame, weights) -> np.ndarray:
    """Item weights in ``items`` order: the questionnaire's, overridden by ``weights``."""
    w = items.set_index("item_id")["weight"].astype(float)
    if not weights:
        return w.to_numpy()
    problems = []
    for item, value in weights.items():
        if item not in set(q.items["item_id"]):
            problems.append(f"{item!r} is not an item of questionnaire {q.id!r}")
        elif item not in w.index:
            problems.append(f"{item!r} is on a scale without numeric values and is not scored")
        elif isinstance(value, bool) or not (isinstance(value, numbers.Real)
                                             and np.isfinite(value) and value > 0):
            problems.append(f"{item!r}: weight {value!r} is not a positive finite number")
        else:
            w[item] = float(value)
    if problems:
        raise OpsdxError("bad weights: " + "; ".join(problems))
    return w.to_numpy()


def _normalised(responses: pd.DataFrame, q: Questionnaire) -> pd.DataFrame:
    """Answers with a ``score`` column: 0..1, reverse items flipped, NaN unless answered."""
    items = q.items.set_index("item_id")
    lo = items["scale"].map(lambda s: q.scales[s].min if q.scales[s].numeric else np.nan)
    hi = items["scale"].map(lambda s: q.scales[s].max if q.scales[s].numeric else np.nan)
    r = responses.copy()
    iid = r["item_id"]
    score = (r["value"] - iid.map(lo)) / (iid.map(hi) - iid.map(lo))
    score = score.where(~iid.map(items["reverse"]).astype(bool), 1.0 - score)
    r["score"] = score.where(r["status"] == "answered")
    return r
