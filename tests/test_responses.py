import pandas as pd
import pytest

import opsdx
from opsdx import DataError

from conftest import TINY_YAML, long_answers


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(exc_info):
    return {(p.row, p.column): p for p in exc_info.value.problems}


def test_long_labels_numbers_na_and_skipped_are_distinct(tmp, tiny):
    path = write(tmp, "answers.csv",
                 "respondent,role,item_id,answer,comment\n"
                 "ana,lead,a2,Usually,\n"
                 "ana,lead,b2,  always ,so true\n"
                 "ana,lead,r2,1,\n"
                 "ana,lead,a3,N/A,\n"
                 "ana,lead,b3,,\n"
                 "ben,staff,a2,3.0,\n"
                 "ben,staff,b2,n/a,\n")
    r = opsdx.read_responses(path, tiny)
    assert len(r) == 2 * 9  # full grid respondent x item
    idx = r.set_index(["respondent", "item_id"])
    assert idx.loc[("ana", "a2"), "value"] == 3
    assert idx.loc[("ana", "b2"), "value"] == 4
    assert idx.loc[("ana", "b2"), "comment"] == "so true"
    assert idx.loc[("ana", "r2"), "value"] == 1  # raw value: reversal happens in scoring
    assert idx.loc[("ana", "a3"), "status"] == "n/a"
    assert idx.loc[("ana", "b3"), "status"] == "skipped"  # blank cell
    assert idx.loc[("ana", "a4"), "status"] == "skipped"  # absent row
    assert pd.isna(idx.loc[("ana", "a4"), "row"])
    assert idx.loc[("ana", "b3"), "row"] == 6
    assert idx.loc[("ben", "a2"), "value"] == 3
    assert idx.loc[("ben", "b2"), "status"] == "n/a"
    assert r["status"].value_counts().to_dict() == {"answered": 4, "n/a": 2, "skipped": 12}
    assert list(r["status"].cat.categories) == ["answered", "n/a", "skipped"]
    assert r.attrs["shape"] == "long" and r.attrs["source"] == "answers.csv"


def test_wide_form_export_with_timestamp(tmp, tiny):
    path = write(tmp, "form.csv",
                 "Timestamp,Respondent,Role,a2,B2,r2\n"
                 "2026-01-01,ana,lead,Always,3,NA\n"
                 "2026-01-02,ben,,0,,Never\n")
    r = opsdx.read_responses(path, tiny)
    idx = r.set_index(["respondent", "item_id"])
    assert idx.loc[("ana", "b2"), "value"] == 3
    assert idx.loc[("ana", "r2"), "status"] == "n/a"
    assert idx.loc[("ben", "b2"), "status"] == "skipped"
    assert idx.loc[("ben", "a2"), "role"] == "unspecified"
    assert idx.loc[("ben", "a2"), "row"] == 3
    assert r.attrs["shape"] == "wide"


def test_long_and_wide_give_the_same_frame(tiny):
    table = {"ana": {"a2": "Usually", "b2": "2", "r2": "N/A"}, "ben": {"a2": "0", "b2": ""}}
    long = opsdx.read_responses(long_answers(table), tiny)
    wide = pd.DataFrame([{"respondent": r, "role": "staff", **a} for r, a in table.items()])
    wide_r = opsdx.read_responses(wide, tiny)
    cols = ["respondent", "role", "item_id", "value", "status"]
    pd.testing.assert_frame_equal(long[cols], wide_r[cols])


def test_semicolon_csv_with_decimal_commas(tmp, tiny):
    path = write(tmp, "europe.csv", "respondent;role;item_id;answer\nZoë;Leitung;a2;3,0\nZoë;Leitung;b2;Usually\n",
                 encoding="cp1252")
    r = opsdx.read_responses(path, tiny).set_index(["respondent", "item_id"])
    assert r.loc[("Zoë", "a2"), "value"] == 3
    assert r.loc[("Zoë", "b2"), "value"] == 3


def test_xlsx_answers(tmp, tiny):
    path = tmp / "answers.xlsx"
    pd.DataFrame({"respondent": ["ana", "ben"], "role": ["lead", "staff"],
                  "a2": [4, None], "b2": ["Rarely", "N/A"]}).to_excel(path, index=False)
    r = opsdx.read_responses(path, tiny).set_index(["respondent", "item_id"])
    assert r.loc[("ana", "a2"), "value"] == 4
    assert r.loc[("ben", "a2"), "status"] == "skipped"
    assert r.loc[("ben", "b2"), "status"] == "n/a"


def test_cp1252_answers_are_read(tmp, tiny):
    path = write(tmp, "legacy.csv", "respondent,role,item_id,answer\nZoë,Geschäftsführung,a2,Always\n",
                 encoding="cp1252")
    r = opsdx.read_responses(path, tiny)
    assert r["respondent"].iloc[0] == "Zoë" and r["role"].iloc[0] == "Geschäftsführung"
    assert r.attrs["encoding"] == "cp1252"


def test_every_problem_of_a_long_file_at_once(tmp, tiny):
    path = write(tmp, "bad.csv",
                 "respondent,role,item_id,answer\n"
                 "ana,lead,a2,7\n"          # row 2: off the scale
                 "ana,lead,zz9,3\n"         # row 3: unknown item
                 "ana,lead,a2,3\n"          # row 4: duplicate of row 2
                 ",lead,b2,3\n"             # row 5: blank respondent
                 "ana,staff,b3,Sometimes\n"  # row 6: role differs from ana's other rows
                 "ben,staff,b2,Mostly\n")   # row 7: not a label
    with pytest.raises(DataError) as info:
        opsdx.read_responses(path, tiny)
    found = problems(info)
    assert set(found) == {(2, "answer"), (3, "item_id"), (4, "item_id"), (5, "respondent"),
                          (6, "role"), (7, "answer")}
    assert all(p.file == "bad.csv" for p in info.value.problems)
    assert found[(2, "answer")].value == "7"
    assert "one of 0, 1, 2, 3, 4 or a label ('Never'" in found[(2, "answer")].expected
    assert "first at row 2" in found[(4, "item_id")].expected
    message = str(info.value)
    assert message.startswith("bad.csv: 6 problems")
    assert "bad.csv, row 7, column 'answer': answer is not on the item's scale (value 'Mostly')" in message
    frame = info.value.to_frame()
    assert frame["row"].tolist() == [2, 3, 4, 5, 6, 7]  # in file order


def test_excel_error_values_are_named(tiny):
    frame = pd.DataFrame({"respondent": ["a"], "role": ["x"], "item_id": ["a2"], "answer": ["#N/A"]})
    with pytest.raises(DataError, match="a spreadsheet error value, not an answer"):
        opsdx.read_responses(frame, tiny)


def test_unknown_item_suggests_a_close_id(tmp, maturity):
    path = write(tmp, "a.csv", "respondent,role,item_id,answer\nana,lead,KNOW2A,3\n")
    with pytest.raises(DataError) as info:
        opsdx.read_responses(path, maturity)
    assert "did you mean 'KNOW-2A'?" in str(info.value)


def test_missing_required_columns_are_named(tmp, tiny):
    path = write(tmp, "cols.csv", "respondent,item_id,answer_text\nana,a2,3\n")
    with pytest.raises(DataError) as info:
        opsdx.read_responses(path, tiny, shape="long")
    found = problems(info)
    assert set(found) == {(1, "role"), (1, "answer")}
    assert "required column is missing" in found[(1, "role")].message


def test_wide_problems_name_row_and_item_column(tmp, tiny):
    path = write(tmp, "wide.csv",
                 "respondent,role,a2,b2,colour\n"
                 "ana,lead,9,3,red\n"
                 "ana,lead,1,2,blue\n")
    with pytest.raises(DataError) as info:
        opsdx.read_responses(path, tiny)
    found = problems(info)
    assert set(found) == {(1, "colour"), (3, "respondent"), (2, "a2")}
    assert found[(2, "a2")].value == "9"
    # the same file reads once the column is declared as not an item and the rows fixed
    path.write_text("respondent,role,a2,b2,colour\nana,lead,4,3,red\nbo,lead,1,2,blue\n")
    assert len(opsdx.read_responses(path, tiny, ignore_columns=["colour"])) == 2 * 9


def test_na_where_forbidden(tmp, tiny):
    q = opsdx.Questionnaire(tiny.spec.model_copy(update={"allow_na": False}), source="no-na")
    path = write(tmp, "a.csv", "respondent,role,item_id,answer\nana,lead,a2,N/A\nana,lead,b2,\n")
    with pytest.raises(DataError) as info:
        opsdx.read_responses(path, q)
    (p,) = info.value.problems
    assert (p.row, p.column, p.value) == (2, "answer", "N/A")
    assert "does not allow N/A" in p.message


@pytest.mark.parametrize("content, message", [
    ("", "file is empty"),
    ("respondent,role,item_id,answer\n", "no data rows"),
])
def test_empty_answer_files(tmp, tiny, content, message):
    path = write(tmp, "empty.csv", content)
    with pytest.raises(DataError, match=message):
        opsdx.read_responses(path, tiny)


def test_wide_file_without_item_columns(tmp, tiny):
    path = write(tmp, "w.csv", "respondent,role\nana,lead\n")
    with pytest.raises(DataError, match="no column is an item of the questionnaire"):
        opsdx.read_responses(path, tiny)


def test_many_problems_are_all_kept(tmp, tiny):
    body = "".join(f"r{i},staff,a2,11\n" for i in range(120))
    path = write(tmp, "many.csv", "respondent,role,item_id,answer\n" + body)
    with pytest.raises(DataError) as info:
        opsdx.read_responses(path, tiny)
    assert len(info.value.problems) == 120
    assert "... and 70 more" in str(info.value)


def test_dataframe_rows_are_index_labels(tiny):
    frame = pd.DataFrame({"respondent": ["a", "b"], "role": ["x", "x"], "item_id": ["a2", "a2"],
                          "answer": ["3", "8"]}, index=[100, 101])
    with pytest.raises(DataError) as info:
        opsdx.read_responses(frame, tiny)
    (p,) = info.value.problems
    assert (p.file, p.row, p.column) == ("<DataFrame>", 101, "answer")


@pytest.fixture
def tmp(tmp_path):
    return tmp_path


def test_case_of_item_ids_and_roles_does_not_matter(tmp, tiny):
    path = write(tmp, "case.csv", "Respondent,ROLE,Item_ID,Answer\n"
                                  "ana,Dispatcher,A2,usually\nben,dispatcher ,b2,1\ncy,  Team  lead,a2,0\n")
    r = opsdx.read_responses(path, tiny)
    assert set(r["item_id"]) == set(tiny.items["item_id"])
    assert r.set_index(["respondent", "item_id"]).loc[("ana", "a2"), "value"] == 3
    assert sorted(r["role"].unique()) == ["Dispatcher", "Team lead"]


def test_one_odd_role_row_is_the_one_reported(tmp, tiny):
    lines = ["respondent,role,item_id,answer"] + [f"ana,manager,{i},2" for i in ["a2", "b2", "r2", "a3"]]
    lines[1] = "ana,staff,a2,2"  # one row disagrees with the three others
    path = write(tmp, "roles.csv", "\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        opsdx.read_responses(path, tiny)
    (p,) = info.value.problems
    assert (p.row, p.column, p.value) == (2, "role", "staff")
    assert "('manager')" in p.expected


def test_wide_headers_may_carry_the_item_text(tmp, maturity):
    text = maturity.items.set_index("item_id").at["KNOW-2A", "text"]
    path = write(tmp, "form.csv",
                 f'Respondent,Role,"{text.upper()}",KNOW-2B: work waited,[PODS-2A] Pod defined\n'
                 "ana,lead,Always true,Rarely true,2\n")
    r = opsdx.read_responses(path, maturity).set_index("item_id")
    assert r.loc[["KNOW-2A", "KNOW-2B", "PODS-2A"], "value"].tolist() == [4, 1, 2]


def test_two_columns_for_one_item(tmp, tiny):
    path = write(tmp, "two.csv", "respondent,role,a2,A2 again\nana,lead,1,2\n")
    with pytest.raises(DataError, match="a second column for item a2"):
        opsdx.read_responses(path, tiny)


def test_long_file_without_item_id_column_is_read_as_long(tmp, tiny):
    path = write(tmp, "item.csv", "respondent,role,item,answer\nana,lead,a2,3\n")
    with pytest.raises(DataError) as info:
        opsdx.read_responses(path, tiny)
    (p,) = info.value.problems
    assert (p.row, p.column, p.message) == (1, "item_id", "required column is missing")


def test_answers_on_a_named_sheet(tmp, tiny):
    path = tmp / "book.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"read": ["me"]}).to_excel(xl, sheet_name="README", index=False)
        pd.DataFrame({"respondent": ["ana"], "role": ["x"], "a2": [3]}).to_excel(
            xl, sheet_name="Answers", index=False)
    with pytest.raises(DataError, match="no column is an item(.|\n)*workbook sheets: README, Answers"):
        opsdx.read_responses(path, tiny)
    assert opsdx.read_responses(path, tiny, sheet="Answers")["value"].max() == 3


def test_forms_export_without_respondent_column(tmp, maturity):
    texts = maturity.items.set_index("item_id")["text"]
    path = write(tmp, "google.csv",
                 f'Timestamp,Email address,"{texts["KNOW-2A"]}","{texts["KNOW-2B"]}"\n'
                 "2026-01-01,ana@example.com,Usually  true,Not true\n")
    r = opsdx.read_responses(path, maturity)
    assert set(r["respondent"]) == {"ana@example.com"}
    assert r.set_index("item_id").loc["KNOW-2A", "value"] == 3  # double space in the label too
    path = write(tmp, "anonymous.csv", f'"{texts["KNOW-2A"]}"\nAlways true\nNot true\n')
    assert sorted(opsdx.read_responses(path, maturity)["respondent"].unique()) == ["row 2", "row 3"]


def test_loose_meta_headers_and_exact_scale_values(tiny):
    frame = pd.DataFrame({"Respondent": ["a", "a"], "Role": ["x", "x"], "Item ID": ["a2", "b2"],
                          "Answer": ["3.0000000001", " 4 "]})
    r = opsdx.read_responses(frame, tiny).set_index("item_id")
    assert r.loc["a2", "value"] == 3.0 and r.loc["b2", "value"] == 4.0


def test_respondent_in_the_index_and_formulas(tiny):
    frame = pd.DataFrame({"respondent": ["a"], "role": ["x"], "a2": ["=1+2"]}).set_index("respondent")
    with pytest.raises(DataError, match="a formula without a saved value") as info:
        opsdx.read_responses(frame, tiny)
    assert info.value.problems[0].column == "a2"


def test_bad_shape_argument(tiny):
    with pytest.raises(opsdx.OpsdxError, match="shape must be"):
        opsdx.read_responses(pd.DataFrame({"a": [1]}), tiny, shape="tall")


# ---------------------------------------------------------------- form headers as people edit them


def _form(tmp, headers: list[str], row: list[str], name="form.csv"):
    frame = pd.DataFrame([row], columns=headers)
    path = tmp / name
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("header", [
    "Q3. {text}", "3) {text}", "Question 3: {text}", "#3 - {text}", "3a. {text}", "Q3 {text}",
    "{text} *", "{text} (required)", "Practices [{text}]", "  {upper}  ", "{curly}",
    "{short}",
])
def test_numbered_marked_and_grid_headers_name_their_item(tmp, maturity, header):
    text = maturity.items.set_index("item_id").at["DECI-2B", "text"]
    assert "'" in text  # founder's: the curly form below differs
    filled = header.format(text=text, upper=text.upper(), curly=text.replace("'", "\u2019"),
                           short=text[:45])
    r = opsdx.read_responses(_form(tmp, ["Name", filled], ["ana", "Usually true"]), maturity)
    assert r.set_index("item_id").at["DECI-2B", "value"] == 3
    assert r.attrs["by_wording"] == {}  # each of these is the item's own text


def test_small_rewordings_are_read_and_listed(tmp, maturity):
    texts = maturity.items.set_index("item_id")["text"]
    reworded = {"KNOW-2A": "Q1. In the past month, did someone other than its originator run a "
                           "recurring process end to end from its written playbook?",
                "KNOW-2B": "2) In the last month, work waited on one named person because no one "
                           "else knew how to do it"}
    path = _form(tmp, ["Name", *reworded.values(), texts["PODS-2A"]],
                 ["ana", "Always true", "Not true", "Rarely true"])
    r = opsdx.read_responses(path, maturity).set_index("item_id")
    assert r.loc[["KNOW-2A", "KNOW-2B", "PODS-2A"], "value"].tolist() == [4, 0, 1]
    assert r.attrs["by_wording"] == {v: k for k, v in reworded.items()}
    result = opsdx.score_maturity(opsdx.read_responses(path, maturity), maturity, n_boot=0)
    (note,) = [n for n in result.notes if n.code == "read_by_wording"]
    assert "'2) In the last month, work waited on one named person" in note.text
    assert "as KNOW-2B" in note.text


def test_a_rewording_too_far_is_refused_with_the_item_suggested(tmp, maturity):
    header = "Routine decisions have written owners and thresholds, and people used them lately"
    with pytest.raises(DataError) as info:
        opsdx.read_responses(_form(tmp, ["Name", "KNOW-2A", header],
                                   ["ana", "Usually true", "Usually true"]), maturity)
    (p,) = info.value.problems
    assert (p.row, p.column, p.message) == (1, header, "column is not an item of the questionnaire")
    assert "did you mean DECI-2A, 'Routine decisions have written owners" in p.expected
    assert "--ignore-column" in p.expected


def test_other_questions_are_never_read_as_items(tmp, maturity):
    text = maturity.items.set_index("item_id").at["KNOW-2A", "text"]
    headers = ["Name", text, "Any other comments?", "How many people work in your team?",
               "In the last month, what went well?"]
    with pytest.raises(DataError) as info:
        opsdx.read_responses(_form(tmp, headers, ["ana", "Usually true", "", "4", ""]), maturity)
    assert sorted(p.column for p in info.value.problems) == sorted(headers[2:])
    assert all("did you mean" not in p.expected for p in info.value.problems[:2])
    r = opsdx.read_responses(_form(tmp, headers, ["ana", "Usually true", "", "4", ""]), maturity,
                             ignore_columns=headers[2:])
    assert r.attrs["by_wording"] == {}


def test_a_rewording_equally_close_to_two_items_is_not_guessed(tmp):
    two = opsdx.Questionnaire.from_yaml(
        TINY_YAML.replace("text: a two", "text: The team reviews its open work every week")
                 .replace("text: b two", "text: The team reviews its open work every month"),
        name="two.yaml")
    with pytest.raises(DataError) as info:
        opsdx.read_responses(_form(tmp, ["Name", "a3", "The team reviews its open work every day"],
                                   ["ana", "Usually", "Usually"]), two)
    (p,) = info.value.problems
    assert p.message == "column is not an item of the questionnaire"


def test_a_role_question_stands_in_for_the_role_column(tmp, maturity):
    text = maturity.items.set_index("item_id").at["KNOW-2A", "text"]
    frame = pd.DataFrame({"ID": [1, 2], "Start time": ["x", "y"], "Name": ["ana", "ben"],
                          "Q1. What is your role?": ["Founder", "dispatcher"],
                          f"Q2. {text}": ["Usually true", "Not true"]})
    frame.to_csv(tmp / "ms.csv", index=False)
    r = opsdx.read_responses(tmp / "ms.csv", maturity)
    assert dict(zip(r["respondent"], r["role"])) == {"ana": "Founder", "ben": "dispatcher"}
