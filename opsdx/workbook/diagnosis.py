"""One client's whole diagnostic: every analysis, its headline and its recommendations.

:func:`diagnose` runs each part of opsdx on a client folder; a part whose data
the client lacks (no estimates, no work items, no decision log) is left out
with a note instead of failing. :class:`Diagnosis` is what the workbook
notebook shows, what :func:`record_results` writes to ``results.json`` and
what :func:`~opsdx.workbook.write_excel` puts in the Excel workbook.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pandas as pd

from .. import __version__
from ..client import Client, load_client
from ..errors import FILE_NOT_FOUND, DataError, OpsdxError
from ..history import _num
from ..notes import Note
from ..output import json_safe, write_text
from ..results import Result
from .params import WorkbookParams, workbook_params

__all__ = ["WorkbookParams", "Diagnosis", "diagnose", "record_results", "Recommendation"]


@dataclass
class Recommendation:
    """A recommended change: what, the mechanism it acts on, the evidence, its expected effect.

    ``effect`` (0..1) ranks recommendations: the share of the organisation's
    capacity or time the finding says is at stake (see :meth:`Diagnosis.recommendations`).
    """

    title: str
    mechanism: str
    evidence: str
    effect: float
    source: str


#: The codes of :attr:`Diagnosis.notes`: a part without its data file, a part whose data has
#: problems (all of them in :attr:`Diagnosis.failures`), a part that could not run.
NOTE_CODES = ("missing_data", "data_problems", "failed")


@dataclass(eq=False)
class Diagnosis(Result):
    """Everything known about one client; each part is None when its data is missing.

    On the result protocol (:mod:`opsdx.results`): ``summary()`` has one row
    per part, ``sentences()`` is the executive summary, ``notes`` say which
    parts are missing or failed and why (each :class:`~opsdx.notes.Note`'s
    ``part`` names the analysis: ``"maturity"``, ``"planning"``, ``"flow"``,
    ``"constraint"``, ``"hero dependency"``, ``"decisions"``); each part's own
    notes are on its result.
    """

    part = "diagnosis"

    client: Client
    params: WorkbookParams
    maturity: object = None
    planning: object = None
    flow: object = None
    constraint: object = None
    decisions: object = None
    heroes: Optional[pd.DataFrame] = None
    paths: Optional[pd.DataFrame] = None
    delegation: Optional[pd.DataFrame] = None
    #: The client's earlier assessments (:class:`~opsdx.history.Snapshot`), oldest first
    history: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    #: The analyses whose input was broken: label -> the error (all its problems)
    failures: dict = field(default_factory=dict)
    _since: object = field(default=None, init=False, repr=False, compare=False)
    #: The estimates and the decision log as read, for the periods they cover (not re-read)
    _read: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def assessment_date(self) -> dt.date:
        """The date of this assessment: client.yaml's ``assessment_date``, else today's."""
        return self.client.spec.assessment_date or dt.date.today()

    @property
    def next_assessment_due(self) -> dt.date:
        """When the next re-assessment is due: ``reassess_after_days`` (client.yaml, 90 by
        default) after this one."""
        return self.assessment_date + dt.timedelta(days=self.client.spec.reassess_after_days)

    @property
    def since_last(self):
        """What changed since the latest earlier assessment (a
        :class:`~opsdx.history.Comparison`), or None when there is none."""
        if not self.history:
            return None
        from ..history import compare

        if self._since is None:
            self._since = compare(self.history[-1], self._base_results(),
                                  history=self.history[:-1])
        return self._since

    def data_periods(self) -> pd.DataFrame:
        """The period each data set covers, for the cover: one row per data set analysed
        (``data``, ``first``, ``last`` dates, ``records`` in words)."""
        rows = []

        def span(label, times, records):
            times = pd.to_datetime(pd.Series(times), errors="coerce").dropna()
            rows.append({"data": label,
                         "first": times.min().date() if len(times) else None,
                         "last": times.max().date() if len(times) else None,
                         "records": records})

        if self.maturity is not None:
            span("Questionnaire answers", [], f"{self.maturity.n_respondents} respondents")
        if self.planning is not None:
            e = self._read.get("estimates")
            e = self.client.estimates() if e is None else e
            span("Estimates and actual effort",
                 pd.concat([e[c] for c in ("estimated_on", "finished_on") if c in e]),
                 f"{len(e):,} work items")
        if self.flow is not None:
            v = self.flow.visits
            span("Work-item flow", pd.concat([v["entered_at"], v["exited_at"]]),
                 f"{v['item_id'].nunique():,} work items, {len(v):,} stage visits")
        if self.decisions is not None:
            log = self._read.get("decisions")
            log = self.client.decisions() if log is None else log
            span("Decision log", pd.concat([log["raised_at"], log["decided_at"]]),
                 f"{len(log):,} decisions")
        return pd.DataFrame(rows, columns=["data", "first", "last", "records"])

    # ------------------------------------------------------------------ headline
    def headline(self) -> dict:
        """The figures of the executive summary (None where a part is missing)."""
        h: dict = {"client": self.name, "sector": self.client.spec.sector or None,
                   "opsdx_version": __version__,
                   "assessment_date": self.assessment_date.isoformat(),
                   "next_assessment_due": self.next_assessment_due.isoformat()}
        m = {} if self.maturity is None else self.maturity.headline()
        h.update(stage=m.get("stage"), stage_name=m.get("stage_name"),
                 stage_probability=m.get("stage_probability"), maturity_index=m.get("index"),
                 respondents=m.get("n_respondents"))
        c = {} if self.constraint is None else self.constraint.headline()
        h.update(constraint=c.get("constraint"), constraint_confidence=c.get("confidence"),
                 constraint_utilisation=c.get("utilisation"))
        p = self.planning
        if p is None:
            h.update(median_ratio=None, p80_uplift=None, backtest_p80_coverage=None,
                     inside_view_coverage=None, planning_unit_check=None)
        else:
            ph = p.headline()
            h.update(median_ratio=_num(ph["median_ratio"]), p80_uplift=_num(ph["p80_uplift"]),
                     backtest_p80_coverage=_num(ph["backtest_p80_coverage"]),
                     inside_view_coverage=_num(ph["backtest_inside_view_coverage"]),
                     planning_unit_check=ph["unit_check"])
        d = {} if self.decisions is None else self.decisions.headline()
        h.update(top_decider_share=d.get("top_share"),
                 equivalent_deciders=d.get("equivalent_deciders"),
                 decision_latency_p50=d.get("latency_p50"), truck_factor=d.get("truck_factor"))
        return h

    def summary(self) -> pd.DataFrame:
        """One row per analysis: ``part``, ``status`` (``"analysed"``, ``"no data"`` or
        ``"failed"``), its lead ``finding`` in words and how many ``notes`` it has."""
        rows = []
        for name, result, lead in (
                ("maturity", self.maturity, "stage"),
                ("planning", self.planning, "history"),
                ("constraint", self.constraint, "verdict"),
                ("decisions", self.decisions, None)):
            said = {n.code for n in self.notes
                    if n.part == name or (name == "constraint" and n.part == "flow")}
            status = ("analysed" if result is not None else
                      "failed" if said - {"missing_data"} else "no data")
            if result is None:
                finding = ""
            elif name == "decisions":
                finding = result.statement("router" if result.router else "concentration")
            else:
                finding = result.statement(lead) or ""
            rows.append({"part": name, "status": status, "finding": finding,
                         "notes": 0 if result is None else len(result.notes)})
        return pd.DataFrame(rows)

    def sentences(self) -> list[str]:
        """The executive summary in plain words: one finding per part that ran."""
        out = []
        if self.maturity is not None:
            out.append(self.maturity.statement("stage"))
        if self.constraint is not None:
            out.append(self.constraint.statement("verdict"))
        if self.planning is not None:
            # the outside view, then a doubt about the units, or the budget and how it held
            p = self.planning
            wanted = (("history", "units", "budget") if p.headline()["unit_check"]
                      else ("history", "budget", "backtest"))
            out.extend(filter(None, map(p.statement, wanted)))
        if self.decisions is not None:
            # the router pattern when it is there; otherwise how spread decisions are
            d = self.decisions
            out.append(d.statement("router" if d.router else "concentration"))
        if self.since_last is not None:
            c = self.since_last
            out.extend(filter(None, (c.statement("stage"), c.statement("constraint"))))
        if out:  # a diagnosis with nothing analysed says nothing
            days, due = self.client.spec.reassess_after_days, self.next_assessment_due
            out.append(f"The next re-assessment is due by {due.day} {due:%B %Y}, {days} days "
                       "after this one: a way of working that nobody maintains drifts back "
                       "within about a quarter.")
        return out

    def summary_sentences(self) -> list[str]:
        """The executive summary: :meth:`sentences` (the name it had first)."""
        return self.sentences()

    def to_dict(self) -> dict:
        """What ``results.json`` holds: :meth:`results`."""
        return self.results()

    def _title(self) -> str:
        return f"Diagnosis: {self.name}"

    # ------------------------------------------------------------------ recommendations
    def recommendations(self, k: int = 3) -> list[Recommendation]:
        """The ``k`` recommendations with the largest expected effect.

        Candidates and their effect (0..1, comparable across kinds):

        * the constraint: its utilisation times the verdict's confidence
          (an hour lost at the constraint is an hour lost for the whole line);
        * the founder-as-router (:attr:`DecisionReport.router`): the top
          decider's share of decisions times the share of their latency above
          everyone else's (:attr:`DecisionReport.router_share`, at least 0.25);
        * two-way doors treated as one-way: the share of reversible decisions;
        * planning optimism: the share of work that overran, at most 1;
        * each maturity blocker of the next stage: its gap to the threshold
          times its weight, over the total of the blockers (so the blockers
          together weigh as much as one finding).

        These are heuristics to order the findings, stated as such in the
        workbook's method notes, not estimates of money or time saved.
        """
        cands: list[Recommendation] = []
        c = self.constraint
        if c is not None and c.constraint is not None:
            row = c.stages.set_index("stage").loc[c.constraint]
            if row["utilisation"] >= 1.0:
                title = (f"Elevate {c.constraint}: more work arrives than it can finish, so "
                         "first keep it on the right work and take everything else off it, "
                         "then add capacity there and nowhere else")
            else:
                title = (f"Protect {c.constraint}: it runs at {row['utilisation']:.0%} of its "
                         "capacity, so work queues in front of it; keep it on the right work, "
                         "take everything else off it, and add capacity there, not elsewhere, "
                         "when demand grows")
            cands.append(Recommendation(
                title=title,
                mechanism="Theory of Constraints (Goldratt): improving any other stage does "
                          "not raise throughput",
                evidence=c.statement("verdict"), effect=float(min(1.0, row["utilisation"]) * c.confidence),
                source="flow"))
        d = self.decisions
        if d is not None:
            top = d.by_decider.iloc[0]
            if d.router:
                cands.append(Recommendation(
                    title=f"Move routine decisions off {top['decider']}: decision rights with "
                          "owners and thresholds, and limits within which a decision that "
                          "can be undone is carried out at once",
                    mechanism="Founder-as-router: every decision waits for one calendar; "
                              "governed activation replaces permission with guardrails",
                    evidence=d.statement("router"),
                    effect=float(top["share"] * max(d.router_share, 0.25)),
                    source="decisions"))
            if d.two_way_as_one_way:
                rev = d.by_reversibility.set_index("reversible")
                share = rev.at["reversible", "decisions"] / max(rev["decisions"].sum(), 1)
                cands.append(Recommendation(
                    title="Decide reversible (two-way door) decisions fast, close to the work",
                    mechanism="Two speeds of decision: a decision that cannot be undone "
                              "deserves deliberation; one that can be undone gains more from "
                              "being made quickly than from being made perfectly",
                    evidence=d.statement("two_way"),
                    effect=float(share) * 0.5, source="decisions"))
        p = self.planning
        if p is not None:
            h = p.headline()
            if h["unit_check"]:  # no budget advice from ratios that may compare days with hours
                cands.append(Recommendation(
                    title="Check that estimates and actuals are recorded in the same unit "
                          "before budgeting from them",
                    mechanism="Reference-class forecasting needs like-for-like ratios",
                    evidence=h["unit_check"][:1].upper() + h["unit_check"][1:],
                    effect=0.5, source="planning"))
            elif h["p80_uplift"] is not None and h["p80_uplift"] > 0.2:
                cands.append(Recommendation(
                    title=f"Budget from what past work of the same kind took: plan the "
                          f"estimate plus {h['p80_uplift']:.0%} to be on budget 8 times in 10, "
                          "not the bare estimate",
                    mechanism="Planning fallacy and reference-class forecasting",
                    evidence=p.statement("history"), effect=float(min(1.0, h["share_over"])) * 0.6,
                    source="planning"))
        m = self.maturity
        if m is not None and len(m.blockers):
            blockers = m.blockers
            total = float(blockers["priority"].sum()) or 1.0
            for b in blockers.head(5).itertuples():
                if not b.recommendation:
                    continue
                cands.append(Recommendation(
                    title=b.recommendation, mechanism=b.mechanism or "maturity practice",
                    evidence=_practice_evidence(b, m.params["threshold"]),
                    effect=float(b.priority / total), source="maturity"))
        cands.sort(key=lambda r: r.effect, reverse=True)
        return cands[:k]

    # ------------------------------------------------------------------ results
    def results(self) -> dict:
        """Headline metrics and tables, JSON-safe: what ``results.json`` holds (with
        ``since_last`` when the client has an earlier assessment)."""
        out = self._base_results()
        if self.since_last is not None:
            c = self.since_last
            out["since_last"] = c.to_dict()
            out["summary"] = self.sentences()
        return json_safe(out)

    def _base_results(self) -> dict:
        """The results of this assessment alone (what a later one compares itself with)."""
        out = {"headline": self.headline(), "summary": self.sentences() if not self.history
               else None,
               "recommendations": [r.__dict__ for r in self.recommendations()],
               "notes": self.notes, "params": json.loads(self.params.model_dump_json())}
        for key in ("client_dir", "results_path", "excel_path", "history_dir", "figures_dir",
                    "logo"):
            out["params"].pop(key, None)  # never record paths (nor the logo's bytes)
        if self.maturity is not None:
            m = self.maturity
            out["maturity"] = {**m.to_dict(), "attainment": json_safe(m.attainment.reset_index()),
                               "blockers_table": json_safe(m.blockers[
                                   ["item_id", "stage", "dimension", "score", "gap", "priority"]]),
                               "dimensions": json_safe(m.dimensions.reset_index()),
                               "item_scores": json_safe(m.item_scores[
                                   ["item_id", "stage", "dimension", "score", "n_answered"]])}
        if self.planning is not None:
            out["planning"] = self.planning.to_dict()
        if self.constraint is not None:
            out["constraint"] = self.constraint.to_dict()
            out["data_quality"] = json_safe(self.flow.quality_summary())
        if self.decisions is not None:
            out["decisions"] = self.decisions.to_dict()
        if self.heroes is not None:
            out["hero_dependency"] = json_safe(self.heroes)
        if self.paths is not None:
            out["communication_paths"] = json_safe(self.paths)
        if self.delegation is not None:
            out["delegation_chain"] = {"assumption": self.delegation.attrs.get("assumption"),
                                       "layers": json_safe(self.delegation.reset_index())}
        return json_safe(out)

    def __repr__(self) -> str:
        parts = [p for p in ("maturity", "planning", "constraint", "decisions")
                 if getattr(self, p) is not None]
        return f"<Diagnosis {self.name!r}: {', '.join(parts) or 'no analysis'}>"




#: The parts :func:`diagnose` can run, in the workbook's order.
PARTS = ("maturity", "planning", "flow", "decisions", "organisation")


def _part(d: Diagnosis, label: str, fn, strict: bool):
    """Run one analysis; a broken input becomes a note and a failure (or, when strict, raises)."""
    try:
        return fn()
    except DataError as exc:
        if strict:
            raise
        many = "" if len(exc.problems) == 1 else "s"
        missing = all(p.code == FILE_NOT_FOUND for p in exc.problems)
        d.notes.append(Note(label, "missing_data" if missing else "data_problems",
                            f"{label}: the data has {len(exc.problems)} problem{many}; first: "
                            f"{exc.problems[0]}"))
        d.failures[label] = exc
    except OpsdxError as exc:
        if strict:
            raise
        d.notes.append(Note(label, "failed", f"{label}: {exc}"))
        d.failures[label] = exc
    return None


def _practice_evidence(item, threshold: float) -> str:
    """What the answers say of one practice, in words: a statement of the problem (a reversed
    item) says so, since agreeing with it is what lowers the score."""
    quoted = f"\u201c{item.text.rstrip('.')}\u201d"
    sign = (" is a sign of the problem, so agreeing with it lowers the score;" if item.reverse
            else ":")
    return (f"{quoted}{sign} the answers score the practice {item.score:.2f} on a scale of 0 "
            f"to 1, where a stage needs {threshold:.2f}.")


def diagnose(client, params: WorkbookParams | dict | None = None, *,
             parts=PARTS, strict: bool = False) -> Diagnosis:
    """Run every analysis on a client folder (a path, a :class:`~opsdx.Client`, or params).

    This is the one place a client's results are assembled: the workbook
    notebook, the batch and the ``opsdx`` commands all call it.

    Parameters
    ----------
    client : path or Client
    params : WorkbookParams or dict, optional
        Seeds, sizes and options (``client_dir`` may be omitted in a dict).
    parts : sequence of str
        Which analyses to run, among :data:`PARTS`.
    strict : bool
        Raise the first broken input (:class:`~opsdx.DataError`). Without
        it, each broken input becomes a note and an entry of
        ``Diagnosis.failures`` (with all its problems), and the other parts go
        on; a missing data file is a note either way.

    Examples
    --------
    >>> d = diagnose("sample_data/northwind-freight", {"n_boot": 200, "trials": 500})
    >>> d.headline()["constraint"], d.headline()["stage"]
    ('Founder approval', 1)
    """
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise OpsdxError(f"unknown parts {', '.join(unknown)}; choose among {', '.join(PARTS)}")
    if not isinstance(client, Client):
        client = load_client(client)
    if not isinstance(params, WorkbookParams):
        params = workbook_params(**{"client_dir": str(client.path), **(params or {})})
    if params.columns or params.dates or params.ignore_columns:
        client = client.with_options(columns=params.columns, dates=params.dates,
                                     ignore_columns=params.ignore_columns)
    from ..flow import (communication_paths, decision_report, delegation_chain, find_constraint,
                        hero_dependency)
    from ..forecast import assess_planning
    from ..maturity import score_maturity

    notes: list[Note] = []
    d = Diagnosis(client=client, params=params, notes=notes)

    def part(label, fn):
        return _part(d, label, fn, strict)

    if "maturity" in parts:
        d.maturity = part("maturity", lambda: score_maturity(
            client.responses(), client.questionnaire, threshold=params.threshold,
            seed=params.seed, n_boot=params.n_boot))
    if "planning" in parts:
        if client.has("estimates"):
            def planning():
                estimates = d._read["estimates"] = client.estimates()
                by = [c for c in params.by if c in estimates.columns]
                missing = [c for c in params.by if c not in estimates.columns]
                if missing and strict:
                    raise OpsdxError(f"the estimates have no column {', '.join(missing)} "
                                     f"(they have {', '.join(map(str, estimates.columns))})")
                return assess_planning(estimates, by=by, weights=params.weights,
                                       seed=params.seed, trials=params.trials,
                                       as_of=params.as_of)
            d.planning = part("planning", planning)
        else:
            notes.append(Note("planning", "missing_data",
                              "planning: no estimates.csv, so no reference class or forecasts"))
    if "flow" in parts:
        if client.has("work_items"):
            d.flow = part("flow", client.work_items)
            if d.flow is not None:
                d.constraint = part("constraint",
                                    lambda: find_constraint(d.flow, freq=params.freq))
                if "owner" in d.flow.visits and d.flow.visits["owner"].notna().any():
                    d.heroes = part("hero dependency", lambda: hero_dependency(d.flow))
        else:
            notes.append(Note("constraint", "missing_data",
                              "constraint: no work_items.csv, status history or event log, "
                              "so no flow analysis"))
    if "decisions" in parts:
        if client.has("decisions"):
            def decisions():
                log = d._read["decisions"] = client.decisions()
                return decision_report(log)
            d.decisions = part("decisions", decisions)
        else:
            notes.append(Note("decisions", "missing_data",
                              "decisions: no decisions.csv, so no decision analysis"))
    if params.history_dir:
        from ..history import read_history

        known = part("history", lambda: read_history(params.history_dir)) or []
        d.history = [s for s in known if s.assessment_date < d.assessment_date]
        later = [s for s in known if s.assessment_date > d.assessment_date]
        if later:
            notes.append(Note("history", "later_assessments",
                              f"history: {len(later)} assessment{'s' if len(later) > 1 else ''} "
                              f"dated after this one ({later[-1].assessment_date}) left out: "
                              "this workbook compares only with earlier ones"))
    if "organisation" in parts:
        if client.spec.teams:
            d.paths = communication_paths(client.spec.teams)
        if client.spec.management_layers:
            d.delegation = delegation_chain(client.spec.management_layers)
    return d


def record_results(diagnosis: Diagnosis, path) -> Path:
    """Write ``diagnosis.results()`` to ``path`` as JSON, atomically; returns the path."""
    path = Path(path)
    write_text(path, json.dumps(diagnosis.results(), indent=2, ensure_ascii=False,
                                allow_nan=False) + "\n")
    return path
