"""The result protocol: the one surface every opsdx result has.

Every analysis returns a result object (:class:`~opsdx.MaturityResult`,
:class:`~opsdx.PlanningResult`, :class:`~opsdx.forecast.BacktestResult`,
:class:`~opsdx.ConstraintReport`, :class:`~opsdx.DecisionReport`,
:class:`~opsdx.workbook.Diagnosis`), and each of them offers:

``summary()``
    A DataFrame: the result's main table, one row per stage, class,
    decider or part.
``headline()``
    A JSON-safe dict of the few figures an executive summary quotes (None
    where a figure was not computed).
``sentences()``
    The findings in plain words, rendered from the result's fields (code never
    parses them back).
``notes``
    A list of :class:`~opsdx.notes.Note`: what limits the result, each with
    the ``part`` that wrote it and a ``code``.
``to_dict()``
    JSON-safe data through :func:`opsdx.output.json_safe`.
``_repr_html_()``
    Its display in JupyterLab: the sentences, the summary table and the notes,
    every string escaped (a client's names and labels never become markup).
``plot_*(ax=None, ...)``
    Charts that draw on ``ax`` (a new figure when None) and return the Axes.

:class:`Result` supplies the display; a class implements the rest. The test
suite checks every public result class against this list.
"""

from __future__ import annotations

import html
from typing import ClassVar

import pandas as pd

from .errors import OpsdxError

__all__ = ["Result", "PROTOCOL", "table_html", "capital", "PLAIN_HEADERS", "plain_header"]

#: The methods and attributes of the protocol (``plot_*`` methods are checked apart).
PROTOCOL = ("summary", "headline", "sentences", "notes", "to_dict", "_repr_html_")


#: Column names as a manager reads them, for every table a client sees (HTML and Excel);
#: a name not listed loses its underscores. The statistics' names stay in the method notes.
PLAIN_HEADERS = {
    # maturity
    "attainment": "practices in place (0-1)", "attainment_ci_low": "at least (likely)",
    "attainment_ci_high": "at most (likely)", "met": "clears the bar", "reached": "reached",
    "p_at_stage": "chance this is the stage", "p_at_least": "chance of at least this stage",
    "item_id": "item", "score": "score (0-1)", "gap": "gap to the bar", "priority": "priority",
    "score_ci_low": "at least (likely)", "score_ci_high": "at most (likely)",
    "score_to_next": "score on the next stage's items", "score_to_next_ci_low": "next: at least",
    "score_to_next_ci_high": "next: at most", "n_items": "items", "alpha": "consistency of items",
    "alpha_n": "respondents in consistency", "reverse": "worded in reverse",
    # flow and the constraint
    "arrivals_per_week": "work arriving a week", "departures_per_week": "work finished a week",
    "mean_wip": "work in progress (average)", "time_p50": "days in stage (typical)",
    "time_p85": "days in stage (85 in 100 within)", "wait_p50": "days waiting (typical)",
    "servers": "people or slots", "service_days": "days of work per item",
    "capacity_per_week": "can finish a week", "utilisation": "share of capacity needed",
    "utilisation_se": "share of capacity: margin", "next_idle_share": "idle share of the stages it feeds",
    "net_flow_per_week": "arriving minus finished a week",
    "wip_growth_per_week": "work in progress growth a week",
    "period_start": "from", "period_end": "to", "confidence": "how sure",
    "items_in_stage": "items in stage", "items_touched": "items they touched",
    "share_of_items": "share of items", "equivalent_people": "people it is spread over",
    # decisions
    "latency_p50": "days to decide (typical)", "latency_p85": "days to decide (85 in 100 within)",
    "longest_wait_days": "longest wait (days)", "waiting_days": "days waited in all",
    "share": "share of decisions", "escalated_share": "share escalated",
    "p_faster": "chance reversible ones are faster",
    # planning
    "n": "items", "share_under": "under estimate", "share_on": "on estimate",
    "share_over": "over estimate", "ratio_p50": "actual / estimate (typical)",
    "ratio_p80": "actual / estimate (8 in 10 within)", "ratio_p90": "actual / estimate (9 in 10 "
    "within)", "uplift_p50": "add to estimate (typical)", "uplift_p80": "add to be on budget "
    "8 in 10", "uplift_p90": "add to be on budget 9 in 10", "median_ratio": "actual / estimate "
    "(typical)", "p80_ratio": "actual / estimate (8 in 10 within)",
    "enough_history": "enough history", "tasks_inside_view": "estimated total",
    "p50": "even chance", "p80": "8 in 10", "p90": "9 in 10", "p": "confidence",
    "coverage": "share that came in within", "over_size": "over the size that works",
    # comparison
    "score_before": "score then", "score_now": "score now", "before": "then", "now": "now",
}


def plain_header(name) -> str:
    """The header a manager reads for a column name (see :data:`PLAIN_HEADERS`)."""
    return PLAIN_HEADERS.get(str(name), str(name).replace("_", " "))


def table_html(frame: pd.DataFrame, *, digits: int = 2, max_rows: int = 60) -> str:
    """``frame`` as an HTML table: numbers rounded, every cell and name escaped.

    Booleans read "yes" and "no", infinite capacities "unlimited", and column
    names lose their underscores. Longer frames show their first ``max_rows``.

    >>> cells = table_html(pd.DataFrame({"stage": ["<b>Build</b>"], "is_met": [True]}))
    >>> "&lt;b&gt;Build" in cells, "<th>is met</th>" in cells, "<td>yes</td>" in cells
    (True, True, True)
    """
    shown = frame.head(max_rows).copy()
    for col in shown.columns:
        if pd.api.types.is_bool_dtype(shown[col]):
            shown[col] = shown[col].map({True: "yes", False: "no"})
        elif pd.api.types.is_float_dtype(shown[col]):
            values = shown[col].round(digits)
            if values.isin([float("inf")]).any():
                values = values.astype(object).where(values != float("inf"), "unlimited")
            shown[col] = values
    shown.columns = [plain_header(c) for c in shown.columns]
    return shown.to_html(index=False, escape=True, na_rep="", border=0, classes="opsdx-table")


class Result:
    """The shared part of the result protocol: the display in JupyterLab.

    A subclass implements ``summary()``, ``headline()``, ``notes`` and
    ``to_dict()``, and either names its findings (``FINDINGS`` and
    ``_statements()``, from which :meth:`statement` and :meth:`sentences`
    come) or writes its own ``sentences()``; it may override :meth:`_title`
    (the display's heading, plain text).
    """

    #: The analysis a result belongs to; its notes carry this ``part``.
    part: ClassVar[str] = ""
    #: The names of its findings, in the order :meth:`sentences` gives them (empty when a
    #: class renders its sentences another way).
    FINDINGS: ClassVar[tuple[str, ...]] = ()

    def _statements(self) -> dict[str, str]:
        """The sentence of every finding that holds, by name (a class with FINDINGS has it)."""
        raise NotImplementedError(f"{type(self).__name__} has no named findings")

    def statement(self, finding: str) -> str | None:
        """The sentence of one finding of ``FINDINGS``, or None where it does not hold.

        A name that is not one of the findings is an error, so a typo never
        reads as a finding that does not apply.
        """
        if finding not in self.FINDINGS:
            raise OpsdxError(f"no finding {finding!r}; findings: {', '.join(self.FINDINGS)}")
        found = self._statements().get(finding)
        return None if found is None else sentence_case(found)

    def sentences(self) -> list[str]:
        """The findings in plain words, in the order of ``FINDINGS`` (each starting with a
        capital, also where a name such as "founder" opens it)."""
        found = self._statements()
        return [sentence_case(found[k]) for k in self.FINDINGS if k in found]

    def _title(self) -> str:
        return type(self).__name__

    def _repr_html_(self) -> str:
        """The sentences, the summary table and the notes, all escaped."""
        lines = "".join(f"<p>{capital(s)}</p>" for s in self.sentences())
        table = self.summary()
        shown = table_html(table) if len(table) else ""
        notes = "".join(f"<li>{capital(n)}</li>" for n in self.notes)
        notes = (f'<ul style="color:#555">{notes}</ul>' if notes else "")
        return (f'<div class="opsdx-result"><h4>{html.escape(self._title())}</h4>'
                f"{lines}{shown}{notes}</div>")


def sentence_case(text) -> str:
    """Text that starts with a capital, also where a name such as "founder" opens it (not
    escaped: :func:`capital` is this for HTML)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def likelihood(p: float) -> str:
    """A probability as a reader says it: ``almost certain`` above 0.99 (a percentage of
    100% from a resample would claim more than it can), else ``93% likely``.

    >>> likelihood(0.9995), likelihood(0.93), likelihood(0.41)
    ('almost certain', '93% likely', '41% likely')
    """
    return "almost certain" if p > 0.99 else f"{p:.0%} likely"


def capital(text) -> str:
    """Escaped text that starts with a capital (a name such as "founder" may open it)."""
    return html.escape(sentence_case(text))
