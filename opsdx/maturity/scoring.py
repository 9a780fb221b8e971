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
import warnings
from dataclasses import dataclass, field
from typing import Callable, Mapping, Union

import numpy as np
import pandas as pd

from ..errors import DataError, OpsdxError, Problem, ProblemLog
from ..output import json_safe
from .questionnaire import Questionnaire, load_questionnaire
from .responses import STATUSES, read_responses

STATUSES_ALLOWED = frozenset(STATUSES)

__all__ = ["score_maturity", "MaturityResult", "simulate_responses", "stage_from_attainment",
           "STAGES"]

#: The stages that items are attached to; stage 1 is the floor.
STAGES = (2, 3, 4, 5)

#: Coverage warnings: share of N/A per item, share skipped per item or respondent.
NA_WARN_SHARE = 0.5
SKIP_WARN_SHARE = 0.3
#: Fewer respondents than this makes a warning about the bootstrap.
FEW_RESPONDENTS = 5
#: A stage resting on fewer scored items than this makes a warning.
FEW_ITEMS = 3
#: Tolerance for "meets the threshold", so that an attainment of exactly
#: 0.75 computed in floating point counts as meeting 0.75.
_TOL = 1e-9
#: Upper bound on the number of floats in one block of the bootstrap.
_BLOCK = 4_000_000

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
    met = np.nan_to_num(a, nan=-1.0) >= threshold - _TOL
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


def _onehot(labels, groups) -> np.ndarray:
    """(n_items, n_groups) indicator matrix of each item's group."""
    return (np.asarray(labels)[:, None] == np.asarray(list(groups))[None, :]).astype(float)


def _weighted_group_means(scores: np.ndarray, weights: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """Weighted mean of item scores per group, ignoring NaN: (..., I) -> (..., G).

    ``weights`` is (I,) or broadcastable to ``scores``; a group without any
    scored item is NaN.
    """
    present = ~np.isnan(scores)
    num = np.where(present, scores * weights, 0.0) @ onehot
    den = np.where(present, weights, 0.0) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _weighted_stage_means(scores: np.ndarray, weights: np.ndarray, stage_pos: np.ndarray) -> np.ndarray:
    """Attainment of stages 2..5 from item scores (..., I) -> (..., 4)."""
    return _weighted_group_means(scores, weights, _onehot(stage_pos, range(len(STAGES))))


@dataclass(eq=False)
class MaturityResult:
    """The scored assessment; see :func:`score_maturity` for how each part is computed.

    Attributes
    ----------
    stage : int
        Staged (gated) maturity stage, 1..5.
    stage_name : str
    index : float
        Continuous maturity index in [1, 5]; ``floor(index) == stage``.
    index_ci : tuple of float
        Bootstrap percentile interval of the index at level ``params["ci"]``.
    stage_probabilities : Series
        Index 1..5, sums to 1: the share of bootstrap resamples at each stage.
    attainment : DataFrame
        Per stage 2..5: ``attainment``, its interval, ``met``, item counts.
    item_scores : DataFrame
        Per item: aggregated normalised score (0 worst .. 1 best, reverse items
        flipped), weight and answer counts.
    dimensions : DataFrame
        Per dimension: ``score`` over all its items and ``score_to_next`` over
        the items of stages up to the next one, each with an interval from
        resampling respondents (NaN with a single respondent),
        ``n_items``, Cronbach's ``alpha`` and the respondents it used
        (``alpha_n``).
    profile : DataFrame
        Dimension x stage weighted scores (for a heatmap).
    blockers : DataFrame
        Items keeping the next stage from being reached, by ``gap x weight``.
    agreement : DataFrame
        Per item: ``n`` answers, ``mean_score`` (0..1, reverse items flipped),
        the spread of the answers as given on the scale (``sd_answer``,
        ``min_answer``, ``max_answer``: not flipped), ``rwg`` against a uniform
        null, and the largest gap between roles' mean scores (``role_gap``,
        0..1, from ``role_low`` to ``role_high``).
    role_scores : DataFrame
        Per role, highest first: respondents, ``overall`` (weighted mean score
        of all items) and the attainment of each stage as that role sees it.
    coverage : DataFrame
        Per item: counts and shares of answered, n/a and skipped.
    warnings : list of str
        Coverage and reliability warnings in plain words.
    params : dict
        The arguments the score was computed with.
    """

    stage: int
    stage_name: str
    index: float
    index_ci: tuple
    stage_probabilities: pd.Series
    attainment: pd.DataFrame
    item_scores: pd.DataFrame
    dimensions: pd.DataFrame
    profile: pd.DataFrame
    blockers: pd.DataFrame
    agreement: pd.DataFrame
    role_scores: pd.DataFrame
    coverage: pd.DataFrame
    warnings: list = field(default_factory=list)
    params: dict = field(default_factory=dict)
    n_respondents: int = 0
    questionnaire: str = ""

    def perception_gaps(self, min_gap: float = 0.25) -> pd.DataFrame:
        """Items on which two roles see the practice at least ``min_gap`` apart.

        Scores are on the 0..1 scale, so the default 0.25 is one step of a
        five-option scale. Leadership rating a practice far above the people
        who do the work is itself a sign of heroics: the practice exists in
        the leaders' view of how work should happen, not in how it happens.
        """
        gaps = self.agreement[self.agreement["role_gap"] >= min_gap - _TOL]
        return (gaps[["item_id", "role_high", "role_low", "role_gap", "n"]]
                .sort_values(["role_gap", "item_id"], ascending=[False, True])
                .reset_index(drop=True))

    @property
    def stage_probability(self) -> float:
        """Bootstrap probability of the reported stage."""
        return float(self.stage_probabilities.loc[self.stage])

    def summary(self) -> pd.DataFrame:
        """One row per stage 1..5.

        Columns: ``stage``, ``name``, ``attainment`` (weighted mean item score,
        0..1) with its bootstrap interval ``attainment_ci_low`` /
        ``attainment_ci_high`` (level ``params["ci"]``), ``met`` (attainment at
        or above the threshold), ``reached`` (this stage and every one below
        met), ``p_at_stage`` (bootstrap probability that the organisation is at
        exactly this stage) and ``p_at_least`` (at this stage or above).

        Stage 1 is the floor: it has no items, its attainment is NaN and it is
        always met and reached.
        """
        att = self.attainment.set_index("stage")
        names = self.params.get("stage_names", {})
        frame = pd.DataFrame({
            "stage": range(1, 6),
            "name": [names.get(s, "") for s in range(1, 6)],
            "attainment": att["attainment"].reindex(range(1, 6)).to_numpy(),
            "attainment_ci_low": att["ci_low"].reindex(range(1, 6)).to_numpy(),
            "attainment_ci_high": att["ci_high"].reindex(range(1, 6)).to_numpy(),
            "met": att["met"].reindex(range(1, 6), fill_value=True).astype(bool).to_numpy(),
            "reached": [s <= self.stage for s in range(1, 6)],
            "p_at_stage": self.stage_probabilities.reindex(range(1, 6)).to_numpy(),
            "p_at_least": self.stage_probabilities[::-1].cumsum()[::-1].reindex(range(1, 6)).to_numpy(),
        })
        return frame

    def headline(self) -> dict:
        """The figures an executive summary quotes (JSON-safe; None where not computed)."""
        return json_safe({"stage": self.stage, "stage_name": self.stage_name,
                          "stage_probability": self.stage_probability, "index": self.index,
                          "n_respondents": self.n_respondents})

    def to_dict(self) -> dict:
        """Headline figures as plain JSON-ready values (see :func:`opsdx.output.json_safe`)."""
        return json_safe({
            "questionnaire": self.questionnaire,
            "stage": self.stage, "stage_name": self.stage_name,
            "stage_probability": self.stage_probability, "index": self.index,
            "index_ci": list(self.index_ci), "stage_probabilities": self.stage_probabilities,
            "n_respondents": self.n_respondents,
            "blockers": self.blockers["item_id"].tolist(),
            "warnings": list(self.warnings),
            "params": {k: v for k, v in self.params.items() if k != "stage_names"},
        })

    def plot_profile(self, ax=None, *, kind: str = "bar"):
        """Per-dimension profile chart.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        kind : {"bar", "heatmap"}
            ``"bar"``: each dimension's score with its interval and the
            threshold; ``"heatmap"``: dimension x stage scores.

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(self.dimensions)), layout="constrained")
        threshold = self.params["threshold"]
        if kind == "heatmap":
            sns.heatmap(self.profile, vmin=0, vmax=1, cmap="RdYlGn", annot=True, fmt=".2f",
                        cbar_kws={"label": "score (0 to 1)"}, ax=ax)
            ax.set_xlabel("stage at which the practice is expected")
            ax.set_ylabel("")
        elif kind == "bar":
            dims = self.dimensions.sort_values("score_to_next")
            y = np.arange(len(dims))
            err = np.vstack([dims["score_to_next"] - dims["score_to_next_ci_low"],
                             dims["score_to_next_ci_high"] - dims["score_to_next"]])
            ax.barh(y, dims["score_to_next"], color=sns.color_palette("crest", 3)[1],
                    xerr=np.nan_to_num(err, nan=0.0), capsize=3)
            ax.set_yticks(y, dims["title"])
            ax.axvline(threshold, color="0.3", ls="--", lw=1, label=f"threshold {threshold:g}")
            ax.legend(loc="lower right", fontsize=8, frameon=False)
            ax.set_xlim(0, 1)
            upto = min(self.stage + 1, 5)
            span = f"stage {upto}" if upto == 2 else f"stages 2 to {upto}"
            ax.set_xlabel(f"score of the practices of {span}\n(0 = absent, 1 = always true)")
        else:
            raise ValueError(f"kind must be 'bar' or 'heatmap', not {kind!r}")
        ax.set_title(f"Stage {self.stage}: {self.stage_name}\n"
                     f"probability {_text_number(self.stage_probability)}, "
                     f"maturity index {self.index:.2f}", fontsize=10)
        return ax

    def _repr_html_(self) -> str:
        from html import escape

        lo, hi = self.index_ci
        head = (f"<p><b>Stage {self.stage}: {escape(self.stage_name)}</b> "
                f"(probability {self.stage_probability:.2f}); maturity index {self.index:.2f} "
                f"[{lo:.2f}, {hi:.2f}]; {self.n_respondents} respondents</p>")
        table = self.summary().to_html(index=False, float_format="{:.2f}".format, escape=True)
        notes = "".join(f"<li>{escape(w)}</li>" for w in self.warnings)
        return head + table + (f"<ul>{notes}</ul>" if notes else "")

    def __repr__(self) -> str:
        lo, hi = self.index_ci
        lines = [
            f"<MaturityResult stage {self.stage} ({self.stage_name}), "
            f"probability {_text_number(self.stage_probability)}; index {self.index:.2f} "
            f"[{lo:.2f}, {hi:.2f}]; {self.n_respondents} "
            f"respondent{'s' if self.n_respondents != 1 else ''}>",
        ]
        if len(self.blockers):
            lines.append("  blockers: " + _listing(self.blockers["item_id"], limit=5))
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _text_number(value: float) -> str:
    return "not computed" if np.isnan(value) else f"{value:.2f}"


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
    7. Agreement: ``rwg = 1 - s^2 / sigma_EU^2``, with ``s^2`` the variance of
       the answers' option positions (1..A) and ``sigma_EU^2 = (A^2 - 1) / 12``
       the variance of a uniform choice among A options (James, Demaree and
       Wolf 1984), truncated at 0. Cronbach's alpha per dimension uses the
       items answered by at least ``min_respondents_alpha`` respondents and
       the respondents who answered all of them.

    References
    ----------
    Stages: "Systems, Not Heroes" (seed 002). Staged scoring as in CMMI.
    James, L. R., Demaree, R. G. and Wolf, G. (1984), Estimating within-group
    interrater reliability with and without response bias, J. Appl. Psych. 69.

    Examples
    --------
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

    item_score = _quiet(agg, X, 0)
    att = _weighted_stage_means(item_score, weight, stage_pos)
    stage, index = stage_from_attainment(att, threshold)
    stage, index = int(stage), float(index)

    if bootstrap == "auto":  # see the bootstrap parameter for why
        mode = "items" if R == 1 else "both" if R < FEW_RESPONDENTS else "respondents"
    else:
        mode = bootstrap
    if mode not in {"respondents", "items", "both"}:
        raise OpsdxError(f"bootstrap must be 'auto', 'respondents', 'items' or 'both', not {bootstrap!r}")
    boot_items, boot_att = _bootstrap(X, item_score, weight, stage_pos, agg, rng, n_boot, mode)
    b_stage, b_index = stage_from_attainment(boot_att, threshold)

    if n_boot:
        probs = pd.Series(np.bincount(b_stage, minlength=6)[1:] / n_boot, index=range(1, 6))
        lo_q, hi_q = (1 - ci) / 2, 1 - (1 - ci) / 2
        index_ci = tuple(float(v) for v in np.quantile(b_index, [lo_q, hi_q]))
        att_lo, att_hi = _quiet(lambda a, axis: np.nanquantile(a, [lo_q, hi_q], axis=axis), boot_att, 0)
    else:  # no bootstrap, no uncertainty to state
        probs = pd.Series(np.nan, index=range(1, 6))
        index_ci = (np.nan, np.nan)
        att_lo = att_hi = np.full(len(STAGES), np.nan)
    probs.index.name = "stage"

    counts = (responses.assign(n=1).pivot_table(index="item_id", columns="status", values="n",
                                                aggfunc="sum", observed=False, fill_value=0)
              .reindex(index=q.items["item_id"], columns=["answered", "n/a", "skipped"], fill_value=0))
    item_scores = items[["item_id", "stage", "dimension", "reverse"]].assign(
        weight=weight, score=item_score,
        n_answered=counts.reindex(items["item_id"])["answered"].to_numpy())

    attainment = pd.DataFrame({
        "stage": list(STAGES), "name": [q.stage_names[s] for s in STAGES],
        "attainment": att, "ci_low": att_lo, "ci_high": att_hi,
        "met": np.nan_to_num(att, nan=-1) >= threshold - _TOL,
        "n_items": items.groupby("stage").size().reindex(STAGES, fill_value=0).to_numpy(),
        "n_items_answered": item_scores.assign(a=item_scores["n_answered"] > 0)
        .groupby("stage")["a"].sum().reindex(STAGES, fill_value=0).to_numpy(),
    })

    dimensions, profile = _dimensions(q, items, X, item_score, boot_items, weight, ci,
                                      min_respondents_alpha, mode, stage)
    blockers = _blockers(q, item_scores, stage, threshold)
    agreement = _agreement(scored, q)
    role_scores = _role_scores(scored, items, weight, stage_pos, agg, q)
    coverage = counts.assign(total=counts.sum(axis=1))
    for col in ["answered", "n/a", "skipped"]:
        coverage[f"share_{col.replace('/', '')}"] = coverage[col] / coverage["total"].where(coverage["total"] > 0)
    coverage = coverage.reset_index()
    coverage.columns.name = None
    left_out = [r for r, scored_any in zip(respondents, has_score) if not scored_any]
    coverage_warnings = _warnings(responses, coverage, attainment, item_scores, boot_att,
                                  threshold, R, mode, left_out)

    return MaturityResult(
        stage=stage, stage_name=q.stage_names[stage], index=index, index_ci=index_ci,
        stage_probabilities=probs, attainment=attainment, item_scores=item_scores,
        dimensions=dimensions, profile=profile, blockers=blockers, agreement=agreement,
        role_scores=role_scores, coverage=coverage, warnings=coverage_warnings,
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


def _quiet(fn, *args):
    """Call ``fn`` without numpy's warnings about empty slices (NaN is the answer there)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args)


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


def _bootstrap(X, item_score, weight, stage_pos, agg, rng, n_boot, mode):
    """Bootstrap item scores (n_boot, I) and stage attainments (n_boot, 4)."""
    R, I = X.shape
    if n_boot == 0:
        return np.empty((0, I)), np.empty((0, len(STAGES)))
    if mode in {"respondents", "both"}:
        block = max(1, _BLOCK // max(1, R * I))
        parts = []
        for start in range(0, n_boot, block):
            idx = rng.integers(0, R, size=(min(block, n_boot - start), R))
            parts.append(_quiet(agg, X[idx], 1))
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
        att = _weighted_stage_means(S_items, np.take(weight, cols), stage_pos)
        return S, att
    return S, _weighted_stage_means(S, weight, stage_pos)


def _dimensions(q, items, X, item_score, boot_items, weight, ci, min_alpha, mode, stage):
    dim_ids = q.dimensions["dimension"].tolist()
    onehot = _onehot(items["dimension"], dim_ids)
    # practices expected up to the next stage: what the roadmap is measured against
    upto_next = onehot * (items["stage"].to_numpy() <= min(stage + 1, 5))[:, None]
    quantiles = [(1 - ci) / 2, 1 - (1 - ci) / 2]
    columns = {}
    for name, mask in (("score", onehot), ("score_to_next", upto_next)):
        columns[name] = _weighted_group_means(item_score, weight, mask)
        if len(boot_items) and mode != "items":
            lo, hi = _quiet(lambda a, axis: np.nanquantile(a, quantiles, axis=axis),
                            _weighted_group_means(boot_items, weight, mask), 0)
        else:
            lo = hi = np.full(len(dim_ids), np.nan)
        columns[f"{name}_ci_low"], columns[f"{name}_ci_high"] = lo, hi

    alpha, alpha_n = [], []
    for d in dim_ids:
        sub = X[:, items["dimension"].to_numpy() == d]
        # items answered by fewer than min_alpha respondents would void the listwise alpha
        sub = sub[:, (~np.isnan(sub)).sum(axis=0) >= min_alpha]
        complete = sub[~np.isnan(sub).any(axis=1)]  # listwise: respondents who answered them all
        a = np.nan
        k = sub.shape[1]
        if k >= 2 and len(complete) >= min_alpha:
            total_var = complete.sum(axis=1).var(ddof=1)
            if total_var > 0:
                a = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_var)
                a = 0.0 if abs(a) < 1e-12 else a  # floating-point noise around zero
        alpha.append(a)
        alpha_n.append(len(complete))
    dims = q.dimensions[["dimension", "title"]].assign(
        **columns, n_items=onehot.sum(axis=0).astype(int), alpha=alpha, alpha_n=alpha_n)

    profile = (items.assign(score=item_score, w=weight, ws=item_score * weight)
               .assign(w=lambda f: f["w"].where(f["score"].notna()))
               .groupby(["dimension", "stage"])[["ws", "w"]].sum(min_count=1))
    profile = (profile["ws"] / profile["w"]).unstack("stage").reindex(index=dim_ids, columns=list(STAGES))
    profile.index = q.dimensions.set_index("dimension").loc[dim_ids, "title"].to_numpy()
    profile.index.name = "dimension"
    return dims, profile


def _blockers(q, item_scores, stage, threshold):
    columns = ["item_id", "stage", "dimension", "text", "reverse", "score", "gap", "weight",
               "priority", "recommendation", "mechanism"]
    if stage >= 5:
        return pd.DataFrame(columns=columns)
    nxt = stage + 1
    cand = item_scores[(item_scores["stage"] == nxt) & (item_scores["score"] < threshold - _TOL)]
    cand = cand.assign(gap=threshold - cand["score"])
    cand = cand.assign(priority=cand["gap"] * cand["weight"])
    meta = q.items.set_index("item_id")[["text", "recommendation", "mechanism"]]
    cand = cand.join(meta, on="item_id")
    return cand.sort_values(["priority", "item_id"], ascending=[False, True])[columns].reset_index(drop=True)


def _agreement(scored, q):
    """Per item: answers' spread on the scale as answered, rwg (uniform null), role gap."""
    items = q.items.set_index("item_id")
    ans = scored[scored["status"] == "answered"]
    # rwg's null variance (A^2 - 1) / 12 is for options 1..A: use each answer's option position
    position = pd.Series(np.nan, index=ans.index)
    for scale_id, scale in q.scales.items():
        on = ans["item_id"].map(items["scale"]) == scale_id
        if scale.numeric and on.any():
            position[on] = np.searchsorted(np.asarray(scale.values, float), ans.loc[on, "value"])
    g = ans.assign(position=position).groupby("item_id")
    out = pd.DataFrame({"n": g.size(), "mean_score": g["score"].mean(),
                        "sd_answer": g["value"].std(ddof=1), "min_answer": g["value"].min(),
                        "max_answer": g["value"].max(),
                        "var_position": g["position"].var(ddof=1)}).reindex(q.items["item_id"])
    out["n"] = out["n"].fillna(0).astype(int)
    n_options = items["scale"].map(lambda s: q.scales[s].n_options).reindex(out.index)
    rwg = 1.0 - out.pop("var_position") / ((n_options ** 2 - 1) / 12.0)
    out["rwg"] = rwg.clip(lower=0.0).where(out["n"] >= 2)

    by_role = ans.groupby(["item_id", "role"])["score"].mean().unstack("role")
    out["role_high"] = out["role_low"] = None
    out["role_gap"] = np.nan
    if by_role.shape[1] >= 2:
        gap = (by_role.max(axis=1) - by_role.min(axis=1)).where(by_role.notna().sum(axis=1) >= 2)
        shown = gap[gap > 0].index
        out.loc[shown, "role_high"] = by_role.loc[shown].idxmax(axis=1)
        out.loc[shown, "role_low"] = by_role.loc[shown].idxmin(axis=1)
        out["role_gap"] = gap
    out.insert(0, "reverse", items["reverse"].reindex(out.index).to_numpy())
    out.index.name = "item_id"
    return out.reset_index()


def _role_scores(scored, items, weight, stage_pos, agg, q):
    rows = []
    for role, sub in scored.groupby("role", sort=True):
        X = (sub.pivot_table(index="respondent", columns="item_id", values="score",
                             aggfunc="first", dropna=False)
             .reindex(columns=items["item_id"]).to_numpy(float))
        item_score = _quiet(agg, X, 0)
        att = _weighted_stage_means(item_score, weight, stage_pos)
        overall = _weighted_group_means(item_score, weight, np.ones((len(weight), 1)))[0]
        row = {"role": role, "n_respondents": X.shape[0], "overall": overall}
        row.update({f"stage_{s}": a for s, a in zip(STAGES, att)})
        rows.append(row)
    return pd.DataFrame(rows).sort_values("overall", ascending=False, ignore_index=True)


def _listing(names, limit: int = 8) -> str:
    names = [str(n) for n in names]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _warnings(responses, coverage, attainment, item_scores, boot_att, threshold, R, mode,
              left_out):
    """Plain-language warnings about coverage, evidence and the stability of the stage."""
    out = []
    if len(left_out):
        out.append(f"{len(left_out)} respondent(s) gave no scored answer and are left out of the "
                   f"score: {_listing(left_out)}")
    if R < FEW_RESPONDENTS:
        out.append(f"only {R} respondent{'s' if R != 1 else ''} with scored answers: the stage "
                   "probabilities rest on very little evidence of how much another set of "
                   "respondents could disagree")
    if 0 < len(boot_att) < 200:
        out.append(f"the stage probabilities come from only {len(boot_att)} bootstrap resamples "
                   "and are coarse (the default is 2000)")
    unanswered = coverage[coverage["answered"] == 0]
    if len(unanswered):
        out.append(f"{len(unanswered)} item(s) have no answer from any respondent: "
                   f"{_listing(unanswered['item_id'])}")
    answered = coverage[coverage["answered"] > 0]
    for column, share, what in (("share_na", NA_WARN_SHARE, "answered N/A"),
                                ("share_skipped", SKIP_WARN_SHARE, "skipped")):
        high = answered[answered[column] > share]
        if len(high):
            out.append(f"{len(high)} item(s) {what} by more than {share:.0%} of respondents: "
                       f"{_listing(high['item_id'])}")
    skip_by_resp = (responses["status"] == "skipped").groupby(responses["respondent"]).mean()
    heavy = skip_by_resp[(skip_by_resp > SKIP_WARN_SHARE) & ~skip_by_resp.index.isin(left_out)]
    if len(heavy):
        out.append(f"{len(heavy)} respondent(s) skipped more than {SKIP_WARN_SHARE:.0%} of items: "
                   f"{_listing(heavy.index)}")

    missing = attainment[attainment["n_items"] == 0]
    if len(missing):
        first = int(missing["stage"].iloc[0])
        out.append(f"the questionnaire has no scored item for stage {first}: "
                   f"the score cannot go above stage {first - 1}")
    empty = attainment[(attainment["n_items"] > 0) & (attainment["n_items_answered"] == 0)]
    if len(empty):
        out.append(f"stage(s) {_listing(empty['stage'])} have no scored answer and cannot be reached")
    thin = attainment[attainment["n_items_answered"].between(1, FEW_ITEMS - 1)]
    if len(thin):
        out.append("little evidence behind stage(s) "
                   + ", ".join(f"{r.stage} ({r.n_items_answered} answered item"
                               f"{'s' if r.n_items_answered > 1 else ''})" for r in thin.itertuples()))

    # a gate the organisation passes, but not in every resample: name what holds it up
    if len(boot_att):
        fails = (np.nan_to_num(boot_att, nan=-1.0) < threshold - _TOL).mean(axis=0)
        for pos, row in enumerate(attainment.itertuples()):
            if row.met and fails[pos] >= 0.05 and all(attainment["met"].iloc[:pos]):
                weak = (item_scores[item_scores["stage"] == row.stage]
                        .nsmallest(2, "score")["item_id"])
                out.append(f"stage {row.stage} is met (attainment {row.attainment:.2f}) but fails "
                           f"in {fails[pos]:.0%} of resamples; its weakest items: {_listing(weak)}")
    return out


# --------------------------------------------------------------------------- simulation

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
