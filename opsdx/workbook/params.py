"""The workbook's parameters: one validated model, and their reading inside the notebook.

The diagnostic notebook takes its parameters the way papermill users expect,
as plain names in its ``parameters`` cell (``papermill --help-notebook``
lists them with their help)::

    papermill diagnostic.ipynb acme.ipynb -p client_dir clients/acme -p seed 3

Inside the notebook, :func:`notebook_params` reads them back and checks them
with :class:`WorkbookParams`: a name the workbook does not take stops the run
(papermill itself only warns), a value of the wrong kind stops it with the
parameter and the value named, and without ``client_dir`` a run that nobody
watches (papermill, nbconvert) stops instead of quietly showing a sample
client. The batch validates the same model before any kernel starts.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import OpsdxError

__all__ = ["WorkbookParams", "workbook_params", "notebook_params", "interactive"]


class WorkbookParams(BaseModel):
    """The workbook's parameters, validated before any analysis runs (unknown names refused)."""

    model_config = ConfigDict(extra="forbid")

    client_dir: str = Field(description="The client folder (with client.yaml).")
    seed: int = Field(0, ge=0, description="Seed of every random draw.")
    n_boot: int = Field(2000, ge=0, le=100_000, description="Maturity bootstrap resamples.")
    threshold: float = Field(0.75, gt=0, le=1, description="Attainment a stage needs to be "
                                                          "reached, 0 to 1.")
    trials: int = Field(10_000, ge=100, le=1_000_000, description="Monte Carlo trials.")
    by: list[str] = Field(default_factory=lambda: ["kind"],
                          description="Reference-class attributes (used when the column exists).")
    weights: Optional[str] = Field(None, pattern="^recency$",
                                   description="'recency' weighs recent history more.")
    freq: str = Field("QS", description="Periods of the constraint timeline.")
    as_of: Optional[dt.date] = Field(None, description="Forecast start; default after the data.")
    results_path: Optional[str] = Field(None, description="Where the notebook records "
                                                          "results.json (none: not recorded).")
    excel_path: Optional[str] = Field(None, description="Where the notebook writes the Excel "
                                                        "workbook (none: not written).")
    history_dir: Optional[str] = Field(None, description="The folder of the client's earlier "
                                                         "snapshots (none: no comparison).")
    figures_dir: Optional[str] = Field(None, description="Where the notebook writes its "
                                                         "figures as PNG and SVG (none: not).")
    firm: str = Field("", max_length=200, description="The consultancy's name, on the cover.")
    prepared_by: str = Field("", max_length=200, description="Who prepared the report, on the "
                                                             "cover.")
    logo: Optional[str] = Field(None, description="The firm's logo on the cover: a PNG, JPEG "
                                                  "or SVG file, or its data: URI.")
    confidentiality: str = Field(
        "Confidential: prepared for the management of {client}.",
        max_length=500, description="The line on the cover and at the end ({client}: its name).")
    columns: dict[str, str] = Field(
        default_factory=dict, description="The client's headers, on top of client.yaml's "
                                          "columns: {item_id: Ticket} in any data file having "
                                          "that header, {work_items.item_id: Ticket} in one.")
    dates: Optional[str] = Field(None, description="The client's dates that are not ISO 8601: "
                                                   "dayfirst, or a strftime format.")
    ignore_columns: list[str] = Field(default_factory=list,
                                      description="Columns of a wide answers file that are not "
                                                  "items, on top of client.yaml's.")

    @field_validator("logo")
    @classmethod
    def _logo_as_data(cls, value):
        """A logo file becomes its data: URI at once (the report never refers to a path)."""
        return None if not value else logo_data_uri(value)

    @field_validator("by", mode="before")
    @classmethod
    def _by_from_text(cls, value):
        """``-p by kind`` or ``-p by kind,team`` from papermill's command line."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("columns", mode="before")
    @classmethod
    def _columns_from_text(cls, value):
        """``item_id=Ticket`` pairs, as ``--column`` and ``-p columns`` give them."""
        return column_options(value) if isinstance(value, (str, list, tuple)) else value

    @field_validator("columns")
    @classmethod
    def _known_files(cls, value: dict) -> dict:
        from ..client import DATA_FILES, misnamed_column

        for key in value:
            kind, _, name = key.rpartition(".")
            if kind and kind not in DATA_FILES:
                raise ValueError(f"{key!r}: {kind!r} is not a data file; "
                                 f"one of {', '.join(DATA_FILES)}")
            if not name.strip():
                raise ValueError(f"{key!r}: the column name is missing")
            wrong = misnamed_column(name, kind or None)
            if wrong:
                raise ValueError(wrong)
        return value

    @field_validator("dates")
    @classmethod
    def _a_dates_option(cls, value):
        if value is not None and value != "dayfirst" and "%" not in value:
            raise ValueError(f"{value!r}: write 'dayfirst' or a strftime format such as "
                             "%d/%m/%Y %H:%M")
        return value

    @field_validator("ignore_columns", mode="before")
    @classmethod
    def _one_column(cls, value):
        """``-p ignore_columns Department`` (a header may itself hold a comma)."""
        return [value] if isinstance(value, str) else value

    def parameters(self) -> dict:
        """The notebook's parameters as papermill passes them (plain values, dates as text)."""
        return self.model_dump(mode="json")


#: The image types a logo may have, by file suffix
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml"}


def logo_data_uri(value: str, *, limit: int = 2_000_000) -> str:
    """A logo as a ``data:`` URI: a PNG, JPEG or SVG file read (at most 2 MB), or a data URI of
    one of those types as it is. Shown in an ``<img>``, an SVG's scripts never run."""
    import base64

    value = str(value)
    if value.startswith("data:"):
        kind = value[5:].split(";", 1)[0].split(",", 1)[0]
        if kind not in _LOGO_TYPES.values() or ";base64," not in value[:60]:
            raise ValueError("a logo data URI must be a base64 PNG, JPEG or SVG image")
        return value
    path = Path(value).expanduser()
    kind = _LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"the logo {path.name} is not a PNG, JPEG or SVG file")
    if not path.is_file():
        raise ValueError(f"the logo {path.name} was not found")
    data = path.read_bytes()
    if len(data) > limit:
        raise ValueError(f"the logo {path.name} is {len(data) / 1e6:.1f} MB; at most 2 MB")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def column_options(pairs) -> dict[str, str]:
    """``{opsdx name: header}`` from ``NAME=HEADER`` texts (a text may hold several, split
    by ``;``); ``FILE.NAME=HEADER`` for one data file only.

    >>> column_options(["item_id=Ticket", "work_items.stage = Column"])
    {'item_id': 'Ticket', 'work_items.stage': 'Column'}
    """
    if isinstance(pairs, str):
        pairs = [p for p in pairs.split(";") if p.strip()]
    out = {}
    for pair in pairs:
        name, sep, header = str(pair).partition("=")
        if not sep or not name.strip() or not header.strip():
            raise ValueError(f"{pair!r} is not NAME=HEADER (e.g. item_id=Ticket)")
        out[name.strip()] = header.strip()
    return out


def workbook_params(**values) -> WorkbookParams:
    """:class:`WorkbookParams` from values, or an :class:`~opsdx.OpsdxError` naming each bad one.

    >>> workbook_params(client_dir="acme", seed=-1)
    Traceback (most recent call last):
    ...
    opsdx.errors.OpsdxError: workbook parameters: seed = -1: Input should be greater than or equal to 0
    """
    try:
        return WorkbookParams(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))} = {e.get('input')!r}: "
                             f"{e['msg'].removeprefix('Value error, ')}"
                             for e in exc.errors())
        raise OpsdxError(f"workbook parameters: {problems}") from None


def interactive() -> bool:
    """Whether a person runs this kernel: a front end (JupyterLab) that could answer ``input()``.

    papermill and nbconvert execute with input disallowed; so does any run
    that nobody watches. Outside a kernel the answer is no.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return False
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    return bool(getattr(kernel, "_allow_stdin", False))


def _passed(history) -> list[str]:
    """Names papermill assigned: its injected cell is the last input starting "# Parameters"."""
    for source in reversed(list(history or [])):
        if isinstance(source, str) and source.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return []
            names = []
            for node in tree.body:
                targets = (node.targets if isinstance(node, ast.Assign)
                           else [node.target] if isinstance(node, ast.AnnAssign) else [])
                names += [t.id for t in targets if isinstance(t, ast.Name)]
            return names
    return []


def notebook_params(namespace: dict, *, sample: str | None = None) -> WorkbookParams:
    """The workbook's parameters from the notebook's namespace (``globals()``), checked.

    Parameters
    ----------
    namespace : dict
        The notebook's globals: its ``parameters`` cell, papermill's injected
        cell (found in the input history ``In``) and nothing else is read.
    sample : str, optional
        A client folder to show when ``client_dir`` is empty and a person is
        running the notebook in JupyterLab. A run nobody watches never falls
        back to it.

    Raises
    ------
    OpsdxError
        A parameter the workbook does not take (with the nearest name), a
        value it cannot use, or no ``client_dir`` in a run nobody watches.
    """
    known = list(WorkbookParams.model_fields)
    unknown = [n for n in _passed(namespace.get("In")) if n not in known]
    if unknown:
        hints = []
        for name in unknown:
            near = difflib.get_close_matches(name, known, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        raise OpsdxError(f"unknown workbook parameter{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(hints)}; the workbook takes {', '.join(known)} "
                         "(papermill --help-notebook lists them)")
    values = {n: namespace[n] for n in known if n in namespace}
    if not str(values.get("client_dir") or "").strip():
        if sample is None or not interactive() or not Path(sample).is_dir():
            raise OpsdxError("no client_dir: pass the client folder, e.g. papermill "
                             "diagnostic.ipynb out.ipynb -p client_dir clients/acme")
        values["client_dir"] = sample
    return workbook_params(**values)
