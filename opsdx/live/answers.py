"""Answers from two files: those the client handed over and those given in interviews.

:meth:`opsdx.Client.responses` reads both through :func:`merge_responses`; a
respondent is in one of them only (the same id in both, compared without
regard to case or spaces, is an error naming both files).
"""

from __future__ import annotations

import pandas as pd

from ..errors import DataError, Problem
from ..maturity.questionnaire import Questionnaire
from ..maturity.responses import read_responses
from .store import INTERVIEWS, InterviewFile, respondent_key

__all__ = ["read_interviews", "merge_responses"]


def read_interviews(folder, questionnaire: Questionnaire, *, name: str | None = None
                    ) -> pd.DataFrame | None:
    """The validated answers of ``interviews.csv`` in ``folder`` (None when it has none).

    The rows are numbered as in the file (header = row 1), so a problem names
    the row a person would find in a spreadsheet.
    """
    file = InterviewFile(folder)
    if not file.exists():
        return None
    frame = file.read()
    if frame.empty:
        return None
    label = name or f"{file.folder.name}/{INTERVIEWS}"
    return read_responses(frame.drop(columns="answered_at"), questionnaire, shape="long",
                          name=label)


def merge_responses(handed: pd.DataFrame | None, live: pd.DataFrame | None) -> pd.DataFrame:
    """One tidy frame of both sources; a respondent found in both is an error.

    Each frame is the output of :func:`~opsdx.read_responses` (``attrs`` name
    its source); None stands for a file that is not there.
    """
    if live is None or handed is None:
        return handed if live is None else live
    handed_ids = {respondent_key(r): r for r in handed["respondent"].unique()}
    clash = [r for r in live["respondent"].unique() if respondent_key(r) in handed_ids]
    if clash:
        raise DataError([Problem(live.attrs.get("source", INTERVIEWS),
                                 f"respondent {r!r} is also in {handed.attrs.get('source')}",
                                 column="respondent", value=r,
                                 expected="each respondent in one file: another id for the "
                                          "interview, or the answers kept in one of the files")
                         for r in clash])
    out = pd.concat([handed, live], ignore_index=True)
    out["status"] = out["status"].astype(handed["status"].dtype)
    out.attrs.update(handed.attrs)
    out.attrs.update(source=f"{handed.attrs.get('source')} + {live.attrs.get('source')}",
                     sources=[handed.attrs.get("source"), live.attrs.get("source")])
    return out
