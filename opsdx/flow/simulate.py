"""A small discrete-event simulator of a serial line of work stages.

Work items arrive as a Poisson process and pass through the stages in order.
A stage has a number of servers (people, machines, review slots), each
serving one item at a time in first-come, first-served order; a *pure delay*
stage ("waiting for customer", "soak test") has unlimited servers, so every
item spends its own duration there whatever the load. A stage may send a
share of its items back to an earlier stage (rework).

The simulator is ground truth for :func:`~opsdx.find_constraint`: the true
constraint is the stage with the highest utilisation,
``visits per item x arrival rate x mean service time / servers``, and
:meth:`Line.truth` says which it is. Consultants use it for what-if
questions too ("a second reviewer at this arrival rate?").
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import OpsdxError

__all__ = ["Stage", "Line", "simulate_line"]

_DISTRIBUTIONS = ("exponential", "gamma", "lognormal", "deterministic")


@dataclass(frozen=True)
class Stage:
    """One stage of a line.

    Parameters
    ----------
    name : str
    mean_days : float
        Mean service time of one item, in days.
    servers : int or None
        Items served at once; ``None`` for a pure delay (unlimited servers).
    cv : float
        Coefficient of variation of the service time (1 for exponential).
    distribution : {"exponential", "gamma", "lognormal", "deterministic"}
        Shape of the service time; ``gamma`` and ``lognormal`` use ``cv``.
    rework_to : str, optional
        Earlier (or the same) stage that receives the items sent back.
    rework_share : float
        Share of the items leaving this stage that are sent back.
    """

    name: str
    mean_days: float
    servers: int | None = 1
    cv: float = 1.0
    distribution: str = "gamma"
    rework_to: str | None = None
    rework_share: float = 0.0

    @property
    def capacity(self) -> float:
        """Items per day the stage can finish when never starved (inf for a delay)."""
        return np.inf if self.servers is None else self.servers / self.mean_days

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        m, cv = self.mean_days, self.cv
        if self.distribution == "exponential":
            return rng.exponential(m, size)
        if self.distribution == "deterministic" or cv == 0:
            return np.full(size, m)
        if self.distribution == "gamma":
            shape = 1.0 / cv ** 2
            return rng.gamma(shape, m / shape, size)
        if self.distribution == "lognormal":
            sigma2 = np.log1p(cv ** 2)
            return rng.lognormal(np.log(m) - sigma2 / 2, np.sqrt(sigma2), size)
        raise OpsdxError(f"distribution must be one of {', '.join(_DISTRIBUTIONS)}")


@dataclass
class Line:
    """A serial line: stages in flow order and an arrival rate (items per day)."""

    stages: Sequence[Stage]
    arrivals_per_day: float
    names: list = field(init=False)

    def __post_init__(self):
        self.names = [s.name for s in self.stages]
        if len(set(self.names)) != len(self.names):
            raise OpsdxError("stage names must be unique")
        for i, s in enumerate(self.stages):
            if s.servers is not None and s.servers < 1:
                raise OpsdxError(f"{s.name}: servers must be >= 1 or None (a pure delay)")
            if not s.mean_days > 0:
                raise OpsdxError(f"{s.name}: mean_days must be positive")
            if s.rework_share:
                if not 0 < s.rework_share < 1:
                    raise OpsdxError(f"{s.name}: rework_share must be between 0 and 1")
                if s.rework_to not in self.names[:i + 1]:
                    raise OpsdxError(f"{s.name}: rework_to must name this or an earlier stage")

    def visits(self) -> np.ndarray:
        """Expected visits per item to each stage (rework loops repeat stages)."""
        v = np.ones(len(self.stages))
        for j, s in enumerate(self.stages):
            if s.rework_share:
                k = self.names.index(s.rework_to)
                # stages k..j are repeated a geometric number of times
                v[k:j + 1] /= (1.0 - s.rework_share)
        return v

    def utilisation(self) -> pd.Series:
        """Offered load of each stage: visits x arrival rate / capacity (0 for a delay)."""
        cap = np.array([s.capacity for s in self.stages])
        return pd.Series(self.visits() * self.arrivals_per_day / cap, index=self.names,
                         name="utilisation")

    def truth(self) -> str:
        """The stage with the highest utilisation: the constraint."""
        return str(self.utilisation().idxmax())

    def throughput(self) -> float:
        """Items per day the line delivers in the long run: demand or the constraint's pace."""
        cap = np.array([s.capacity for s in self.stages]) / self.visits()
        return float(min(self.arrivals_per_day, cap.min()))


def simulate_line(line: Line, *, days: float = 365.0, seed=0, start="2025-01-06",
                  started_at: bool = True, owners: Sequence[str] | None = None) -> pd.DataFrame:
    """Simulate ``days`` of flow and return one row per stage visit.

    Columns: ``item_id, stage, entered_at, started_at, exited_at`` (and
    ``owner`` when ``owners`` is given: a name drawn per visit), as
    timestamps from ``start``. Visits still queued at the end have no
    ``started_at``; visits in progress have no ``exited_at`` (right-censored).
    ``started_at=False`` leaves the column out, as many tools record only
    entry and exit.

    Examples
    --------
    >>> line = Line([Stage("Build", 0.5), Stage("Review", 0.8)], arrivals_per_day=1.0)
    >>> line.truth()
    'Review'
    >>> visits = simulate_line(line, days=30, seed=1)
    >>> visits.columns.tolist()
    ['item_id', 'stage', 'entered_at', 'started_at', 'exited_at']
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    stages = list(line.stages)
    n_stages = len(stages)
    index = {s.name: i for i, s in enumerate(stages)}
    rework_to = [index[s.rework_to] if s.rework_share else -1 for s in stages]
    # arrivals: a Poisson process over the horizon
    n_expected = line.arrivals_per_day * days
    gaps = rng.exponential(1.0 / line.arrivals_per_day, int(n_expected + 10 * np.sqrt(n_expected) + 20))
    arrival_times = np.cumsum(gaps)
    arrival_times = arrival_times[arrival_times < days]

    # service times drawn in blocks per stage, consumed in order (seeded, reproducible)
    pools = [s.draw(rng, max(64, int(n_expected * 1.5))) for s in stages]
    used = [0] * n_stages
    reworks = rng.random(max(64, int(n_expected * n_stages * 2)))
    used_rework = 0

    def service(i: int) -> float:
        if used[i] >= pools[i].size:
            pools[i] = np.concatenate([pools[i], stages[i].draw(rng, pools[i].size)])
        used[i] += 1
        return float(pools[i][used[i] - 1])

    rows_item, rows_stage, rows_in, rows_start, rows_out = [], [], [], [], []
    queues = [deque() for _ in stages]
    busy = [0] * n_stages
    servers = [s.servers if s.servers is not None else np.inf for s in stages]
    events: list = [(t, k, 0, k, 0) for k, t in enumerate(arrival_times)]  # (time, seq, kind, item, stage)
    heapq.heapify(events)
    seq = len(events)
    ARRIVE, DEPART = 0, 1

    def begin(t: float, row: int, i: int) -> None:
        nonlocal seq
        rows_start[row] = t
        busy[i] += 1
        seq += 1
        heapq.heappush(events, (t + service(i), seq, DEPART, row, i))

    while events:
        t, _, kind, ref, i = heapq.heappop(events)
        if t >= days:
            break
        if kind == ARRIVE:
            row = len(rows_item)
            rows_item.append(ref)
            rows_stage.append(i)
            rows_in.append(t)
            rows_start.append(np.nan)
            rows_out.append(np.nan)
            if busy[i] < servers[i]:
                begin(t, row, i)
            else:
                queues[i].append(row)
            continue
        # a departure
        row = ref
        rows_out[row] = t
        busy[i] -= 1
        if queues[i]:
            begin(t, queues[i].popleft(), i)
        item = rows_item[row]
        if used_rework >= reworks.size:
            reworks = np.concatenate([reworks, rng.random(reworks.size)])
        back = rework_to[i] >= 0 and reworks[used_rework] < stages[i].rework_share
        used_rework += 1
        target = rework_to[i] if back else i + 1
        if target < n_stages:
            seq += 1
            heapq.heappush(events, (t, seq, ARRIVE, item, target))

    origin = pd.Timestamp(start)
    def stamp(values):
        return origin + pd.to_timedelta(np.asarray(values, float), unit="D")

    out = pd.DataFrame({"item_id": [f"W{k + 1:06d}" for k in rows_item],
                        "stage": pd.Categorical([line.names[i] for i in rows_stage],
                                                categories=line.names),
                        "entered_at": stamp(rows_in), "started_at": stamp(rows_start),
                        "exited_at": stamp(rows_out)})
    out["stage"] = out["stage"].astype(str)
    if not started_at:
        out = out.drop(columns="started_at")
    if owners is not None:
        out["owner"] = rng.choice(np.asarray(list(owners), dtype=object), len(out))
    out.attrs.update(stages=line.names, truth=line.truth())
    return out.sort_values(["entered_at", "item_id"], kind="stable").reset_index(drop=True)
