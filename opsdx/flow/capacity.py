"""Per-stage flow statistics: WIP over time, capacity and utilisation, vectorised.

Everything here works on one stage's visits at a time, as float days since a
common origin: ``entered`` (joined the stage, queue included), ``started``
(work began; NaN when unknown) and ``exited`` (NaN while still in the stage).

Capacity is what a stage finishes per day while it is never short of work.
Two estimators, depending on the data:

* with ``started_at``: while items wait in the queue, every server is busy
  (work is not left undone while someone is free), so the number of items in
  service during those times is the number of servers ``c``; capacity is
  ``c / mean service time``. A stage where nothing ever waits has shown no
  limit at all (a pure delay, or plenty of people).
* without it: the departure rate as a function of the WIP in the stage. With
  ``c`` servers it grows as ``min(k, c) x mu`` and then flattens at the
  capacity ``c x mu``; with unlimited servers (a pure delay) it keeps growing
  as ``k / mean duration``. ``c`` is chosen by Poisson likelihood over the
  time spent at each WIP level. A second check guards against delays whose
  durations are nearly fixed (a two-day soak test): in a queue, the time an
  item spends rises with the WIP it finds on arrival; in a delay it does not.
"""

from __future__ import annotations

import numpy as np

#: The most parallel servers a capacity model considers; beyond it, a stage is unlimited.
MAX_SERVERS = 64
#: Share of the observed time a queue must exist before a stage counts as having shown a limit.
MIN_QUEUE_SHARE = 0.005


def step_counts(up: np.ndarray, down: np.ndarray, t0: float, t1: float):
    """A counting process from ``+1`` times and ``-1`` times, clipped to ``[t0, t1]``.

    Returns ``(times, delta, level_after, durations, level_at_t0, order)``
    for the events in time order (a departure before an arrival at the same
    instant); ``order`` maps them back to ``concatenate([down, up])``.
    """
    times = np.concatenate([down, up])
    delta = np.concatenate([-np.ones(down.size, np.int64), np.ones(up.size, np.int64)])
    order = np.lexsort((delta, times))
    times, delta = times[order], delta[order]
    level = np.cumsum(delta)
    nxt = np.append(times[1:], t1)
    durations = np.clip(nxt, t0, t1) - np.clip(times, t0, t1)
    before = int(level[times < t0][-1]) if np.any(times < t0) else 0
    return times, delta, level, durations, before, order


def exposure_by_level(level: np.ndarray, durations: np.ndarray, before: int, t0: float,
                      first_time: float) -> np.ndarray:
    """Time spent at each level 0, 1, 2, ... within the window."""
    size = int(max(level.max(initial=0), before)) + 1
    out = np.bincount(np.clip(level, 0, None), weights=durations, minlength=size)
    if first_time > t0:  # the stretch before the first event of the window
        out[before] += first_time - t0
    return out


def servers_from_departures(exposure: np.ndarray, departures: np.ndarray):
    """Choose ``c`` (or unlimited) for departure rates ``min(k, c) x mu``; return (c, mu, loglik).

    ``exposure[k]`` is the time at WIP k and ``departures[k]`` the departures
    from WIP k. ``c`` is ``np.inf`` when the rate never flattens.
    """
    k = np.arange(exposure.size, dtype=float)
    # a level held for less than a microsecond (an exit the instant after an entry, as date-only
    # or rounded data gives) says nothing of a rate, and would divide by almost nothing
    keep = (k >= 1) & (exposure > 1e-11)
    k, T, D = k[keep], exposure[keep], departures[keep]
    if D.sum() == 0:
        return np.inf, 0.0, 0.0
    k_max = int(k.max())
    candidates = np.arange(1, min(k_max, MAX_SERVERS) + 1, dtype=float)
    m = np.minimum(k[None, :], candidates[:, None])                 # (c, k)
    mu = D.sum() / (m * T[None, :]).sum(axis=1)
    ll = (D[None, :] * np.log(m * mu[:, None])).sum(axis=1) - mu * (m * T[None, :]).sum(axis=1)
    best = int(np.argmax(ll))
    c = candidates[best]
    if c >= k_max:
        c = np.inf  # the rate grew up to the highest WIP seen: no limit shown
    return c, float(mu[best]), float(ll[best])


def wait_slope(arrival_wip: np.ndarray, time_in_stage: np.ndarray):
    """Least-squares slope of time in stage on the WIP found at arrival, and its t statistic."""
    ok = np.isfinite(time_in_stage)
    x, y = arrival_wip[ok].astype(float), time_in_stage[ok]
    if x.size < 10 or np.ptp(x) == 0:
        return 0.0, 0.0
    xc = x - x.mean()
    slope = float((xc * (y - y.mean())).sum() / (xc ** 2).sum())
    resid = y - y.mean() - slope * xc
    se = np.sqrt((resid ** 2).sum() / max(x.size - 2, 1) / (xc ** 2).sum())
    return slope, float(slope / se) if se > 0 else 0.0
