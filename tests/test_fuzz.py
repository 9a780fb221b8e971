"""Whatever a client sends, reading it either works or raises an opsdx error."""

import string

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import opsdx
from opsdx import OpsdxError

HEADERS = st.sampled_from(["respondent", "role", "item_id", "answer", "comment", "a2", "B2", "r2",
                           "a3", "Timestamp", "x", "", "respondent"])
CELLS = st.one_of(st.sampled_from(["", "N/A", "Usually", "3", "3,0", " 4 ", "-1", "9", "TRUE",
                                   "#N/A", "=HYPERLINK(\"http://x\")", "a2", "ana", "lead"]),
                  st.text(alphabet=string.printable + "éü–“”\u200b", max_size=12))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(HEADERS, min_size=1, max_size=6),
       rows=st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=5),
       sep=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
       crlf=st.booleans())
def test_any_csv_reads_or_raises_an_opsdx_error(tiny, tmp_path, header, rows, sep, encoding, crlf):
    def line(cells):
        return sep.join('"' + c.replace('"', '""') + '"' for c in cells)

    text = ("\r\n" if crlf else "\n").join([line(header)] + [line(r) for r in rows]) + "\n"
    path = tmp_path / "fuzz.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        frame = opsdx.read_responses(path, tiny)
    except OpsdxError as exc:
        assert str(exc).startswith("fuzz.csv")
        return
    assert set(frame["status"].astype(str)) <= {"answered", "n/a", "skipped"}
    assert frame["value"].dropna().between(0, 4).all()
    assert len(frame) == frame["respondent"].nunique() * len(tiny.items)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["respondent", "role", "item_id", "answer", "a2"]),
                       st.lists(st.one_of(st.none(), st.integers(-3, 9), st.floats(allow_nan=True),
                                          st.booleans(), st.text(max_size=5)), min_size=1, max_size=4),
                       min_size=1))
def test_any_dataframe_reads_or_raises_an_opsdx_error(tiny, columns):
    n = min(len(v) for v in columns.values())
    frame = pd.DataFrame({k: v[:n] for k, v in columns.items()})
    try:
        opsdx.read_responses(frame, tiny)
    except OpsdxError:
        pass
