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
* timestamps: the columns a loader names in ``times=`` are parsed while a CSV
  file is read, in one vectorised pass (pandas' ISO 8601 parser working on
  the file's bytes: fractions of any length, ``T`` or a space, ``Z`` or an
  offset, dates alone). A column that holds anything else (a typo, ``TBD``,
  offsets other than UTC, which usually change with daylight saving, a year
  alone) comes back as the file's text, with any pandas version, and
  :func:`parse_timestamps` parses it with a problem for each bad cell.

Input files are only ever opened for reading.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime as dt
import io
import os
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence, Union

import numpy as np
import pandas as pd

from .errors import FILE_NOT_FOUND, DataError, OpsdxError, Problem, ProblemLog

__all__ = ["Source", "Table", "read_table", "read_header", "require_columns",
           "parse_timestamps", "parse_moments", "conventions", "DAYFIRST_FORMATS"]

Source = Union[str, os.PathLike, pd.DataFrame]

#: Day-first dates as spreadsheets in most of the world write them (``dates: {dayfirst: true}``)
DAYFIRST_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S",
                    "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%y %H:%M",
                    "%d/%m/%y", "%d.%m.%y")


@dataclass(frozen=True)
class _Conventions:
    columns: dict  #: file stem -> {opsdx's column name: the client's header}
    formats: tuple  #: date formats tried after ISO 8601
    anywhere: dict = field(default_factory=dict)  #: {opsdx's name: header}, in any file having it


_CONVENTIONS: contextvars.ContextVar = contextvars.ContextVar("opsdx_conventions",
                                                              default=_Conventions({}, ()))


@contextlib.contextmanager
def conventions(*, columns: dict | None = None, formats: Sequence[str] = (),
                anywhere: dict | None = None):
    """A client's own conventions while its files are read: ``columns`` maps a file's stem
    (``work_items``) to ``{opsdx name: the client's header}``, ``anywhere`` maps headers in
    whichever file has them (``opsdx ... --column item_id=Ticket``), and ``formats`` are the
    ``strftime`` formats of dates that are not ISO 8601 (tried, in order, on the cells ISO 8601
    does not read). :class:`~opsdx.Client` sets them from ``client.yaml`` and the options.

    >>> with conventions(formats=["%d/%m/%Y"]):
    ...     parse_timestamps(pd.Series(["05/01/2026", "2026-01-06"]))[0].tolist()
    [Timestamp('2026-01-05 00:00:00'), Timestamp('2026-01-06 00:00:00')]
    """
    token = _CONVENTIONS.set(_Conventions(dict(columns or {}), tuple(formats),
                                          dict(anywhere or {})))
    try:
        yield
    finally:
        _CONVENTIONS.reset(token)


def in_client_names(exc: DataError, mapping: dict) -> DataError:
    """``exc`` with each problem's column named as the client's file names it (``mapping``:
    opsdx's name -> the client's header)."""
    return DataError([replace(p, column=mapping.get(p.column, p.column)) for p in exc.problems])


def _renamed(frame: pd.DataFrame, stem: str, label: str) -> pd.DataFrame:
    """``frame`` with the client's headers named as opsdx names them (``columns:``; the
    ``anywhere`` mappings where the file has the header and not the column already)."""
    given = _CONVENTIONS.get()
    mapping = given.columns.get(stem) or {}
    present = {str(c).strip().casefold(): c for c in frame.columns}
    loose = {ours: theirs for ours, theirs in given.anywhere.items()
             if ours not in mapping and ours not in frame.columns
             and str(theirs).strip().casefold() in present}
    mapping = {**loose, **mapping}
    if not mapping:
        return frame
    problems, rename = [], {}
    for ours, theirs in mapping.items():
        found = present.get(str(theirs).strip().casefold())
        if found is None:
            problems.append(Problem(label, f"columns: maps {ours} to {theirs!r}, which the file "
                                           "does not have", row=1, column=str(theirs),
                                    expected="one of its columns: "
                                             + ", ".join(map(str, frame.columns))))
        elif ours in frame.columns and found != ours:
            problems.append(Problem(label, f"columns: maps {ours} to {theirs!r}, but the file "
                                           f"has a column {ours} too", row=1, column=ours,
                                    expected="one column for each"))
        else:
            rename[found] = ours
    if problems:
        raise DataError(problems)
    return frame.rename(columns=rename)


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


def read_table(source: Source, *, name: str | None = None, sheet: str | int = 0,
               times: Sequence[str] = ()) -> Table:
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
    times : list of str
        Columns of timestamps. In a CSV file, such a column whose every cell
        is an ISO 8601 date or timestamp (or blank) is returned as
        ``datetime64`` (blanks as ``NaT``; zoned, in UTC, when every cell
        gives ``Z`` or a zero offset); otherwise (other offsets, which usually
        change with daylight saving, among them), and in workbooks and
        DataFrames, as text like every other column, as the file wrote it.
        Read either with :func:`parse_timestamps`.

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
        raise DataError([Problem(label, "file not found", code=FILE_NOT_FOUND)])
    with path.open("rb") as fh:
        raw = fh.read()
    if raw[:4096].isspace() and not raw.strip():
        raise DataError([Problem(label, "file is empty", expected="a header row and data rows")])

    suffix = path.suffix.lower()
    encoding, sep = None, ","
    sheets: list[str] = []
    if suffix in {".xlsx", ".xlsm"}:
        if not raw.startswith(_ZIP_MAGIC):
            raise DataError([Problem(label, "not an Excel .xlsx workbook",
                                     expected="a file saved as Excel Workbook (.xlsx) or as CSV (.csv)")])
        grid, sheets = _read_workbook(raw, sheet, label)
        header, body = list(grid.iloc[0]) if len(grid) else [], grid.iloc[1:]
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
            sep = _delimiter(text)
            header, body = _read_csv(raw, encoding, sep, times)
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

    strip = encoding is None or not body.attrs.get("stripped") and _padded(raw, sep)
    frame = _renamed(_with_header(header, body, label, strip=strip), path.stem.casefold(), label)
    if frame.empty:
        raise DataError([Problem(label, "no data rows under the header", row=2,
                                 expected="at least one data row")])
    rows = pd.Series(frame.index + 2, index=frame.index)
    frame.attrs["encoding"] = encoding
    return Table(frame, label, rows, encoding, header_row=1, sheets=sheets)


def read_header(source: Source, *, sheet: str | int = 0) -> list[str]:
    """The column names of a table, cheaply: the first row of a CSV file or worksheet (or
    a DataFrame's columns), without reading the rest. ``[]`` when it cannot be read (the
    reader itself reports why)."""
    if isinstance(source, pd.DataFrame):
        return [str(c).strip() for c in source.columns]
    path = Path(source)
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
        if head.startswith(_ZIP_MAGIC):
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
                first = next(ws.iter_rows(max_row=1, values_only=True), ())
            finally:
                book.close()
            return [_cell_text(v).strip() for v in first]
        text, _ = _decode(head)
    except Exception:  # noqa: BLE001 - any unreadable file: the reader says why
        return []
    line = text.splitlines()[0] if text else ""
    return [c.strip() for c in next(csv.reader([line], delimiter=_delimiter(text)), [])]


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


def _read_csv(raw: bytes, encoding: str, sep: str, times: Sequence[str]):
    """The header cells and the body of a CSV file (columns numbered from 0).

    The header is read on its own, so that a repeated name is seen as such
    (pandas would rename the second ``x`` to ``x.1``) and so that the body's
    timestamp columns can be handed to pandas' ISO 8601 parser by position.
    The bytes are parsed with the encoding found (faster than re-reading the
    decoded text).
    """
    codec = {"utf-8": "utf-8-sig"}.get(encoding, encoding)
    options = dict(encoding=codec, sep=sep, keep_default_na=False, skipinitialspace=True,
                   skip_blank_lines=False)  # blank lines kept: row numbers are the file's
    first = pd.read_csv(io.BytesIO(raw), header=None, nrows=1, dtype=str, **options)
    header = [str(h) for h in first.iloc[0]] if len(first) else []
    names = list(range(len(header)))
    wanted = {t.strip() for t in times}
    dated = [i for i, h in enumerate(header) if h.strip() in wanted]
    body = _arrow_body(raw, encoding, sep, header, dated)
    if body is not None:
        return header, body
    if dated:
        # offsets other than UTC usually change with daylight saving, which pandas' parser
        # refuses only after a full pass: such columns are read as text at once
        head = pd.read_csv(io.BytesIO(raw), header=0, names=names, index_col=False, nrows=500,
                           usecols=dated, dtype=str, **options)
        dated = [i for i in dated if not _local_offsets(_column_text(head[i]))]
    with warnings.catch_warnings(record=True) as caught:
        # pandas 2 warns (and leaves the column as objects) when offsets differ between rows
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("always", pd.errors.ParserWarning)
        body = pd.read_csv(io.BytesIO(raw), header=0, names=names, index_col=False,
                           dtype={i: str for i in names if i not in dated},
                           parse_dates=dated, date_format="ISO8601",
                           na_values={i: [""] for i in dated}, **options)
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        # the first data row is longer than the header: pandas drops the extra fields with
        # a warning, where the plain reading names the row (and raises ParserError)
        grid = pd.read_csv(io.BytesIO(raw), header=None, dtype=str, **options)
        return [str(h) for h in grid.iloc[0]], grid.iloc[1:]
    # read again as written: a column that a year or a month alone ("2025", "2025-03") may have
    # given the first of a month, and one that pandas 2 left as objects (offsets that differ
    # between rows, or values it could not parse: their printout is not the file's text)
    again = [i for i in dated if (_maybe_reduced(body[i]) if _naive_times(body[i]) else not (
        pd.api.types.is_datetime64_any_dtype(body[i]) or pd.api.types.is_string_dtype(body[i])))]
    if again:
        text = pd.read_csv(io.BytesIO(raw), header=0, names=names, index_col=False,
                           usecols=again, dtype=str, **options)
        for i in again:
            body[i] = text[i]
    return header, body


#: CSV files of at least this many bytes are parsed by pyarrow's CSV reader when pyarrow is
#: installed (smaller ones take less than a tenth of a second either way)
ARROW_MIN_BYTES = 1 << 20


def _arrow_body(raw: bytes, encoding: str, sep: str, header: list[str],
                dated: list[int]) -> pd.DataFrame | None:
    """The body of a large, regular UTF-8 CSV file parsed by pyarrow (about five times
    faster than pandas' parser, and it parses offsets that change from row to row in the
    same pass); None to leave the file to pandas.

    pyarrow reads a file exactly as the pandas path does, or not at all: anything it
    would read otherwise (a ragged line, a cell that starts with a space, which
    ``skipinitialspace`` trims, a header row spanning lines) sends the file to pandas,
    which reads it and names any problem. Text cells come back stripped (the attribute
    ``stripped`` says so), by pyarrow's trim, which removes exactly what ``str.strip``
    does, and only in the columns that need it. The columns in ``dated`` come back as
    ``datetime64`` when every non-blank cell is an ISO 8601 timestamp that pyarrow's strict
    parser reads (in UTC when they all carry an offset, naive when none does), and as text
    otherwise, for :func:`parse_timestamps`: both give the same moments.
    """
    if encoding != "utf-8" or len(raw) < ARROW_MIN_BYTES or not header:
        return None
    first_line = raw[:raw.find(b"\n")] if b"\n" in raw else raw
    if first_line.count(b'"') % 2:
        return None  # a quoted header cell with a line break in it
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    names = [str(i) for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if table.num_rows == 0:
        return None
    columns = {}
    for i, name in enumerate(names):
        cells = table.column(name)
        # pyarrow trims exactly the characters str.strip does (every code point checked)
        trimmed = pc.utf8_trim_whitespace(cells)
        if pc.any(pc.not_equal(trimmed, cells)).as_py():
            if any(pc.any(pc.starts_with(cells, space)).as_py() for space in (" ", "\t")):
                return None  # pandas skips spaces after a separator, before a quote: let it
            cells = trimmed
        if i in dated:
            cells = _arrow_times(cells, pa, pc)
        columns[i] = cells.to_pandas()
    body = pd.DataFrame(columns)
    body.attrs["stripped"] = True  # every text cell: no need to strip them again
    return body


def _arrow_times(cells, pa, pc):
    """Text cells as UTC or naive timestamps (blanks as nulls) when all of them read so."""
    blank = pc.equal(cells, "")
    if pc.all(blank).as_py():
        return cells
    given = pc.if_else(blank, pa.scalar(None, pa.string()), cells)
    # a year a nanosecond timestamp cannot hold (1677-09-21 to 2262-04-11; 9999-12-31):
    # older pyarrow wraps it round instead of refusing it, so such cells (and any cell that
    # does not begin with its year, such as " 2025") go to pandas, which sets them aside by row
    lowest, highest = pc.min_max(given).values()  # ISO 8601 text sorts as its years do
    if lowest.as_py() < "1678" or highest.as_py() >= "2262":
        return cells
    for kind in (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")):
        try:
            return pc.cast(given, kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return cells


def _naive_times(column: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(column) and column.dt.tz is None


def _local_offsets(cells: pd.Series) -> bool:
    """Whether ISO 8601 cells carry an offset other than UTC (``Z``, ``+00``, ``+0000``, ``+00:00``)."""
    zoned = cells[_has_offset(cells).to_numpy(bool)]
    return bool(len(zoned)) and not zoned.str.contains(r"(?:[Zz]|[+-]00(?::?00)?)$").all()


def _maybe_reduced(times: pd.Series) -> bool:
    """Whether a parsed column has a value that a year or a month alone would give."""
    moments = times.dropna().to_numpy()  # at its own resolution: 9999-12-31 fits in none finer
    days = moments.astype("datetime64[D]")
    midnight = days[days == moments]
    return bool((midnight.astype("datetime64[M]") == midnight).any())


def _padded(raw: bytes, sep: str) -> bool:
    """Whether a CSV file's bytes may hold a cell with spaces around it that
    ``skipinitialspace`` leaves (before a separator, a line end or a quote; after a quote or
    at a line's start), or whitespace other than the space (tabs, no-break spaces, Unicode
    spaces, in any of the encodings read). False means no cell needs stripping: the reader
    skips a pass over every cell, the largest cost of reading a big file.

    >>> _padded(b"a,b\\n1,2\\n", ","), _padded(b"a,b\\n1 ,2\\n", ","), _padded(b'a\\n" x"\\n', ",")
    (False, True, True)
    """
    end = re.escape(sep.encode())
    # each pattern starts with a literal byte, which the regular-expression engine finds fast
    patterns = [rb" (?:" + end + rb'|[\r\n"])', rb"\n ", rb'" ']
    if sep != "\t":
        patterns.append(rb"\t")  # tabs anywhere: the slower pass decides
    return (raw[:1].isspace() or raw.rstrip(b"\r\n")[-1:].isspace()
            or any(re.search(p, raw) for p in patterns)
            # the rest of the bytes once printable ASCII is out: any other whitespace?
            or _ODD_SPACE.search(raw.translate(None, _PLAIN)) is not None)


_PLAIN = bytes(range(0x20, 0x7F)) + b"\t\n\r"
#: Bytes of whitespace other than the space and tab: control spaces, the no-break space and
#: NEL (one byte in cp1252 and latin-1, and continuation bytes in UTF-8: a false alarm only
#: costs the slower pass), and the Unicode spaces in UTF-8.
_ODD_SPACE = re.compile(rb"[\x0b\x0c\x1c-\x1f\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
                        rb"|\xe2\x81\x9f|\xe3\x80\x80")


def _with_header(header: list, body: pd.DataFrame, label: str, *,
                 strip: bool = True) -> pd.DataFrame:
    """The body under its header, checked: no duplicate names; blank ones only over empty columns.

    Text columns come back stripped (``strip=False``: the caller knows no cell needs it),
    blanks as ""; timestamp columns parsed by :func:`_read_csv` stay as they are.
    """
    header = [str(h).strip() for h in header]
    body = body.reset_index(drop=True)
    body.columns = range(body.shape[1])
    keep, problems = [], []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        cells = body[i] if pd.api.types.is_datetime64_any_dtype(body[i]) else \
            _column_text(body[i], strip=strip)
        if not name:
            if (~_blank(cells)).any():
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
    first_blank = _blank(frame.iloc[:, 0])
    if not first_blank.any():
        return frame
    candidates = np.flatnonzero(first_blank.to_numpy())
    rest = frame.iloc[candidates]
    empty = np.zeros(len(frame), dtype=bool)
    empty[candidates] = np.logical_and.reduce([_blank(rest[c]).to_numpy(bool)
                                               for c in rest.columns])
    return frame[~empty]


def _blank(cells: pd.Series) -> pd.Series:
    """Blank cells: "" in text, NaT in a parsed timestamp column."""
    if pd.api.types.is_datetime64_any_dtype(cells):
        return cells.isna()
    return cells == ""


def _delimiter(text: str) -> str:
    """The separator of the header line: comma, or semicolon (European Excel) or tab.

    >>> _delimiter("respondent;role;item_id\\n"), _delimiter("a,b;c\\n")
    (';', ',')
    """
    header = text[:text.find("\n")] if "\n" in text[:65536] else text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","


def _column_text(column: pd.Series, *, strip: bool = True) -> pd.Series:
    """Text form of a column, vectorised: blanks stay blank, whole numbers lose ``.0``,
    spaces around text go (unless ``strip=False``)."""
    column = column.reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        numbers = column.astype(float)
        whole = numbers.notna() & (numbers % 1 == 0)
        text = numbers.astype(str)
        text[whole] = numbers[whole].astype("int64").astype(str)
        return text.where(numbers.notna(), "")
    if column.isna().any():
        column = column.astype(object).where(column.notna(), "")
    return column.astype(str).str.strip() if strip else column.astype(str)


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


def parse_timestamps(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Timestamps from a column of :func:`read_table`, and which cells carried an offset.

    ``cells`` is either a parsed column (``datetime64``, naive or zoned) or
    stripped text ("" for blank). Text is parsed as ISO 8601 in one
    vectorised pass: dates alone, ``T`` or a space, fractions of any length,
    ``Z``, `` UTC`` or an offset (``+01``, ``+0100``, ``+01:00``), and
    offsets that change from row to row. Zoned values are converted to UTC. A year or a
    month alone is not a moment in time and stays unparsed (``NaT``), as does
    anything else that is not ISO 8601.

    Returns
    -------
    times : Series of datetime64[ns]
        Naive; UTC where the cell gave an offset. ``NaT`` for blank or
        unreadable cells.
    aware : Series of bool
        Whether each cell gave an offset, so that a caller can refuse a
        column that mixes zoned and naive cells.

    Examples
    --------
    >>> times, aware = parse_timestamps(pd.Series(
    ...     ["2025-03-30 01:30", "2025-03-30T03:30:00.5+02:00", "2025-03-30", "2025", "",
    ...      "2025-03-30 01:30:00 UTC"]))
    >>> times.tolist()
    [Timestamp('2025-03-30 01:30:00'), Timestamp('2025-03-30 01:30:00.500000'), Timestamp('2025-03-30 00:00:00'), NaT, NaT, Timestamp('2025-03-30 01:30:00')]
    >>> aware.tolist()
    [False, True, False, False, False, True]
    """
    if pd.api.types.is_datetime64_any_dtype(cells):
        zoned = cells.dt.tz is not None
        times = cells.dt.tz_convert("UTC").dt.tz_localize(None) if zoned else cells
        times = _nanoseconds(times)
        return times, times.notna() & zoned
    text = cells if pd.api.types.is_string_dtype(cells) else cells.astype(str)
    times = _iso_utc(text)
    missed = times.isna() & (text != "")
    if missed.any():
        # RFC 3339 allows a lower-case "t" and "z", and BigQuery writes " UTC": pandas takes
        # neither; only the cells that did not parse pay for the second pass
        fixed = text[missed].str.upper().str.replace(r"\s*(?:UTC|GMT)$", "Z", regex=True)
        times[missed] = _iso_utc(fixed)
        text = text.copy()
        text[missed] = fixed
    # a year alone ("2025") or a month ("2025-03") is not a moment in time
    times = times.where(text.str.len() >= 10)
    aware = _has_offset(text, times.notna().to_numpy())
    return client_formats(times, text), aware


def client_formats(times: pd.Series, text: pd.Series) -> pd.Series:
    """``times`` with the cells it left NaT read by the client's own date formats
    (:func:`conventions`), in order, as naive times at the resolution of ``times``."""
    for fmt in _CONVENTIONS.get().formats:
        missed = times.isna() & (text != "")
        if not missed.any():
            break
        found = pd.to_datetime(text[missed], format=fmt, errors="coerce")
        found = found.where(found.between(pd.Timestamp.min, pd.Timestamp.max))  # 31/12/9999
        times = times.where(~missed, found.astype(times.dtype))
    return times


def _iso_utc(text: pd.Series) -> pd.Series:
    """ISO 8601 text as naive UTC (naive text as written); NaT where it is not ISO 8601."""
    with warnings.catch_warnings():  # pandas 2 warns about offsets that differ between rows
        warnings.simplefilter("ignore", FutureWarning)
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
    return _nanoseconds(parsed.dt.tz_localize(None))


#: Jira's own date format in CSV exports and many apps' reports: ``12/Mar/24 3:15 PM``.
JIRA_DATE_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M",
                     "%d/%b/%y")


def parse_moments(cells: pd.Series, date_format: str | None = None
                  ) -> tuple[pd.Series, pd.Series]:
    """Timestamps from text, and which cells gave an offset (as
    :func:`parse_timestamps`): ``date_format`` when given, else ISO 8601 and
    then Jira's ``12/Mar/24 3:15 PM`` forms (local time, no offset). NaT where none reads.

    >>> times, aware = parse_moments(pd.Series(["2024-03-12T15:15:00.000+0100",
    ...                                         "12/Mar/24 3:15 PM", "x"]))
    >>> times.tolist()
    [Timestamp('2024-03-12 14:15:00'), Timestamp('2024-03-12 15:15:00'), NaT]
    >>> aware.tolist()
    [True, False, False]
    """
    if pd.api.types.is_datetime64_any_dtype(cells):
        return parse_timestamps(cells)
    text = cells if pd.api.types.is_string_dtype(cells) else cells.astype(str)
    if date_format:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce", utc=True)
        aware = pd.Series(bool("%z" in date_format or "%Z" in date_format), index=text.index)
        return parsed.dt.tz_localize(None).astype("datetime64[ns]"), aware & parsed.notna()
    times, aware = parse_timestamps(text)
    for fmt in JIRA_DATE_FORMATS:
        missed = times.isna() & (text != "")
        if not missed.any():
            break
        times = times.where(~missed, pd.to_datetime(text[missed], format=fmt, errors="coerce"))
    return times.astype("datetime64[ns]"), aware & times.notna()


#: Why a timestamp is set aside when its column mixes zoned and naive times
MIXED_ZONES = "time zone given on some rows but not on others"


def mixed_zones(times: pd.Series, aware: pd.Series) -> pd.Series:
    """The cells of the smaller group when readable times mix offsets and none (both groups
    when they tie): which time a naive cell means is not known.

    >>> t, a = parse_timestamps(pd.Series(["2025-01-01T10:00Z", "2025-01-01 10:00",
    ...                                    "2025-01-02T09:00+01:00", "x"]))
    >>> mixed_zones(t, a).tolist()
    [False, True, False, False]
    """
    read = times.notna()
    n_aware, n_naive = int((aware & read).sum()), int((~aware & read).sum())
    if not (n_aware and n_naive):
        return pd.Series(False, index=times.index)
    odd = pd.Series(False, index=times.index)
    if n_naive <= n_aware:
        odd |= ~aware
    if n_aware <= n_naive:
        odd |= aware
    return read & odd


#: Why a date such as 9999-12-31 is set aside, for the readers' row-level problems
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}\b")


def dates_expected(unread: pd.Series) -> str:
    """What a date cell that was not read should have been: ISO 8601 or, when the client's
    ``dates:`` are set, those; and when the cells look like ``31/01/2026`` (or ``01/31/2026``),
    the ``dates:`` setting (or ``--dates`` option) that reads them.

    >>> dates_expected(pd.Series(["31/01/2026 09:00", "05/02/2026"]))
    'ISO 8601, e.g. 2025-03-04 or 2025-03-04 14:30; these look day-first (31/01/2026): say so with dates: {dayfirst: true} in client.yaml or --dates dayfirst'
    """
    formats = _CONVENTIONS.get().formats
    base = "ISO 8601, e.g. 2025-03-04 or 2025-03-04 14:30"
    if formats:
        shown = ", ".join(formats[:3]) + (", ..." if len(formats) > 3 else "")
        return f"{base}, or the client's dates ({shown})"
    parts = unread.astype(str).str.extract(_NUMERIC_DATE).astype(float).dropna()
    if not len(parts):
        return base
    day_first, month_first = (parts[0] > 12).any(), (parts[1] > 12).any()
    if day_first and not month_first:
        return (f"{base}; these look day-first (31/01/2026): say so with dates: "
                "{dayfirst: true} in client.yaml or --dates dayfirst")
    if month_first and not day_first:
        return (f"{base}; these look month-first (01/31/2026): say so with dates: "
                "'%m/%d/%Y' in client.yaml or --dates '%m/%d/%Y' (%H:%M for a time)")
    return (f"{base}; for dates such as 05/01/2026 say whether the day or the month comes "
            "first: dates: {dayfirst: true} or dates: '%m/%d/%Y' in client.yaml "
            "(or --dates)")


FAR_DATE = "a date before 1677 or after 2262"


def far_dates(cells: pd.Series) -> pd.Series:
    """Which cells hold a date outside the years 1677 to 2262, that a timestamp cannot hold.

    >>> far_dates(pd.Series(["9999-12-31", "2025-01-01", "TBD", "0001-01-01T00:00Z"])).tolist()
    [True, False, False, True]
    """
    if pd.api.types.is_datetime64_any_dtype(cells):
        naive = cells.dt.tz_localize(None) if cells.dt.tz is not None else cells
        return cells.notna() & ~naive.between(pd.Timestamp.min, pd.Timestamp.max)
    year = pd.to_numeric(cells.astype(str).str.extract(r"^\s*(\d{4})-\d\d", expand=False),
                         errors="coerce")
    return (year < 1678) | (year > 2261)


def _nanoseconds(times: pd.Series) -> pd.Series:
    """Naive times as ``datetime64[ns]``; NaT for those it cannot hold (years 1677 to 2262).

    pandas 3 parses ``9999-12-31`` (a placeholder some systems write for
    "open") at a coarser resolution; such a value is not a moment of the work.
    """
    if times.dtype != "datetime64[ns]":
        times = times.where(times.between(pd.Timestamp.min, pd.Timestamp.max))
    return times.astype("datetime64[ns]")


def _has_offset(text: pd.Series, among: np.ndarray | None = None) -> pd.Series:
    """Whether each (upper-case) ISO 8601 text of those ``among`` ends in ``Z`` or an offset.

    The date's own hyphens stand before position 11, where the time of day
    starts (``2025-03-04T``); a ``+`` appears nowhere else. The cheapest test
    goes first, the others run only on the cells it leaves undecided.

    >>> _has_offset(pd.Series(["2025-03-04", "2025-03-04 10:00-05", "2025-03-04T10:00:00+01:00",
    ...                        "2025-03-04 10:00:00.5Z", "20250304T1000-0500", ""])).tolist()
    [False, True, True, True, True, False]
    """
    among = np.asarray(text != "", bool) if among is None else among
    aware = np.array(text.str.contains("+", regex=False), bool) & among
    rest = among & ~aware
    if rest.any():
        undecided = text[rest]
        aware[rest] = np.asarray(undecided.str.endswith("Z")
                                 | (undecided.str.rfind("-") >= 11), bool)
    return pd.Series(aware, index=text.index)
