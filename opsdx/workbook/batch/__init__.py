"""Batch: one executed workbook per client, safely, in parallel, resumable.

For each client folder, :func:`run_batch` writes under ``DIR/<client-slug>/``
the executed ``workbook.ipynb``, the client-ready ``workbook.html``, the Excel
``workbook.xlsx`` and ``results.json``; then ``DIR/portfolio.csv`` and
``DIR/portfolio.xlsx`` (one row per client, with each client's percentile
within the portfolio) and ``DIR/ledger.jsonl`` (one row per client run).

Guarantees:

* parameters are validated (pydantic, unknown keys rejected) before any
  kernel starts, and reach the notebook as papermill parameters;
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

The package has one module per job: :mod:`.plan` decides what runs,
:mod:`.executors` runs it (here, in spawned processes or on Dask),
:mod:`.client_run` runs one client and records its outcome, :mod:`.ledger`
keeps the output folder's records (ledger, lock, registry of client folders,
hashes) and :mod:`.portfolio` writes the portfolio. This module ties them
together in :func:`run_batch`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import OpsdxError
from ..params import workbook_params
from .client_run import (_DELIVERABLES, _OUTPUTS, ClientJob, _clear_stale_work, _failed_row,
                         _lost_row, _record, _redact, _running_cell, _withdraw, run_client)
from .executors import make_executor
from .ledger import (_RESERVED, _append_ledger, _hash_files, _hash_inputs, _is_client, _Lock,
                     _Registry, _registry_entries, read_ledger)
from .plan import Plan, _clients, _load, plan_batch
from .portfolio import _PLANNING_FIGURES, PORTFOLIO_FIGURES, _csv_safe, _portfolio, write_portfolio

__all__ = ["run_batch", "BatchSummary", "ClientJob", "run_client", "default_notebook",
           "read_ledger"]

#: Names kept importable from ``opsdx.workbook.batch``, where they were defined before the
#: batch became a package (tests and scripts import some of them from here).
_MOVED = (_DELIVERABLES, _OUTPUTS, _failed_row, _redact, _running_cell, _withdraw,
          _RESERVED, _append_ledger, _hash_files, _hash_inputs, _is_client, _Registry,
          _registry_entries, Plan, _clients, _load, _PLANNING_FIGURES, PORTFOLIO_FIGURES,
          _csv_safe, _portfolio)

#: Options each client's run sets itself: never batch options.
_FIXED = ("client_dir", "results_path", "excel_path", "history_dir", "figures_dir")


def default_notebook() -> Path:
    """The workbook notebook shipped with opsdx: package data in a wheel, else the checkout's."""
    from importlib.resources import files

    try:
        found = Path(str(files("opsdx.notebooks") / "diagnostic.ipynb"))
        if found.is_file():
            return found
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[3] / "notebooks" / "diagnostic.ipynb"


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
        """The rows of the clients that failed."""
        return [r for r in self.rows if r["status"] != "success"]

    @property
    def succeeded(self) -> list:
        """The rows of the clients that succeeded."""
        return [r for r in self.rows if r["status"] == "success"]

    def text(self) -> str:
        """The summary as lines of text: the counts, each failure with its reason, the notes."""
        lines = [f"{len(self.succeeded)} succeeded, {len(self.failed)} failed, "
                 f"{len(self.skipped)} skipped (already done for the same inputs)"]
        for r in self.failed:
            where = f" at cell {r['failed_cell']}" if r.get("failed_cell") is not None else ""
            lines.append(f"  failed: {r['client']} ({r['source']}){where}: {r['error']}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def run_batch(source, out, *, workers: int | None = None, resume: bool = False,
              timeout: float | None = None, scheduler: str | None = None,
              verbose: bool = False, notebook=None, progress: bool = True, pdf: bool = False,
              seed: int = 0, n_boot: int = 2000, trials: int = 10_000, threshold: float = 0.75,
              by: Sequence[str] | str = ("kind",), weights: str | None = None,
              freq: str = "QS", as_of: dt.date | str | None = None,
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
    verbose : bool
        Show each cell as it runs, and the kernel's own log lines.
    notebook : path, optional
        Another workbook notebook (it must take the parameters of
        :class:`~opsdx.workbook.WorkbookParams`).
    progress : bool
        Show a progress bar, one step per client run.
    pdf : bool
        Also write ``workbook.pdf`` from the HTML with WeasyPrint, when it is
        installed (no browser needed); otherwise the ledger row says why not.
    seed : int, default 0
        Seed of every random draw: the same seed gives the same figures.
    n_boot : int, default 2000
        Bootstrap resamples of the maturity score's interval (0 to 100,000).
    trials : int, default 10,000
        Monte Carlo trials of the planning forecasts (100 to 1,000,000).
    threshold : float, default 0.75
        Attainment a maturity stage needs to be reached (above 0, at most 1).
    by : sequence of str or str, default ("kind",)
        Reference-class attributes of the estimates, used where the column
        exists; text is split on commas (``"kind,team"``).
    weights : {None, "recency"}, default None
        ``"recency"`` weighs recent estimates more in the reference class.
    freq : str, default "QS"
        Periods of the constraint timeline (a pandas frequency, e.g. ``"MS"``).
    as_of : date or str, optional
        First day of the forecasts (``YYYY-MM-DD``); default after the data.
    **options
        Nothing else is taken: ``client_dir``, ``results_path`` and
        ``excel_path`` are set by the batch for each client, and any other
        name is refused with the names the workbook takes.

    Returns
    -------
    BatchSummary

    Raises
    ------
    OpsdxError
        An option the workbook cannot use (checked before any kernel
        starts), an output folder that cannot be written, a bad timeout or
        notebook, or another batch writing to ``out``.

    Notes
    -----
    The workbook options are those of :class:`~opsdx.workbook.WorkbookParams`,
    with its defaults; they are part of each client's inputs hash, so that
    ``resume`` redoes a client run with other options.
    """
    options = {"seed": seed, "n_boot": n_boot, "trials": trials, "threshold": threshold,
               "by": by, "weights": weights, "freq": freq, "as_of": as_of, **options}
    _check_options(options)
    out = _writable(Path(out).resolve())
    _check_timeout(timeout)
    notebook = Path(notebook).resolve() if notebook else default_notebook()
    if not notebook.is_file():
        raise OpsdxError(f"no such notebook: {notebook}")
    with _Lock(out):
        return _run_locked(source, out, notebook, workers=workers, scheduler=scheduler,
                           progress=progress, resume=resume, options=options,
                           settings={"timeout": timeout, "verbose": verbose, "pdf": pdf})


def _check_options(options: dict) -> None:
    """Refuse what the batch sets itself, and check every option, before any kernel starts."""
    fixed = sorted(set(options) & set(_FIXED))
    if fixed:
        raise OpsdxError(f"{', '.join(fixed)}: set by the batch for each client, not an option")
    workbook_params(client_dir=".", **options)


def _writable(out: Path) -> Path:
    """``out``, created, once a file could be written in it."""
    if out.exists() and not out.is_dir():
        raise OpsdxError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".opsdx-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise OpsdxError(f"cannot write to {out}: {exc.strerror or exc}") from None
    return out


def _check_timeout(timeout) -> None:
    """A timeout is None or a positive, finite number of seconds."""
    if timeout is not None and not (isinstance(timeout, (int, float)) and math.isfinite(timeout)
                                    and timeout > 0):
        raise OpsdxError(f"timeout must be a positive number of seconds, not {timeout!r}")


def _run_locked(source, out: Path, notebook: Path, *, workers, scheduler, progress, resume,
                options, settings) -> BatchSummary:
    """The batch once ``out`` is locked: plan, run, record each outcome, write the portfolio."""
    _clear_stale_work(out)  # left by a batch that was killed: we hold the lock
    plan = plan_batch(Path(source), out, notebook, resume=resume, options=options, **settings)
    summary = BatchSummary(skipped=plan.skipped, out=out, notes=plan.notes, sources=plan.sources)

    def record(rows: list[dict]) -> None:
        _record(out, rows)
        summary.rows += rows

    record(plan.failed)
    with _progress(len(plan.jobs), shown=progress) as tick:
        def done(row: dict) -> None:
            record([row])
            tick(row)

        execute = make_executor(workers=workers, scheduler=scheduler)
        execute(plan.jobs, run_client, done, lambda job, exc: done(_lost_row(job, exc)))
    withheld = write_portfolio(out, plan.registry)
    if withheld:
        summary.notes.append(f"portfolio: {withheld}")
    return summary


@contextmanager
def _progress(total: int, *, shown: bool):
    """A callback that moves a progress bar on by one finished run (nothing when not shown)."""
    if not shown:
        yield lambda row: None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc="clients", unit="client")

    def tick(row: dict) -> None:
        bar.update(1)
        bar.set_postfix_str(f"{row['slug']}: {row['status']}", refresh=False)

    try:
        yield tick
    finally:
        bar.close()
