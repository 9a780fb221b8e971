"""pyarrow's CSV reader, for large files, reads exactly what pandas' reader reads.

``read_table`` hands a large UTF-8 CSV file to pyarrow (five times faster, with
offsets that change from row to row parsed in the same pass) and leaves
anything irregular to pandas. These tests read the same bytes both ways and
require the same table, the same moments, or the same error.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import opsdx
from opsdx import DataError, tables
from opsdx.tables import parse_timestamps, read_table

pytest.importorskip("pyarrow")


@contextlib.contextmanager
def arrow(used: bool):
    """Every file to pyarrow (``used``), or none."""
    before = tables.ARROW_MIN_BYTES
    tables.ARROW_MIN_BYTES = 0 if used else 1 << 62
    try:
        yield
    finally:
        tables.ARROW_MIN_BYTES = before


def both_ways(read):
    """``read()`` with pandas and with pyarrow: (result or error text) each."""
    out = []
    for used in (False, True):
        with arrow(used):
            try:
                out.append(read())
            except DataError as exc:
                out.append(f"DataError: {exc}")
    return out


def same_table(a, b, times):
    """Two Tables hold the same cells: text alike, time columns giving the same moments."""
    assert list(a.frame.columns) == list(b.frame.columns)
    assert a.rows.tolist() == b.rows.tolist()
    for c in a.frame.columns:
        if c in times:
            ta, wa = parse_timestamps(a.frame[c])
            tb, wb = parse_timestamps(b.frame[c])
            pd.testing.assert_series_equal(ta.reset_index(drop=True), tb.reset_index(drop=True),
                                           check_names=False)
            assert wa.tolist() == wb.tolist()
        else:
            assert a.frame[c].astype(object).tolist() == b.frame[c].astype(object).tolist(), c


CELLS = st.sampled_from([
    "x", "In review", "Ready  for review", "trailing ", "x", "y", "In review",
    '"quoted, with comma"', '"two\nlines"', '"say ""hi"""', "", "NA", "N/A", "null", "1", "1.0",
    "-", "Ärger", "a\u00a0b", " padded", "tab\t", "\u3000wide",
    "2025-03-30T01:30:00.123+01:00", "2025-03-30T03:30:00+02:00", "2025-03-30T01:30:00Z",
    "2025-03-30 01:30", "2025-03-30", "2025-03", "2025", "9999-12-31", "TBD",
    "2025-03-30T01:30:00+00:00", "2025-03-30t01:30z", "2025-03-30 01:30:00 UTC",
    "20250330T0130", "2025-03-30T01:30:00,5", "2025-03-30T01:30:00Z "])
ZONED = ["2025-03-30T01:30:00.123+01:00", "2025-07-01T03:30:00+02:00", "2025-03-30T01:30:00Z",
         "2025-10-26T02:30:00.5+01:00", "2025-10-26T01:30:00.123456789-05:00", ""]
NAIVE = ["2025-03-30 01:30", "2025-03-30", "2025-03-30T01:30:00.5", "2025-10-26 02:30:00", ""]


@st.composite
def csv_files(draw):
    width = draw(st.integers(1, 4))
    header = ["item", "changed_at", "status", "who"][:width]
    # the time column of a file: offsets only, naive only, or anything
    times = draw(st.sampled_from([st.sampled_from(ZONED), st.sampled_from(NAIVE), CELLS]))
    n = draw(st.integers(1, 12))
    lines = [",".join(header)]
    for _ in range(n):
        row = [draw(times if c == "changed_at" else CELLS) for c in header]
        if draw(st.integers(0, 20)) == 0:
            row = row[:-1] or [""]  # a ragged line
        lines.append(",".join(row))
        if draw(st.integers(0, 25)) == 0:
            lines.append("")  # a blank line
    if draw(st.integers(0, 10)) == 0:
        lines[1:1] = [", ".join(header)]  # a space after a separator
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return (end.join(lines) + draw(st.sampled_from(["", end]))).encode(
        draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=csv_files())
@example(raw=b"item,changed_at\nx,9999-12-31\n")  # pyarrow 14 wrapped the year round
@example(raw=b"item,changed_at\nx,1601-01-01T00:00:00Z\ny,2025-03-04 10:00\n")
def test_pyarrow_reads_any_file_as_pandas_does(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "changes.csv"
        path.write_bytes(raw)
        plain, fast = both_ways(lambda: read_table(path, times=["changed_at"]))
        if isinstance(plain, str) or isinstance(fast, str):
            assert plain == fast
        else:
            same_table(plain, fast, {"changed_at"})


def test_a_clean_export_is_read_by_pyarrow_with_its_offsets_parsed(tmp_path):
    path = tmp_path / "changes.csv"
    path.write_text("Issue key,Status,Changed\n"
                    "OPS-1,In progress,2025-03-30T01:30:00.123+01:00\n"
                    "OPS-1,Done,2025-03-30T03:30:00+02:00\n", encoding="utf-8")
    with arrow(True):
        table = read_table(path, times=["Changed"])
    changed = table.frame["Changed"]
    assert str(changed.dtype) in {"datetime64[ns, UTC]", "datetime64[us, UTC]"}
    assert changed.dt.tz_localize(None).tolist() == [
        pd.Timestamp("2025-03-30 00:30:00.123"), pd.Timestamp("2025-03-30 01:30:00")]
    assert table.rows.tolist() == [2, 3]


@pytest.mark.parametrize("text", [
    "a,b\n1,2\n3\n",                 # ragged
    "a,b\n1, 2\n",                   # a space after the separator
    "a,b\n1,2,3\n",                  # more fields than the header
    '"a\nb",c\n1,2\n',               # a header cell spanning two lines
])
def test_irregular_files_are_left_to_pandas(text):
    raw = text.encode()
    header = ["a", "b"]
    assert tables._arrow_body(raw, "utf-8", ",", header, []) is None or \
        tables.ARROW_MIN_BYTES > len(raw)
    with arrow(True):
        assert tables._arrow_body(raw, "utf-8", ",", header, []) is None


def test_a_blank_line_keeps_the_row_numbers_of_the_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n\n3,4\n")
    with arrow(True):
        assert tables._arrow_body(path.read_bytes(), "utf-8", ",", ["a", "b"], []) is not None
        assert read_table(path).rows.tolist() == [2, 4]


def test_a_large_file_goes_to_pyarrow_and_a_small_one_to_pandas():
    small = b"a,b\n1,2\n"
    assert tables._arrow_body(small, "utf-8", ",", ["a", "b"], []) is None
    large = b"a,b\n" + b"1,2\n" * (tables.ARROW_MIN_BYTES // 4 + 1)
    body = tables._arrow_body(large, "utf-8", ",", ["a", "b"], [])
    assert body is not None and len(body) == tables.ARROW_MIN_BYTES // 4 + 1
    assert tables._arrow_body(large, "cp1252", ",", ["a", "b"], []) is None


def _history(n_items: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    path = ["Backlog", "Ready for dev", "In progress", "Ready for review", "In review", "Done"]
    status = np.tile(np.array(path, dtype=object), n_items)
    status[rng.random(status.size) < 0.05] = "Blocked"
    start = np.datetime64("2025-03-01T00:00:00", "ms") + (
        rng.uniform(0, 300, n_items) * 86_400_000).astype("timedelta64[ms]")
    steps = (rng.exponential(8, (n_items, len(path))).cumsum(axis=1) * 3_600_000
             ).astype("timedelta64[ms]")
    stamps = pd.DatetimeIndex((start[:, None] + steps).ravel()).tz_localize("UTC") \
        .tz_convert("Europe/Berlin")
    text = pd.Series(stamps.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3]
                     + stamps.strftime("%z").str[:3] + ":" + stamps.strftime("%z").str[3:])
    text[rng.random(text.size) < 0.01] = ""  # a lost time
    return pd.DataFrame({"Issue key": np.repeat([f"OPS-{k}" for k in range(n_items)],
                                                len(path)),
                         "Status": status, "Changed": text,
                         "Assignee": rng.choice(["ana", "ben", ""], status.size)})


SMAP = {"stages": ["Build", "Review"], "statuses": [
    {"status": "Backlog", "role": "backlog"},
    {"status": "Ready for dev", "stage": "Build", "role": "queue"},
    {"status": "In progress", "stage": "Build", "role": "work"},
    {"status": "Ready for review", "stage": "Review", "role": "queue"},
    {"status": "In review", "stage": "Review", "role": "work"},
    {"status": "Done", "role": "done"}]}


@pytest.mark.parametrize("zones", ["offsets", "mixed", "utc"])
def test_a_status_history_gives_the_same_flow_either_way(tmp_path, zones):
    frame = _history(400)
    if zones == "mixed":  # a few naive times: set aside, either way
        frame.loc[frame.index[::97], "Changed"] = "2025-06-01 10:00"
    if zones == "utc":
        frame["Changed"] = pd.to_datetime(frame["Changed"].replace("", None), format="ISO8601",
                                          utc=True).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ") \
            .fillna("")
    path = tmp_path / "history.csv"
    frame.to_csv(path, index=False)
    plain, fast = both_ways(lambda: opsdx.read_status_history(path, SMAP))
    assert len(plain.visits) > 500
    pd.testing.assert_frame_equal(plain.visits, fast.visits)
    pd.testing.assert_frame_equal(plain.quality.astype(str), fast.quality.astype(str))
    assert list(map(str, plain.notes)) == list(map(str, fast.notes))
    assert (plain.quality["value"] != "NaT").all()


def test_statuses_are_tidied_for_every_kind_of_whitespace_str_split_knows():
    from opsdx.flow.statuses import _tidy

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    values = ["In review", "In  review", " In review", "Done"] + \
        [f"In{w}review" for w in spaces] + [f"Done{w}" for w in spaces]
    tidy = _tidy(pd.Series(values)).astype(object).tolist()
    assert tidy == [" ".join(v.split()) for v in values]
    assert len(set(tidy)) == 2
