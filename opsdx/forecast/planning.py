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

import datetime as dt
import math
import warnings
from functools import cached_property
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import OpsdxError, SmallSampleWarning
from ..notes import Note
from ..output import json_safe
from ..results import Result
from .backtest import BacktestResult, backtest_reference_class
from .montecarlo import WhenForecast, daily_throughput, forecast_when
from .estimates import unit_mixup
from .reference_class import ReferenceClass
from .schedule import ScheduleForecast, simulate_schedule

__all__ = ["assess_planning", "PlanningResult"]

#: Fewest backtested items whose coverage a report quotes.
MIN_BACKTEST = 30
#: The findings :meth:`PlanningResult.statement` renders, in the order of ``sentences()``.
FINDINGS = ("history", "units", "budget", "backtest", "recalibrated", "open_effort",
            "completion")
#: The codes of :attr:`PlanningResult.notes` (those of the reference class and the schedule
#: simulation included).
NOTE_CODES = ("class_too_small", "class_key_missing", "tied_tail", "heavy_tail", "unit_mixup",
              "thin_quantiles", "few_finished", "as_of_left_out", "as_of_open", "no_backtest",
              "small_backtest", "no_open_items", "no_effort_forecast", "estimator_pooled",
              "no_completion", "far_last_finish", "short_window", "stale_throughput",
              "few_finishes")


def _day(iso: str) -> str:
    """``2026-10-27`` as a reader writes it: 27 October 2026."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _signed(share: float) -> str:
    """``plus 62%`` or ``minus 12%``."""
    return f"{'minus' if share < 0 else 'plus'} {abs(share):.0%}"


def _amount(value: float) -> str:
    """An effort figure as a reader wants it: whole numbers from 100, else 3 significant digits."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return fn(*args, **kwargs)


@dataclass(eq=False)
class PlanningResult(Result):
    """Everything :func:`assess_planning` found, on the result protocol (:mod:`opsdx.results`).

    ``headline()`` gives the figures an executive summary quotes, ``summary()``
    the table of classes, ``sentences()`` the findings in words and ``notes``
    what was left out (codes: :data:`NOTE_CODES`).

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
    notes : list of Note
        What was left out and why, fall-backs and suppressed figures.
    params : dict
        The arguments, for the method notes.
    """

    part = "planning"

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
    def headline(self) -> dict:
        """The figures an executive summary quotes, JSON-safe (None when not available).

        Computed once (quantiles, the open items' percentiles) and copied on
        each call, so that a caller's change never reaches the result.
        """
        return json_safe(self._headline)

    @cached_property
    def _headline(self) -> dict:
        rc = self.reference_class
        q50, q80, q90 = _quiet(rc.ratio_quantile, [0.5, 0.8, 0.9])
        shares = rc.point_mass
        out = {"n_finished": int(rc.n_), "n_open": int(self.n_open),
               "median_ratio": float(q50), "p80_ratio": float(q80), "p90_ratio": float(q90),
               "p80_uplift": float(q80 - 1.0), "share_under": float(shares["under"]),
               "share_on": float(shares["on"]), "share_over": float(shares["over"]),
               "tail_index": rc.tail_index(), "mean_ratio": rc.mean_ratio,
               "unit": self.params.get("unit"), "unit_check": self.unit_check,
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

    @property
    def unit_check(self) -> str | None:
        """Why the ratios of all history look like a unit mix-up (see :func:`unit_mixup`), or None."""
        return unit_mixup(self.reference_class.ratios_, unit=self.params.get("unit"))

    def _backtest_table(self) -> pd.DataFrame | None:
        return None if self.backtest is None else self.backtest.summary()

    def sentences(self) -> list[str]:
        """The findings in plain words, ready for a report (in the order of :data:`FINDINGS`)."""
        found = self._statements()
        return [found[k] for k in FINDINGS if k in found]

    def statement(self, finding: str) -> str | None:
        """The sentence of one finding of :data:`FINDINGS` (``"history"``, ``"units"``,
        ``"budget"``, ``"backtest"``, ``"recalibrated"``, ``"open_effort"``,
        ``"completion"``), or None where it does not hold."""
        if finding not in FINDINGS:
            raise OpsdxError(f"no finding {finding!r}; findings: {', '.join(FINDINGS)}")
        return self._statements().get(finding)

    def _statements(self) -> dict:
        h = self._headline
        weighted = self.params.get("weights") == "recency"
        items = "item" if h["n_finished"] == 1 else "items"
        out = {"history": f"Across {h['n_finished']} finished {items}"
               + (" (weighted towards recent work)" if weighted else "")
               + f", the typical one (the median) took {h['median_ratio']:.2f} times its "
               "estimate; "
               f"{h['share_over']:.0%} overran, {h['share_on']:.0%} finished exactly on estimate "
               f"and {h['share_under']:.0%} under it."}
        if h["unit_check"]:
            out["units"] = h["unit_check"][:1].upper() + h["unit_check"][1:] + "."
        agree = ", if the units agree," if h["unit_check"] else ""
        out["budget"] = (f"To be on budget 8 times in 10{agree}, plan the estimate "
                         f"{_signed(h['p80_uplift'])}; 9 times in 10, "
                         f"{_signed(h['p90_ratio'] - 1)} (the outside view: what past work "
                         "took, not what was hoped).")
        if (self.backtest is not None and not math.isnan(h["backtest_p80_coverage"])
                and h["backtest_n"] >= MIN_BACKTEST):
            inside = h["backtest_inside_view_coverage"]
            by = self.params.get("by") or []
            source = (f"from past work of the same {' and '.join(by)}" if by
                      else "from all past work")
            out["backtest"] = (
                f"Tested on the past: budgets {source}, meant to hold 8 times in 10, held for "
                f"{h['backtest_p80_coverage']:.0%} of {h['backtest_n']} {self.backtest.unit}"
                + ("." if math.isnan(inside) else
                   f"; the estimates alone held for {inside:.0%}."))
            recal = h["backtest_p80_coverage_recalibrated"]
            table = self._backtest_table()
            row = table[np.isclose(table["p"], 0.8)].iloc[0]
            if not math.isnan(recal) and abs(row["coverage_same_rows"] - 0.8) > 0.05:
                out["recalibrated"] = (
                    f"Adjusted by the outcomes before each task, the 8-in-10 budget held for "
                    f"{recal:.0%} of the {int(row['n_recalibrated'])} tasks it could be applied "
                    f"to (unadjusted: {row['coverage_same_rows']:.0%}).")
        if self.schedule is not None:
            h80 = h["open_effort_p80"]
            unit = f" {h['unit']}" if h["unit"] else " (in the estimates' unit)"
            out["open_effort"] = (
                f"The {self.n_open} open items are estimated at "
                f"{_amount(h['open_effort_inside_view'])}{unit}; from each estimator's own "
                f"record, there is an 80% chance they take at most {_amount(h80)}"
                f"{' ' + h['unit'] if h['unit'] else ''}.")
        if self.completion is not None:
            p50, p85 = (_day(h[k]) for k in ("open_done_p50", "open_done_p85"))
            out["completion"] = (
                f"At the throughput of the last {self.params['window_days']} days of data, they "
                f"are even odds to be done by {p50}, and 85% likely by {p85}.")
        return out

    def summary(self) -> pd.DataFrame:
        """One row per class: all history, then each ``by`` class (see :attr:`classes`).

        Columns: ``class``, ``n`` (its own finished items), ``uses`` and
        ``n_used`` (the class its figures come from, after any fall-back),
        ``share_under`` / ``share_on`` / ``share_over`` the estimate, and the
        ratio quantiles and uplifts at the levels asked for (``ratio_p80``,
        ``uplift_p80``, ...). The headline figures are :meth:`headline`.
        """
        return self.classes.copy()

    def plot_ratios(self, ax=None):
        """The distribution of actual / estimate over all history, with P50 and P80 marked.

        A log scale: a task that took twice its estimate sits as far from 1 as
        one that took half. Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
        rc = self.reference_class
        sns.histplot(x=rc.ratios_, weights=rc.weights_ * rc.n_, log_scale=True, bins=30,
                     color=sns.color_palette("crest", 3)[1], ax=ax)
        ax.axvline(1.0, color="0.3", lw=1, label="on estimate")
        h = self._headline
        for level, value, style in ((50, h["median_ratio"], ":"), (80, h["p80_ratio"], "--")):
            if np.isfinite(value):
                ax.axvline(value, color="C3", ls=style, lw=1.2, label=f"P{level} {value:.2f}x")
        ax.legend(fontsize=8, frameon=False)
        ax.set_xlabel("actual / estimate (log scale)")
        ax.set_ylabel("finished items" if self.params.get("weights") is None
                      else "finished items (weighted)")
        ax.set_title(f"{rc.n_} finished items: {h['share_over']:.0%} overran", fontsize=10)
        return ax

    def _title(self) -> str:
        return "Planning: the outside view"

    def to_dict(self) -> dict:
        """JSON-safe results: headline, tables, sentences and notes (see
        :func:`opsdx.output.json_safe`)."""
        return json_safe({
            "headline": self.headline(), "classes": self.classes, "estimators": self.estimators,
            "backtest": self._backtest_table(),
            "schedule": None if self.schedule is None else self.schedule.percentiles(),
            "completion": None if self.completion is None else self.completion.percentiles(),
            "sentences": self.sentences(), "notes": self.notes, "params": self.params})

    def __repr__(self) -> str:
        h = self._headline
        text = (f"<PlanningResult: {h['n_finished']} finished, {h['n_open']} open; median ratio "
                f"{h['median_ratio']:.2f}, P80 uplift {h['p80_uplift']:.0%}")
        if not math.isnan(h["backtest_p80_coverage"]):
            text += (f"; backtest P80 coverage {h['backtest_p80_coverage']:.0%} "
                     f"(inside view {h['backtest_inside_view_coverage']:.0%})")
        return text + ">"


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype(str).str.strip() == "")


def _class_keys(history: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.Series]:
    """The rows that have every ``by`` value, and their class labels (``kind=bug, team=a``).

    The one place a class label is made: counts and ratios group by it, and
    nothing parses it back (a value may hold ", " or "=").
    """
    usable = ~np.logical_or.reduce([_blank(history[c]).to_numpy() for c in by])
    keys = history.loc[usable, by].astype(str)
    labels = f"{by[0]}=" + keys[by[0]]
    for c in by[1:]:
        labels = labels + f", {c}=" + keys[c]
    return usable, labels


def _class_table(rc: ReferenceClass, by: list[str], p: Sequence[float],
                 notes: list[Note]) -> pd.DataFrame:
    """All history, then one row per combination of ``by`` values (small ones say where they fall back)."""
    entries = [(rc.label_, rc, rc.n_)]  # (class, the class it uses, its own items)
    if by:
        history = rc.history
        usable, labels = _class_keys(history, by)
        if (~usable).any():
            notes.append(Note("planning", "class_key_missing",
                              f"{int((~usable).sum())} finished item(s) have no "
                              f"{' / '.join(by)}: they count in all history only"))
        sizes = labels.value_counts()
        first = (~labels.duplicated()).to_numpy()
        keys = history.loc[usable, by][first].assign(_label=labels[first].to_numpy())
        for values in keys.sort_values(by).itertuples(index=False):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                chosen = rc.select(**dict(zip(by, values[:-1])))
            notes.extend(n for n in chosen.notes_ if n not in notes)
            entries.append((values[-1], chosen, int(sizes[values[-1]])))
    rows = []
    for label, c, size in entries:
        shares = c.point_mass
        q = np.atleast_1d(_quiet(c.ratio_quantile, list(p)))
        row = {"class": label, "n": size, "uses": c.label_, "n_used": c.n_,
               "share_under": shares["under"], "share_on": shares["on"],
               "share_over": shares["over"]}
        row.update({f"ratio_p{level * 100:g}": v for level, v in zip(p, q)})
        row.update({f"uplift_p{level * 100:g}": v - 1.0 for level, v in zip(p, q)})
        rows.append(row)
    return pd.DataFrame(rows)


def _class_ratios(rc: ReferenceClass, by: list[str]):
    """(label, ratios) of all history and of each ``by`` class with items of its own."""
    yield rc.label_, rc.ratios_
    history = rc.history
    if not by or history.empty:
        return
    ratio = (pd.to_numeric(history["actual"], errors="coerce")
             / pd.to_numeric(history["estimate"], errors="coerce"))
    usable, labels = _class_keys(history, by)
    for label, ratios in ratio[usable].groupby(labels, sort=True):
        yield label, ratios.to_numpy(float)


def _estimator_table(done: pd.DataFrame, estimator: str, min_history: int) -> pd.DataFrame:
    columns = ["estimator", "n", "median_ratio", "p80_ratio", "share_over", "enough_history"]
    if estimator not in done.columns:
        return pd.DataFrame(columns=columns)
    done = done[~_blank(done[estimator])]
    ratio = (pd.to_numeric(done["actual"], errors="coerce")
             / pd.to_numeric(done["estimate"], errors="coerce"))
    who = done[estimator].astype(str).str.strip()
    grouped = ratio.groupby(who)
    table = pd.DataFrame({"n": grouped.size(), "median_ratio": grouped.median(),
                          "p80_ratio": grouped.quantile(0.8),
                          "share_over": (ratio > 1 + 1e-9).groupby(who).mean()})
    table["enough_history"] = table["n"] >= min_history
    table.index.name = "estimator"
    table = table.sort_values(["enough_history", "median_ratio", "n"], ascending=False)
    return table.reset_index()[columns]


def _cut_at(estimates: pd.DataFrame, as_of: pd.Timestamp, notes: list[Note]) -> pd.DataFrame:
    """The data as it stood on ``as_of``: later estimates dropped, later finishes still open."""
    out = estimates
    if "estimated_on" in out:
        later = pd.to_datetime(out["estimated_on"], errors="coerce") >= as_of
        if later.any():
            notes.append(Note("planning", "as_of_left_out",
                              f"as of {as_of.date()}: {int(later.sum())} item(s) estimated on or after "
                              "that day are left out"))
            out = out[~later]
    if "finished_on" in out:
        later = pd.to_datetime(out["finished_on"], errors="coerce") >= as_of
        if later.any():
            notes.append(Note("planning", "as_of_open",
                              f"as of {as_of.date()}: {int(later.sum())} item(s) finished on or after "
                              "that day count as open"))
            out = out.copy()
            out.loc[later, ["actual", "finished_on"]] = np.nan
            if "ratio" in out:
                out.loc[later, "ratio"] = np.nan
            if "finished" in out:
                out.loc[later, "finished"] = False
    return out


def _completion(done: pd.DataFrame, n_open: int, start: pd.Timestamp, window_days: int,
                calendar: str, trials: int, rng, notes: list[Note]) -> WhenForecast | None:
    """Throughput Monte Carlo over the window of data before ``start`` that the data covers."""
    finished = pd.to_datetime(done["finished_on"], errors="coerce").dropna().sort_values()
    if finished.empty:
        notes.append(Note("planning", "no_completion",
                          "no completion forecast: no finished item has a finish date"))
        return None
    first, last = finished.iloc[0].normalize(), finished.iloc[-1].normalize()
    if len(finished) > 1 and (last - finished.iloc[-2].normalize()).days > 180:
        notes.append(Note("planning", "far_last_finish",
                          f"the last finish date ({last.date()}) is more than 180 days after the one "
                          "before it: check it for a typing error"))
    end = min(start - pd.Timedelta(days=1), last)
    begin = max(end - pd.Timedelta(days=window_days - 1), first)
    covered = (end - begin).days + 1
    if covered < window_days:
        notes.append(Note("planning", "short_window",
                          f"the throughput window covers {covered} days of data, fewer than the "
                          f"{window_days} asked for"))
    gap = (start - end).days - 1
    if gap > 30:
        notes.append(Note("planning", "stale_throughput",
                          f"the forecast starts {gap} days after the last finish in the data: it "
                          "assumes the team still finishes work at the pace it did then"))
    series = daily_throughput(finished, start=begin, end=end, calendar=calendar)
    if series.sum() == 0:
        notes.append(Note("planning", "no_completion",
                          "no completion forecast: nothing was finished in the throughput window"))
        return None
    if series.sum() < 10:
        notes.append(Note("planning", "few_finishes",
                          f"the completion forecast replays only {int(series.sum())} finishes: "
                          "read its dates as rough"))
    try:
        return forecast_when(series, n_open, start=start, trials=trials, seed=rng)
    except OpsdxError as exc:
        notes.append(Note("planning", "no_completion", f"no completion forecast: {exc}"))
        return None


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
    unit = estimates.attrs.get("unit")  # hours, days ... when the cells or client.yaml said
    missing = [c for c in ("estimate", "actual") if c not in estimates.columns]
    if missing:
        raise OpsdxError(f"estimates have no column {', '.join(map(repr, missing))}")
    by = [by] if isinstance(by, str) else list(by or [])
    if not (weights is None or (isinstance(weights, str) and weights == "recency")):
        raise OpsdxError("weights must be None or 'recency' here (for weights per item, build "
                         "ReferenceClass and backtest_reference_class yourself)")
    if not (isinstance(trials, (int, np.integer)) and trials >= 1):
        raise OpsdxError(f"trials must be a whole number >= 1, not {trials!r}")
    if not isinstance(seed, np.random.Generator) and not (
            isinstance(seed, (int, np.integer)) and seed >= 0):
        raise OpsdxError(f"seed must be a whole number >= 0 or a numpy Generator, not {seed!r}")
    ps = tuple(float(v) for v in np.atleast_1d(np.asarray(p, float)))
    if any(not 0 < v < 1 for v in ps) or not ps:
        raise OpsdxError(f"p must be levels strictly between 0 and 1, not {p!r}")
    notes: list[Note] = []
    if as_of is not None:
        try:
            as_of = pd.Timestamp(as_of).normalize()
        except (ValueError, TypeError):
            raise OpsdxError(f"as_of must be a date (YYYY-MM-DD), not {as_of!r}") from None
        if pd.isna(as_of):
            raise OpsdxError(f"as_of must be a date (YYYY-MM-DD), not {as_of!r}")
        estimates = _cut_at(estimates, as_of, notes)
    estimates = estimates.assign(estimate=pd.to_numeric(estimates["estimate"], errors="coerce"),
                                 actual=pd.to_numeric(estimates["actual"], errors="coerce"))
    # separate, reproducible streams: one part's draws never shift another's
    if isinstance(seed, np.random.Generator):
        rng_schedule, rng_completion = (np.random.default_rng(int(v))
                                        for v in seed.integers(0, 2 ** 63, size=2))
    else:
        rng_schedule, rng_completion = (np.random.default_rng(child)
                                        for child in np.random.SeedSequence(seed).spawn(2))
    rc = ReferenceClass(estimates, by=by, weights=weights, half_life_days=half_life_days,
                        min_size=min_size)
    done = rc.history
    classes = _class_table(rc, by, ps, notes)
    for label, ratios in _class_ratios(rc, by):
        mixup = unit_mixup(ratios, unit=unit)
        if mixup:
            notes.append(Note("planning", "unit_mixup", f"{label}: {mixup}"))
    estimators = _estimator_table(done, "estimator", min_history)
    n = rc.n_effective_
    thin = [v for v in ps if v > n / (n + 1) or v < 1 / (n + 1)]
    if thin:
        notes.append(Note("planning", "thin_quantiles",
                          f"only {rc.n_} finished item(s): P{', P'.join(f'{v * 100:g}' for v in thin)} "
                          "lie beyond what so few items can show, and are read from the largest "
                          "(or smallest) ratios seen"))
    elif rc.n_ < 30:
        notes.append(Note("planning", "few_finished",
                          f"only {rc.n_} finished items: quantiles are rough; see "
                          "reference_class.quantile_ci() for their intervals"))

    backtest = None
    if {"estimated_on", "finished_on"} <= set(estimates.columns):
        try:
            backtest = backtest_reference_class(estimates, p=ps, by=by or None, weights=weights,
                                                half_life_days=half_life_days, min_history=min_size)
        except OpsdxError as exc:
            notes.append(Note("planning", "no_backtest", f"no backtest: {exc}"))
        else:
            if by:
                backtest.label = (f"the budget past work of the same {' and '.join(by)} gives "
                                  "for {p} in 100")
            if len(backtest.items) < MIN_BACKTEST:
                notes.append(Note("planning", "small_backtest",
                                  f"the backtest forecast only {len(backtest.items)} items (fewer than "
                                  f"{MIN_BACKTEST}): its coverage is not quoted"))
    else:
        notes.append(Note("planning", "no_backtest",
                          "no backtest: it needs estimated_on and finished_on dates"))

    open_items = estimates[estimates["actual"].isna()]
    schedule = completion = None
    if len(open_items) == 0:
        notes.append(Note("planning", "no_open_items",
                          "no open items (every row has an actual): nothing to forecast"))
    else:
        if "estimator" in estimates.columns:
            schedule = simulate_schedule(open_items, estimates, trials=trials, seed=rng_schedule,
                                         min_history=min_history)
            notes.extend(schedule.notes)
        else:
            notes.append(Note("planning", "no_effort_forecast",
                              "no effort forecast for the open items: it needs an estimator column"))
        if "finished_on" in estimates.columns:
            dated = pd.concat([pd.to_datetime(estimates[c], errors="coerce")
                               for c in ("estimated_on", "finished_on") if c in estimates.columns])
            if as_of is not None:
                start = as_of
            elif dated.notna().any():
                start = dated.max().normalize() + pd.Timedelta(days=1)
            else:
                start = None
            if start is None:
                notes.append(Note("planning", "no_completion",
                                  "no completion forecast: the data has no dates"))
            else:
                completion = _completion(done, len(open_items), start, window_days, calendar,
                                         trials, rng_completion, notes)
        else:
            notes.append(Note("planning", "no_completion",
                              "no completion forecast for the open items: it needs finished_on dates"))
    notes = list(dict.fromkeys(rc.notes_ + notes))
    params = {"unit": unit, "p": ps, "by": by, "weights": weights,
              "half_life_days": half_life_days,
              "min_size": min_size, "min_history": min_history, "window_days": window_days,
              "calendar": calendar,
              "as_of": None if completion is None else str(completion.start), "trials": trials,
              "seed": seed if not isinstance(seed, np.random.Generator) else "generator"}
    return PlanningResult(reference_class=rc, classes=classes, estimators=estimators,
                          backtest=backtest, schedule=schedule, completion=completion,
                          n_open=int(len(open_items)), params=params, notes=notes)
