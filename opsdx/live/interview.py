"""The interview form: one respondent's answers, given live in JupyterLab and saved at once::

    iv = opsdx.interview("clients/acme", respondent="R7", role="manager")
    iv                                    # the form, in JupyterLab
    iv.answer("PODS-2A", "Usually true")  # what a click does

Every answer goes to ``interviews.csv`` in the client folder the moment it is
given (:class:`~opsdx.live.store.InterviewFile`); reopening the form for the
same respondent, in a new kernel, fills it from the file. The live panel
scores the client's answers (the handed-over file and every interview) with a
light bootstrap after each answer, and with the full one on request.
"""

from __future__ import annotations

import difflib
import html
import math
import numbers
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..client import Client, load_client
from ..errors import OpsdxError
from ..maturity import score_maturity
from .answers import merge_responses, read_interviews
from .store import INTERVIEWS, KEEP, InterviewFile, respondent_key

__all__ = ["interview", "Interview", "practice_copy", "LIVE_BOOT", "FULL_BOOT"]

#: Bootstrap resamples of the live panel while answers come in (fast enough not to lag).
LIVE_BOOT = 200
#: Bootstrap resamples of the full score, on request.
FULL_BOOT = 2000
#: What the status of an item reads before it is asked.
_NOT_ASKED = "not asked yet"


def practice_copy(source, into) -> Path:
    """A copy of a client folder in the folder ``into`` (made once, then reused), to
    practise an interview on without writing to the original (a bundled sample, say).

    The copy keeps the folder's name; reopened, it holds the answers given so far.
    """
    source = Path(source)
    if not (source / "client.yaml").is_file():
        raise OpsdxError(f"{source} is not a client folder (no client.yaml)")
    target = Path(into) / source.name
    if not target.exists():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(INTERVIEWS, ".opsdx-*"))
    return target


def interview(client, respondent: str, role: str | None = None, *, n_boot: int = LIVE_BOOT,
              seed: int = 0, threshold: float = 0.75) -> "Interview":
    """Open the interview form of one respondent of a client (a folder or a :class:`Client`).

    Parameters
    ----------
    client : path or Client
        The client folder; its questionnaire makes the form.
    respondent : str
        The respondent's id. A respondent already interviewed continues where
        they stopped; one in the answers file the client handed over cannot be
        interviewed under the same id.
    role : str, optional
        The respondent's role (``"manager"``). A respondent has one role: a
        reopened interview keeps the role it was saved with.
    n_boot : int
        Bootstrap resamples of the live score (default :data:`LIVE_BOOT`).
    seed : int
        Seed of the bootstrap.
    threshold : float
        Attainment a stage needs, as in :func:`~opsdx.score_maturity`.

    Returns
    -------
    Interview
    """
    return Interview(client, respondent, role, n_boot=n_boot, seed=seed, threshold=threshold)


class Interview:
    """One respondent's interview: answers saved as they are given, the score following them.

    Attributes
    ----------
    client : Client
    respondent, role : str
    questionnaire : Questionnaire
    file : InterviewFile
        ``interviews.csv`` of the client folder.
    """

    def __init__(self, client, respondent: str, role: str | None = None, *,
                 n_boot: int = LIVE_BOOT, seed: int = 0, threshold: float = 0.75):
        self.client = client if isinstance(client, Client) else load_client(client)
        respondent = " ".join(str(respondent).split()) if respondent is not None else ""
        if not respondent:
            raise OpsdxError("an interview needs a respondent id, e.g. respondent='R7'")
        self.questionnaire = self.client.questionnaire
        self.file = InterviewFile(self.client.path)
        # "r7" reopens R7's interview: ids are matched as the answers readers match them
        known = {respondent_key(r): r for r in self.file.respondents()}
        self.respondent = known.get(respondent_key(respondent), respondent)
        respondent = self.respondent
        self.n_boot, self.seed, self.threshold = int(n_boot), seed, threshold
        self._handed = (self.client.handed_responses() if self.client.responses_path.is_file()
                        else None)
        self._refuse_handed_over_respondent()
        saved = self.file.rows_of(respondent)
        self.role = self._role(role, saved)
        items = self.questionnaire.items
        self.items = items.set_index("item_id")
        self._state = pd.DataFrame({"answer": "", "comment": "", "answered_at": "",
                                    "saved": False},
                                   index=pd.Index(items["item_id"], name="item_id"))
        self._unreadable: dict[str, str] = {}
        for item_id, row in saved.iterrows():  # one respondent's rows: a few dozen at most
            self._load(item_id, row)
        self._result = None
        self._form = None

    def _load(self, item_id: str, row) -> None:
        """Put one saved row into the state, its answer as the form names it."""
        try:
            item_id = self._item_id(item_id)
        except OpsdxError as exc:
            self._unreadable[str(item_id)] = f"{self.file.path.name}: {exc}"
            return
        try:
            label = self._label(item_id, row["answer"])
        except OpsdxError as exc:
            label = row["answer"]
            self._unreadable[item_id] = f"{self.file.path.name}: the saved answer of {exc}"
        else:
            self._unreadable.pop(item_id, None)
        self._state.loc[item_id, ["answer", "comment", "answered_at", "saved"]] = [
            label, row["comment"], row["answered_at"], True]

    # ------------------------------------------------------------------ answers
    def answer(self, item_id: str, value, comment: str | None = None) -> None:
        """Answer one item and save it at once: the path a click in the form takes.

        ``value`` is a label of the item's scale (``"Usually true"``, any case),
        a value on it (``3``), a not-applicable label (``"n/a"``) where the item
        allows it, or None (or ``""``) for a question seen and skipped.
        ``comment`` replaces the item's comment when given.

        Raises
        ------
        OpsdxError
            For an unknown item or a value that is not an answer to it; nothing
            is saved then.
        """
        item_id = self._item_id(item_id)
        label = self._label(item_id, value)
        self._save(item_id, label, KEEP if comment is None else str(comment))

    def comment(self, item_id: str, text: str) -> None:
        """Set the comment of one item, saved at once; its answer stays as the file has it."""
        self._save(self._item_id(item_id), KEEP, str(text or ""))

    def _save(self, item_id: str, label, comment) -> None:
        row = self.file.save(self.respondent, self.role, item_id, label, comment)
        self._load(item_id, row)
        self._result = None
        if self._form is not None:
            self._form.show_item(item_id)
            self._form.refresh_live()

    @property
    def problems(self) -> list[str]:
        """Saved answers the form cannot show (edited by hand, or the questionnaire changed
        since): the file keeps them until they are answered again."""
        return list(self._unreadable.values())

    @property
    def answers(self) -> pd.DataFrame:
        """This respondent's items: ``answer``, ``status``, ``comment``, ``answered_at``.

        ``status`` is ``answered``, ``n/a``, ``skipped`` (seen, left blank) or
        ``not asked yet``.
        """
        out = self._state.drop(columns="saved")
        na = {lab.casefold() for lab in self.questionnaire.na_labels}
        answer = out["answer"].str.strip().str.casefold()
        status = np.where(~self._state["saved"], _NOT_ASKED,
                          np.where(answer == "", "skipped",
                                   np.where(answer.isin(na), "n/a", "answered")))
        out.insert(1, "status", status)
        return out

    @property
    def progress(self) -> tuple[int, int]:
        """(items answered, items in the questionnaire); an N/A is an answer, a skip is not."""
        return progress_of(self.answers)

    # ------------------------------------------------------------------ the score
    @property
    def result(self):
        """The client's current :class:`~opsdx.MaturityResult`, every respondent so far
        (light bootstrap; computed once per change of the answers)."""
        if self._result is None:
            self._result = self.score(n_boot=self.n_boot)
        return self._result

    def score(self, n_boot: int = FULL_BOOT):
        """Score every respondent's answers so far with ``n_boot`` resamples."""
        responses = self.responses()
        if responses is None or not responses["status"].eq("answered").any():
            raise OpsdxError(f"{self.client.name}: no answers yet to score")
        return score_maturity(responses, self.questionnaire, n_boot=n_boot, seed=self.seed,
                              threshold=self.threshold)

    def responses(self) -> pd.DataFrame | None:
        """Every answer of the client so far: the handed-over file and every interview
        (None before the first answer of a client without an answers file)."""
        return merge_responses(self._handed, read_interviews(self.client.path, self.questionnaire))

    # ------------------------------------------------------------------ display
    @property
    def form(self):
        """The :class:`~opsdx.live.form.InterviewForm` (built on first use): the widgets of
        each item (``form.rows[item_id]``), the pages and the live panel."""
        if self._form is None:
            from .form import InterviewForm

            self._form = InterviewForm(self)
        return self._form

    @property
    def widget(self):
        """The form and the live panel, as one ipywidgets widget."""
        return self.form.widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        done, total = self.progress
        return (f"<Interview {self.respondent!r} ({self.role}) of {self.client.name!r}: "
                f"{done} of {total} answered, saved to {self.file.path}>")

    # ------------------------------------------------------------------ checks
    def _refuse_handed_over_respondent(self) -> None:
        if self._handed is None:
            return
        taken = {respondent_key(r) for r in self._handed["respondent"].unique()}
        if respondent_key(self.respondent) in taken:
            raise OpsdxError(
                f"respondent {self.respondent!r} is already in "
                f"{self._handed.attrs.get('source')}; interview them under another id, or "
                f"keep their answers in one file ({INTERVIEWS} is for the interviews)")

    def _role(self, role: str | None, saved: pd.DataFrame) -> str:
        given = " ".join(str(role).split()) if role is not None else ""
        stored = saved["role"].iloc[0] if len(saved) else ""
        if stored and given and given.casefold() != stored.casefold():
            raise OpsdxError(f"respondent {self.respondent!r} was interviewed as {stored!r}, "
                             f"not {given!r}: a respondent has one role")
        return stored or given or "unspecified"

    def _item_id(self, item_id: str) -> str:
        ids = {i.casefold(): i for i in self._state.index}
        found = ids.get(str(item_id).strip().casefold())
        if found is None:
            close = difflib.get_close_matches(str(item_id), list(self._state.index), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise OpsdxError(f"no item {item_id!r} in questionnaire "
                             f"{self.questionnaire.id!r}{hint}")
        return found

    def options(self, item_id: str) -> list[str]:
        """The answers the item takes, as the form shows them: its scale's labels, then N/A
        where the item allows it."""
        item = self.items.loc[self._item_id(item_id)]
        labels = list(self.questionnaire.scales[item["scale"]].labels)
        return labels + ([self.questionnaire.na_labels[0]] if item["allow_na"] else [])

    def _label(self, item_id: str, value) -> str:
        """The label stored for ``value``: its scale label, the N/A label, or "" (skipped)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        item = self.items.loc[item_id]
        scale = self.questionnaire.scales[item["scale"]]
        text = " ".join(str(value).split()) if not isinstance(value, numbers.Number) else ""
        if isinstance(value, str) and not text:
            return ""
        na = [lab.casefold() for lab in self.questionnaire.na_labels]
        if text.casefold() in na:
            if not item["allow_na"]:
                raise OpsdxError(f"{item_id} does not allow N/A; expected one of "
                                 f"{self._expected(item_id)}")
            return self.questionnaire.na_labels[0]
        for option in scale.options:
            if text and text.casefold() == " ".join(option.label.split()).casefold():
                return option.label
        number = value if isinstance(value, numbers.Number) and not isinstance(value, bool) \
            else _number(text)
        if number is not None and scale.numeric:
            for option in scale.options:
                if math.isclose(float(number), option.value):
                    return option.label
        raise OpsdxError(f"{item_id}: {value!r} is not an answer to this item; expected one of "
                         f"{self._expected(item_id)}")

    def _expected(self, item_id: str) -> str:
        item = self.items.loc[item_id]
        scale = self.questionnaire.scales[item["scale"]]
        shown = [f"{o.label!r} ({o.value:g})" if scale.numeric else repr(o.label)
                 for o in scale.options]
        if item["allow_na"]:
            shown.append(repr(self.questionnaire.na_labels[0]))
        return ", ".join(shown) + ", or None to skip"


def progress_of(answers: pd.DataFrame) -> tuple[int, int]:
    """(answered, total) of :attr:`Interview.answers`: an N/A is an answer, a skip is not."""
    return int(answers["status"].isin(["answered", "n/a"]).sum()), len(answers)


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def escaped(text) -> str:
    """Text from a questionnaire or a client, as HTML that shows it and never runs it."""
    return html.escape(str(text))
