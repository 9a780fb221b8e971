"""Reading estimates and actuals: one row per piece of work.

========== ================================================================
column     meaning
========== ================================================================
item_id    identifier of the piece of work (unique)
estimate   the inside-view estimate, positive: a number (in any one unit), or a
           number with its unit (``16h``, ``2d``, ``3 days``, ``1.5 weeks``)
actual     the actual, positive, in the estimate's unit or with its own;
           blank while unfinished
estimated_on, finished_on
           optional dates (YYYY-MM-DD)
estimator  optional: who estimated
(others)   kept as text attributes, usable to choose a reference class
========== ================================================================

The result adds ``finished`` (an actual is known) and ``ratio``
(``actual / estimate``, NaN while open).

Units: a cell may name its unit (minutes, hours, days, weeks, or points), and
``estimate_unit=`` / ``actual_unit=`` (``estimate_unit:`` / ``actual_unit:`` in
``client.yaml``) give the unit of the cells that do not. Times are converted
at ``hours_per_day`` (default 8, a working day) and five days a week, and
both columns are then expressed in the estimates' unit (in hours when
that is seconds or minutes, as Jira's exports count; ``frame.attrs["unit"]``),
so that a team estimating in days and logging hours gets true ratios. The
bare numbers of one column are in the unit the other column gives, when
nothing says otherwise: ``2`` against ``2d`` is two days. Points cannot be
converted to time: a column mixing them with hours is an error, as is a
cell without a unit in a column whose other cells give one (unless the
column's unit is declared).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..errors import DataError, OpsdxError, Problem, ProblemLog
from ..tables import Source, dates_expected, read_table, require_columns

__all__ = ["read_estimates", "parse_numbers", "parse_amounts", "parse_dates",
           "finished_ratios", "unit_mixup", "unit_name", "UNITS"]

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


#: The units a cell or ``estimate_unit`` may give; times are converted through hours.
UNITS = ("seconds", "minutes", "hours", "days", "weeks", "points")
_UNIT_WORDS = {**{w: "seconds" for w in ("s", "sec", "secs", "second", "seconds")},
               **{w: "minutes" for w in ("m", "min", "mins", "minute", "minutes")},
               **{w: "hours" for w in ("h", "hr", "hrs", "hour", "hours", "std", "stunden")},
               **{w: "days" for w in ("d", "day", "days", "pd", "md", "tag", "tage", "j")},
               **{w: "weeks" for w in ("w", "wk", "wks", "week", "weeks")},
               **{w: "points" for w in ("pt", "pts", "point", "points", "sp")}}
_NUMBER = r"[-+]?(?:\d[\d.,\s]*\d|\d|[.,]\d+)"
_AMOUNT = rf"^(?P<number>{_NUMBER}(?:[eE][-+]?\d+)?)\s*(?P<unit>[^\W\d_]+)?\.?$"
_PART = r"(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>[^\W\d_]+)"


def parse_amounts(text: pd.Series, hours_per_day: float = 8.0,
                  days_per_week: int = 5) -> tuple[pd.Series, pd.Series]:
    """Numbers and the units written after them, vectorised: ``16h``, ``2 d``, ``1w 2d 4h``.

    Returns the numbers (as :func:`parse_numbers` reads them; NaN where the
    cell is not a number) and each cell's unit among :data:`UNITS` (``""``
    where it gives none, NaN where the word is not a unit). A duration in
    parts, as Jira writes it (``1w 2d 4h``), is added up in hours, with
    ``hours_per_day`` hours a day and ``days_per_week`` days a week (a working
    week by default; 24 and 7 for elapsed time).

    >>> numbers, units = parse_amounts(pd.Series(["16h", "2 d", "3 days", "1,5 weeks", "4",
    ...                                           "1d 4h", "2x", "", "1.26e+06"]))
    >>> numbers.tolist()
    [16.0, 2.0, 3.0, 1.5, 4.0, 12.0, 2.0, nan, 1260000.0]
    >>> units.tolist()
    ['hours', 'days', 'days', 'weeks', '', 'hours', nan, '', '']
    """
    text = text.astype(str).str.strip()
    parts = text.str.extract(_AMOUNT)
    numbers = parse_numbers(parts["number"].fillna(""))
    words = parts["unit"].str.casefold()
    units = words.map(_UNIT_WORDS).where(words.notna(), "")
    several = numbers.isna() & text.str.fullmatch(rf"(?:\s*{_PART}\s*){{2,}}")
    if several.any():  # "1w 2d 4h": each part in hours, added up
        found = text[several].str.extractall(_PART)
        hours = (parse_numbers(found["number"])
                 * _hours(found["unit"].str.casefold().map(_UNIT_WORDS), hours_per_day,
                          days_per_week))
        total = (hours.groupby(level=0).sum(min_count=1)
                 .where(hours.notna().groupby(level=0).all()).reindex(text.index[several]))
        numbers[several] = total.to_numpy()
        units[several] = pd.Series("hours", index=total.index).where(total.notna())
    return numbers, units


def unit_name(word: str | None, what: str = "unit") -> str | None:
    """The unit among :data:`UNITS` that ``word`` names (``"Days"``, ``"h"``, ``"pts"``), or None.

    >>> unit_name("Days"), unit_name("h"), unit_name(None)
    ('days', 'hours', None)
    """
    if word is None:
        return None
    unit = _UNIT_WORDS.get(str(word).strip().casefold()) if isinstance(word, str) else None
    if unit is None:
        raise OpsdxError(f"{what} must be one of {', '.join(UNITS)} (or h, d, w, pts ...), "
                         f"not {word!r}")
    return unit


def _hours(unit: pd.Series, hours_per_day: float, days_per_week: int = 5) -> pd.Series:
    """Hours in each unit of time (a day of ``hours_per_day``, ``days_per_week`` a week)."""
    per = {"seconds": 1 / 3600, "minutes": 1 / 60, "hours": 1.0, "days": hours_per_day,
           "weeks": days_per_week * hours_per_day}
    return unit.map(per).astype(float)


#: How many times one unit's numbers exceed another's: (factor, estimates in, actuals in, why)
_MIXUPS = ((8, "days", "hours", "8 hours in a working day"),
           (24, "calendar days", "hours", "24 hours in a day"),
           (40, "weeks", "hours", "40 hours in a working week"))
#: Estimators' own overrun multiplies the factor: from a fifth below to twice above it
_OVERRUN = (0.8, 2.0)


def unit_mixup(ratios: np.ndarray, *, unit: str | None = None, min_items: int = 30) -> str | None:
    """Why ratios of ``actual / estimate`` look like a unit mix-up, or None.

    Two signs. A median ratio of 6.4 or more, or 0.25 or less: days or weeks
    compared with hours give 8, 24 or 40 (the hours in a working day, a day, a
    working week) or their inverses, times the estimators' own overrun (a
    fifth below to twice above), while real work rarely takes even four times
    its estimate at the median. And every one of at least ``min_items``
    items over its estimate, or every one under it: real estimates finish
    some work each side (were four in five over, all of 30 would be by
    chance with probability 0.8 ** 30, about 1 in 800; of 10, 1 in 9). The
    message names the pair of units that best explains the median (the
    factor nearest to it, times a typical overrun of 1.26, the middle of
    that range), unless ``unit`` is ``"points"``.

    >>> unit_mixup(np.array([11.0, 14.2, 15.0]))
    'the median item took 14.20 times its estimate, about what estimates in days and actuals in hours give (8 hours in a working day, times the usual overrun): check that both columns are in the same unit'
    >>> unit_mixup(np.array([0.12, 0.16, 0.3]))
    'the median item took 0.16 times its estimate, about what estimates in hours and actuals in days give (1/8: 8 hours in a working day): check that both columns are in the same unit'
    >>> unit_mixup(np.array([0.9, 1.2, 1.6])) is None
    True
    """
    ratios = np.asarray(ratios, float)
    ratios = ratios[np.isfinite(ratios) & (ratios > 0)]
    if not len(ratios):
        return None
    median = float(np.median(ratios))
    low, high = _OVERRUN
    check = "check that both columns are in the same unit"
    smallest = min(k for k, *_ in _MIXUPS)
    if median >= low * smallest or median <= high / smallest:
        if unit == "points":
            return (f"the median item took {median:.2f} times its estimate, far from what "
                    f"estimates in points give (real work rarely takes 4 times its estimate, or "
                    f"a quarter of it): check that both columns are in points")
        middle, over = math.sqrt(low * high), median > 1
        # the numbers of one column are k times the other's, times the overrun either way
        k, big, small, why = min(_MIXUPS, key=lambda m: abs(
            math.log(median / middle) - (1 if over else -1) * math.log(m[0])))
        if over:
            return (f"the median item took {median:.2f} times its estimate, about what estimates "
                    f"in {big} and actuals in {small} give ({why}, times the usual overrun): "
                    f"{check}")
        return (f"the median item took {median:.2f} times its estimate, about what estimates in "
                f"{small} and actuals in {big} give (1/{k}: {why}): {check}")
    if len(ratios) >= min_items and ((ratios > 1 + 1e-9).all() or (ratios < 1 - 1e-9).all()):
        side = "longer" if median > 1 else "less time"
        return (f"every one of the {len(ratios)} finished items took {side} than its estimate, "
                f"which real estimates rarely do: {check}")
    return None


def parse_dates(text: pd.Series) -> pd.Series:
    """ISO dates (``YYYY-MM-DD``, optionally with a time) from text, then the client's own
    date formats (:func:`opsdx.tables.conventions`); NaT where none reads."""
    from ..tables import client_formats

    iso = text.str.match(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")
    dates = pd.to_datetime(text.where(iso), errors="coerce", format="ISO8601")
    # at the resolution ISO 8601 dates get (an all-NaT column may have another)
    unit = pd.to_datetime(pd.Series(["2000-01-01"]), format="ISO8601").dtype
    return client_formats(dates.astype(unit), text)


def read_estimates(source: Source, *, name: str | None = None, sheet: str | int = 0,
                   estimate_unit: str | None = None, actual_unit: str | None = None,
                   hours_per_day: float = 8.0) -> pd.DataFrame:
    """Read and validate estimates and actuals.

    Parameters
    ----------
    source : path or DataFrame
        CSV, XLSX or a DataFrame with the columns of the module docstring.
    name : str, optional
        How the source is named in error messages.
    sheet : str or int
        Worksheet of an Excel workbook.
    estimate_unit, actual_unit : {"seconds", "minutes", "hours", "days", "weeks", "points"}, optional
        The unit of the cells of each column that do not name their own.
    hours_per_day : float
        Hours in a day of work, to convert days and weeks (default 8).

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

    estimate_unit = unit_name(estimate_unit, "estimate_unit")
    actual_unit = unit_name(actual_unit, "actual_unit")
    if None not in (estimate_unit, actual_unit) and \
            (estimate_unit == "points") != (actual_unit == "points"):
        raise OpsdxError(f"estimate_unit is {estimate_unit} and actual_unit is {actual_unit}: "
                         "points cannot be converted to time; give both in points or both in "
                         "time units")
    if not (isinstance(hours_per_day, (int, float)) and 0 < hours_per_day <= 24):
        raise OpsdxError(f"hours_per_day must be a number of hours, 0 to 24, not {hours_per_day!r}")
    estimate, e_unit = parse_amounts(frame["estimate"], hours_per_day)
    bad = ~(estimate > 0)
    log.add_rows("estimate is missing, not a number or not positive", rows[bad],
                 frame.loc[bad, "estimate"], column="estimate",
                 expected="a positive number, with its unit if you like (16h, 2d); rows without "
                          "an estimate cannot be compared")
    actual, a_unit = parse_amounts(frame["actual"], hours_per_day)
    bad = (frame["actual"] != "") & ~(actual > 0)
    log.add_rows("actual is not a positive number", rows[bad], frame.loc[bad, "actual"],
                 column="actual", expected="a positive number in the estimate's unit or with its "
                                           "own (16h, 2d), or blank while unfinished")
    unit = _convert(frame, rows, log, estimate, e_unit, estimate_unit, actual, a_unit,
                    actual_unit, hours_per_day)

    out = pd.DataFrame({"item_id": frame["item_id"], "estimate": estimate, "actual": actual})
    for col in ("estimated_on", "finished_on"):
        if col in frame:
            dates = parse_dates(frame[col])
            bad = (frame[col] != "") & dates.isna()
            log.add_rows("not a date", rows[bad], frame.loc[bad, col], column=col,
                         expected=dates_expected(frame.loc[bad, col]))
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
    out.attrs.update(source=table.name, encoding=table.encoding, unit=unit)
    return out.reset_index(drop=True)


def _convert(frame, rows, log, estimate, e_unit, estimate_unit, actual, a_unit, actual_unit,
             hours_per_day) -> str | None:
    """Both columns in the estimates' unit, in place; that unit (None when no cell gives one)."""
    given = {"estimate": frame["estimate"] != "", "actual": frame["actual"] != ""}
    units = {}
    for col, cells, declared in (("estimate", e_unit, estimate_unit),
                                 ("actual", a_unit, actual_unit)):
        unknown = cells.isna() & given[col]
        log.add_rows("the word after the number is not a unit", rows[unknown],
                     frame.loc[unknown, col], column=col,
                     expected=f"a number alone or with a unit ({', '.join(UNITS)}; h, d, w ...)")
        cells = cells.where(cells != "", declared or "")
        named = (cells != "") & cells.notna() & given[col]
        if named.any() and declared is None:
            bare = (cells == "") & given[col]
            log.add_rows("no unit, while other rows of the column give one", rows[bare],
                         frame.loc[bare, col], column=col,
                         expected=f"a unit after the number (16h, 2d), or {col}_unit in "
                                  "client.yaml for the cells without one")
        units[col] = cells
    every = pd.concat([units["estimate"][given["estimate"]], units["actual"][given["actual"]]])
    every = every[every.notna() & (every != "")]
    if every.empty:
        return None  # no unit anywhere: both columns as written, in whatever unit they share
    if (every == "points").any() and (every != "points").any():
        for col in ("estimate", "actual"):
            odd = (units[col] == "points") & given[col]
            log.add_rows("points in a table whose other cells are times", rows[odd],
                         frame.loc[odd, col], column=col,
                         expected="points throughout, or times throughout (points cannot be "
                                  "converted to hours)")
        return None
    if (every == "points").all():
        return "points"
    def named(col):
        cells = units[col][given[col] & units[col].notna() & (units[col] != "")]
        return cells.mode().iloc[0] if len(cells) else None

    # bare estimates are in the unit the actuals give (as bare actuals are in the estimates')
    target = estimate_unit or named("estimate") or named("actual")
    if target == "points":
        return None
    if target in ("seconds", "minutes"):  # Jira's seconds: shown in hours, a readable unit
        target = "hours"
    per_target = float(_hours(pd.Series([target]), hours_per_day).iloc[0])
    for col, values in (("estimate", estimate), ("actual", actual)):
        factor = _hours(units[col], hours_per_day) / per_target
        values[:] = (values * factor.where(units[col] != "", 1.0)).to_numpy()
    return target


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
