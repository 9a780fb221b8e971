"""Reliability of questionnaire answers: Cronbach's alpha and r_wg agreement.

* :func:`cronbach_alpha`: how consistently a set of items measures one thing
  (internal consistency, Cronbach 1951);
* :func:`rwg`: how far the respondents agree on one item, against answers
  chosen at random (within-group agreement, James, Demaree and Wolf 1984).

Both take ``data=`` first: a wide frame (one row per respondent, one column
per item) or a tidy long one with the names of its columns.
:func:`~opsdx.maturity.score_maturity` computes its ``dimensions["alpha"]`` and
``agreement["rwg"]`` with them.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple

import numpy as np
import pandas as pd

from ..errors import OpsdxError

__all__ = ["cronbach_alpha", "rwg", "CronbachAlpha"]


class CronbachAlpha(NamedTuple):
    """Cronbach's alpha with what it rests on."""

    #: The coefficient (NaN where it cannot be computed).
    alpha: float
    #: Respondents who answered every item used (listwise deletion).
    n_respondents: int
    #: Items used: those answered by at least ``min_respondents`` respondents.
    n_items: int


def cronbach_alpha(data, *, respondent: str | None = None, item: str | None = None,
                   score: str | None = None, min_respondents: int = 2) -> CronbachAlpha:
    """Cronbach's alpha: how consistently a set of items measures one thing.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Wide: one row per respondent, one column per item, each cell a score
        (NaN where not answered). Long, when ``respondent``, ``item`` and
        ``score`` are given: one row per answer.
    respondent, item, score : str, optional
        The columns of long ``data``: who answered, which item, the score.
    min_respondents : int
        An item is used only when at least this many respondents answered it
        (an item few answered would otherwise void the listwise alpha), and
        alpha is given only when at least this many answered every item used.

    Returns
    -------
    CronbachAlpha
        ``(alpha, n_respondents, n_items)``: the coefficient, the respondents
        who answered every item used and the number of items used. ``alpha``
        is NaN with fewer than two items, fewer than ``min_respondents``
        complete respondents, or totals without variance.

    Notes
    -----
    .. math:: \\alpha = \\frac{k}{k - 1}\\left(1 - \\frac{\\sum_i s_i^2}{s_T^2}\\right)

    with ``k`` items, ``s_i^2`` the sample variance (``ddof=1``) of item *i*
    and ``s_T^2`` that of the respondents' totals over the ``k`` items, over
    the respondents who answered all of them (listwise deletion). A value
    within 1e-12 of zero is zero (floating-point noise). Alpha is 1 when the
    items rise and fall together, 0 when they are unrelated, and negative
    when they contradict each other (a reverse-keyed item not flipped, for
    instance).

    References
    ----------
    Cronbach, L. J. (1951), Coefficient alpha and the internal structure of
    tests, Psychometrika 16(3), 297-334.

    Examples
    --------
    >>> scores = pd.DataFrame({"q1": [1, 2, 3, 4], "q2": [2, 2, 3, 4], "q3": [1, 3, 3, 3]})
    >>> cronbach_alpha(scores)
    CronbachAlpha(alpha=0.897..., n_respondents=4, n_items=3)
    >>> long = scores.rename_axis("who").reset_index().melt("who", var_name="q", value_name="s")
    >>> round(cronbach_alpha(long, respondent="who", item="q", score="s").alpha, 3)
    0.897
    """
    x = _matrix(data, respondent, item, score)
    # items answered by fewer than min_respondents respondents would void the listwise alpha
    x = x[:, (~np.isnan(x)).sum(axis=0) >= min_respondents]
    complete = x[~np.isnan(x).any(axis=1)]  # listwise: respondents who answered them all
    alpha = np.nan
    k = x.shape[1]
    if k >= 2 and len(complete) >= min_respondents:
        total_var = complete.sum(axis=1).var(ddof=1)
        if total_var > 0:
            alpha = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_var)
            alpha = 0.0 if abs(alpha) < 1e-12 else alpha  # floating-point noise around zero
    return CronbachAlpha(float(alpha), len(complete), k)


def rwg(data, n_options, *, item: str | None = None, answer: str | None = None,
        min_answers: int = 2):
    """Within-group agreement r_wg of answers on an A-option scale, against a uniform null.

    Parameters
    ----------
    data : Series, 1-D array or DataFrame
        The positions of the options chosen (1..A, or any codes one option
        apart: only their variance counts), NaN where not answered. 1-D: the
        answers to one item. A wide DataFrame: one column per item, one row
        per respondent. A long DataFrame, when ``item`` and ``answer`` are
        given: one row per answer.
    n_options : int, or mapping or Series item -> int
        A, the number of options of the scale (of each item).
    item, answer : str, optional
        The columns of long ``data``: which item, the option position.
    min_answers : int
        Items with fewer answers than this get NaN (a variance needs two).

    Returns
    -------
    float for 1-D ``data``; otherwise a Series named ``rwg``, one value per
    item (in the order of the columns of wide data, of first appearance in
    long data).

    Notes
    -----
    ``rwg = 1 - s^2 / sigma_EU^2``, with ``s^2`` the sample variance
    (``ddof=1``) of the option positions chosen and ``sigma_EU^2 = (A^2 - 1) /
    12`` the variance of a uniform choice among A options, the answers of
    respondents who agree on nothing. Truncated at 0: answers more spread out
    than random ones (two camps) also show no agreement. 1 is full agreement.

    References
    ----------
    James, L. R., Demaree, R. G. and Wolf, G. (1984), Estimating within-group
    interrater reliability with and without response bias, Journal of Applied
    Psychology 69(1), 85-98.

    Examples
    --------
    >>> rwg([4, 4, 3], n_options=5)  # variance 1/3 against (25 - 1) / 12 = 2
    0.8333...
    >>> rwg(pd.DataFrame({"a2": [5, 1, 1], "b2": [5, 5, 4]}), n_options=5)
    a2    0.000000
    b2    0.833333
    Name: rwg, dtype: float64
    """
    one_item = not isinstance(data, pd.DataFrame)
    wide = not one_item and item is None and answer is None
    if one_item:
        values = np.asarray(data, dtype=float)
        if values.ndim != 1:
            raise OpsdxError("rwg: data must be one item's answers (1-D) or a DataFrame")
        long = pd.DataFrame({"item": np.zeros(len(values), dtype=int), "answer": values})
    elif wide:
        long = pd.DataFrame({"item": np.repeat(np.asarray(data.columns, dtype=object), len(data)),
                             "answer": data.to_numpy(dtype=float).T.ravel()})
    elif item is None or answer is None:
        raise OpsdxError("rwg: give both item= and answer= (long data), or neither (wide data)")
    else:
        long = pd.DataFrame({"item": data[item].to_numpy(),
                             "answer": data[answer].to_numpy(dtype=float)})
    g = long.groupby("item", sort=False)["answer"]
    variance, n = g.var(ddof=1), g.count()
    if isinstance(n_options, Mapping | pd.Series):
        n_options = pd.Series(n_options).reindex(variance.index)
    out = (1.0 - variance / ((n_options ** 2 - 1) / 12.0)).clip(lower=0.0).where(n >= min_answers)
    out.name = "rwg"
    if one_item:
        return float(out.iloc[0]) if len(out) else np.nan
    if wide:
        return out.reindex(data.columns).rename_axis(None)
    return out.rename_axis(item)


def _matrix(data, respondent, item, score) -> np.ndarray:
    """Wide ``data`` (or long data pivoted) as a float array: respondents x items."""
    names = (respondent, item, score)
    if all(n is None for n in names):
        x = data.to_numpy(dtype=float) if isinstance(data, pd.DataFrame) else np.asarray(data, float)
        if x.ndim != 2:
            raise OpsdxError("cronbach_alpha: data must be 2-D (respondents x items)")
        return x
    if any(n is None for n in names) or not isinstance(data, pd.DataFrame):
        raise OpsdxError("cronbach_alpha: long data is a DataFrame with respondent=, item= and "
                         "score= all given")
    if data.duplicated([respondent, item]).any():
        raise OpsdxError("cronbach_alpha: more than one score for a respondent and item")
    return data.pivot(index=respondent, columns=item, values=score).to_numpy(dtype=float)
