"""The portfolio: one row per client with a current success, ranked within the portfolio.

After each batch :func:`write_portfolio` writes ``portfolio.csv`` and
``portfolio.xlsx`` in the output folder from every client's ``results.json``
(the clients of earlier runs too), each figure of :data:`PORTFOLIO_FIGURES`
with the client's percentile within the portfolio, and, for a client assessed
before, its previous assessment's date, stage and constraint beside today's; without any current
success it removes them, so that no portfolio misleads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ...output import write_text
from .ledger import _is_client, _Registry, read_ledger

__all__ = ["PORTFOLIO_FIGURES", "write_portfolio"]


#: Figures ranked across the portfolio, and which way is better (+1: higher is better).
PORTFOLIO_FIGURES = {"maturity_index": 1, "p80_uplift": -1, "median_ratio": -1,
                     "top_decider_share": -1, "decision_latency_p50": -1}
_PLANNING_FIGURES = {"p80_uplift", "median_ratio"}

#: Fewer clients than this and no percentile is given: a rank among a handful says little
MIN_CLIENTS_RANKED = 10


def withheld_note(n: int) -> str | None:
    """Why the portfolio gives no percentiles, or None when it gives them."""
    if n >= MIN_CLIENTS_RANKED:
        return None
    return (f"percentiles withheld: {n} client{'s' if n != 1 else ''} in the portfolio, and a "
            f"rank means something from {MIN_CLIENTS_RANKED} on")


def _portfolio(out: Path, registry: _Registry) -> pd.DataFrame:
    """One row per client with a current success; percentiles oriented so that higher is better."""
    latest = {r["slug"]: r for r in read_ledger(out)}
    rows = []
    for slug in registry.slugs:
        path = out / slug / "results.json"
        if latest.get(slug, {}).get("status") == "success" and path.is_file():
            results = json.loads(path.read_text(encoding="utf-8"))
            since = results.get("since_last") or {}
            source = registry.source(slug)
            rows.append({"slug": slug, "source": source,
                         "source_found": source is not None and _is_client(source),
                         **results["headline"],
                         # then and now: the client's previous assessment, when there is one
                         "previous_assessment_date": since.get("date_before"),
                         "stage_before": since.get("stage_before"),
                         "constraint_before": since.get("constraint_before")})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame.insert(3, "clients_in_portfolio", len(frame))
    if "stage_before" in frame:  # whole stages, blank for a client with no earlier assessment
        frame["stage_before"] = pd.to_numeric(frame["stage_before"]).astype("Int64")
    if withheld_note(len(frame)):
        return frame
    doubted = (frame["planning_unit_check"].notna() if "planning_unit_check" in frame
               else pd.Series(False, index=frame.index))
    for col, direction in PORTFOLIO_FIGURES.items():
        if col in frame and pd.api.types.is_numeric_dtype(frame[col]):
            values = frame[col].where(~doubted) if col in _PLANNING_FIGURES else frame[col]
            # the share of the portfolio this client does at least as well as (ties count half);
            # ratios that may compare days with hours are not ranked
            frame[f"{col}_percentile_better"] = (direction * values).rank(
                pct=True, method="average") * 100
    return frame


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str)
                                    and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v,
                                    na_action="ignore").astype(object)
    return out


def write_portfolio(out: Path, registry: _Registry) -> str | None:
    """Write ``portfolio.csv`` and ``portfolio.xlsx`` in ``out``, or remove them when empty;
    the note saying why percentiles are withheld, if they are."""
    portfolio = _portfolio(out, registry)
    if portfolio.empty:  # no client has a current success: no portfolio that could mislead
        for name in ("portfolio.csv", "portfolio.xlsx"):
            (out / name).unlink(missing_ok=True)
        return None
    # numbers as a reader sees them: two decimals, percentiles whole
    shown = portfolio.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].round(0 if col.endswith("_percentile_better") else 2)
    write_text(out / "portfolio.csv", _csv_safe(shown).to_csv(index=False))
    from ..excel import write_frames

    note = withheld_note(len(shown))
    sheets = {"Portfolio": shown, **({"Notes": [note]} if note else {})}
    write_frames(out / "portfolio.xlsx", sheets, title="Portfolio of clients")
    return note
