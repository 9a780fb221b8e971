"""What-if explorers: widgets over results that exist, for talking a client through them.

* :func:`explore_constraint`: capacity added at a stage, and the throughput
  that follows (:meth:`~opsdx.ConstraintReport.what_if`);
* :func:`explore_planning`: a risk level (P50 to P95) and the budget the
  outside view gives an estimate, beside the inside view;
* :func:`explore_maturity`: the stage threshold and the weight of each
  dimension, and what they change in the stage and its probability.

Each returns an ipywidgets widget (a ``VBox``) whose controls are attributes,
so a notebook, a test or a script can set them as a click would; ``outcome``
holds the figures shown. Charts are PNG images (``chart``), drawn anew on each
change; every label from a client's data is escaped.
"""

from __future__ import annotations

import io

import ipywidgets as w
import numpy as np
import pandas as pd

from ..errors import OpsdxError
from .interview import escaped

__all__ = ["explore_constraint", "explore_planning", "explore_maturity",
           "ConstraintExplorer", "PlanningExplorer", "MaturityExplorer"]


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def _figure(width=6.0, height=3.0):
    """A figure drawn off-screen (never shown), whatever the notebook's backend."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


class _Explorer(w.VBox):
    """Controls, a line of figures and a chart; ``update()`` redraws from the controls."""

    def __init__(self, controls: list, **kwargs):
        self.text = w.HTML()
        self.chart = w.Image(format="png")
        self.outcome: dict = {}
        super().__init__([w.HBox(controls, layout=w.Layout(flex_flow="row wrap")), self.text,
                          self.chart], **kwargs)
        for control in controls:
            if hasattr(control, "value"):
                control.observe(lambda _: self.update(), "value")
        self.update()

    def update(self) -> None:
        try:
            self.outcome = self._compute()
        except OpsdxError as exc:
            self.outcome = {}
            self.text.value = f"<p style='color:#b00'>{escaped(exc)}</p>"
            self.chart.value = b""  # no chart of figures that are not there
            return
        self.text.value = self._text(self.outcome)
        self.chart.value = self._chart(self.outcome)


# --------------------------------------------------------------------------- constraint

def explore_constraint(report) -> "ConstraintExplorer":
    """Capacity added at any stage of a :class:`~opsdx.ConstraintReport`, and the throughput
    that follows, with the stages' paces charted against demand."""
    return ConstraintExplorer(report)


class ConstraintExplorer(_Explorer):
    """``stage`` (a Dropdown) and ``factor`` (capacity multiplied by it) drive ``outcome``,
    the dict of :meth:`~opsdx.ConstraintReport.what_if`."""

    def __init__(self, report):
        self.report = report
        pace = report.pace_per_week()
        stages = [s for s in pace.index if np.isfinite(pace[s])] or list(pace.index)
        if not stages:
            raise OpsdxError("the report has no stage to change")
        start = report.constraint if report.constraint in stages else stages[0]
        self.stage = w.Dropdown(options=stages, value=start, description="Stage")
        self.factor = w.FloatSlider(value=1.5, min=0.5, max=3.0, step=0.1,
                                    description="Capacity x", readout_format=".1f",
                                    continuous_update=False)
        super().__init__([self.stage, self.factor])

    def _compute(self) -> dict:
        return self.report.what_if(self.stage.value, float(self.factor.value))

    def _text(self, o: dict) -> str:
        now, after = o["throughput_per_week_now"], o["throughput_per_week_after"]
        change = f" ({after / now - 1:+.0%})" if now > 0 else ""

        def bound(when):
            tight = o[f"tightest_{when}"]
            return ("demand" if o[f"bound_{when}"] == "demand"
                    else f"the capacity of {escaped(tight)}")

        return (f"<p>With {escaped(o['stage'])} at {o['capacity_factor']:.1f} times its capacity, "
                f"throughput goes from <b>{now:.1f}</b> to <b>{after:.1f}</b> items a week"
                f"{change}. Now it is bound by {bound('now')}; after, by {bound('after')}.</p>")

    def _chart(self, o: dict) -> bytes:
        pace = self.report.pace_per_week()
        after = pace.copy()
        after[o["stage"]] = after[o["stage"]] * o["capacity_factor"]
        shown = pd.DataFrame({"now": pace, "after": after}).replace(np.inf, np.nan)
        fig, ax = _figure(6.0, 0.5 + 0.45 * len(shown))
        y = np.arange(len(shown))
        ax.barh(y + 0.2, shown["now"], height=0.4, label="now", color="#8da0cb")
        ax.barh(y - 0.2, shown["after"], height=0.4, label="after", color="#4c72b0")
        ax.axvline(o["demand_per_week"], color="#c44e52", ls="--", label="demand")
        ax.set_yticks(y, [str(s) for s in shown.index])
        ax.invert_yaxis()
        ax.set_xlabel("items a week the stage can pass")
        ax.legend(loc="lower right", fontsize=8)
        return _png(fig)


# --------------------------------------------------------------------------- planning

LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def explore_planning(result, estimate: float | None = None) -> "PlanningExplorer":
    """The outside view's budget for an estimate at a chosen risk level, beside the inside
    view, from a :class:`~opsdx.PlanningResult` (or a :class:`~opsdx.ReferenceClass`)."""
    return PlanningExplorer(result, estimate)


class PlanningExplorer(_Explorer):
    """``estimate`` (the inside view), ``level`` (P50 to P95) and ``cls`` (all history or a
    sub-class) drive ``outcome``: the budget, the uplift and the chance of overrunning."""

    def __init__(self, result, estimate: float | None = None):
        rc = getattr(result, "reference_class", result)
        self.rc = rc
        history = rc.history
        if estimate is None:
            estimate = float(np.median(history[rc.estimate_col]))
        if not np.isfinite(estimate) or estimate <= 0:
            raise OpsdxError(f"estimate must be a positive number, not {estimate!r}")
        self.estimate = w.FloatText(value=round(float(estimate), 2), description="Estimate")
        self.level = w.SelectionSlider(options=[(f"P{p * 100:g}", p) for p in LEVELS], value=0.8,
                                       description="Risk level")
        self.cls = w.Dropdown(options=_class_options(rc), value=(), description="Class")
        super().__init__([self.estimate, self.level, self.cls])

    def _compute(self) -> dict:
        estimate = float(self.estimate.value)
        if not estimate > 0:
            raise OpsdxError("the estimate must be a positive number")
        rc = self.rc.select(**dict(self.cls.value)) if self.cls.value else self.rc
        budgets = rc.forecast(estimate, p=list(LEVELS)).iloc[0]
        level = float(self.level.value)
        budget = float(budgets[f"p{level * 100:g}"])
        return {"estimate": estimate, "level": level, "budget": budget,
                "uplift": budget / estimate - 1, "p_overrun": float(rc.p_overrun(estimate)),
                "class": rc.label_, "n": int(rc.n_),
                "budgets": {float(p): float(budgets[f"p{p * 100:g}"]) for p in LEVELS}}

    def _text(self, o: dict) -> str:
        return (f"<p>Inside view: <b>{o['estimate']:,.3g}</b>. Outside view at "
                f"P{o['level'] * 100:g}: <b>{o['budget']:,.3g}</b> ({o['uplift']:+.0%}), from "
                f"{o['n']} finished items of {escaped(o['class'])}. The estimate alone is "
                f"overrun {o['p_overrun']:.0%} of the time.</p>")

    def _chart(self, o: dict) -> bytes:
        fig, ax = _figure(6.0, 2.8)
        levels = list(o["budgets"])
        colours = ["#4c72b0" if np.isclose(p, o["level"]) else "#b3c3de" for p in levels]
        ax.bar([f"P{p * 100:g}" for p in levels], list(o["budgets"].values()), color=colours)
        ax.axhline(o["estimate"], color="#c44e52", ls="--", label="the estimate (inside view)")
        ax.set_ylabel("budget")
        ax.legend(loc="upper left", fontsize=8)
        return _png(fig)


def _class_options(rc) -> list:
    """All history, then each combination of the class attributes the history has."""
    options = [("all history", ())]
    if rc.by:
        combos = rc.history[list(rc.by)].dropna().drop_duplicates().sort_values(list(rc.by))
        for row in combos.itertuples(index=False):
            pairs = tuple((k, v) for k, v in zip(rc.by, row))
            options.append((", ".join(f"{k}={v}" for k, v in pairs), pairs))
    return options


# --------------------------------------------------------------------------- maturity

def explore_maturity(client, *, threshold: float | None = None, n_boot: int = 500,
                     seed: int = 0) -> "MaturityExplorer":
    """The threshold and each dimension's weight, and what they change in the stage and
    its probability, over a client's answers (a folder, a :class:`~opsdx.Client`, or an
    :class:`~opsdx.Interview`, whose threshold is the default). ``threshold`` is the one
    compared against (default 0.75, as :func:`~opsdx.score_maturity`)."""
    return MaturityExplorer(client, threshold=threshold, n_boot=n_boot, seed=seed)


class MaturityExplorer(_Explorer):
    """``threshold`` and ``weights`` (one slider per dimension, multiplying its items'
    weights) drive ``outcome``: the stage, its probability and the index, beside the
    score with the questionnaire's own threshold and weights (``baseline``)."""

    def __init__(self, client, *, threshold: float | None = None, n_boot: int = 500,
                 seed: int = 0):
        from ..client import Client, load_client
        from ..maturity import score_maturity

        if hasattr(client, "responses") and hasattr(client, "questionnaire") \
                and not isinstance(client, Client):
            responses, q = client.responses(), client.questionnaire  # an Interview
            threshold = client.threshold if threshold is None else threshold
            if responses is None:
                raise OpsdxError("no answers yet to explore")
        else:
            c = client if isinstance(client, Client) else load_client(client)
            responses, q = c.responses(), c.questionnaire
        self.responses, self.questionnaire = responses, q
        self.n_boot, self.seed = n_boot, seed
        self._score = score_maturity
        threshold = 0.75 if threshold is None else float(threshold)
        self.baseline = score_maturity(responses, q, n_boot=n_boot, seed=seed, threshold=threshold)
        self.threshold = w.FloatSlider(value=threshold, min=0.5, max=1.0, step=0.05,
                                       description="Threshold", continuous_update=False)
        self.weights = {d.id: w.FloatSlider(value=1.0, min=0.25, max=3.0, step=0.25,
                                            description=d.id[:12], continuous_update=False)
                        for d in q.spec.dimensions}
        super().__init__([self.threshold, *self.weights.values()])

    def _compute(self) -> dict:
        items = self.questionnaire.items
        items = items[items["scored"]]  # an unscored (categorical) item has no weight to change
        factor = items["dimension"].map({d: s.value for d, s in self.weights.items()})
        weights = dict(zip(items["item_id"], items["weight"] * factor))
        r = self._score(self.responses, self.questionnaire, n_boot=self.n_boot, seed=self.seed,
                        threshold=float(self.threshold.value), weights=weights)
        return {"stage": r.stage, "stage_name": r.stage_name,
                "stage_probability": r.stage_probability, "index": r.index,
                "index_ci": tuple(r.index_ci), "threshold": float(self.threshold.value),
                "stage_probabilities": r.stage_probabilities.to_dict(), "result": r}

    def _text(self, o: dict) -> str:
        b = self.baseline
        own = (f"the same stage as with the questionnaire's own threshold and weights "
               f"(probability {b.stage_probability:.0%} there)" if o["stage"] == b.stage else
               f"with the starting threshold and the questionnaire's weights it is stage {b.stage} "
               f"(probability {b.stage_probability:.0%})")
        return (f"<p>Stage <b>{o['stage']}: {escaped(o['stage_name'])}</b>, probability "
                f"{o['stage_probability']:.0%}; index {o['index']:.2f} "
                f"[{o['index_ci'][0]:.2f}, {o['index_ci'][1]:.2f}]: {own}.</p>")

    def _chart(self, o: dict) -> bytes:
        fig, ax = _figure(5.0, 2.4)
        stages = list(o["stage_probabilities"])
        base = self.baseline.stage_probabilities.reindex(stages)
        x = np.arange(len(stages))
        ax.bar(x - 0.2, base, width=0.4, color="#b3c3de", label="the questionnaire's")
        ax.bar(x + 0.2, list(o["stage_probabilities"].values()), width=0.4, color="#4c72b0",
               label="with these settings")
        ax.set_xticks(x, [str(s) for s in stages])
        ax.set_xlabel("stage")
        ax.set_ylabel("probability")
        ax.set_ylim(0, 1)
        ax.legend(loc="upper right", fontsize=8)
        return _png(fig)
