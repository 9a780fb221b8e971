"""Flow charts for the workbook: cumulative flow, time in stage, WIP over time.

Each takes ``ax=`` (a new figure when None) and returns the Axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .workitems import FlowData, as_flow

__all__ = ["plot_cfd", "plot_time_in_stage", "plot_wip", "wip_over_time"]


def _ax(ax, size=(7.5, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _grid(flow: FlowData, freq: str) -> pd.DatetimeIndex:
    v = flow.visits
    last = max(v["entered_at"].max(), v["exited_at"].max())
    return pd.date_range(v["entered_at"].min().floor("D"), last.ceil("D"), freq=freq)


def wip_over_time(flow, freq: str = "D") -> pd.DataFrame:
    """Items in each stage at each time of a regular grid (columns in flow order).

    ``WIP(t) = entries up to t - exits up to t``, by binary search on sorted
    times (no loop over visits).
    """
    flow = as_flow(flow)
    grid = _grid(flow, freq)
    g = grid.to_numpy("datetime64[ns]")
    out = {}
    for stage in flow.stages:
        mine = flow.visits[flow.visits["stage"] == stage]
        e = np.sort(mine["entered_at"].to_numpy("datetime64[ns]"))
        x = np.sort(mine["exited_at"].dropna().to_numpy("datetime64[ns]"))
        out[stage] = np.searchsorted(e, g, side="right") - np.searchsorted(x, g, side="right")
    return pd.DataFrame(out, index=grid)


def plot_cfd(flow, ax=None, freq: str = "D"):
    """Cumulative flow diagram: items that have reached each stage, and items done.

    The vertical gap between two bands is the work in between; a band that
    widens is work piling up in front of a stage.
    """
    import seaborn as sns

    flow = as_flow(flow)
    ax = _ax(ax)
    grid = _grid(flow, freq)
    g = grid.to_numpy("datetime64[ns]")
    v = flow.visits
    firsts = v.groupby(["stage", "item_id"], sort=False)["entered_at"].min().reset_index()
    curves = {}
    for stage in flow.stages:
        t = np.sort(firsts.loc[firsts["stage"] == stage, "entered_at"].to_numpy("datetime64[ns]"))
        curves[stage] = np.searchsorted(t, g, side="right")
    last = v[v["stage"] == flow.stages[-1]]
    done = np.sort(last["exited_at"].dropna().to_numpy("datetime64[ns]"))
    curves["done"] = np.searchsorted(done, g, side="right")
    colours = sns.color_palette("crest", len(curves))
    names = list(curves)
    for i, name in enumerate(names):
        lower = curves[names[i + 1]] if i + 1 < len(names) else np.zeros(len(g))
        ax.fill_between(grid, lower, curves[name], color=colours[i], alpha=0.85, lw=0,
                        label=name)
    ax.set_ylabel("items (cumulative)")
    ax.set_title("Cumulative flow", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False, reverse=True)
    ax.margins(x=0)
    return ax


def plot_time_in_stage(flow, ax=None, constraint: str | None = None):
    """Days each finished visit spent in its stage (queue included), by stage; log scale."""
    import seaborn as sns

    flow = as_flow(flow)
    ax = _ax(ax)
    v = flow.visits.dropna(subset=["exited_at"])
    days = (v["exited_at"] - v["entered_at"]).dt.total_seconds() / 86400
    data = pd.DataFrame({"stage": v["stage"], "days": days.clip(lower=1 / 1440)})
    palette = {s: ("C3" if s == constraint else "0.7") for s in flow.stages}
    sns.boxplot(data=data, x="days", y="stage", order=flow.stages, hue="stage", palette=palette,
                legend=False, ax=ax, fliersize=1.5, linewidth=0.8, log_scale=True)
    # plain numbers on the log axis: matplotlib's own are maths ($10^{-1}$), which a report
    # that draws every text as itself (text.parse_math off, for clients' "$" signs) shows raw
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("days in stage (log scale)")
    ax.set_ylabel("")
    title = "Time in stage" + (f" (constraint: {constraint})" if constraint else "")
    ax.set_title(title, fontsize=10)
    return ax


def plot_wip(flow, ax=None, freq: str = "D"):
    """Work in progress in each stage over time."""
    flow = as_flow(flow)
    ax = _ax(ax)
    wip = wip_over_time(flow, freq)
    for stage in wip.columns:
        ax.plot(wip.index, wip[stage], lw=1, label=stage)
    ax.set_ylabel("items in stage")
    ax.set_title("Work in progress", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.margins(x=0)
    return ax
