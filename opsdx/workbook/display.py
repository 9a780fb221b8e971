"""Safe display helpers for the workbook notebook.

Every string shown in a workbook may come from a client's data (a name, a
stage, a comment), so it is escaped before it is rendered: nothing a client
wrote can become live HTML in the delivered report.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..results import capital, table_html

__all__ = ["say", "heading", "bullets", "show_table", "note", "recommendations", "cover",
           "show_figure"]


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


def cover(diagnosis, params) -> None:
    """The report's cover: the firm's logo, the client's name as the title, the assessment
    date, who prepared it, the period each data set covers, and the confidentiality line
    (every string escaped; the logo a data: URI checked by the parameters)."""
    d = diagnosis
    name = html.escape(d.name)
    day = d.assessment_date
    logo = (f'<img src="{html.escape(params.logo, quote=True)}" alt="logo" '
            'style="max-height:60px;max-width:240px;float:right"/>' if params.logo else "")
    who = ", ".join(html.escape(p) for p in (params.prepared_by, params.firm) if p)
    periods = d.data_periods()
    rows = "".join(
        f"<tr><td>{html.escape(str(r.data))}</td><td>"
        + (f"{_day(r.first)} to {_day(r.last)}" if r.first is not None else "this assessment")
        + f"</td><td>{html.escape(str(r.records))}</td></tr>" for r in periods.itertuples())
    table = (f'<table class="opsdx-table"><tr><th>Data</th><th>Period covered</th>'
             f"<th>Records</th></tr>{rows}</table>" if rows else "")
    line = html.escape(params.confidentiality.replace("{client}", d.name))
    _display(f'<div class="opsdx-cover">{logo}<h1>{name}</h1>'
             f"<p><b>Operations diagnostic</b>, assessment of {_day(day)}"
             + (f"<br/>Prepared by {who}" if who else "")
             + (f"<br/>Sector: {html.escape(d.client.spec.sector)}" if d.client.spec.sector
                else "")
             + f"</p>{table}<p><i>{line}</i></p></div>")


def show_figure(name: str, params=None, alt: str | None = None) -> None:
    """Show the current figure with ``alt`` as its text for screen readers (default: what its
    titles say); with ``params.figures_dir`` set, also write it there as ``<name>.png`` (for
    a deck) and ``<name>.svg`` (to scale), atomically. ``name`` is the notebook's own, never
    a client's string; ``alt`` is escaped."""
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    from ..output import atomic_path

    fig = plt.gcf()
    folder = getattr(params, "figures_dir", None)
    if folder:
        for suffix, extra in ((".png", {"dpi": 200}), (".svg", {})):
            with atomic_path(Path(folder) / f"{name}{suffix}") as tmp:
                fig.savefig(tmp, format=suffix[1:], bbox_inches="tight", **extra)
    text = " ".join(str(alt or _described(fig)).split())
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(png.getvalue()).decode("ascii")
    # the HTML report takes text/html (an <img> with its alt text); other front ends the PNG
    display({"text/html": f'<img src="data:image/png;base64,{data}" alt="{html.escape(text)}" '
                          'style="max-width: 100%">',
             "image/png": data, "text/plain": text}, raw=True)


def _described(fig) -> str:
    """A figure in words from its titles and axis labels (alt text when none is given)."""
    titles = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
    for ax in fig.axes:
        title = ax.get_title() or " / ".join(t for t in (ax.get_ylabel(), ax.get_xlabel()) if t)
        if title:
            titles.append(title)
    return "Chart: " + "; ".join(dict.fromkeys(titles)) if titles else "Chart"


def _day(value) -> str:
    """A date as a reader writes it: 12 October 2026."""
    return f"{value.day} {value:%B %Y}"


def show_table(frame: pd.DataFrame, *, digits: int = 2, max_rows: int = 60) -> None:
    """A table, numbers rounded, every cell escaped (see :func:`opsdx.results.table_html`)."""
    _display(table_html(frame, digits=digits, max_rows=max_rows))
