"""Writing outputs safely: a file appears whole or not at all.

Every file opsdx writes goes through :func:`atomic_path`: the content is
written to a temporary file in the same folder, flushed to disk, and renamed
over the destination (``os.replace``, atomic on POSIX and Windows). An
interrupted run never leaves a half-written file that looks complete, and a
failed write leaves the previous version in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .notes import Note

__all__ = ["atomic_path", "write_text", "write_bytes", "json_safe"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; on success it is renamed to ``path``.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "out.csv") as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> (folder / "out.csv").read_text(), sorted(p.name for p in folder.iterdir())
    ('a,b\\n', ['out.csv'])
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # make the content durable before it becomes visible
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; outputs are ordinary
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    """The process umask, read without changing it where the system allows (threads are safe)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data: the one rule every result's ``to_dict()`` follows.

    Dicts (keys as text), lists, tuples, Series (as dicts) and DataFrames (as
    lists of records) are walked; a :class:`~opsdx.notes.Note` becomes
    ``{"part", "code", "text"}``; numpy scalars become Python numbers; NaN
    and infinities become None (JSON has neither); a timestamp becomes ISO
    text, a date alone when it has no time of day (in a DataFrame, when no
    timestamp of its column has one); a timedelta its seconds.

    >>> json_safe({"a": np.float64("nan"), "b": [np.int64(2), np.bool_(True)],
    ...            "c": pd.Timestamp("2026-01-05"), "d": pd.Timestamp("2026-01-05 09:30")})
    {'a': None, 'b': [2, True], 'c': '2026-01-05', 'd': '2026-01-05T09:30:00'}
    >>> json_safe(pd.DataFrame({"x": [1.5, float("inf")],
    ...                         "t": pd.to_datetime(["2026-01-05 02:50", "2026-04-01 00:00"])}))
    [{'x': 1.5, 't': '2026-01-05T02:50:00'}, {'x': None, 't': '2026-04-01T00:00:00'}]
    """
    if isinstance(value, Note):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
        for col in frame.columns:  # one shape per column: dates alone only if every one is
            times = frame[col]
            if pd.api.types.is_datetime64_any_dtype(times):
                known = times.dropna()
                day = bool((known == known.dt.normalize()).all())
                frame[col] = times.astype(object).map(
                    lambda t: None if pd.isna(t) else t.date().isoformat() if day
                    else t.isoformat())
        return [json_safe(r) for r in frame.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return json_safe(value.to_dict())
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_safe(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return pd.Timedelta(value).total_seconds()
    return value
