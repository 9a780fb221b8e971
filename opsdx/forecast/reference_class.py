"""The outside view: reference-class forecasting from past estimates and actuals.

The planning fallacy (Kahneman and Tversky 1979; Lovallo and Kahneman 2003)
makes inside-view estimates systematically optimistic, typically by 30 to
100% (seed 003). The outside view corrects an estimate with the distribution
of outcomes of a reference class of similar past work: here the ratios
``r = actual / estimate`` of finished items. A P80 forecast is the estimate
times the 80th percentile of ``r``: in the past, 80% of similar items finished
within that budget.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import OpsdxError, OpsdxWarning, SmallSampleWarning
from ..notes import Note
from .estimates import finished_ratios

__all__ = ["ReferenceClass", "PublishedReferenceClass", "published_class", "weighted_quantile",
           "PUBLISHED"]

#: Relative tolerance for "finished exactly on estimate".
_ON_ESTIMATE = 1e-9


def weighted_quantile(sorted_values: np.ndarray, sorted_weights: np.ndarray, p) -> np.ndarray:
    """Quantiles of weighted data: type 7 with equal weights, Hazen's rule otherwise.

    With equal weights this is numpy's default, Hyndman-Fan type 7, exactly.
    With unequal weights (recency weighting, say), items of zero weight are
    left out and each remaining item sits at the centre of its share of the
    total weight, ``(S_k - w_k / 2) / S_n`` (``S`` the running sum): the
    weighted form of Hazen's rule (type 5). Quantiles interpolate linearly
    between these positions and stay at the smallest or largest value beyond
    them. The rule is symmetric (mirroring values and weights mirrors the
    quantiles) and follows the weight: an item carrying 98% of it carries the
    median.

    >>> x = np.arange(30, 130, 5.0)
    >>> weighted_quantile(x, np.ones_like(x), [0.25, 0.5, 0.75]).tolist()
    [53.75, 77.5, 101.25]
    >>> float(weighted_quantile(np.array([1.0, 2, 3]), np.array([1.0, 0, 1]), 0.5))
    2.0
    >>> round(float(weighted_quantile(np.array([1.0, 2, 3]), np.array([1.0, 1, 100]), 0.5)), 3)
    2.98
    """
    x = np.asarray(sorted_values, float)
    w = np.asarray(sorted_weights, float)
    keep = w > 0
    x, w = x[keep], w[keep]
    if len(x) == 0:
        raise OpsdxError("no item with a positive weight")
    if len(x) == 1:
        return np.full(np.shape(p), x[0])
    if np.all(w == w[0]):  # equal weights: numpy's own type 7, exactly
        return np.quantile(x, p, method="linear")
    position = (np.cumsum(w) - w / 2) / w.sum()
    return np.interp(p, position, x)


@dataclass
class PublishedReferenceClass:
    """A reference class known only by its published uplift table.

    ``uplifts`` maps the acceptable chance of overrun's complement (the
    probability that the budget is enough, e.g. 0.8) to the uplift on the
    estimate (0.32 = +32%). Between published points the uplift is
    interpolated linearly; outside them it is not extrapolated.
    """

    name: str
    uplifts: Mapping[float, float]
    citation: str
    notes: str = ""

    def uplift(self, p) -> np.ndarray | float:
        ps = np.array(sorted(self.uplifts))
        p_arr = np.asarray(p, float)
        if np.any(p_arr < ps[0] - 1e-12) or np.any(p_arr > ps[-1] + 1e-12):
            raise OpsdxError(f"{self.name} publishes uplifts for p = "
                             f"{', '.join(f'{v:g}' for v in ps)} only; {p} is outside them")
        out = np.interp(p_arr, ps, [self.uplifts[v] for v in ps])
        return float(out) if out.ndim == 0 else out

    def ratio_quantile(self, p):
        return 1.0 + np.asarray(self.uplift(p)) if np.ndim(p) else 1.0 + self.uplift(p)

    def forecast(self, estimate, p: Sequence[float] = (0.5, 0.8)) -> pd.DataFrame:
        """Outside-view budgets: ``estimate * (1 + uplift(p))`` for each p."""
        return _forecast_frame(estimate, p, self.ratio_quantile)

    def __repr__(self) -> str:
        table = ", ".join(f"P{v * 100:g} +{u:.0%}" for v, u in sorted(self.uplifts.items()))
        return f"<PublishedReferenceClass {self.name!r}: {table}>"


#: Reference classes published with their sources.
PUBLISHED = {
    "uk-dft-roads-2004": PublishedReferenceClass(
        name="uk-dft-roads-2004",
        uplifts={0.5: 0.15, 0.8: 0.32},
        citation=("Flyvbjerg, B. in association with COWI (2004). Procedures for Dealing with "
                  "Optimism Bias in Transport Planning: Guidance Document. UK Department for "
                  "Transport. Roads: required uplift of the capital-cost estimate for a given "
                  "acceptable chance of cost overrun."),
        notes=("Capital costs of road projects. Only the two points stated in the opsdx issue "
               "are included (15% at 50%, 32% at 80%); other points of the published curve "
               "have not been checked against the source and are left out."),
    ),
}


def published_class(name: str) -> PublishedReferenceClass:
    """A published reference class by name (see :data:`PUBLISHED`).

    >>> roads = published_class("uk-dft-roads-2004")
    >>> roads.forecast(100)[["p50", "p80"]].round(6).values.tolist()
    [[115.0, 132.0]]
    """
    try:
        return PUBLISHED[name]
    except KeyError:
        raise OpsdxError(f"no published reference class {name!r}; known: "
                         f"{', '.join(PUBLISHED)}") from None


def _matches(column: pd.Series, value) -> np.ndarray:
    """Rows whose attribute equals ``value``: same-type comparison (1 matches 1.0), NaN matches
    NaN, and text compared as text when the types differ."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return column.isna().to_numpy()
    try:
        same = (column == value).to_numpy(dtype=bool)
    except (TypeError, ValueError):
        same = np.zeros(len(column), bool)
    if not same.any():
        same = (column.astype(str).str.strip() == str(value).strip()).to_numpy() & column.notna().to_numpy()
    return same


def _forecast_frame(estimate, p, quantile) -> pd.DataFrame:
    est = np.atleast_1d(np.asarray(estimate, float))
    if np.any(~(est > 0)):
        raise OpsdxError("estimates must be positive numbers")
    ps = list(np.atleast_1d(np.asarray(p, float)))
    frame = pd.DataFrame({"estimate": est})
    ratios = np.atleast_1d(quantile(ps))
    for level, ratio in zip(ps, ratios):
        frame[f"p{level * 100:g}"] = est * ratio
    return frame


class ReferenceClass:
    """The distribution of ``actual / estimate`` over a class of finished work.

    Parameters
    ----------
    history : DataFrame
        Past work, e.g. from :func:`~opsdx.read_estimates`. Unfinished rows
        (no actual) are ignored; finished rows need positive numbers.
    estimate, actual : str
        Column names.
    by : list of str, optional
        Attribute columns defining sub-classes (``["kind", "team"]``).
        :meth:`select` picks the sub-class of a new item and falls back to a
        parent class (dropping attributes from the right, then all history)
        when the sub-class has fewer than ``min_size`` items.
    weights : None, "recency" or array-like
        ``"recency"`` weights each item by ``0.5 ** (age / half_life_days)``,
        its age counted back from the newest ``date``: estimation practice
        drifts, so recent work says more about the next item.
    half_life_days : float
        Half-life of the recency weights.
    date : str
        Date column for the recency weights.
    min_size : int
        Smallest sub-class :meth:`select` accepts before falling back.

    Attributes
    ----------
    ratios_ : ndarray
        Sorted ratios of the class.
    weights_ : ndarray
        Their weights, normalised to sum to 1.
    n_ : int
        Items in the class; ``n_effective_`` is Kish's effective size with
        weights, ``(sum w)^2 / sum w^2``.
    label_ : str
        Which class this is (``"all history"`` or ``"kind=bug"``).
    notes_ : list of Note
        Fall-backs and suppressed figures, in plain words (:class:`~opsdx.notes.Note`,
        part ``"planning"``; codes ``class_too_small``, ``tied_tail``, ``heavy_tail``).

    Examples
    --------
    >>> history = pd.DataFrame({"estimate": [10.0] * 20, "actual": np.arange(30, 130, 5.0)})
    >>> rc = ReferenceClass(history)
    >>> rc.ratio_quantile([0.25, 0.5, 0.75]).round(6).tolist()
    [5.375, 7.75, 10.125]
    >>> rc.forecast(10, p=(0.5, 0.8))[["p50", "p80"]].round(6).values.tolist()
    [[77.5, 106.0]]
    """

    def __init__(self, history: pd.DataFrame, estimate: str = "estimate", actual: str = "actual",
                 *, by: Sequence[str] | None = None, weights=None, half_life_days: float = 365.0,
                 date: str = "finished_on", min_size: int = 20, label: str = "all history"):
        if not isinstance(history, pd.DataFrame):
            raise OpsdxError("history must be a DataFrame (see opsdx.read_estimates)")
        by = [by] if isinstance(by, str) else list(by or [])
        missing = [c for c in [estimate, actual, *by] if c not in history.columns]
        if missing:
            raise OpsdxError(f"history has no column {', '.join(map(repr, missing))}; "
                             f"columns: {', '.join(map(str, history.columns))}")
        self.estimate_col, self.actual_col, self.by = estimate, actual, by
        self.half_life_days, self.date, self.min_size = half_life_days, date, min_size
        self.weights_arg = weights
        self.label_ = label
        self.notes_: list[Note] = []

        finished, ratio = finished_ratios(history, estimate, actual)
        self.history = history[finished]
        w = self._weights(self.history, weights)
        order = np.argsort(ratio, kind="stable")
        self.ratios_ = ratio[order]
        self.weights_ = w[order] / w.sum() if len(w) and w.sum() > 0 else w[order]
        self.n_ = len(ratio)
        self.n_effective_ = float(1.0 / np.sum(self.weights_ ** 2)) if self.n_ else 0.0
        if self.n_ == 0:
            raise OpsdxError(f"the reference class {label!r} has no finished item")
        self.notes_ += self._tail_notes()

    # ------------------------------------------------------------------ construction helpers
    def _weights(self, frame: pd.DataFrame, weights) -> np.ndarray:
        if weights is None:
            return np.ones(len(frame))
        if isinstance(weights, str):
            if weights != "recency":
                raise OpsdxError(f"weights must be None, 'recency' or an array, not {weights!r}")
            if self.date not in frame.columns:
                raise OpsdxError(f"recency weights need a date column {self.date!r}")
            dates = pd.to_datetime(frame[self.date], errors="coerce")
            if dates.isna().any():
                raise OpsdxError(f"recency weights need a date for every finished item; "
                                 f"{int(dates.isna().sum())} have none in {self.date!r}")
            age = (dates.max() - dates).dt.total_seconds().to_numpy() / 86400.0
            return 0.5 ** (age / self.half_life_days)
        w = np.asarray(weights, float)
        if w.shape != (len(frame),) or np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise OpsdxError("weights must be one non-negative number per finished item")
        return w

    def select(self, **attributes) -> "ReferenceClass":
        """The class of an item with these attributes, falling back when it is too small.

        The attributes are tried in the order of ``by``; when the sub-class has
        fewer than ``min_size`` items the last attribute is dropped, and so on
        down to all history. ``notes_`` of the result says what happened.
        """
        unknown = set(attributes) - set(self.by)
        if unknown:
            raise OpsdxError(f"{', '.join(sorted(unknown))} not among the class attributes "
                             f"by={self.by}")
        keys = [k for k in self.by if k in attributes]
        notes = []
        for depth in range(len(keys), -1, -1):
            used = keys[:depth]
            mask = np.ones(len(self.history), bool)
            for k in used:
                mask &= _matches(self.history[k], attributes[k])
            label = ", ".join(f"{k}={attributes[k]}" for k in used) or "all history"
            sub_weights = self._subset_weights(mask)
            size = int(mask.sum())
            if isinstance(sub_weights, np.ndarray) and sub_weights.sum() <= 0:
                size = 0  # every item of the sub-class has zero weight
            if depth == len(keys) and keys and size == 0:
                warnings.warn(f"no finished item matches {label}: check the attribute values "
                              f"(the class falls back)", OpsdxWarning, stacklevel=2)
            if size >= self.min_size or depth == 0:  # depth 0 is all history: never empty
                rc = ReferenceClass(self.history[mask], self.estimate_col, self.actual_col,
                                    weights=sub_weights, date=self.date,
                                    half_life_days=self.half_life_days, min_size=self.min_size,
                                    label=label)
                rc.notes_ = notes + rc.notes_
                return rc
            notes.append(Note("planning", "class_too_small",
                              f"class {label} has {size} finished item(s), fewer than {self.min_size}: "
                              "falling back to a broader class"))
        raise AssertionError("unreachable: the loop returns at depth 0")  # pragma: no cover

    def _subset_weights(self, mask):
        if self.weights_arg is None or isinstance(self.weights_arg, str):
            return self.weights_arg
        return np.asarray(self.weights_arg, float)[np.flatnonzero(mask)]

    # ------------------------------------------------------------------ the distribution
    @property
    def point_mass(self) -> pd.Series:
        """Weighted shares of items under, exactly on, and over estimate."""
        on = np.isclose(self.ratios_, 1.0, rtol=_ON_ESTIMATE, atol=0)
        under = (self.ratios_ < 1.0) & ~on
        return pd.Series({"under": self.weights_[under].sum(), "on": self.weights_[on].sum(),
                          "over": self.weights_[~under & ~on].sum()}, name="share")

    def _check_p(self, p) -> np.ndarray:
        ps = np.asarray(p, float)
        if np.any((ps <= 0) | (ps >= 1)):
            raise OpsdxError(f"p must be strictly between 0 and 1, not {p}")
        n = self.n_effective_
        lo, hi = 1.0 / (n + 1.0), n / (n + 1.0)
        outside = ps[(ps < lo) | (ps > hi)]
        if outside.size:
            warnings.warn(
                f"{self.label_}: {n:.0f} items cannot support p = {', '.join(f'{v:g}' for v in outside)}: "
                f"the next item falls below the largest past ratio with probability "
                f"n/(n+1) = {hi:.2f} only, so the quantile comes from the largest ratios seen "
                f"and understates the tail", SmallSampleWarning, stacklevel=3)
        return ps

    def ratio_quantile(self, p):
        """Quantile(s) of ``actual / estimate``: type 7, or Hazen's rule with unequal weights."""
        ps = self._check_p(p)
        out = weighted_quantile(self.ratios_, self.weights_, ps)
        return float(out) if np.ndim(out) == 0 else out

    def uplift(self, p):
        """``ratio_quantile(p) - 1``: the share to add to an estimate for a P(p) budget."""
        q = self.ratio_quantile(p)
        return q - 1.0

    def forecast(self, estimate, p: Sequence[float] = (0.5, 0.8, 0.9), *, recalibration=None,
                 **attributes) -> pd.DataFrame:
        """Outside-view budgets ``estimate * ratio_quantile(p)``, one column per p.

        With attributes (``kind="bug"``), the class of :meth:`select` is used.
        ``recalibration`` (a :class:`~opsdx.forecast.BacktestResult`, or a
        mapping from p to the level to read) corrects a class that a backtest
        found over- or under-confident: the column ``p80`` then holds the
        class's quantile at the level that covered 80% in the backtest.

        Examples
        --------
        >>> rc = ReferenceClass(pd.DataFrame({"estimate": 1.0,
        ...                                   "actual": np.arange(1.0, 11.0)}))
        >>> rc.forecast(10, p=[0.5, 0.8])
           estimate   p50   p80
        0      10.0  55.0  82.0
        >>> rc.forecast(10, p=[0.8], recalibration={0.8: 0.9})
           estimate   p80
        0      10.0  91.0
        """
        rc = self.select(**attributes) if attributes else self
        if recalibration is None:
            return _forecast_frame(estimate, p, rc.ratio_quantile)
        ps = list(np.atleast_1d(np.asarray(p, float)))
        if hasattr(recalibration, "recalibration"):
            recalibration = recalibration.recalibration(ps)
        table = dict(recalibration.items())
        lookup = {}
        for level in ps:
            found = [v for k, v in table.items() if np.isclose(float(k), level)]
            if not found:
                raise OpsdxError(f"the recalibration has no level for p = {level:g}; "
                                 f"it covers p = {', '.join(f'{float(k):g}' for k in table)}")
            lookup[level] = float(found[0])
        levels = [lookup[level] for level in ps]
        frame = _forecast_frame(estimate, levels, rc.ratio_quantile)
        frame.columns = ["estimate"] + [f"p{level * 100:g}" for level in ps]
        return frame

    def p_overrun(self, estimate, budget=None):
        """Probability that the actual exceeds ``budget`` (default: the estimate itself).

        The share (weighted) of past ratios above ``budget / estimate``.
        """
        est = np.asarray(estimate, float)
        spend = np.asarray(budget, float) if budget is not None else est
        if np.any(~(est > 0)) or np.any(~(spend > 0)):
            raise OpsdxError("estimate and budget must be positive numbers")
        limit = spend / est
        cum_after = np.concatenate([np.cumsum(self.weights_[::-1])[::-1], [0.0]])
        idx = np.searchsorted(self.ratios_, limit * (1 + _ON_ESTIMATE), side="right")
        out = cum_after[idx]
        return float(out) if np.ndim(out) == 0 else out

    def quantile_ci(self, p=(0.5, 0.8, 0.9), level: float = 0.9, *, method: str = "order",
                    n_resamples: int = 2000, seed=0) -> pd.DataFrame:
        """Confidence intervals of the ratio quantiles.

        ``method="order"`` (default) is distribution-free, from order
        statistics: for a quantile p of n (effective) items, ranks ``l < u``
        are chosen so that ``P(l <= B < u) >= level`` with
        ``B ~ Binomial(n, p)``, and the interval runs from the l-th to the
        u-th smallest ratio (Hahn and Meeker 1991). Where n is too small to
        reach ``level``, the open side is NaN: an honest "cannot say".

        ``method="bootstrap"`` uses :func:`scipy.stats.bootstrap` (percentile
        intervals, ``n_resamples`` resamples of the items with their weights,
        seeded by ``seed``). It always returns both sides, but with few items
        it is too narrow: a resample never holds a ratio larger than the
        largest seen.

        Examples
        --------
        >>> rc = ReferenceClass(pd.DataFrame({"estimate": 1.0,
        ...                                   "actual": np.arange(1.0, 101.0)}))
        >>> rc.quantile_ci(0.5)[["ratio", "ci_low", "ci_high"]].round(1)
           ratio  ci_low  ci_high
        0   50.5    42.0     59.0
        """
        ps = np.atleast_1d(np.asarray(p, float))
        if not 0 < level < 1:
            raise OpsdxError(f"level must be strictly between 0 and 1, not {level}")
        if method not in ("order", "bootstrap"):
            raise OpsdxError(f"method must be 'order' or 'bootstrap', not {method!r}")
        n = max(int(round(self.n_effective_)), 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            estimates = np.atleast_1d(self.ratio_quantile(ps))
        if method == "bootstrap":
            low, high = self._bootstrap_ci(ps, level, n_resamples, seed)
        else:
            low, high = self._order_ci(ps, level, n)
        return pd.DataFrame({"p": ps, "ratio": estimates, "ci_low": low, "ci_high": high,
                             "n": n, "method": method})

    def _order_ci(self, ps, level, n):
        alpha = 1.0 - level
        lo_rank = stats.binom.ppf(alpha / 2, n, ps).astype(int)          # B < lo w.p. <= alpha/2
        hi_rank = stats.binom.ppf(1 - alpha / 2, n, ps).astype(int) + 1  # B >= hi w.p. <= alpha/2
        # the k-th smallest of n sits at type-7 position (k - 1) / (n - 1)
        def order_statistic(ranks, ok):
            positions = np.clip((ranks - 1) / max(n - 1, 1), 0.0, 1.0)
            values = np.atleast_1d(weighted_quantile(self.ratios_, self.weights_, positions))
            return np.where(ok, values, np.nan)
        return order_statistic(lo_rank, lo_rank >= 1), order_statistic(hi_rank, hi_rank <= n)

    def _bootstrap_ci(self, ps, level, n_resamples, seed):
        if not (isinstance(n_resamples, (int, np.integer)) and n_resamples >= 1):
            raise OpsdxError(f"n_resamples must be a whole number >= 1, not {n_resamples!r}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        keep = self.weights_ > 0  # zero-weight items are not in the class at all
        ratios, weights = self.ratios_[keep], self.weights_[keep]
        if ratios.size < 2 or np.ptp(ratios) == 0:
            return np.full(ps.size, np.nan), np.full(ps.size, np.nan)

        equal = bool(np.all(weights == weights[0]))

        def statistic(ratios, weights, axis=-1):
            if equal:  # resamples of equal weights stay equal: numpy's type 7 directly
                return np.quantile(ratios, ps, axis=axis)
            order = np.argsort(ratios, axis=axis, kind="stable")
            r = np.take_along_axis(ratios, order, axis=axis)
            w = np.take_along_axis(weights, order, axis=axis)
            w = w / w.sum(axis=axis, keepdims=True)
            flat_r = r.reshape(-1, r.shape[-1])
            flat_w = w.reshape(-1, w.shape[-1])
            out = np.stack([weighted_quantile(a, b, ps) for a, b in zip(flat_r, flat_w)])
            return np.moveaxis(out.reshape(r.shape[:-1] + (ps.size,)), -1, 0)

        result = stats.bootstrap((ratios, weights), statistic, paired=True,
                                 vectorized=True, n_resamples=n_resamples,
                                 confidence_level=level, method="percentile", random_state=rng)
        ci = result.confidence_interval
        return np.atleast_1d(ci.low), np.atleast_1d(ci.high)

    # ------------------------------------------------------------------ parametric view
    def lognormal(self) -> dict:
        """Lognormal fit of the ratios (scipy.stats.lognorm, floc=0).

        A continuous fit spreads the point mass at r = 1 over a smooth curve;
        read it next to :attr:`point_mass`, never instead of it.
        """
        shape, _, scale = stats.lognorm.fit(self.ratios_, floc=0)
        return {"sigma": float(shape), "median": float(scale),
                "p80": float(stats.lognorm.ppf(0.8, shape, scale=scale)),
                "p90": float(stats.lognorm.ppf(0.9, shape, scale=scale)),
                "share_on_estimate_hidden": float(self.point_mass["on"])}

    def tail_index(self, k: int | None = None) -> float:
        """Hill estimator of the right tail index of the ratios.

        ``alpha = 1 / mean(log r_(n-i+1) - log r_(n-k))`` over the k largest
        ratios (default: the largest 10%, at least 10; NaN below 30 items).
        At or below 1 the distribution has no finite mean (Hill 1975).
        """
        n = self.n_
        if k is None:
            if n < 30:
                return float("nan")
            k = max(10, n // 10)
        if not 1 <= k < n:
            raise OpsdxError(f"k must be between 1 and n - 1 = {n - 1}")
        if self._tied_top(k):  # rounded or capped actuals make the estimator meaningless
            return float("nan")
        logs = np.log(self.ratios_)
        excess = logs[n - k:] - logs[n - k - 1]
        return float(1.0 / excess.mean())

    def _tied_top(self, k: int) -> bool:
        """Whether the ``k + 1`` largest ratios are mostly ties."""
        return len(np.unique(self.ratios_[self.n_ - k - 1:])) < (k + 1) / 2

    def _tail_notes(self) -> list[Note]:
        """What the tail index means for the figures, said once when the class is made."""
        if self.n_ < 30:
            return []
        if self._tied_top(max(10, self.n_ // 10)):
            return [Note("planning", "tied_tail",
                         f"{self.label_}: the largest ratios are mostly ties (rounded or capped "
                         "actuals), so the tail index cannot be estimated")]
        alpha = self.tail_index()
        if alpha <= 1.0:
            return [Note("planning", "heavy_tail",
                         f"{self.label_}: the right tail index is {alpha:.2f} (at or below 1): the "
                         "mean ratio is not finite in such a distribution, so mean-based figures "
                         "are left out; use quantiles")]
        return []

    @property
    def mean_ratio(self) -> float:
        """Weighted mean ratio; NaN when the tail is too heavy for a mean (see ``notes_``)."""
        alpha = self.tail_index()
        if not math.isnan(alpha) and alpha <= 1.0:
            return float("nan")
        return float(np.sum(self.ratios_ * self.weights_))

    # ------------------------------------------------------------------ reporting
    def summary(self, p: Sequence[float] = (0.5, 0.8, 0.9), level: float = 0.9, *,
                ci_method: str = "order", seed=0) -> pd.DataFrame:
        """One row per p: ratio quantile, its interval, uplift; and the class's headline facts."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            table = self.quantile_ci(p, level, method=ci_method, seed=seed)
        table["uplift"] = table["ratio"] - 1.0
        table.insert(0, "class", self.label_)
        shares = self.point_mass
        table["share_under"], table["share_on"], table["share_over"] = (
            shares["under"], shares["on"], shares["over"])
        return table

    def __repr__(self) -> str:
        shares = self.point_mass
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            p50, p80 = self.ratio_quantile([0.5, 0.8])
        return (f"<ReferenceClass {self.label_!r}: {self.n_} items; median ratio {p50:.2f}, "
                f"P80 {p80:.2f}; under/on/over estimate {shares['under']:.0%}/"
                f"{shares['on']:.0%}/{shares['over']:.0%}>")
