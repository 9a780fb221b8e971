"""Throughput Monte Carlo: when will N items be done, how many by a date.

Instead of estimating each item, sample the team's own history of daily
throughput (items finished per day, zero days included) and replay it many
times: the spread of the replays is the forecast's uncertainty. The method
needs no estimates, only finish dates.

Conventions
-----------
* ``start`` is the first day on which work counts; it is always explicit.
* A trial's completion date is the day on which its last item finishes.
* On the ``"working"`` calendar, days follow numpy's business-day rules
  (``weekmask``, ``holidays``); items finished on a non-working day count on
  the next working day.
* "p chance of at least X items" is the (1 - p) quantile of the simulated
  counts, taken so that at least a share p of trials reach X: reading the p
  quantile instead is a common bug that turns a safe commitment into a
  coin-flip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import OpsdxError

__all__ = ["daily_throughput", "forecast_when", "forecast_how_many", "WhenForecast",
           "HowManyForecast"]

#: Largest number of simulated days before a forecast gives up.
MAX_DAYS = 50_000
_CHUNK_CELLS = 20_000_000


def _as_day(value, name: str) -> np.datetime64:
    if value is None:
        raise OpsdxError(f"{name} is required (a date); opsdx never assumes today")
    try:
        return np.datetime64(pd.Timestamp(value).date(), "D")
    except (ValueError, TypeError):
        raise OpsdxError(f"{name} must be a date, not {value!r}") from None


def daily_throughput(finished_on, *, start=None, end=None, calendar: str = "calendar",
                     weekmask: str = "Mon Tue Wed Thu Fri", holidays: Sequence = ()) -> pd.Series:
    """Items finished per day, with the days on which nothing finished kept as zeros.

    Parameters
    ----------
    finished_on : sequence of dates, Series, or DataFrame with a ``finished_on`` column
        One date per finished item (NaT and missing dates are ignored: open items).
    start, end : date, optional
        The window; default from the first to the last finish.
    calendar : {"calendar", "working"}
        Every day, or working days only (``weekmask`` and ``holidays``).

    Returns
    -------
    Series
        Indexed by date (every day, or every working day, of the window),
        named ``items``; ``attrs`` record the calendar.

    Examples
    --------
    >>> daily_throughput(["2026-01-05", "2026-01-05", "2026-01-07"]).tolist()
    [2, 0, 1]
    >>> daily_throughput(["2026-01-09", "2026-01-10", "2026-01-12"], calendar="working").to_dict()
    {Timestamp('2026-01-09 00:00:00'): 1, Timestamp('2026-01-12 00:00:00'): 2}
    """
    if isinstance(finished_on, pd.DataFrame):
        if "finished_on" not in finished_on.columns:
            raise OpsdxError("the frame has no finished_on column")
        finished_on = finished_on["finished_on"]
    dates = pd.to_datetime(pd.Series(finished_on), errors="coerce").dropna()
    if dates.empty:
        raise OpsdxError("no finish dates: throughput needs finished items")
    days = dates.dt.normalize().to_numpy().astype("datetime64[D]")
    if calendar == "working":
        holidays = np.asarray([_as_day(h, "holiday") for h in holidays], dtype="datetime64[D]")
        # a finish on a non-working day counts on the next working day (window defaults too)
        days = np.busday_offset(days, 0, roll="forward", weekmask=weekmask, holidays=holidays)
    first = _as_day(start, "start") if start is not None else days.min()
    last = _as_day(end, "end") if end is not None else days.max()
    if last < first:
        raise OpsdxError(f"end {last} is before start {first}")
    if calendar == "working":
        first = np.busday_offset(first, 0, roll="forward", weekmask=weekmask, holidays=holidays)
        n = int(np.busday_count(first, last + 1, weekmask=weekmask, holidays=holidays))
        index = np.busday_offset(first, np.arange(n), roll="forward", weekmask=weekmask,
                                 holidays=holidays)
    elif calendar == "calendar":
        index = np.arange(first, last + 1, dtype="datetime64[D]")
    else:
        raise OpsdxError(f"calendar must be 'calendar' or 'working', not {calendar!r}")
    inside = (days >= first) & (days <= last)
    counts = pd.Series(days[inside]).value_counts()
    out = pd.Series(0, index=pd.DatetimeIndex(index.astype("datetime64[ns]")), name="items")
    out = out.add(counts.reindex(out.index, fill_value=0).astype(int), fill_value=0).astype(int)
    out.attrs.update(calendar=calendar, weekmask=weekmask,
                     holidays=[str(h) for h in np.atleast_1d(holidays)] if calendar == "working" else [])
    return out


def _throughput_array(throughput) -> np.ndarray:
    values = np.asarray(throughput, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise OpsdxError("throughput must be a non-empty sequence of daily counts")
    if np.any(~np.isfinite(values)) or np.any(values < 0):
        raise OpsdxError("daily throughput must be finite counts >= 0")
    if values.sum() == 0:
        raise OpsdxError("the throughput history has no finished item: nothing to replay")
    return values


def _day_dates(start: np.datetime64, offsets: np.ndarray, throughput) -> np.ndarray:
    attrs = getattr(throughput, "attrs", {}) or {}
    if attrs.get("calendar") == "working":
        holidays = np.asarray(attrs.get("holidays", []), dtype="datetime64[D]")
        return np.busday_offset(start, offsets, roll="forward", weekmask=attrs["weekmask"],
                                holidays=holidays)
    return start + offsets.astype("timedelta64[D]")


@dataclass
class WhenForecast:
    """Simulated completion of ``items`` items; ``days[i]`` is trial i's working-day count."""

    days: np.ndarray
    dates: np.ndarray
    items: int
    start: np.datetime64
    trials: int

    def percentiles(self, p: Sequence[float] = (0.5, 0.7, 0.85, 0.95)) -> pd.DataFrame:
        """For each p, the earliest date by which a share p of trials is done."""
        ps = np.asarray(p, float)
        q = np.quantile(self.dates.astype("int64"), ps, method="inverted_cdf")
        return pd.DataFrame({"p": ps, "date": pd.to_datetime(q.astype("datetime64[D]")),
                             "days": np.quantile(self.days, ps, method="inverted_cdf")})

    def p_by(self, deadline) -> float:
        """Probability of finishing on or before ``deadline``."""
        return float(np.mean(self.dates <= _as_day(deadline, "deadline")))

    def __repr__(self) -> str:
        table = self.percentiles()
        parts = ", ".join(f"P{r.p * 100:g} {r.date.date()}" for r in table.itertuples())
        return f"<WhenForecast {self.items} items from {self.start}: {parts}>"


@dataclass
class HowManyForecast:
    """Simulated number of items finished over ``days`` days."""

    counts: np.ndarray
    days: int
    trials: int

    def at_least(self, p: Sequence[float] = (0.5, 0.7, 0.85, 0.95)) -> pd.DataFrame:
        """For each p, the most items X such that at least a share p of trials finish X or more.

        That is the (1 - p) quantile of the counts, not the p quantile.
        """
        ps = np.atleast_1d(np.asarray(p, float))
        ordered = np.sort(self.counts)
        n = len(ordered)
        k = np.clip(np.floor((1 - ps) * n + 1e-9).astype(int), 0, n - 1)
        return pd.DataFrame({"p": ps, "at_least": ordered[k]})

    def p_at_least(self, items: float) -> float:
        return float(np.mean(self.counts >= items))

    def __repr__(self) -> str:
        table = self.at_least()
        parts = ", ".join(f"{r.p:.0%}: {r.at_least:g}" for r in table.itertuples())
        return f"<HowManyForecast over {self.days} days, chance of at least: {parts}>"


def _targets(items: int, split, trials: int, rng) -> np.ndarray:
    if split is None:
        return np.full(trials, float(items))
    low, high = split
    if not (1 <= low <= high):
        raise OpsdxError(f"split must be (low, high) with 1 <= low <= high, not {split!r}")
    return rng.integers(int(low), int(high) + 1, size=(trials, items)).sum(axis=1).astype(float)


def forecast_when(throughput, items: int, *, start, trials: int = 10_000, seed=0,
                  split: tuple[int, int] | None = None) -> WhenForecast:
    """Distribution of the completion date of ``items`` items.

    Each trial replays days drawn at random (with replacement) from the daily
    throughput history until the running total reaches the target; the
    draws of all trials are one matrix, so the simulation is vectorised.

    Parameters
    ----------
    throughput : Series or array
        Daily counts, zero days included (see :func:`daily_throughput`); a
        Series from it carries its calendar, so that dates skip weekends.
    items : int
        Items to finish.
    start : date
        First day of work (required: never today's date by default).
    trials : int
    seed : int or numpy Generator
    split : (low, high), optional
        Scope growth: each item turns into between ``low`` and ``high``
        pieces (uniform), drawn anew in each trial.

    Examples
    --------
    >>> f = forecast_when([0, 1, 2, 1, 3, 0, 2], 20, start="2026-03-02", trials=2000, seed=1)
    >>> f.percentiles([0.5, 0.85])["days"].tolist()
    [16, 19]
    """
    values = _throughput_array(throughput)
    if not (isinstance(items, (int, np.integer)) and items >= 1):
        raise OpsdxError(f"items must be a whole number >= 1, not {items!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    first = _as_day(start, "start")
    target = _targets(items, split, trials, rng)
    expected_days = target.max() / values.mean()
    if expected_days > MAX_DAYS:
        raise OpsdxError(f"about {expected_days:,.0f} days would be needed on average: the "
                         f"throughput history is too thin for {target.max():g} items")
    # a horizon long enough for almost every trial; the rare stragglers get more days
    horizon = int(min(np.ceil(expected_days * 1.5) + 20, MAX_DAYS))
    done_day = np.full(trials, -1, dtype=np.int64)
    total = np.zeros(trials)
    offset = 0
    pending = np.arange(trials)
    while pending.size:
        if offset > MAX_DAYS:
            raise OpsdxError(f"some trials need more than {MAX_DAYS} days: "
                             "the throughput history is too thin for this many items")
        rows = max(1, min(pending.size, _CHUNK_CELLS // horizon))
        for chunk in np.array_split(pending, int(np.ceil(pending.size / rows))):
            draws = values[rng.integers(0, values.size, size=(chunk.size, horizon))]
            running = total[chunk, None] + np.cumsum(draws, axis=1)
            reached = running >= target[chunk, None]
            hit = reached.any(axis=1)
            done_day[chunk[hit]] = offset + reached[hit].argmax(axis=1)
            total[chunk] = running[:, -1]
        offset += horizon
        pending = pending[done_day[pending] < 0]
    days = done_day + 1  # day counts, the start day being day 1
    return WhenForecast(days=days, dates=_day_dates(first, done_day, throughput),
                        items=items, start=first, trials=trials)


def forecast_how_many(throughput, *, days: int | None = None, until=None, start=None,
                      trials: int = 10_000, seed=0) -> HowManyForecast:
    """Distribution of the number of items finished over a period.

    Give ``days`` (days of the throughput's calendar) or ``start`` and
    ``until`` (inclusive; working days are counted when the throughput is on
    the working calendar).

    Examples
    --------
    >>> f = forecast_how_many([0, 1, 2, 1, 3, 0, 2], days=10, trials=4000, seed=2)
    >>> row = f.at_least([0.85]).iloc[0]
    >>> bool(f.p_at_least(row.at_least) >= 0.85), bool(f.p_at_least(row.at_least + 1) < 0.85)
    (True, True)
    """
    values = _throughput_array(throughput)
    if (days is None) == (until is None):
        raise OpsdxError("give either days or until (with start)")
    if until is not None:
        first, last = _as_day(start, "start"), _as_day(until, "until")
        attrs = getattr(throughput, "attrs", {}) or {}
        if attrs.get("calendar") == "working":
            days = int(np.busday_count(first, last + 1, weekmask=attrs["weekmask"],
                                       holidays=np.asarray(attrs.get("holidays", []),
                                                           dtype="datetime64[D]")))
        else:
            days = int((last - first).astype(int)) + 1
    if not (isinstance(days, (int, np.integer)) and days >= 0):
        raise OpsdxError(f"days must be a whole number >= 0, not {days!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    counts = np.zeros(trials)
    rows = max(1, _CHUNK_CELLS // max(days, 1))
    for begin in range(0, trials, rows):
        size = min(rows, trials - begin)
        counts[begin:begin + size] = values[rng.integers(0, values.size, size=(size, days))].sum(axis=1)
    return HowManyForecast(counts=counts, days=int(days), trials=trials)
