"""Shared reading of tabular input: CSV, XLSX or an in-memory DataFrame.

Every loader in opsdx goes through :func:`read_table`, so all of them agree on

* encodings: UTF-8 (with or without BOM) and UTF-16 with a BOM are read as
  such; anything else is decoded as Windows-1252 (a superset of Latin-1 for
  printable text, what Excel on Windows writes), falling back to Latin-1 for
  the five bytes cp1252 leaves undefined. The encoding used is recorded in
  ``frame.attrs["encoding"]``.
* cells are read as text (``dtype=str``) and blanks stay blank: pandas'
  default would turn the strings ``"NA"`` and ``"N/A"`` into missing values,
  which would confuse *not applicable* with *skipped*.
* separators: comma, or semicolon (what Excel writes where the decimal mark
  is a comma), tab or pipe, whichever the header line uses most;
* workbooks are read cell by cell with openpyxl: an error cell keeps its text
  (``#N/A``) and a formula without a saved value its formula, so that neither
  passes for a blank; formulas are never evaluated;
* row numbers as a person sees them in a spreadsheet: the header is row 1 and
  the first data row is row 2 (``frame.attrs["row_offset"]``). Problems are
  reported against these numbers.

Input files are only ever opened for reading.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd

from .errors import DataError, OpsdxError, Problem, ProblemLog

__all__ = ["Source", "Table", "read_table", "require_columns"]

Source = Union[str, os.PathLike, pd.DataFrame]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


@dataclass
class Table:
    """A frame of text cells plus where it came from.

    ``rows`` maps each data row to its row number in the source (header = 1).
    """

    frame: pd.DataFrame
    name: str
    rows: pd.Series
    encoding: str | None = None
    header_row: int | None = None  #: 1 for files; None for a DataFrame (no header row)
    sheets: list = field(default_factory=list)  #: sheet names of a workbook


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def read_table(source: Source, *, name: str | None = None, sheet: str | int = 0) -> Table:
    """Read a CSV/XLSX path or a DataFrame into a :class:`Table` of text cells.

    Parameters
    ----------
    source : path or DataFrame
        ``.csv`` / ``.txt`` files are read as comma-separated text, ``.xlsx`` /
        ``.xlsm`` with openpyxl (cached cell values, never formulas).
    name : str, optional
        How the source is named in error messages; defaults to the file name,
        or ``"<DataFrame>"``.
    sheet : str or int
        The worksheet of an Excel file.

    Raises
    ------
    DataError
        The file is missing, empty, has no data rows, or is not the format its
        name claims.

    Examples
    --------
    >>> t = read_table(pd.DataFrame({"a": [1, None], "b": ["N/A", "x"]}))
    >>> t.frame.to_dict("list")
    {'a': ['1', ''], 'b': ['N/A', 'x']}
    >>> t.rows.tolist()
    [0, 1]
    """
    if isinstance(source, pd.DataFrame):
        label = name or "<DataFrame>"
        names = [str(c).strip() for c in source.columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise DataError([Problem(label, "column name appears more than once", column=n,
                                     expected="each column name once") for n in repeated])
        frame = pd.DataFrame({n: _column_text(source.iloc[:, i]) for i, n in enumerate(names)})
        if frame.empty:
            raise DataError([Problem(label, "no data rows", expected="at least one row")])
        rows = pd.Series(source.index, index=frame.index)
        return Table(frame.reset_index(drop=True), label, rows.reset_index(drop=True))
    if not isinstance(source, (str, os.PathLike)):
        raise OpsdxError(f"cannot read answers from a {type(source).__name__}: "
                         "give the path of a CSV or XLSX file, or a pandas DataFrame")

    path = Path(source)
    label = name or path.name or str(path)
    if path.is_dir():
        raise DataError([Problem(label, f"{path} is a folder, not a file",
                                 expected="the path of a CSV or XLSX file")])
    if not path.is_file():
        raise DataError([Problem(label, f"file not found: {path}")])
    with path.open("rb") as fh:
        raw = fh.read()
    if not raw.strip():
        raise DataError([Problem(label, "file is empty", expected="a header row and data rows")])

    suffix = path.suffix.lower()
    encoding = None
    sheets: list[str] = []
    if suffix in {".xlsx", ".xlsm"}:
        if not raw.startswith(_ZIP_MAGIC):
            raise DataError([Problem(label, "not an Excel .xlsx workbook",
                                     expected="a file saved as Excel Workbook (.xlsx) or as CSV (.csv)")])
        grid, sheets = _read_workbook(raw, sheet, label)
    elif suffix == ".xls" or raw.startswith(_OLE_MAGIC):
        raise DataError([Problem(label, "legacy .xls workbooks are not read",
                                 expected="the sheet saved as .xlsx or .csv")])
    else:
        if raw.startswith(_ZIP_MAGIC):
            raise DataError([Problem(label, "this file is an Excel workbook (zip), not CSV text",
                                     expected="the file named .xlsx, or the sheet saved as CSV")])
        text, encoding = _decode(raw)
        if "\x00" in text:
            raise DataError([Problem(label, "binary content (NUL bytes) in a text file",
                                     expected="CSV text")])
        try:
            # parse the bytes with the encoding found (faster than re-reading the decoded text)
            codec = {"utf-8": "utf-8-sig"}.get(encoding, encoding)
            grid = pd.read_csv(io.BytesIO(raw), encoding=codec, header=None, dtype=str,
                               keep_default_na=False,
                               skip_blank_lines=False,  # keep row numbers those of the file
                               skipinitialspace=True, sep=_delimiter(text))
        except pd.errors.ParserError as exc:
            detail = " ".join(str(exc).split())
            found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", detail)
            if found:
                n, line, saw = (int(g) for g in found.groups())
                raise DataError([Problem(label, f"row has {saw} fields but the header has {n}",
                                         row=line, expected="the same number of fields on every "
                                         "row (quote cells that contain the separator)")]) from None
            raise DataError([Problem(label, f"malformed CSV: {detail}",
                                     expected="the same number of fields on every line")]) from None
        except pd.errors.EmptyDataError:
            raise DataError([Problem(label, "file is empty",
                                     expected="a header row and data rows")]) from None

    frame = _with_header(grid, label)
    if frame.empty:
        raise DataError([Problem(label, "no data rows under the header", row=2,
                                 expected="at least one data row")])
    rows = pd.Series(frame.index + 2, index=frame.index)
    frame.attrs["encoding"] = encoding
    return Table(frame, label, rows, encoding, header_row=1, sheets=sheets)


def _read_workbook(raw: bytes, sheet, label: str) -> tuple[pd.DataFrame, list[str]]:
    """A worksheet as a grid of text, with openpyxl directly.

    pandas turns error cells (``#N/A``) and formulas without a saved value
    into blanks, which would read as *skipped* answers; here an error cell
    keeps its text (``#N/A``) and a formula without a saved value its formula
    (``=1+2``), so that both are reported instead. Formulas are never
    evaluated.
    """
    import openpyxl

    try:
        values = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise DataError([Problem(label, f"cannot read the workbook: {exc}")]) from None
    sheets = list(values.sheetnames)
    if isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise DataError([Problem(label, f"no sheet number {sheet}",
                                     expected=f"0 to {len(sheets) - 1}")])
        sheet = sheets[sheet]
    if sheet not in sheets:
        raise DataError([Problem(label, f"no sheet named {sheet!r}",
                                 expected=f"one of {', '.join(sheets)}")])
    rows = []
    for cached, written in zip(values[sheet].iter_rows(values_only=True),
                               formulas[sheet].iter_rows(values_only=True)):
        rows.append([_cell_text(v if v is not None else w) for v, w in zip(cached, written)])
    values.close()
    formulas.close()
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return grid, sheets


def _cell_text(value) -> str:
    """Text of one workbook cell: whole numbers without ``.0``, dates as ISO text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):  # a date, or a time of day alone
        return value.isoformat()
    return str(value)


def _with_header(grid: pd.DataFrame, label: str) -> pd.DataFrame:
    """First row as header, checked: no duplicate names; blank ones only over empty columns.

    Reading with ``header=None`` keeps pandas from renaming a repeated header
    ``x`` to ``x.1``, which would hide the duplicate.
    """
    header = [str(h).strip() for h in grid.iloc[0]] if len(grid) else []
    body = grid.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    keep, problems = [], []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        cells = _column_text(body[i])
        if not name:
            if (cells != "").any():
                problems.append(Problem(label, "column has data but no header", row=1,
                                        column=f"#{i + 1}", expected="a header for every column"))
            continue
        if name in seen:
            problems.append(Problem(label, f"column name appears twice (columns {seen[name] + 1} "
                                           f"and {i + 1})", row=1, column=name,
                                    expected="each column name once"))
            continue
        seen[name] = i
        keep.append((name, cells))
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame(dict(keep), index=body.index)
    # rows with no content at all (spreadsheets keep them after deletions) carry no data;
    # the index keeps every other row's position, so row numbers stay those of the file
    if not len(frame.columns):
        return frame
    # only rows whose first cell is blank can be blank throughout: check those alone
    first_blank = frame.iloc[:, 0] == ""
    if not first_blank.any():
        return frame
    empty = np.zeros(len(frame), dtype=bool)
    candidates = np.flatnonzero(first_blank.to_numpy())
    empty[candidates] = (frame.iloc[candidates] == "").all(axis=1).to_numpy(dtype=bool)
    return frame[~empty]


def _delimiter(text: str) -> str:
    """The separator of the header line: comma, or semicolon (European Excel) or tab.

    >>> _delimiter("respondent;role;item_id\\n"), _delimiter("a,b;c\\n")
    (';', ',')
    """
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","


def _column_text(column: pd.Series) -> pd.Series:
    """Text form of a column, vectorised: blanks stay blank, whole numbers lose ``.0``."""
    column = column.reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        numbers = column.astype(float)
        whole = numbers.notna() & (numbers % 1 == 0)
        text = numbers.astype(str)
        text[whole] = numbers[whole].astype("int64").astype(str)
        return text.where(numbers.notna(), "")
    if column.isna().any():
        column = column.astype(object).where(column.notna(), "")
    return column.astype(str).str.strip()


def require_columns(table: Table, required: list[str], log: ProblemLog,
                    *, hint: str | None = None) -> bool:
    """Record a problem for each missing column; return True when all are present."""
    missing = [c for c in required if c not in table.frame.columns]
    found = ", ".join(map(str, table.frame.columns)) or "none"
    sheets = f"; workbook sheets: {', '.join(table.sheets)}" if len(table.sheets) > 1 else ""
    for col in missing:
        log.add("required column is missing", row=table.header_row, column=col,
                expected=(hint or f"a header with columns {', '.join(required)}")
                + f" (found: {found}{sheets})")
    return not missing
