"""What a consultant needs after the stage: the tables of a scored assessment, and its notes.

* :func:`dimension_scores`: per dimension, its score, the score of the
  practices up to the next stage and Cronbach's alpha, and the dimension x
  stage profile;
* :func:`find_blockers`: the items keeping the next stage out of reach;
* :func:`item_agreement`: per item, the spread of the answers, r_wg and the
  gap between roles;
* :func:`scores_by_role`: each role's view of the stages;
* :func:`status_counts` and :func:`coverage_table`: answered, n/a and skipped;
* :func:`maturity_notes`: coverage, evidence and the stability of the stage
  as :class:`~opsdx.notes.Note` (codes: :data:`NOTE_CODES`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..notes import Note
from ._common import (FEW_RESPONDENTS, STAGES, TOL, listing, onehot, quiet, weighted_group_means,
                      weighted_stage_means)
from .reliability import cronbach_alpha, rwg

__all__ = ["dimension_scores", "find_blockers", "item_agreement", "scores_by_role",
           "status_counts", "coverage_table", "maturity_notes", "NOTE_CODES", "NA_WARN_SHARE",
           "SKIP_WARN_SHARE", "FEW_ITEMS"]

#: The codes of :attr:`MaturityResult.notes <opsdx.maturity.MaturityResult.notes>`, in the
#: order the notes come:
#:
#: ``read_by_wording``
#:     columns of a wide answers file read as items because their wording is
#:     close to the item's text (a reworded form question), each named;
#: ``respondent_left_out``
#:     respondents without any scored answer, left out of the score;
#: ``few_respondents``
#:     fewer than :data:`~opsdx.maturity.FEW_RESPONDENTS` respondents: the
#:     stage probabilities rest on little evidence;
#: ``few_bootstrap``
#:     fewer than 200 bootstrap resamples: coarse probabilities;
#: ``items_unanswered``
#:     items without an answer from anyone;
#: ``na_heavy_items``
#:     items answered N/A by more than :data:`NA_WARN_SHARE` of respondents;
#: ``skip_heavy_items``
#:     items skipped by more than :data:`SKIP_WARN_SHARE` of respondents;
#: ``respondents_skipping``
#:     respondents who skipped more than :data:`SKIP_WARN_SHARE` of the items;
#: ``stage_without_items``
#:     the questionnaire has no scored item for a stage: the score cannot go
#:     above the stage under it;
#: ``stage_unreachable``
#:     stages whose items have no scored answer: they cannot be reached;
#: ``few_items``
#:     stages resting on fewer than :data:`FEW_ITEMS` answered items;
#: ``stage_at_risk``
#:     a stage that is met, but fails the threshold in at least 5% of the
#:     bootstrap resamples (its weakest items named).
NOTE_CODES = ("read_by_wording", "respondent_left_out", "few_respondents", "few_bootstrap", "items_unanswered",
              "na_heavy_items", "skip_heavy_items", "respondents_skipping", "stage_without_items",
              "stage_unreachable", "few_items", "stage_at_risk")

#: Coverage notes: share of N/A per item, share skipped per item or respondent.
NA_WARN_SHARE = 0.5
SKIP_WARN_SHARE = 0.3
#: A stage resting on fewer scored items than this makes a note.
FEW_ITEMS = 3


def dimension_scores(q, items, X, item_score, boot_items, weight, ci, min_alpha, mode, stage):
    """The ``dimensions`` table and the dimension x stage ``profile`` of a result."""
    dim_ids = q.dimensions["dimension"].tolist()
    member = onehot(items["dimension"], dim_ids)
    # practices expected up to the next stage: what the roadmap is measured against
    upto_next = member * (items["stage"].to_numpy() <= min(stage + 1, 5))[:, None]
    quantiles = [(1 - ci) / 2, 1 - (1 - ci) / 2]
    columns = {}
    for name, mask in (("score", member), ("score_to_next", upto_next)):
        columns[name] = weighted_group_means(item_score, weight, mask)
        if len(boot_items) and mode != "items":
            lo, hi = quiet(lambda a, axis: np.nanquantile(a, quantiles, axis=axis),
                           weighted_group_means(boot_items, weight, mask), 0)
        else:
            lo = hi = np.full(len(dim_ids), np.nan)
        columns[f"{name}_ci_low"], columns[f"{name}_ci_high"] = lo, hi

    dimension = items["dimension"].to_numpy()
    alphas = [cronbach_alpha(X[:, dimension == d], min_respondents=min_alpha) for d in dim_ids]
    dims = q.dimensions[["dimension", "title"]].assign(
        **columns, n_items=member.sum(axis=0).astype(int), alpha=[a.alpha for a in alphas],
        alpha_n=[a.n_respondents for a in alphas])

    profile = (items.assign(score=item_score, w=weight, ws=item_score * weight)
               .assign(w=lambda f: f["w"].where(f["score"].notna()))
               .groupby(["dimension", "stage"])[["ws", "w"]].sum(min_count=1))
    profile = (profile["ws"] / profile["w"]).unstack("stage").reindex(index=dim_ids, columns=list(STAGES))
    profile.index = q.dimensions.set_index("dimension").loc[dim_ids, "title"].to_numpy()
    profile.index.name = "dimension"
    return dims, profile


def find_blockers(q, item_scores, stage, threshold):
    """The items of the next stage scoring under the threshold, largest ``gap x weight`` first."""
    columns = ["item_id", "stage", "dimension", "text", "reverse", "score", "gap", "weight",
               "priority", "recommendation", "mechanism"]
    if stage >= 5:
        return pd.DataFrame(columns=columns)
    nxt = stage + 1
    cand = item_scores[(item_scores["stage"] == nxt) & (item_scores["score"] < threshold - TOL)]
    cand = cand.assign(gap=threshold - cand["score"])
    cand = cand.assign(priority=cand["gap"] * cand["weight"])
    meta = q.items.set_index("item_id")[["text", "recommendation", "mechanism"]]
    cand = cand.join(meta, on="item_id")
    return cand.sort_values(["priority", "item_id"], ascending=[False, True])[columns].reset_index(drop=True)


def item_agreement(scored, q):
    """Per item: answers' spread on the scale as answered, rwg (uniform null), role gap."""
    items = q.items.set_index("item_id")
    ans = scored[scored["status"] == "answered"]
    # rwg's null variance (A^2 - 1) / 12 is for options 1..A: use each answer's option position
    position = pd.Series(np.nan, index=ans.index)
    for scale_id, scale in q.scales.items():
        on = ans["item_id"].map(items["scale"]) == scale_id
        if scale.numeric and on.any():
            position[on] = np.searchsorted(np.asarray(scale.values, float), ans.loc[on, "value"])
    g = ans.groupby("item_id")
    out = pd.DataFrame({"n": g.size(), "mean_score": g["score"].mean(),
                        "sd_answer": g["value"].std(ddof=1), "min_answer": g["value"].min(),
                        "max_answer": g["value"].max()}).reindex(q.items["item_id"])
    out["n"] = out["n"].fillna(0).astype(int)
    n_options = items["scale"].map(lambda s: q.scales[s].n_options)
    out["rwg"] = rwg(ans.assign(position=position), n_options, item="item_id",
                     answer="position").reindex(out.index)

    by_role = ans.groupby(["item_id", "role"])["score"].mean().unstack("role")
    out["role_high"] = out["role_low"] = None
    out["role_gap"] = np.nan
    if by_role.shape[1] >= 2:
        gap = (by_role.max(axis=1) - by_role.min(axis=1)).where(by_role.notna().sum(axis=1) >= 2)
        shown = gap[gap > 0].index
        out.loc[shown, "role_high"] = by_role.loc[shown].idxmax(axis=1)
        out.loc[shown, "role_low"] = by_role.loc[shown].idxmin(axis=1)
        out["role_gap"] = gap
    out.insert(0, "reverse", items["reverse"].reindex(out.index).to_numpy())
    out.index.name = "item_id"
    return out.reset_index()


def scores_by_role(scored, items, weight, stage_pos, agg):
    """Per role, highest first: respondents, overall score and each stage's attainment."""
    rows = []
    for role, sub in scored.groupby("role", sort=True):
        X = (sub.pivot_table(index="respondent", columns="item_id", values="score",
                             aggfunc="first", dropna=False)
             .reindex(columns=items["item_id"]).to_numpy(float))
        item_score = quiet(agg, X, 0)
        att = weighted_stage_means(item_score, weight, stage_pos)
        overall = weighted_group_means(item_score, weight, np.ones((len(weight), 1)))[0]
        row = {"role": role, "n_respondents": X.shape[0], "overall": overall}
        row.update({f"stage_{s}": a for s, a in zip(STAGES, att)})
        rows.append(row)
    return pd.DataFrame(rows).sort_values("overall", ascending=False, ignore_index=True)


def status_counts(responses, q) -> pd.DataFrame:
    """Answers per item (index, every item of ``q``) and status (``answered``, ``n/a``, ``skipped``)."""
    return (responses.assign(n=1).pivot_table(index="item_id", columns="status", values="n",
                                              aggfunc="sum", observed=False, fill_value=0)
            .reindex(index=q.items["item_id"], columns=["answered", "n/a", "skipped"], fill_value=0))


def coverage_table(counts: pd.DataFrame) -> pd.DataFrame:
    """The ``coverage`` table: :func:`status_counts` with the total and each status's share."""
    coverage = counts.assign(total=counts.sum(axis=1))
    for col in ["answered", "n/a", "skipped"]:
        coverage[f"share_{col.replace('/', '')}"] = coverage[col] / coverage["total"].where(coverage["total"] > 0)
    coverage = coverage.reset_index()
    coverage.columns.name = None
    return coverage


def maturity_notes(responses, coverage, attainment, item_scores, boot_att, threshold, R,
                   left_out) -> list[Note]:
    """Notes in plain words about coverage, evidence and the stability of the stage."""
    out = []

    def note(code, text):
        out.append(Note("maturity", code, text))

    by_wording = responses.attrs.get("by_wording") or {}
    if by_wording:
        note("read_by_wording", f"{len(by_wording)} column(s) of the answers file were read as "
             "items because their wording is close to the item's: " + "; ".join(
                 f"{header!r} as {item}" for header, item in by_wording.items())
             + " (head a column with its item id to say so)")

    if len(left_out):
        note("respondent_left_out", f"{len(left_out)} respondent(s) gave no scored answer and "
             f"are left out of the score: {listing(left_out)}")
    if R < FEW_RESPONDENTS:
        note("few_respondents", f"only {R} respondent{'s' if R != 1 else ''} with scored "
             "answers: the stage probabilities rest on very little evidence of how much "
             "another set of respondents could disagree")
    if 0 < len(boot_att) < 200:
        note("few_bootstrap", f"the stage probabilities come from only {len(boot_att)} "
             "bootstrap resamples and are coarse (the default is 2000)")
    unanswered = coverage[coverage["answered"] == 0]
    if len(unanswered):
        note("items_unanswered", f"{len(unanswered)} item(s) have no answer from any "
             f"respondent: {listing(unanswered['item_id'])}")
    answered = coverage[coverage["answered"] > 0]
    for code, column, share, what in (
            ("na_heavy_items", "share_na", NA_WARN_SHARE, "answered N/A"),
            ("skip_heavy_items", "share_skipped", SKIP_WARN_SHARE, "skipped")):
        high = answered[answered[column] > share]
        if len(high):
            note(code, f"{len(high)} item(s) {what} by more than {share:.0%} of respondents: "
                 f"{listing(high['item_id'])}")
    skip_by_resp = (responses["status"] == "skipped").groupby(responses["respondent"]).mean()
    heavy = skip_by_resp[(skip_by_resp > SKIP_WARN_SHARE) & ~skip_by_resp.index.isin(left_out)]
    if len(heavy):
        note("respondents_skipping", f"{len(heavy)} respondent(s) skipped more than "
             f"{SKIP_WARN_SHARE:.0%} of items: {listing(heavy.index)}")

    missing = attainment[attainment["n_items"] == 0]
    if len(missing):
        first = int(missing["stage"].iloc[0])
        note("stage_without_items", f"the questionnaire has no scored item for stage {first}: "
             f"the score cannot go above stage {first - 1}")
    empty = attainment[(attainment["n_items"] > 0) & (attainment["n_items_answered"] == 0)]
    if len(empty):
        note("stage_unreachable",
             f"stage(s) {listing(empty['stage'])} have no scored answer and cannot be reached")
    thin = attainment[attainment["n_items_answered"].between(1, FEW_ITEMS - 1)]
    if len(thin):
        note("few_items", "little evidence behind stage(s) "
             + ", ".join(f"{r.stage} ({r.n_items_answered} answered item"
                         f"{'s' if r.n_items_answered > 1 else ''})" for r in thin.itertuples()))

    # a gate the organisation passes, but not in every resample: name what holds it up
    if len(boot_att):
        fails = (np.nan_to_num(boot_att, nan=-1.0) < threshold - TOL).mean(axis=0)
        for pos, row in enumerate(attainment.itertuples()):
            if row.met and fails[pos] >= 0.05 and all(attainment["met"].iloc[:pos]):
                weak = (item_scores[item_scores["stage"] == row.stage]
                        .nsmallest(2, "score")["item_id"])
                note("stage_at_risk", f"stage {row.stage} is met (attainment {row.attainment:.2f}) "
                     f"but fails in {fails[pos]:.0%} of resamples; its weakest items: "
                     f"{listing(weak)}")
    return out
