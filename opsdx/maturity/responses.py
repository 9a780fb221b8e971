"""Reading questionnaire answers: long or wide, CSV, XLSX or a DataFrame.

The result is always the same tidy frame, one row per respondent x item of
the questionnaire (absent answers are filled in as *skipped*):

========== ============================================================
column     meaning
========== ============================================================
respondent respondent identifier, as given
role       the respondent's role (``"unspecified"`` when the file has none)
item_id    questionnaire item
dimension  the item's dimension
stage      the stage (2..5) at which the item's practice is expected
answer     the answer text as given (blank when skipped)
value      the numeric scale value (NaN unless answered on a numeric scale)
status     ``answered``, ``n/a`` (not applicable: excluded from scoring) or
           ``skipped`` (blank: missing, reported in coverage)
comment    free text, when the file has a ``comment`` column
row        where the answer is in the source: the spreadsheet row (header =
           row 1), or the index label of a DataFrame
========== ============================================================

Reading is lenient about presentation (case and surrounding spaces of labels
and headers, ``3`` or ``3.0`` or the label ``Usually true``) and strict about
meaning: every answer that is not on the item's scale, unknown item ids,
duplicate answers and the like are collected and raised together as one
:class:`~opsdx.errors.DataError`.
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from ..errors import OpsdxError, ProblemLog
from ..tables import Source, Table, read_table, require_columns
from .questionnaire import Questionnaire, load_questionnaire

__all__ = ["read_responses", "STATUSES", "WIDE_IGNORED_COLUMNS"]

#: The three answer statuses, in this order (a pandas categorical).
STATUSES = ["answered", "n/a", "skipped"]
_STATUS_DTYPE = pd.CategoricalDtype(STATUSES)

#: In a wide file without a ``respondent`` column, the first of these columns present
#: identifies the respondent (case-insensitive); without any, respondents are "row 2", ...
RESPONDENT_STAND_INS = ("email address", "email", "e-mail", "name", "id")

#: Columns that form tools add to wide exports and that are ignored (case-insensitive).
WIDE_IGNORED_COLUMNS = frozenset({
    "id", "timestamp", "submitted", "submitted_at", "start time", "completion time",
    "last modified time", "email", "email address", "name",
})

#: What Excel shows in a cell whose formula failed.
_EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                           "#SPILL!", "#CALC!"})

_COLUMNS = ["respondent", "role", "item_id", "dimension", "stage", "answer", "value",
            "status", "comment", "row"]


def read_responses(source: Source, questionnaire: Questionnaire | str = "maturity", *,
                   shape: str = "auto", ignore_columns=(), name: str | None = None,
                   sheet: str | int = 0) -> pd.DataFrame:
    """Read and validate questionnaire answers.

    Parameters
    ----------
    source : path or DataFrame
        A CSV or XLSX file, or a DataFrame, in one of two shapes:

        * **long**: columns ``respondent, role, item_id, answer`` and
          optionally ``comment``; one row per answer;
        * **wide**: a ``respondent`` column, optionally ``role``, and one
          column per item, one row per respondent (as form tools export). An
          item's column is headed by its id, by its id followed by text
          (``KNOW-2A: In the last month...``) or by the item's text itself.
          Columns such as ``Timestamp`` or ``Email`` are ignored (see
          :data:`WIDE_IGNORED_COLUMNS`), as are those in ``ignore_columns``.

        Item ids, labels, N/A labels and the names of the columns above are
        matched without regard to case; roles that differ only in case are
        one role.
    questionnaire : Questionnaire or str
        The questionnaire answered, or the name/path to load it from.
    shape : {"auto", "long", "wide"}
        ``"auto"`` reads a file with an ``item_id`` or ``answer`` column as long.
    ignore_columns : iterable of str
        Further columns of a wide file that are not items.
    name : str, optional
        How the source is named in error messages.
    sheet : str or int
        The worksheet of an Excel workbook (default: the first).

    Returns
    -------
    DataFrame
        One row per respondent x item of the questionnaire (absent answers
        filled in as skipped), with columns ``respondent, role, item_id,
        dimension, stage, answer`` (the text as given), ``value`` (the scale
        value, NaN unless answered), ``status`` (``answered``, ``n/a`` or
        ``skipped``), ``comment`` and ``row`` (where the answer is in the
        source: the spreadsheet row with the header as row 1, or the
        DataFrame's index label); ``attrs`` hold ``source``, ``shape``,
        ``questionnaire`` and ``encoding``.

    Raises
    ------
    DataError
        Listing every problem with file, row, column and value.

    Examples
    --------
    >>> answers = pd.DataFrame({
    ...     "respondent": ["ana", "ana", "ben"], "role": ["lead", "lead", "staff"],
    ...     "item_id": ["KNOW-2A", "KNOW-2B", "KNOW-2A"],
    ...     "answer": ["Usually true", "N/A", "1"]})
    >>> r = read_responses(answers, "maturity")
    >>> r.set_index(["respondent", "item_id"]).loc[
    ...     [("ana", "KNOW-2A"), ("ana", "KNOW-2B"), ("ben", "KNOW-2A"), ("ben", "KNOW-2B")],
    ...     ["value", "status"]]
                        value   status
    respondent item_id
    ana        KNOW-2A    3.0  answered
               KNOW-2B    NaN       n/a
    ben        KNOW-2A    1.0  answered
               KNOW-2B    NaN   skipped
    """
    q = load_questionnaire(questionnaire)
    if shape not in {"auto", "long", "wide"}:
        raise OpsdxError(f"shape must be 'auto', 'long' or 'wide', not {shape!r}")
    if isinstance(source, pd.DataFrame) and "respondent" in (source.index.names or []):
        source = source.reset_index()  # respondent moved to the index by set_index()
    table = read_table(source, name=name, sheet=sheet)
    log = ProblemLog(table.name)
    table.frame.columns = _canonical_headers(table.frame.columns)
    columns = set(table.frame.columns)
    if shape == "auto":
        shape = "long" if {"item_id", "answer"} & columns else "wide"
    if shape == "long":
        answers = _long(table, q, log)
    else:
        answers = _wide(table, q, log, {c.casefold() for c in ignore_columns})
    if answers is None:  # the columns needed to go on are missing
        log.raise_if_any()
    answers = _parse_answers(answers, q, log)
    log.raise_if_any()
    out = _complete_grid(answers, q)
    out.attrs.update(source=table.name, shape=shape, questionnaire=q.id,
                     encoding=table.encoding)
    return out


def _canonical_headers(columns) -> list[str]:
    """Meta headers are matched loosely: ``Respondent``, ``Item ID``, ``item-id``."""
    meta = {"respondent", "role", "item_id", "answer", "comment"}
    out = []
    for c in columns:
        key = re.sub(r"[\s-]+", "_", c.strip().casefold())
        out.append(key if key in meta else c)
    return out


def _clean_roles(role: pd.Series) -> pd.Series:
    """Roles with spaces collapsed; spellings differing only in case become the most common one."""
    role = role.str.split().str.join(" ").replace("", "unspecified")
    key = role.str.casefold()
    spelling = (pd.DataFrame({"key": key, "role": role}).value_counts(sort=True)
                .reset_index().drop_duplicates("key").set_index("key")["role"])
    return key.map(spelling)


def _check_respondents(frame: pd.DataFrame, rows: pd.Series, log: ProblemLog) -> None:
    blank = frame["respondent"] == ""
    log.add_rows("respondent is blank", rows[blank], frame.loc[blank, "respondent"],
                 column="respondent", expected="a respondent identifier")
    if "role" not in frame:
        return
    # a respondent's role is the one most of their rows give (the earliest on a tie);
    # only the rows that disagree with it are reported
    sub = frame.loc[~blank, ["respondent", "role"]].assign(
        key=lambda f: f["role"].str.casefold(), pos=lambda f: np.arange(len(f)))
    usual = (sub.groupby(["respondent", "key"], sort=False)
             .agg(n=("pos", "size"), first=("pos", "min"), role=("role", "first")).reset_index()
             .sort_values(["n", "first"], ascending=[False, True])
             .drop_duplicates("respondent").set_index("respondent"))
    for idx in sub.index[sub["key"] != sub["respondent"].map(usual["key"])]:
        respondent = frame.at[idx, "respondent"]
        log.add("respondent has another role in their other rows", row=rows[idx], column="role",
                value=frame.at[idx, "role"],
                expected=f"the same role in every row of {respondent!r} "
                         f"({usual.at[respondent, 'role']!r})")


def _long(table: Table, q: Questionnaire, log: ProblemLog) -> pd.DataFrame | None:
    frame, rows = table.frame, table.rows
    if not require_columns(table, ["respondent", "role", "item_id", "answer"], log,
                           hint="long answers with columns respondent, role, item_id, answer "
                                "(and optionally comment), or a wide file with a respondent column "
                                "and one column per item id"):
        return None
    _check_respondents(frame, rows, log)

    by_fold = {i.casefold(): i for i in q.items["item_id"]}
    item_id = frame["item_id"].str.casefold().map(by_fold)
    unknown = item_id.isna()
    for idx in frame.index[unknown]:
        value = frame.at[idx, "item_id"]
        log.add("unknown item id", row=rows[idx], column="item_id", value=value,
                expected=_item_hint(value, q))

    keyed = pd.DataFrame({"respondent": frame["respondent"], "item_id": item_id,
                          "_row": rows})[~unknown]
    dup = keyed.duplicated(["respondent", "item_id"], keep="first")
    if dup.any():
        first_row = keyed.groupby(["respondent", "item_id"])["_row"].transform("first")
        for idx in keyed.index[dup]:
            log.add("duplicate answer for this respondent and item", row=rows[idx],
                    column="item_id", value=frame.at[idx, "item_id"],
                    expected=f"one answer per respondent and item (first at row {first_row[idx]})")

    return pd.DataFrame({
        "respondent": frame["respondent"], "role": _clean_roles(frame["role"]),
        "item_id": item_id, "answer": frame["answer"],
        "comment": frame["comment"] if "comment" in frame else "",
        "row": rows, "column": "answer",
    })


def _item_columns(columns, q: Questionnaire) -> dict[str, str]:
    """Map wide-file headers to item ids.

    A header names an item when it is the item id (any case), starts with the
    id followed by punctuation or a space (``KNOW-2A: In the last month...``,
    ``[KNOW-2A] ...``), or is the item's text (as form tools export the
    question as the header).
    """
    ids = q.items["item_id"].tolist()
    by_fold = {i.casefold(): i for i in ids}
    by_text = {_norm_text(t): i for t, i in zip(q.items["text"], ids)}
    out = {}
    for col in columns:
        folded = col.casefold().lstrip("[( ")
        if col.casefold() in by_fold:
            out[col] = by_fold[col.casefold()]
        elif _norm_text(col) in by_text:
            out[col] = by_text[_norm_text(col)]
        else:
            for key, item in by_fold.items():
                if folded.startswith(key) and (len(folded) == len(key)
                                               or not (folded[len(key)].isalnum()
                                                       or folded[len(key)] in "-_.")):
                    out[col] = item
                    break
    return out


def _norm_text(text: str) -> str:
    return " ".join(str(text).casefold().split()).rstrip(" .?!:")


def _wide(table: Table, q: Questionnaire, log: ProblemLog, ignore: set[str]) -> pd.DataFrame:
    frame, rows = table.frame, table.rows
    if "respondent" not in frame:
        # form exports: the e-mail address or name identifies the respondent, else the row
        by_fold = {c.casefold(): c for c in frame.columns}
        stand_in = next((by_fold[c] for c in RESPONDENT_STAND_INS if c in by_fold), None)
        frame = frame.rename(columns={stand_in: "respondent"}) if stand_in else \
            frame.assign(respondent=[f"row {r}" for r in rows])
    _check_respondents(frame, rows, log)
    dup = (frame["respondent"] != "") & frame.duplicated("respondent", keep="first")
    log.add_rows("respondent appears in more than one row", rows[dup],
                 frame.loc[dup, "respondent"], column="respondent",
                 expected="one row per respondent in a wide file")

    meta = {"respondent", "role", "comment"}
    item_columns = _item_columns([c for c in frame.columns if c not in meta], q)
    first_column: dict[str, str] = {}
    for col, item in list(item_columns.items()):
        if item in first_column:
            log.add(f"a second column for item {item}", row=table.header_row, column=col,
                    expected=f"one column per item (first: {first_column[item]!r})")
            del item_columns[col]
        first_column.setdefault(item, col)
    for col in frame.columns:
        folded = col.casefold()
        if col not in meta and _item_columns([col], q) == {} \
                and folded not in WIDE_IGNORED_COLUMNS and folded not in ignore:
            log.add("column is not an item of the questionnaire", row=table.header_row,
                    column=col, expected=_item_hint(col, q)
                    + "; pass ignore_columns=[...] for columns that are not items")
    if not item_columns:
        sheets = (f" (workbook sheets: {', '.join(table.sheets)}; pass sheet=...)"
                  if len(table.sheets) > 1 else "")
        log.add("no column is an item of the questionnaire", row=table.header_row,
                expected=f"columns named by item ids of {q.id!r}, e.g. "
                         + ", ".join(q.items["item_id"].head(3)) + sheets)
    role = _clean_roles(frame["role"]) if "role" in frame else "unspecified"
    base = pd.DataFrame({"respondent": frame["respondent"], "role": role, "row": rows})
    long = (base.join(frame[list(item_columns)])
            .melt(id_vars=["respondent", "role", "row"], var_name="column", value_name="answer"))
    long["item_id"] = long["column"].map(item_columns)
    long["comment"] = ""
    return long


def _item_hint(value: str, q: Questionnaire) -> str:
    ids = q.items["item_id"].tolist()
    close = difflib.get_close_matches(str(value), ids, n=1, cutoff=0.6)
    hint = f"an item id of questionnaire {q.id!r}"
    return hint + (f" (did you mean {close[0]!r}?)" if close else "")


def _parse_answers(answers: pd.DataFrame, q: Questionnaire, log: ProblemLog) -> pd.DataFrame:
    """Turn answer text into value and status, vectorised per scale."""
    items = q.items.set_index("item_id")
    answers = answers.reset_index(drop=True)
    text = answers["answer"].astype(str).str.strip()
    key = text.str.split().str.join(" ").str.casefold()  # "Usually  true" = "usually true"
    scale_of = answers["item_id"].map(items["scale"])
    na_keys = {" ".join(label.split()).casefold() for label in q.na_labels}

    value = pd.Series(np.nan, index=answers.index)
    status = pd.Series("answered", index=answers.index, dtype=object)
    status[key == ""] = "skipped"
    is_na = key.isin(na_keys)
    status[is_na] = "n/a"

    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")  # 3,0 = 3.0
    for scale_id, scale in q.scales.items():
        on_scale = (scale_of == scale_id) & (status == "answered")
        if not on_scale.any():
            continue
        labels = {" ".join(o.label.split()).casefold(): o.value for o in scale.options}
        by_label = key[on_scale].map(labels)
        matched = key[on_scale].isin(labels.keys())
        if scale.numeric:
            values = np.asarray(scale.values, dtype=float)
            num = numbers[on_scale]
            close = np.isclose(num.to_numpy()[:, None], values[None, :])
            hit = close.any(axis=1)
            by_number = pd.Series(values[close.argmax(axis=1)], index=num.index).where(hit)
            chosen = by_label.where(matched, by_number)
            ok = matched | pd.Series(hit, index=num.index)
        else:
            chosen = pd.Series(np.nan, index=by_label.index)
            ok = matched
        value[on_scale] = chosen
        for idx in ok.index[~ok.to_numpy()]:
            given = answers.at[idx, "answer"]
            message = ("a spreadsheet error value, not an answer"
                       if str(given).strip().upper() in _EXCEL_ERRORS
                       else "a formula without a saved value (paste the values instead)"
                       if str(given).startswith("=") else "answer is not on the item's scale")
            log.add(message, row=answers.at[idx, "row"], column=answers.at[idx, "column"],
                    value=given, expected=_scale_hint(scale, q.allow_na, q.na_labels))

    forbidden = is_na & answers["item_id"].map(items["allow_na"]).eq(False)
    for idx in forbidden.index[forbidden.to_numpy()]:
        log.add("not-applicable answer, but this questionnaire item does not allow N/A",
                row=answers.at[idx, "row"], column=answers.at[idx, "column"],
                value=answers.at[idx, "answer"], expected=_scale_hint(
                    q.scales[scale_of[idx]], False, q.na_labels))

    answers = answers.assign(answer=text, value=value.astype(float), status=status)
    return answers.drop(columns="column")


def _scale_hint(scale, allow_na: bool, na_labels) -> str:
    labels = ", ".join(repr(o.label) for o in scale.options)
    if scale.numeric:
        numbers = ", ".join(f"{v:g}" for v in scale.values)
        text = f"one of {numbers} or a label ({labels})"
    else:
        text = f"a label ({labels})"
    if allow_na:
        text += f", {na_labels[0]!r} when not applicable, or blank when skipped"
    else:
        text += ", or blank when skipped"
    return text


def _complete_grid(answers: pd.DataFrame, q: Questionnaire) -> pd.DataFrame:
    """One row per respondent x item; absent answers become *skipped*."""
    respondents = answers.drop_duplicates("respondent")[["respondent", "role"]]
    items = q.items[["item_id", "dimension", "stage"]]
    grid = respondents.merge(items, how="cross")
    out = grid.merge(answers.drop(columns="role"), on=["respondent", "item_id"], how="left")
    out["answer"] = out["answer"].fillna("")
    out["comment"] = out["comment"].fillna("")
    out["status"] = out["status"].fillna("skipped").astype(_STATUS_DTYPE)
    out["row"] = out["row"].astype("Int64") if pd.api.types.is_numeric_dtype(out["row"]) else out["row"]
    return out[_COLUMNS].reset_index(drop=True)
