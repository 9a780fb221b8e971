"""Backtests: would the stated confidence levels have held?

Walk forward through history: for each finished item, build the reference
class from what was known when it was estimated (items already finished by
then), forecast it at each p, and compare with what happened. A P80 that is
honest covers about 80% of later items. The inside view, the bare estimate,
is the baseline: its "coverage" is the share of items finished within their
estimate.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import OpsdxError, OpsdxWarning, SmallSampleWarning
from ..notes import Note
from ..output import json_safe
from ..results import Result
from .reference_class import ReferenceClass

__all__ = ["backtest_reference_class", "backtest_forecast_when", "BacktestResult"]

#: Below this many forecasts a backtest's coverage carries a note with its margin of error.
FEW_FORECASTS = 30
#: The codes of :attr:`BacktestResult.notes`.
NOTE_CODES = ("small_backtest",)


@dataclass(eq=False)
class BacktestResult(Result):
    """Walk-forward forecasts and outcomes, one row per forecast (``items``).

    ``outcome`` names the column forecast (``ratio`` for reference classes,
    ``days`` for completion forecasts); ``q50, q80, ...`` hold the forecasts
    and ``covered50, ...`` whether the outcome was at or below them. On the
    result protocol (:mod:`opsdx.results`): ``summary()`` the coverage per
    level, ``headline()`` the P80 (or highest level) coverage beside the inside
    view's, ``sentences()`` one line per level.
    """

    part = "planning"

    items: pd.DataFrame
    p: tuple
    method: str = "reference class"
    outcome: str = "ratio"
    unit: str = "later tasks"
    #: How :meth:`sentence` names the forecast; ``{p}`` becomes the level (80).
    label: str = "our P{p}"

    def summary(self) -> pd.DataFrame:
        """Per p: coverage against nominal, after recalibration, pinball loss; plus the baseline."""
        rows = []
        y = self.items[self.outcome].to_numpy(float)
        for level in self.p:
            key = f"{level * 100:g}"
            q = self.items[f"q{key}"].to_numpy(float)
            pinball = np.mean((y - q) * (level - (y < q)))
            recal_col = f"covered{key}_recalibrated"
            recal = self.items[recal_col].dropna() if recal_col in self.items else pd.Series([])
            covered = self.items[f"covered{key}"]
            rows.append({"method": self.method, "p": level, "n": len(self.items),
                         "coverage": covered.mean(),
                         "coverage_recalibrated": recal.mean() if len(recal) else np.nan,
                         "n_recalibrated": len(recal),
                         # raw coverage on the rows that could be recalibrated: a fair comparison
                         "coverage_same_rows": covered[recal.index].mean() if len(recal) else np.nan,
                         "pinball_loss": pinball})
        if "inside_view_covered" in self.items:
            rows.append({"method": "inside view (the estimate)", "p": np.nan, "n": len(self.items),
                         "coverage": float(self.items["inside_view_covered"].mean()),
                         "coverage_recalibrated": np.nan, "n_recalibrated": 0,
                         "coverage_same_rows": np.nan, "pinball_loss": np.nan})
        return pd.DataFrame(rows)

    def sentence(self, p: float = 0.8) -> str:
        """A line for a report: how the P(p) forecast (and the inside view) fared."""
        table = self.summary()
        row = table[np.isclose(table["p"], p)].iloc[0]
        name = self.label.format(p=f"{p * 100:g}")
        text = (f"In backtest, {name} covered {row['coverage']:.0%} of {int(row['n'])} "
                f"{self.unit}")
        if "inside_view_covered" in self.items:
            text += f"; the inside view covered {table.iloc[-1]['coverage']:.0%}"
        return text + "."

    def sentences(self) -> list[str]:
        """The P80 (or the highest level's) :meth:`sentence`, then the coverage at every level."""
        if not len(self.items):
            return []
        lead = 0.8 if any(np.isclose(self.p, 0.8)) else max(self.p)
        levels = self.summary().dropna(subset=["p"])
        each = ", ".join(f"P{r.p * 100:g} {r.coverage:.0%}" for r in levels.itertuples())
        return [self.sentence(lead),
                f"Coverage at each stated level: {each} (of {len(self.items)} {self.unit})."]

    def headline(self) -> dict:
        """The method, the forecasts, each level's coverage (``coverage_p80``, ...) and the
        inside view's (None without a baseline), JSON-safe."""
        table = self.summary()
        out = {"method": self.method, "n": len(self.items)}
        for row in table.dropna(subset=["p"]).itertuples():
            out[f"coverage_p{row.p * 100:g}"] = row.coverage
        base = table[table["p"].isna()]
        out["inside_view_coverage"] = base["coverage"].iloc[0] if len(base) else None
        return json_safe(out)

    @property
    def notes(self) -> list[Note]:
        """A note with the margin of error when there are few forecasts."""
        n = len(self.items)
        if n >= FEW_FORECASTS:
            return []
        if n == 0:
            return [Note("planning", "small_backtest", "the backtest made no forecast")]
        margin = 1.96 * math.sqrt(0.8 * 0.2 / n)
        return [Note("planning", "small_backtest",
                     f"only {n} forecasts: a P80's coverage is known to about "
                     f"\u00b1{margin:.0%} (95%), so read it as rough")]

    def to_dict(self) -> dict:
        """JSON-safe: the method, the levels, the headline, the summary, sentences and notes
        (the forecasts one by one are in :attr:`items`)."""
        return json_safe({"method": self.method, "outcome": self.outcome, "p": list(self.p),
                          "headline": self.headline(), "summary": self.summary(),
                          "sentences": self.sentences(), "notes": self.notes})

    def _title(self) -> str:
        return f"Backtest: {self.method}"

    def recalibration(self, p: Sequence[float] | None = None) -> pd.Series:
        """The level to read from the class for each nominal p, learnt from every PIT.

        If past outcomes fell at or below the class's q-quantile a share p of
        the time, the class's q-quantile is an honest P(p): q is the p-quantile
        of the PIT values. Pass the result to
        :meth:`ReferenceClass.forecast(..., recalibration=...)
        <opsdx.ReferenceClass.forecast>`. Levels are clipped to [0.001, 0.999].
        """
        if self.outcome != "ratio":
            raise OpsdxError(f"recalibration applies to reference-class backtests; this one is "
                             f"of the {self.method}")
        ps = self.p if p is None else tuple(float(v) for v in np.atleast_1d(p))
        pit = self.items["pit"].to_numpy(float)
        levels = np.clip(np.quantile(pit, ps), 1e-3, 1 - 1e-3)
        return pd.Series(levels, index=pd.Index(ps, name="p"), name="level")

    def plot_calibration(self, ax=None):
        """Reliability diagram: share of outcomes below each nominal quantile, against p."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 4.5), layout="constrained")
        grid = np.linspace(0.05, 0.95, 19)
        pit = self.items["pit"].to_numpy()
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--",
                label="what a budget promises (perfect calibration)")
        ax.plot(grid, [np.mean(pit <= g) for g in grid], marker="o", ms=3,
                label=f"what it delivered ({self.method})")
        summary = self.summary().dropna(subset=["p"])
        ax.scatter(summary["p"], summary["coverage"], color="C3", zorder=3,
                   label=f"the levels quoted, all {len(self.items)} forecasts")
        recal = summary.dropna(subset=["coverage_recalibrated"])
        if len(recal):
            n = int(recal["n_recalibrated"].iloc[0])
            ax.scatter(recal["p"], recal["coverage_same_rows"], facecolors="none",
                       edgecolors="C3", zorder=3, label=f"as forecast, the {n} adjustable")
            ax.scatter(recal["p"], recal["coverage_recalibrated"], color="C2", marker="D", s=22,
                       zorder=3, label=f"adjusted by earlier outcomes, the same {n}")
        ax.set_xlabel("chance the budget promises to hold (P80 = 0.8)")
        ax.set_ylabel("share of later work that finished within it")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        ax.set_title(f"Backtest: {len(self.items)} {self.unit}", fontsize=10)
        return ax


def backtest_reference_class(history: pd.DataFrame, *, date: str = "estimated_on",
                             known_from: str = "finished_on",
                             p: Sequence[float] = (0.5, 0.8, 0.9), by: Sequence[str] | None = None,
                             weights=None, half_life_days: float = 365.0, min_history: int = 20,
                             estimate: str = "estimate", actual: str = "actual") -> BacktestResult:
    """Walk-forward backtest of reference-class forecasts.

    For each finished item, in order of ``date`` (when it was estimated), the
    class is built from the items whose outcome was known strictly before
    that date (``known_from``, their finish date; ``date`` itself when the
    history has no finish dates), honouring ``by`` and ``weights``. Items with
    fewer than ``min_history`` known predecessors are not forecast. An array
    of ``weights`` has one value per row of ``history``.

    Reported per item: the forecast ratio quantiles ``q50, q80, ...``, whether
    the actual ratio was at or below each (``covered50, ...``), and the
    probability integral transform (``pit``: the class's share below the
    outcome, ties counted half), whose distribution is uniform when the
    forecasts are calibrated.

    Recalibration: where earlier items' PIT values are known (at least
    ``min_history`` of them), nominal p is replaced by the p-quantile of those
    PITs before reading the class's quantile (``covered50_recalibrated``,
    ...). Over-confident classes then widen, under-confident ones narrow.

    References
    ----------
    Gneiting, Balabdaoui and Raftery (2007), Probabilistic forecasts,
    calibration and sharpness, JRSS B 69(2): PIT and calibration.
    """
    ps = tuple(float(v) for v in p)
    need = [estimate, actual, date]
    missing = [c for c in need if c not in history.columns]
    if missing:
        raise OpsdxError(f"history has no column {', '.join(map(repr, missing))}")
    if known_from not in history.columns:
        raise OpsdxError(
            f"history has no {known_from!r} column: a walk-forward backtest must know when each "
            "outcome became known, or it trains on the future. Pass known_from=" f"{date!r} to "
            "accept that look-ahead knowingly (the backtest is then optimistic)")
    if known_from == date:
        warnings.warn(f"known_from={date!r}: items estimated earlier but finished later count as "
                      "known, so the backtest sees outcomes before they happened",
                      OpsdxWarning, stacklevel=2)
    if weights is not None and not isinstance(weights, str):
        weights = np.asarray(weights, float)
        if weights.shape != (len(history),):
            raise OpsdxError("weights must have one value per row of history")
        history = history.assign(_weight=weights)
    done = history[pd.to_numeric(history[actual], errors="coerce").notna()].copy()
    done["_date"] = pd.to_datetime(done[date], errors="coerce")
    known_col = known_from
    done["_known"] = pd.to_datetime(done[known_col], errors="coerce")
    done = done.dropna(subset=["_date", "_known"]).sort_values("_date", kind="stable")
    if len(done) <= min_history:
        raise OpsdxError(f"a backtest needs more than {min_history} finished, dated items; "
                         f"there are {len(done)}")
    done = done.reset_index(drop=True)
    known = done["_known"].to_numpy()
    dates = done["_date"].to_numpy()
    ratios = (pd.to_numeric(done[actual]) / pd.to_numeric(done[estimate])).to_numpy(float)
    row_weights = "_weight" in done.columns

    rows = []
    pit_known: list[tuple[np.datetime64, float]] = []  # (when the outcome was known, pit)
    for i in range(len(done)):
        train = known < dates[i]
        if train.sum() < min_history:
            continue
        w = done.loc[train, "_weight"].to_numpy() if row_weights else weights
        rc = ReferenceClass(done[train], estimate, actual, by=by, weights=w,
                            half_life_days=half_life_days, date=known_col, min_size=min_history)
        if by:
            rc = rc.select(**{k: done.at[i, k] for k in by})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            q = np.atleast_1d(rc.ratio_quantile(ps))
            earlier = np.array([v for t, v in pit_known if t < dates[i]])
            if earlier.size >= min_history:
                levels = np.clip(np.quantile(earlier, ps), 1e-6, 1 - 1e-6)
                q_recal = np.atleast_1d(rc.ratio_quantile(levels))
            else:
                q_recal = np.full(len(ps), np.nan)
        y = ratios[i]
        below = rc.weights_[rc.ratios_ < y * (1 - 1e-9)].sum()
        equal = rc.weights_[np.isclose(rc.ratios_, y, rtol=1e-9, atol=0)].sum()
        pit = float(np.clip(below + 0.5 * equal, 0.0, 1.0))
        pit_known.append((known[i], pit))
        row = {"item_id": done.at[i, "item_id"] if "item_id" in done else i, "date": dates[i],
               "class": rc.label_, "n_class": rc.n_, "ratio": y, "pit": pit,
               "inside_view_covered": bool(y <= 1.0 + 1e-9)}
        for level, qv, qr in zip(ps, q, q_recal):
            key = f"{level * 100:g}"
            row[f"q{key}"] = qv
            row[f"covered{key}"] = bool(y <= qv * (1 + 1e-9))
            row[f"covered{key}_recalibrated"] = (bool(y <= qr * (1 + 1e-9))
                                                 if np.isfinite(qr) else np.nan)
        rows.append(row)
    if not rows:
        raise OpsdxError("no item had enough history before it to be forecast")
    return BacktestResult(items=pd.DataFrame(rows), p=ps)


def backtest_forecast_when(finished_on, *, items: int = 10, window_days: int = 90,
                           step_days: int = 14, p: Sequence[float] = (0.5, 0.7, 0.85, 0.95),
                           trials: int = 2000, seed=0, calendar: str = "calendar",
                           weekmask: str = "Mon Tue Wed Thu Fri",
                           holidays: Sequence = ()) -> BacktestResult:
    """Walk-forward backtest of :func:`~opsdx.forecast_when`.

    Every ``step_days``, from the first date with ``window_days`` of history
    behind it: forecast when the next ``items`` items will be finished from
    the daily throughput of the preceding window, then compare with the day
    they actually were. Outcomes are day counts from the cut (the cut day is
    day 1); ``covered85`` says whether the items were done by the P85 date.

    Because outcomes are whole days, "done by the P(p) day" holds at least p
    of the time even for a calibrated forecast (the day itself carries
    probability); the PIT counts ties half, so its mean is 0.5 when calibrated.
    """
    from .montecarlo import daily_throughput, forecast_when

    series = daily_throughput(finished_on, calendar=calendar, weekmask=weekmask, holidays=holidays)
    counts = series.to_numpy()
    ps = tuple(float(v) for v in p)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    period = window_days if calendar == "calendar" else max(1, round(window_days * 5 / 7))
    step = step_days if calendar == "calendar" else max(1, round(step_days * 5 / 7))
    rows = []
    for cut in range(period, len(counts), step):
        history = counts[cut - period:cut]
        ahead = np.cumsum(counts[cut:])
        if history.sum() == 0 or ahead.size == 0 or ahead[-1] < items:
            continue
        actual_days = int(np.argmax(ahead >= items)) + 1
        window = series.iloc[cut - period:cut].copy()
        window.attrs = dict(series.attrs)
        forecast = forecast_when(window, items, start=series.index[cut], trials=trials, seed=rng)
        q = np.quantile(forecast.days, ps, method="inverted_cdf")
        pit = float(np.mean(forecast.days < actual_days) + 0.5 * np.mean(forecast.days == actual_days))
        row = {"cut": series.index[cut], "days": actual_days, "pit": pit}
        for level, qv in zip(ps, q):
            row[f"q{level * 100:g}"] = float(qv)
            row[f"covered{level * 100:g}"] = bool(actual_days <= qv)
        rows.append(row)
    if not rows:
        raise OpsdxError("not enough history for a walk-forward backtest: need more than "
                         f"{period} days of throughput followed by {items} finished items")
    return BacktestResult(items=pd.DataFrame(rows), p=ps, method="throughput Monte Carlo",
                          outcome="days", unit=f"forecasts of the next {items} items")
