import pandas as pd
import pytest

import opsdx
from opsdx import DataError


def test_reads_finished_and_open_work_with_attributes(tmp_path):
    path = tmp_path / "estimates.csv"
    path.write_text("item_id,estimate,actual,estimated_on,finished_on,estimator,kind\n"
                    "T1,4,6,2026-01-05,2026-01-09,ana,bug\n"
                    "T2,\"1,5\",1.5,2026-01-06,2026-01-06,ben,feature\n"
                    "T3,8,,2026-02-01,,ana,feature\n")
    e = opsdx.read_estimates(path)
    assert e["item_id"].tolist() == ["T1", "T2", "T3"]
    assert e["estimate"].tolist() == [4.0, 1.5, 8.0]
    assert e["ratio"].iloc[:2].tolist() == [1.5, 1.0] and pd.isna(e["ratio"].iloc[2])
    assert e["finished"].tolist() == [True, True, False]
    assert str(e["finished_on"].dtype).startswith("datetime64")
    assert e["kind"].tolist() == ["bug", "feature", "feature"]


def test_every_problem_is_reported_with_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("item_id,estimate,actual,estimated_on,finished_on\n"
                    "T1,0,3,2026-01-01,2026-01-02\n"      # row 2: estimate not positive
                    "T1,2,3,2026-01-01,2026-01-02\n"      # row 3: duplicate id
                    ",2,3,2026-01-01,2026-01-02\n"        # row 4: blank id
                    "T4,,3,2026-01-01,2026-01-02\n"       # row 5: missing estimate
                    "T5,2,-1,2026-01-01,2026-01-02\n"     # row 6: negative actual
                    "T6,2,3,01/02/2026,2026-01-02\n"      # row 7: not an ISO date
                    "T7,2,3,2026-03-01,2026-01-02\n"      # row 8: finished before estimated
                    "T8,two,3,2026-01-01,2026-01-02\n")   # row 9: estimate not a number
    with pytest.raises(DataError) as info:
        opsdx.read_estimates(path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(2, "estimate"), (3, "item_id"), (4, "item_id"), (5, "estimate"),
                     (6, "actual"), (7, "estimated_on"), (8, "finished_on"), (9, "estimate")}
    assert all(p.file == "bad.csv" for p in info.value.problems)
    assert "bad.csv, row 7, column 'estimated_on': not a date (value '01/02/2026'); " \
           "expected a date written YYYY-MM-DD" in str(info.value)


def test_missing_columns(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("id,estimate\nT1,3\n")
    with pytest.raises(DataError) as info:
        opsdx.read_estimates(path)
    assert {p.column for p in info.value.problems} == {"item_id", "actual"}
