"""Evidence-Based Scheduling: each estimator's own history corrects their estimates.

Joel Spolsky's Evidence-Based Scheduling (2007) simulates the total effort of
open tasks by dividing each estimate by a velocity drawn from the same
estimator's past; here the equivalent ratio ``actual / estimate`` is drawn
instead and multiplied. An estimator with too little history borrows the
pooled ratios of everyone, and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import OpsdxError
from ..notes import Note
from .estimates import finished_ratios

__all__ = ["simulate_schedule", "ScheduleForecast"]

#: Tasks and history rows whose estimator is blank: always drawn from the pooled ratios.
NO_ESTIMATOR = "(no estimator)"


def _names(column: pd.Series) -> np.ndarray:
    text = column.astype(str).str.strip()
    blank = column.isna() | text.isin(["", "nan", "None", "<NA>"])
    return text.where(~blank, NO_ESTIMATOR).to_numpy()


#: The label of the all-estimators row in :meth:`ScheduleForecast.percentiles`.
TOTAL = "(all estimators)"


@dataclass
class ScheduleForecast:
    """Simulated total effort of open tasks, overall and per estimator."""

    totals: np.ndarray
    by_estimator: dict
    inside_view: dict
    sources: dict
    inside_view_total: float = 0.0
    notes: list = field(default_factory=list)

    def percentiles(self, p: Sequence[float] = (0.5, 0.8, 0.9)) -> pd.DataFrame:
        """One row per estimator and one for the total: inside view and outside-view percentiles."""
        rows = []
        rows_in = [(name, draws, self.inside_view[name], self.sources.get(name, ""))
                   for name, draws in self.by_estimator.items()]
        rows_in.append((TOTAL, self.totals, self.inside_view_total, ""))
        for name, draws, inside, source in rows_in:
            row = {"estimator": name, "tasks_inside_view": inside, "history": source}
            row.update({f"p{q * 100:g}": float(np.quantile(draws, q)) for q in p})
            rows.append(row)
        return pd.DataFrame(rows)

    def p_within(self, budget: float) -> float:
        """Probability that the total effort fits in ``budget``."""
        return float(np.mean(self.totals <= budget))

    def __repr__(self) -> str:
        p50, p80 = np.quantile(self.totals, [0.5, 0.8]) if len(self.totals) else (np.nan, np.nan)
        return (f"<ScheduleForecast: {len(self.by_estimator)} estimators, {len(self.totals)} "
                f"trials; total {self.inside_view_total:g} as estimated, P50 {p50:.4g}, "
                f"P80 {p80:.4g}>")


def simulate_schedule(tasks: pd.DataFrame, history: pd.DataFrame, *, trials: int = 10_000,
                      seed=0, estimate: str = "estimate", actual: str = "actual",
                      estimator: str = "estimator", min_history: int = 10) -> ScheduleForecast:
    """Distribution of the total effort of open ``tasks``, from each estimator's past ratios.

    Parameters
    ----------
    tasks : DataFrame
        Open tasks with ``estimate`` and ``estimator``.
    history : DataFrame
        Finished work with ``estimate``, ``actual`` and ``estimator``.
    min_history : int
        Finished items an estimator needs for their own ratios to be used;
        below it the pooled ratios of all history are drawn.

    Examples
    --------
    >>> past = pd.DataFrame({"estimate": [1.0] * 4, "actual": [1.0, 2.0, 1.0, 2.0],
    ...                      "estimator": ["ana"] * 4})
    >>> todo = pd.DataFrame({"estimate": [10.0], "estimator": ["ana"]})
    >>> f = simulate_schedule(todo, past, trials=1000, seed=0, min_history=2)
    >>> sorted(set(f.totals.tolist()))
    [10.0, 20.0]
    """
    for frame, cols, name in ((tasks, [estimate, estimator], "tasks"),
                              (history, [estimate, actual, estimator], "history")):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise OpsdxError(f"{name} has no column {', '.join(map(repr, missing))}")
    finished, ratios = finished_ratios(history, estimate, actual)
    done = history[finished]
    if ratios.size == 0:
        raise OpsdxError("history needs finished items with positive estimates and actuals")
    est = pd.to_numeric(tasks[estimate], errors="coerce").to_numpy(float)
    if np.any(~(est > 0)):
        raise OpsdxError("every open task needs a positive estimate")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    who = _names(done[estimator])
    task_who = _names(tasks[estimator])
    totals = np.zeros(trials)
    by_estimator, inside, sources, notes = {}, {}, {}, []
    for name in pd.unique(task_who):
        mine = ratios[who == name] if name != NO_ESTIMATOR else ratios[:0]
        if mine.size >= min_history:
            pool, sources[name] = mine, f"own ({mine.size} items)"
        else:
            pool, sources[name] = ratios, f"pooled ({ratios.size} items)"
            notes.append(Note("planning", "estimator_pooled",
                              f"{name} has {mine.size} finished item(s), fewer than {min_history}: "
                              "their tasks draw from everyone's ratios"))
        chosen = est[task_who == name]
        draws = pool[rng.integers(0, pool.size, size=(trials, chosen.size))] * chosen
        by_estimator[name] = draws.sum(axis=1)
        inside[name] = float(chosen.sum())
        totals += by_estimator[name]
    return ScheduleForecast(totals=totals, by_estimator=by_estimator, inside_view=inside,
                            sources=sources, inside_view_total=float(est.sum()), notes=notes)
