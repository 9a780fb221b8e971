"""One client's run: the notebook executed in a work folder, its deliverables published or withdrawn.

:func:`run_client` is what a worker executes (in this process, a spawned
process or a Dask worker: it is a module-level function of plain data, so it
pickles by reference). It never raises: it returns the client's ledger row.

A failed run takes one path whatever failed (bad data found before any
kernel, a notebook that raised or timed out, a worker that died): its row is
made by :func:`_failed_row`, and :func:`_record`, called by the batch for
every finished run, withdraws the client's deliverables of earlier runs
before the row reaches the ledger. A notebook that failed is set aside,
redacted, in ``_failed/<slug>.ipynb`` by :func:`_notebook_failed`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from ... import __version__
from .ledger import _append_ledger

#: The deliverables of a successful run, ``results.json`` last: it marks a complete set.
_OUTPUTS = ("workbook.ipynb", "workbook.html", "workbook.xlsx", "results.json")

#: The folder, in a client's output folder, of the snapshots of its assessments
HISTORY = "history"

#: The folder of the report's figures as PNG and SVG files, beside the HTML (for a deck)
FIGURES = "figures"

#: Every file a run may deliver, ``results.json`` first: withdrawn, no set looks complete.
_DELIVERABLES = ("results.json", "workbook.ipynb", "workbook.html", "workbook.xlsx",
                 "workbook.pdf")


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


def _row(job: ClientJob, seconds: float, **outcome) -> dict:
    """A ledger row: the client, its source folder, the outcome, the time and the inputs."""
    return {"client": job.name, "slug": job.slug, "source": job.client_dir, **outcome,
            "seconds": round(seconds, 2), "inputs_hash": job.inputs_hash,
            "files_hash": job.files_hash, "opsdx_version": __version__}


def _failed_row(job: ClientJob, reason: str, seconds: float, cell=None, stage="notebook") -> dict:
    """The ledger row of a failed run: ``stage`` is data, notebook, worker or opsdx."""
    return _row(job, seconds, status="failed", failed_in=stage, error=reason, failed_cell=cell)


def _lost_row(job: ClientJob, exc: BaseException) -> dict:
    """The ledger row of a run whose worker died or was lost (a killed process, a broken pool)."""
    return _failed_row(job, f"the worker running it died or was lost "
                            f"({type(exc).__name__}: {exc})".strip(), 0.0, stage="worker")


def _withdraw(out: Path, row: dict) -> None:
    """Delete a failed client's deliverables, so that an earlier success never passes for this run."""
    if row["status"] != "success":
        for name in _DELIVERABLES:
            (out / row["slug"] / name).unlink(missing_ok=True)
        shutil.rmtree(out / row["slug"] / FIGURES, ignore_errors=True)


def _record(out: Path, rows: list[dict]) -> None:
    """Record finished runs, whatever their outcome: failures withdrawn, then the ledger rows.

    The one way a row reaches the ledger: the clients that failed before any
    kernel, the runs that returned, and the runs whose worker was lost.
    """
    if not rows:
        return
    for row in rows:
        _withdraw(out, row)
    _append_ledger(out, rows)


def _clear_stale_work(out: Path) -> None:
    """Remove the work folders of a batch that was killed (the caller holds the folder's lock)."""
    for stale in out.glob(".work-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _first_line(text: str) -> str:
    """The first line of a cell's source, at most 200 characters ('' for an empty cell)."""
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else ""


def _redact(path: Path, job: ClientJob, parameters: dict) -> None:
    """Take the paths out of an executed notebook: papermill's metadata, the injected parameters.

    ``parameters`` are those the notebook was run with; the client folder's
    path is shown as the output folder's name.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.metadata.pop("papermill", None)
    shown = {**parameters, "client_dir": job.slug}
    if str(shown.get("logo") or "").startswith("data:"):  # the image itself, not its bytes
        shown["logo"] = f"<{shown['logo'][5:].split(';')[0]} image, {len(shown['logo'])} bytes>"
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
    return last[0], _first_line(last[1].source)


def _execute(job: ClientJob, executed: Path, parameters: dict) -> None:
    """Run the notebook with papermill, the kernel's working directory the work folder."""
    import papermill as pm

    pm.execute_notebook(
        job.notebook, str(executed), parameters=parameters,
        kernel_name="python3", progress_bar=job.verbose, log_output=job.verbose,
        execution_timeout=None if job.timeout is None else math.ceil(job.timeout),
        request_save_on_cell_execute=True,  # a timed-out run still shows its cells
        # the kernel's own log lines (transport notices, shutdown) only when verbose
        extra_arguments=[] if job.verbose else ["--IPKernelApp.log_level=CRITICAL"],
        resources={"metadata": {"path": str(executed.parent)}})  # the kernel's working directory


def _notebook_failed(job: ClientJob, exc: Exception, executed: Path, parameters: dict,
                     seconds: float) -> dict:
    """The row of a notebook that raised, timed out or lost its kernel; the notebook set aside.

    papermill names the cell that raised. After a timeout or a dead kernel the
    notebook, saved after each cell, tells which cell was running.
    """
    from papermill import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        row = _failed_row(job, f"{exc.ename}: {exc.evalue}".strip(), seconds, cell=exc.exec_count)
        row["failed_source"] = _first_line(exc.source or "")
    else:  # a timeout, a dead kernel: the notebook is not marked failed
        name = type(exc).__name__
        reason = (f"timed out after {job.timeout:g} s in one cell" if "Timeout" in name
                  else f"{name}: {exc}")
        row = _failed_row(job, reason, seconds)
        if executed.is_file():  # saved after each cell: the running one is the culprit
            row["failed_cell"], row["failed_source"] = _running_cell(executed)
    if executed.is_file():
        _set_aside(executed, job, parameters)
    return row


def _set_aside(executed: Path, job: ClientJob, parameters: dict) -> None:
    """Keep a failed notebook for debugging, redacted, away from the client's deliverables."""
    _redact(executed, job, parameters)
    failed = Path(job.out_dir) / "_failed"
    failed.mkdir(exist_ok=True)
    os.replace(executed, failed / f"{job.slug}.ipynb")


def _render(work: Path, job: ClientJob) -> tuple[list[str], str | None]:
    """Write the HTML, and the PDF when asked for and possible: the files to publish, and a note."""
    from ..html import export_html

    export_html(work / "workbook.ipynb", work / "workbook.html", title=job.name)
    outputs = list(_OUTPUTS)
    if not job.pdf:
        return outputs, None
    try:
        from weasyprint import HTML  # optional: renders without any browser
    except (ImportError, OSError):  # OSError: missing system libraries
        return outputs, ("no PDF: WeasyPrint is not installed or lacks its system libraries; "
                         "pip install 'opsdx[pdf]'")
    HTML(filename=str(work / "workbook.html")).write_pdf(str(work / "workbook.pdf"))
    outputs.insert(-1, "workbook.pdf")
    return outputs, None


def _publish(work: Path, final: Path, outputs: list[str]) -> None:
    """Rename the deliverables into the client's folder, ``results.json`` last."""
    final.mkdir(parents=True, exist_ok=True)
    (final / "results.json").unlink(missing_ok=True)  # stale results never sit beside new files
    shutil.rmtree(final / FIGURES, ignore_errors=True)  # this run's figures only
    if (work / FIGURES).is_dir():
        os.replace(work / FIGURES, final / FIGURES)
    for name in outputs:  # results.json last: its presence means the set is complete
        os.replace(work / name, final / name)


def _keep_snapshot(final: Path, job: ClientJob) -> None:
    """Keep the published results as ``history/<assessment_date>.json`` (the same date's
    replaced, other dates' never touched)."""
    from ...history import write_snapshot

    results = json.loads((final / "results.json").read_text(encoding="utf-8"))
    write_snapshot(final / HISTORY, results, inputs_hash=job.inputs_hash)


def _run_in(work: Path, job: ClientJob, started: float) -> dict:
    """Execute, check, redact, render and publish one client's workbook; its ledger row."""
    # the client's earlier snapshots, relative to the work folder (no path of the machine)
    parameters = {**job.parameters, "results_path": "results.json", "excel_path": "workbook.xlsx",
                  "history_dir": f"../{job.slug}/{HISTORY}", "figures_dir": FIGURES}
    executed = work / "workbook.ipynb"
    try:
        _execute(job, executed, parameters)
    except Exception as exc:  # the notebook raised, timed out, or its kernel died
        return _notebook_failed(job, exc, executed, parameters, time.perf_counter() - started)
    missing = [n for n in ("results.json", "workbook.xlsx") if not (work / n).is_file()]
    if missing:
        return _failed_row(job, f"the notebook did not write {', '.join(missing)}",
                           time.perf_counter() - started)
    _redact(executed, job, parameters)
    outputs, note = _render(work, job)
    _publish(work, Path(job.out_dir) / job.slug, outputs)
    _keep_snapshot(Path(job.out_dir) / job.slug, job)
    return _row(job, time.perf_counter() - started, status="success", failed_in=None,
                error=None, failed_cell=None, note=note)


def run_client(job: ClientJob) -> dict:
    """Execute the workbook for one client; never raises: returns its ledger row.

    Parameters
    ----------
    job : ClientJob
        The client, its output folder and the notebook's parameters.

    Returns
    -------
    dict
        The ledger row: ``status`` success or failed; a failure says where
        (``failed_in``), why (``error``) and, for a notebook, in which cell.
    """
    started = time.perf_counter()
    work = Path(job.out_dir) / f".work-{job.slug}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        return _run_in(work, job, started)
    except Exception as exc:  # pragma: no cover - last resort, never lose the other clients
        return _failed_row(job, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
                           time.perf_counter() - started, stage="opsdx")
    finally:
        shutil.rmtree(work, ignore_errors=True)
