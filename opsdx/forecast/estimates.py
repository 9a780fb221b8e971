"""Reading estimates and actuals: one row per piece of work.

========== ================================================================
column     meaning
========== ================================================================
item_id    identifier of the piece of work (unique)
estimate   the inside-view estimate, positive (hours, days, points: any unit)
actual     the actual in the same unit, positive; blank while unfinished
estimated_on, finished_on
           optional dates (YYYY-MM-DD)
estimator  optional: who estimated
(others)   kept as text attributes, usable to choose a reference class
========== ================================================================

The result adds ``finished`` (an actual is known) and ``ratio``
(``actual / estimate``, NaN while open).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, ProblemLog
from ..tables import Source, read_table, require_columns

__all__ = ["read_estimates", "parse_numbers", "parse_dates", "finished_ratios"]

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers from text cells, vectorised: ``1,234`` is 1234, ``3,5`` is 3.5.

    >>> parse_numbers(pd.Series(["12", "3,5", "1,234", "1,234.5", "x", ""])).tolist()
    [12.0, 3.5, 1234.0, 1234.5, nan, nan]
    """
    text = text.astype(str).str.strip().str.replace(" ", "", regex=False)
    thousands = text.str.match(_THOUSANDS)
    text = text.where(~thousands, text.str.replace(",", "", regex=False))
    decimal = text.str.match(_DECIMAL_COMMA)
    text = text.where(~decimal, text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce").astype(float)


def parse_dates(text: pd.Series) -> pd.Series:
    """ISO dates (``YYYY-MM-DD``, optionally with a time) from text; NaT where not one."""
    iso = text.str.match(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")
    return pd.to_datetime(text.where(iso), errors="coerce", format="ISO8601")


def read_estimates(source: Source, *, name: str | None = None, sheet: str | int = 0) -> pd.DataFrame:
    """Read and validate estimates and actuals.

    Parameters
    ----------
    source : path or DataFrame
        CSV, XLSX or a DataFrame with the columns of the module docstring.
    name : str, optional
        How the source is named in error messages.
    sheet : str or int
        Worksheet of an Excel workbook.

    Returns
    -------
    DataFrame
        ``item_id, estimate, actual, finished, ratio`` and the optional
        columns present (dates as ``datetime64``); attribute columns as text.

    Raises
    ------
    DataError
        Every problem at once: missing or non-positive estimates, actuals
        that are not positive numbers, duplicate item ids, unreadable dates,
        a finish before the estimate.

    Examples
    --------
    >>> frame = pd.DataFrame({"item_id": ["a", "b"], "estimate": [4, 2], "actual": [6, None]})
    >>> read_estimates(frame)[["item_id", "ratio", "finished"]]
      item_id  ratio  finished
    0       a    1.5      True
    1       b    NaN     False
    """
    table = read_table(source, name=name, sheet=sheet)
    log = ProblemLog(table.name)
    frame, rows = table.frame, table.rows
    frame.columns = [c.strip().casefold().replace(" ", "_") if c.strip().casefold().replace(" ", "_")
                     in _KNOWN else c for c in frame.columns]
    if not require_columns(table, ["item_id", "estimate", "actual"], log,
                           hint="columns item_id, estimate, actual (blank while unfinished), and "
                                "optionally estimated_on, finished_on, estimator"):
        log.raise_if_any()

    blank = frame["item_id"] == ""
    log.add_rows("item_id is blank", rows[blank], frame.loc[blank, "item_id"], column="item_id",
                 expected="an identifier for each piece of work")
    dup = ~blank & frame.duplicated("item_id", keep="first")
    log.add_rows("item_id appears twice", rows[dup], frame.loc[dup, "item_id"], column="item_id",
                 expected="one row per piece of work")

    estimate = parse_numbers(frame["estimate"])
    bad = ~(estimate > 0)
    log.add_rows("estimate is missing, not a number or not positive", rows[bad],
                 frame.loc[bad, "estimate"], column="estimate",
                 expected="a positive number (rows without an estimate cannot be compared)")
    actual = parse_numbers(frame["actual"])
    bad = (frame["actual"] != "") & ~(actual > 0)
    log.add_rows("actual is not a positive number", rows[bad], frame.loc[bad, "actual"],
                 column="actual", expected="a positive number in the estimate's unit, "
                                           "or blank while unfinished")

    out = pd.DataFrame({"item_id": frame["item_id"], "estimate": estimate, "actual": actual})
    for col in ("estimated_on", "finished_on"):
        if col in frame:
            dates = parse_dates(frame[col])
            bad = (frame[col] != "") & dates.isna()
            log.add_rows("not a date", rows[bad], frame.loc[bad, col], column=col,
                         expected="a date written YYYY-MM-DD")
            out[col] = dates
    if {"estimated_on", "finished_on"} <= set(out.columns):
        early = out["finished_on"] < out["estimated_on"]
        log.add_rows("finished before it was estimated", rows[early],
                     frame.loc[early, "finished_on"], column="finished_on",
                     expected="finished_on on or after estimated_on")
    log.raise_if_any()

    out["finished"] = out["actual"].notna()
    out["ratio"] = out["actual"] / out["estimate"]
    for col in frame.columns:
        if col not in out.columns and col not in {"estimate", "actual"}:
            out[col] = frame[col]
    out.attrs.update(source=table.name, encoding=table.encoding)
    return out.reset_index(drop=True)


_KNOWN = {"item_id", "estimate", "actual", "estimated_on", "finished_on", "estimator"}


def finished_ratios(history: pd.DataFrame, estimate: str = "estimate",
                    actual: str = "actual") -> tuple[pd.Series, np.ndarray]:
    """The finished rows of ``history`` (those with an actual) and their ``actual / estimate``.

    Raises :class:`~opsdx.DataError` naming every finished row whose estimate
    or actual is not a positive number: such rows are reported, never dropped.
    """
    est = pd.to_numeric(history[estimate], errors="coerce")
    act = pd.to_numeric(history[actual], errors="coerce")
    finished = act.notna()
    bad = finished & ~((est > 0) & (act > 0))
    if bad.any():
        source = history.attrs.get("source", "<history>")
        raise DataError([Problem(source, "estimate and actual must be positive numbers",
                                 row=i, column=f"{estimate}/{actual}",
                                 value=f"{history.at[i, estimate]}/{history.at[i, actual]}")
                         for i in history.index[bad]])
    return finished, (act[finished] / est[finished]).to_numpy(float)
