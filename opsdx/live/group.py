"""The workshop view: a group of the client's respondents, and where they disagree most.

Answers may come in from other kernels (one interviewer each) while the
workshop runs: :meth:`Workshop.refresh` (the Refresh button) reads the files
again. Disagreement uses the agreement measures of
:func:`~opsdx.score_maturity`: ``rwg`` (1 = full agreement, 0 = as spread as
random answers), the spread of the answers and the largest gap between roles.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from ..client import Client, load_client
from ..errors import OpsdxError
from ..maturity import score_maturity
from ..results import table_html
from .interview import escaped
from .store import respondent_key

__all__ = ["workshop", "Workshop"]


def workshop(client, respondents=None, *, top: int = 10) -> "Workshop":
    """Open the workshop view of a client folder (or :class:`~opsdx.Client`).

    ``respondents`` preselects some of them (default: everyone); ``top`` is
    how many items the table shows.
    """
    return Workshop(client, respondents, top=top)


class Workshop:
    """The respondents picked (``picker``, a SelectMultiple) and their disagreements."""

    def __init__(self, client, respondents=None, *, top: int = 10):
        self.client = client if isinstance(client, Client) else load_client(client)
        self.top = int(top)
        self._responses = self.client.responses()
        everyone = list(dict.fromkeys(self._responses["respondent"]))
        by_key = {respondent_key(r): r for r in everyone}
        asked = everyone if respondents is None else [str(r) for r in respondents]
        chosen = [by_key.get(respondent_key(r), r) for r in asked]
        unknown = sorted(set(chosen) - set(everyone))
        if unknown:
            raise OpsdxError(f"no respondent {', '.join(map(repr, unknown))} among "
                             f"{self.client.name!r}'s: {', '.join(everyone)}")
        self.picker = w.SelectMultiple(options=everyone, value=tuple(chosen), rows=8,
                                       description="Respondents")
        self.refresh_button = w.Button(description="Refresh", icon="refresh",
                                       tooltip="Read the answers files again")
        self.table = w.HTML()
        self.picker.observe(lambda _: self._show(), "value")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.widget = w.VBox([w.HBox([self.picker, self.refresh_button]), self.table])
        self._show()

    @property
    def respondents(self) -> list[str]:
        return list(self.picker.value)

    def refresh(self) -> None:
        """Read the answers again (new interviews appear in the picker, already chosen)."""
        before = set(self.picker.options)
        chosen = set(self.picker.value)
        self._responses = self.client.responses()
        everyone = list(dict.fromkeys(self._responses["respondent"]))
        keep = [r for r in everyone if r in chosen or r not in before]
        self.picker.options = everyone
        self.picker.value = tuple(keep)
        self._show()

    def disagreements(self) -> pd.DataFrame:
        """The items the chosen respondents agree on least, lowest ``rwg`` first (then the
        widest spread): ``item_id, dimension, stage, text, n, mean_score, sd_answer,
        min_answer, max_answer, rwg, role_gap, role_low, role_high``."""
        chosen = self._responses[self._responses["respondent"].isin(self.picker.value)]
        if chosen["respondent"].nunique() < 2:
            raise OpsdxError("pick at least two respondents to see where they disagree")
        if not chosen["status"].eq("answered").any():
            raise OpsdxError("the respondents picked have no answers yet")
        result = score_maturity(chosen, self.client.questionnaire, n_boot=0)
        items = self.client.questionnaire.items[["item_id", "dimension", "stage", "text"]]
        table = items.merge(result.agreement, on="item_id")
        table = table[table["n"] >= 2].sort_values(["rwg", "sd_answer"],
                                                   ascending=[True, False], kind="stable")
        columns = ["item_id", "dimension", "stage", "text", "n", "mean_score", "sd_answer",
                   "min_answer", "max_answer", "rwg", "role_gap", "role_low", "role_high"]
        return table[columns].head(self.top).reset_index(drop=True)

    def _show(self) -> None:
        try:
            table = self.disagreements()
        except OpsdxError as exc:
            self.table.value = f"<p style='color:#555'>{escaped(exc)}</p>"
            return
        self.table.value = (f"<p>Where the {len(self.picker.value)} respondents picked "
                            f"disagree most (rwg: 1 = all agree, 0 = as spread as chance):</p>"
                            + table_html(table))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return (f"<Workshop of {self.client.name!r}: {len(self.picker.value)} of "
                f"{len(self.picker.options)} respondents>")
