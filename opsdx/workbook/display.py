"""Safe display helpers for the workbook notebook.

Every string shown in a workbook may come from a client's data (a name, a
stage, a comment), so it is escaped before it is rendered: nothing a client
wrote can become live HTML in the delivered report.
"""

from __future__ import annotations

import html

import pandas as pd

from ..results import capital, table_html

__all__ = ["say", "heading", "bullets", "show_table", "note", "recommendations"]


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def heading(text: str, level: int = 2) -> None:
    """A heading (escaped)."""
    level = min(max(int(level), 1), 6)
    _display(f"<h{level}>{html.escape(str(text))}</h{level}>")


def say(text: str) -> None:
    """A paragraph of plain text (escaped)."""
    _display(f"<p>{capital(text)}</p>")


def note(text: str) -> None:
    """A paragraph set apart: what a section cannot show and why."""
    _display(f'<p style="color:#555;border-left:3px solid #bbb;padding-left:8px">'
             f"{capital(text)}</p>")


def bullets(items) -> None:
    """A bulleted list (each item escaped)."""
    rows = "".join(f"<li>{capital(i)}</li>" for i in items)
    _display(f"<ul>{rows}</ul>")


def recommendations(items) -> None:
    """A numbered list of recommendations: title, mechanism and evidence (all escaped)."""
    rows = "".join(
        f"<li><b>{capital(r.title.rstrip('.'))}.</b><br/>Mechanism: {html.escape(r.mechanism)}"
        f"<br/>Evidence: {capital(r.evidence)}</li>" for r in items)
    _display(f"<ol>{rows}</ol>")


def show_table(frame: pd.DataFrame, *, digits: int = 2, max_rows: int = 60) -> None:
    """A table, numbers rounded, every cell escaped (see :func:`opsdx.results.table_html`)."""
    _display(table_html(frame, digits=digits, max_rows=max_rows))
