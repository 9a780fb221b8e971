"""Where the clients' runs execute: here, in a pool of spawned processes, or on Dask.

Every executor is a function ``execute(jobs, run, on_done, on_lost)``: it
calls ``run(job)`` for each job (``run`` must be a module-level function,
such as :func:`~opsdx.workbook.batch.client_run.run_client`, so that it
pickles to a worker), hands each row it returns to ``on_done`` as soon as
that run finishes, and hands a job whose worker died or was lost to
``on_lost`` with the exception: that client fails, not the batch.
:func:`make_executor` chooses the executor from the batch's options.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial

from ...errors import OpsdxError

#: ``execute(jobs, run, on_done, on_lost)``
Executor = Callable[[list, Callable, Callable, Callable], None]


def make_executor(*, workers: int | None = None, scheduler=None) -> Executor:
    """The executor for a batch's options.

    Parameters
    ----------
    workers : int, optional
        Parallel processes; default the number of cores. One runs the
        clients one after the other in this process.
    scheduler : str or distributed.Client, optional
        A Dask distributed scheduler (``tcp://host:port``) or a client of
        one: the runs are submitted there, and ``workers`` is not used.

    Returns
    -------
    callable
        ``execute(jobs, run, on_done, on_lost)``.
    """
    if scheduler is not None:
        return partial(_dask, scheduler)
    n = workers or os.cpu_count() or 1
    return _serial if n == 1 else partial(_pool, n)


def _serial(jobs: list, run: Callable, on_done: Callable, on_lost: Callable) -> None:
    """One run after the other in this process (``run`` never raises: none is lost)."""
    for job in jobs:
        on_done(run(job))


def _pool(workers: int, jobs: list, run: Callable, on_done: Callable, on_lost: Callable) -> None:
    """Up to ``workers`` processes, spawned (never forked: no state of this process is shared)."""
    import multiprocessing

    if not jobs:
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(run, job): job for job in jobs}
        _collect(futures, as_completed(futures), on_done, on_lost)


def _dask(scheduler, jobs: list, run: Callable, on_done: Callable, on_lost: Callable) -> None:
    """On the workers of a Dask distributed scheduler (the client is closed if opened here)."""
    if not jobs:
        return
    client = _dask_client(scheduler)
    try:
        from dask.distributed import as_completed as dask_completed

        futures = {client.submit(run, job, pure=False): job for job in jobs}
        _collect(futures, dask_completed(list(futures)), on_done, on_lost)
    finally:
        if client is not scheduler:
            client.close()


def _dask_client(scheduler):
    """A ``distributed.Client``: ``scheduler`` itself, or one connected to that address."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise OpsdxError("--scheduler needs Dask distributed: pip install 'opsdx[dask]'") from None
    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise OpsdxError(f"cannot reach the Dask scheduler at {scheduler}: "
                         f"{type(exc).__name__}") from None


def _collect(futures: dict, completed: Iterable, on_done: Callable, on_lost: Callable) -> None:
    """Hand each future's row to ``on_done`` as it completes; a lost worker's job to ``on_lost``."""
    for future in completed:
        try:
            row = future.result()
        except Exception as exc:  # a killed worker, a broken pool: that client fails, not the batch
            on_lost(futures[future], exc)
        else:
            on_done(row)
