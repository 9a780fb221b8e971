"""Time-in-status reports: one row per item, one column per status.

Jira's marketplace apps (Time in Status, Status Time reports and the like)
and many BI tools export a table where each row is an issue and each status
column holds either

the **time** the item spent in that status (``durations``)
    ``2d 3h 15m``, ``51h 15m``, ``1w 2d``, ``3:15`` (hours and minutes),
    ``3:15:20``, or a bare number in a unit the caller names (``unit=``);
    ``-`` or blank when the item was never in it. A day is 24 hours and a
    week 7 days unless the report counts business time (``day_hours=8``:
    then a week is 5 such days). Each item's **created** time is needed: the
    visits are rebuilt by laying the statuses end to end in the status map's
    order (backlog statuses, then each stage's queue and work statuses, then
    done or abandoned), starting at creation. When the report has the item's
    current status, that status goes last.
the **moment** the item entered that status (``entry dates``)
    ISO 8601 timestamps, or Jira's own ``12/Mar/24 3:15 PM``
    (:func:`~opsdx.tables.parse_moments`); the statuses are ordered by these moments.

Either way the report has one cell per status: an item that went back to a
status, or was reopened, shows one stay (its summed time, or one of its
entries). Rework is therefore not seen, and the notes say so
(``time_in_status``). A status history (:func:`~opsdx.flow.read_status_history`)
or the tracker's own export (:func:`~opsdx.flow.read_jira`) sees it: prefer
them when the client can give them.

Rows are named by the file's row numbers; a cell that cannot be read sets its
item aside (its timeline cannot be rebuilt) and is listed by row and column.
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError, OpsdxError, Problem, ProblemLog
from ..notes import Note
from ..tables import (MIXED_ZONES, Source, mixed_zones, parse_moments, read_header,
                      read_table)
from .statuses import StatusMap, _as_map, _columns, _key, _plain, read_status_history
from .workitems import FlowData, nothing_usable

__all__ = ["read_time_in_status", "time_in_status_table", "looks_like_time_in_status",
           "NOTE_CODES"]

#: The codes of the notes a time-in-status report's FlowData carries (besides the status
#: history's own).
NOTE_CODES = ("time_in_status", "status_columns_unmapped")

#: The options only a report takes (beside the column names and ``date_format``).
TIME_IN_STATUS_OPTIONS = ("unit", "day_hours", "shape")

#: Column names of the item, its creation and its current status (case and spaces ignored).
COLUMN_NAMES = {
    "item": ("key", "issue_key", "item", "item_id", "issue", "id", "issue_id", "number"),
    "created": ("created", "created_at", "created_date", "creation_date", "date_created",
                "created_on"),
    "status": ("status", "current_status", "status_now"),
}
#: Other columns of times a report carries that are not statuses.
_NOT_STATUSES = ("updated", "resolved", "resolution_date", "due_date", "due", "last_viewed",
                 "status_category_changed", "lead_time", "cycle_time", "total", "total_time")
_ABSENT = {"", "-", "–", "—", "n/a", "na", "none", "null", "nan"}
_COLON = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$")


def parse_durations(cells: pd.Series, *, unit: str | None = None,
                    day_hours: float = 24.0) -> tuple[pd.Series, pd.Series]:
    """Hours from duration cells, and which cells are present at all.

    ``2d 3h 15m``, ``1w``, ``51.5h``, ``3:15`` (h:mm), ``3:15:20`` (h:mm:ss),
    or a bare number in ``unit``. ``-`` and blanks are absent (never in the
    status); NaN marks a present cell that does not read (a bare number
    without ``unit`` among them).

    >>> hours, present = parse_durations(pd.Series(["2d 3h 15m", "1w", "3:15", "-", "4", "x"]))
    >>> hours.round(2).tolist(), present.tolist()
    ([51.25, 168.0, 3.25, nan, nan, nan], [True, True, True, False, True, True])
    >>> parse_durations(pd.Series(["4", "1d"]), unit="days", day_hours=8)[0].tolist()
    [32.0, 8.0]
    """
    from ..forecast.estimates import _hours, parse_amounts, unit_name

    text = cells.astype(str).str.strip()
    present = ~text.str.casefold().isin(_ABSENT)
    week = 7 if day_hours >= 24 else 5
    numbers, units = parse_amounts(text.where(present, ""), hours_per_day=day_hours,
                                   days_per_week=week)
    bare = units.eq("") & numbers.notna()
    timed = units.isin(["seconds", "minutes", "hours", "days", "weeks"])
    hours = (numbers * _hours(units.where(timed), day_hours, week)).where(timed)
    if unit is not None:
        per = float(_hours(pd.Series([unit_name(unit, "unit")]), day_hours, week).iloc[0])
        hours = hours.where(~bare, numbers * per)
    colon = text.str.extract(_COLON)
    clock = colon[0].notna()
    if clock.any():
        hours = hours.where(~clock, colon[0].astype(float) + colon[1].astype(float) / 60
                            + colon[2].fillna("0").astype(float) / 3600)
    return hours.where(present & (hours >= 0)), present


def _status_columns(frame: pd.DataFrame, smap: StatusMap, skip: set) -> tuple[list, list]:
    """The columns the map names (in file order), and the others (not item, created or
    current status) that might be statuses."""
    mapped, others = [], []
    for column in frame.columns:
        if column in skip:
            continue
        (mapped if _key(column) in smap.table.index else others).append(column)
    return mapped, others


def looks_like_time_in_status(source: Source, status_map=None, *, name: str | None = None,
                              sheet: str | int = 0) -> bool:
    """Whether a table is a time-in-status report rather than a status history.

    With a status map, from the header alone: two or more columns named as
    statuses of the map. Without one: no columns of a status change (a status
    and a time other than ``Created``), and two or more columns of durations
    or moments in the first rows.
    """
    from .statuses import COLUMN_NAMES as HISTORY

    header = read_header(source, sheet=sheet)
    if status_map is not None:
        smap = _as_map(status_map)
        return sum(_key(c) in smap.table.index for c in header) >= 2
    plain = {_plain(c) for c in header}
    if not any(n in plain for n in COLUMN_NAMES["item"]):
        return False
    if any(n in plain for n in HISTORY["status"]) and \
            any(n in plain for n in HISTORY["changed_at"] if n not in COLUMN_NAMES["created"]):
        return False
    table = read_table(source, name=name, sheet=sheet)
    return len(_timed_columns(table.frame.head(200), set())) >= 2


def _timed_columns(frame: pd.DataFrame, skip: set) -> list:
    """Columns whose present cells read, at least four in five, as durations with a unit
    (``2d 3h``, ``3:15``) or as moments; ``-`` and blanks are absent."""
    found = []
    for column in frame.columns:
        if column in skip or _plain(column) in (COLUMN_NAMES["item"] + COLUMN_NAMES["created"]
                                                + _NOT_STATUSES):
            continue
        hours, present = parse_durations(frame[column])
        if not present.any():
            continue
        if hours[present].notna().mean() >= 0.8:
            found.append(column)
            continue
        moments, _ = parse_moments(frame[column].where(present, ""))
        if moments[present].notna().mean() >= 0.8:
            found.append(column)
    return found


def _shape(frame: pd.DataFrame, columns: list, unit, day_hours, date_format) -> str:
    """``"durations"`` or ``"entry dates"``: what most present cells of the status columns
    read as."""
    cells = pd.concat([frame[c] for c in columns], ignore_index=True)
    hours, present = parse_durations(cells, unit=unit, day_hours=day_hours)
    moments, _ = parse_moments(cells.where(present, ""), date_format)
    n_hours, n_moments = int(hours[present].notna().sum()), int(moments[present].notna().sum())
    return "entry dates" if n_moments > n_hours else "durations"


def read_time_in_status(source: Source, status_map, *, item: str | None = None,
                        created: str | None = None, status: str | None = None,
                        unit: str | None = None, day_hours: float = 24.0,
                        shape: Literal["durations", "entry dates"] | None = None,
                        date_format: str | None = None, name: str | None = None,
                        sheet: str | int = 0) -> FlowData:
    """Stage visits from a time-in-status report, through a status map.

    Parameters
    ----------
    source : path or DataFrame
        CSV, XLSX or a DataFrame: an item column (``Key``, ``Issue key``, ...),
        one column per status (named as the status map names the status), and
        for durations each item's creation (``Created``); optionally its
        current ``Status``. Other columns (summary, assignee, ...) are not read.
    status_map : StatusMap, mapping, or path of a ``statuses.yaml``
    unit : str, optional
        The unit of bare numbers (``hours``, ``days``, ...); a cell that names
        its own (``2d 3h``) needs none.
    day_hours : float
        Hours in a report's day: 24 for elapsed time (the default), 8 (say)
        when the report counts business time, which makes every rebuilt time
        working time rather than calendar time (noted).
    shape : ``"durations"`` or ``"entry dates"``, optional
        What the status columns hold; found from the cells when not given.
    date_format : str, optional
        A ``strftime`` format of the moments (and of ``Created``) when they
        are neither ISO 8601 nor Jira's ``12/Mar/24 3:15 PM``.

    Returns
    -------
    FlowData
        As :func:`~opsdx.flow.read_status_history` gives it, plus a
        ``time_in_status`` note on how the visits were rebuilt and what a
        report of this kind cannot show, and ``status_columns_unmapped`` for
        columns that read as statuses but that the map does not name.

    Examples
    --------
    >>> smap = {"stages": ["Build", "Review"], "statuses": [
    ...     {"status": "To Do", "role": "backlog"},
    ...     {"status": "In Progress", "stage": "Build", "role": "work"},
    ...     {"status": "Ready for review", "stage": "Review", "role": "queue"},
    ...     {"status": "In Review", "stage": "Review", "role": "work"},
    ...     {"status": "Done", "role": "done"}]}
    >>> report = pd.DataFrame({"Key": ["OPS-1", "OPS-2"],
    ...     "Created": ["2026-03-02 09:00", "2026-03-02 10:00"],
    ...     "To Do": ["1d", "-"], "In Progress": ["2d 4h", "6h"],
    ...     "Ready for review": ["-", "1d"], "In Review": ["3h", "2h"], "Done": ["5d", "-"]})
    >>> flow = read_time_in_status(report, smap)
    >>> flow.visits[["item_id", "stage", "entered_at", "started_at", "exited_at"]]
      item_id   stage          entered_at          started_at           exited_at
    0   OPS-2   Build 2026-03-02 10:00:00 2026-03-02 10:00:00 2026-03-02 16:00:00
    1   OPS-2  Review 2026-03-02 16:00:00 2026-03-03 16:00:00                 NaT
    2   OPS-1   Build 2026-03-03 09:00:00 2026-03-03 09:00:00 2026-03-05 13:00:00
    3   OPS-1  Review 2026-03-05 13:00:00 2026-03-05 13:00:00 2026-03-05 16:00:00
    """
    if shape not in (None, "durations", "entry dates"):
        raise OpsdxError(f"shape must be 'durations' or 'entry dates', not {shape!r}")
    if isinstance(day_hours, bool) or not isinstance(day_hours, (int, float)) or \
            not 0 < day_hours <= 24:
        raise OpsdxError(f"day_hours must be a number of hours, 0 to 24, not {day_hours!r}")
    smap = _as_map(status_map)
    table = read_table(source, name=name, sheet=sheet)
    frame, label = table.frame, table.name
    cols = _columns(frame.columns, {"item": item, "created": created, "status": status},
                    COLUMN_NAMES)
    skip = {c for c in cols.values() if c is not None}
    mapped, others = _status_columns(frame, smap, skip)
    log = ProblemLog(label)
    if cols["item"] is None:
        log.add("required column is missing", row=table.header_row, column=item or "item",
                expected=f"the item's key ({', '.join(COLUMN_NAMES['item'][:4])}, ...); "
                         f"found: {', '.join(map(str, frame.columns))}")
    if not mapped:
        log.add("no column is a status of the status map", row=table.header_row,
                expected=f"columns named as the statuses of {smap.source} "
                         f"({', '.join(smap.table['status'].head(6))}, ...); found: "
                         f"{', '.join(map(str, frame.columns))}")
    log.raise_if_any()
    shape = shape or _shape(frame, mapped, unit, day_hours, date_format)
    if shape == "durations" and cols["created"] is None:
        log.add("required column is missing", row=table.header_row, column=created or "created",
                expected="each item's creation time (Created): durations are laid end to end "
                         "from it; or a report of the moments each status was entered")
        log.raise_if_any()

    rows = table.rows.to_numpy()
    n, k = len(frame), len(mapped)
    long = pd.DataFrame({
        "pos": np.repeat(np.arange(n), k),
        "col": np.tile(np.arange(k), n),
        "status": np.tile(np.asarray(mapped, dtype=object), n),
        "cell": frame[mapped].to_numpy(dtype=object).ravel()})
    long["cell"] = long["cell"].astype(str)
    items = frame[cols["item"]].astype(str).str.split().str.join(" ")
    quality = []
    if shape == "durations":
        hours, present = parse_durations(long["cell"], unit=unit, day_hours=day_hours)
        bad = present & hours.isna()
        what = ("not a duration (2d 3h 15m, 51h, 3:15, or a number with unit=)" if unit is None
                else f"not a duration (2d 3h 15m, 3:15, or a number of {unit})")
        born, aware = parse_moments(frame[cols["created"]], date_format)
        no_birth = born.isna().to_numpy().copy()
        quality.append(pd.DataFrame({
            "row": rows[no_birth], "column": cols["created"],
            "value": frame.loc[no_birth, cols["created"]].to_numpy(),
            "problem": "creation time unreadable or missing: the item's stays cannot be "
                       "placed in time"}))
        odd = mixed_zones(born, aware).to_numpy()
        quality.append(pd.DataFrame({
            "row": rows[odd], "column": cols["created"],
            "value": frame.loc[odd, cols["created"]].to_numpy(),
            "problem": f"{MIXED_ZONES}: the item is set aside"}))
        no_birth = no_birth | odd
    else:
        hours = None
        present = ~long["cell"].str.strip().str.casefold().isin(_ABSENT)
        moments, aware = parse_moments(long["cell"].where(present, ""), date_format)
        bad = present & moments.isna()
        what = "not a date and time (ISO 8601, 12/Mar/24 3:15 PM, or date_format=)"
        no_birth = np.zeros(n, bool)
        odd = mixed_zones(moments, aware).to_numpy()
        quality.append(pd.DataFrame({
            "row": rows[long["pos"].to_numpy()[odd]], "column": long["status"].to_numpy()[odd],
            "value": long["cell"].to_numpy()[odd],
            "problem": f"{MIXED_ZONES}: the item is set aside"}))
    bad_np = bad.to_numpy()
    quality.append(pd.DataFrame({"row": rows[long["pos"].to_numpy()[bad_np]],
                                 "column": long["status"].to_numpy()[bad_np],
                                 "value": long["cell"].to_numpy()[bad_np],
                                 "problem": f"{what}: the item is set aside"}))
    if shape == "entry dates":
        bad_np = bad_np | odd
    blank_item = items.eq("").to_numpy()
    quality.append(pd.DataFrame({"row": rows[blank_item], "column": cols["item"], "value": "",
                                 "problem": "no item key"}))
    dropped = np.zeros(n, bool)
    dropped[long["pos"].to_numpy()[bad_np]] = True
    dropped |= no_birth | blank_item
    keep = present.to_numpy() & ~dropped[long["pos"].to_numpy()]
    quality = pd.concat([q for q in quality if len(q)] or [quality[0]], ignore_index=True)

    notes, moved, appended = [], 0, 0
    if shape == "durations":
        long = long.assign(hours=hours)[keep]
        # each column's place in the map's order: backlog, (queue, work) per stage, the rest
        rank = {s: i for i, s in enumerate(smap.stages)}
        rules = smap.table.loc[[_key(c) for c in mapped]]
        place = np.select([rules["role"].eq("backlog"), rules["role"].eq("queue"),
                           rules["role"].eq("work")],
                          [0, 1 + 2 * rules["stage"].map(rank).fillna(0).to_numpy(),
                           2 + 2 * rules["stage"].map(rank).fillna(0).to_numpy()],
                          2 + 2 * len(smap.stages)).astype(float)
        long = long.assign(order=place[long["col"].to_numpy()])
        if cols["status"] is not None:
            now = (frame[cols["status"]].str.split().str.join(" ").str.casefold()
                   .to_numpy()[long["pos"].to_numpy()])
            current = np.asarray([_key(c) for c in mapped], dtype=object)[
                long["col"].to_numpy()] == now
            last = long.assign(current=current).sort_values(["pos", "order", "col"])
            last_is_current = last.groupby("pos")["current"].last()
            has_current = last.groupby("pos")["current"].any()
            moved = int((has_current & ~last_is_current).sum())
            long.loc[current, "order"] = np.inf
            # a current status with no time in the report ("-", or no column: a Done the
            # report leaves out) was entered when the last stay ended
            status_now = frame[cols["status"]].astype(str).str.split().str.join(" ")
            in_map = status_now.str.casefold().isin(smap.table.index).to_numpy()
            placed = np.zeros(n, bool)
            placed[long.loc[current, "pos"].to_numpy()] = True
            seen = np.zeros(n, bool)
            seen[long["pos"].to_numpy()] = True
            add = np.flatnonzero(in_map & ~placed & seen)
            appended = len(add)
            if appended:
                long = pd.concat([long, pd.DataFrame({
                    "pos": add, "col": k, "status": status_now.to_numpy()[add], "cell": "",
                    "hours": 0.0, "order": np.inf})], ignore_index=True)
        long = long.sort_values(["pos", "order", "col"], kind="stable")
        before = long.groupby("pos")["hours"].cumsum() - long["hours"]
        long["changed_at"] = (born.to_numpy()[long["pos"].to_numpy()]
                              + pd.to_timedelta(before.to_numpy(), unit="h"))
        how = ("the statuses laid end to end from each item's creation, in the status map's "
               "order (backlog, then each stage's queue and work, then done)"
               + (", its current status last" if cols["status"] is not None else ""))
        if appended:
            how += (f"; {appended} item{'s' if appended != 1 else ''} in a current status "
                    "with no time in the report entered it when their last stay ended")
        if moved:
            how += (f"; {moved} item{'s' if moved != 1 else ''} whose current status came "
                    "earlier in that order went back to it (the order of their other stays is "
                    "a guess)")
        if day_hours < 24:
            how += (f"; the report counts business time ({day_hours:g} hours a day), so every "
                    "rebuilt time is working time: nights and weekends are not in the timeline")
    else:
        long = long.assign(changed_at=moments.to_numpy())[keep]
        how = "the statuses ordered by the moment each was entered"
    notes.append(Note("flow", "time_in_status",
                      f"read from a time-in-status report ({shape}): {how}. The report has one "
                      "cell per status, so a return to a status (rework, a reopen) is not "
                      "seen: a status history or the tracker's export would show it"))
    unmapped = [c for c in _timed_columns(frame[others].head(500), set())] if others else []
    if unmapped:
        notes.append(Note("flow", "status_columns_unmapped",
                          f"{len(unmapped)} column{'s' if len(unmapped) != 1 else ''} "
                          f"of times not in the status map {smap.source}, not read: "
                          + ", ".join(repr(str(c)) for c in unmapped[:10])
                          + (" and more" if len(unmapped) > 10 else "")
                          + (" (their time is left out of the timeline)"
                             if shape == "durations" else "")))
    if long.empty:
        raise nothing_usable(label, "item", "an item key, a creation time and readable stays "
                                            "in the mapped statuses", quality)
    changes = pd.DataFrame({"item": items.to_numpy()[long["pos"].to_numpy()],
                            "status": long["status"].to_numpy(),
                            "changed_at": long["changed_at"].to_numpy()},
                           index=pd.Index(rows[long["pos"].to_numpy()]))
    try:
        flow = read_status_history(changes, smap, name=label)
    except DataError as exc:
        raise DataError(list(exc.problems)) from None
    flow.quality = pd.concat([quality, flow.quality], ignore_index=True) if len(quality) \
        else flow.quality
    flow.notes = notes + list(flow.notes)
    return flow


def time_in_status_table(source: Source, *, unit: str | None = None, day_hours: float = 24.0,
                         date_format: str | None = None, name: str | None = None,
                         sheet: str | int = 0) -> pd.DataFrame:
    """The status columns of a time-in-status report, as :func:`~opsdx.flow.status_table`
    lists a status history's: ``status``, ``changes`` and ``items`` (cells present), the
    median ``hours`` in each, and ``first_seen`` (the report's column order for durations,
    the earliest entry for moments)."""
    from .statuses import status_table

    table = read_table(source, name=name, sheet=sheet)
    frame = table.frame
    columns = _timed_columns(frame, set())
    if not columns:
        raise DataError([Problem(table.name, "no column of times in statuses",
                                 row=table.header_row,
                                 expected="one column per status holding durations (2d 3h) "
                                          "or the moments each status was entered")])
    if _shape(frame, columns, unit, day_hours, date_format) == "entry dates":
        item = _columns(frame.columns, {}, COLUMN_NAMES)["item"]
        cells = frame[columns].stack()
        moments, _ = parse_moments(cells, date_format)
        long = pd.DataFrame({"item": frame[item].to_numpy()[
            cells.index.get_level_values(0).to_numpy()],
            "status": cells.index.get_level_values(1).astype(str),
            "changed_at": moments.to_numpy()}).dropna(subset=["changed_at"])
        return status_table(long)
    rows = []
    for k, column in enumerate(columns):
        hours, present = parse_durations(frame[column], unit=unit, day_hours=day_hours)
        rows.append({"status": str(column), "changes": int(present.sum()),
                     "items": int(present.sum()),
                     "hours": float(hours.median()) if hours.notna().any() else float("nan"),
                     "first_seen": k})
    # statuses items are in now that have no column of time (a Done the report leaves out)
    status = _columns(frame.columns, {}, COLUMN_NAMES)["status"]
    if status is not None:
        now = frame[status].astype(str).str.split().str.join(" ")
        counts = now[now != ""].value_counts()
        known = {_key(c) for c in columns}
        for name, count in counts.items():
            if _key(name) not in known:
                rows.append({"status": name, "changes": int(count), "items": int(count),
                             "hours": float("nan"), "first_seen": len(columns) + len(rows)})
    return pd.DataFrame(rows, columns=["status", "changes", "items", "hours", "first_seen"])
