"""The scored assessment: :class:`MaturityResult`."""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass, field

import pandas as pd

from ..output import json_safe
from ..results import Result, likelihood
from ._common import FEW_RESPONDENTS, TOL, listing, text_number

__all__ = ["MaturityResult", "FINDINGS"]

#: The findings of :meth:`MaturityResult.statement`, in the order of its sentences:
#: ``stage`` (the stage, its probability and the index), ``next_stage`` (what the next
#: stage lacks, or that the top is reached) and ``blockers`` (the items that hold it up).
FINDINGS = ("stage", "next_stage", "blockers")


@dataclass(eq=False)
class MaturityResult(Result):
    """The scored assessment; see :func:`~opsdx.maturity.score_maturity` for how each part is computed.

    Attributes
    ----------
    stage : int
        Staged (gated) maturity stage, 1..5.
    stage_name : str
    index : float
        Continuous maturity index in [1, 5]; ``floor(index) == stage``.
    index_ci : tuple of float
        Bootstrap percentile interval of the index at level ``params["ci"]``.
    stage_probabilities : Series
        Index 1..5, sums to 1: the share of bootstrap resamples at each stage.
    attainment : DataFrame
        Per stage 2..5: ``attainment``, its interval, ``met``, item counts.
    item_scores : DataFrame
        Per item: aggregated normalised score (0 worst .. 1 best, reverse items
        flipped), weight and answer counts.
    dimensions : DataFrame
        Per dimension: ``score`` over all its items and ``score_to_next`` over
        the items of stages up to the next one, each with an interval from
        resampling respondents (NaN with a single respondent),
        ``n_items``, Cronbach's ``alpha`` and the respondents it used
        (``alpha_n``).
    profile : DataFrame
        Dimension x stage weighted scores (for a heatmap).
    blockers : DataFrame
        Items keeping the next stage from being reached, by ``gap x weight``.
    agreement : DataFrame
        Per item: ``n`` answers, ``mean_score`` (0..1, reverse items flipped),
        the spread of the answers as given on the scale (``sd_answer``,
        ``min_answer``, ``max_answer``: not flipped), ``rwg`` against a uniform
        null, and the largest gap between roles' mean scores (``role_gap``,
        0..1, from ``role_low`` to ``role_high``).
    role_scores : DataFrame
        Per role, highest first: respondents, ``overall`` (weighted mean score
        of all items) and the attainment of each stage as that role sees it.
    coverage : DataFrame
        Per item: counts and shares of answered, n/a and skipped.
    notes : list of Note
        Coverage, evidence and stability notes (:class:`~opsdx.notes.Note`,
        part ``"maturity"``, codes in :data:`opsdx.maturity.diagnostics.NOTE_CODES`).
        ``warnings``, their former name, still reads them as plain text.
    params : dict
        The arguments the score was computed with.
    """

    stage: int
    stage_name: str
    index: float
    index_ci: tuple
    stage_probabilities: pd.Series
    attainment: pd.DataFrame
    item_scores: pd.DataFrame
    dimensions: pd.DataFrame
    profile: pd.DataFrame
    blockers: pd.DataFrame
    agreement: pd.DataFrame
    role_scores: pd.DataFrame
    coverage: pd.DataFrame
    notes: list = field(default_factory=list)
    params: dict = field(default_factory=dict)
    n_respondents: int = 0
    questionnaire: str = ""

    part = "maturity"
    FINDINGS = FINDINGS

    @property
    def warnings(self) -> list[str]:
        """The notes as plain text. Deprecated: read :attr:`notes` (each has a ``code``)."""
        _warnings.warn("MaturityResult.warnings is deprecated; read MaturityResult.notes "
                       "(each note has a part and a code)", DeprecationWarning, stacklevel=2)
        return [n.text if hasattr(n, "text") else str(n) for n in self.notes]

    def perception_gaps(self, min_gap: float = 0.25) -> pd.DataFrame:
        """Items on which two roles see the practice at least ``min_gap`` apart.

        Scores are on the 0..1 scale, so the default 0.25 is one step of a
        five-option scale. Leadership rating a practice far above the people
        who do the work is itself a sign of heroics: the practice exists in
        the leaders' view of how work should happen, not in how it happens.
        """
        gaps = self.agreement[self.agreement["role_gap"] >= min_gap - TOL]
        return (gaps[["item_id", "role_high", "role_low", "role_gap", "n"]]
                .sort_values(["role_gap", "item_id"], ascending=[False, True])
                .reset_index(drop=True))

    @property
    def stage_probability(self) -> float:
        """Bootstrap probability of the reported stage."""
        return float(self.stage_probabilities.loc[self.stage])

    def summary(self) -> pd.DataFrame:
        """One row per stage 1..5.

        Columns: ``stage``, ``name``, ``attainment`` (weighted mean item score,
        0..1) with its bootstrap interval ``attainment_ci_low`` /
        ``attainment_ci_high`` (level ``params["ci"]``), ``met`` (attainment at
        or above the threshold), ``reached`` (this stage and every one below
        met), ``p_at_stage`` (bootstrap probability that the organisation is at
        exactly this stage) and ``p_at_least`` (at this stage or above).

        Stage 1 is the floor: it has no items, its attainment is NaN and it is
        always met and reached.
        """
        att = self.attainment.set_index("stage")
        names = self.params.get("stage_names", {})
        frame = pd.DataFrame({
            "stage": range(1, 6),
            "name": [names.get(s, "") for s in range(1, 6)],
            "attainment": att["attainment"].reindex(range(1, 6)).to_numpy(),
            "attainment_ci_low": att["ci_low"].reindex(range(1, 6)).to_numpy(),
            "attainment_ci_high": att["ci_high"].reindex(range(1, 6)).to_numpy(),
            "met": att["met"].reindex(range(1, 6), fill_value=True).astype(bool).to_numpy(),
            "reached": [s <= self.stage for s in range(1, 6)],
            "p_at_stage": self.stage_probabilities.reindex(range(1, 6)).to_numpy(),
            "p_at_least": self.stage_probabilities[::-1].cumsum()[::-1].reindex(range(1, 6)).to_numpy(),
        })
        return frame

    def headline(self) -> dict:
        """The figures an executive summary quotes (JSON-safe; None where not computed)."""
        return json_safe({"stage": self.stage, "stage_name": self.stage_name,
                          "stage_probability": self.stage_probability, "index": self.index,
                          "n_respondents": self.n_respondents})

    def _statements(self) -> dict:
        lo, hi = self.index_ci
        n = self.n_respondents
        who = f"the answers of {n} {'person' if n == 1 else 'people'}"
        if n < FEW_RESPONDENTS:
            who += " (few: another group could answer differently)"
        level = self.params.get("ci", 0.9)
        interval = (f" ({level:.0%} interval {lo:.2f} to {hi:.2f})"
                    if pd.notna(lo) and pd.notna(hi) else "")
        sure = ("" if pd.isna(self.stage_probability)
                else f", {likelihood(self.stage_probability)}")
        out = {"stage": f"Stage {self.stage} ({self.stage_name}){sure} from {who}; maturity "
                        f"index {self.index:.2f}{interval}."}
        nxt = self.attainment[self.attainment["stage"] == self.stage + 1]
        if not len(nxt):
            out["next_stage"] = "Every stage is met: this is the top of the scale."
        else:
            row = nxt.iloc[0]
            threshold = self.params.get("threshold")
            names = self.params.get("stage_names", {})
            name = names.get(int(row["stage"]))
            label = f"stage {int(row['stage'])}" + (f" ({name})" if name else "")
            if pd.isna(row["attainment"]):
                out["next_stage"] = f"The next step, {label}, has no scored answer."
            else:
                need = (f", and it needs {threshold:.2f}" if threshold is not None else "")
                out["next_stage"] = (f"The next step, {label}: its practices score "
                                     f"{row['attainment']:.2f} on a scale of 0 to 1{need}.")
        if len(self.blockers):
            out["blockers"] = ("The items that hold it up most: "
                               f"{listing(self.blockers['item_id'], limit=5)}.")
        return out

    def to_dict(self) -> dict:
        """Headline figures, sentences and notes as plain JSON-ready values (see
        :func:`opsdx.output.json_safe`); ``warnings`` repeats the notes' text."""
        return json_safe({
            "questionnaire": self.questionnaire,
            "stage": self.stage, "stage_name": self.stage_name,
            "stage_probability": self.stage_probability, "index": self.index,
            "index_ci": list(self.index_ci), "stage_probabilities": self.stage_probabilities,
            "n_respondents": self.n_respondents,
            "blockers": self.blockers["item_id"].tolist(),
            "sentences": self.sentences(),
            "notes": list(self.notes),
            "warnings": [str.__str__(n) for n in self.notes],
            "params": {k: v for k, v in self.params.items() if k != "stage_names"},
        })

    def plot_profile(self, ax=None, *, kind: str = "bar"):
        """Per-dimension profile chart (see :func:`opsdx.maturity.plots.plot_profile`)."""
        from .plots import plot_profile
        return plot_profile(self, ax=ax, kind=kind)

    def _title(self) -> str:
        return "Maturity assessment"

    def __repr__(self) -> str:
        lo, hi = self.index_ci
        lines = [
            f"<MaturityResult stage {self.stage} ({self.stage_name}), "
            f"probability {text_number(self.stage_probability)}; index {self.index:.2f} "
            f"[{lo:.2f}, {hi:.2f}]; {self.n_respondents} "
            f"respondent{'s' if self.n_respondents != 1 else ''}>",
        ]
        if len(self.blockers):
            lines.append("  blockers: " + listing(self.blockers["item_id"], limit=5))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)
