from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import opsdx
from conftest import scale_actuals
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
           "expected ISO 8601, e.g. 2025-03-04 or 2025-03-04 14:30; for dates such as " \
           "05/01/2026 say whether the day or the month comes first" in str(info.value)


def test_missing_columns(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("id,estimate\nT1,3\n")
    with pytest.raises(DataError) as info:
        opsdx.read_estimates(path)
    assert {p.column for p in info.value.problems} == {"item_id", "actual"}


def test_units_in_cells_and_declared_units_give_true_ratios(tmp_path):
    path = tmp_path / "estimates.csv"
    path.write_text("item_id,estimate,actual\n"
                    "A,2d,20h\n"          # 16 hours estimated, 20 taken
                    "B,16h,3 days\n"      # 16 hours, 24
                    "C,1.5 weeks,60\n"    # 60 hours, 60 (a bare actual: the estimate's unit)
                    "D,1d 4h,12h\n"       # Jira's way: 12 hours, 12
                    "E,3 Days,\n")
    e = opsdx.read_estimates(path, actual_unit="hours")
    assert e.attrs["unit"] == "days"                     # the unit most estimates give
    assert e["ratio"].iloc[:4].round(6).tolist() == [1.25, 1.5, 1.0, 1.0]
    assert e["estimate"].tolist() == [2.0, 2.0, 7.5, 1.5, 3.0]
    bare = tmp_path / "bare.csv"   # days and hours as bare numbers: the units come from client.yaml
    bare.write_text("item_id,estimate,actual\nA,2,20\nB,1,8\n")
    e = opsdx.read_estimates(bare, estimate_unit="days", actual_unit="hours", hours_per_day=7.5)
    assert e["ratio"].round(6).tolist() == [round(20 / 15, 6), round(8 / 7.5, 6)]
    jira = tmp_path / "jira.csv"   # Jira exports time tracking in seconds
    jira.write_text("item_id,estimate,actual\nA,28800,36000\n")
    e = opsdx.read_estimates(jira, estimate_unit="seconds", actual_unit="seconds")
    assert e["ratio"].tolist() == [1.25]
    assert e.attrs["unit"] == "hours" and e["estimate"].tolist() == [8.0]  # readable, not 28,800
    big = tmp_path / "big.csv"     # large seconds as a spreadsheet writes them
    big.write_text("item_id,estimate,actual\nA,1.08e+06,1.26E+06\n")
    e = opsdx.read_estimates(big, estimate_unit="Seconds", actual_unit="s")   # any spelling
    assert e["estimate"].tolist() == [300.0] and e["actual"].tolist() == [350.0]
    assert opsdx.read_estimates(bare).attrs["unit"] is None   # no unit anywhere: as written
    # bare estimates against actuals with a unit: in the actuals' unit, not assumed hours
    half = tmp_path / "half.csv"
    half.write_text("item_id,estimate,actual\nA,2,2d\nB,3,4.5 days\n")
    e = opsdx.read_estimates(half)
    assert e.attrs["unit"] == "days" and e["ratio"].tolist() == [1.0, 1.5]
    e = opsdx.read_estimates(bare, actual_unit="days")        # declared for one column alike
    assert e.attrs["unit"] == "days" and e["ratio"].tolist() == [10.0, 8.0]


def test_unit_problems_are_listed_with_their_rows(tmp_path):
    path = tmp_path / "estimates.csv"
    path.write_text("item_id,estimate,actual\n"
                    "A,2d,20h\n"
                    "B,3,1d\n"           # row 3: no unit among estimates that give one
                    "C,2 parsecs,1d\n"   # row 4: not a unit
                    "D,5 pts,4h\n")      # row 5: points among times
    with pytest.raises(DataError) as info:
        opsdx.read_estimates(path)
    found = {(p.row, p.column, p.message) for p in info.value.problems}
    assert found == {(3, "estimate", "no unit, while other rows of the column give one"),
                     (4, "estimate", "the word after the number is not a unit"),
                     (5, "estimate", "points in a table whose other cells are times")}
    with pytest.raises(opsdx.OpsdxError, match="estimate_unit must be one of"):
        opsdx.read_estimates(path, estimate_unit="fortnights")
    with pytest.raises(opsdx.OpsdxError, match="points cannot be converted to time"):
        opsdx.read_estimates(path, estimate_unit="points", actual_unit="hours")  # one error


def test_a_client_yaml_unit_is_read_as_cells_are_and_points_against_hours_is_one_error(tmp_path):
    import shutil

    source = Path(__file__).resolve().parent.parent / "sample_data" / "harbour-analytics"
    folder = tmp_path / "h"
    shutil.copytree(source, folder)
    text = (folder / "client.yaml").read_text()
    (folder / "client.yaml").write_text(text.replace("estimate_unit: hours", "estimate_unit: Hrs"))
    assert opsdx.load_client(folder).spec.estimate_unit == "hours"
    (folder / "client.yaml").write_text(text + "hours_per_day: true\n")
    with pytest.raises(DataError, match="hours_per_day.*must be a number of hours"):
        opsdx.load_client(folder)
    (folder / "client.yaml").write_text(text.replace("estimate_unit: hours", "estimate_unit: pts"))
    with pytest.raises(DataError) as info:
        opsdx.load_client(folder)
    (problem,) = info.value.problems
    assert problem.column == "actual_unit" and problem.value == "hours"
    assert "points cannot be converted to time" in problem.message
    assert problem.row == text.splitlines().index("actual_unit: hours") + 1


@pytest.mark.parametrize("factor, pair", [(8, "estimates in days and actuals in hours"),
                                          (1 / 8, "estimates in hours and actuals in days"),
                                          (24, "estimates in calendar days and actuals in hours"),
                                          (1 / 40, "estimates in hours and actuals in weeks")])
def test_a_mixup_either_way_is_named_by_the_pair_of_units(factor, pair):
    from opsdx.forecast.estimates import unit_mixup

    rng = np.random.default_rng(4)
    ratios = rng.lognormal(np.log(1.3), 0.5, 200) * factor   # real overruns, one unit off
    assert pair in unit_mixup(ratios)
    assert unit_mixup(ratios / factor) is None                # the same work in one unit
    assert "check that both columns are in points" in unit_mixup(ratios, unit="points")


def test_every_item_on_one_side_of_its_estimate_is_doubted():
    from opsdx.forecast.estimates import unit_mixup

    over = np.linspace(1.1, 3.0, 30)
    assert "every one of the 30 finished items took longer" in unit_mixup(over)
    assert "every one of the 30 finished items took less time" in unit_mixup(1 / over)
    assert unit_mixup(over[:29]) is None                      # too few to say
    assert unit_mixup(np.r_[over, 1.0]) is None               # one on estimate
    # real classes of 10 to 15 items from a sample client are not doubted for being all over
    ratios = opsdx.load_client(Path(__file__).resolve().parent.parent / "sample_data"
                               / "northwind-freight").estimates()["ratio"].dropna().to_numpy()
    rng = np.random.default_rng(0)
    draws = [rng.choice(ratios, n, replace=False) for n in (10, 12, 15) for _ in range(300)]
    assert sum(unit_mixup(d) is not None for d in draws) == 0


def test_client_yaml_units_reach_the_estimates_and_a_mixup_is_flagged(tmp_path):
    import shutil

    from opsdx.workbook import diagnose

    source = Path(__file__).resolve().parent.parent / "sample_data" / "northwind-freight"
    folder = tmp_path / "n"
    shutil.copytree(source, folder)
    scale_actuals(folder, 8)   # actuals logged in hours
    d = diagnose(folder, {"n_boot": 0, "trials": 500})
    check = d.headline()["planning_unit_check"]
    own = diagnose(source, {"n_boot": 0, "trials": 500}).headline()["median_ratio"]
    assert check.startswith(f"the median item took {own * 8:.2f} times its estimate, about what "
                            "estimates in days and actuals in hours give (8 hours in a working "
                            "day")
    assert d.planning.statement("units") == f"T{check[1:]}."
    assert d.planning.statement("budget").startswith("To be on budget 8 times in 10, if the "
                                                     "units agree,")
    mixups = [n for n in d.planning.notes if n.code == "unit_mixup"]
    assert mixups and mixups[0].startswith("all history: the median item took")
    assert any(r.title.startswith("Check that estimates and actuals") for r in
               d.recommendations(5))
    assert not any(r.title.startswith("Budget from what past work") for r in
                   d.recommendations(5))
    text = (folder / "client.yaml").read_text()
    assert "estimate_unit: hours" in text   # the sample says what it logs
    (folder / "client.yaml").write_text(text.replace("estimate_unit: hours",
                                                     "estimate_unit: days"))
    d = diagnose(folder, {"n_boot": 0, "trials": 500})
    assert d.headline()["planning_unit_check"] is None
    assert d.headline()["median_ratio"] == pytest.approx(own)  # Northwind's own again
    assert "days" in d.planning.statement("open_effort")
    assert d.planning.estimators["median_ratio"].max() < 4
    # the other way round: estimates in hours, actuals in days, and nothing declared
    scale_actuals(folder, 1 / 64)   # now 1/8 of Northwind's own: actuals in days, estimates in hours
    (folder / "client.yaml").write_text("\n".join(
        line for line in text.splitlines() if not line.endswith("_unit: hours")) + "\n")
    d = diagnose(folder, {"n_boot": 0, "trials": 500})
    assert d.headline()["median_ratio"] == pytest.approx(own / 8)
    assert "estimates in hours and actuals in days" in d.headline()["planning_unit_check"]


def test_the_client_yaml_units_are_the_readers_units():
    import typing

    from opsdx.client import ClientSpec
    from opsdx.forecast.estimates import UNITS

    for field in ("estimate_unit", "actual_unit"):
        literal = typing.get_args(ClientSpec.model_fields[field].annotation)[0]
        assert typing.get_args(literal) == UNITS
