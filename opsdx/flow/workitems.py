"""Reading work-item flow: one row per item per stage visit.

============ ==============================================================
column       meaning
============ ==============================================================
item_id      the work item
stage        the stage visited (an item may visit a stage again: rework)
entered_at   when it joined the stage, its queue included
started_at   optional: when work on it began in the stage
exited_at    when it left; blank while it is still there (right-censored)
owner        optional: who worked on it
============ ==============================================================

Timestamps are ISO 8601 (``2025-03-04 14:30``, ``2025-03-04T14:30:00+01:00``).
With offsets, every timestamp is converted to UTC; a file that gives an
offset on some rows and none on others is ambiguous, and the rows of the
smaller group are set aside.

Rows that cannot be used are **set aside and listed** in
:attr:`FlowData.quality` (row number, column, value, reason), never dropped
silently: a blank item or stage, an unreadable timestamp, an exit before the
entry, a start outside the visit, a duplicate visit, a stage not in the
declared order. A missing column or an empty file is an error
(:class:`~opsdx.DataError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, OpsdxError, Problem, ProblemLog
from ..tables import (FAR_DATE, Source, dates_expected, far_dates, parse_timestamps, read_table,
                      require_columns)

__all__ = ["FlowData", "read_work_items", "from_event_log", "as_flow", "infer_stage_order"]

_TIME_COLUMNS = ("entered_at", "started_at", "exited_at")


@dataclass(eq=False)
class FlowData:
    """Validated stage visits, the stage order, and every row set aside.

    ``visits`` has ``item_id, stage, entered_at, exited_at`` (and
    ``started_at``, ``owner`` when given; timestamps without time zone,
    UTC when the source had offsets) and ``row``, the source row number.
    ``quality`` has one row per problem: ``row, column, value, problem``.
    """

    visits: pd.DataFrame
    stages: list
    quality: pd.DataFrame
    source: str = "<DataFrame>"
    notes: list = field(default_factory=list)

    @property
    def open_visits(self) -> int:
        """Visits still in their stage at the end of the data (right-censored)."""
        return int(self.visits["exited_at"].isna().sum())

    def quality_summary(self) -> pd.DataFrame:
        """Rows set aside, counted by reason."""
        if self.quality.empty:
            return pd.DataFrame(columns=["problem", "rows"])
        return (self.quality.groupby("problem")["row"].nunique().rename("rows")
                .sort_values(ascending=False).reset_index())

    def __repr__(self) -> str:
        return (f"<FlowData {self.source}: {len(self.visits)} visits of "
                f"{self.visits['item_id'].nunique()} items through {len(self.stages)} stages; "
                f"{self.open_visits} open; {self.quality['row'].nunique() if len(self.quality) else 0}"
                " rows set aside>")


def infer_stage_order(visits: pd.DataFrame) -> list:
    """Stages in the order items usually reach them (median rank of each item's first entry).

    >>> v = pd.DataFrame({"item_id": ["a", "a", "b", "b"], "stage": ["Build", "Test"] * 2,
    ...                   "entered_at": pd.to_datetime(["2025-01-01", "2025-01-02"] * 2)})
    >>> infer_stage_order(v)
    ['Build', 'Test']
    """
    first = visits.groupby(["item_id", "stage"], sort=False, observed=True)["entered_at"].min()
    rank = first.groupby(level="item_id").rank(method="first")
    order = rank.groupby(level="stage").agg(["median", "mean", "size"])
    order = order.sort_values(["median", "mean", "size"], ascending=[True, True, False])
    return [str(s) for s in order.index]


def read_work_items(source: Source, stages: Sequence[str] | None = None, *,
                    name: str | None = None, sheet: str | int = 0) -> FlowData:
    """Read and check stage visits from CSV, XLSX or a DataFrame.

    Parameters
    ----------
    source : path or DataFrame
    stages : list of str, optional
        The stages in flow order. Rows naming another stage are set aside.
        Default: inferred from the data (:func:`infer_stage_order`).

    Examples
    --------
    >>> frame = pd.DataFrame({"item_id": ["A", "A", "B"], "stage": ["Build", "Review", "Build"],
    ...     "entered_at": ["2025-03-03 09:00", "2025-03-04 10:00", "2025-03-04 11:00"],
    ...     "exited_at": ["2025-03-04 10:00", "", "2025-03-03 08:00"]})
    >>> flow = read_work_items(frame)
    >>> flow.stages, len(flow.visits), flow.open_visits
    (['Build', 'Review'], 2, 1)
    >>> flow.quality[["row", "column", "problem"]].to_dict("records")
    [{'row': 2, 'column': 'exited_at', 'problem': 'exit before entry'}]
    """
    if isinstance(source, pd.DataFrame) and _typed(source):
        frame = source.reset_index(drop=True)
        label = name or "<DataFrame>"
        rows = pd.Series(np.arange(len(frame)), index=frame.index)
        times, aware = {}, {}
        zones = {}
        for c in _TIME_COLUMNS:
            if c not in frame:
                continue
            col = frame[c]
            if pd.api.types.is_datetime64_any_dtype(col):
                zones[c] = col.dt.tz is not None
                times[c], _ = parse_timestamps(col)
            else:  # text mixed in ("TBD"): parse it like a file's cells
                text_col = col.astype(object).where(col.notna(), "").astype(str).str.strip()
                times[c], aware[c] = parse_timestamps(text_col)
        if len(set(zones.values())) > 1:
            raise OpsdxError("some timestamp columns carry a time zone and others do not ("
                             + ", ".join(f"{c}: {'zoned' if z else 'naive'}"
                                         for c, z in zones.items()) + "); convert them alike")
        text = {c: _text(frame[c]) for c in ("item_id", "stage")}
        raw = frame
    else:
        table = read_table(source, name=name, sheet=sheet, times=_TIME_COLUMNS)
        label = table.name
        frame = table.frame
        log = ProblemLog(label)
        require_columns(table, ["item_id", "stage", "entered_at", "exited_at"], log,
                        hint="columns item_id, stage, entered_at, exited_at "
                             "(optional started_at, owner)")
        log.raise_if_any()
        rows = table.rows
        times, aware = {}, {}
        for c in _TIME_COLUMNS:
            if c in frame:
                times[c], aware[c] = parse_timestamps(frame[c])
        text = {c: frame[c] for c in ("item_id", "stage")}  # read_table strips cells
        raw = frame

    problems: list[tuple] = []  # (mask, column, reason)

    def flag(mask, column, reason):
        mask = pd.Series(mask, index=raw.index).fillna(False).astype(bool)
        if mask.any():
            problems.append((mask, column, reason))

    given = {c: _given(raw[c]) for c in ("item_id", "stage", *times)}
    for c in ("item_id", "stage"):
        flag(~given[c], c, f"{c} is blank")
    flag(~given["entered_at"], "entered_at", "entered_at is blank")
    for c, t in times.items():
        unread = given[c] & t.isna()
        far = unread & far_dates(raw[c]) if unread.any() else unread
        if (unread & ~far).any():
            flag(unread & ~far, c, f"not a date (expected "
                                   f"{dates_expected(raw.loc[unread & ~far, c])})")
        flag(far, c, f"{FAR_DATE} (a placeholder for open work? leave the cell blank)")
    if aware:  # among the cells that parsed: an unreadable one is reported as such
        read = {c: times[c].notna() for c in aware}
        n_aware = sum(int((aware[c] & read[c]).sum()) for c in aware)
        n_naive = sum(int((~aware[c] & read[c]).sum()) for c in aware)
        if n_aware and n_naive:  # the smaller group is set aside; both when they tie
            for c in aware:
                odd = ((~aware[c] if n_naive <= n_aware else False)
                       | (aware[c] if n_aware <= n_naive else False))
                flag(read[c] & odd, c, "time zone given on some rows but not on others")
    entered, exited = times["entered_at"], times["exited_at"]
    flag(exited < entered, "exited_at", "exit before entry")
    if "started_at" in times:
        started = times["started_at"]
        flag((started < entered) | (started > exited), "started_at",
             "start outside the visit (before entry or after exit)")
    if stages is not None:
        stages = [str(s) for s in stages]
        if len(set(stages)) != len(stages):
            raise OpsdxError("stages must not repeat")
        flag(~text["stage"].isin(stages) & (text["stage"] != ""), "stage",
             f"stage not among the declared stages ({', '.join(stages)})")
    # a duplicate shares its entry time with another row: compare the few rows that do
    same_time = entered.notna() & entered.duplicated(keep=False)
    if same_time.any():
        key = pd.DataFrame({"i": text["item_id"][same_time], "s": text["stage"][same_time],
                            "e": entered[same_time]})
        flag(key.duplicated(keep="first").reindex(raw.index, fill_value=False), "entered_at",
             "duplicate visit (same item, stage and entry time)")

    bad = pd.Series(False, index=raw.index)
    records = []
    for mask, column, reason in problems:
        bad |= mask
        records.append(pd.DataFrame({"row": rows[mask.to_numpy()].to_numpy(), "column": column,
                                     "value": _shown(raw.loc[mask, column]),
                                     "problem": reason}))
    quality = (pd.concat(records, ignore_index=True).sort_values(["row", "column"], kind="stable")
               .reset_index(drop=True) if records
               else pd.DataFrame(columns=["row", "column", "value", "problem"]))
    # the rows kept, by entry: rows are in source order, so a stable sort keeps ties so
    keep = np.flatnonzero(~bad.to_numpy())
    keep = keep[np.argsort(entered.to_numpy()[keep], kind="stable")]
    # text taken as it is stored (pyarrow's strings stay pyarrow's: no round trip via objects)
    visits = pd.DataFrame({"item_id": text["item_id"].array.take(keep),
                           "stage": text["stage"].array.take(keep),
                           "entered_at": entered.to_numpy()[keep]})
    if "started_at" in times:
        visits["started_at"] = times["started_at"].to_numpy()[keep]
    visits["exited_at"] = exited.to_numpy()[keep]
    if "owner" in raw.columns:  # names repeat: tidied once per distinct name
        codes, names = pd.factorize(raw["owner"].iloc[keep], use_na_sentinel=True)
        names = pd.Index(names).astype(str).str.strip()
        names = np.asarray(names.where(~names.isin(["", "nan", "None"])), dtype=object)
        visits["owner"] = (np.where(codes >= 0, names[np.maximum(codes, 0)], np.nan)
                           if len(names) else np.full(len(codes), np.nan, dtype=object))
    visits["row"] = rows.to_numpy()[keep]
    if visits.empty:
        raise DataError([Problem(label, "no usable stage visit: every row was set aside",
                                 expected="rows with item_id, stage and entered_at")]
                        + [Problem(label, r.problem, row=r.row, column=r.column, value=r.value)
                           for r in quality.head(50).itertuples()])
    order = stages if stages is not None else infer_stage_order(visits)
    return FlowData(visits=visits, stages=list(order), quality=quality, source=label)


def _shown(cells: pd.Series) -> np.ndarray:
    """Cells as text for the data-quality report (a blank timestamp is "", not "NaT")."""
    if pd.api.types.is_datetime64_any_dtype(cells):
        return cells.astype(str).where(cells.notna(), "").to_numpy()
    return cells.astype(str).to_numpy()


def _text(column: pd.Series) -> pd.Series:
    """A column as text (as ``astype(str)``); a categorical's categories converted once."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        names = np.asarray(column.cat.categories.astype(str), dtype=object)
        codes = column.cat.codes.to_numpy()
        return pd.Series(np.where(codes >= 0, names[np.maximum(codes, 0)] if len(names) else "",
                                  "nan"), index=column.index, dtype=object)
    return column.astype(str)


def _given(column: pd.Series) -> pd.Series:
    """Cells holding something: not missing, not blank text."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.notna()
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        named = _given(pd.Series(column.cat.categories, dtype=object)).to_numpy() \
            if len(column.cat.categories) else np.zeros(0, bool)
        return pd.Series((codes >= 0) & np.append(named, False)[codes], index=column.index)
    if not column.hasnans and pd.api.types.is_string_dtype(column):
        # text from read_table: stripped, blanks are "" (compared as objects unless pyarrow
        # holds them: faster)
        if getattr(column.dtype, "storage", None) == "pyarrow":
            return column.ne("").astype(bool)
        return pd.Series(np.asarray(column, dtype=object) != "", index=column.index)
    text = column.astype(str)
    return column.notna() & (text != "") & ~text.isin(["nan", "None", "NaT", "<NA>"])


def _typed(frame: pd.DataFrame) -> bool:
    return ("entered_at" in frame and pd.api.types.is_datetime64_any_dtype(frame["entered_at"])
            and {"item_id", "stage", "exited_at"} <= set(frame.columns))


def as_flow(data, stages: Sequence[str] | None = None) -> FlowData:
    """A :class:`FlowData` from itself (re-ordered if ``stages`` is given) or from a DataFrame/path."""
    if isinstance(data, FlowData):
        if stages is None or list(stages) == data.stages:
            return data
        unknown = sorted(set(data.visits["stage"]) - set(stages))
        if unknown:
            raise OpsdxError(f"stages {', '.join(map(repr, unknown))} are in the data but not in "
                             "the stage order given")
        return FlowData(data.visits, list(stages), data.quality, data.source, data.notes)
    return read_work_items(data, stages=stages)


def from_event_log(source: Source, *, case: str | None = None, activity: str | None = None,
                   timestamp: str | None = None, lifecycle: str | None = None,
                   resource: str | None = None, start_timestamp: str | None = None,
                   stages: Sequence[str] | None = None, name: str | None = None) -> FlowData:
    """Stage visits from a process-mining event log (one row per event).

    Columns are found by name: ``case`` / ``case:concept:name``,
    ``activity`` / ``concept:name``, ``timestamp`` / ``time:timestamp``,
    optional ``lifecycle`` / ``lifecycle:transition`` (``start``,
    ``complete``) and ``resource`` / ``org:resource`` (pm4py's XES names
    are accepted; pm4py itself is not needed).

    Without a lifecycle, each event completes an activity: the visit to an
    activity runs from the previous event of the case (or the event itself,
    for the first) to this one. An *interval log* (pm4py's shape: a
    ``start_timestamp`` / ``start_time`` column beside the timestamp, or the
    column ``start_timestamp=`` names) gives each event its start: the visit
    runs from the previous completion of the case, through that start, to
    the event. With ``start``/``complete`` pairs, a visit runs from the
    previous completion of the case (entered), through the start (started),
    to the completion (exited): each completion takes the earliest start of
    the same case and activity not yet taken (first in, first out, as
    process-mining tools pair them), so an activity done several times in a
    case (a call made again and again) is as many visits, and the time
    between them is waiting, not work. A completion without a start (or with
    an unreadable one) took no work time: its visit is all waiting, as
    process-mining tools read such an atomic event. A start without its
    completion is a visit still open. A log with both start events and start
    times is read by its start events, and says so in its notes; start times
    beside a lifecycle of completions only are read as the starts.

    Examples
    --------
    >>> log = pd.DataFrame({"case:concept:name": ["1", "1", "1", "1"],
    ...     "concept:name": ["Build", "Build", "Review", "Review"],
    ...     "lifecycle:transition": ["start", "complete", "start", "complete"],
    ...     "time:timestamp": ["2025-03-03 09:00", "2025-03-03 17:00",
    ...                        "2025-03-04 10:00", "2025-03-04 11:00"]})
    >>> from_event_log(log).visits[["stage", "entered_at", "started_at", "exited_at"]]
        stage          entered_at          started_at           exited_at
    0   Build 2025-03-03 09:00:00 2025-03-03 09:00:00 2025-03-03 17:00:00
    1  Review 2025-03-03 17:00:00 2025-03-04 10:00:00 2025-03-04 11:00:00
    """
    table = read_table(source, name=name,
                       times=[timestamp] if timestamp else ["timestamp", "time:timestamp"])
    frame = table.frame
    label = table.name

    def pick(given, *names):
        for n in ((given,) if given else names):
            if n in frame.columns:
                return n
        return None

    cols = {"case": pick(case, "case", "case:concept:name", "case_id", "case id"),
            "activity": pick(activity, "activity", "concept:name"),
            "timestamp": pick(timestamp, "timestamp", "time:timestamp"),
            "lifecycle": pick(lifecycle, "lifecycle", "lifecycle:transition"),
            "resource": pick(resource, "resource", "org:resource"),
            "start": pick(start_timestamp, "start_timestamp", "start_time", "start timestamp")}
    log = ProblemLog(label)
    for role in ("case", "activity", "timestamp"):
        if cols[role] is None:
            log.add("required column is missing", row=table.header_row, column=role,
                    expected=f"a {role} column (or its XES name); found: "
                             + ", ".join(map(str, frame.columns)))
    log.raise_if_any()
    when, _ = parse_timestamps(frame[cols["timestamp"]])
    ev = pd.DataFrame({"case": frame[cols["case"]].str.strip(),
                       "activity": frame[cols["activity"]].str.strip(), "t": when,
                       "row": table.rows.to_numpy()})
    ev["life"] = (frame[cols["lifecycle"]].str.strip().str.lower() if cols["lifecycle"]
                  else "complete")
    if cols["resource"]:
        ev["resource"] = frame[cols["resource"]].str.strip()
    notes: list[str] = []
    # start times beside a lifecycle of completions only (an interval log written as XES)
    # are the starts; beside start events they are not needed
    interval = cols["start"] is not None and not ev["life"].eq("start").any()
    if interval:
        ev["started"], _ = parse_timestamps(frame[cols["start"]])
    elif cols["start"] is not None:
        notes.append(f"the log has start events ({cols['lifecycle']}) and start times "
                     f"({cols['start']}): its start and complete events are read, the start "
                     "times are not used")
    bad = ev["t"].isna() | (ev["case"] == "") | (ev["activity"] == "")
    quality = pd.DataFrame({"row": ev.loc[bad, "row"].to_numpy(), "column": cols["timestamp"],
                            "value": _shown(frame.loc[bad.to_numpy(), cols["timestamp"]]),
                            "problem": "event without case, activity or a readable timestamp"})
    other = ~ev["life"].isin(["start", "complete"]) & ~bad
    if other.any():
        quality = pd.concat([quality, pd.DataFrame({
            "row": ev.loc[other, "row"].to_numpy(), "column": cols["lifecycle"] or "lifecycle",
            "value": ev.loc[other, "life"].to_numpy(),
            "problem": "lifecycle other than start or complete (ignored)"})], ignore_index=True)
    if interval:  # an unreadable start: the visit is kept, without its start
        unread = ~bad & ev["started"].isna() & (frame[cols["start"]].str.strip() != "").to_numpy()
        if unread.any():
            quality = pd.concat([quality, pd.DataFrame({
                "row": ev.loc[unread, "row"].to_numpy(), "column": cols["start"],
                "value": _shown(frame.loc[unread.to_numpy(), cols["start"]]),
                "problem": "start time not read (the visit is kept without it)"})],
                ignore_index=True)
    ev = ev[~bad & ~other].sort_values(["case", "t", "row"], kind="stable")
    if ev.empty:
        raise nothing_usable(label, "event", "rows with a case, an activity and an ISO 8601 "
                                             "timestamp", quality)
    # each completion, with the case's previous completion as the entry time
    done = ev[ev["life"] == "complete"].copy()
    done["entered"] = done.groupby("case", sort=False)["t"].shift(1)
    starts = ev[ev["life"] == "start"].copy()
    # a lifecycle of completions only (as XES exports write it) is a log of completions
    has_life = cols["lifecycle"] is not None and len(starts) > 0
    if has_life and len(done):
        merged, open_starts = _pair_first_in_first_out(done, starts)
    else:
        merged = done.assign(started=done["started"] if interval else pd.NaT)
        merged = merged.reset_index(drop=True)
        open_starts = starts
    timed = has_life or interval
    entered = merged["entered"].fillna(merged["started"] if timed else merged["t"])
    if interval:  # a visit whose start is unknown begins when it is entered
        entered = entered.fillna(merged["t"])
    entered = entered.where(entered <= merged["started"].fillna(merged["t"]),
                            merged["started"].fillna(merged["t"]))
    visits = pd.DataFrame({"item_id": merged["case"], "stage": merged["activity"],
                           "entered_at": entered, "exited_at": merged["t"],
                           "source_row": merged["row"].to_numpy()})
    if cols["resource"]:  # the completing event's resource did the work
        visits["owner"] = merged["resource"].to_numpy()
    if timed:  # a completion without its start took no work time (process mining's rule:
        # an atomic event); its time in the stage is waiting, scheduled or never begun
        visits["started_at"] = merged["started"].fillna(merged["t"])
    if has_life:
        if len(open_starts):
            last_done = done.groupby("case")["t"].max()
            o_entered = open_starts["case"].map(last_done)
            o_entered = o_entered.where(o_entered <= open_starts["t"], open_starts["t"])
            extra = pd.DataFrame({
                "item_id": open_starts["case"], "stage": open_starts["activity"],
                "entered_at": o_entered.fillna(open_starts["t"]), "exited_at": pd.NaT,
                "source_row": open_starts["row"].to_numpy(),
                "started_at": open_starts["t"]})
            if cols["resource"]:
                extra["owner"] = open_starts["resource"].to_numpy()
            visits = pd.concat([visits, extra], ignore_index=True)
    order = ["item_id", "stage", "entered_at"] + (["started_at"] if timed else []) + [
        "exited_at"] + (["owner"] if cols["resource"] else [])
    # rows named as in the event log (the completing event's row), not internal positions
    flow = flow_from_visits(visits, order, stages, label, quality)
    flow.notes = [*flow.notes, *notes]
    return flow


def _pair_first_in_first_out(done: pd.DataFrame, starts: pd.DataFrame
                             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each completion with the earliest start of its case and activity not yet taken (a
    start at the same instant counts as before it); the starts no completion took, less those
    a later completion of their activity shows were repeated, stay open.

    Vectorised: with ``a_j`` the starts of a key up to its ``j``-th completion, the starts
    taken after it are ``m_j = min(m_{j-1} + 1, a_j)``, that is ``j + min(0, min_{i<=j}(a_i -
    i))``; the ``j``-th completion takes start number ``m_j`` when ``m_j > m_{j-1}``.
    """
    key_d = done["case"] + "\x1f" + done["activity"]
    key_s = starts["case"] + "\x1f" + starts["activity"]
    both = pd.concat([pd.DataFrame({"key": key_s, "t": starts["t"], "row": starts["row"],
                                    "done": 0}),
                      pd.DataFrame({"key": key_d, "t": done["t"], "row": done["row"],
                                    "done": 1})])
    both = both.assign(label=both.index).sort_values(["key", "t", "done", "row"],
                                                     kind="stable", ignore_index=True)
    by_key = both.assign(start=1 - both["done"]).groupby("key", sort=False)
    a = by_key["start"].cumsum().to_numpy()  # starts so far
    j = by_key["done"].cumsum().to_numpy()   # completions so far, this one included
    is_done = both["done"].to_numpy() == 1
    keys = both["key"].to_numpy()[is_done]
    low = pd.Series(a[is_done] - j[is_done]).groupby(keys, sort=False).cummin().to_numpy()
    m = j[is_done] + np.minimum(0, low)
    prev = pd.Series(m).groupby(keys, sort=False).shift(1, fill_value=0).to_numpy()
    takes = m > prev
    first = both[~is_done].assign(n=a[~is_done]).set_index(["key", "n"])
    found = first.reindex(pd.MultiIndex.from_arrays([keys[takes], m[takes]]))
    started = pd.Series(pd.NaT, index=both["label"].to_numpy()[is_done], dtype=done["t"].dtype)
    started.iloc[np.flatnonzero(takes)] = found["t"].to_numpy()
    merged = done.assign(started=started.reindex(done.index).to_numpy()).reset_index(drop=True)
    open_starts = starts[~starts["row"].isin(set(found["row"].dropna().astype(int)))]
    # a start followed by a later completion of its activity was repeated, not left open
    later = done.assign(key=key_d).groupby("key")["t"].max()
    open_starts = open_starts[~(open_starts["t"] <= key_s[open_starts.index].map(later))]
    return merged, open_starts


def nothing_usable(label: str, what: str, expected: str, quality: pd.DataFrame) -> DataError:
    """The error of a source whose every row was set aside, with the first 50 reasons."""
    n = quality["row"].nunique() if len(quality) else 0
    shown = "; the first 50 reasons follow" if len(quality) > 50 else ""
    return DataError([Problem(label, f"no usable {what}: every row was set aside ({n} "
                                     f"row{'s' if n != 1 else ''}{shown})",
                              expected=expected)]
                     + [Problem(label, r.problem, row=r.row, column=r.column, value=r.value)
                        for r in quality.head(50).itertuples()])


def flow_from_visits(visits: pd.DataFrame, order: list, stages, label: str,
                     quality: pd.DataFrame) -> FlowData:
    """Visits built from another source (an event log, a status history) read and checked
    as work items; rows are named as in that source (its ``source_row``), and its own
    rows set aside (``quality``) come first."""
    source_rows = visits["source_row"].to_numpy()
    visits = visits[order].reset_index(drop=True)
    flow = read_work_items(visits, stages=stages, name=label)
    flow.visits["row"] = source_rows[flow.visits["row"].to_numpy(int)]
    if len(flow.quality):
        flow.quality["row"] = source_rows[flow.quality["row"].to_numpy(int)]
    flow.quality = pd.concat([quality, flow.quality], ignore_index=True)
    return flow
