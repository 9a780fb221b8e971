"""Decisions and heroes: who everything waits for.

A decision log has one row per decision:

============ ==============================================================
column       meaning
============ ==============================================================
decision_id  identifier (unique)
raised_at    when the question was put (timestamp or date)
decided_at   when it was decided; blank while pending
decider      who decided (or is expected to)
shipped_at   optional: when the decision became a delivered result
raised_by    optional: who raised it
reversible   optional: true for a two-way door (Type 2), false for one-way
category     optional: the kind of decision (pricing, hiring, ...)
escalated    optional: true when it went up a level
============ ==============================================================

:func:`decision_report` measures the founder-as-router pattern (DOMAIN.md,
seeds 000 and 003): how concentrated decisions are, how long each decider
keeps people waiting, whether reversible decisions are treated as slowly as
irreversible ones, how many decisions become delivered results, and how few
absences would leave most kinds of decision without anyone who has made one.
:func:`hero_dependency` measures the same pattern in work items.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import OpsdxError, ProblemLog
from ..notes import Note
from ..output import json_safe
from ..results import Result
from ..tables import (FAR_DATE, Source, dates_expected, far_dates, parse_timestamps, read_table,
                      require_columns)
from .workitems import as_flow

__all__ = ["read_decisions", "decision_report", "DecisionReport", "hero_dependency", "km_quantile",
           "truck_factor", "communication_paths", "delegation_chain", "DELEGATION_LOSSES"]

_TRUE = {"true", "yes", "y", "1", "type 2", "two-way", "reversible"}
_FALSE = {"false", "no", "n", "0", "type 1", "one-way", "irreversible"}


def _booleans(text: pd.Series, column: str, rows: pd.Series, log: ProblemLog) -> pd.Series:
    low = text.str.strip().str.lower()
    out = pd.Series(pd.NA, index=text.index, dtype="boolean")
    out[low.isin(_TRUE)] = True
    out[low.isin(_FALSE)] = False
    bad = (low != "") & out.isna()
    log.add_rows("not true or false", rows[bad], text[bad], column=column,
                 expected="true/false (also yes/no, 1/0; for reversible: type 2/type 1, "
                          "two-way/one-way)")
    return out


def read_decisions(source: Source, *, name: str | None = None, sheet: str | int = 0) -> pd.DataFrame:
    """Read and validate a decision log (see the module docstring for the columns).

    Every problem is reported at once (:class:`~opsdx.DataError`). Pending
    decisions (no ``decided_at``) are kept. The result adds ``latency_days``
    (decided - raised) and ``ship_days`` (shipped - decided).

    Examples
    --------
    >>> log = read_decisions(pd.DataFrame({"decision_id": ["d1", "d2"],
    ...     "raised_at": ["2025-01-06", "2025-01-07"], "decided_at": ["2025-01-08", ""],
    ...     "decider": ["Ann", "Ann"]}))
    >>> log["latency_days"].tolist()
    [2.0, nan]
    """
    table = read_table(source, name=name, sheet=sheet)
    frame, rows = table.frame, table.rows
    log = ProblemLog(table.name)
    require_columns(table, ["decision_id", "raised_at", "decided_at", "decider"], log,
                    hint="columns decision_id, raised_at, decided_at, decider (optional "
                         "shipped_at, raised_by, reversible, category, escalated)")
    log.raise_if_any()
    ids = frame["decision_id"].str.strip()
    log.add_rows("decision_id is blank", rows[ids == ""], ids[ids == ""], column="decision_id",
                 expected="an identifier for each decision")
    dup = (ids != "") & ids.duplicated()
    log.add_rows("decision_id appears twice", rows[dup], ids[dup], column="decision_id",
                 expected="one row per decision")
    decider = frame["decider"].str.strip()
    log.add_rows("decider is blank", rows[decider == ""], decider[decider == ""], column="decider",
                 expected="who decides (or is expected to)")
    out = pd.DataFrame({"decision_id": ids, "decider": decider})
    zoned, read = {}, {}
    for col in ("raised_at", "decided_at", "shipped_at"):
        if col not in frame:
            continue
        when, zoned[col] = parse_timestamps(frame[col])
        given = frame[col].str.strip() != ""
        read[col] = when.notna()  # the zone check counts readable cells: others are reported
        unread = given & when.isna()
        far = unread & far_dates(frame[col]) if unread.any() else unread
        log.add_rows("not a date", rows[unread & ~far],
                     frame.loc[unread & ~far, col], column=col,
                     expected=dates_expected(frame.loc[unread & ~far, col]))
        log.add_rows(FAR_DATE, rows[far], frame.loc[far, col], column=col,
                     expected="a real date; leave the cell blank while the decision is open")
        out[col] = when
    n_zoned = sum(int(z.sum()) for z in zoned.values())
    n_naive = sum(int((read[c] & ~z).sum()) for c, z in zoned.items())
    if n_zoned and n_naive:
        for col, z in zoned.items():
            # the smaller group is set aside; both when they tie
            odd = read[col] & ((~z if n_naive <= n_zoned else False)
                               | (z if n_zoned <= n_naive else False))
            log.add_rows("time zone given on some timestamps but not on others", rows[odd],
                         frame.loc[odd, col], column=col,
                         expected="every timestamp with an offset, or none")
    blank = frame["raised_at"].str.strip() == ""
    log.add_rows("raised_at is blank", rows[blank], frame.loc[blank, "raised_at"],
                 column="raised_at", expected="when the question was put")
    early = out["decided_at"] < out["raised_at"]
    log.add_rows("decided before it was raised", rows[early], frame.loc[early, "decided_at"],
                 column="decided_at", expected="decided_at on or after raised_at")
    if "shipped_at" in out:
        early = out["shipped_at"] < out["decided_at"]
        log.add_rows("shipped before it was decided", rows[early], frame.loc[early, "shipped_at"],
                     column="shipped_at", expected="shipped_at on or after decided_at")
        orphan = out["shipped_at"].notna() & out["decided_at"].isna()
        log.add_rows("shipped but never decided", rows[orphan], frame.loc[orphan, "shipped_at"],
                     column="shipped_at", expected="a decided_at for every shipped decision")
    for col in ("reversible", "escalated"):
        if col in frame:
            out[col] = _booleans(frame[col], col, rows, log)
    for col in ("raised_by", "category"):
        if col in frame:
            text = frame[col].str.strip()
            out[col] = text.where(text != "")
    log.raise_if_any()
    out["latency_days"] = (out["decided_at"] - out["raised_at"]).dt.total_seconds() / 86400
    if "shipped_at" in out:
        out["ship_days"] = (out["shipped_at"] - out["decided_at"]).dt.total_seconds() / 86400
    out.attrs.update(source=table.name)
    return out.reset_index(drop=True)


def truck_factor(categories: pd.Series, deciders: pd.Series, *, exact_up_to: int = 20):
    """The fewest people whose absence leaves more than half the categories with no one who decided one.

    A category is orphaned when everyone who has decided it is absent. The
    search is exhaustive up to ``exact_up_to`` people (by increasing set size);
    beyond that, people are removed greedily (the result is then an upper
    bound). Returns ``(size, people, exact)``.

    >>> truck_factor(pd.Series(["a", "b", "c"]), pd.Series(["Ann", "Ann", "Bo"]))
    (1, ['Ann'], True)
    """
    pairs = pd.DataFrame({"c": categories, "d": deciders}).dropna().drop_duplicates()
    if pairs.empty:
        return 0, [], True
    who = pairs.groupby("c")["d"].apply(frozenset)
    need = len(who) // 2 + 1  # more than half
    people = sorted(pairs["d"].unique())

    def orphaned(absent: set) -> int:
        return sum(1 for s in who if s <= absent)

    if len(people) <= exact_up_to:
        for size in range(1, len(people) + 1):
            for combo in itertools.combinations(people, size):
                if orphaned(set(combo)) >= need:
                    return size, list(combo), True
    absent: set = set()
    while orphaned(absent) < need:
        best = max((p for p in people if p not in absent),
                   key=lambda p: (orphaned(absent | {p}), -people.index(p)))
        absent.add(best)
    return len(absent), sorted(absent), False


#: Founder-as-router: the top decider takes at least this share of the decisions ...
ROUTER_MIN_SHARE = 0.4
#: ... and their median latency is at least this many times everyone else's
ROUTER_MIN_SLOWER = 1.25


#: The findings :meth:`DecisionReport.statement` renders, in the order of ``sentences()``.
FINDINGS = ("router", "concentration", "latency", "two_way", "conversion", "truck_factor")
#: The codes of :attr:`DecisionReport.notes`: what the log lacks for a finding.
NOTE_CODES = ("no_shipped_at", "few_reversible", "no_reversible", "greedy_truck_factor",
              "no_category")


@dataclass(eq=False)
class DecisionReport(Result):
    """What :func:`decision_report` found, on the result protocol (:mod:`opsdx.results`).

    The findings are attributes (:attr:`router`, :attr:`router_share`,
    :attr:`two_way_as_one_way`, :attr:`truck_factor`, ...); the sentences are
    rendered from them (:meth:`statement` gives one by name), never the other
    way round. ``summary()`` is the table of deciders; ``notes`` say what the
    log lacks (codes: :data:`NOTE_CODES`).
    """

    part = "decisions"
    FINDINGS = FINDINGS

    overall: pd.Series
    by_decider: pd.DataFrame
    by_reversibility: pd.DataFrame
    weekly: pd.DataFrame
    herfindahl: float
    equivalent_deciders: float
    truck_factor: int | None
    truck_factor_people: list
    two_way_as_one_way: bool | None
    notes: list = field(default_factory=list)

    @property
    def router_share(self) -> float:
        """The share of the top decider's median latency above everyone else's (0 to 1).

        ``1 - others / theirs``: 0 when they are no slower, 1 when most of
        their decisions are still pending (a median that is not reached).
        """
        mine, others = self.by_decider.iloc[0]["latency_p50"], self.overall["latency_p50_others"]
        if not np.isfinite(mine):
            return 1.0
        if not np.isfinite(others) or mine <= 0:
            return 0.0
        return float(max(0.0, 1.0 - others / mine))

    @property
    def router(self) -> bool:
        """The founder-as-router pattern: one of several deciders takes at least
        :data:`ROUTER_MIN_SHARE` of the decisions and decides them at least
        :data:`ROUTER_MIN_SLOWER` times as slowly as everyone else."""
        return bool(len(self.by_decider) > 1
                    and self.by_decider.iloc[0]["share"] >= ROUTER_MIN_SHARE
                    and self.router_share > 1.0 - 1.0 / ROUTER_MIN_SLOWER)

    def summary(self) -> pd.DataFrame:
        """One row per decider, most decisions first: ``decisions``, ``share``,
        ``pending``, ``latency_p50`` and ``latency_p85`` (days, Kaplan-Meier: pending
        decisions count at their age), ``longest_wait_days``, ``waiting_days`` and,
        with an ``escalated`` column, ``escalated_share``."""
        return self.by_decider.copy()

    def plot_deciders(self, ax=None, *, top: int = 10):
        """Each decider's share of the decisions, with their median latency.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        top : int
            How many deciders to show, most decisions first.

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        rows = self.by_decider.head(top).iloc[::-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.6 + 0.4 * len(rows)), layout="constrained")
        y = np.arange(len(rows))
        ax.barh(y, rows["share"], color=sns.color_palette("crest", 3)[1])
        ax.set_yticks(y, [str(d) for d in rows["decider"]])
        for yi, (share, p50) in enumerate(zip(rows["share"], rows["latency_p50"])):
            label = f"{p50:.1f} d" if np.isfinite(p50) else "pending"
            ax.text(share, yi, f"  median {label}", va="center", fontsize=8)
        ax.set_xlim(0, min(1.0, float(rows["share"].max()) * 1.4 + 0.05))
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.set_xlabel("share of decisions (label: median days to decide)")
        ax.set_title(f"{int(self.overall['decisions'])} decisions; as concentrated as "
                     f"{self.equivalent_deciders:.1f} equal deciders", fontsize=10)
        return ax

    def _title(self) -> str:
        return "Decisions: " + ("founder-as-router" if self.router else "who decides")

    def _statements(self) -> dict:
        o = self.overall
        top = self.by_decider.iloc[0]

        def days(value, longest):
            return (f"{value:.1f} days" if np.isfinite(value)
                    else f"more than {longest:.0f} days (most still pending)")

        others = self.by_decider.iloc[1:]
        vs = (f"against {days(o['latency_p50_others'], others['longest_wait_days'].max())} "
              "with everyone else." if len(others) else "(no one else decides).")
        out = {
            "router": f"{top['decider']} decides {top['share']:.0%} of all decisions, and a "
                      f"decision waits a median "
                      f"{days(top['latency_p50'], top['longest_wait_days'])} for them "
                      + vs,
            "concentration": f"Decisions are as concentrated as if {self.equivalent_deciders:.1f} "
                             f"people shared them equally.",
            "latency": f"Half the decisions are made within "
                       f"{days(o['latency_p50'], o['longest_wait_days'])} of being raised, 85 "
                       f"in 100 within {days(o['latency_p85'], o['longest_wait_days'])}; "
                       f"{_count(o['pending'], 'decision')} still pending (counted at "
                       f"{'its' if o['pending'] == 1 else 'their'} age so far)."}
        if self.two_way_as_one_way:
            rev = self.by_reversibility.set_index("reversible")
            out["two_way"] = (f"Reversible (two-way door) decisions wait as long as irreversible "
                              f"ones: median {rev.at['reversible', 'latency_p50']:.1f} against "
                              f"{rev.at['irreversible', 'latency_p50']:.1f} days.")
        if np.isfinite(o.get("conversion", np.nan)):
            out["conversion"] = (f"{o['conversion']:.0%} of decisions made were shipped; "
                                 f"{o['shipped_per_week']:.1f} decisions shipped a week.")
        if self.truck_factor:
            n_deciders = int(self.by_decider["decider"].nunique())
            if self.truck_factor >= n_deciders > 1:  # naming them all says nothing more
                out["truck_factor"] = (f"Every one of the {n_deciders} deciders is needed: "
                                       "without any one of them, more than half the decision "
                                       "categories would have no one who has decided one before.")
            else:
                people = list(map(str, self.truck_factor_people))
                named = (people[0] if len(people) == 1 else
                         ", ".join(people[:-1]) + " and " + people[-1])
                out["truck_factor"] = (f"Without {named}, more "
                                       "than half the decision categories would have no one "
                                       "who has decided one before (the truck factor is "
                                       f"{self.truck_factor}).")
        return out

    def headline(self) -> dict:
        """The figures an executive summary quotes (JSON-safe)."""
        o = self.overall
        return json_safe({"decisions": o["decisions"], "top_decider": o["top_decider"],
                          "top_share": o["top_share"], "latency_p50": o["latency_p50"],
                          "equivalent_deciders": self.equivalent_deciders,
                          "truck_factor": self.truck_factor, "router": self.router,
                          "router_share": self.router_share})

    def to_dict(self) -> dict:
        """JSON-safe results (see :func:`opsdx.output.json_safe`)."""
        return json_safe({
                "overall": self.overall, "by_decider": self.by_decider,
                "by_reversibility": self.by_reversibility,
                "herfindahl": self.herfindahl, "equivalent_deciders": self.equivalent_deciders,
                "truck_factor": self.truck_factor, "truck_factor_people": self.truck_factor_people,
                "two_way_as_one_way": self.two_way_as_one_way, "router": self.router,
                "router_share": self.router_share, "sentences": self.sentences(),
                "notes": self.notes})

    def __repr__(self) -> str:
        top = self.by_decider.iloc[0]
        return (f"<DecisionReport: {int(self.overall['decisions'])} decisions; {top['decider']} "
                f"decides {top['share']:.0%}; median latency {self.overall['latency_p50']:.1f} days; "
                f"{self.equivalent_deciders:.1f} equivalent deciders>")


def _count(n, noun: str) -> str:
    """``1 decision``, ``3 decisions``."""
    n = int(n)
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _q(values: pd.Series, p: float) -> float:
    values = values.dropna()
    return float(np.quantile(values, p)) if len(values) else np.nan


def km_quantile(durations, observed, p: float) -> float:
    """Kaplan-Meier quantile of durations with right-censoring (NaN when not reached).

    Pending decisions are censored at their age: leaving them out would make
    the slowest deciders, whose decisions are still waiting, look fast. The
    p-quantile is the first duration at which the estimated share still
    waiting falls to ``1 - p`` or below.

    >>> km_quantile([1, 2, 3, 6, 10], [True, True, True, False, True], 0.5)
    3.0
    >>> km_quantile([5, 6], [False, False], 0.5)
    nan
    """
    t = np.asarray(durations, float)
    d = np.asarray(observed, bool)
    keep = np.isfinite(t)
    t, d = t[keep], d[keep]
    if t.size == 0:
        return float("nan")
    order = np.lexsort((~d, t))  # at equal times, events before censorings
    t, d = t[order], d[order]
    at_risk = t.size - np.arange(t.size)
    survival = np.cumprod(np.where(d, 1.0 - 1.0 / at_risk, 1.0))
    reached = np.flatnonzero(survival <= 1.0 - p + 1e-12)
    return float(t[reached[0]]) if reached.size else float("nan")


def decision_report(decisions: pd.DataFrame, *, as_of=None, similar: float = 0.8) -> DecisionReport:
    """Latency, concentration, reversibility, conversion and truck factor of a decision log.

    Parameters
    ----------
    decisions : DataFrame
        From :func:`read_decisions`.
    as_of : timestamp, optional
        When pending decisions are aged; default the latest timestamp in the log.
    similar : float
        Reversible decisions count as "treated as one-way" when their median
        latency is at least this share of the irreversible median and a
        one-sided Mann-Whitney test does not find them faster (p >= 0.05).

    Notes
    -----
    Latency percentiles are Kaplan-Meier estimates: a pending decision counts
    as waiting at least its age at ``as_of`` (right-censored), so a decider
    whose decisions are still pending does not look fast. A percentile not
    reached (most decisions still pending) is NaN. Shares count every
    decision (pending ones too) against its decider. The
    Herfindahl index is the sum of squared shares; its inverse is the
    number of equally busy deciders that would give the same concentration.
    ``waiting_days`` is the latency summed over a decider's decisions, plus
    the age of those still pending at ``as_of``: the time others spent
    waiting on them.

    Examples
    --------
    >>> log = read_decisions(pd.DataFrame({"decision_id": list("abcd"),
    ...     "raised_at": ["2025-01-06"] * 4,
    ...     "decided_at": ["2025-01-07", "2025-01-16", "2025-01-08", "2025-01-09"],
    ...     "decider": ["Ann", "Ann", "Ann", "Bo"]}))
    >>> r = decision_report(log)
    >>> round(r.herfindahl, 4), round(r.equivalent_deciders, 2)
    (0.625, 1.6)
    >>> r.by_decider[["decider", "decisions", "latency_p50", "waiting_days"]].values.tolist()
    [['Ann', 3, 2.0, 13.0], ['Bo', 1, 3.0, 3.0]]
    """
    if not isinstance(decisions, pd.DataFrame) or "latency_days" not in decisions:
        raise OpsdxError("decisions must come from opsdx.read_decisions")
    d = decisions
    if d.empty:
        raise OpsdxError("the decision log has no rows")
    stamps = [d[c] for c in ("raised_at", "decided_at", "shipped_at") if c in d]
    last = max(s.max() for s in stamps if s.notna().any())
    first = d["raised_at"].min()
    now = pd.Timestamp(as_of) if as_of is not None else last
    pending = d["decided_at"].isna()
    age = (now - d["raised_at"]).dt.total_seconds() / 86400
    wait = d["latency_days"].where(~pending, age.clip(lower=0))
    notes: list[Note] = []

    def note(code: str, text: str) -> None:
        notes.append(Note("decisions", code, text))

    frame = d.assign(_wait=wait, _pending=pending)
    grouped = frame.groupby("decider", sort=False)

    def km(p: float) -> pd.Series:
        return pd.Series({name: km_quantile(part["_wait"], ~part["_pending"], p)
                          for name, part in grouped})

    by = pd.DataFrame({"decisions": grouped.size(),
                       "pending": grouped["_pending"].sum().astype(int),
                       "latency_p50": km(0.5), "latency_p85": km(0.85),
                       "longest_wait_days": grouped["_wait"].max(),
                       "waiting_days": grouped["_wait"].sum()})
    by["share"] = by["decisions"] / by["decisions"].sum()
    if "escalated" in d:
        by["escalated_share"] = grouped["escalated"].mean().astype(float)
    by = by.sort_values(["decisions", "waiting_days"], ascending=False)
    by.index.name = "decider"
    by = by.reset_index()
    hhi = float((by["share"] ** 2).sum())

    top = by.iloc[0]["decider"]
    others = d["decider"] != top
    overall = {"decisions": len(d), "decided": int((~pending).sum()), "pending": int(pending.sum()),
               "latency_p50": km_quantile(wait, ~pending, 0.5),
               "latency_p85": km_quantile(wait, ~pending, 0.85),
               "latency_p50_others": km_quantile(wait[others], ~pending[others], 0.5),
               "top_decider": top, "top_share": float(by.iloc[0]["share"]),
               "longest_wait_days": float(wait.max()),
               "weeks": float((now - first).total_seconds() / 86400 / 7)}
    weeks = max(overall["weeks"], 1 / 7)
    overall["decided_per_week"] = overall["decided"] / weeks
    weekly = pd.DataFrame()
    if "shipped_at" in d:
        shipped = d["shipped_at"].notna()
        overall["conversion"] = float(shipped.sum() / max((~pending).sum(), 1))
        overall["shipped_per_week"] = float(shipped.sum() / weeks)
        overall["ship_p50_days"] = _q(d["ship_days"], 0.5)
        made = d["decided_at"].dropna().dt.to_period("W-SUN").value_counts()
        done = d["shipped_at"].dropna().dt.to_period("W-SUN").value_counts()
        weeks_index = pd.period_range(first, now, freq="W-SUN")
        weekly = pd.DataFrame({"decided": made.reindex(weeks_index, fill_value=0),
                               "shipped": done.reindex(weeks_index, fill_value=0)})
        weekly.index = weekly.index.start_time
        weekly.index.name = "week"
    else:
        overall["conversion"] = np.nan
        overall["shipped_per_week"] = np.nan
        note("no_shipped_at",
             "no shipped_at column: conversion and shipped decisions per week need it")

    rev_rows = []
    two_way = None
    if "reversible" in d and d["reversible"].notna().any():
        for flag, label in ((True, "reversible"), (False, "irreversible")):
            lat = d.loc[d["reversible"] == flag, "latency_days"]
            rev_rows.append({"reversible": label, "decisions": int((d["reversible"] == flag).sum()),
                             "latency_p50": _q(lat, 0.5), "latency_p85": _q(lat, 0.85)})
        rev = d.loc[d["reversible"] == True, "latency_days"].dropna()  # noqa: E712
        irr = d.loc[d["reversible"] == False, "latency_days"].dropna()  # noqa: E712
        if len(rev) >= 5 and len(irr) >= 5:
            p = float(stats.mannwhitneyu(rev, irr, alternative="less").pvalue)
            two_way = bool(rev.median() >= similar * irr.median() and p >= 0.05)
            rev_rows[0]["p_faster"] = p
        else:
            note("few_reversible", "fewer than 5 decided reversible or irreversible decisions: "
                                   "the two speeds are not compared")
    else:
        note("no_reversible",
             "no reversible column: two-way doors cannot be told from one-way doors")
    by_rev = pd.DataFrame(rev_rows)

    tf, tf_people = None, []
    if "category" in d and d["category"].notna().any():
        decided = d[~pending]
        tf, tf_people, exact = truck_factor(decided["category"], decided["decider"])
        if not exact:
            note("greedy_truck_factor",
                 "many deciders: the truck factor was found greedily (an upper bound)")
    else:
        note("no_category", "no category column: the truck factor needs decision categories")
    return DecisionReport(overall=pd.Series(overall), by_decider=by, by_reversibility=by_rev,
                          weekly=weekly, herfindahl=hhi, equivalent_deciders=1.0 / hhi,
                          truck_factor=tf, truck_factor_people=tf_people,
                          two_way_as_one_way=two_way, notes=notes)


def hero_dependency(work_items, stages: Sequence[str] | None = None) -> pd.DataFrame:
    """Share of items each person touched, overall and by stage (the founder-in-40%-of-deals pattern).

    Returns one row per stage plus ``(all stages)``: the most-involved person,
    the share of the stage's items they touched, and the equivalent number of
    people (inverse Herfindahl of visit shares).

    >>> v = pd.DataFrame({"item_id": list("abcd"), "stage": ["Sell"] * 4,
    ...     "entered_at": pd.to_datetime(["2025-01-01"] * 4), "exited_at": pd.NaT,
    ...     "owner": ["Ann", "Ann", "Ann", "Bo"]})
    >>> hero_dependency(v)[["stage", "person", "share_of_items"]].values.tolist()
    [['(all stages)', 'Ann', 0.75], ['Sell', 'Ann', 0.75]]
    """
    flow = as_flow(work_items, stages=stages)
    v = flow.visits
    if "owner" not in v or v["owner"].notna().sum() == 0:
        raise OpsdxError("hero dependency needs an owner column in the work items")
    v = v.dropna(subset=["owner"])
    rows = []
    for stage, part in [("(all stages)", v)] + [(s, v[v["stage"] == s]) for s in flow.stages]:
        if part.empty:
            continue
        touched = part.drop_duplicates(["item_id", "owner"]).groupby("owner").size()
        items = part["item_id"].nunique()
        shares = part.groupby("owner").size() / len(part)
        person = touched.sort_values(ascending=False, kind="stable").index[0]
        rows.append({"stage": stage, "person": person, "items_in_stage": items,
                     "items_touched": int(touched[person]),
                     "share_of_items": float(touched[person] / items),
                     "equivalent_people": float(1.0 / (shares ** 2).sum()),
                     "people": int(len(touched))})
    return pd.DataFrame(rows)


#: Illustrative per-layer losses from DOMAIN.md (principal-agent): assumptions, not measurements.
DELEGATION_LOSSES = {"intent": 0.20, "alignment": 0.15, "specifics": 0.10, "bandwidth": 0.15}


def communication_paths(teams, *, flag_above: int = 8) -> pd.DataFrame:
    """Communication paths ``n (n - 1) / 2`` per team, flagged above ``flag_above`` people.

    ``teams``: a list of ``{"name", "size"}`` (``client.yaml``'s teams) or of
    objects with those attributes (Brooks 1975).

    >>> communication_paths([{"name": "Ops", "size": 12}, {"name": "Sales", "size": 5}])
        team  size  paths  over_size
    0    Ops    12     66       True
    1  Sales     5     10      False
    """
    rows = []
    for t in teams:
        name = t["name"] if isinstance(t, dict) else t.name
        size = int(t["size"] if isinstance(t, dict) else t.size)
        rows.append({"team": name, "size": size, "paths": size * (size - 1) // 2,
                     "over_size": size > flag_above})
    return pd.DataFrame(rows, columns=["team", "size", "paths", "over_size"])


def delegation_chain(layers: int, losses: dict | None = None) -> pd.DataFrame:
    """What survives each management layer under *assumed* per-layer losses.

    The default losses are :data:`DELEGATION_LOSSES`, illustrative figures
    (DOMAIN.md, seed 003), to be edited, never quoted as measurements. Each
    row is a layer; each column the share retained, ``(1 - loss) ** layer``,
    and ``combined`` their product.

    >>> delegation_chain(2).round(3).loc[2, ["intent", "combined"]].tolist()
    [0.64, 0.271]
    """
    if not isinstance(layers, (int, np.integer)) or layers < 0:
        raise OpsdxError("layers must be a whole number >= 0")
    losses = dict(DELEGATION_LOSSES if losses is None else losses)
    for k, v in losses.items():
        if not 0 <= v < 1:
            raise OpsdxError(f"loss {k!r} must be between 0 and 1, not {v}")
    depth = np.arange(layers + 1)
    frame = pd.DataFrame({k: (1 - v) ** depth for k, v in losses.items()},
                         index=pd.Index(depth, name="layer"))
    frame["combined"] = frame.prod(axis=1)
    frame.attrs["assumption"] = ("illustrative per-layer losses (principal-agent), "
                                 "not measurements: " + ", ".join(f"{k} {v:.0%}"
                                                                 for k, v in losses.items()))
    return frame
