"""The opsdx exception family.

Every error a user can fix by changing their input is an :class:`OpsdxError`
(itself a :class:`ValueError`, so ``except ValueError`` keeps working).
:class:`DataError` collects *all* the problems found in one input before it is
raised, in the manner of pandera's lazy validation: a consultant fixing a
client's spreadsheet sees every bad cell at once, not one per run.
"""

from __future__ import annotations

import numbers
from dataclasses import asdict, dataclass
from typing import Any, Iterable

import pandas as pd

__all__ = ["OpsdxError", "DataError", "QuestionnaireError", "Problem", "ProblemLog",
           "OpsdxWarning", "SmallSampleWarning"]

#: :attr:`Problem.code` of a data file that is not there (a missing section, not bad data)
FILE_NOT_FOUND = "file_not_found"
#: :attr:`Problem.code` of a row that an analysis leaves out and lists (it still runs)
ROW_SET_ASIDE = "row_set_aside"
#: :attr:`Problem.code` of a form column read as an item by its close wording (it is read)
READ_BY_WORDING = "read_by_wording"
#: The codes of problems that are notes: the analysis runs, and says what it did
NOT_BLOCKING = frozenset({FILE_NOT_FOUND, ROW_SET_ASIDE, READ_BY_WORDING})

#: How many problems the exception message spells out; all of them stay in
#: ``DataError.problems`` and ``DataError.to_frame()``.
MESSAGE_PROBLEM_LIMIT = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in an input.

    In a table (``kind="table"``), ``row`` is the spreadsheet row number as a
    person sees it (the header is row 1, the first data row is row 2) for
    CSV/XLSX files, or the index label for a DataFrame, and ``column`` is a
    column name. In a YAML file (``kind="yaml"``), ``row`` is the line number
    and ``column`` the YAML path, such as ``items[3].stage``; the message then
    says "line" and "at". ``code`` names the kind of problem for code that
    decides on it (:data:`FILE_NOT_FOUND`, :data:`ROW_SET_ASIDE`,
    :data:`READ_BY_WORDING`), so that no
    decision reads the message.
    """

    file: str
    message: str
    row: Any = None
    column: str | None = None
    value: Any = None
    expected: str | None = None
    kind: str = "table"
    code: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        yaml = self.kind == "yaml"
        if self.row is not None:
            where.append(f"{'line' if yaml else 'row'} {self.row}")
        if self.column is not None:
            where.append(f"{'at' if yaml else 'column'} {self.column!r}")
        text = ", ".join(where) + ": " + self.message
        if self.value is not None:
            text += f" (value {_show(self.value)})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class OpsdxError(ValueError):
    """Base class of every error opsdx raises about its inputs or arguments."""


class OpsdxWarning(UserWarning):
    """Base class of opsdx's warnings: results computed, but read them with care."""


class SmallSampleWarning(OpsdxWarning):
    """Too little data for what was asked (e.g. a P90 from five past tasks)."""


class DataError(OpsdxError):
    """Input data failed validation; ``problems`` lists every problem found.

    Examples
    --------
    >>> err = DataError([Problem("answers.csv", "unknown item id", row=4,
    ...                          column="item_id", value="K9",
    ...                          expected="an item of questionnaire 'maturity'")])
    >>> print(err)
    answers.csv: 1 problem
      answers.csv, row 4, column 'item_id': unknown item id (value 'K9'); expected an item of questionnaire 'maturity'
    >>> err.to_frame()[["row", "column", "value"]]
       row   column value
    0    4  item_id    K9
    """

    def __init__(self, problems: Iterable[Problem], *, title: str | None = None):
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            raise ValueError("DataError needs at least one problem")
        files = sorted({p.file for p in self.problems})
        n = len(self.problems)
        head = title or ", ".join(files)
        lines = [f"{head}: {n} problem{'s' if n != 1 else ''}"]
        lines += [f"  {p}" for p in self.problems[:MESSAGE_PROBLEM_LIMIT]]
        if n > MESSAGE_PROBLEM_LIMIT:
            lines.append(
                f"  ... and {n - MESSAGE_PROBLEM_LIMIT} more "
                "(all are listed in DataError.problems and DataError.to_frame())"
            )
        super().__init__("\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        """All problems as a tidy frame (file, row, column, value, message, expected, kind, code)."""
        columns = ["file", "row", "column", "value", "message", "expected", "kind", "code"]
        return pd.DataFrame([asdict(p) for p in self.problems], columns=columns)


class QuestionnaireError(DataError):
    """A questionnaire definition is invalid; ``column`` holds the YAML path."""


class ProblemLog:
    """Collects problems while an input is checked, then raises them together.

    >>> log = ProblemLog("client.yaml")
    >>> log.add("missing field", column="name")
    >>> log.raise_if_any()
    Traceback (most recent call last):
    ...
    opsdx.errors.DataError: client.yaml: 1 problem
      client.yaml, column 'name': missing field
    """

    def __init__(self, file: str, error: type[DataError] = DataError, *, kind: str = "table"):
        self.file = file
        self.error = error
        self.kind = kind
        self.problems: list[Problem] = []

    def add(self, message: str, *, row: Any = None, column: str | None = None,
            value: Any = None, expected: str | None = None, file: str | None = None) -> None:
        if isinstance(row, numbers.Integral):
            row = int(row)  # numpy integers print and serialise as plain numbers
        self.problems.append(Problem(file or self.file, message, row, column, value, expected,
                                     self.kind))

    def add_rows(self, message: str, rows: pd.Series, values: pd.Series, *,
                 column: str, expected: str | None = None) -> None:
        """Add one problem per element (``rows`` and ``values`` aligned)."""
        for row, value in zip(rows.tolist(), values.tolist()):
            self.add(message, row=row, column=column, value=value, expected=expected)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        """Raise every problem collected so far, ordered by file, row and column."""
        if self.problems:
            raise self.error(sorted(self.problems, key=_problem_order))


def _problem_order(p: Problem):
    row = (0, p.row, "") if isinstance(p.row, numbers.Real) else (1, 0, str(p.row))
    return (p.file, row, str(p.column))
