"""A client's assessments over time: snapshots, what changed between two, the trend.

Every successful batch run keeps a **snapshot** of the client's results:
``<out>/<client>/history/<assessment_date>.json``, holding the run's
``results.json``, the assessment date and a hash of the inputs. A later run
with another assessment date adds a file; a run with the same date (the same
assessment, corrected) replaces its own. Execution systems that nobody
maintains decay within about ninety days (DOMAIN.md, "90-day decay"), so a
client is assessed again every quarter, and the question then is what changed.

:func:`compare` answers it for two assessments (results, snapshots, their
files, or a :class:`~opsdx.workbook.Diagnosis`): a :class:`Comparison` on
the result protocol (:mod:`opsdx.results`), whose maturity change says
whether it exceeds the uncertainty of either assessment.

Examples
--------
>>> before = {"headline": {"assessment_date": "2026-10-12", "stage": 1, "maturity_index": 1.84,
...                        "constraint": "Founder approval"},
...           "maturity": {"index_ci": [1.70, 1.95]}}
>>> after = {"headline": {"assessment_date": "2027-01-18", "stage": 2, "maturity_index": 2.31,
...                       "constraint": "Quote"},
...          "maturity": {"index_ci": [2.20, 2.41]}}
>>> c = compare(before, after)
>>> c.headline()["index_change"], c.headline()["index_change_beyond_uncertainty"]
(0.47, True)
>>> print(c.statement("constraint"))
The constraint moved from Founder approval to Quote: the fifth focusing step, start again from the first (identify the new constraint, exploit it, subordinate the rest to it).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Optional, Sequence

import numpy as np
import pandas as pd

from .errors import DataError, OpsdxError, Problem
from .notes import Note
from .output import json_safe, write_text
from .results import Result

__all__ = ["Snapshot", "snapshot", "write_snapshot", "read_snapshot", "read_history",
           "Comparison", "compare", "trend_table", "REASSESS_AFTER_DAYS", "NOTE_CODES"]

#: Days after an assessment that the next one is due, unless client.yaml says otherwise
REASSESS_AFTER_DAYS = 90

#: The codes of a comparison's notes
NOTE_CODES = {
    "order": "the 'before' assessment is not dated before the 'after' one",
    "part_missing": "an analysis ran in one assessment only: not compared",
    "questionnaire_changed": "the questionnaires differ: only the items in both are compared",
}

#: The findings of a comparison, in the order its sentences give them
FINDINGS = ("stage", "items", "constraint", "decisions", "planning")

#: The format of a snapshot file (a later format keeps reading this one)
FORMAT = 1

_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")


@dataclass
class Snapshot:
    """One assessment of a client, as it was recorded."""

    assessment_date: dt.date
    results: dict
    inputs_hash: str = ""
    opsdx_version: str = ""
    source: str = ""  #: the file it was read from ("" when built in memory)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "assessment_date": self.assessment_date.isoformat(),
                "inputs_hash": self.inputs_hash, "opsdx_version": self.opsdx_version,
                "results": self.results}


def _date(value, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise OpsdxError(f"{what}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def snapshot(results, assessment_date=None, *, inputs_hash: str = "") -> Snapshot:
    """A snapshot of ``results`` (a results dict or a Diagnosis) at ``assessment_date``
    (default: the date the results give, else today's)."""
    from . import __version__

    if hasattr(results, "results") and callable(results.results):
        results = results.results()
    given = assessment_date or results.get("headline", {}).get("assessment_date")
    day = _date(given, "assessment date") if given else dt.date.today()
    return Snapshot(day, json_safe(results), inputs_hash, __version__)


def write_snapshot(folder, results, assessment_date=None, *, inputs_hash: str = "") -> Path:
    """Write a snapshot as ``folder/<assessment_date>.json``, atomically; returns the path.

    A snapshot of another date is never touched; one of the same date is replaced.
    """
    snap = results if isinstance(results, Snapshot) else snapshot(
        results, assessment_date, inputs_hash=inputs_hash)
    path = Path(folder) / f"{snap.assessment_date.isoformat()}.json"
    write_text(path, json.dumps(snap.to_dict(), indent=1, ensure_ascii=False,
                                allow_nan=False) + "\n")
    return path


def read_snapshot(path) -> Snapshot:
    """A snapshot file, or a ``results.json`` (whose date is its headline's)."""
    path = Path(path)
    label = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem(label, "file not found")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError([Problem(label, f"not valid JSON ({exc})",
                                 expected="a snapshot written by opsdx")]) from None
    if not isinstance(data, dict):
        raise DataError([Problem(label, "not a JSON object",
                                 expected="a snapshot written by opsdx")])
    results = data.get("results", data) if "format" in data else data
    if not isinstance(results, dict) or not isinstance(results.get("headline"), dict):
        raise DataError([Problem(label, "no headline in it", column="headline",
                                 expected="the results of an opsdx assessment")])
    day = data.get("assessment_date") or results["headline"].get("assessment_date")
    found = _NAME.match(label)
    if not day and found:
        day = found.group(1)
    if not day:
        raise DataError([Problem(label, "no assessment date", column="assessment_date",
                                 expected="YYYY-MM-DD")])
    try:
        day = _date(day, label)
    except OpsdxError as exc:
        raise DataError([Problem(label, str(exc), column="assessment_date",
                                 expected="YYYY-MM-DD")]) from None
    return Snapshot(day, results, str(data.get("inputs_hash", "")),
                    str(data.get("opsdx_version", "")), str(path))


def read_history(folder, *, before=None) -> list[Snapshot]:
    """The snapshots in ``folder`` (files named ``YYYY-MM-DD.json``), oldest first; only those
    dated before ``before`` when it is given. A missing folder has none.

    Raises
    ------
    DataError
        A file that is not a snapshot, every such file named at once.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    cutoff = _date(before, "before") if before is not None else None
    snaps, problems = [], []
    for path in sorted(folder.iterdir()):
        if not _NAME.match(path.name) or not path.is_file():
            continue  # temporary files of a write in progress, notes a consultant left
        try:
            snap = read_snapshot(path)
        except DataError as exc:
            problems += exc.problems
            continue
        if cutoff is None or snap.assessment_date < cutoff:
            snaps.append(snap)
    if problems:
        raise DataError(problems)
    return sorted(snaps, key=lambda s: s.assessment_date)


# ---------------------------------------------------------------------------- comparison

def _as_snapshot(value, what: str) -> Snapshot:
    if isinstance(value, Snapshot):
        return value
    if isinstance(value, (str, Path)):
        return read_snapshot(value)
    if hasattr(value, "results") and callable(value.results):
        return snapshot(value)
    if isinstance(value, dict):
        if "format" in value and "results" in value:
            return Snapshot(_date(value["assessment_date"], what), value["results"],
                            str(value.get("inputs_hash", "")), str(value.get("opsdx_version", "")))
        day = value.get("headline", {}).get("assessment_date")
        return Snapshot(_date(day, what) if day else None, value)
    raise OpsdxError(f"{what}: cannot compare a {type(value).__name__}; give results "
                     "(a dict or a Diagnosis), a snapshot, or the path of either")


def _get(results: dict, *keys):
    value = results
    for k in keys:
        if not isinstance(value, dict) or k not in value:
            return None
        value = value[k]
    return value


def _num(value) -> Optional[float]:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _half_width(results: dict) -> Optional[float]:
    ci = _get(results, "maturity", "index_ci")
    if not isinstance(ci, (list, tuple)) or len(ci) != 2 or None in map(_num, ci):
        return None
    return (_num(ci[1]) - _num(ci[0])) / 2


def _items(results: dict) -> pd.DataFrame:
    rows = _get(results, "maturity", "item_scores")
    if not rows:
        return pd.DataFrame(columns=["item_id", "dimension", "stage", "score", "n_answered"])
    return pd.DataFrame(rows).reindex(columns=["item_id", "dimension", "stage", "score",
                                               "n_answered"])


def _router(results: dict) -> tuple[Optional[str], Optional[float]]:
    """The main decider and the median days decisions waited for them."""
    top = _get(results, "decisions", "overall", "top_decider")
    for row in _get(results, "decisions", "by_decider") or []:
        if row.get("decider") == top:
            return top, _num(row.get("latency_p50"))
    return top, None


def _fmt(value, digits: int = 2) -> str:
    return "not measured" if value is None else f"{value:.{digits}f}"


@dataclass
class Comparison(Result):
    """What changed between two assessments of a client (see :func:`compare`).

    ``measures`` has one row per figure compared (``before``, ``now``,
    ``change``), ``items`` the questionnaire items in both with their score
    change, largest first, and ``trend`` one row per assessment known (the two
    compared, and earlier ones when given).
    """

    part: ClassVar[str] = "comparison"
    FINDINGS: ClassVar[tuple[str, ...]] = FINDINGS

    before: Snapshot
    after: Snapshot
    measures: pd.DataFrame
    items: pd.DataFrame
    trend: pd.DataFrame
    notes: list = field(default_factory=list)

    # the figures, by name, as (before, now)
    def _pair(self, name: str):
        row = self.measures.set_index("measure")
        if name not in row.index:
            return None, None
        return tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                     for v in (row.at[name, "before"], row.at[name, "now"]))

    @property
    def date_before(self) -> Optional[dt.date]:
        return self.before.assessment_date

    @property
    def date_now(self) -> Optional[dt.date]:
        return self.after.assessment_date

    @property
    def index_change(self) -> Optional[float]:
        b, a = self._pair("maturity_index")
        return None if b is None or a is None else round(a - b, 4)

    @property
    def index_change_beyond_uncertainty(self) -> Optional[bool]:
        """Whether the index moved by more than the half-width of either assessment's interval."""
        change = self.index_change
        widths = [w for w in (_half_width(self.before.results), _half_width(self.after.results))
                  if w is not None]
        if change is None or not widths:
            return None
        return bool(abs(change) > max(widths))

    @property
    def constraint_moved(self) -> Optional[bool]:
        b, a = self._pair("constraint")
        return None if b is None or a is None else b != a

    def headline(self) -> dict:
        stage_b, stage_a = self._pair("stage")
        con_b, con_a = self._pair("constraint")
        return json_safe({
            "date_before": self.date_before and self.date_before.isoformat(),
            "date_now": self.date_now and self.date_now.isoformat(),
            "days_between": (self.date_now - self.date_before).days
            if self.date_before and self.date_now else None,
            "stage_before": stage_b, "stage_now": stage_a,
            "index_before": self._pair("maturity_index")[0],
            "index_now": self._pair("maturity_index")[1],
            "index_change": self.index_change,
            "index_change_beyond_uncertainty": self.index_change_beyond_uncertainty,
            "constraint_before": con_b, "constraint_now": con_a,
            "constraint_moved": self.constraint_moved})

    def summary(self) -> pd.DataFrame:
        """Every figure compared, ``figure`` in words beside its ``measure`` key."""
        out = self.measures.copy()
        out.insert(1, "figure", out["measure"].map(MEASURE_WORDS).fillna(out["measure"]))
        return out

    def _statements(self) -> dict[str, str]:
        out = {}
        stage_b, stage_a = self._pair("stage")
        ib, ia = self._pair("maturity_index")
        if ib is not None and ia is not None:
            beyond = self.index_change_beyond_uncertainty
            stage = (f"stage {stage_a} as before" if stage_a == stage_b
                     else f"stage {stage_b} then, stage {stage_a} now")
            moved = (f"rose from {ib:.2f} to {ia:.2f}" if ia > ib else
                     f"fell from {ib:.2f} to {ia:.2f}" if ia < ib else f"stayed at {ia:.2f}")
            judged = ("" if beyond is None else
                      ": more than the uncertainty of either assessment, a change the answers show"
                      if beyond else
                      ": within the uncertainty of the assessments, so the answers do not show a "
                      "change")
            out["stage"] = (f"The maturity index {moved} ({stage})"
                            f"{judged}.")
        moved = self.items[self.items["change"] != 0]
        if len(moved):
            top = moved.head(3)
            listed = "; ".join(f"{r.item_id} ({r.dimension}) {r.score_before:.2f} to "
                               f"{r.score_now:.2f}" for r in top.itertuples())
            fewest = moved["answers"].min()
            chance = ("" if pd.isna(fewest) or fewest >= 20 else
                      f" (some from as few as {int(fewest)} answers: one item's move can be "
                      "chance; the index and its interval say what the answers show)")
            out["items"] = f"The practices that moved most: {listed}{chance}."
        cb, ca = self._pair("constraint")
        if cb is not None and ca is not None:
            out["constraint"] = (
                f"The constraint moved from {cb} to {ca}: the fifth focusing step, start again "
                "from the first (identify the new constraint, exploit it, subordinate the rest "
                "to it)." if cb != ca else
                self._same_constraint(ca))
        elif ca is not None or cb is not None:
            out["constraint"] = (f"The constraint was {cb or 'not found'} then and is "
                                 f"{ca or 'not found'} now.")
        sb, sa = self._pair("top_decider_share")
        if sb is not None and sa is not None:
            lb, la = self._pair("router_latency_p50")
            who_b, who_a = self._pair("top_decider")
            same = who_b == who_a
            latency = ("" if lb is None or la is None else
                       f"; decisions waited a median {lb:.1f} days for {who_b} then and "
                       f"{la:.1f} now" if same else
                       f"; decisions waited a median {lb:.1f} days for {who_b} then, and "
                       f"{la:.1f} days for {who_a} now")
            verdict = ("less concentrated" if sa < sb - 0.05 else
                       "more concentrated" if sa > sb + 0.05 else "as concentrated as before")
            out["decisions"] = (f"Decisions are {verdict}: the main decider "
                                f"({who_a if same else f'{who_b} then, {who_a} now'}) took "
                                f"{sb:.0%} of them then and {sa:.0%} now{latency}.")
        rb, ra = self._pair("median_ratio")
        if rb is not None and ra is not None:
            ub, ua = self._pair("p80_uplift")
            cb2, ca2 = self._pair("backtest_p80_coverage")
            verdict = ("less optimistic" if ra < rb - 0.05 else
                       "more optimistic" if ra > rb + 0.05 else "as optimistic as before")
            extra = ("" if ub is None or ua is None else
                     f"; the budget a P80 needs went from {ub:.2f} to {ua:.2f} times the estimate")
            cover = ("" if cb2 is None or ca2 is None else
                     f"; P80 forecasts held {cb2:.0%} of the time then and {ca2:.0%} now")
            out["planning"] = (f"Plans are {verdict}: work took a median {rb:.2f} times its "
                               f"estimate then and {ra:.2f} now{extra}{cover}.")
        return out

    def _same_constraint(self, stage: str) -> str:
        ub, ua = self._pair("constraint_utilisation")
        if ub is not None and ua is not None and abs(ua - ub) >= 0.1:
            return (f"The constraint is still {stage}, and the work arriving now takes "
                    f"{ua:.0%} of its capacity against {ub:.0%} then"
                    + (": its load has eased." if ua < ub else ": its load has grown."))
        return f"The constraint is still {stage}: what was done to it has not yet lifted it."

    def to_dict(self) -> dict:
        return json_safe({**self.headline(), "measures": self.measures,
                          "items": self.items.head(10), "trend": self.trend,
                          "sentences": self.sentences(), "notes": self.notes})

    def _title(self) -> str:
        return (f"Since {self.date_before.isoformat()}" if self.date_before
                else "Since the last assessment")

    def plot_trend(self, ax=None):
        """The maturity index of every assessment known, with its interval, and the constraint
        named where it first appears and wherever it moves."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
        t = self.trend.dropna(subset=["assessment_date"])
        when = pd.to_datetime(t["assessment_date"])
        ax.plot(when, t["maturity_index"], marker="o", color="#1f4e79")
        low = t["index_ci_low"].astype(float)
        high = t["index_ci_high"].astype(float)
        ax.fill_between(when, low, high, color="#1f4e79", alpha=0.15, label="interval")
        shown = None  # each constraint named where it first appears (and again if it returns)
        for w, y, c in zip(when, t["maturity_index"], t["constraint"]):
            if isinstance(c, str) and c and y == y and c != shown:
                ax.annotate(c, (w, y), textcoords="offset points", xytext=(4, 6), fontsize=8,
                            parse_math=False)  # a "$" shown as itself, never maths
                shown = c
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.margins(x=0.2)  # room for the constraints' names at either end
        ax.set_ylabel("maturity index")
        ax.set_ylim(1, 5)
        ax.set_title("Assessments over time (the constraint named where it moves)")
        ax.legend(loc="lower right", fontsize=8)
        return ax

    def __repr__(self) -> str:
        h = self.headline()
        return (f"<Comparison {h['date_before']} -> {h['date_now']}: stage {h['stage_before']} "
                f"-> {h['stage_now']}, constraint {h['constraint_before']!r} -> "
                f"{h['constraint_now']!r}>")


#: The figures compared, as a manager reads them
MEASURE_WORDS = {
    "stage": "stage (1 to 5)", "maturity_index": "maturity index (1 to 5)",
    "stage_probability": "how likely that stage is", "constraint": "the constraint",
    "constraint_confidence": "how sure the constraint is",
    "constraint_utilisation": "share of the constraint's capacity needed",
    "top_decider_share": "share of decisions taken by the main decider",
    "equivalent_deciders": "people decisions are spread over",
    "decision_latency_p50": "days to a decision (typical)",
    "median_ratio": "actual / estimate (typical)",
    "p80_uplift": "added to estimates to be on budget 8 in 10",
    "backtest_p80_coverage": "share of work that came in within that budget",
    "top_decider": "the main decider", "router_latency_p50": "days to the main decider's "
                                                            "decisions (typical)",
}

#: The figures compared: name -> path into the results
_MEASURES = {
    "stage": ("headline", "stage"),
    "maturity_index": ("headline", "maturity_index"),
    "stage_probability": ("headline", "stage_probability"),
    "constraint": ("headline", "constraint"),
    "constraint_confidence": ("headline", "constraint_confidence"),
    "constraint_utilisation": ("headline", "constraint_utilisation"),
    "top_decider_share": ("headline", "top_decider_share"),
    "equivalent_deciders": ("headline", "equivalent_deciders"),
    "decision_latency_p50": ("headline", "decision_latency_p50"),
    "median_ratio": ("headline", "median_ratio"),
    "p80_uplift": ("headline", "p80_uplift"),
    "backtest_p80_coverage": ("headline", "backtest_p80_coverage"),
}


def trend_table(snapshots: Sequence) -> pd.DataFrame:
    """One row per assessment (oldest first): its date, stage, index and interval, constraint,
    decision concentration and planning optimism."""
    rows = []
    for s in snapshots:
        s = _as_snapshot(s, "trend")
        r = s.results
        ci = _get(r, "maturity", "index_ci") or [None, None]
        rows.append({"assessment_date": s.assessment_date,
                     "stage": _get(r, "headline", "stage"),
                     "maturity_index": _num(_get(r, "headline", "maturity_index")),
                     "index_ci_low": _num(ci[0]), "index_ci_high": _num(ci[1]),
                     "constraint": _get(r, "headline", "constraint"),
                     "top_decider_share": _num(_get(r, "headline", "top_decider_share")),
                     "median_ratio": _num(_get(r, "headline", "median_ratio"))})
    frame = pd.DataFrame(rows, columns=["assessment_date", "stage", "maturity_index",
                                        "index_ci_low", "index_ci_high", "constraint",
                                        "top_decider_share", "median_ratio"])
    return frame.sort_values("assessment_date", kind="stable", na_position="first") \
        .reset_index(drop=True)


def compare(before, after, *, history: Sequence = ()) -> Comparison:
    """What changed between two assessments of one client.

    Parameters
    ----------
    before, after : dict, Diagnosis, Snapshot, or path
        The results of each assessment (``results.json`` or a
        :class:`~opsdx.workbook.Diagnosis`), a snapshot, or the path of a
        snapshot or ``results.json`` file.
    history : sequence, optional
        Earlier assessments still, for the trend (``before`` and ``after``
        are always in it).

    Returns
    -------
    Comparison
        The stage and index change, with whether it exceeds the uncertainty
        of either assessment (the half-width of its interval); the items that
        moved most; the constraint then and now; the main decider's share and
        latency; planning optimism and backtest coverage; and notes on what
        could not be compared.
    """
    b, a = _as_snapshot(before, "before"), _as_snapshot(after, "after")
    notes: list[Note] = []
    if b.assessment_date and a.assessment_date and b.assessment_date >= a.assessment_date:
        notes.append(Note("comparison", "order", f"the earlier assessment is dated "
                          f"{b.assessment_date} and the later {a.assessment_date}: compared "
                          "as given"))
    rows = []
    for name, path in _MEASURES.items():
        vb, va = _get(b.results, *path), _get(a.results, *path)
        if vb is None and va is None:
            continue
        numeric = name != "constraint"
        if numeric:
            vb, va = _num(vb), _num(va)
        if name == "stage":
            vb, va = (None if v is None else int(v) for v in (vb, va))
        change = (round(va - vb, 6) if numeric and None not in (vb, va) else None)
        rows.append({"measure": name, "before": vb, "now": va, "change": change})
    (who_b, lat_b), (who_a, lat_a) = _router(b.results), _router(a.results)
    if who_b or who_a:
        rows.append({"measure": "top_decider", "before": who_b, "now": who_a, "change": None})
        rows.append({"measure": "router_latency_p50", "before": lat_b, "now": lat_a,
                     "change": None if None in (lat_b, lat_a) else round(lat_a - lat_b, 6)})
    measures = pd.DataFrame(rows, columns=["measure", "before", "now", "change"])
    for part in ("maturity", "constraint", "decisions", "planning"):
        had, has = part in b.results, part in a.results
        if had != has:
            notes.append(Note("comparison", "part_missing",
                              f"{part}: analysed in the {'earlier' if had else 'later'} "
                              f"assessment only, so not compared"))
    ib, ia = _items(b.results), _items(a.results)
    items = ib.merge(ia, on=["item_id"], suffixes=("_before", "_now"))
    items = pd.DataFrame({"item_id": items["item_id"],
                          "dimension": items["dimension_now"], "stage": items["stage_now"],
                          "score_before": items["score_before"].astype(float),
                          "score_now": items["score_now"].astype(float),
                          "answers": items[["n_answered_before", "n_answered_now"]]
                          .astype(float).min(axis=1).astype("Int64")})
    items.insert(5, "change", items["score_now"] - items["score_before"])
    items = items.dropna(subset=["change"])
    items = items.iloc[np.argsort(-items["change"].abs().to_numpy(), kind="stable")] \
        .reset_index(drop=True)
    if len(ib) and len(ia) and len(items) < max(len(ib), len(ia)):
        notes.append(Note("comparison", "questionnaire_changed",
                          f"the questionnaires differ: {len(items)} items are in both "
                          f"assessments ({len(ib)} then, {len(ia)} now); only those are compared"))
    everyone = list(history) + [b, a]
    seen, unique = set(), []
    for s in (_as_snapshot(x, "history") for x in everyone):
        key = s.assessment_date
        if key in seen and key is not None:
            continue
        seen.add(key)
        unique.append(s)
    return Comparison(b, a, measures, items, trend_table(unique), notes)
