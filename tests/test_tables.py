from pathlib import Path

import pandas as pd
import pytest

from opsdx import DataError
from opsdx.tables import read_table


def test_csv_keeps_na_text_and_blanks_distinct(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x,y\nN/A,\nNA,3\n", encoding="utf-8")
    t = read_table(path)
    assert t.frame["x"].tolist() == ["N/A", "NA"]
    assert t.frame["y"].tolist() == ["", "3"]
    assert t.rows.tolist() == [2, 3]
    assert t.encoding == "utf-8"


def test_cp1252_file_is_decoded(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("name,note\nZoë Müller,“quoted” – dash\n".encode("cp1252"))
    t = read_table(path)
    assert t.encoding == "cp1252"
    assert t.frame.loc[0, "name"] == "Zoë Müller"
    assert t.frame.loc[0, "note"] == "“quoted” – dash"


def test_utf16_with_bom_is_decoded(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("a,b\nÅsa,1\n".encode("utf-16"))
    t = read_table(path)
    assert t.encoding == "utf-16" and t.frame.loc[0, "a"] == "Åsa"


def test_latin1_bytes_undefined_in_cp1252_fall_back(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"a\nx\x81y\n")
    assert read_table(path).encoding == "latin-1"


@pytest.mark.parametrize("content, message", [
    (b"", "file is empty"),
    (b"   \n\n", "file is empty"),
    (b"respondent,role,item_id,answer\n", "no data rows"),
])
def test_empty_files(tmp_path, content, message):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        read_table(path)
    assert info.value.problems[0].file == "empty.csv"


def test_workbook_named_csv_is_explained(tmp_path):
    path = tmp_path / "answers.csv"
    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "real.xlsx", index=False)
    path.write_bytes((tmp_path / "real.xlsx").read_bytes())
    with pytest.raises(DataError, match="Excel workbook \\(zip\\), not CSV text"):
        read_table(path)


def test_missing_file(tmp_path):
    from opsdx.errors import FILE_NOT_FOUND, ROW_SET_ASIDE

    with pytest.raises(DataError, match="file not found") as info:
        read_table(tmp_path / "nope.csv")
    assert info.value.problems[0].code == FILE_NOT_FOUND      # what code decides on
    assert info.value.to_frame()["code"].tolist() == [FILE_NOT_FOUND]
    # a row the analysis sets aside is listed by Client.validate with its own code
    import shutil

    import opsdx

    folder = tmp_path / "c"
    shutil.copytree(Path(__file__).resolve().parent.parent / "sample_data" / "harbour-analytics",
                    folder)
    with open(folder / "work_items.csv", "a") as fh:
        fh.write("X-1,Scoping,TBD,,,\n")
    problems = opsdx.load_client(folder).validate()
    assert [p.code for p in problems] == [ROW_SET_ASIDE]
    assert problems[0].value == "TBD"


def test_xlsx_cells_are_text_and_rows_numbered(tmp_path):
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"n": [3, 2.5, None], "s": ["N/A", "x", "y"]}).to_excel(path, index=False)
    t = read_table(path)
    assert t.frame["n"].tolist() == ["3", "2.5", ""]
    assert t.frame["s"].tolist() == ["N/A", "x", "y"]
    assert t.rows.tolist() == [2, 3, 4]


def test_dataframe_numbers_become_plain_text():
    t = read_table(pd.DataFrame({"v": [1.0, 2.5, float("nan")]}, index=[10, 11, 12]))
    assert t.frame["v"].tolist() == ["1", "2.5", ""]
    assert t.rows.tolist() == [10, 11, 12]
    assert t.name == "<DataFrame>"


def test_input_file_is_not_modified(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n1,2\n")
    before = path.stat().st_mtime_ns, path.read_bytes()
    read_table(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files(tmp_path, sep):
    path = tmp_path / "a.csv"
    path.write_text(sep.join(["a", "b"]) + "\n" + sep.join(["1,5", "x"]) + "\n")
    t = read_table(path)
    assert t.frame.columns.tolist() == ["a", "b"] and t.frame.loc[0, "a"] == "1,5"


def test_repeated_and_blank_headers(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("respondent,KNOW-2A,KNOW-2A,,\nana,1,2,,\n")
    with pytest.raises(DataError) as info:
        read_table(path)
    (p,) = info.value.problems
    assert (p.row, p.column) == (1, "KNOW-2A") and "columns 2 and 3" in p.message
    path.write_text("respondent,,\nana,1,\n")
    with pytest.raises(DataError, match="column has data but no header"):
        read_table(path)
    path.write_text("respondent,,\nana,,\n")  # empty trailing columns are dropped
    assert read_table(path).frame.columns.tolist() == ["respondent"]


def test_ragged_csv_is_one_clear_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n1,2,3,4\n")
    with pytest.raises(DataError) as info:
        read_table(path)
    (p,) = info.value.problems
    assert (p.row, p.message) == (3, "row has 4 fields but the header has 2")
    # the first data row longer than the header: pandas alone would drop the extra field, or
    # take the first cells for an index; with timestamp columns parsed as they are read too
    for times in ((), ("b",)):
        path.write_text("a,b\n1,2025-01-01,3\n1,2025-01-02\n")
        with pytest.raises(DataError) as info:
            read_table(path, times=times)
        (p,) = info.value.problems
        assert (p.row, p.message) == (2, "row has 3 fields but the header has 2")


def test_workbook_sheets(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"read": ["me"]}).to_excel(xl, sheet_name="README", index=False)
        pd.DataFrame({"a": [1]}).to_excel(xl, sheet_name="Answers", index=False)
    assert read_table(path).sheets == ["README", "Answers"]
    assert read_table(path, sheet="Answers").frame.columns.tolist() == ["a"]
    with pytest.raises(DataError, match="no sheet named 'Nope'; expected one of README, Answers"):
        read_table(path, sheet="Nope")


def test_workbook_error_cells_and_unsaved_formulas_are_not_blanks(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "c", "d"])
    sheet.append(["=NA()", "=1+2", 3.0, None])
    sheet["A2"].value = "#N/A"
    sheet["A2"].data_type = "e"  # an error cell, as Excel saves a failed lookup
    path = tmp_path / "errors.xlsx"
    book.save(path)
    t = read_table(path)
    assert t.frame.iloc[0].tolist() == ["#N/A", "=1+2", "3", ""]


def test_odd_sources(tmp_path):
    from opsdx import OpsdxError

    with pytest.raises(OpsdxError, match="cannot read answers from a StringIO"):
        import io
        read_table(io.StringIO("a\n1\n"))
    with pytest.raises(DataError, match="is a folder, not a file"):
        read_table(tmp_path)
    with pytest.raises(DataError, match="column name appears more than once"):
        read_table(pd.DataFrame([[1, 2]], columns=["answer", "answer"]))


def test_empty_rows_are_dropped_and_row_numbers_kept(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b\n1,2\n,\n\n3,4\n")
    t = read_table(path)
    assert t.frame["a"].tolist() == ["1", "3"]
    assert t.rows.tolist() == [2, 5]


@pytest.mark.parametrize("text", ["a,b\n1 ,2\n", "a,b\n 1,2\n", "a,b\n1,2 ", 'a,b\n1," 2"\n',
                                  'a,b\n1,"2 "\n', "a,b\n1,2\t\n", "a,b\n1,2\u00a0\n",
                                  "a,b\n1,2\u2003\n", "a;b\n1 ;2\n", "a\tb\n1 \t2\n"])
def test_cells_are_stripped_whatever_the_padding(tmp_path, text):
    """The reader skips stripping only when no cell can need it: every padding is seen."""
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    assert read_table(path).frame.iloc[0].tolist() == ["1", "2"]


def test_a_missing_file_is_named_without_the_folder_it_was_looked_for_in(tmp_path):
    """Messages reach client-ready workbooks: the consultant's folders stay out of them."""
    import opsdx

    folder = tmp_path / "secret-engagements" / "acme"
    folder.mkdir(parents=True)
    (folder / "client.yaml").write_text("name: Acme\n")
    with pytest.raises(DataError) as info:
        opsdx.load_client(folder).responses()
    assert "secret-engagements" not in str(info.value)
    assert str(info.value.problems[0]).startswith("acme/responses.csv")
