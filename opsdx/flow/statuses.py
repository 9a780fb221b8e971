"""Status histories as trackers export them, turned into stage visits by a status map.

A tracker records when each item changed status, one row per change::

    item,status,changed_at,assignee
    OPS-12,To Do,2026-03-02T09:14:03.120+01:00,
    OPS-12,In Progress,2026-03-03T10:00:00.000+01:00,ana
    OPS-12,Ready for review,2026-03-05T16:30:00.000+01:00,ana
    OPS-12,In review,2026-03-06T11:02:00.000+01:00,ben
    OPS-12,Done,2026-03-06T15:40:00.000+01:00,ben

The **status map** (``statuses.yaml`` beside ``client.yaml``; see
:class:`StatusMapSpec`, ``opsdx schema statuses``) says which stage each
status belongs to and its role there:

``queue``
    waiting in the stage ("Ready for review"): it gives ``started_at`` its
    meaning, the end of the wait, which is what makes a constraint verdict
    strong;
``work``
    being worked in the stage ("In review");
``done`` / ``abandoned``
    out of the flow, finished or dropped (a later change reopens the item:
    a new visit);
``backlog``
    not yet in the flow, or parked outside it.

Consecutive statuses of one stage are one visit: it is entered at the first
of them, started at the first ``work`` status and left at the next change to
another stage or out of the flow. A move to an earlier stage is rework: a new
visit of that stage, counted in the notes. A status the map does not name is
never dropped silently: its rows are set aside (listed with their counts in
``FlowData.quality`` and the notes) and the item stays in its previous status.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, Optional, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import DataError, OpsdxError, Problem, ProblemLog
from ..notes import Note
from ..tables import MIXED_ZONES, Source, mixed_zones, parse_moments, read_header, read_table
from ..yamlfile import line_of, parse_yaml, path_text, read_yaml_text, validate_model, yaml_lines
from .workitems import FlowData, _shown, flow_from_visits, nothing_usable

__all__ = ["StatusMapSpec", "StatusRule", "StatusMap", "load_status_map", "status_map_schema",
           "read_status_history", "status_table", "suggest_status_map", "ROLES", "NOTE_CODES"]

#: What a status is to the flow.
ROLES = ("queue", "work", "done", "abandoned", "backlog")
#: The codes of the notes a status history's FlowData carries.
NOTE_CODES = ("unmapped_statuses", "backward_moves", "reopened", "start_unknown")

#: Column names each part of a status history is found under (case and spaces ignored).
#: The first name found wins: a change's own column goes before an item's (``To Status``
#: before ``Status``, which can be the item's status now; ``Changed`` before ``Created``,
#: which can be the item's creation).
COLUMN_NAMES = {
    "item": ("item", "item_id", "key", "issue", "issue_key", "id", "number"),
    "status": ("to_status", "tostring", "new_status", "to", "status", "state"),
    "changed_at": ("changed_at", "changed", "change_date", "changed_on", "transition_date",
                   "transitioned_at", "timestamp", "date", "time", "at", "created_at",
                   "created"),
    "assignee": ("assignee", "owner", "author", "actor", "user"),
    "type": ("type", "issue_type", "issuetype", "kind"),
}


class StatusRule(BaseModel):
    """One tool status: its stage and its role there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: str = Field(min_length=1, description="The status as the tool names it "
                                                  "(case and spaces are ignored).")
    role: Literal["queue", "work", "done", "abandoned", "backlog"] = Field(
        description="queue or work in a stage; done, abandoned or backlog outside the flow.")
    stage: Optional[str] = Field(None, description="The stage, for queue and work.")

    @model_validator(mode="after")
    def _stage_for_flow_roles(self):
        if self.role in ("queue", "work") and not self.stage:
            raise ValueError(f"a {self.role} status needs the stage it belongs to")
        if self.role not in ("queue", "work") and self.stage:
            raise ValueError(f"a {self.role} status is outside the flow: it has no stage")
        return self


class StatusMapSpec(BaseModel):
    """The ``statuses.yaml`` format (``opsdx schema statuses`` prints it as JSON Schema)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stages: list[str] = Field(min_length=1, description="The stages in flow order.")
    statuses: list[StatusRule] = Field(min_length=1)


def _inconsistencies(spec: StatusMapSpec) -> list[tuple[tuple, str, str | None, str | None]]:
    """What the map's parts say against each other, each where it is: ``(YAML path, message,
    value, expected)`` for a repeated stage, a status mapped twice, an unknown stage."""
    import difflib

    found = []
    keys = [_key(s) for s in spec.stages]
    for i, stage in enumerate(spec.stages):
        if keys.index(keys[i]) < i:
            found.append((("stages", i), "stages repeat", stage, "each stage once"))
    seen: dict[str, str] = {}
    for i, rule in enumerate(spec.statuses):
        k = _key(rule.status)
        if k in seen:
            found.append((("statuses", i, "status"), f"status {rule.status!r} is mapped twice "
                          f"(also {seen[k]!r})", rule.status, "each status once (case and "
                                                              "spaces are ignored)"))
        seen.setdefault(k, rule.status)
        if rule.stage is not None and _key(rule.stage) not in keys:
            close = difflib.get_close_matches(rule.stage, spec.stages, n=1, cutoff=0.6)
            found.append((("statuses", i, "stage"), f"status {rule.status!r} names stage "
                          f"{rule.stage!r}, which is not among the stages",
                          rule.stage, (f"{close[0]!r}? " if close else "")
                          + f"one of {', '.join(spec.stages)}"))
    return found


def _key(text) -> str:
    return " ".join(str(text).split()).casefold()


class StatusMap:
    """A validated status map: look statuses up by their text (case and spaces ignored)."""

    def __init__(self, spec: StatusMapSpec, source: str = "<status map>"):
        wrong = _inconsistencies(spec)
        if wrong:
            raise DataError([Problem(source, message, column=path_text(loc), value=value,
                                     expected=expected, kind="yaml")
                             for loc, message, value, expected in wrong])
        self.spec, self.source = spec, source
        by_key = {_key(s): s for s in spec.stages}
        self.stages = list(spec.stages)
        self.table = pd.DataFrame(
            [{"key": _key(r.status), "status": r.status, "role": r.role,
              "stage": by_key[_key(r.stage)] if r.stage else None} for r in spec.statuses]
        ).set_index("key")

    @classmethod
    def from_dict(cls, data: dict, *, name: str = "<status map>") -> "StatusMap":
        log = ProblemLog(name, kind="yaml")
        import yaml

        spec = validate_model(StatusMapSpec, data, yaml.safe_dump(data, sort_keys=False), log)
        log.raise_if_any()
        return cls(spec, name)  # which says what its parts say against each other

    def __repr__(self) -> str:
        return (f"<StatusMap {self.source}: {len(self.table)} statuses over stages "
                f"{', '.join(self.stages)}>")


def load_status_map(path) -> StatusMap:
    """Read and validate a ``statuses.yaml`` (every problem with its line and YAML path)."""
    path = Path(path)
    label = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    if not path.is_file():
        raise DataError([Problem(label, f"no such file: {path}", expected="a status map")])
    text = read_yaml_text(path, label)
    log = ProblemLog(label, kind="yaml")
    data = parse_yaml(text, log, expected="stages and statuses")
    log.raise_if_any()  # unreadable YAML: nothing to validate
    spec = validate_model(StatusMapSpec, data, text, log)
    log.raise_if_any()
    lines = yaml_lines(text)
    for loc, message, value, expected in _inconsistencies(spec):
        log.add(message, row=line_of(lines, loc), column=path_text(loc), value=value,
                expected=expected)
    log.raise_if_any()
    return StatusMap(spec, label)


def status_map_schema() -> dict:
    """The JSON Schema of ``statuses.yaml``, for editors."""
    schema = StatusMapSpec.model_json_schema()
    schema["title"] = "opsdx status map"
    return schema


# --------------------------------------------------------------------------- reading

def _plain(name) -> str:
    """A column name as it is looked up: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_-]+", "_", str(name).strip().casefold())


def _columns(columns, given: dict, names: dict = COLUMN_NAMES) -> dict:
    """The column of each part of ``names``: the one given, else the first known name
    present (None when there is none)."""
    plain = {_plain(c): c for c in columns}
    found = {}
    for part, known in names.items():
        if given.get(part):
            found[part] = given[part] if given[part] in columns else None
            continue
        found[part] = next((plain[n] for n in known if n in plain), None)
    return found


#: Whitespace as ``str.split`` sees it, for pyarrow's regular expressions (RE2's ``\s`` is
#: ASCII only): text with any of it at either end, twice in a row, or other than a space
_SPACE = (r"\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
          r"\x{202f}\x{205f}\x{3000}")
_UNTIDY = rf"^[ {_SPACE}]|[ {_SPACE}]$|[ {_SPACE}][ {_SPACE}]|[{_SPACE}]"


def _tidy(column: pd.Series) -> pd.Series:
    """Text with spaces collapsed, as a categorical (in the order values first appear):
    tidied once per distinct value (exports repeat them), then compared, sorted and grouped
    by its codes."""
    text = column if pd.api.types.is_string_dtype(column) and not column.hasnans \
        else column.astype(str)
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    tidy = np.asarray(uniques, dtype=object)
    untidy = np.asarray(pc.match_substring_regex(pa.array(tidy, pa.string()), _UNTIDY), bool)
    if untidy.any():
        tidy[untidy] = pd.Index(tidy[untidy]).str.split().str.join(" ")
    merged, names = pd.factorize(tidy)  # "a  b" and "a b" are one value
    return pd.Series(pd.Categorical.from_codes(merged[codes], categories=names),
                     index=column.index)


def _history(source: Source, *, item=None, status=None, changed_at=None, assignee=None,
             date_format=None, name=None, sheet=0):
    """The status changes, checked: (frame of item, status, t, row[, assignee]), quality, label."""
    given = {"item": item, "status": status, "changed_at": changed_at, "assignee": assignee}
    times = []
    if date_format is None and not isinstance(source, pd.DataFrame) \
            and Path(source).suffix.lower() not in {".xlsx", ".xlsm"}:
        # the time column, parsed as the file is read (offsets included, with pyarrow)
        times = [_columns(read_header(source), given)["changed_at"] or ""]
    table = read_table(source, name=name, sheet=sheet, times=times)
    frame = table.frame
    cols = _columns(frame.columns, given)
    log = ProblemLog(table.name)
    for part in ("item", "status", "changed_at"):
        if cols[part] is None:
            log.add("required column is missing", row=table.header_row, column=part,
                    expected=f"a {part} column ({', '.join(COLUMN_NAMES[part][:4])}, ...); "
                             f"found: {', '.join(map(str, frame.columns))}")
    log.raise_if_any()
    when, aware = parse_moments(frame[cols["changed_at"]], date_format)
    zones = mixed_zones(when, aware)
    changes = pd.DataFrame({"item": _tidy(frame[cols["item"]]),
                            "status": _tidy(frame[cols["status"]]),
                            "t": when, "row": table.rows.to_numpy(),
                            "seq": np.arange(len(frame))})
    if cols["assignee"] is not None:
        changes["assignee"] = _tidy(frame[cols["assignee"]])
    no_time, no_item = changes["t"].isna().to_numpy(), changes["item"].eq("").to_numpy()
    bad = pd.Series(no_time | no_item | changes["status"].eq("").to_numpy(), index=changes.index)
    set_aside = bad.to_numpy()
    why_time, why_item = no_time[set_aside], no_item[set_aside]
    column = np.where(why_time, cols["changed_at"], np.where(why_item, cols["item"],
                                                             cols["status"]))
    value = np.where(why_time, _shown(frame.loc[set_aside, cols["changed_at"]]),
                     np.where(why_item, "", changes.loc[set_aside, "status"].astype(object)))
    quality = pd.DataFrame({"row": changes.loc[bad, "row"].to_numpy(),
                            "column": column, "value": value,
                            "problem": "status change without an item, a status or a readable "
                                       "timestamp"})
    zones = zones & ~bad
    if zones.any():
        quality = pd.concat([quality, pd.DataFrame({
            "row": changes.loc[zones, "row"].to_numpy(), "column": cols["changed_at"],
            "value": _shown(frame.loc[zones.to_numpy(), cols["changed_at"]]),
            "problem": MIXED_ZONES})], ignore_index=True)
    # the changes whose time is lost: a work status among them leaves its visit's start unknown
    lost = changes.loc[(no_time & ~no_item & changes["status"].ne("").to_numpy())
                       | zones.to_numpy(), ["item", "status"]]
    return changes[~(bad | zones)], quality, table.name, cols, lost


def read_status_history(source: Source, status_map: StatusMap | dict | str | Path, *,
                        item: str | None = None, status: str | None = None,
                        changed_at: str | None = None, assignee: str | None = None,
                        date_format: str | None = None, name: str | None = None,
                        sheet: str | int = 0) -> FlowData:
    """Stage visits from a status history (one row per status change) and a status map.

    Parameters
    ----------
    source : path or DataFrame
        CSV, XLSX or a DataFrame with an item, a status and a time column
        (found by name, see :data:`COLUMN_NAMES`, or named here), and
        optionally an assignee (who did the work: the owner of the visit).
        Times are ISO 8601 (any offset, kept in UTC) or Jira's own ``12/Mar/24
        3:15 PM``.
    status_map : StatusMap, mapping, or path of a ``statuses.yaml``
    date_format : str, optional
        A ``strftime`` format for times written otherwise (``%d/%m/%Y %H:%M``
        for day-first dates: which of 05/01 and 01/05 is meant, only the
        client can say).

    Returns
    -------
    FlowData
        Visits in the map's stage order (``started_at`` from the queue and
        work statuses), the rows set aside in ``quality`` and ``notes``
        (codes :data:`NOTE_CODES`) on unmapped statuses, backward moves and
        reopened items.

    Examples
    --------
    >>> smap = {"stages": ["Build", "Review"], "statuses": [
    ...     {"status": "In progress", "stage": "Build", "role": "work"},
    ...     {"status": "Ready for review", "stage": "Review", "role": "queue"},
    ...     {"status": "In review", "stage": "Review", "role": "work"},
    ...     {"status": "Done", "role": "done"}]}
    >>> log = pd.DataFrame({"item": ["A"] * 4,
    ...     "status": ["In progress", "Ready for review", "In review", "Done"],
    ...     "changed_at": ["2026-03-02 09:00", "2026-03-03 17:00", "2026-03-05 10:00",
    ...                    "2026-03-05 12:00"]})
    >>> read_status_history(log, smap).visits[["stage", "entered_at", "started_at", "exited_at"]]
        stage          entered_at          started_at           exited_at
    0   Build 2026-03-02 09:00:00 2026-03-02 09:00:00 2026-03-03 17:00:00
    1  Review 2026-03-03 17:00:00 2026-03-05 10:00:00 2026-03-05 12:00:00
    """
    smap = _as_map(status_map)
    changes, quality, label, cols, lost = _history(source, item=item, status=status,
                                                   changed_at=changed_at, assignee=assignee,
                                                   date_format=date_format, name=name,
                                                   sheet=sheet)
    # the map's verdict on each distinct status, then on every change through its code
    statuses = changes["status"].cat.categories
    keys = np.asarray(pd.Index(statuses).str.casefold(), dtype=object)
    rules = smap.table.reindex(keys)
    codes = changes["status"].cat.codes.to_numpy()
    known = pd.Series(rules["role"].notna().to_numpy()[codes], index=changes.index)
    notes = []
    if (~known).any():
        unmapped = (changes[~known].groupby("status", observed=True)
                    .agg(rows=("row", "size"), items=("item", "nunique"))
                    .sort_values("rows", ascending=False))
        quality = pd.concat([quality, pd.DataFrame({
            "row": changes.loc[~known, "row"].to_numpy(), "column": cols["status"],
            "value": changes.loc[~known, "status"].astype(object).to_numpy(),
            "problem": "status not in the status map (the item stays in its previous status)"})],
            ignore_index=True)
        listed = ", ".join(f"{r.status!r} ({r.rows} row{'s' if r.rows != 1 else ''}, "
                           f"{r.n_items} item{'s' if r.n_items != 1 else ''})"
                           for r in unmapped.head(10).reset_index()
                           .rename(columns={"items": "n_items"}).itertuples())
        notes.append(Note("flow", "unmapped_statuses",
                          f"{len(unmapped)} status{'es' if len(unmapped) != 1 else ''} not in "
                          f"the status map {smap.source} set aside: {listed}"
                          + (" and more" if len(unmapped) > 10 else "")))
    ch = _in_order(changes[known])
    kept = ch["status"].cat.codes.to_numpy()
    ch["role"] = pd.Categorical.from_codes(
        pd.Categorical(rules["role"], categories=list(ROLES)).codes[kept], categories=list(ROLES))
    stage_codes = pd.Categorical(rules["stage"], categories=smap.stages).codes
    ch["stage"] = pd.Categorical.from_codes(stage_codes[kept], categories=smap.stages)
    if ch.empty:
        raise nothing_usable(label, "status change", "rows with an item, a mapped status and "
                                                     "an ISO 8601 timestamp (or times in a "
                                                     "date_format given)", quality)
    same_item = ch["item"].eq(ch["item"].shift())
    in_flow = ch["role"].isin(["queue", "work"])
    continues = same_item & in_flow & in_flow.shift(fill_value=False) & \
        ch["stage"].eq(ch["stage"].shift())
    ch["visit"] = (in_flow & ~continues).cumsum().where(in_flow)
    # the time the item left: the next change of the same item (after the visit's last row)
    ch["next_t"] = ch["t"].shift(-1).where(ch["item"].eq(ch["item"].shift(-1)))
    flow_rows = ch[in_flow]
    g = flow_rows.groupby("visit", sort=False)
    last = flow_rows.drop_duplicates("visit", keep="last").set_index("visit")
    visits = pd.DataFrame({
        "item_id": g["item"].first(), "stage": g["stage"].first(),
        "entered_at": g["t"].min(),
        "started_at": flow_rows["t"].where(flow_rows["role"] == "work").groupby(
            flow_rows["visit"], sort=False).min(),
        "exited_at": last["next_t"], "source_row": g["row"].first()})
    # a visit with no work status started when it left (nothing to do in the stage), unless
    # a work status of its stage was among the item's changes whose time is lost
    unknown = pd.Series(False, index=visits.index)
    lost_work = lost[lost["status"].astype(object).str.casefold().map(smap.table["role"])
                     .eq("work").to_numpy()]
    if len(lost_work):
        pairs = set(zip(lost_work["item"].astype(object),
                        lost_work["status"].astype(object).str.casefold()
                        .map(smap.table["stage"])))
        keys = pd.Series(list(zip(visits["item_id"].astype(object),
                                  visits["stage"].astype(object))), index=visits.index)
        unknown = visits["started_at"].isna() & keys.isin(pairs)
    visits["started_at"] = visits["started_at"].fillna(visits["exited_at"].where(~unknown))
    if unknown.any():
        notes.append(Note("flow", "start_unknown",
                          f"{int(unknown.sum())} visit{'s' if unknown.sum() != 1 else ''} whose "
                          "work status was set aside (its time unreadable): the start of their "
                          "work is unknown, not taken as their exit"))
    if "assignee" in ch:
        # who worked on it: the assignee of its first work status, else of any status in it
        who = flow_rows["assignee"].where(flow_rows["assignee"] != "")
        worker = who.where(flow_rows["role"] == "work").groupby(flow_rows["visit"],
                                                                 sort=False).first()
        anyone = who.groupby(flow_rows["visit"], sort=False).first()
        visits["owner"] = worker.fillna(anyone).reindex(visits.index).fillna("")
    notes += _flow_notes(visits, ch, smap)
    order = ["item_id", "stage", "entered_at", "started_at", "exited_at"] + (
        ["owner"] if "owner" in visits else [])
    flow = flow_from_visits(visits, order, smap.stages, label, quality)
    flow.notes = notes + list(flow.notes)
    return flow


def _in_order(changes: pd.DataFrame) -> pd.DataFrame:
    """The changes by item (in the order items first appear), then time, then file order;
    an export already in that order (most are) is not sorted again."""
    item = changes["item"].cat.codes.to_numpy()
    t = changes["t"].to_numpy()
    step_item, step_t = np.diff(item), np.diff(t)
    if not ((step_item > 0) | ((step_item == 0) & (step_t >= np.timedelta64(0)))).all():
        changes = changes.iloc[np.lexsort((changes["seq"].to_numpy(), t, item))]
    return changes.reset_index(drop=True)


def _flow_notes(visits: pd.DataFrame, ch: pd.DataFrame, smap: StatusMap) -> list[Note]:
    """Backward moves (rework) per stage, and items reopened after done or abandoned."""
    notes = []
    rank = {s: k for k, s in enumerate(smap.stages)}
    pos = visits["stage"].astype(object).map(rank)
    back = visits["item_id"].eq(visits["item_id"].shift()) & (pos < pos.shift())
    if back.any():
        per = visits.loc[back, "stage"].astype(object).value_counts().reindex(smap.stages)
        per = per[per > 0].astype(int)
        notes.append(Note("flow", "backward_moves",
                          f"{int(back.sum())} move{'s' if back.sum() != 1 else ''} back to an "
                          "earlier stage, counted as rework (a new visit): "
                          + ", ".join(f"{s} {n}" for s, n in per.items())))
    closed = ch["role"].isin(["done", "abandoned"])
    reopened = closed.shift(fill_value=False) & ch["item"].eq(ch["item"].shift()) & ~closed
    if reopened.any():
        n = ch.loc[reopened, "item"].nunique()
        notes.append(Note("flow", "reopened",
                          f"{n} item{'s' if n != 1 else ''} reopened after done or abandoned: "
                          "each return is a new visit"))
    return notes


def _as_map(status_map) -> StatusMap:
    if isinstance(status_map, StatusMap):
        return status_map
    if isinstance(status_map, dict):
        return StatusMap.from_dict(status_map)
    if isinstance(status_map, (str, Path)):
        return load_status_map(status_map)
    raise OpsdxError(f"status_map must be a StatusMap, a mapping or a path, not "
                     f"{type(status_map).__name__}")


# --------------------------------------------------------------------------- discovery

def status_table(source: Source, **columns) -> pd.DataFrame:
    """The statuses of a history, most used first: ``changes``, ``items`` and the median
    ``hours`` an item stayed in each (until its next change; the last status of an item is
    left out, it has not ended)."""
    ch = _in_order(_history(source, **columns)[0])
    stay = (ch["t"].shift(-1) - ch["t"]).where(ch["item"].eq(ch["item"].shift(-1)))
    first_seen = ch.groupby("status", observed=True)["t"].min()
    table = (ch.assign(hours=stay / pd.Timedelta(hours=1)).groupby("status", observed=True)
             .agg(changes=("row", "size"), items=("item", "nunique"),
                  hours=("hours", "median")))
    table["first_seen"] = first_seen
    table.index = table.index.astype(object)  # ties in alphabetical order, not first seen
    return table.sort_values(["changes", "status"], ascending=[False, True]).reset_index()


_PAUSES = (r"\b(blocked|on hold|paused|impeded|parked|waiting (on|for) (the )?(customer|client|"
           r"user|reporter|requester|vendor|supplier|third party|external))\b")
_GUESSES = [("done", r"\b(done|closed|resolved|released|complete[d]?|shipped|merged)\b"),
            ("abandoned", r"(won'?t|cancel|reject|duplicate|invalid|obsolete|declined)"),
            ("backlog", r"\b(backlog|to ?do|open|new|icebox|triage)\b"),
            ("queue", r"\b(ready|selected|waiting|awaiting|queued?|pending|next|"
                      r"to (review|test|deploy))\b")]
_PREFIX = (r"(?i)^(ready (for|to)|selected for|waiting (for|on)|awaiting|queued for|pending|"
           r"to|in|on)\s+")
_BUILD = r"(?i)progress|doing|wip|development|develop|dev|build|implementation|coding"


def _stage_key(stage: str) -> str:
    """One key for the forms of a stage's name: "Deploying" and "Ready to deploy", "Staging"
    and "Ready for staging", "Release" and "Releasing"."""
    word = stage.casefold()
    return re.sub(r"e$", "", re.sub(r"ing$", "", word)) if len(word) > 5 else word


def suggest_status_map(table: pd.DataFrame, stages: Sequence[str] | None = None) -> str:
    """A first ``statuses.yaml`` to edit, from :func:`status_table`: roles guessed from the
    status names ("Ready for review" a queue of Review, "In review" its work), stages in the
    order statuses are first reached. Every guess needs a look."""
    import yaml

    rules, order, paused, names = [], [], [], {}
    for row in table.sort_values("first_seen").itertuples():
        name = str(row.status)
        if re.search(_PAUSES, name.casefold()):
            paused.append(name)  # left out: the item stays in the stage it was paused in
            continue
        role = next((r for r, pattern in _GUESSES if re.search(pattern, name.casefold())),
                    "work")
        rule = {"status": name, "role": role}
        if role in ("queue", "work"):
            stage = re.sub(_PREFIX, "", name).strip() or name
            if re.fullmatch(_BUILD, stage):
                stage = "Build"
            key = _stage_key(stage)
            # the stage is named by the shortest form of its name ("Deploy", not "Deploying")
            if key not in names or len(stage) < len(names[key]):
                names[key] = stage[:1].upper() + stage[1:]
            rule["stage"] = key
            if key not in order:
                order.append(key)
        rules.append(rule)
    for rule in rules:
        if "stage" in rule:
            rule["stage"] = names[rule["stage"]]
    order = [names[k] for k in order]
    head = ("# A first status map, guessed from the status names: check every role and stage.\n"
            "# roles: queue / work (in a stage), done, abandoned, backlog (outside the flow)\n")
    tail = "".join(f"# not mapped: {name!r} (a pause: while in it the item stays in its stage; "
                   "its rows are listed as set aside)\n" for name in paused)
    if not (stages or order):
        head += ("# No status reads as work in a stage: name the stages under stages: and give\n"
                 "# each status of the workflow its stage and role (queue or work) by hand.\n")
    return head + yaml.safe_dump({"stages": list(stages or order), "statuses": rules},
                                 sort_keys=False, allow_unicode=True, width=100) + tail
