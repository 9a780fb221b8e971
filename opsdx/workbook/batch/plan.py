"""Planning a batch: the client folders, their output folders, and what becomes of each.

Before any kernel starts, :func:`plan_batch` reads the source (a folder of
client folders or a CSV manifest), loads and validates each client, gives
each its output folder (:class:`~opsdx.workbook.batch.ledger._Registry`) and
decides: run it (a :class:`~opsdx.workbook.batch.client_run.ClientJob`),
skip it (``resume`` and already done for the same inputs), or fail it now
(its data cannot be read or blocks the analyses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ...client import Client, find_clients, load_client
from ...errors import NOT_BLOCKING, DataError, OpsdxError
from ..params import WorkbookParams
from .client_run import ClientJob, _failed_row
from .ledger import _hash_files, _hash_inputs, _Registry, read_ledger


@dataclass
class Plan:
    """What a batch will do, decided before any kernel starts."""

    jobs: list = field(default_factory=list)     #: the runs to execute (ClientJob)
    failed: list = field(default_factory=list)   #: ledger rows of clients that cannot run
    skipped: list = field(default_factory=list)  #: output folders already done (resume)
    sources: dict = field(default_factory=dict)  #: output folder (slug) -> its source folder
    notes: list = field(default_factory=list)    #: what was noticed in the source
    registry: _Registry | None = None            #: the output folders of every source folder


class _Folder(NamedTuple):
    """One source folder, loaded: its client (None when it cannot be read) and its parameters."""

    path: Path
    client: Client | None
    name: str
    problem: str | None
    parameters: dict
    files_hash: str


def _clients(source: Path) -> tuple[list[Path], list[str]]:
    """Client folders from a folder of client folders or a CSV manifest; and notes."""
    if source.is_file():
        return _manifest(source)
    if not source.is_dir():
        raise OpsdxError(f"no such folder or manifest: {source}")
    found = find_clients(source)
    if not found:
        raise OpsdxError(f"no client.yaml in {source} or in its subfolders")
    return [p.resolve() for p in found], []


def _manifest(source: Path) -> tuple[list[Path], list[str]]:
    """The folders a CSV manifest lists (relative to it), each once; and notes."""
    if source.suffix.lower() != ".csv":
        raise OpsdxError(f"{source.name}: a manifest is a CSV file with a client_dir column")
    try:
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise OpsdxError(f"{source.name}: cannot read the manifest "
                         f"({type(exc).__name__}); expected UTF-8 CSV with a client_dir "
                         "column") from None
    column = next((c for c in ("client_dir", "path", "folder") if c in frame.columns), None)
    if column is None:
        raise OpsdxError(f"{source.name}: a manifest needs a client_dir column; found "
                         f"{', '.join(frame.columns) or 'no columns'}")
    folders, seen, notes = [], set(), []
    for value in frame[column].str.strip():  # one line per client: a short list
        if not value:
            continue
        folder = (source.parent / value).resolve()
        if folder in seen:
            notes.append(f"{value} is listed twice in the manifest: run once")
            continue
        seen.add(folder)
        folders.append(folder)
    return folders, notes


def _load(folder: Path) -> tuple:
    """(client or None, name, problem or None) of one source folder."""
    if not (folder / "client.yaml").is_file():
        return None, folder.name, f"client folder not found or without client.yaml: {folder}"
    try:
        client = load_client(folder)
    except (DataError, OpsdxError) as exc:
        problem = (f"{exc.problems[0]}" if isinstance(exc, DataError) and exc.problems
                   else str(exc))
        return None, folder.name, problem
    return client, client.name, None


def _read(folder: Path, options: dict) -> _Folder:
    """Load one source folder, with its parameters and the hash of its files."""
    client, name, problem = _load(folder)
    params = WorkbookParams(client_dir=str(folder), **options)
    parameters = params.parameters()
    if client is not None and (params.columns or params.dates or params.ignore_columns):
        try:  # read as the notebook will read it
            client = client.with_options(columns=params.columns, dates=params.dates,
                                         ignore_columns=params.ignore_columns)
        except OpsdxError as exc:
            client, problem = None, str(exc)
    files_hash = _hash_files(folder) if client is not None else ""
    return _Folder(folder, client, name, problem, parameters, files_hash)


def _data_problem(client: Client) -> str | None:
    """What in a client's data blocks its run, or None.

    A missing data file is a missing section (the workbook says so), and a
    row set aside or a form column read by its wording is reported in the
    workbook: none blocks the run (:data:`~opsdx.errors.NOT_BLOCKING`).
    """
    blocking = [p for p in client.validate() if p.code not in NOT_BLOCKING]
    if not blocking:
        return None
    many = "" if len(blocking) == 1 else "s"
    return (f"{len(blocking)} data problem{many}; first: {blocking[0]} "
            f"(`opsdx validate {client.path}` lists {'them all' if many else 'it'})")


def _done(job: ClientJob, last: dict | None, out: Path) -> bool:
    """Whether the output folder's last run succeeded for the same inputs and left its results."""
    return bool(last and last.get("status") == "success"
                and last.get("inputs_hash") == job.inputs_hash
                and (out / job.slug / "results.json").is_file())


def _job(folder: _Folder, slug: str, out: Path, notebook: Path, settings: dict) -> ClientJob:
    """The run of one loaded folder into ``out/<slug>``."""
    inputs_hash = (_hash_inputs(folder.files_hash, notebook, folder.parameters)
                   if folder.files_hash else "")
    return ClientJob(client_dir=str(folder.path), name=folder.name, slug=slug, out_dir=str(out),
                     notebook=str(notebook), parameters=folder.parameters,
                     inputs_hash=inputs_hash, files_hash=folder.files_hash, **settings)


def plan_batch(source: Path, out: Path, notebook: Path, *, resume: bool, options: dict,
               **settings) -> Plan:
    """Decide, for every client folder of ``source``, whether it runs, is skipped or fails now.

    Parameters
    ----------
    source : Path
        A folder of client folders, or a CSV manifest.
    out : Path
        The output folder (locked by the caller); its ledger says what is done.
    notebook : Path
        The workbook notebook (part of the inputs hash).
    resume : bool
        Skip the clients whose last run succeeded for the same inputs.
    options : dict
        The workbook's options (already checked).
    **settings
        ``timeout``, ``verbose`` and ``pdf`` of every :class:`ClientJob`.

    Returns
    -------
    Plan
    """
    done = {r["slug"]: r for r in read_ledger(out)}
    registry = _Registry(out, {slug: r.get("files_hash", "") for slug, r in done.items()})
    paths, notes = _clients(source)
    folders = [_read(path, options) for path in paths]
    registry.running = {str(p) for p in paths}
    slugs = registry.assign([(f.path, f.name, f.files_hash) for f in folders])
    plan = Plan(notes=notes, registry=registry)
    for folder in folders:
        job = _job(folder, slugs[folder.path], out, notebook, settings)
        plan.sources[job.slug] = job.client_dir
        if folder.client is not None and resume and _done(job, done.get(job.slug), out):
            plan.skipped.append(job.slug)  # unchanged since it succeeded: nothing to read again
            continue
        problem = folder.problem if folder.client is None else _data_problem(folder.client)
        if problem is None:
            plan.jobs.append(job)
        else:
            plan.failed.append(_failed_row(job, problem, 0.0, stage="data"))
    return plan
