"""Tracker exports as they come out of the tools: Jira's and GitHub's JSON, XES event logs.

Each reader turns an export into the status changes of
:func:`~opsdx.flow.read_status_history` (one row per change: item, status,
time, assignee) and from there, through the client's status map, into stage
visits. What it cannot use is set aside and named by **where it is in the
export**: the file (for a folder of pages) and the JSON path,
``page-2.json:$.issues[3].changelog.histories[1].items[0]``; in an XES log,
the line of the ``<event>``.

Jira
    The REST API's issues with their changelog (``/rest/api/3/search?
    expand=changelog`` or ``/rest/api/2/...``; one response, a list of issues,
    a single issue, or a folder of page files). Each change of the ``status``
    field is a row; an issue's first status is the ``fromString`` of its first
    change, at its ``created`` time (or its current status when it never
    changed). The assignee of a change is the issue's assignee at that moment,
    followed through the changelog's ``assignee`` changes. An issue found in
    two pages is one issue (its histories merged by id), so extra pages of a
    long changelog can be saved as ``{"key": ..., "changelog": {"values":
    [...]}}`` beside the search pages; a changelog shorter than its ``total``,
    or fewer issues than the search's ``total``, is noted.
GitHub
    The repository's issue events (``/repos/{owner}/{repo}/issues/events``:
    each event names its issue), an issue's timeline (``/issues/{n}/timeline``:
    a list whose file is named by the issue number, ``123.json``, or wrapped as
    ``{"number": 123, "created_at": ..., "timeline": [...]}``), or a GraphQL
    export of timeline items. The statuses are: ``open`` from the issue's
    creation and a ``reopened`` event, ``closed``, a project board's column
    (classic projects' ``added_to_project`` / ``moved_columns_in_project``
    with ``project_card.column_name``, and Projects' GraphQL
    ``ProjectV2ItemStatusChangedEvent``), and a label that the status map
    names (other labels are not statuses: they are counted in a note).
    ``assigned`` / ``unassigned`` events give the assignee. An event seen
    twice (overlapping pages) counts once.
XES
    The IEEE 1849 event-log format, read as a stream (``.xes`` or
    ``.xes.gz``): ``concept:name`` of the trace is the case, of the event the
    activity; ``time:timestamp``, ``lifecycle:transition`` and
    ``org:resource`` as :func:`~opsdx.flow.from_event_log` reads them (start
    and complete paired per activity instance). No status map is needed.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any, Iterable, Sequence
from xml.parsers import expat

import numpy as np
import pandas as pd

from ..errors import DataError, OpsdxError, Problem
from ..notes import Note
from ..tables import parse_timestamps
from .workitems import FlowData, from_event_log

__all__ = ["read_jira", "read_github", "read_xes", "read_tracker", "jira_changes",
           "github_changes", "tracker_changes", "NOTE_CODES"]

#: The codes of the notes these readers add to a FlowData's notes.
NOTE_CODES = ("changelog_truncated", "changelog_missing", "issues_missing", "duplicates_merged",
              "labels_ignored")

_CHANGE_COLUMNS = ["item", "status", "changed_at", "assignee", "kind"]


# --------------------------------------------------------------------------- documents

def _natural(name: str):
    return [int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", name)]


def _documents(source, label: str) -> list[tuple[str, Any, str]]:
    """(prefix of each JSON path, parsed document, file name) of a path, a folder of pages,
    or parsed JSON."""
    if isinstance(source, (dict, list)):
        return [("", source, "")]
    if not isinstance(source, (str, Path)):
        raise OpsdxError(f"cannot read a tracker export from a {type(source).__name__}: give "
                         "a JSON file, a folder of JSON pages, or the parsed JSON")
    path = Path(source)
    if path.is_dir():
        files = sorted((p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".json"),
                       key=lambda p: _natural(p.name))
        if not files:
            raise DataError([Problem(label, f"no .json files in the folder {path}",
                                     expected="the pages of a Jira or GitHub export")])
        prefix = True
    elif path.is_file():
        files, prefix = [path], False
    else:
        raise DataError([Problem(label, "file not found")])
    docs, problems = [], []
    for file in files:
        where = f"{label}/{file.name}" if prefix else label
        try:
            with file.open("rb") as fh:
                raw = fh.read()
            if not raw.strip():
                problems.append(Problem(where, "the file is empty (a download that failed?)",
                                        expected="the API's JSON response saved as it came"))
                continue
            doc = json.loads(raw)
        except json.JSONDecodeError as exc:
            cut = exc.pos >= len(raw.rstrip()) - 1
            problems.append(Problem(where, f"not valid JSON at line {exc.lineno}, character "
                                           f"{exc.colno}: {exc.msg}"
                                           + (" (the file ends there: cut short?)" if cut
                                              else ""),
                                    expected="the API's JSON response saved as it came"))
            continue
        except UnicodeDecodeError:
            problems.append(Problem(where, "not UTF-8 text", expected="JSON as the API returns it"))
            continue
        refusal = _api_error(doc)
        if refusal:
            problems.append(Problem(where, f"the API answered with an error, not data: {refusal}",
                                    expected="a response of the export's request that "
                                             "succeeded"))
            continue
        docs.append((f"{file.name}:" if prefix else "", doc, file.name))
    if problems:
        raise DataError(problems)
    return docs


def _api_error(doc) -> str:
    """The message of an error response saved in place of data (Jira's ``errorMessages``,
    GitHub's ``message`` with its ``documentation_url``), or ""."""
    if not isinstance(doc, dict) or "issues" in doc:
        return ""
    if isinstance(doc.get("errorMessages"), list) and doc["errorMessages"]:
        return "; ".join(map(str, doc["errorMessages"]))[:300]
    if isinstance(doc.get("message"), str) and "documentation_url" in doc:
        return doc["message"][:300]
    return ""


def _name(obj, *keys) -> str:
    """The first of ``keys`` that holds text in a JSON object (a user: a name or a login)."""
    if not isinstance(obj, dict):
        return "" if obj is None else str(obj)
    for k in keys:
        v = obj.get(k)
        if isinstance(v, str) and v.strip():
            return v
    return ""


def _assignees(changes: pd.DataFrame, handovers: pd.DataFrame) -> np.ndarray:
    """The assignee at each change: the item's last handover (``item, changed_at, who,
    tick``) before it, or made together with it (the same ``tick``); "" for none."""
    if handovers.empty:
        return np.full(len(changes), "", dtype=object)
    both = pd.concat([handovers.assign(pos=-1, sub=0),
                      pd.DataFrame({"item": changes["item"].to_numpy(),
                                    "changed_at": changes["changed_at"].to_numpy(),
                                    "who": None, "tick": changes["tick"].to_numpy(),
                                    "pos": np.arange(len(changes)), "sub": 1})],
                     ignore_index=True)
    both["t"] = parse_timestamps(both["changed_at"].fillna("").astype(str))[0]
    both = both.sort_values(["item", "t", "tick", "sub"], kind="stable")
    filled = both.groupby("item", sort=False)["who"].ffill()
    status = both["pos"].to_numpy() >= 0
    who = np.full(len(changes), "", dtype=object)
    values = filled.to_numpy()[status]
    who[both["pos"].to_numpy()[status]] = np.where(pd.isna(values), "", values)
    return who


def _first_from(changes: pd.DataFrame, start: pd.DataFrame, column: str) -> pd.Series:
    """Per item of ``start``, the ``from`` of its earliest change, else ``start[column]``."""
    t = parse_timestamps(changes["changed_at"].astype(str))[0]
    earliest = (changes.assign(t=t).dropna(subset=["t"]).sort_values(["t", "tick"],
                                                                     kind="stable")
                .drop_duplicates("item").set_index("item")["from"])
    began = start["item"].map(earliest).astype(object)
    return began.where(began.notna(), start[column])


# --------------------------------------------------------------------------- Jira

_ISSUE_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_]*-\d+)")


def _jira_issues(docs) -> Iterable[tuple[str, dict, dict | None]]:
    """(JSON path, issue, its search page) of every issue in the documents.

    A page of ``/rest/api/3/issue/KEY/changelog`` saved as it came (``values``, no key) is
    the changelog of the issue its ``self`` address or its file name names
    (``OPS-12-changelog.json``).
    """
    for prefix, doc, file in docs:
        if isinstance(doc, dict) and isinstance(doc.get("values"), list) and \
                "issues" not in doc and "key" not in doc:
            named = re.search(r"/issue/([^/?#]+)/changelog", str(doc.get("self") or ""))
            stem = _ISSUE_KEY.match(Path(file).stem) if file else None
            key = named.group(1) if named else (stem.group(1) if stem else "")
            if not key:
                raise DataError([Problem(prefix.rstrip(":") or "<JSON>", "a changelog page "
                                         "without its issue",
                                         expected="the response of /rest/api/3/issue/KEY/"
                                                  "changelog with its 'self' address, or saved "
                                                  "as KEY-changelog.json")])
            yield f"{prefix}$", {"key": key, "_changelog_only": True, "changelog": {
                "values": doc["values"], "total": doc.get("total")}}, None
        elif isinstance(doc, dict) and isinstance(doc.get("issues"), list):
            for i, issue in enumerate(doc["issues"]):
                yield f"{prefix}$.issues[{i}]", issue, doc
        elif isinstance(doc, list):
            for i, issue in enumerate(doc):
                yield f"{prefix}$[{i}]", issue, None
        elif isinstance(doc, dict) and ("changelog" in doc or "fields" in doc):
            yield f"{prefix}$", doc, None
        else:
            raise DataError([Problem(prefix.rstrip(":") or "<JSON>", "not a Jira export",
                                     expected="the issues of /rest/api/3/search with "
                                              "expand=changelog (an object with 'issues'), a "
                                              "list of issues, or one issue")])


def jira_changes(source, *, name: str | None = None) -> tuple[pd.DataFrame, list[Note], str]:
    """The status changes of a Jira export: (frame, notes, label).

    The frame has ``item, status, changed_at, assignee, kind`` and is indexed
    by each change's JSON path (what :func:`read_status_history` names a row
    by). See the module's text for what is read.
    """
    label = name or (Path(source).name if isinstance(source, (str, Path)) else "<Jira JSON>")
    docs = _documents(source, label)
    merged: dict[str, dict] = {}  # key: {path, fields, histories by id, total}
    order, duplicates, expected_total = [], 0, 0
    last_page: dict[int, bool] = {}  # /search/jql pages say isLast instead of a total
    found = list(_jira_issues(docs))
    # a changelog page may name its issue by id (its self address): find the key
    ids = {str(i.get("id")): str(i.get("key")) for _, i, _ in found
           if isinstance(i, dict) and i.get("id") and i.get("key") and
           not i.get("_changelog_only")}
    pages_of = {ids.get(str(i["key"]), str(i["key"])) for _, i, _ in found
                if isinstance(i, dict) and i.get("_changelog_only")}
    unlogged = [str(i.get("key") or i.get("id") or p) for p, i, _ in found
                if isinstance(i, dict) and i.get("fields") and "changelog" not in i
                and str(i.get("key")) not in pages_of]
    if found and len(unlogged) == sum(1 for _, i, _ in found
                                      if isinstance(i, dict) and i.get("fields")):
        raise DataError([Problem(label, "the export has no changelog: only each issue's "
                                        "status now, not when it changed",
                                 expected="the search run with expand=changelog")])
    for path, issue, page in found:
        if isinstance(issue, dict) and issue.get("_changelog_only"):
            issue = {**issue, "key": ids.get(issue["key"], issue["key"])}
        if page is not None and isinstance(page.get("total"), int):
            expected_total = max(expected_total, page["total"])
        if page is not None and isinstance(page.get("isLast"), bool):
            last_page[id(page)] = page["isLast"]
        if not isinstance(issue, dict):
            raise DataError([Problem(label, "an issue is not a JSON object", row=path,
                                     expected="issues as Jira returns them")])
        key = str(issue.get("key") or issue.get("id") or "").strip()
        log = issue.get("changelog") or {}
        histories = log.get("histories", log.get("values", [])) if isinstance(log, dict) else []
        entry = merged.get(key) if key else None
        if entry is None:
            entry = {"path": path, "fields": issue.get("fields") or {}, "histories": {},
                     "total": 0}
            merged[key or f"\x00{path}"] = entry
            order.append(key or f"\x00{path}")
        else:  # a page seen twice, or more of a long changelog saved beside the pages
            duplicates += bool(issue.get("fields") and entry["fields"])
            entry["fields"] = entry["fields"] or issue.get("fields") or {}
        if isinstance(log, dict) and isinstance(log.get("total"), int):
            entry["total"] = max(entry["total"], log["total"])
        for j, h in enumerate(histories if isinstance(histories, list) else []):
            hid = str(h.get("id", f"{path}#{j}")) if isinstance(h, dict) else f"{path}#{j}"
            entry["histories"].setdefault(hid, (f"{path}.changelog.histories[{j}]", h))

    # each change with the ordinal of its history: changes made together share it
    changes, where, assigned, truncated, first, tick = [], [], [], [], {}, 0
    for key in order:
        entry = merged[key]
        item = "" if key.startswith("\x00") else key
        fields = entry["fields"] if isinstance(entry["fields"], dict) else {}
        kind = _name(fields.get("issuetype"), "name")
        if entry["total"] > len(entry["histories"]):
            truncated.append(item)
        for hpath, h in entry["histories"].values():
            if not isinstance(h, dict):
                continue
            at, tick = str(h.get("created") or ""), tick + 1
            for k, change in enumerate(h.get("items") or []):
                if not isinstance(change, dict):
                    continue
                field = str(change.get("fieldId") or change.get("field") or "").casefold()
                if field == "status":
                    changes.append((item, str(change.get("toString") or ""), at,
                                    str(change.get("fromString") or ""), kind, tick))
                    where.append(f"{hpath}.items[{k}]")
                elif field == "assignee":
                    assigned.append((item, at, change.get("toString") or "",
                                     change.get("fromString") or "", tick))
        first[item] = (str(fields.get("created") or ""), _name(fields.get("status"), "name"),
                       kind, _name(fields.get("assignee"), "displayName", "name",
                                   "emailAddress", "accountId"),
                       f"{entry['path']}.fields.created")
    moves = pd.DataFrame(changes, columns=["item", "status", "changed_at", "from", "type",
                                           "tick"])
    handovers = pd.DataFrame(assigned, columns=["item", "changed_at", "who", "from", "tick"])
    start = pd.DataFrame([(i, c, s, k, a, 0) for i, (c, s, k, a, _) in first.items()],
                         columns=["item", "changed_at", "status", "type", "who", "tick"])
    # an issue's first status and assignee: the "from" of its earliest change of each, else
    # what it has now
    start["status"] = _first_from(moves, start, "status")
    start["who"] = _first_from(handovers, start, "who")
    frame = pd.concat([start.drop(columns="who"), moves.drop(columns="from")],
                      ignore_index=True)
    frame.index = pd.Index([p for *_, p in first.values()] + where, dtype=object)
    frame["kind"] = "status"
    frame["assignee"] = _assignees(frame, pd.concat([start[["item", "changed_at", "who",
                                                            "tick"]],
                                                     handovers.drop(columns="from")]))
    frame = frame.drop(columns="tick")

    notes = []
    if truncated:
        notes.append(Note("flow", "changelog_truncated",
                          f"{len(truncated)} issue{'s' if len(truncated) != 1 else ''} with a "
                          f"changelog shorter than its total ({', '.join(truncated[:5])}"
                          f"{', ...' if len(truncated) > 5 else ''}): fetch the rest from "
                          "/rest/api/3/issue/KEY/changelog and save it beside the pages as "
                          "{\"key\": KEY, \"changelog\": {\"values\": [...]}}"))
    found = len(order)
    if expected_total > found:
        notes.append(Note("flow", "issues_missing",
                          f"the export says {expected_total} issues and {found} are here: a page "
                          "of the search is missing"))
    if unlogged:
        notes.append(Note("flow", "changelog_missing",
                          f"{len(unlogged)} issue{'s' if len(unlogged) != 1 else ''} without a "
                          f"changelog ({', '.join(unlogged[:5])}"
                          f"{', ...' if len(unlogged) > 5 else ''}): saved without "
                          "expand=changelog, only their creation and their status now are "
                          "known"))
    if last_page and not any(last_page.values()):
        notes.append(Note("flow", "issues_missing",
                          "no page of the search says it is the last (isLast): the pages after "
                          "the last one saved are missing (fetch them with its nextPageToken)"))
    if duplicates:
        notes.append(Note("flow", "duplicates_merged",
                          f"{duplicates} issue{'s' if duplicates != 1 else ''} found in more than "
                          "one page: each counted once, its histories merged by id"))
    return frame, notes, label


# --------------------------------------------------------------------------- GitHub

_PROJECT_EVENTS = {"added_to_project", "moved_columns_in_project", "converted_note_to_issue"}


def _github_events(docs, label) -> Iterable[tuple[str, dict, dict | None, str]]:
    """(JSON path, event, the issue it belongs to or None, issue label from the context)."""
    for prefix, doc, file in docs:
        stem = re.fullmatch(r"(?i)(?:issues?[-_ ]?)?#?(\d+)(?:[-_ ]timeline)?", Path(file).stem)
        stem = [stem.group(1)] if stem else []
        if isinstance(doc, dict) and isinstance(doc.get("timeline"), list):
            items = [(f"{prefix}$", doc)]
        elif isinstance(doc, list) and doc and all(isinstance(d, dict) and "timeline" in d
                                                   for d in doc):
            items = [(f"{prefix}$[{i}]", d) for i, d in enumerate(doc)]
        elif isinstance(doc, list):
            context = f"#{stem[-1]}" if stem else ""
            for i, e in enumerate(doc):
                yield f"{prefix}$[{i}]", e, None, context
            continue
        else:
            raise DataError([Problem(prefix.rstrip(":") or label, "not a GitHub export",
                                     expected="a list of issue events or timeline events, or "
                                              "{number, created_at, timeline}")])
        for path, wrapper in items:
            number = wrapper.get("number") or (wrapper.get("issue") or {}).get("number")
            context = f"#{number}" if number is not None else (f"#{stem[-1]}" if stem else "")
            created = wrapper.get("created_at") or wrapper.get("createdAt")
            if created:
                yield f"{path}.created_at", {"event": "opened", "created_at": created}, None, \
                    context
            for i, e in enumerate(wrapper["timeline"]):
                yield f"{path}.timeline[{i}]", e, None, context


def _issue_label(issue: dict) -> str:
    repo = str(issue.get("repository_url") or "").rstrip("/").rsplit("/", 1)[-1]
    number = issue.get("number")
    if number is None:
        return ""
    return f"{repo}#{number}" if repo else f"#{number}"


def github_changes(source, *, name: str | None = None) -> tuple[pd.DataFrame, list[Note], str]:
    """The status changes of a GitHub export: (frame, notes, label).

    As :func:`jira_changes`; ``kind`` is ``"label"`` for a labelling (a
    status only when the status map names the label) and ``"status"`` for
    the others.
    """
    label = name or (Path(source).name if isinstance(source, (str, Path)) else "<GitHub JSON>")
    docs = _documents(source, label)
    rows, where, assigned, seen, opened = [], [], [], set(), set()
    repeated = 0
    for tick, (path, e, _, context) in enumerate(_github_events(docs, label), start=1):
        if not isinstance(e, dict):
            continue
        eid = e.get("id") or e.get("node_id")
        if eid is not None:
            if eid in seen:
                repeated += 1
                continue
            seen.add(eid)
        issue = e.get("issue") if isinstance(e.get("issue"), dict) else None
        item = _issue_label(issue) if issue else context
        if issue and item and item not in opened and issue.get("created_at"):
            opened.add(item)
            rows.append((item, "open", str(issue["created_at"]), None, "status", 0))
            where.append(f"{path}.issue.created_at")
        kind = str(e.get("event") or e.get("__typename") or "")
        at = str(e.get("created_at") or e.get("createdAt") or "")
        status, what = None, "status"
        if kind == "opened":
            if item in opened:
                continue
            opened.add(item)
            status = "open"
        elif kind in ("closed", "ClosedEvent"):
            status = "closed"
        elif kind in ("reopened", "ReopenedEvent"):
            status = "open"
        elif kind in ("labeled", "LabeledEvent"):
            status, what = _name(e.get("label"), "name"), "label"
        elif kind in _PROJECT_EVENTS or kind in ("MovedColumnsInProjectEvent",
                                                 "AddedToProjectEvent"):
            card = e.get("project_card") or {}
            status = card.get("column_name") or e.get("projectColumnName") or ""
        elif kind == "ProjectV2ItemStatusChangedEvent" or kind == "project_v2_item_status_changed":
            status = e.get("status")
            status = _name(status, "name") if isinstance(status, dict) else (status or "")
        elif kind in ("assigned", "AssignedEvent"):
            assigned.append((item, at, _name(e.get("assignee"), "login", "name"), tick))
            continue
        elif kind in ("unassigned", "UnassignedEvent"):
            assigned.append((item, at, "", tick))
            continue
        else:
            continue  # comments, references, commits: not a status
        rows.append((item, str(status or ""), at, None, what, tick))
        where.append(path)
    frame = pd.DataFrame(rows, columns=_CHANGE_COLUMNS + ["tick"], dtype=object)
    frame.index = pd.Index(where, dtype=object)
    frame["assignee"] = _assignees(frame, pd.DataFrame(assigned, columns=["item", "changed_at",
                                                                          "who", "tick"]))
    frame = frame.drop(columns="tick")
    notes = []
    if repeated:
        notes.append(Note("flow", "duplicates_merged",
                          f"{repeated} event{'s' if repeated != 1 else ''} found twice "
                          "(overlapping pages): each counted once"))
    return frame, notes, label


# --------------------------------------------------------------------------- readers

def _with_notes(flow: FlowData, notes: list[Note]) -> FlowData:
    flow.notes = notes + list(flow.notes)
    return flow


def read_jira(source, status_map, *, name: str | None = None) -> FlowData:
    """Stage visits from a Jira export with its changelog, through a status map.

    Parameters
    ----------
    source : path of a JSON file or of a folder of page files, or the parsed JSON
    status_map : StatusMap, mapping, or path of a ``statuses.yaml``

    Returns
    -------
    FlowData
        As :func:`~opsdx.flow.read_status_history` gives it; rows are named by
        JSON path; notes on truncated changelogs, missing pages and issues
        found twice (codes :data:`NOTE_CODES`).
    """
    from .statuses import read_status_history

    _expect(source, "jira")
    frame, notes, label = jira_changes(source, name=name)
    return _with_notes(read_status_history(frame.drop(columns="kind"), status_map, name=label),
                       notes)


def read_github(source, status_map, *, name: str | None = None) -> FlowData:
    """Stage visits from GitHub issue events or timelines, through a status map.

    Labels are statuses only when the map names them; the others are counted
    in a note (``labels_ignored``). See :func:`read_jira` for the rest.
    """
    from .statuses import _as_map, _key, read_status_history

    smap = _as_map(status_map)
    _expect(source, "github")
    frame, notes, label = github_changes(source, name=name)
    labels = frame["kind"].eq("label")
    mapped = frame["status"].map(_key).isin(smap.table.index)
    ignored = frame[labels & ~mapped]
    if len(ignored):
        counts = ignored["status"].value_counts()
        notes.append(Note("flow", "labels_ignored",
                          f"{len(counts)} label{'s' if len(counts) != 1 else ''} not in the "
                          "status map, taken as not statuses: "
                          + ", ".join(f"{s!r} ({n})" for s, n in counts.head(10).items())
                          + (" and more" if len(counts) > 10 else "")))
    frame = frame[~(labels & ~mapped)].drop(columns="kind")
    if frame.empty:
        raise DataError([Problem(label, "no status change in the export",
                                 expected="issue events or timelines with opened, closed, "
                                          "project column or status-label events")])
    return _with_notes(read_status_history(frame, smap, name=label), notes)


def _expect(source, kind: str) -> None:
    """Refuse an export of another tool at once, instead of listing its fields as problems."""
    readers = {"jira": "read_jira", "github": "read_github", "xes": "read_xes",
               "table": "read_status_history"}
    try:
        found = tracker_kind(source)
    except DataError:
        return  # the reader names what is wrong with the file
    if found != kind:
        what = {"table": "a CSV or XLSX table", "xes": "an XES event log"}.get(
            found, f"a {found.capitalize() if found != 'github' else 'GitHub'} export")
        raise OpsdxError(f"{Path(source).name if isinstance(source, (str, Path)) else 'this'} "
                         f"looks like {what}: read it with opsdx.{readers[found]} (or "
                         "opsdx.read_tracker, which tells the exports apart)")


def tracker_kind(source) -> str:
    """``"jira"``, ``"github"``, ``"xes"`` or ``"table"`` (a CSV/XLSX status history)."""
    if isinstance(source, pd.DataFrame):
        return "table"
    if isinstance(source, dict):
        return "jira" if ("issues" in source or "changelog" in source or "fields" in source
                          or isinstance(source.get("values"), list)) else "github"
    if isinstance(source, list):
        first = next((d for d in source if isinstance(d, dict)), {})
        return "jira" if ("changelog" in first or "fields" in first) else "github"
    path = Path(source)
    suffixes = "".join(path.suffixes[-2:]).lower()
    if suffixes.endswith(".xes") or suffixes.endswith(".xes.gz"):
        return "xes"
    if path.is_dir() or path.suffix.lower() == ".json":
        docs = _documents(path, path.name)
        return tracker_kind(docs[0][1])
    return "table"


def tracker_changes(source) -> tuple[pd.DataFrame, list[Note], str]:
    """The status changes of a Jira or GitHub JSON export (see :func:`jira_changes`)."""
    kind = tracker_kind(source)
    if kind == "jira":
        return jira_changes(source)
    if kind == "github":
        return github_changes(source)
    raise OpsdxError(f"not a Jira or GitHub JSON export (a {kind}): "
                     + ("an XES log has activities, not statuses" if kind == "xes" else
                        "a CSV or XLSX status history is read as it is"))


def read_tracker(source, status_map=None, *, name: str | None = None,
                 stages: Sequence[str] | None = None, **options) -> FlowData:
    """Stage visits from any export: a Jira or GitHub JSON (file or folder of pages), a
    CSV/XLSX status history or time-in-status report (these four through ``status_map``),
    or an XES log.

    ``options`` go to the reader of a table: the column names of
    :func:`~opsdx.flow.read_status_history`, or ``unit``, ``day_hours``,
    ``shape`` and ``date_format`` of :func:`~opsdx.flow.read_time_in_status`.
    """
    if isinstance(source, (str, Path)) and (Path(source) / "client.yaml").is_file():
        raise OpsdxError(f"{Path(source).name} is a client folder: its flow is "
                         "opsdx.load_client(path).work_items()")
    kind = tracker_kind(source)
    if kind == "xes":
        return read_xes(source, stages=stages, name=name)
    if status_map is None:
        raise OpsdxError("a status history needs a status map (statuses.yaml): "
                         "`opsdx statuses EXPORT --suggest` writes a first one")
    if kind == "jira":
        return read_jira(source, status_map, name=name)
    if kind == "github":
        return read_github(source, status_map, name=name)
    from .statuses import read_status_history
    from .timeinstatus import TIME_IN_STATUS_OPTIONS, looks_like_time_in_status, \
        read_time_in_status

    report = {k: options.pop(k) for k in TIME_IN_STATUS_OPTIONS if k in options}
    if looks_like_time_in_status(source, status_map, name=name):
        return read_time_in_status(source, status_map, name=name, **report, **options)
    report = {k: v for k, v in report.items() if v is not None}
    if report:
        raise OpsdxError(f"{', '.join(report)}: options of a time-in-status report, and "
                         f"{name or source} is a status history (one row per change)")
    return read_status_history(source, status_map, name=name, **options)


# --------------------------------------------------------------------------- XES

_XES_KEYS = {"concept:name": "activity", "time:timestamp": "timestamp",
             "lifecycle:transition": "lifecycle", "org:resource": "resource",
             "start_timestamp": "start"}  # an interval log's (pm4py writes it so)


#: The columns of the events frame, named as pm4py names them (from_event_log reads these)
_XES_COLUMNS = {"case": "case:concept:name", "activity": "concept:name",
                "timestamp": "time:timestamp", "lifecycle": "lifecycle:transition",
                "resource": "org:resource", "start": "start_timestamp"}


def _xes_frame(fh, label: str) -> pd.DataFrame:
    """One row per event (indexed by the line of its ``<event>``), read as a stream."""
    parser = expat.ParserCreate()
    cols = {"line": [], "case": [], "activity": [], "timestamp": [], "lifecycle": [],
            "resource": [], "start": []}
    stack: list[str] = []
    trace: dict = {}
    events: list[dict] = []
    event: dict | None = None

    def start(tag, attrs):
        nonlocal event, trace, events
        parent = stack[-1] if stack else None
        stack.append(tag)
        if tag == "trace" and parent == "log":
            trace, events = {}, []
        elif tag == "event" and parent == "trace":
            event = {"line": parser.CurrentLineNumber}
        elif parent == "event" and event is not None and len(stack) == 4:
            key = attrs.get("key")
            if key in _XES_KEYS:
                event[_XES_KEYS[key]] = attrs.get("value", "")
        elif parent == "trace" and attrs.get("key") == "concept:name" and len(stack) == 3:
            trace["case"] = attrs.get("value", "")

    def end(tag):
        nonlocal event
        stack.pop()
        if tag == "event" and event is not None and len(stack) == 2:
            events.append(event)
            event = None
        elif tag == "trace" and len(stack) == 1:
            case = trace.get("case", "")
            for e in events:
                cols["line"].append(e["line"])
                cols["case"].append(case)
                for k in ("activity", "timestamp", "lifecycle", "resource", "start"):
                    cols[k].append(e.get(k, ""))
            events.clear()

    def no_entities(*_):
        raise DataError([Problem(label, "the XML declares entities, which opsdx does not "
                                        "expand", expected="an XES log as tools write it")])

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.EntityDeclHandler = no_entities
    try:
        parser.ParseFile(fh)
    except expat.ExpatError as exc:
        raise DataError([Problem(label, f"not well-formed XML: {expat.errors.messages[exc.code]}",
                                 row=exc.lineno, column=f"character {exc.offset + 1}",
                                 expected="an XES event log")]) from None
    except (OSError, EOFError) as exc:  # a truncated or corrupt .gz
        raise DataError([Problem(label, f"cannot read the file: {exc}",
                                 expected="an XES log, or one compressed with gzip")]) from None
    if not cols["line"]:
        raise DataError([Problem(label, "no events in traces",
                                 expected="<log><trace><event>...</event></trace></log>")])
    frame = pd.DataFrame({_XES_COLUMNS[k]: v for k, v in cols.items() if k != "line"},
                         dtype=object)
    frame.index = pd.Index(cols["line"], name="line")
    return frame


def read_xes(source, *, stages: Sequence[str] | None = None, name: str | None = None) -> FlowData:
    """Stage visits from an XES event log (``.xes`` or ``.xes.gz``), read as a stream.

    Rows set aside are named by the line of their ``<event>`` element. The
    events go through :func:`~opsdx.flow.from_event_log`: with lifecycle
    ``start`` and ``complete`` each activity instance is a visit with its
    start; other transitions (``schedule``, ``suspend``, ...) are set aside
    and listed. An interval log's ``start_timestamp`` gives each event its start.
    """
    path = Path(source)
    label = name or path.name
    if not path.is_file():
        raise DataError([Problem(label, "file not found")])
    with path.open("rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    with opener(path, "rb") as fh:
        frame = _xes_frame(fh, label)
    for optional in ("lifecycle:transition", "org:resource", "start_timestamp"):
        if not frame[optional].ne("").any():
            frame = frame.drop(columns=optional)
    return from_event_log(frame, stages=stages, name=label)
