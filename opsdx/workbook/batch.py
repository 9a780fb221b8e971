"""Batch: one executed workbook per client, safely, in parallel, resumable.

For each client folder, :func:`run_batch` writes under ``DIR/<client-slug>/``
the executed ``workbook.ipynb``, the client-ready ``workbook.html``, the Excel
``workbook.xlsx`` and ``results.json``; then ``DIR/portfolio.csv`` and
``DIR/portfolio.xlsx`` (one row per client, with each client's percentile
within the portfolio) and ``DIR/ledger.jsonl`` (one row per client run).

Guarantees:

* parameters are validated (pydantic, unknown keys rejected) before any
  kernel starts, and reach the notebook as one JSON document;
* the kernel's working directory is set through papermill's engine
  resources, never with a process-wide ``chdir``, so parallel runs are safe;
* a client whose data is bad, whose notebook raises, or which runs past the
  timeout is marked failed in the ledger with the reason; the others go on;
* every output is written to a work folder inside ``DIR`` and renamed into
  place, ``results.json`` last: an interrupted batch never leaves a file
  that looks complete, and ``--resume`` redoes exactly the clients without a
  success for the same inputs, notebook and opsdx version;
* client names are data: they are slugged into folder names that cannot
  leave ``DIR``, and never executed;
* each source folder has its own output folder, kept from run to run in
  ``DIR/clients.json`` with the source it came from (two folders holding the
  same client name, a copied folder say, never overwrite each other); the
  ledger and the portfolio name the source folder of every deliverable.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import __version__
from ..client import find_clients, load_client, slugify
from ..errors import FILE_NOT_FOUND, ROW_SET_ASIDE, DataError, OpsdxError
from ..output import write_text
from .params import WorkbookParams, workbook_params

__all__ = ["run_batch", "BatchSummary", "ClientJob", "run_client", "default_notebook",
           "read_ledger"]



def default_notebook() -> Path:
    """The workbook notebook shipped with opsdx: package data in a wheel, else the checkout's."""
    from importlib.resources import files

    try:
        found = Path(str(files("opsdx.notebooks") / "diagnostic.ipynb"))
        if found.is_file():
            return found
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent.parent / "notebooks" / "diagnostic.ipynb"
_OUTPUTS = ("workbook.ipynb", "workbook.html", "workbook.xlsx", "results.json")


@dataclass
class ClientJob:
    """Everything one client's run needs; plain data, so it pickles to any worker."""

    client_dir: str
    name: str
    slug: str
    out_dir: str
    notebook: str
    parameters: dict
    inputs_hash: str
    files_hash: str = ""
    timeout: float | None = None
    verbose: bool = False
    pdf: bool = False


@dataclass
class BatchSummary:
    """What a batch did: rows of this run, and where the deliverables are."""

    rows: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    out: Path | None = None
    notes: list = field(default_factory=list)
    sources: dict = field(default_factory=dict)  #: output folder (slug) -> its source folder

    @property
    def failed(self) -> list:
        return [r for r in self.rows if r["status"] != "success"]

    @property
    def succeeded(self) -> list:
        return [r for r in self.rows if r["status"] == "success"]

    def text(self) -> str:
        lines = [f"{len(self.succeeded)} succeeded, {len(self.failed)} failed, "
                 f"{len(self.skipped)} skipped (already done for the same inputs)"]
        for r in self.failed:
            where = f" at cell {r['failed_cell']}" if r.get("failed_cell") is not None else ""
            lines.append(f"  failed: {r['client']} ({r['source']}){where}: {r['error']}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _hash_files(client_dir: Path) -> str:
    """The folder's files (by relative path and content), not the folder's own path.

    What tells a renamed or moved client folder from a new engagement: the
    same files are the same client.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in client_dir.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(client_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _hash_inputs(files_hash: str, notebook: Path, parameters: dict) -> str:
    """What a result depends on: the folder's files, the notebook, the options, the version.

    The folder's own path is left out, so that a renamed or moved folder with
    the same files is still done (``--resume`` skips it).
    """
    digest = hashlib.sha256(files_hash.encode())
    digest.update(notebook.read_bytes())
    options = {k: v for k, v in parameters.items() if k != "client_dir"}
    digest.update(json.dumps(options, sort_keys=True).encode())
    digest.update(__version__.encode())
    return digest.hexdigest()


def _clients(source: Path) -> tuple[list[Path], list[str]]:
    """Client folders from a folder of client folders or a CSV manifest; and notes."""
    notes: list[str] = []
    if source.is_file():
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
        folders, seen = [], set()
        for value in frame[column]:
            if not value.strip():
                continue
            folder = (source.parent / value.strip()).resolve()
            if folder in seen:
                notes.append(f"{value.strip()} is listed twice in the manifest: run once")
                continue
            seen.add(folder)
            folders.append(folder)
        return folders, notes
    if not source.is_dir():
        raise OpsdxError(f"no such folder or manifest: {source}")
    found = find_clients(source)
    if not found:
        raise OpsdxError(f"no client.yaml in {source} or in its subfolders")
    return [p.resolve() for p in found], notes


def read_ledger(out: Path) -> list[dict]:
    """The ledger's rows (a line that cannot be read, e.g. cut by a crash, is skipped)."""
    path = Path(out) / "ledger.jsonl"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _append_ledger(out: Path, rows: list[dict]) -> None:
    """Append rows, one line each, durably (the batch holds the folder's lock)."""
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    with open(out / "ledger.jsonl", "a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


class _Lock:
    """An exclusive lock on the output folder: one batch at a time writes there."""

    def __init__(self, out: Path):
        self.path = out / ".opsdx-batch.lock"
        self.fh = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock, documented
            return self
        self.fh = open(self.path, "a")
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            raise OpsdxError(f"another opsdx batch is writing to {self.path.parent}; wait for "
                             "it to finish or choose another --out") from None
        return self

    def __exit__(self, *exc):
        if self.fh is not None:
            self.fh.close()


_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}


class _Registry:
    """Which source folder each output folder belongs to: ``clients.json`` in the output folder.

    Each client's output folder is named from its name (the slug), and stays
    the same from run to run. The source folder is what tells clients apart:
    two folders whose names give the same slug (a copied folder, a second
    engagement with the same company, names that differ only in case or
    punctuation) get two output folders, the later one disambiguated by its
    source folder (``meridian-care-group--zz-copy``: a slug from a name never
    holds ``--``). A folder that was renamed or moved keeps its output
    folder: an entry whose source has gone is taken over by a folder with the
    same client name and the same files (the files hash of its last run), so
    that a new engagement never takes over an archived one whose source is
    gone or not mounted. No run ever gives a second client a folder already
    given.
    """

    FORMAT = 2

    def __init__(self, out: Path, hashes: dict | None = None):
        self.path = out / "clients.json"
        self.hashes = hashes or {}  # slug: the files hash of its last run (from the ledger)
        self.entries: list[dict] = []
        self.claimed: set[str] = set()  # slugs given in this run
        self.running: set[str] = set()  # source folders of this run
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                raise OpsdxError(f"{self.path} is not valid JSON; it maps clients to their "
                                 "folders: restore it or choose another --out") from None
            self.entries = _registry_entries(data)

    def slug(self, folder: Path, name: str, files_hash: str = "") -> str:
        """The output folder of the client in ``folder`` (resolved), named ``name``."""
        source = str(folder)
        mine = next((e for e in self.entries if e["source"] == source), None)
        if mine is None:  # renamed or moved: its old folder gone, the same name and files
            orphans = [e for e in self.entries
                       if e["name"] == name and e["slug"] not in self.claimed
                       and (e["source"] is None  # the first format did not record folders
                            or (files_hash and self.hashes.get(e["slug"]) == files_hash
                                and e["source"] not in self.running
                                and not _is_client(e["source"])))]
            orphans.sort(key=lambda e: (Path(e["source"] or "").name != folder.name, e["slug"]))
            mine = orphans[0] if orphans else None
        if mine is None:
            mine = {"slug": self._new_slug(folder, name), "name": name, "source": source}
            self.entries.append(mine)
            changed = True
        else:
            changed = (mine["name"], mine["source"]) != (name, source)
            mine.update(name=name, source=source)
        self.claimed.add(mine["slug"])
        if changed:
            self._save()
        return mine["slug"]

    def assign(self, clients: list[tuple[Path, str, str]]) -> dict:
        """The output folder of each (source folder, name, files hash) of a run.

        Folders known from earlier runs keep theirs first; among new ones
        whose names collide, the folder named like the client (``acme`` for
        "Acme Ltd") gets the plain slug, then the others in path order. When
        a known folder now holds other files and a new folder of the run
        holds its old ones (``acme`` renamed ``acme-2024``, and a new
        ``acme`` begun), the output folder follows the files.
        """
        now = {str(folder): files for folder, _, files in clients}
        known = {e["source"] for e in self.entries}
        newcomers: dict = {}
        for folder, name, files in clients:
            if files and str(folder) not in known:
                newcomers.setdefault((name, files), []).append(str(folder))
        moved = False
        for e in self.entries:
            last = self.hashes.get(e["slug"])
            if last and now.get(e["source"], last) not in ("", last) \
                    and newcomers.get((e["name"], last)):
                e["source"] = newcomers[(e["name"], last)].pop(0)
                moved = True
        if moved:
            self._save()
            known = {e["source"] for e in self.entries}

        def order(client):
            folder, name, _ = client
            here, base = slugify(folder.name), slugify(name)
            return (str(folder) not in known, not base.startswith(here), str(folder))

        return {folder: self.slug(folder, name, files)
                for folder, name, files in sorted(clients, key=order)}

    def _new_slug(self, folder: Path, name: str) -> str:
        base = slugify(name)
        if base == "client" and name.strip().lower() != "client":
            # names in other scripts, or only punctuation: a stable short hash tells them apart
            base = "client-" + hashlib.sha256(name.encode()).hexdigest()[:8]
        if base in _RESERVED:  # names Windows refuses for a folder
            base = f"{base}-client"
        taken = {e["slug"] for e in self.entries}
        here, parent = slugify(folder.name), slugify(folder.parent.name)
        for slug in (base, f"{base}--{here}", f"{base}--{parent}-{here}"):
            if slug not in taken:
                return slug
        n = 2
        while f"{base}--{here}-{n}" in taken:
            n += 1
        return f"{base}--{here}-{n}"

    def source(self, slug: str) -> str | None:
        return next((e["source"] for e in self.entries if e["slug"] == slug), None)

    @property
    def slugs(self) -> list[str]:
        return sorted(e["slug"] for e in self.entries)

    def _save(self) -> None:
        entries = sorted(self.entries, key=lambda e: e["slug"])
        write_text(self.path, json.dumps({"format": self.FORMAT, "clients": entries}, indent=2,
                                         ensure_ascii=False) + "\n")


def _registry_entries(data) -> list[dict]:
    """Entries of ``clients.json``; the first format (``{"name:X": slug}``) is read too."""
    if isinstance(data, dict) and isinstance(data.get("clients"), list):
        return [{"slug": str(e["slug"]), "name": str(e.get("name", "")),
                 "source": e.get("source")} for e in data["clients"]
                if isinstance(e, dict) and "slug" in e]
    entries = []
    for key, slug in (data.items() if isinstance(data, dict) else []):
        kind, _, value = str(key).partition(":")
        entries.append({"slug": str(slug), "name": value if kind == "name" else Path(value).name,
                        "source": value if kind == "folder" else None})
    return entries


def _is_client(source: str | None) -> bool:
    return source is not None and (Path(source) / "client.yaml").is_file()


def _failed_row(job: ClientJob, reason: str, seconds: float, cell=None, stage="notebook") -> dict:
    return {"client": job.name, "slug": job.slug, "source": job.client_dir, "status": "failed",
            "failed_in": stage,
            "error": reason, "failed_cell": cell, "seconds": round(seconds, 2),
            "inputs_hash": job.inputs_hash, "files_hash": job.files_hash,
            "opsdx_version": __version__}


def _redact(path: Path, job: ClientJob, parameters: dict) -> None:
    """Take the paths out of an executed notebook: papermill's metadata, the injected parameters.

    ``parameters`` are those the notebook was run with; the client folder's
    path is shown as the output folder's name.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.metadata.pop("papermill", None)
    shown = {**parameters, "client_dir": job.slug}
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = ("# Parameters (the client folder's path replaced by its name)\n"
                           + "".join(f"{k} = {v!r}\n" for k, v in shown.items()))
        cell.get("metadata", {}).pop("papermill", None)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [line.replace(job.client_dir, job.slug).replace(
                    job.out_dir, "<out>") for line in output.get("traceback", [])]
    nbformat.write(nb, str(path))


def _running_cell(path: Path) -> tuple:
    """(number among code cells, first line) of the last cell papermill started.

    After a timeout papermill records that cell as "completed" with the time
    it was given, so the culprit is the last cell that is no longer pending.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    last = None
    for k, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        if cell.get("metadata", {}).get("papermill", {}).get("status", "pending") != "pending":
            last = (k, cell)
    if last is None:
        return None, ""
    lines = last[1].source.strip().splitlines()
    return last[0], (lines[0][:200] if lines else "")


def run_client(job: ClientJob) -> dict:
    """Execute the workbook for one client; never raises: returns its ledger row."""
    import papermill as pm

    from .html import export_html

    started = time.perf_counter()
    out = Path(job.out_dir)
    work = out / f".work-{job.slug}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        parameters = {**job.parameters, "results_path": "results.json",
                      "excel_path": "workbook.xlsx"}
        executed = work / "workbook.ipynb"
        try:
            pm.execute_notebook(
                job.notebook, str(executed), parameters=parameters,
                kernel_name="python3", progress_bar=job.verbose, log_output=job.verbose,
                execution_timeout=None if job.timeout is None else math.ceil(job.timeout),
                request_save_on_cell_execute=True,  # a timed-out run still shows its cells
                # the kernel's own log lines (transport notices, shutdown) only when verbose
                extra_arguments=[] if job.verbose else ["--IPKernelApp.log_level=CRITICAL"],
                resources={"metadata": {"path": str(work)}})  # the kernel's working directory
        except pm.PapermillExecutionError as exc:
            row = _failed_row(job, f"{exc.ename}: {exc.evalue}".strip(),
                              time.perf_counter() - started, cell=exc.exec_count)
            row["failed_source"] = (exc.source or "").strip().splitlines()[0][:200] if exc.source else ""
            if executed.is_file():  # kept for debugging, away from the client's deliverables
                _redact(executed, job, parameters)
                failed = out / "_failed"
                failed.mkdir(exist_ok=True)
                os.replace(executed, failed / f"{job.slug}.ipynb")
            return row
        except Exception as exc:  # a timeout, a dead kernel: the notebook is not marked failed
            name = type(exc).__name__
            reason = (f"timed out after {job.timeout:g} s in one cell" if "Timeout" in name
                      else f"{name}: {exc}")
            row = _failed_row(job, reason, time.perf_counter() - started)
            if executed.is_file():  # saved after each cell: the running one is the culprit
                row["failed_cell"], row["failed_source"] = _running_cell(executed)
                _redact(executed, job, parameters)
                failed = out / "_failed"
                failed.mkdir(exist_ok=True)
                os.replace(executed, failed / f"{job.slug}.ipynb")
            return row
        missing = [n for n in ("results.json", "workbook.xlsx") if not (work / n).is_file()]
        if missing:
            return _failed_row(job, f"the notebook did not write {', '.join(missing)}",
                               time.perf_counter() - started)
        _redact(executed, job, parameters)
        export_html(executed, work / "workbook.html", title=job.name)
        outputs = list(_OUTPUTS)
        note = None
        if job.pdf:
            try:
                from weasyprint import HTML  # optional: renders without any browser
            except (ImportError, OSError):  # OSError: missing system libraries
                note = ("no PDF: WeasyPrint is not installed or lacks its system libraries; "
                        "pip install 'opsdx[pdf]'")
            else:
                HTML(filename=str(work / "workbook.html")).write_pdf(str(work / "workbook.pdf"))
                outputs.insert(-1, "workbook.pdf")
        final = out / job.slug
        final.mkdir(parents=True, exist_ok=True)
        (final / "results.json").unlink(missing_ok=True)  # stale results never sit beside new files
        for name in outputs:  # results.json last: its presence means the set is complete
            os.replace(work / name, final / name)
        seconds = time.perf_counter() - started
        return {"client": job.name, "slug": job.slug, "source": job.client_dir,
                "status": "success", "failed_in": None,
                "error": None, "failed_cell": None, "seconds": round(seconds, 2),
                "inputs_hash": job.inputs_hash, "files_hash": job.files_hash,
                "opsdx_version": __version__, "note": note}
    except Exception as exc:  # pragma: no cover - last resort, never lose the other clients
        return _failed_row(job, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
                           time.perf_counter() - started, stage="opsdx")
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: Figures ranked across the portfolio, and which way is better (+1: higher is better).
PORTFOLIO_FIGURES = {"maturity_index": 1, "p80_uplift": -1, "median_ratio": -1,
                     "top_decider_share": -1, "decision_latency_p50": -1}
_PLANNING_FIGURES = {"p80_uplift", "median_ratio"}


def _portfolio(out: Path, registry: _Registry) -> pd.DataFrame:
    """One row per client with a current success; percentiles oriented so that higher is better."""
    latest = {r["slug"]: r for r in read_ledger(out)}
    rows = []
    for slug in registry.slugs:
        path = out / slug / "results.json"
        if latest.get(slug, {}).get("status") == "success" and path.is_file():
            headline = json.loads(path.read_text(encoding="utf-8"))["headline"]
            source = registry.source(slug)
            rows.append({"slug": slug, "source": source,
                         "source_found": source is not None and _is_client(source), **headline})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame.insert(3, "clients_in_portfolio", len(frame))
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


def run_batch(source, out, *, workers: int | None = None, resume: bool = False,
              timeout: float | None = None, scheduler: str | None = None,
              verbose: bool = False, notebook=None, progress: bool = True, pdf: bool = False,
              **options) -> BatchSummary:
    """Execute the workbook for every client of ``source`` into ``out``.

    Parameters
    ----------
    source : path
        A folder of client folders (each with ``client.yaml``), or a CSV
        manifest with a ``client_dir`` column (paths relative to the manifest).
    out : path
        The output folder (created). Each client gets its own folder in it,
        named from the client's name, recorded with its source folder in
        ``out/clients.json`` and kept from run to run; two source folders
        never share one (see :class:`_Registry`).
    workers : int, optional
        Parallel processes; default the number of cores.
    resume : bool
        Skip clients whose last ledger row is a success for the same inputs
        hash (client files, notebook, options, opsdx version; not the folder's
        path, so a moved folder is not redone).
    timeout : float, optional
        Seconds any one cell may run before the client is marked failed.
    scheduler : str, optional
        ``tcp://host:port`` of a Dask distributed scheduler (or a
        ``distributed.Client``): each client's run is submitted there instead.
    notebook : path, optional
        Another workbook notebook (it must take the parameters of
        :class:`~opsdx.workbook.WorkbookParams`).
    pdf : bool
        Also write ``workbook.pdf`` from the HTML with WeasyPrint, when it is
        installed (no browser needed); otherwise the ledger row says why not.
    **options
        The workbook's options, as :class:`~opsdx.workbook.WorkbookParams`
        takes them: ``seed``, ``n_boot``, ``trials``, ``threshold``, ``by``,
        ``weights``, ``freq``, ``as_of``. Checked before any kernel starts.

    Returns
    -------
    BatchSummary
    """
    fixed = sorted(set(options) & {"client_dir", "results_path", "excel_path"})
    if fixed:
        raise OpsdxError(f"{', '.join(fixed)}: set by the batch for each client, not an option")
    workbook_params(client_dir=".", **options)  # every option checked before any kernel starts
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise OpsdxError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".opsdx-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise OpsdxError(f"cannot write to {out}: {exc.strerror or exc}") from None
    if timeout is not None and not (isinstance(timeout, (int, float)) and math.isfinite(timeout)
                                    and timeout > 0):
        raise OpsdxError(f"timeout must be a positive number of seconds, not {timeout!r}")
    notebook = Path(notebook).resolve() if notebook else default_notebook()
    if not notebook.is_file():
        raise OpsdxError(f"no such notebook: {notebook}")
    summary = BatchSummary(out=out)
    with _Lock(out):
        return _run_locked(source, out, notebook, summary, workers=workers, resume=resume,
                           timeout=timeout, scheduler=scheduler, verbose=verbose,
                           progress=progress, pdf=pdf, options=options)


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


def _run_locked(source, out: Path, notebook: Path, summary: BatchSummary, *, workers, resume,
                timeout, scheduler, verbose, progress, pdf, options) -> BatchSummary:
    for stale in out.glob(".work-*"):  # left by a batch that was killed: we hold the lock
        shutil.rmtree(stale, ignore_errors=True)
    done = {r["slug"]: r for r in read_ledger(out)}
    registry = _Registry(out, {slug: r.get("files_hash", "") for slug, r in done.items()})
    jobs: list[ClientJob] = []
    early: list[dict] = []
    folders, summary.notes = _clients(Path(source))
    loaded = []
    for folder in folders:
        client, name, problem = _load(folder)
        parameters = WorkbookParams(client_dir=str(folder), **options).parameters()
        files_hash = _hash_files(folder) if client is not None else ""
        loaded.append((folder, client, name, problem, parameters, files_hash))
    registry.running = {str(f) for f in folders}
    slugs = registry.assign([(folder, name, h) for folder, _, name, _, _, h in loaded])
    for folder, client, name, problem, parameters, files_hash in loaded:
        inputs_hash = _hash_inputs(files_hash, notebook, parameters) if files_hash else ""
        slug = slugs[folder]
        summary.sources[slug] = str(folder)
        job = ClientJob(client_dir=str(folder), name=name, slug=slug, out_dir=str(out),
                        notebook=str(notebook), parameters=parameters, inputs_hash=inputs_hash,
                        files_hash=files_hash,
                        timeout=timeout, verbose=verbose, pdf=pdf)
        if client is None:
            early.append(_failed_row(job, problem, 0.0, stage="data"))
            continue
        last = done.get(slug)
        if (resume and last and last.get("status") == "success"
                and last.get("inputs_hash") == job.inputs_hash
                and (out / slug / "results.json").is_file()):
            summary.skipped.append(slug)  # unchanged since it succeeded: nothing to read again
            continue
        # a missing data file is a missing section (the workbook says so), not bad data
        blocking = [p for p in client.validate()
                    if p.code not in (ROW_SET_ASIDE, FILE_NOT_FOUND)]
        if blocking:
            many = "" if len(blocking) == 1 else "s"
            early.append(_failed_row(job, f"{len(blocking)} data problem{many}; first: "
                                          f"{blocking[0]}", 0.0, stage="data"))
            continue
        jobs.append(job)

    def withdraw(row: dict) -> None:
        # a failed run leaves none of the client's deliverables: an earlier success must not
        # pass for this run (results.json first: it marks a complete set)
        if row["status"] != "success":
            for name in ("results.json", *_OUTPUTS, "workbook.pdf"):
                (out / row["slug"] / name).unlink(missing_ok=True)

    for row in early:
        withdraw(row)
    if early:
        _append_ledger(out, early)
        summary.rows += early
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(jobs), desc="clients", unit="client")

    def finished(row: dict) -> None:
        withdraw(row)
        _append_ledger(out, [row])
        summary.rows.append(row)
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{row['slug']}: {row['status']}", refresh=False)

    def lost(job: ClientJob, exc: BaseException) -> dict:
        return _failed_row(job, f"the worker running it died or was lost "
                                f"({type(exc).__name__}: {exc})".strip(), 0.0, stage="worker")

    if jobs and scheduler is not None:
        try:
            from dask.distributed import Client as DaskClient
            from dask.distributed import as_completed as dask_completed
        except ImportError:
            raise OpsdxError("--scheduler needs Dask distributed: pip install 'opsdx[dask]'") from None
        if isinstance(scheduler, DaskClient):
            client = scheduler
        else:
            try:
                client = DaskClient(scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise OpsdxError(f"cannot reach the Dask scheduler at {scheduler}: "
                                 f"{type(exc).__name__}") from None
        try:
            futures = {client.submit(run_client, job, pure=False): job for job in jobs}
            for future in dask_completed(list(futures)):
                try:
                    finished(future.result())
                except Exception as exc:  # a killed worker: that client fails, not the batch
                    finished(lost(futures[future], exc))
        finally:
            if not isinstance(scheduler, DaskClient):
                client.close()
    elif jobs:
        n = workers or os.cpu_count() or 1
        if n == 1:
            for job in jobs:
                finished(run_client(job))
        else:
            import multiprocessing

            with ProcessPoolExecutor(max_workers=min(n, len(jobs)),
                                     mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = {pool.submit(run_client, job): job for job in jobs}
                for future in as_completed(futures):
                    try:
                        finished(future.result())
                    except Exception as exc:  # BrokenProcessPool: the dead worker's clients fail
                        finished(lost(futures[future], exc))
    if bar is not None:
        bar.close()

    portfolio = _portfolio(out, registry)
    if len(portfolio):
        write_text(out / "portfolio.csv", _csv_safe(portfolio).to_csv(index=False))
        from .excel import write_frames
        write_frames(out / "portfolio.xlsx", {"Portfolio": portfolio},
                     title="Portfolio of clients")
    else:  # no client has a current success: no portfolio that could mislead
        for name in ("portfolio.csv", "portfolio.xlsx"):
            (out / name).unlink(missing_ok=True)
    return summary
