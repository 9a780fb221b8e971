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
import unicodedata

import numpy as np
import pandas as pd

from ..errors import READ_BY_WORDING, OpsdxError, Problem, ProblemLog
from ..tables import Source, Table, read_table, require_columns
from .questionnaire import Questionnaire, load_questionnaire

__all__ = ["read_responses", "STATUSES", "WIDE_IGNORED_COLUMNS", "ROLE_STAND_INS",
           "CLOSE_WORDING"]

#: The three answer statuses, in this order (a pandas categorical).
STATUSES = ["answered", "n/a", "skipped"]
_STATUS_DTYPE = pd.CategoricalDtype(STATUSES)

#: In a wide file without a ``respondent`` column, the first of these columns present
#: identifies the respondent (case-insensitive), unless it is blank or says the same for
#: everyone ("anonymous"); without any, respondents are "row 2", ...
RESPONDENT_STAND_INS = ("email address", "email", "e-mail", "name", "id")

#: In a wide file without a ``role`` column, the first column headed by one of these (a
#: question number, case and a closing ``?`` aside: ``Q2. What is your role?``) gives roles
ROLE_STAND_INS = ("what is your role", "your role", "role in the organisation",
                  "role in the organization", "job title", "your job title", "position",
                  "department", "function")

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
          (``KNOW-2A: In the last month...``) or by the item's text itself,
          with or without a question number (``Q3.``, ``3)``) and with small
          rewordings (read by close wording, listed in ``attrs["by_wording"]``;
          at least :data:`CLOSE_WORDING` similar to one item's text only). Without a ``respondent`` column an
          ``Email``/``Name`` column stands in (:data:`RESPONDENT_STAND_INS`),
          without ``role`` a ``What is your role?``/``Job title``/``Department``
          column (:data:`ROLE_STAND_INS`). Columns such as ``Timestamp`` are
          ignored (see :data:`WIDE_IGNORED_COLUMNS`), as are those in
          ``ignore_columns``.

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
        ``questionnaire``, ``encoding`` and ``by_wording`` (header -> item
        id of the columns read by close wording).

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
    by_wording = answers.attrs.get("by_wording", {})
    answers = _parse_answers(answers, q, log)
    log.raise_if_any()
    out = _complete_grid(answers, q)
    out.attrs.update(source=table.name, shape=shape, questionnaire=q.id,
                     encoding=table.encoding, by_wording=by_wording)
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


def _identifies(column: pd.Series) -> bool:
    """Whether a column can tell respondents apart: not blank throughout, and not one value
    for everyone (a single respondent aside)."""
    given = column[column != ""]
    return len(given) > 0 and (len(column) == 1 or given.nunique() > 1)


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


#: A question's number as forms and edited sheets put it before the text: ``Q3.``, ``3)``,
#: ``Question 3:``, ``#3 -``, ``3a.``
_NUMBERING = re.compile(r"^\s*(?:(?:q|question|item|no\.?|nr\.?|#)\s*)?\d{1,3}[a-z]?"
                        r"(?:\s*[.):\]\-\u2013\u2014]\s*|\s+)", re.IGNORECASE)

#: Close wording: how similar (0 to 1, :class:`difflib.SequenceMatcher`) a header must be to
#: an item's text to be read as that item, and by how much more than to any other item
CLOSE_WORDING, CLOSE_MARGIN = 0.85, 0.05
#: Below ``CLOSE_WORDING`` but at least this similar, the item is suggested ("did you mean")
_SUGGEST_WORDING = 0.5


def _item_columns(columns, q: Questionnaire) -> dict[str, tuple[str, str]]:
    """Map wide-file headers to ``(item id, how)``, ``how`` being ``"id"``, ``"text"`` or
    ``"wording"`` (read by close wording).

    A header names an item when, after any question number (``Q3.``, ``3)``,
    ``Question 3:``) is set aside, it is the item id (any case), starts with
    the id followed by punctuation or a space (``KNOW-2A: In the last
    month...``, ``[KNOW-2A] ...``), is the item's text (as form tools export
    the question as the header; case, spacing, quotes and dashes, a closing
    ``?`` or required-field ``*`` aside), is the text in a form grid's
    brackets (``Practices [item text]``), or is a shortened text (at least
    30 characters) that begins one item's text only. Failing those, a header
    whose wording is at least :data:`CLOSE_WORDING` similar to one item's
    text, and clearly closer to it than to any other, is read as that item.
    """
    ids = q.items["item_id"].tolist()
    by_fold = {i.casefold(): i for i in ids}
    texts = {_norm_text(t): i for t, i in zip(q.items["text"], ids)}
    out: dict[str, tuple[str, str]] = {}
    for col in columns:
        for candidate in _header_candidates(col):
            found = _exact_item(candidate, by_fold, texts)
            if found:
                out[col] = found
                break
    taken = {item for item, _ in out.values()}
    for col in columns:
        if col in out:
            continue
        scores = _wording_scores(col, texts)
        if scores:
            (best, item), second = scores[0], (scores[1][0] if len(scores) > 1 else 0.0)
            if best >= CLOSE_WORDING and best - second >= CLOSE_MARGIN and item not in taken:
                out[col] = (item, "wording")
                taken.add(item)
    return out


def _header_candidates(col: str) -> list[str]:
    """The header, without its question number, and a form grid's bracketed row text."""
    text = str(col).strip()
    out = [text]
    unnumbered = _NUMBERING.sub("", text, count=1)
    if unnumbered and unnumbered != text:
        out.append(unnumbered)
    grid = re.search(r"\[([^\[\]]+)\]\s*$", text)
    if grid and grid.start() > 0:
        out.append(grid.group(1))
    return out


def _exact_item(header: str, by_fold: dict, texts: dict) -> tuple[str, str] | None:
    folded = header.casefold()
    if folded in by_fold:
        return by_fold[folded], "id"
    stripped = folded.lstrip("[( ")
    for key, item in by_fold.items():
        if stripped.startswith(key) and (len(stripped) == len(key)
                                         or not (stripped[len(key)].isalnum()
                                                 or stripped[len(key)] in "-_.")):
            return item, "id"
    norm = _norm_text(header)
    if norm in texts:
        return texts[norm], "text"
    if len(norm) >= 30:
        starts = [item for text, item in texts.items() if text.startswith(norm)]
        if len(starts) == 1:
            return starts[0], "text"
    return None


def _wording_scores(header: str, texts: dict) -> list[tuple[float, str]]:
    """How similar the header (without its number) is to each item's text, best first; texts
    that share under a third of their words with it are not compared (they cannot be close)."""
    norm = _norm_text(_header_candidates(header)[-1])
    if len(norm) < 12:  # a short header is a name, not a reworded question
        return []
    words = set(_WORD.findall(norm))
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(norm)
    scores = []
    for text, item in texts.items():
        theirs = set(_WORD.findall(text))
        if len(words & theirs) < max(len(words), len(theirs)) / 3:
            continue
        matcher.set_seq1(text)
        scores.append((matcher.ratio(), item))
    return sorted(scores, reverse=True)


_WORD = re.compile(r"\w+")


#: Typographic characters that forms and word processors put in place of plain ones
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def _norm_text(text: str) -> str:
    """Text as compared: NFKC, plain quotes and dashes, case and spacing folded, without a
    closing ``.?!:`` or a required-field ``*`` / ``(required)``."""
    plain = unicodedata.normalize("NFKC", str(text)).translate(_PLAIN).casefold()
    plain = re.sub(r"\s*(\*|\(required\))\s*$", "", " ".join(plain.split()))
    return plain.rstrip(" .?!:*")


def _wide(table: Table, q: Questionnaire, log: ProblemLog, ignore: set[str]) -> pd.DataFrame:
    frame, rows = table.frame, table.rows
    if "respondent" not in frame:
        # form exports: the e-mail address or name identifies the respondent, else the row
        # (not a column that says the same for everyone: "anonymous" in an anonymous form)
        by_fold = {c.casefold(): c for c in frame.columns}
        stand_in = next((by_fold[c] for c in RESPONDENT_STAND_INS if c in by_fold
                         and _identifies(frame[by_fold[c]])), None)
        frame = frame.rename(columns={stand_in: "respondent"}) if stand_in else \
            frame.assign(respondent=[f"row {r}" for r in rows])
    if "role" not in frame:
        by_norm = {_norm_text(_header_candidates(c)[-1]): c for c in reversed(frame.columns)}
        stand_in = next((by_norm[c] for c in ROLE_STAND_INS if c in by_norm), None)
        if stand_in is not None:
            frame = frame.rename(columns={stand_in: "role"})
    _check_respondents(frame, rows, log)
    dup = (frame["respondent"] != "") & frame.duplicated("respondent", keep="first")
    log.add_rows("respondent appears in more than one row", rows[dup],
                 frame.loc[dup, "respondent"], column="respondent",
                 expected="one row per respondent in a wide file")

    meta = {"respondent", "role", "comment"}
    matched = _item_columns([c for c in frame.columns if c not in meta], q)
    item_columns: dict[str, str] = {}
    first_column: dict[str, str] = {}
    for col, (item, _) in matched.items():
        if item in first_column:
            log.add(f"a second column for item {item}", row=table.header_row, column=col,
                    expected=f"one column per item (first: {first_column[item]!r})")
            continue
        first_column[item], item_columns[col] = col, item
    for col in frame.columns:
        folded = col.casefold()
        if col not in meta and col not in matched \
                and folded not in WIDE_IGNORED_COLUMNS and folded not in ignore:
            log.add("column is not an item of the questionnaire", row=table.header_row,
                    column=col, expected=_header_hint(col, q)
                    + "; list it in ignore_columns (client.yaml, --ignore-column, "
                      "ignore_columns=[...]) if it is not an item")
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
    long.attrs["by_wording"] = {col: item for col, (item, how) in matched.items()
                                if how == "wording" and col in item_columns}
    return long


def wording_notes(answers: pd.DataFrame) -> list[Problem]:
    """The columns of ``answers`` (as :func:`read_responses` gives them) read as items by
    their close wording, as problems coded :data:`~opsdx.errors.READ_BY_WORDING` (notes,
    for ``opsdx validate`` to show: they were read)."""
    file = str(answers.attrs.get("source") or "<answers>").split(" + ")[0]
    return [Problem(file, f"column read as item {item} by its close wording", row=1,
                    column=header, code=READ_BY_WORDING)
            for header, item in (answers.attrs.get("by_wording") or {}).items()]


def _header_hint(header: str, q: Questionnaire) -> str:
    """What a header that names no item was expected to be: the closest item id, or the
    item whose text its wording is closest to."""
    hint = _item_hint(header, q)
    if "did you mean" in hint:
        return hint
    scores = _wording_scores(header, {_norm_text(t): i for t, i in
                                      zip(q.items["text"], q.items["item_id"])})
    if not scores or scores[0][0] < _SUGGEST_WORDING:
        return hint
    item = scores[0][1]
    text = q.items.set_index("item_id").at[item, "text"]
    short = text if len(text) <= 80 else text[:77].rstrip() + "..."
    return (f"{hint} (did you mean {item}, {short!r}? head the column with the item id, "
            f"e.g. '{item}: ...', when the question was reworded)")


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
