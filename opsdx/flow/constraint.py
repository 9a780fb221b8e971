"""Which stage limits throughput: the constraint, with its evidence.

:func:`find_constraint` estimates each stage's capacity from its own flow
(see :mod:`opsdx.flow.capacity`), divides the work arriving at the stage by
it (utilisation), and names the stage with the highest utilisation, provided
it has *shown* a limit: a queue formed in front of it and its pace stopped
rising with the work waiting, at a utilisation of at least
:data:`MIN_CONSTRAINT_UTILISATION` (far from its limit, a stage makes no
queue of its own: waits in front of it are the customer's, a schedule's or a
batch's). A long stage that never made anyone wait (a customer sign-off, a
soak test) is a delay, not a constraint, however long items spend in it; so
is a timer, a stage whose visits mostly last the same time to the minute (an
auto-close after 15 days). The other signals a consultant looks for are
reported next to the verdict and in plain sentences: the queue growing in
front of the stage, the stages its work goes to next standing idle (as
observed, weighted by the flow to each: :attr:`ConstraintReport.successors`),
and time in stage rising with the WIP found on arrival.

References
----------
Goldratt, E. M. (1984), *The Goal*: the five focusing steps.
Little, J. D. C. (1961), A proof for the queuing formula L = lambda W.
Hopp, W. J. and Spearman, M. L. (2008), *Factory Physics*, 3rd ed.:
capacity, utilisation and the bottleneck rate of a serial line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import OpsdxError
from ..notes import Note
from ..output import json_safe
from ..results import Result, likelihood
from .capacity import (MIN_QUEUE_SHARE, exposure_by_level, servers_from_departures, step_counts,
                       wait_slope)
from .statuses import NOTE_CODES as _STATUS_NOTES
from .trackers import NOTE_CODES as _TRACKER_NOTES
from .workitems import FlowData, as_flow

__all__ = ["find_constraint", "ConstraintReport"]

#: t statistic of the time-in-stage vs WIP-at-arrival slope a stage needs to count as a queue.
MIN_SLOPE_T = 3.0
#: The least utilisation at which a stage's limit is a constraint: below it, queueing for the
#: stage's own capacity is small (an M/M/1 queue at 0.5 waits one service time on average),
#: and the waits in front of it come from elsewhere (customers, schedules, batching).
MIN_CONSTRAINT_UTILISATION = 0.5
#: A stage is a timer (a fixed delay, not a capacity) when at least this share of its finished
#: visits last the same time to the minute, a day or more (an auto-close after 15 days).
TIMER_SHARE = 0.2
#: Below these, a verdict is provisional: weeks of data, and items the constraint's capacity rests on.
THIN_WEEKS, THIN_EVIDENCE = 8, 100
#: Highest confidence a provisional verdict states: with one stage showing a limit, and with more.
#: A review on simulated two-week histories found such verdicts right about half the time with
#: a single qualifying stage, and two times in three without started_at (see find_constraint).
PROVISIONAL_CAP = {1: 0.5, 2: 0.8}
#: The codes of :attr:`ConstraintReport.notes`: a verdict on thin data, capacity estimated
#: without ``started_at``, one person's time shared by capacity-limited stages, rows of the
#: source set aside; and what the reader of a tracker's export noted about it (unmapped
#: statuses, moves back, reopened items, missing pages, ...).
NOTE_CODES = ("provisional", "no_started_at", "shared_person", "rows_set_aside") + \
    _STATUS_NOTES + _TRACKER_NOTES
#: The findings :meth:`ConstraintReport.statement` renders, in the order of ``sentences()``.
FINDINGS = ("verdict", "busiest", "tightest", "wip_growth", "next_idle", "wait_slope",
            "longest", "timers", "runner_up")
_DAY = np.timedelta64(1, "D")


def _timestamp(value, name: str) -> pd.Timestamp:
    try:
        out = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise OpsdxError(f"{name} must be a date or timestamp, not {value!r}") from None
    if pd.isna(out):
        raise OpsdxError(f"{name} must be a date or timestamp, not {value!r}")
    return out.tz_convert("UTC").tz_localize(None) if out.tzinfo else out


def _days(values: pd.Series, origin: np.datetime64) -> np.ndarray:
    return (values.to_numpy("datetime64[ns]") - origin) / _DAY


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)  # ties hold one value: their order cannot change the median
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2.0)])


def _stage_stats(e: np.ndarray, s: np.ndarray | None, x: np.ndarray, t0: float, t1: float,
                 closed: bool = True, timer=None) -> dict:
    """Flow statistics of one stage over the window from ``t0`` to ``t1`` (days).

    Events at ``t1`` itself count when ``closed`` (the last window of the data).
    """
    span = t1 - t0
    if closed:  # an event at the very end belongs to the window
        t1 = np.nextafter(t1, np.inf)
    # visits over before the window, or begun after it, change nothing inside it
    relevant = (e < t1) & ~(x < t0)
    if not relevant.all():
        e, x = e[relevant], x[relevant]
        s = None if s is None else s[relevant]
    # a visit that ends the instant it begins (date-only data) leaves after it arrives
    x = np.where(x <= e, np.nextafter(e, np.inf), x)
    done = np.isfinite(x)
    times, delta, level, durations, before, order = step_counts(e, x[done], t0, t1)
    # the instants the nudges above create (1e-16 days) are no time at all
    durations = np.where(durations < 1e-9, 0.0, durations)
    first = times[times >= t0][0] if np.any(times >= t0) else t1
    exposure = exposure_by_level(level, durations, before, t0, first)
    in_window = (times >= t0) & (times < t1)
    is_exit = delta < 0
    departures = np.bincount((level + 1)[is_exit & in_window], minlength=exposure.size + 1)
    departures = departures[:exposure.size] if departures.size > exposure.size else departures
    # WIP each arrival found (itself excluded), matched back to the visits
    n_down = int(done.sum())
    arrival_wip = np.empty(e.size)
    up_pos = order >= n_down
    arrival_wip[order[up_pos] - n_down] = level[up_pos] - 1
    time_in = _clean(x - e)
    arrived = (e >= t0) & (e < t1)
    exited = done & (x >= t0) & (x < t1)

    out = {"arrivals": int(arrived.sum()), "departures": int(exited.sum()),
           "mean_wip": round(float((np.clip(level, 0, None) * durations).sum() / span
                                   + (before * (first - t0) / span if first > t0 else 0.0)), 9),
           "idle_share": float(exposure[0] / span) if exposure.size else 1.0,
           "time_p50": float(np.quantile(time_in[exited], 0.5)) if exited.any() else np.nan,
           "time_p85": float(np.quantile(time_in[exited], 0.85)) if exited.any() else np.nan,
           "open_at_end": int((e < t1).sum() - (done & (x < t1)).sum())}
    slope, slope_t = wait_slope(arrival_wip[arrived], np.where(exited, time_in, np.nan)[arrived])
    out["wait_slope_days"], out["wait_slope_t"] = slope, slope_t
    # queue growth: WIP trend in items per week (least squares over the step function)
    mid = np.clip(times, t0, t1) + durations / 2
    if durations.sum() > 0:
        w = durations / durations.sum()
        tm = (w * mid).sum()
        lm = (w * level).sum()
        var = (w * (mid - tm) ** 2).sum()
        out["wip_growth_per_week"] = (round(float(7 * (w * (mid - tm) * (level - lm)).sum() / var), 9)
                                      if var > 1e-12 else 0.0)
    else:
        out["wip_growth_per_week"] = 0.0

    by_departures = None
    if s is not None:
        with_start = _capacity_with_start(e, s, x, t0, t1, span)
        out.update(with_start)
        # starts that show no queue may not be real starts (stamped on entry, or mostly blank):
        # then the departure rates decide, as without started_at
        known = np.isfinite(s)
        shows_waiting = np.mean(s[known] > e[known] + 1e-9) if known.any() else 0.0
        known_share = known.mean() if known.size else 0.0
        if not np.isfinite(with_start["capacity_per_day"]) and (
                known_share < 0.5 or shows_waiting < 0.05):
            by_departures = True
    if s is None or by_departures:
        c, mu, _ = servers_from_departures(exposure, departures.astype(float))
        limited = np.isfinite(c) and slope_t >= MIN_SLOPE_T
        sat = departures[int(c):].sum() if np.isfinite(c) else 0
        out.update(servers=float(c) if limited else np.inf,
                   capacity_per_day=float(c * mu) if limited else np.inf,
                   service_days=float(1 / mu) if mu > 0 else np.nan,
                   evidence_n=int(sat) if limited else 0)
        if s is None:
            out.update(wait_p50=np.nan, queue_share=np.nan)
    out["capacity_from"] = ("queue and service times" if s is not None and not by_departures
                            else "departure rates")
    if timer is None:  # False: known not to be one
        timer = _timer(time_in[exited])
    out["timer_days"], out["timer_share"] = timer if timer else (np.nan, 0.0)
    if timer:  # a fixed delay: time there does not depend on a capacity
        out.update(servers=np.inf, capacity_per_day=np.inf, evidence_n=0)
    rate = out["arrivals"] / span
    cap = out["capacity_per_day"]
    out["utilisation"] = float(rate / cap) if np.isfinite(cap) and cap > 0 else 0.0
    n = max(out["evidence_n"], 1)
    out["utilisation_se"] = out["utilisation"] * math.sqrt(1.0 / n + 1.0 / max(out["arrivals"], 1))
    return out


def _clean(days: np.ndarray) -> np.ndarray:
    """Durations in days with the noise float days since an origin leave where two moments
    are the same (``2.8e-14``) set to the 0 it is."""
    return np.where(np.abs(days) < 1e-9, 0.0, days)


def _timer(done_days: np.ndarray) -> tuple[float, float] | None:
    """``(days, share)`` when the stage's finished visits are a timer's: at least
    :data:`TIMER_SHARE` of them last the same time to the minute, a day or more; None when
    not, or when every time is a whole number of days (date-only data, where equal times are
    the rule)."""
    long = done_days[done_days >= 1 - 1 / 2880]  # a day or more, to the minute
    if done_days.size < 20 or long.size < TIMER_SHARE * done_days.size:
        return None
    minutes = np.round(long * 1440)
    if not (minutes % 1440).any():
        return None
    minutes, counts = np.unique(minutes, return_counts=True)
    k = int(counts.argmax())
    share = counts[k] / done_days.size
    days = minutes[k] / 1440
    return (float(days), float(share)) if days >= 1 and share >= TIMER_SHARE else None


def _capacity_with_start(e, s, x, t0, t1, span) -> dict:  # noqa: PLR0913
    """Servers from the service count while a queue exists; capacity = servers / mean service."""
    s = np.where(np.isfinite(s), s, np.where(np.isfinite(x), e, np.nan))  # unknown start: no wait
    finished = np.isfinite(s) & np.isfinite(x)
    # work begun and never finished, in service far longer than any finished visit ever was
    # (an abandoned ticket), would count as a server busy for ever: leave it out
    longest = float((x[finished] - s[finished]).max()) if finished.any() else np.inf
    stale = np.isfinite(s) & ~np.isfinite(x) & (t1 - s > 3 * longest + 1.0)
    s = np.where(stale, np.nan, s)
    e = np.where(stale, np.nan, e)
    started = np.isfinite(s)
    finished = started & np.isfinite(x)
    # events: exit (0, -1), start (-1, +1), enter (+1, 0); exits first at the same instant
    entered = e[np.isfinite(e)]
    t = np.concatenate([x[finished], s[started], entered])
    kind = np.concatenate([np.zeros(finished.sum()), np.ones(started.sum()),
                           np.full(entered.size, 2)])
    dq = np.concatenate([np.zeros(finished.sum()), -np.ones(started.sum()), np.ones(entered.size)])
    db = np.concatenate([-np.ones(finished.sum()), np.ones(started.sum()), np.zeros(entered.size)])
    order = np.lexsort((kind, t))
    t, dq, db = t[order], dq[order], db[order]
    q, b = np.cumsum(dq), np.cumsum(db)
    dur = np.clip(np.append(t[1:], t1), t0, t1) - np.clip(t, t0, t1)
    queued = (q > 0) & (dur > 0)
    queue_share = float(dur[queued].sum() / span)
    service = _clean(x[finished] - s[finished])
    in_window = finished & (x >= t0) & (x < t1)
    service_w = _clean((x - s)[in_window])
    mean_service = float(service_w.mean()) if service_w.size else (
        float(service.mean()) if service.size else np.nan)
    wait = _clean((s - e)[in_window])
    out = {"service_days": mean_service, "queue_share": queue_share,
           "wait_p50": float(np.median(wait)) if wait.size else np.nan,
           "stale_in_service": int(stale.sum())}
    if queue_share >= MIN_QUEUE_SHARE and np.isfinite(mean_service) and mean_service > 0:
        c = max(1.0, round(_weighted_median(b[queued], dur[queued])))
        out.update(servers=c, capacity_per_day=c / mean_service, evidence_n=int(service_w.size))
    else:
        out.update(servers=np.inf, capacity_per_day=np.inf, evidence_n=0)
    return out


@dataclass(eq=False)
class ConstraintReport(Result):
    """The verdict of :func:`find_constraint` and its evidence.

    The result protocol (:mod:`opsdx.results`): ``summary()`` is the stage
    table's main columns, ``sentences()`` the evidence in words, ``notes``
    what limits the verdict.

    Attributes
    ----------
    constraint : str or None
        The stage that limits throughput; None when no stage has shown a limit.
    confidence : float
        Probability (normal approximation to the sampling error of the
        utilisation estimates) that the named stage's utilisation is the
        highest.
    stages : DataFrame
        One row per stage in flow order (see :func:`find_constraint`).
    timeline : DataFrame
        The constraint and its utilisation per period.
    flow : FlowData
        The visits analysed.
    params : dict
        The window, the demand, and whether ``started_at`` was given.
    provisional : bool
        The verdict rests on thin data (see :data:`THIN_WEEKS`).
    successors : DataFrame
        Where the work goes from each stage, as observed: ``from``, ``to``,
        ``n`` and ``share`` (see ``next_stages`` and ``next_idle_share`` in
        :attr:`stages`).
    """

    part = "constraint"
    FINDINGS = FINDINGS

    constraint: str | None
    confidence: float
    stages: pd.DataFrame
    timeline: pd.DataFrame
    flow: FlowData
    params: dict = field(default_factory=dict)
    provisional: bool = False
    successors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["from", "to", "n", "share"]))

    @property
    def weeks(self) -> float:
        """Length of the window analysed, in weeks."""
        return (pd.Timestamp(self.params["end"]) - pd.Timestamp(self.params["start"])
                ) / pd.Timedelta(days=7)

    @cached_property
    def _findings(self) -> dict:
        return _statements(self.stages, self.constraint, self.confidence, self.weeks,
                           self.provisional)

    def _statements(self) -> dict:
        return self._findings

    @property
    def evidence(self) -> list[str]:
        """The sentences (the name this list had before ``sentences()``)."""
        return self.sentences()

    @cached_property
    def notes(self) -> list[Note]:
        """What limits the verdict, as :class:`~opsdx.notes.Note` (codes: :data:`NOTE_CODES`)."""
        # what the reader of the source said about it (a tracker export's statuses, pages)
        out = [Note("constraint", n.code, n.text) for n in self.flow.notes]
        if self.provisional:
            out.append(Note("constraint", "provisional",
                            f"provisional: {self.weeks:.1f} weeks of data; a stage that has not "
                            "yet shown its limit could still be the real constraint"))
        if not self.params.get("started_at", True):
            out.append(Note("constraint", "no_started_at",
                            "the data has no started_at, so queueing and work in a stage cannot "
                            "be told apart: capacities rest on the pace of exits alone"))
        out += [Note("constraint", "shared_person", text)
                for text in _shared_people(self.flow, self.stages)]
        set_aside = int(self.flow.quality["row"].nunique()) if len(self.flow.quality) else 0
        if set_aside:
            out.append(Note("constraint", "rows_set_aside",
                            f"{set_aside} row{'s' if set_aside != 1 else ''} of "
                            f"{self.flow.source} set aside (see the data quality table)"))
        return out

    def pace_per_week(self) -> pd.Series:
        """Items per week each stage can pass, by stage: its capacity over the visits an item
        makes to it (rework included); infinite where no limit has shown, NaN where no item
        visits it."""
        table = self.stages.set_index("stage")
        return (7 * table["capacity_per_day"] / table["visits_per_item"].where(
            table["visits_per_item"] > 0)).rename("pace_per_week")

    def what_if(self, stage: str, capacity_factor: float) -> dict:
        """Predicted throughput if ``stage``'s capacity is multiplied by ``capacity_factor``.

        A serial line can deliver at most the pace of its tightest stage
        (capacity divided by the visits each item makes to it, rework
        included) and at most what arrives. Returned (items per week): the
        demand, the line's limit and expected throughput now and after the
        change, the tightest stage after it, and what binds (``"demand"`` or
        ``"capacity"``). A stage with no limit shown stays unlimited.

        Examples
        --------
        >>> from opsdx.flow import Line, Stage, simulate_line
        >>> line = Line([Stage("Build", 0.2, servers=2), Stage("Review", 0.6)], arrivals_per_day=2)
        >>> report = find_constraint(simulate_line(line, days=365, seed=3))
        >>> change = report.what_if("Review", 2.0)
        >>> change["bound_now"], change["bound_after"], change["tightest_after"]
        ('capacity', 'demand', 'Review')
        """
        table = self.stages.set_index("stage")
        if stage not in table.index:
            raise OpsdxError(f"no stage {stage!r}; stages: {', '.join(table.index)}")
        if isinstance(capacity_factor, bool) or not isinstance(
                capacity_factor, (int, float, np.integer, np.floating)) or not capacity_factor > 0:
            raise OpsdxError(f"capacity_factor must be a positive number, not {capacity_factor!r}")
        demand = float(self.params["demand_per_week"])
        pace = self.pace_per_week()
        after = pace.copy()
        after[stage] = after[stage] * capacity_factor

        def limit(p):
            finite = p[np.isfinite(p)]
            return (float(finite.min()), str(finite.idxmin())) if len(finite) else (np.inf, None)

        limit_now, tight_now = limit(pace)
        limit_after, tight_after = limit(after)
        return {"stage": stage, "capacity_factor": capacity_factor, "demand_per_week": demand,
                "limit_per_week_now": limit_now, "limit_per_week_after": limit_after,
                "throughput_per_week_now": min(demand, limit_now),
                "throughput_per_week_after": min(demand, limit_after),
                "tightest_now": tight_now, "tightest_after": tight_after,
                "bound_now": "demand" if demand <= limit_now else "capacity",
                "bound_after": "demand" if demand <= limit_after else "capacity"}

    def summary(self) -> pd.DataFrame:
        """Per stage in flow order: its role, flow, capacity and utilisation.

        The main columns of :attr:`stages`: ``stage``, ``role``,
        ``arrivals_per_week``, ``capacity_per_week``, ``utilisation``,
        ``mean_wip``, ``time_p50``, ``wait_p50`` and ``next_idle_share``.
        """
        return self.stages[["stage", "role", "arrivals_per_week", "capacity_per_week",
                            "utilisation", "mean_wip", "time_p50", "wait_p50",
                            "next_idle_share"]].copy()

    def headline(self) -> dict:
        """The figures an executive summary quotes: the constraint, the confidence, its
        utilisation (None without a constraint) and whether the verdict is provisional."""
        utilisation = (None if self.constraint is None else
                       self.stages.set_index("stage").at[self.constraint, "utilisation"])
        return json_safe({"constraint": self.constraint, "confidence": self.confidence,
                          "utilisation": utilisation, "provisional": self.provisional})

    def to_dict(self) -> dict:
        """JSON-safe results (see :func:`opsdx.output.json_safe`)."""
        return json_safe({"constraint": self.constraint, "confidence": self.confidence,
                          "provisional": self.provisional, "stages": self.stages,
                          "timeline": self.timeline, "sentences": self.sentences(),
                          "notes": self.notes, "successors": self.successors,
                          "params": dict(self.params)})

    def _title(self) -> str:
        if self.constraint is None:
            return "Constraint: none shown"
        return f"Constraint: {self.constraint}"

    def __repr__(self) -> str:
        if self.constraint is None:
            return "<ConstraintReport: no stage has shown a limit>"
        row = self.stages.set_index("stage").loc[self.constraint]
        return (f"<ConstraintReport: constraint {self.constraint!r} (confidence "
                f"{self.confidence:.2f}), utilisation {row['utilisation']:.2f}, "
                f"{len(self.stages)} stages>")

    # plots live in opsdx.flow.plots; thin wrappers keep them discoverable
    def plot_cfd(self, ax=None, freq: str = "D"):
        """Cumulative flow diagram (see :func:`opsdx.flow.plots.plot_cfd`)."""
        from .plots import plot_cfd
        return plot_cfd(self.flow, ax=ax, freq=freq)

    def plot_time_in_stage(self, ax=None):
        """Days in each stage, the constraint marked (see :func:`opsdx.flow.plots.plot_time_in_stage`)."""
        from .plots import plot_time_in_stage
        return plot_time_in_stage(self.flow, ax=ax, constraint=self.constraint)

    def plot_wip(self, ax=None, freq: str = "D"):
        """Work in progress per stage over time (see :func:`opsdx.flow.plots.plot_wip`)."""
        from .plots import plot_wip
        return plot_wip(self.flow, ax=ax, freq=freq)


def _stage_codes(flow: FlowData) -> np.ndarray:
    """Each visit's stage as its position in ``flow.stages`` (computed once: it is costly on
    text)."""
    stage = flow.visits["stage"]
    if isinstance(stage.dtype, pd.CategoricalDtype) and list(stage.cat.categories) == flow.stages:
        return stage.cat.codes.to_numpy()
    return pd.Categorical(stage, categories=flow.stages).codes


def _stage_arrays(flow: FlowData, origin, codes: np.ndarray) -> dict:
    """Per stage: entry, start (or None) and exit times as float days since ``origin``."""
    v = flow.visits
    has_start = "started_at" in v.columns and v["started_at"].notna().any()
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(flow.stages) + 1))
    e_all = _days(v["entered_at"], origin)[order]
    x_all = _days(v["exited_at"], origin)[order]
    s_all = _days(v["started_at"], origin)[order] if has_start else None
    out = {}
    for k, name in enumerate(flow.stages):
        a, b = bounds[k], bounds[k + 1]
        out[name] = (e_all[a:b], None if s_all is None else s_all[a:b], x_all[a:b])
    return out


def _analyse(arrays: dict, t0: float, t1: float, closed: bool = True,
             timers: dict | None = None) -> pd.DataFrame:
    """The stage table of one window; ``timers`` (stage -> (days, share)) are the whole
    window's, reused for a period's (a timer is one for the whole data)."""
    rows = []
    for name, (e, s, x) in arrays.items():
        if e.size == 0:
            rows.append({"stage": name, "arrivals": 0, "departures": 0, "utilisation": 0.0,
                         "servers": np.inf, "capacity_per_day": np.inf, "evidence_n": 0,
                         "utilisation_se": 0.0, "mean_wip": 0.0, "idle_share": 1.0})
            continue
        rows.append({"stage": name, **_stage_stats(e, s, x, t0, t1, closed,
                                                   timer=None if timers is None
                                                   else timers.get(name, False))})
    return pd.DataFrame(rows)


def _verdict(table: pd.DataFrame, weeks: float) -> tuple[str | None, float, bool]:
    """(constraint, confidence, provisional).

    Only a stage that has shown a limit at a utilisation of at least
    :data:`MIN_CONSTRAINT_UTILISATION` can be named: a limit far from being
    reached makes no queue of its own. Confidence is the normal approximation
    to the chance that the top utilisation beats the runner-up's, given
    their standard errors. On thin
    data (fewer than ``THIN_WEEKS`` weeks, or fewer than ``THIN_EVIDENCE``
    items behind the capacity estimate) the verdict is provisional and its
    confidence is capped (:data:`PROVISIONAL_CAP`): a stage that has not yet
    shown its limit may be the real constraint.
    """
    limited = table[np.isfinite(table["capacity_per_day"])
                    & (table["utilisation"] >= MIN_CONSTRAINT_UTILISATION)]
    if limited.empty:
        return None, 0.0, weeks < THIN_WEEKS
    ranked = limited.sort_values("utilisation", ascending=False)
    top = ranked.iloc[0]
    if len(ranked) == 1:
        confidence = 1.0
    else:
        second = ranked.iloc[1]
        se = math.hypot(top["utilisation_se"], second["utilisation_se"])
        gap = top["utilisation"] - second["utilisation"]
        confidence = float(stats.norm.cdf(gap / se)) if se > 0 else 1.0
    provisional = bool(weeks < THIN_WEEKS or top["evidence_n"] < THIN_EVIDENCE)
    if provisional:
        confidence = min(confidence, PROVISIONAL_CAP[min(len(ranked), 2)])
    return str(top["stage"]), confidence, provisional


def find_constraint(work_items, stages: Sequence[str] | None = None, *, freq: str = "QS",
                    start=None, end=None) -> ConstraintReport:
    """Name the stage that limits throughput, with evidence.

    Parameters
    ----------
    work_items : FlowData or DataFrame
        From :func:`~opsdx.read_work_items` (a DataFrame is read by it).
    stages : list of str, optional
        Flow order; default: the order of the data (or inferred).
    freq : str
        Periods of the :attr:`~ConstraintReport.timeline` (pandas frequency;
        default quarters: ``"QS"``). Weekly rates are always per 7 days.
    start, end : timestamps, optional
        The window analysed; default: first entry to last recorded event.

    Returns
    -------
    ConstraintReport
        ``stages`` has, per stage in flow order: ``arrivals`` and
        ``departures`` (visits entering and leaving in the window), ``arrivals_per_week``,
        ``departures_per_week``, ``mean_wip``, ``time_p50`` and ``time_p85``
        (days in stage, queue included), ``wait_p50`` (days queued, with
        ``started_at``), ``servers`` and ``capacity_per_week`` (``inf``:
        no limit shown), ``utilisation`` (work arriving / capacity) and
        ``utilisation_se`` (its standard error), ``evidence_score`` (the
        utilisation of stages that have shown a limit, 0 for the others: the
        verdict picks its maximum), ``net_flow_per_week`` (arrivals minus
        departures), ``wip_growth_per_week`` (the trend of the WIP in the
        stage), ``next_idle_share`` (share of the time the stages its work goes
        to next had nothing to do, weighted by the work each gets from it),
        ``next_stages`` (those getting at least 10% of it), ``timer_days`` and
        ``timer_share`` (the time most of its visits last exactly, and how
        many do, for a timer; NaN and 0 otherwise), ``wait_slope_days``
        (extra days in stage per item found on arrival) and ``role``
        (``constraint``, ``capacity-limited``, ``delay (a timer)`` or ``no
        limit shown``).

    Examples
    --------
    >>> from opsdx.flow import Line, Stage, simulate_line
    >>> line = Line([Stage("Build", 0.2, servers=2), Stage("Review", 0.4),
    ...              Stage("Customer sign-off", 5.0, servers=None)], arrivals_per_day=2.0)
    >>> report = find_constraint(simulate_line(line, days=200, seed=3))
    >>> report.constraint
    'Review'
    """
    flow = as_flow(work_items, stages=stages)
    v = flow.visits
    if v.empty:
        raise OpsdxError("no stage visits to analyse")
    times = [v[c] for c in ("entered_at", "started_at", "exited_at") if c in v.columns]
    first = min(t.min() for t in times if t.notna().any())
    last = max(t.max() for t in times if t.notna().any())
    start = _timestamp(start, "start") if start is not None else first
    end = _timestamp(end, "end") if end is not None else last
    if not end > start:
        raise OpsdxError("the window is empty: end must be after start")
    origin = np.datetime64(start.to_datetime64(), "ns")
    t1 = (np.datetime64(end.to_datetime64(), "ns") - origin) / _DAY
    codes = _stage_codes(flow)
    arrays = _stage_arrays(flow, origin, codes)
    table = _analyse(arrays, 0.0, t1)
    span = t1
    table["arrivals_per_week"] = 7 * table["arrivals"] / span
    table["departures_per_week"] = 7 * table["departures"] / span
    table["capacity_per_week"] = 7 * table["capacity_per_day"]
    table["net_flow_per_week"] = table["arrivals_per_week"] - table["departures_per_week"]
    # the verdict's score: utilisation, for stages that have shown a limit
    table["evidence_score"] = np.where(np.isfinite(table["capacity_per_day"]),
                                       table["utilisation"], 0.0)
    items = pd.factorize(v["item_id"])[0]  # once: grouping by text is costly
    first_entry = pd.Series(v["entered_at"].to_numpy()).groupby(items, sort=False).min()
    new_items = int(((first_entry >= start) & (first_entry < end)).sum())
    table["visits_per_item"] = table["arrivals"] / max(new_items, 1)
    successors = _successors(v, flow.stages, codes, items)
    idle = table.set_index("stage")["idle_share"]
    weighted = (successors.assign(idle=successors["to"].map(idle) * successors["share"])
                .groupby("from", sort=False)["idle"].sum(min_count=1))
    table["next_idle_share"] = table["stage"].map(weighted).astype(float)
    table["next_stages"] = table["stage"].map(
        successors[successors["share"] >= 0.1].groupby("from", sort=False)["to"]
        .agg(lambda names: list(names))).apply(lambda x: x if isinstance(x, list) else [])
    constraint, confidence, provisional = _verdict(table, span / 7)
    table["role"] = np.where(np.isfinite(table["capacity_per_day"]), "capacity-limited",
                             "no limit shown (delay or spare capacity)")
    table.loc[table["timer_share"] > 0, "role"] = "delay (a timer)"
    if constraint is not None:
        table.loc[table["stage"] == constraint, "role"] = "constraint"
    timers = {r.stage: (r.timer_days, r.timer_share) for r in table.itertuples()
              if r.timer_share > 0}
    timeline = _timeline(arrays, start, end, freq, origin, timers)
    columns = ["stage", "role", "arrivals", "departures", "arrivals_per_week", "departures_per_week", "mean_wip",
               "time_p50", "time_p85", "wait_p50", "servers", "service_days",
               "capacity_per_week", "utilisation", "utilisation_se", "evidence_score",
               "net_flow_per_week", "wip_growth_per_week", "capacity_from", "stale_in_service",
               "next_idle_share", "next_stages", "wait_slope_days", "wait_slope_t",
               "visits_per_item", "open_at_end", "timer_days", "timer_share",
               "capacity_per_day"]
    table = table.reindex(columns=columns)
    return ConstraintReport(constraint=constraint, confidence=confidence, stages=table,
                            timeline=timeline, flow=flow, successors=successors,
                            provisional=provisional,
                            params={"freq": freq, "start": str(start), "end": str(end),
                                    "demand_per_week": 7 * new_items / span,
                                    "started_at": "started_at" in v.columns})


def _successors(visits: pd.DataFrame, stages: list, codes: np.ndarray,
                items: np.ndarray) -> pd.DataFrame:
    """Where the work goes from each stage, as observed: ``from``, ``to``, ``n`` (items that
    went straight from one to the other) and ``share`` (of the work leaving ``from`` for
    another stage), largest first; a return to the same stage is not a successor."""
    order = np.lexsort((visits["entered_at"].to_numpy(), items))
    item = items[order]
    here = codes[order]
    same_item = np.r_[item[1:] == item[:-1], False]
    nxt = np.r_[here[1:], -1]
    moved = same_item & (nxt != here) & (here >= 0) & (nxt >= 0)
    pairs = pd.DataFrame({"from": here[moved], "to": nxt[moved]})
    counts = pairs.value_counts().rename("n").reset_index()
    counts["share"] = counts["n"] / counts.groupby("from")["n"].transform("sum")
    names = np.asarray(stages, dtype=object)
    counts["from"], counts["to"] = names[counts["from"]], names[counts["to"]]
    return counts.sort_values(["from", "n"], ascending=[True, False], ignore_index=True)


def _shared_people(flow: FlowData, table: pd.DataFrame) -> list[str]:
    """A note when one person does most of the work of two capacity-limited stages.

    Their capacity is shared, so each stage's separate estimate overstates it.
    """
    v = flow.visits
    if "owner" not in v or v["owner"].isna().all():
        return []
    limited = table.loc[np.isfinite(table["capacity_per_day"]), "stage"].tolist()
    part = v[v["stage"].isin(limited)].dropna(subset=["owner"])
    if part.empty:
        return []
    share = part.groupby(["owner", "stage"]).size() / part.groupby("stage").size()
    major = share[share >= 0.5].reset_index()
    out = []
    for person, rows in major.groupby("owner"):
        if len(rows) >= 2:
            names = ", ".join(rows["stage"])
            out.append(f"{person} does most of the work of {names}: one person's time is "
                       "shared between them, so their separate capacities overstate what they "
                       "can do together.")
    return out


def _timeline(arrays: dict, start, end, freq: str, origin, timers: dict) -> pd.DataFrame:
    try:
        edges = pd.date_range(start.normalize(), end, freq=freq)
    except ValueError:
        raise OpsdxError(f"freq must be a pandas frequency such as 'QS', 'MS' or 'W', not {freq!r}") from None
    edges = [start] + [e for e in edges if start < e < end] + [end]
    rows = []
    for a, b in zip(edges[:-1], edges[1:]):
        t0 = (np.datetime64(a.to_datetime64(), "ns") - origin) / _DAY
        t1 = (np.datetime64(b.to_datetime64(), "ns") - origin) / _DAY
        if t1 - t0 < 7:
            continue
        table = _analyse(arrays, t0, t1, closed=b == end, timers=timers)
        constraint, confidence, _ = _verdict(table, (t1 - t0) / 7)
        util = (float(table.loc[table["stage"] == constraint, "utilisation"].iloc[0])
                if constraint else np.nan)
        rows.append({"period_start": a, "period_end": b, "constraint": constraint,
                     "confidence": confidence, "utilisation": util})
    return pd.DataFrame(rows, columns=["period_start", "period_end", "constraint", "confidence",
                                       "utilisation"])


def _statements(table: pd.DataFrame, constraint: str | None, confidence: float,
                weeks: float, provisional: bool) -> dict:
    """The sentences of the findings (:data:`FINDINGS`) that apply, by name."""
    timed = _timers(table)
    if constraint is None:
        if provisional or table["departures"].sum() == 0:
            return {"verdict": f"Too little flow to name a constraint: {weeks:.1f} weeks of data "
                               f"and {int(table['departures'].sum())} stage exits, and no stage "
                               "has yet made work wait in a way that shows its limit.", **timed}
        busiest = table.sort_values("mean_wip", ascending=False).iloc[0]
        out = {"verdict": "No stage made work wait in a way that limits throughput: the line "
                          "delivers what arrives, so demand, not capacity, sets the pace.",
               "busiest": f"{busiest['stage']} holds the most work in progress "
                          f"({busiest['mean_wip']:.1f} items on average), but it kept up with "
                          "what arrived."}
        limited = table[np.isfinite(table["capacity_per_day"]) & (table["utilisation"] > 0)]
        if len(limited):
            top = limited.sort_values("utilisation", ascending=False).iloc[0]
            out["tightest"] = (f"The tightest stage, {top['stage']}, uses only "
                               f"{top['utilisation']:.0%} of its capacity: the waits in front "
                               "of it come from elsewhere (customers, schedules, batches), not "
                               "from how much it can do.")
        return {**out, **timed}
    t = table.set_index("stage")
    row = t.loc[constraint]
    lead = "provisionally " if provisional else ""
    out = {"verdict": f"{constraint} is {lead}the constraint ({likelihood(confidence)} on this "
                      f"data): work arrives at {row['arrivals_per_week']:.1f} items a week and "
                      f"it can finish about {row['capacity_per_week']:.1f}, so the work takes "
                      f"{row['utilisation']:.0%} of its capacity."}
    growth = row["wip_growth_per_week"]
    if growth * weeks >= max(5.0, 2.0 * row["mean_wip"]):
        tail = (": more arrives than it can finish." if row["utilisation"] >= 1.0 else
                ", a sign of how close to its limit it runs.")
        out["wip_growth"] = (f"The work waiting in {constraint} grew by {growth:.1f} items a week "
                             f"over the {weeks:.0f} weeks{tail}")
    after = row["next_stages"]
    idle = row["next_idle_share"]
    if len(after) and np.isfinite(idle) and idle >= 0.1:
        if len(after) == 1:
            out["next_idle"] = (f"{after[0]}, where its work goes next, had nothing to work on "
                                f"{idle:.0%} of the time.")
        else:
            out["next_idle"] = (f"The stages its work goes to next ({', '.join(after)}) had "
                                f"nothing to work on {idle:.0%} of the time, weighted by the "
                                "work each gets from it.")
    if row["wait_slope_t"] >= MIN_SLOPE_T:
        out["wait_slope"] = (f"Each item already in {constraint} when a new one arrived added "
                             f"{row['wait_slope_days'] * 24:.1f} hours to the newcomer's time there.")
    longest = t["time_p50"].idxmax()
    if longest != constraint and np.isfinite(t.at[longest, "time_p50"]):
        if t.at[longest, "timer_share"] > 0:
            why = (f"it is a timer, not a capacity ({t.at[longest, 'timer_share']:.0%} of its "
                   f"visits last exactly {_duration(t.at[longest, 'timer_days'])}).")
            timed = _timers(table[table["stage"] != longest])
        elif not np.isfinite(t.at[longest, "capacity_per_day"]):
            why = "time there does not grow with the work waiting, so it is a delay, not a constraint."
        else:
            why = f"its work takes {t.at[longest, 'utilisation']:.0%} of its capacity."
        out["longest"] = (f"{longest} takes longer ({t.at[longest, 'time_p50']:.1f} days median) "
                          f"but never held work back: {why}")
    runner = table[(table["stage"] != constraint) & np.isfinite(table["capacity_per_day"])]
    if len(runner):
        r = runner.sort_values("utilisation", ascending=False).iloc[0]
        if "longest" in out and r["stage"] == longest:  # one sentence for one stage
            out["longest"] = out["longest"].removesuffix(".") + ", the next tightest."
        else:
            out["runner_up"] = (f"Next tightest: {r['stage']}, whose work takes "
                                f"{r['utilisation']:.0%} of its capacity.")
    return {**out, **timed}


def _timers(table: pd.DataFrame) -> dict:
    """The ``timers`` finding: each stage whose time is a timer's, with how sure."""
    timers = table[table["timer_share"] > 0]
    if not len(timers):
        return {}
    return {"timers": "; ".join(
        f"{r.stage} is a timer, not a capacity: {r.timer_share:.0%} of its visits last exactly "
        f"{_duration(r.timer_days)}" for r in timers.itertuples()) + "."}


def _duration(days: float) -> str:
    """A timer's length as a person says it: 15 days, 36 hours."""
    if abs(days - round(days)) < 1 / 1440:
        return f"{round(days):.0f} day{'s' if round(days) != 1 else ''}"
    return f"{days * 24:.0f} hours"
