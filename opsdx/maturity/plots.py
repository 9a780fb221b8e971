"""Maturity charts: the profile of the dimensions, as bars or a heatmap.

Each takes ``ax=`` (a new figure when None) and returns the Axes.
"""

from __future__ import annotations

import numpy as np

from ._common import text_number

__all__ = ["plot_profile"]


def plot_profile(result, ax=None, *, kind: str = "bar"):
    """Per-dimension profile chart of a :class:`~opsdx.maturity.MaturityResult`.

    Parameters
    ----------
    result : MaturityResult
    ax : matplotlib Axes, optional
    kind : {"bar", "heatmap"}
        ``"bar"``: each dimension's score of the practices up to the next
        stage, with its interval and the threshold; ``"heatmap"``: dimension x
        stage scores.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(result.dimensions)), layout="constrained")
    threshold = result.params["threshold"]
    if kind == "heatmap":
        sns.heatmap(result.profile, vmin=0, vmax=1, cmap="RdYlGn", annot=True, fmt=".2f",
                    cbar_kws={"label": "score (0 to 1)"}, ax=ax)
        ax.set_xlabel("stage at which the practice is expected")
        ax.set_ylabel("")
    elif kind == "bar":
        dims = result.dimensions.sort_values("score_to_next")
        y = np.arange(len(dims))
        err = np.vstack([dims["score_to_next"] - dims["score_to_next_ci_low"],
                         dims["score_to_next_ci_high"] - dims["score_to_next"]])
        ax.barh(y, dims["score_to_next"], color=sns.color_palette("crest", 3)[1],
                xerr=np.nan_to_num(err, nan=0.0), capsize=3)
        ax.set_yticks(y, dims["title"])
        ax.axvline(threshold, color="0.3", ls="--", lw=1, label=f"threshold {threshold:g}")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.set_xlim(0, 1)
        upto = min(result.stage + 1, 5)
        span = f"stage {upto}" if upto == 2 else f"stages 2 to {upto}"
        ax.set_xlabel(f"score of the practices of {span}\n(0 = absent, 1 = always true)")
    else:
        raise ValueError(f"kind must be 'bar' or 'heatmap', not {kind!r}")
    ax.set_title(f"Stage {result.stage}: {result.stage_name}\n"
                 f"probability {text_number(result.stage_probability)}, "
                 f"maturity index {result.index:.2f}", fontsize=10)
    return ax
