"""Timestamps as exports write them: every shape in one pass, bad cells by row, zones refused.

A CSV file's timestamp columns are parsed while the file is read (pandas'
ISO 8601 parser on the bytes); a column that holds anything else falls back
to text and :func:`opsdx.tables.parse_timestamps`. Both paths must agree with
what Python's own ``datetime.fromisoformat`` makes of each cell.
"""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import opsdx
from opsdx.tables import parse_timestamps, read_table

HEADER = "item_id,stage,entered_at,exited_at\n"
NOT_A_TIMESTAMP = "not a date (expected ISO 8601, e.g. 2025-03-04 or 2025-03-04 14:30)"
MIXED = "time zone given on some rows but not on others"


def _write(tmp_path, rows, header=HEADER, name="work_items.csv", newline="\n"):
    path = tmp_path / name
    path.write_bytes((header + "".join(r + "\n" for r in rows)).replace("\n", newline).encode())
    return path


_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?"
                  r"(?:([Zz]| UTC)|([+-])(\d\d)(?::?(\d\d))?)?$")


def _expected(text: str) -> pd.Timestamp:
    """An ISO 8601 cell read by hand, field by field: UTC when it gives an offset."""
    y, mo, d, h, mi, sec, frac, zulu, sign, oh, om = _ISO.match(text.strip()).groups()
    stamp = pd.Timestamp(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))
    stamp += pd.Timedelta(int(((frac or "") + "0" * 9)[:9]), "ns")
    if sign:
        offset = pd.Timedelta(hours=int(oh), minutes=int(om or 0))
        stamp -= offset if sign == "+" else -offset
    return stamp


@pytest.mark.parametrize("cells", [
    ["2026-01-05 00:14:07.616665973", "2026-01-05 00:14:08.6", "2026-01-05 00:14:09"],
    ["2024-03-01T10:14:07.616+0000", "2024-03-01T11:14:07.616+0100", "2024-03-01T10:15:00+0000"],
    ["2024-03-01T10:14:07.616Z", "2024-03-01T10:14:08Z", "2024-03-01t10:14:09.5z"],
    ["2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+02:00", "2024-10-27T02:30:00+01:00"],
    ["2024-03-01T10:14:07-05", "2024-03-01T10:14:07-0500", "2024-03-01T10:14:07-05:00"],
    ["2025-03-04", "2025-03-05", "2025-03-06"],
    ["2025-03-04 09:00", "2025-03-04T09:00:00.123", "2025-03-05"],
    ["2024-03-01 10:14:07.616000 UTC", "2024-03-01 10:15:00 UTC", "2024-03-01T10:16:00Z"],  # BigQuery
])
def test_every_shape_reads_as_python_reads_it(tmp_path, cells):
    path = _write(tmp_path, [f"i{k},Build,{c}," for k, c in enumerate(cells)])
    flow = opsdx.read_work_items(path)
    assert flow.quality.empty
    assert flow.visits.sort_values("row")["entered_at"].tolist() == [_expected(c) for c in cells]
    frame = pd.DataFrame({"item_id": [f"i{k}" for k in range(len(cells))], "stage": "X",
                          "entered_at": cells,
                          "exited_at": ""})
    text_path = opsdx.read_work_items(frame).visits.sort_values("row")["entered_at"]
    assert text_path.tolist() == [_expected(c) for c in cells]  # the text path agrees


def test_a_bad_cell_among_good_ones_is_reported_by_its_row(tmp_path):
    rows = [f"i{k},Build,2025-01-{1 + k % 28:02d}T09:00:00.{k:03d}+0000," for k in range(300)]
    rows[150] = "i150,Build,2025-01-31 25:00,"          # row 152 of the file
    rows[200] = "i200,Build,TBD,"                       # row 202
    rows[250] = "i250,Build,2025,"                      # a year alone: row 252
    rows[260] = "i260,Build,2025-01-05T09:00:00,"       # no offset among zoned rows: row 262
    flow = opsdx.read_work_items(_write(tmp_path, rows))
    found = dict(zip(flow.quality["row"], zip(flow.quality["value"], flow.quality["problem"])))
    assert found == {152: ("2025-01-31 25:00", NOT_A_TIMESTAMP), 202: ("TBD", NOT_A_TIMESTAMP),
                     252: ("2025", NOT_A_TIMESTAMP), 262: ("2025-01-05T09:00:00", MIXED)}
    assert len(flow.visits) == 296
    assert flow.visits.set_index("row").at[2, "entered_at"] == pd.Timestamp("2025-01-01 09:00")


def test_a_year_or_a_month_alone_is_refused_in_a_column_that_parses(tmp_path):
    rows = ["a,Build,2025-01-01 00:00,", "b,Build,2025,", "c,Build,2025-03,",
            "d,Build,2025-03-01,"]
    flow = opsdx.read_work_items(_write(tmp_path, rows))
    assert dict(zip(flow.quality["row"], flow.quality["value"])) == {3: "2025", 4: "2025-03"}
    assert sorted(flow.visits["row"]) == [2, 5]


def test_zoned_and_naive_rows_are_refused_in_either_path(tmp_path):
    rows = ["a,Build,2025-01-06T09:00:00Z,2025-01-06T10:00:00Z",
            "b,Build,2025-01-06T09:30:00Z,2025-01-06T10:30:00Z",
            "c,Build,2025-01-06 11:00,"]
    flow = opsdx.read_work_items(_write(tmp_path, rows))
    assert dict(zip(flow.quality["row"], flow.quality["problem"])) == {4: MIXED}
    # one column zoned throughout, the other naive throughout: still a mix
    rows = ["a,Build,2025-01-06T09:00:00Z,2025-01-06 10:00", "b,Build,2025-01-06T09:30:00Z,"]
    flow = opsdx.read_work_items(_write(tmp_path, rows, name="two.csv"))
    assert dict(zip(flow.quality["row"], flow.quality["column"])) == {2: "exited_at"}


def test_blank_lines_spaces_crlf_and_quotes_keep_rows_and_values(tmp_path):
    rows = ["a,Build,2025-01-06 09:00,2025-01-06 10:00", "", ' b ,"Build", 2025-01-06 09:30 ,',
            '"c\nd",Build,"2025-01-06T11:00:00.250",']
    path = _write(tmp_path, rows, newline="\r\n")
    flow = opsdx.read_work_items(path)
    assert flow.quality.empty
    visits = flow.visits.set_index("row")
    assert visits.at[4, "item_id"] == "b" and visits.at[4, "entered_at"] == pd.Timestamp(
        "2025-01-06 09:30")
    assert visits.at[5, "item_id"] == "c\r\nd"
    assert visits.at[5, "entered_at"] == pd.Timestamp("2025-01-06 11:00:00.25")
    assert flow.open_visits == 2


def test_typed_columns_come_back_from_read_table_only_when_clean(tmp_path):
    path = _write(tmp_path, ["a,Build,2025-01-06 09:00,", "b,Build,2025-01-07 09:00,"])
    table = read_table(path, times=["entered_at", "exited_at"])
    assert str(table.frame["entered_at"].dtype).startswith("datetime64")
    assert table.frame["exited_at"].isna().all()
    assert table.frame["item_id"].tolist() == ["a", "b"]
    text = read_table(path)  # without times=, every cell is text as before
    assert text.frame["entered_at"].tolist() == ["2025-01-06 09:00", "2025-01-07 09:00"]
    dst = _write(tmp_path, ["a,Build,2025-03-30T01:30:00+01:00,",
                            "b,Build,2025-03-30T03:30:00+02:00,"], name="dst.csv")
    cells = read_table(dst, times=["entered_at"]).frame["entered_at"]
    times, aware = parse_timestamps(cells)
    assert times.tolist() == [pd.Timestamp("2025-03-30 00:30"), pd.Timestamp("2025-03-30 01:30")]
    assert aware.all()


def test_other_encodings_and_separators_parse_alike(tmp_path):
    text = "item_id;stage;entered_at;exited_at\na;Büro;2025-01-06T09:00:00.5+01:00;\n"
    for encoding in ("utf-16", "cp1252", "utf-8-sig"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        visits = opsdx.read_work_items(path).visits
        assert visits["stage"].tolist() == ["Büro"]
        assert visits["entered_at"].tolist() == [pd.Timestamp("2025-01-06 08:00:00.5")]


def test_far_placeholder_dates_are_set_aside_by_row_not_a_crash(tmp_path):
    # some systems write 9999-12-31 for "still open"; a timestamp cannot hold it
    rows = ["a,Build,2025-03-04 10:00,2025-03-05 10:00", "b,Build,2025-03-04 10:00,9999-12-31",
            "c,Build,2025-03-04 10:00,9999-12-31T00:00:00+01:00", "d,Build,0001-01-01,"]
    flow = opsdx.read_work_items(_write(tmp_path, rows))
    found = dict(zip(flow.quality["row"], flow.quality["problem"]))
    far = "a date before 1677 or after 2262 (a placeholder for open work? leave the cell blank)"
    assert found == {3: far, 4: far, 5: far}
    assert flow.visits["item_id"].tolist() == ["a"]
    log = _write(tmp_path, ["D1,2024-03-01,9999-12-31,Ann", "D2,2024-03-01,2024-03-02,Bo"],
                 header="decision_id,raised_at,decided_at,decider\n", name="decisions.csv")
    with pytest.raises(opsdx.DataError) as info:
        opsdx.read_decisions(log)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "decided_at", "9999-12-31")
    assert problem.message == "a date before 1677 or after 2262"


def test_a_month_alone_after_offsets_that_change_is_still_refused(tmp_path):
    # beyond the rows pandas looks at first, an offset and a month alone: the cells as written
    rows = [f"i{k},Build,2025-03-04 10:00,2025-03-05 10:00" for k in range(600)]
    rows += ["j,Build,2025-03-04 10:00,2025-03-05T10:00:00+02:00", "m,Build,2025-03-04 10:00,2025-04"]
    flow = opsdx.read_work_items(_write(tmp_path, rows))
    found = dict(zip(flow.quality["row"], zip(flow.quality["value"], flow.quality["problem"])))
    assert found == {602: ("2025-03-05T10:00:00+02:00", MIXED), 603: ("2025-04", NOT_A_TIMESTAMP)}


def test_decision_logs_and_event_logs_read_the_same_shapes(tmp_path):
    log = _write(tmp_path, ["D1,2024-03-01T10:14:07.616+0000,2024-03-02T10:14:07.616+0000,Ann",
                            "D2,2024-03-01T10:00:00.5Z,,Bo"],
                 header="decision_id,raised_at,decided_at,decider\n", name="decisions.csv")
    decisions = opsdx.read_decisions(log)
    assert decisions["latency_days"].iloc[0] == 1.0
    assert decisions["raised_at"].iloc[1] == pd.Timestamp("2024-03-01 10:00:00.5")
    events = _write(tmp_path, ["1,Build,2024-03-01T10:00:00.250Z", "1,Test,2024-03-01T11:00:00Z"],
                    header="case:concept:name,concept:name,time:timestamp\n", name="events.csv")
    visits = opsdx.from_event_log(events).visits
    assert visits["exited_at"].tolist() == [pd.Timestamp("2024-03-01 10:00:00.25"),
                                            pd.Timestamp("2024-03-01 11:00")]


OFFSETS = st.sampled_from(["", "Z", "+00:00", "+0000", "+01:00", "-0500", "+05:30", "-03"])


@st.composite
def stamps(draw):
    moment = draw(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 1, 1)))
    digits = draw(st.integers(0, 9))
    fraction = f"{moment.microsecond:06d}{draw(st.integers(0, 999)):03d}"[:digits]
    sep = draw(st.sampled_from(["T", " "]))
    text = moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + (f".{fraction}" if digits else "")
    return text


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(stamps(), min_size=1, max_size=30), offset=OFFSETS,
       varying=st.booleans(), data=st.data())
def test_any_iso_column_parses_to_what_python_says(tmp_path_factory, cells, offset, varying, data):
    if offset and varying:  # offsets that change from row to row, as daylight saving makes them
        cells = [c + data.draw(OFFSETS.filter(bool)) for c in cells]
    else:
        cells = [c + offset for c in cells]
    path = _write(tmp_path_factory.mktemp("iso"), [f"i{k},Build,{c},"
                                                    for k, c in enumerate(cells)])
    flow = opsdx.read_work_items(path)
    assert flow.quality.empty
    got = flow.visits.sort_values("row")["entered_at"]
    assert got.tolist() == [_expected(c) for c in cells]
    assert np.issubdtype(got.dtype, np.datetime64)
