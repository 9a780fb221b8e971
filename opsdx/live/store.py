"""``interviews.csv``: the answers given in JupyterLab, saved as they are given.

Widget state dies with the kernel, so every answer of a live interview lives
in a file in the client folder, next to the files the client handed over
(which are only ever read). The file is long-shaped, one row per respondent
and item, with the columns of :data:`COLUMNS`::

    respondent,role,item_id,answer,comment,answered_at
    R7,manager,PODS-2A,Usually true,,2026-12-06T10:14:03.512+00:00
    R7,manager,PODS-2B,N/A,we have no second pod,2026-12-06T10:14:40.101+00:00
    R7,manager,PODS-2C,,,2026-12-06T10:15:02.977+00:00

A blank answer is a question seen and skipped; ``N/A`` is not applicable.
Every save rewrites the whole file atomically (a temporary file renamed over
it) under a lock, so two kernels saving at once never lose each other's rows
and a crash never leaves half a file. Text that a spreadsheet would take for
a formula (``=...``, ``+...``), or that starts with an apostrophe, is stored
with a leading apostrophe, which :meth:`InterviewFile.read` removes again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import pandas as pd

from ..errors import DataError, OpsdxError, Problem
from ..output import atomic_path

__all__ = ["InterviewFile", "INTERVIEWS", "COLUMNS", "KEEP", "respondent_key"]

#: The file name of the live answers in a client folder.
INTERVIEWS = "interviews.csv"
#: Its columns, in order.
COLUMNS = ("respondent", "role", "item_id", "answer", "comment", "answered_at")
#: The lock beside it (a batch's inputs hash leaves it out).
LOCK = ".opsdx-interviews.lock"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = _FORMULA_START + ("'",)


def _escape(column: pd.Series) -> pd.Series:
    """Text a spreadsheet would run (or an apostrophe that would be read as ours) gets one."""
    text = column.astype(str)
    return text.where(~text.str.startswith(_ESCAPED), "'" + text)


def _unescape(column: pd.Series) -> pd.Series:
    return column.where(~column.str.startswith("'"), column.str[1:])


def respondent_key(text) -> str:
    """How respondent ids are told apart: spaces collapsed, case ignored (``" r7"`` is R7)."""
    return " ".join(str(text).split()).casefold()


#: Passed for a field of :meth:`InterviewFile.save` that keeps what the file holds.
KEEP = object()


def now_text() -> str:
    """The current time as ISO 8601 with milliseconds and the UTC offset."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


class InterviewFile:
    """The ``interviews.csv`` of one client folder: read, and save one answer at a time.

    Parameters
    ----------
    folder : path
        The client folder.
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.path = self.folder / INTERVIEWS

    def exists(self) -> bool:
        return self.path.is_file()

    def read(self) -> pd.DataFrame:
        """Every row, as text, indexed by its spreadsheet row (header = row 1).

        Raises
        ------
        DataError
            When the file lacks one of :data:`COLUMNS` (all missing ones named).
        """
        if not self.exists():
            return pd.DataFrame(columns=list(COLUMNS), dtype=object).rename_axis("row")
        try:
            frame = pd.read_csv(self.path, dtype=str, keep_default_na=False,
                                encoding="utf-8-sig")
        except pd.errors.EmptyDataError:  # a file emptied by hand: no answers yet
            return pd.DataFrame(columns=list(COLUMNS), dtype=object).rename_axis("row")
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise DataError([Problem(f"{self.folder.name}/{INTERVIEWS}",
                                     f"column {c!r} is missing", column=c,
                                     expected=f"the columns {', '.join(COLUMNS)}")
                             for c in missing])
        frame = frame[list(COLUMNS)].apply(_unescape)
        frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
        return frame

    def respondents(self) -> list[str]:
        """The respondents with at least one row, in the order they first appear."""
        return list(dict.fromkeys(self.read()["respondent"]))

    def rows_of(self, respondent: str) -> pd.DataFrame:
        """The rows of one respondent (matched by :func:`respondent_key`), indexed by item id."""
        frame = self.read()
        return frame[frame["respondent"].map(respondent_key) == respondent_key(respondent)
                     ].set_index("item_id")

    def save(self, respondent: str, role: str, item_id: str, answer=KEEP, comment=KEEP,
             *, answered_at: str | None = None) -> dict:
        """Set one respondent's row for one item (added, or updated in place), atomically.

        ``answer`` and ``comment`` left as :data:`KEEP` keep what the file holds
        under the lock (an answer saved by another kernel is never overwritten
        by a comment typed here). Respondents and item ids are matched as the
        readers match them (case and spaces ignored), and a respondent keeps
        the role the file gives them. The caller (an :class:`~opsdx.Interview`)
        has checked the values against the questionnaire; the other rows are
        kept as they were, in their order. Returns the row as saved.

        Raises
        ------
        OpsdxError
            When the file gives the respondent another role.
        """
        with self._locked():
            frame = self.read().reset_index(drop=True)
            mine = frame["respondent"].map(respondent_key) == respondent_key(respondent)
            if mine.any():
                stored = frame.loc[mine, "role"].iloc[0]
                if stored.casefold() != str(role).casefold():
                    raise OpsdxError(f"{self.folder.name}/{INTERVIEWS}: respondent "
                                     f"{respondent!r} was interviewed as {stored!r}, not "
                                     f"{role!r}: a respondent has one role")
                respondent, role = frame.loc[mine, "respondent"].iloc[0], stored
            same = mine & (frame["item_id"].str.casefold() == item_id.casefold())
            old = frame[same].iloc[0] if same.any() else None
            row = {"respondent": respondent, "role": role, "item_id": item_id,
                   "answer": (old["answer"] if old is not None else "") if answer is KEEP
                   else answer,
                   "comment": (old["comment"] if old is not None else "") if comment is KEEP
                   else comment,
                   "answered_at": answered_at or now_text()}
            if same.any():
                frame.loc[same, list(COLUMNS)] = [row[c] for c in COLUMNS]
            else:
                frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
            self._write(frame)
        return row

    def _write(self, frame: pd.DataFrame) -> None:
        shown = frame[list(COLUMNS)].apply(_escape)
        with atomic_path(self.path) as tmp:
            shown.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")

    @contextlib.contextmanager
    def _locked(self):
        """An exclusive lock across processes (two kernels on one client); none on Windows."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: one writer at a time, documented
            yield
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / LOCK, os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def __repr__(self) -> str:
        return f"<InterviewFile {self.path}>"
