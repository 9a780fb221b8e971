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

__all__ = ["Result", "PROTOCOL", "table_html", "capital"]

#: The methods and attributes of the protocol (``plot_*`` methods are checked apart).
PROTOCOL = ("summary", "headline", "sentences", "notes", "to_dict", "_repr_html_")


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
    shown.columns = [str(c).replace("_", " ") for c in shown.columns]
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
        return self._statements().get(finding)

    def sentences(self) -> list[str]:
        """The findings in plain words, in the order of ``FINDINGS``."""
        found = self._statements()
        return [found[k] for k in self.FINDINGS if k in found]

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


def capital(text) -> str:
    """Escaped text that starts with a capital (a name such as "founder" may open it)."""
    text = str(text)
    return html.escape(text[:1].upper() + text[1:])
