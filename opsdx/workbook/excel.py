"""The Excel deliverables, written safely.

Client data is untrusted: a respondent's comment or a client's name such as
``=HYPERLINK("http://evil", "click")`` must stay text. The workbooks are
written with xlsxwriter with formula, URL and number conversion switched off,
and every text cell with ``write_string``, so no cell ever becomes a live
formula or link; sheet names are made valid (at most 31 characters, none of
``[]:*?/\\``, unique).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..output import atomic_path
from ..results import plain_header

__all__ = ["write_excel", "write_frames", "sheet_name"]

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, taken: set | None = None) -> str:
    """A valid, unique Excel sheet name from any text.

    >>> sheet_name("Q1/Q2: [draft]*"), sheet_name("History")
    ('Q1-Q2- -draft--', 'History (data)')
    """
    name = _BAD_SHEET.sub("-", str(text)).strip("'") or "Sheet"
    if name.lower() == "history":  # reserved by Excel
        name = "History (data)"
    name = name[:31]
    taken = taken if taken is not None else set()
    base, n = name, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _write_frame(ws, frame: pd.DataFrame, start_row: int, formats: dict) -> int:
    for j, col in enumerate(frame.columns):
        ws.write_string(start_row, j, plain_header(col), formats["header"])
    for i, row in enumerate(frame.itertuples(index=False), start=start_row + 1):
        for j, value in enumerate(row):
            _write_cell(ws, i, j, value, formats)
    for j, col in enumerate(frame.columns):
        width = max([len(str(col))] + [len(str(v)) for v in frame.iloc[:200, j]]) + 2
        ws.set_column(j, j, min(max(width, 8), 60))
    return start_row + len(frame) + 2


def _write_cell(ws, i: int, j: int, value, formats: dict) -> None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        ws.write_blank(i, j, None)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_boolean(i, j, bool(value))
    elif isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if math.isfinite(number):
            whole = isinstance(value, (int, np.integer)) or number.is_integer()
            ws.write_number(i, j, number, None if whole else formats["number"])
        else:
            ws.write_string(i, j, "unlimited" if number > 0 else "")
    elif isinstance(value, (pd.Timestamp,)):
        if pd.isna(value):
            ws.write_blank(i, j, None)
        else:  # a real date cell, so that it sorts and filters as a date
            stamp = value.tz_localize(None) if value.tzinfo else value
            ws.write_datetime(i, j, stamp.to_pydatetime(),
                              formats["day"] if stamp == stamp.normalize() else formats["date"])
    else:
        ws.write_string(i, j, str(value))  # always text, never a formula or a link


def _chart(book, ws, sheet: str, table: pd.DataFrame, spec: dict, *, row: int) -> None:
    """A native chart of ``table``'s columns (as written on ``sheet``), beside the table."""
    columns = list(table.columns)
    n = len(table)
    if not n or spec["x"] not in columns:
        return
    chart = book.add_chart({"type": spec.get("type", "column")})
    x = columns.index(spec["x"])
    for y in [spec["y"]] if isinstance(spec["y"], str) else spec["y"]:
        if y not in columns:
            continue
        j = columns.index(y)
        chart.add_series({"name": [sheet, 0, j], "categories": [sheet, 1, x, n, x],
                          "values": [sheet, 1, j, n, j]})
    chart.set_title({"name": spec["title"]})
    axis = {"name": spec.get("y_title", "")}
    if "y_max" in spec:
        axis.update(min=0, max=spec["y_max"])
    (chart.set_x_axis if spec.get("type") == "bar" else chart.set_y_axis)(axis)
    chart.set_legend({"position": "bottom"} if not isinstance(spec["y"], str)
                     else {"none": True})
    chart.set_size({"width": 620, "height": 300})
    ws.insert_chart(row, len(columns) + 1, chart)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """A meaningful index becomes a column; a plain row count does not."""
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame.reset_index(drop=True)
    return frame.reset_index()


#: The Headline sheet's figures, named as a manager reads them
HEADLINE_WORDS = {
    "client": "client", "sector": "sector", "assessment_date": "assessment date",
    "next_assessment_due": "next assessment due by", "stage": "stage (1-5)",
    "stage_name": "stage name", "stage_probability": "chance this is the stage",
    "maturity_index": "maturity index (1-5)", "respondents": "people who answered",
    "constraint": "the constraint", "constraint_confidence": "how sure (0-1)",
    "constraint_utilisation": "share of its capacity the constraint's work takes",
    "median_ratio": "actual / estimate (typical)",
    "p80_uplift": "add to an estimate to be on budget 8 times in 10",
    "backtest_p80_coverage": "tested on the past: share of work within that budget",
    "inside_view_coverage": "tested on the past: share of work within its estimate",
    "planning_unit_check": "units of estimates and actuals",
    "top_decider_share": "share of decisions the main decider takes",
    "equivalent_deciders": "as concentrated as this many equal deciders",
    "decision_latency_p50": "days a decision typically waits",
    "truck_factor": "people without whom most kinds of decision have no one",
}


def write_frames(path, sheets: dict, *, title: str | None = None,
                 charts: dict | None = None) -> Path:
    """Write ``{sheet title: DataFrame or list of sentences}`` to an .xlsx file, atomically.

    A sheet of sentences starts with ``title``; a table starts at its header row (frozen, with
    filters), so that it reads, sorts and pastes as a table. ``charts`` maps a sheet's title to
    native Excel charts of its columns: dicts with ``x`` (the column of categories), ``y`` (a
    column, or a list), ``title``, optional ``type`` (``"column"``, ``"bar"``, ``"line"``),
    ``y_title`` and ``y_max``; each is drawn beside its table, from the sheet's own cells.
    """
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                              "strings_to_urls": False,
                                              "strings_to_numbers": False,
                                              "nan_inf_to_errors": False})
        formats = {"header": book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1}),
                   "number": book.add_format({"num_format": "0.00"}),
                   "date": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
                   "day": book.add_format({"num_format": "yyyy-mm-dd"})}
        bold = book.add_format({"bold": True, "font_size": 13})
        taken: set = set()
        for label, content in sheets.items():
            name = sheet_name(label, taken)
            ws = book.add_worksheet(name)
            if isinstance(content, pd.DataFrame):
                table = _tidy(content)
                _write_frame(ws, table, 0, formats)
                ws.freeze_panes(1, 0)
                if len(table.columns):
                    ws.autofilter(0, 0, max(len(table), 1), len(table.columns) - 1)
                for k, spec in enumerate((charts or {}).get(label, [])):
                    _chart(book, ws, name, table, spec, row=1 + 16 * k)
            else:
                row = 0
                if title:
                    ws.write_string(0, 0, title, bold)
                    row = 2
                ws.set_column(0, 0, 110)
                for k, line in enumerate(content):
                    ws.write_string(row + k, 0, str(line))
        book.close()
    return path


def write_excel(diagnosis, path) -> Path:
    """The client's Excel workbook: summary, stage scores, blockers, stages, decisions, forecasts."""
    d = diagnosis
    sheets: dict = {}
    day, params = d.assessment_date, d.params
    who = ", ".join(p for p in (params.prepared_by, params.firm) if p)
    summary = [f"Operations diagnostic, assessment of {day.day} {day:%B %Y}"
               + (f"; prepared by {who}" if who else ""),
               params.confidentiality.replace("{client}", d.name), "", *d.sentences(), ""]
    summary += [f"Recommendation {i}: {r.title} (mechanism: {r.mechanism}; evidence: {r.evidence})"
                for i, r in enumerate(d.recommendations(), start=1)]
    summary += [""] + [f"Note: {n}" for n in d.notes]
    sheets["Summary"] = summary
    from .summary import roadmap

    sheets["Roadmap"] = roadmap(d)
    headline = pd.DataFrame([{"figure": HEADLINE_WORDS.get(k, k.replace("_", " ")), "value": v}
                             for k, v in d.headline().items()
                             if k != "opsdx_version" and v is not None])
    sheets["Headline"] = headline
    if d.since_last is not None:
        sheets["Since last assessment"] = d.since_last.summary().drop(columns="measure")
        sheets["Assessments over time"] = d.since_last.trend
    if d.maturity is not None:
        m = d.maturity
        sheets["Stage scores"] = m.summary()
        sheets["Dimensions"] = m.dimensions
        sheets["Blockers"] = m.blockers
    if d.constraint is not None:
        sheets["Stages"] = d.constraint.stages[
            ["stage", "role", "arrivals_per_week", "departures_per_week", "mean_wip", "time_p50",
             "time_p85", "wait_p50", "servers", "capacity_per_week", "utilisation",
             "net_flow_per_week", "next_idle_share"]]
        sheets["Constraint timeline"] = d.constraint.timeline
        sheets["Data quality"] = d.flow.quality if len(d.flow.quality) else pd.DataFrame(
            {"problem": ["no row was set aside"]})
    if d.decisions is not None:
        sheets["Decisions by decider"] = d.decisions.by_decider
        if len(d.decisions.by_reversibility):
            sheets["Two speeds"] = d.decisions.by_reversibility
    if d.heroes is not None:
        sheets["Hero dependency"] = d.heroes
    if d.planning is not None:
        p = d.planning
        sheets["Reference classes"] = p.classes
        if len(p.estimators):
            sheets["Estimators"] = p.estimators
        if p.backtest is not None:
            sheets["Backtest"] = p.backtest.summary()
        if p.schedule is not None:
            sheets["Forecast effort"] = p.schedule.percentiles()
        if p.completion is not None:
            sheets["Forecast dates"] = p.completion.percentiles()
    if d.paths is not None:
        sheets["Communication paths"] = d.paths
    if d.delegation is not None:
        chain = d.delegation.reset_index()
        sheets["Delegation (assumed)"] = chain
    return write_frames(path, sheets, title=d.name, charts=CHARTS)


#: The native Excel charts of the client's workbook, by sheet
CHARTS = {
    "Stage scores": [{"x": "name", "y": "attainment", "y_max": 1, "y_title": "0 to 1",
                      "title": "How far each stage's practices are in place"}],
    "Stages": [{"x": "stage", "y": "utilisation", "type": "bar", "y_title": "share of capacity",
                "title": "How much of each stage's capacity the arriving work uses"}],
    "Decisions by decider": [{"x": "decider", "y": "share", "y_title": "share of decisions",
                              "title": "Who takes the decisions"}],
    "Assessments over time": [{"x": "assessment_date", "y": "maturity_index", "type": "line",
                               "y_max": 5, "y_title": "maturity index (1 to 5)",
                               "title": "Maturity index at each assessment"}],
}
