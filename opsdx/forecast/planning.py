"""Planning reality for one client: every planning figure from one estimates table.

:func:`assess_planning` runs the pieces of :mod:`opsdx.forecast` in the order a
consultant reads them: how optimistic the estimates were (the reference class),
who estimates how (per-estimator calibration), whether an outside-view P80 would
have held (the walk-forward backtest), and what the open work will take (effort
by Evidence-Based Scheduling, dates by throughput Monte Carlo). A piece whose
data is missing (no dates, no estimator, nothing open) is left out with a note,
never guessed.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import OpsdxError, SmallSampleWarning
from .backtest import BacktestResult, backtest_reference_class
from .montecarlo import WhenForecast, daily_throughput, forecast_when
from .reference_class import ReferenceClass
from .schedule import ScheduleForecast, simulate_schedule

__all__ = ["assess_planning", "PlanningResult"]


def _amount(value: float) -> str:
    """An effort figure as a reader wants it: whole numbers from 100, else 3 significant digits."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return fn(*args, **kwargs)


@dataclass(eq=False)
class PlanningResult:
    """Everything :func:`assess_planning` found; see :meth:`summary` for the headline.

    Attributes
    ----------
    reference_class : ReferenceClass
        The outside view over all finished work (with ``by`` sub-classes).
    classes : DataFrame
        One row per class (all history, then each ``by`` sub-class): size,
        shares under/on/over estimate, ratio quantiles and uplifts.
    estimators : DataFrame
        One row per estimator: finished items, median and P80 ratio, share over
        estimate (empty without an ``estimator`` column).
    backtest : BacktestResult or None
        The walk-forward backtest of the reference class.
    schedule : ScheduleForecast or None
        Total effort of the open items, from each estimator's own history.
    completion : WhenForecast or None
        When the open items will be finished, from daily throughput.
    notes : list of str
        What was left out and why, fall-backs and suppressed figures.
    params : dict
        The arguments, for the method notes.
    """

    reference_class: ReferenceClass
    classes: pd.DataFrame
    estimators: pd.DataFrame
    backtest: BacktestResult | None
    schedule: ScheduleForecast | None
    completion: WhenForecast | None
    n_open: int
    params: dict
    notes: list = field(default_factory=list)

    # ------------------------------------------------------------------ headline
    @property
    def headline(self) -> dict:
        """The figures an executive summary quotes (NaN when not available)."""
        rc = self.reference_class
        q50, q80, q90 = _quiet(rc.ratio_quantile, [0.5, 0.8, 0.9])
        shares = rc.point_mass
        out = {"n_finished": int(rc.n_), "n_open": int(self.n_open),
               "median_ratio": float(q50), "p80_ratio": float(q80), "p90_ratio": float(q90),
               "p80_uplift": float(q80 - 1.0), "share_under": float(shares["under"]),
               "share_on": float(shares["on"]), "share_over": float(shares["over"]),
               "tail_index": rc.tail_index(), "mean_ratio": rc.mean_ratio,
               "backtest_n": np.nan, "backtest_p80_coverage": np.nan,
               "backtest_inside_view_coverage": np.nan,
               "backtest_p80_coverage_recalibrated": np.nan}
        table = self._backtest_table()
        if table is not None:
            p80 = table[np.isclose(table["p"], 0.8)]
            if len(p80):
                out["backtest_n"] = int(p80["n"].iloc[0])
                out["backtest_p80_coverage"] = float(p80["coverage"].iloc[0])
                out["backtest_p80_coverage_recalibrated"] = float(
                    p80["coverage_recalibrated"].iloc[0])
            out["backtest_inside_view_coverage"] = float(table.iloc[-1]["coverage"])
        if self.schedule is not None:
            out["open_effort_inside_view"] = self.schedule.inside_view_total
            out["open_effort_p80"] = float(np.quantile(self.schedule.totals, 0.8))
        if self.completion is not None:
            dates = self.completion.percentiles([0.5, 0.85])["date"]
            out["open_done_p50"] = dates.iloc[0].date().isoformat()
            out["open_done_p85"] = dates.iloc[1].date().isoformat()
        return out

    def _backtest_table(self) -> pd.DataFrame | None:
        return None if self.backtest is None else self.backtest.summary()

    def sentences(self) -> list[str]:
        """The findings in plain words, ready for a report."""
        h = self.headline
        out = [f"Across {h['n_finished']} finished items, the median took {h['median_ratio']:.2f}x "
               f"its estimate; {h['share_over']:.0%} overran, {h['share_on']:.0%} finished exactly "
               f"on estimate and {h['share_under']:.0%} under it.",
               f"An outside-view P80 budget is the estimate plus {h['p80_uplift']:.0%} "
               f"(P90: plus {h['p90_ratio'] - 1:.0%})."]
        if self.backtest is not None and not math.isnan(h["backtest_p80_coverage"]):
            out.append(self.backtest.sentence(0.8))
            recal = h["backtest_p80_coverage_recalibrated"]
            if not math.isnan(recal) and abs(h["backtest_p80_coverage"] - 0.8) > 0.05:
                out.append(f"Recalibrated from earlier outcomes, the P80 covered {recal:.0%} "
                           "of the tasks it could be applied to.")
        if self.schedule is not None:
            h80 = h["open_effort_p80"]
            out.append(f"The {self.n_open} open items are estimated at "
                       f"{_amount(h['open_effort_inside_view'])}; from each estimator's own record, "
                       f"there is an 80% chance they take at most {_amount(h80)}.")
        if self.completion is not None:
            out.append(f"At the throughput of the last {self.params['window_days']} days, they "
                       f"are done by {h['open_done_p50']} with 50% and by {h['open_done_p85']} "
                       "with 85% probability.")
        return out

    def summary(self) -> pd.Series:
        """The headline figures as a Series."""
        return pd.Series(self.headline, name="planning")

    def to_dict(self) -> dict:
        """JSON-safe results: headline, tables, sentences and notes (NaN becomes None)."""
        def clean(value):
            if isinstance(value, float) and math.isnan(value):
                return None
            if isinstance(value, (np.floating, np.integer, np.bool_)):
                return clean(value.item())
            if isinstance(value, pd.Timestamp):
                return value.date().isoformat()
            return value

        def records(frame: pd.DataFrame | None):
            if frame is None:
                return None
            return [{str(k): clean(v) for k, v in row.items()}
                    for row in frame.to_dict(orient="records")]

        return {"headline": {k: clean(v) for k, v in self.headline.items()},
                "classes": records(self.classes), "estimators": records(self.estimators),
                "backtest": records(self._backtest_table()),
                "schedule": records(None if self.schedule is None else self.schedule.percentiles()),
                "completion": records(None if self.completion is None
                                      else self.completion.percentiles()),
                "sentences": self.sentences(), "notes": list(self.notes),
                "params": {k: clean(v) if not isinstance(v, (list, tuple)) else list(v)
                           for k, v in self.params.items()}}

    def __repr__(self) -> str:
        h = self.headline
        text = (f"<PlanningResult: {h['n_finished']} finished, {h['n_open']} open; median ratio "
                f"{h['median_ratio']:.2f}, P80 uplift {h['p80_uplift']:.0%}")
        if not math.isnan(h["backtest_p80_coverage"]):
            text += (f"; backtest P80 coverage {h['backtest_p80_coverage']:.0%} "
                     f"(inside view {h['backtest_inside_view_coverage']:.0%})")
        return text + ">"


def _class_table(rc: ReferenceClass, by: list[str], p: Sequence[float]) -> pd.DataFrame:
    classes = [rc]
    if by:
        keys = rc.history[by].drop_duplicates().sort_values(by, na_position="last")
        for values in keys.itertuples(index=False):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                chosen = rc.select(**dict(zip(by, values)))
            if chosen.label_ != rc.label_ and chosen.label_ not in {c.label_ for c in classes}:
                classes.append(chosen)
    rows = []
    for c in classes:
        shares = c.point_mass
        q = np.atleast_1d(_quiet(c.ratio_quantile, list(p)))
        row = {"class": c.label_, "n": c.n_, "share_under": shares["under"],
               "share_on": shares["on"], "share_over": shares["over"]}
        row.update({f"ratio_p{level * 100:g}": v for level, v in zip(p, q)})
        row.update({f"uplift_p{level * 100:g}": v - 1.0 for level, v in zip(p, q)})
        rows.append(row)
    return pd.DataFrame(rows)


def _estimator_table(done: pd.DataFrame, estimator: str) -> pd.DataFrame:
    if estimator not in done.columns:
        return pd.DataFrame(columns=["estimator", "n", "median_ratio", "p80_ratio", "share_over"])
    ratio = done["actual"] / done["estimate"]
    grouped = ratio.groupby(done[estimator].astype(str))
    table = pd.DataFrame({"n": grouped.size(), "median_ratio": grouped.median(),
                          "p80_ratio": grouped.quantile(0.8),
                          "share_over": (ratio > 1 + 1e-9).groupby(done[estimator].astype(str)).mean()})
    table.index.name = "estimator"
    return table.sort_values(["median_ratio", "n"], ascending=[False, False]).reset_index()


def assess_planning(estimates: pd.DataFrame, *, p: Sequence[float] = (0.5, 0.8, 0.9),
                    by: Sequence[str] | None = None, weights=None, half_life_days: float = 365.0,
                    min_size: int = 20, min_history: int = 10, window_days: int = 90,
                    calendar: str = "working", as_of=None, trials: int = 10_000,
                    seed=0) -> PlanningResult:
    """All planning-reality figures for one client's estimates.

    Parameters
    ----------
    estimates : DataFrame
        From :func:`~opsdx.read_estimates`: finished rows (with ``actual``)
        form the history, open rows (no ``actual``) the work to forecast.
    p : levels for quantiles and the backtest.
    by, weights, half_life_days, min_size :
        The reference class (see :class:`~opsdx.ReferenceClass`).
    min_history : int
        Finished items an estimator needs for their own ratios in the
        schedule simulation.
    window_days : int
        Throughput window, in calendar days before ``as_of``, for the
        completion forecast of the open items.
    calendar : {"working", "calendar"}
        Days on which throughput counts.
    as_of : date, optional
        The day the forecast starts. Default: the day after the last date in
        the data (never today's date, so that results are reproducible).
    trials, seed :
        Monte Carlo size and seed (an int or a numpy Generator).

    Examples
    --------
    >>> import opsdx
    >>> result = opsdx.assess_planning(opsdx.read_estimates(
    ...     "sample_data/kestrel-software/estimates.csv"), by=["kind"], trials=2000)
    >>> result.classes["class"].tolist()
    ['all history', 'kind=bug', 'kind=chore', 'kind=feature']
    """
    if not isinstance(estimates, pd.DataFrame):
        raise OpsdxError("estimates must be a DataFrame (see opsdx.read_estimates)")
    by = [by] if isinstance(by, str) else list(by or [])
    if not (weights is None or (isinstance(weights, str) and weights == "recency")):
        raise OpsdxError("weights must be None or 'recency' here (for weights per item, build "
                         "ReferenceClass and backtest_reference_class yourself)")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    ps = tuple(float(v) for v in p)
    notes: list[str] = []
    rc = ReferenceClass(estimates, by=by, weights=weights, half_life_days=half_life_days,
                        min_size=min_size)
    done = rc.history
    classes = _class_table(rc, by, ps)
    estimators = _estimator_table(done, "estimator")
    # read the tail once so that its note (if any) is collected
    _ = rc.mean_ratio

    backtest = None
    if {"estimated_on", "finished_on"} <= set(estimates.columns):
        try:
            backtest = backtest_reference_class(estimates, p=ps, by=by or None, weights=weights,
                                                half_life_days=half_life_days, min_history=min_size)
        except OpsdxError as exc:
            notes.append(f"no backtest: {exc}")
    else:
        notes.append("no backtest: it needs estimated_on and finished_on dates")

    is_open = pd.to_numeric(estimates["actual"], errors="coerce").isna()
    open_items = estimates[is_open]
    schedule = completion = None
    if len(open_items) == 0:
        notes.append("no open items (every row has an actual): nothing to forecast")
    else:
        if "estimator" in estimates.columns:
            schedule = simulate_schedule(open_items, estimates, trials=trials, seed=rng,
                                         min_history=min_history)
            notes.extend(schedule.notes)
        else:
            notes.append("no effort forecast for the open items: it needs an estimator column")
        if "finished_on" in estimates.columns and done["finished_on"].notna().any():
            dated = [pd.to_datetime(estimates[c], errors="coerce")
                     for c in ("estimated_on", "finished_on") if c in estimates.columns]
            last = max(d.max() for d in dated)
            start = pd.Timestamp(as_of) if as_of is not None else last + pd.Timedelta(days=1)
            series = daily_throughput(done["finished_on"], start=start - pd.Timedelta(days=window_days),
                                      end=start - pd.Timedelta(days=1), calendar=calendar)
            if series.sum() == 0:
                notes.append(f"no completion forecast: nothing was finished in the {window_days} "
                             "days before the forecast starts")
            else:
                completion = forecast_when(series, len(open_items), start=start, trials=trials,
                                           seed=rng)
        else:
            notes.append("no completion forecast for the open items: it needs finished_on dates")
    notes = list(dict.fromkeys(rc.notes_ + notes))
    params = {"p": ps, "by": by, "weights": weights, "half_life_days": half_life_days, "min_size": min_size,
              "min_history": min_history, "window_days": window_days, "calendar": calendar,
              "as_of": None if completion is None else str(completion.start), "trials": trials,
              "seed": seed if not isinstance(seed, np.random.Generator) else "generator"}
    return PlanningResult(reference_class=rc, classes=classes, estimators=estimators,
                          backtest=backtest, schedule=schedule, completion=completion,
                          n_open=int(len(open_items)), params=params, notes=notes)
