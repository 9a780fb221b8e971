import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import opsdx
from opsdx.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def edit_cells(path: Path, line: int, **cells) -> None:
    """Set cells of one line (0 = header) of a simple CSV file, by column name."""
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[line].split(",")
    for column, value in cells.items():
        row[header.index(column)] = value
    lines[line] = ",".join(row)
    path.write_text("\n".join(lines) + "\n")


def test_score_one_client(capsys):
    assert main(["score", str(SAMPLES / "harbour-analytics"), "--n-boot", "200"]) == 0
    out = capsys.readouterr().out
    assert "Harbour Analytics" in out
    assert "stage 2: First designed pod" in out
    assert "top blockers of stage 3" in out and "->" in out


def test_score_folder_of_clients_as_json(capsys):
    assert main(["score", str(SAMPLES), "--n-boot", "100", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert {r["client"] for r in results} == {
        "Northwind Freight Ltd", "Harbour Analytics", "Kestrel Software GmbH", "Meridian Care Group"}
    by_name = {r["client"]: r for r in results}
    assert by_name["Northwind Freight Ltd"]["stage"] == 1
    assert by_name["Meridian Care Group"]["stage"] == 4


def test_validate_ok_and_broken(tmp_path, capsys):
    assert main(["validate", str(SAMPLES)]) == 0
    assert capsys.readouterr().out.count(": ok") == 4

    client = tmp_path / "broken"
    shutil.copytree(SAMPLES / "northwind-freight", client)
    edit_cells(client / "responses.csv", 3, answer="Maybe", item_id="NOPE-1")
    before = (client / "responses.csv").read_bytes()
    assert main(["validate", str(client)]) == 1
    out = capsys.readouterr().out
    assert "broken: 1 problem" in out
    assert "broken/responses.csv, row 4, column 'item_id': unknown item id (value 'NOPE-1')" in out
    assert (client / "responses.csv").read_bytes() == before  # inputs are never modified


def test_bad_client_yaml_is_reported_with_line(tmp_path, capsys):
    client = tmp_path / "acme"
    client.mkdir()
    (client / "client.yaml").write_text(
        "name: Acme\nheadcount: -3\nsecter: Retail\nassessment_date: 2024-13-45\n")
    assert main(["validate", str(client)]) == 1
    out = capsys.readouterr().out
    assert "acme/client.yaml, line 2, at 'headcount'" in out
    assert ("acme/client.yaml, line 3, at 'secter': Extra inputs are not permitted; "
            "expected 'sector'? keys allowed here: name, sector, headcount") in out
    date_line = next(line for line in out.splitlines() if "line 4, at 'assessment_date'" in line)
    assert "(value '2024-13-45'); expected a date written YYYY-MM-DD" in date_line


def test_score_reports_failure_without_stopping_others(tmp_path, capsys):
    shutil.copytree(SAMPLES / "harbour-analytics", tmp_path / "good")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "client.yaml").write_text("name: Bad\n")
    (bad / "responses.csv").write_text("")
    assert main(["score", str(tmp_path), "--n-boot", "50"]) == 1
    captured = capsys.readouterr()
    assert "Harbour Analytics" in captured.out
    assert "bad: cannot score" in captured.err and "file is empty" in captured.err
    assert "?" not in captured.err  # line breaks of the error are kept


def test_hostile_client_name_is_just_text(tmp_path, capsys):
    client = tmp_path / "x"
    shutil.copytree(SAMPLES / "harbour-analytics", client)
    name = 'Acme"); import os; os.system("touch pwned") #\x1b[31m'
    (client / "client.yaml").write_text(f"name: {json.dumps(name)}\n")
    assert main(["score", str(client), "--n-boot", "50"]) == 0
    out = capsys.readouterr().out
    assert 'Acme"); import os; os.system("touch pwned") #?[31m' in out
    assert "\x1b" not in out
    assert not Path("pwned").exists() and not (tmp_path / "pwned").exists()
    assert opsdx.load_client(client).slug == "acme-import-os-os-system-touch-pwned-31m"


def test_paths_in_client_yaml_cannot_leave_the_folder(tmp_path):
    client = tmp_path / "c"
    client.mkdir()
    (client / "client.yaml").write_text("name: C\nresponses: ../../etc/passwd\n")
    with pytest.raises(opsdx.OpsdxError, match="leaves the client folder"):
        opsdx.load_client(client).responses()


def test_usage_errors(tmp_path, capsys):
    assert main(["score", str(tmp_path)]) == 2
    assert "no client.yaml" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["nonsense"])


def test_questionnaires_listing(capsys):
    assert main(["questionnaires"]) == 0
    assert "maturity" in capsys.readouterr().out


def test_score_an_answers_file_and_without_bootstrap(tmp_path, capsys):
    answers = opsdx.simulate_responses("maturity", stage=2, n_respondents=6, seed=1)
    path = tmp_path / "answers.csv"
    answers.to_csv(path, index=False)
    assert main(["score", str(path), "--n-boot", "0"]) == 0
    out = capsys.readouterr().out
    assert "answers.csv (sector not given, 6 respondents)" in out
    assert "(probability n/a)" in out and "interval n/a to n/a" in out
    assert "reverse-keyed" in out or "top blockers" in out


def test_client_yaml_in_windows_1252_and_yaml_surprises(tmp_path, capsys):
    client = tmp_path / "cafe"
    shutil.copytree(SAMPLES / "harbour-analytics", client)
    (client / "client.yaml").write_bytes("name: Café Zoë\nsector: yes\n".encode("cp1252"))
    loaded = opsdx.load_client(client)
    assert loaded.name == "Café Zoë" and loaded.spec.sector == "yes"
    (client / "client.yaml").write_text("name: A\nname: B\nheadcount: 2\nteams: [{name: x, size: 5}]\n")
    assert main(["validate", str(client)]) == 1
    out = capsys.readouterr().out
    assert "cafe/client.yaml, line 2, at 'name': key written twice (first on line 1)" in out
    (client / "client.yaml").write_text("name: A\nheadcount: 2\nteams: [{name: x, size: 5}]\n"
                                        "questionnaire: nosuch\n")
    assert main(["validate", str(client)]) == 1
    out = capsys.readouterr().out
    assert "line 2, at 'headcount': the teams add up to 5 people, more than the headcount" in out
    assert "line 4, at 'questionnaire': no bundled questionnaire named 'nosuch'" in out
    (client / "client.yaml").write_text("")
    assert main(["validate", str(client)]) == 1
    assert "cafe/client.yaml: file is empty" in capsys.readouterr().out


def test_two_answer_files_are_ambiguous(tmp_path):
    client = tmp_path / "two"
    shutil.copytree(SAMPLES / "harbour-analytics", client)
    shutil.copy(SAMPLES / "kestrel-software" / "responses.xlsx", client / "responses.xlsx")
    with pytest.raises(opsdx.DataError, match="both responses.csv and responses.xlsx"):
        opsdx.load_client(client).responses()


def test_validate_an_answers_file_and_missing_paths(tmp_path, capsys):
    path = tmp_path / "answers.csv"
    path.write_text("respondent,role,item_id,answer\nana,lead,KNOW-2A,Sometimes\nana,lead,KNOW-2B,7\n")
    assert main(["validate", str(path)]) == 1
    assert "answers.csv, row 3, column 'answer'" in capsys.readouterr().out
    assert main(["score", str(tmp_path / "nope.csv")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(opsdx.DataError, match="no such folder"):
        opsdx.load_client(tmp_path / "nope")


def test_validate_reports_estimate_problems_of_a_client(tmp_path, capsys):
    client = tmp_path / "est"
    shutil.copytree(SAMPLES / "meridian-care", client)
    edit_cells(client / "estimates.csv", 5, estimate="-3")
    assert main(["validate", str(client)]) == 1
    out = capsys.readouterr().out
    assert "est/estimates.csv, row 6, column 'estimate'" in out
    assert len(opsdx.load_client(SAMPLES / "meridian-care").estimates()) == 300
    (client / "estimates.csv").unlink()
    with pytest.raises(opsdx.OpsdxError, match="no estimates.csv"):
        opsdx.load_client(client).estimates()


def test_flow_command_text_and_json(capsys, tmp_path):
    assert main(["flow", str(SAMPLES / "northwind-freight")]) == 0
    out = capsys.readouterr().out
    assert "Founder approval is the constraint" in out
    assert "Founder decides 64% of all decisions" in out and "(the truck factor is 1)" in out
    assert "Awaiting customer confirmation" in out and "no limit shown" in out
    assert main(["flow", str(SAMPLES), "--json"]) == 0
    records = {r["client"]: r for r in json.loads(capsys.readouterr().out)}
    assert records["Kestrel Software GmbH"]["constraint"]["constraint"] == "QA"
    assert records["Northwind Freight Ltd"]["delegation_chain"]["assumption"].startswith(
        "illustrative")
    # a client without flow data says so; a broken one fails alone
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("client.yaml", "responses.csv"):
        shutil.copy(SAMPLES / "meridian-care" / name, bare / name)
    broken = tmp_path / "broken"
    shutil.copytree(SAMPLES / "harbour-analytics", broken)
    (broken / "decisions.csv").write_text("decision_id,raised_at\nd1,2025-01-01\n")
    assert main(["flow", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "note: constraint: no work_items.csv, status history or event log, so no flow analysis" in captured.out
    # the broken decision log stops the decision analysis only: the constraint is still shown
    assert "broken: cannot analyse decisions" in captured.err and "decided_at" in captured.err
    assert "Partner review is the constraint" in captured.out
    assert "analysed 1 of 2" in captured.out   # the broken one counts as failed
    # one assembly: the command prints what the workbook's diagnosis holds, notes and all
    from opsdx.workbook import diagnose
    d = diagnose(bare, parts=("flow", "decisions", "organisation"))
    assert all(f"note: {n}" in captured.out for n in d.notes) and len(d.notes) == 2
    assert main(["flow", str(SAMPLES / "kestrel-software"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)[0]
    recorded = diagnose(SAMPLES / "kestrel-software", {"n_boot": 0}).results()
    assert printed["constraint"] == recorded["constraint"]
    assert printed["decisions"] == recorded["decisions"]


@pytest.mark.parametrize("command", [None, "score", "plan", "flow", "batch", "validate",
                                     "schema", "questionnaires"])
def test_help_of_the_command_and_each_sub_command(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"] if command is None else [command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: opsdx") and (command is None or command in out.split("\n")[0])


def test_batch_passes_the_workbook_options_given(monkeypatch, tmp_path, capsys):
    import opsdx.workbook.batch

    from opsdx.cli import build_parser
    from opsdx.cli.batch import batch_options

    calls = []

    def fake_run_batch(source, out, **kwargs):
        calls.append((source, out, kwargs))
        return SimpleNamespace(text=lambda: "1 client: 1 done", succeeded=[], failed=[],
                               out=tmp_path)

    monkeypatch.setattr(opsdx.workbook.batch, "run_batch", fake_run_batch)
    argv = ["batch", "SRC", "--out", str(tmp_path), "--by", "x", "--freq", "MS",
            "--as-of", "2024-01-01"]
    assert main(argv) == 0
    assert capsys.readouterr().out == "1 client: 1 done\n"
    ((source, out, kwargs),) = calls
    assert (source, out) == ("SRC", str(tmp_path))
    assert {k: kwargs[k] for k in ("by", "freq", "as_of")} == {
        "by": ["x"], "freq": "MS", "as_of": "2024-01-01"}
    assert "threshold" not in kwargs and "weights" not in kwargs  # run_batch's defaults apply
    assert (kwargs["seed"], kwargs["n_boot"], kwargs["trials"]) == (0, 2000, 10_000)
    assert kwargs["progress"] is True and kwargs["workers"] is None

    args = build_parser().parse_args(["batch", "SRC", "--out", "D", "--by", "kind", "--by",
                                      "team", "--threshold", "0.6", "--weights", "recency"])
    assert batch_options(args) == {"seed": 0, "n_boot": 2000, "trials": 10_000,
                                   "by": ["kind", "team"], "threshold": 0.6,
                                   "weights": "recency"}
    # the options are checked as the workbook checks them, before any kernel starts
    from opsdx.workbook.params import workbook_params
    workbook_params(client_dir=".", **batch_options(args))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["batch", "SRC", "--out", "D", "--weights", "oldest"])


def test_answers_file_and_client_folder_refuse_a_bad_option_alike(tmp_path, capsys):
    answers = opsdx.simulate_responses("maturity", stage=2, n_respondents=4, seed=1)
    answers.to_csv(tmp_path / "answers.csv", index=False)
    for path in (tmp_path / "answers.csv", SAMPLES / "harbour-analytics"):
        assert main(["score", str(path), "--threshold", "2", "--n-boot", "0"]) == 1
        err = capsys.readouterr().err
        assert f"{path.name}: cannot score" in err
        assert "workbook parameters: threshold = 2.0: Input should be less than or equal" in err


def test_a_client_folder_given_as_dot_is_named_by_its_folder(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "acme"
    shutil.copytree(Path(__file__).resolve().parent.parent / "sample_data" / "harbour-analytics",
                    folder)
    with open(folder / "work_items.csv", "a") as fh:
        fh.write("X-1,Scoping,TBD,,,\n")
    monkeypatch.chdir(folder)
    assert main(["validate", "."]) == 0  # a row set aside is a note: the analysis runs
    out = capsys.readouterr().out
    assert out.startswith("acme: ok (1 note)") and "note: acme/work_items.csv: 1 row set " \
        "aside, not a date (expected ISO 8601" in out


def test_validate_notes_missing_files_and_rows_set_aside_without_failing(tmp_path, capsys):
    client = tmp_path / "flowonly"
    shutil.copytree(SAMPLES / "northwind-freight", client)
    (client / "responses.csv").unlink()
    (client / "estimates.csv").unlink()
    frame = pd.read_csv(client / "work_items.csv", dtype=str, keep_default_na=False)
    for k in (3, 8, 12):  # exits before entries: rows set aside, not problems
        frame.loc[k, ["started_at", "exited_at"]] = ["", "2020-01-01 00:00"]
    frame.to_csv(client / "work_items.csv", index=False)
    assert main(["validate", str(client)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowonly: ok (3 notes)\n")
    assert "  note: no responses.csv: no maturity score\n" in out
    assert "  note: no estimates.csv: no planning analysis\n" in out
    assert ("  note: flowonly/work_items.csv: 3 rows set aside, exit before entry "
            "(rows 5, 10, 14)\n") in out


def test_init_writes_a_client_folder_whose_templates_read_back(tmp_path, capsys):
    folder = tmp_path / "acme"
    assert main(["init", str(folder), "--name", "Acme Ltd"]) == 0
    assert "acme: wrote client.yaml, templates/responses.csv" in capsys.readouterr().out
    client = opsdx.load_client(folder)
    assert client.name == "Acme Ltd" and client.spec.assessment_date is not None
    # the commented conventions are valid as they stand once uncommented
    text = (folder / "client.yaml").read_text()
    for key in ("# columns:", "#   work_items:", "#   estimates:", "# dates:", "# ignore_columns:"):
        assert key in text
        text = text.replace(key, key[2:], 1)
    (tmp_path / "uncommented").mkdir()
    (tmp_path / "uncommented" / "client.yaml").write_text(text)
    spec = opsdx.load_client(tmp_path / "uncommented").spec
    assert spec.columns["work_items"]["item_id"] == "Ticket" and spec.ignore_columns
    sheet = pd.read_csv(folder / "templates" / "responses.csv")
    q = opsdx.load_questionnaire("maturity")
    assert list(sheet.columns[:3]) == ["respondent", "role", f"KNOW-2A: {q.items.iloc[0].text}"]
    assert len(sheet.columns) == 2 + len(q.items) and sheet.empty
    # filled in and saved as the answers: read as they are
    filled = pd.DataFrame([["ana", "lead"] + ["Usually true"] * len(q.items),
                           ["ben", "ops"] + ["Rarely true"] * len(q.items)], columns=sheet.columns)
    filled.to_csv(folder / "responses.csv", index=False)
    answers = client.responses()
    assert len(answers) == 2 * len(q.items) and set(answers["respondent"]) == {"ana", "ben"}
    for name, cols in (("estimates.csv", "item_id,estimate,actual"),
                       ("work_items.csv", "item_id,stage,entered_at"),
                       ("decisions.csv", "decision_id,raised_at,decided_at")):
        assert (folder / "templates" / name).read_text().startswith(cols)
    book = pd.read_excel(folder / "templates" / "responses.xlsx", sheet_name=None)
    assert list(book) == ["Answers", "How to answer", "Lists"]
    guide = book["How to answer"].set_index("item")
    assert guide.at["KNOW-2A", "answers"].startswith("Not true / Rarely true")
    assert "same words for the same role" in guide.at["role", "question"]
    from openpyxl import load_workbook

    sheet = load_workbook(folder / "templates" / "responses.xlsx")["Answers"]
    checks = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert checks["C2:C201"].type == "list" and checks["C2:C201"].formula1 == "Lists!$A$1:$A$6"
    assert checks["B2:B201"].promptTitle == "Role"
    # filled in Excel (a drop-down's choice is its label) and saved as the answers
    book["Answers"] = filled
    with pd.ExcelWriter(folder / "responses.xlsx") as xl:
        for name, frame in book.items():
            frame.to_excel(xl, sheet_name=name, index=False)
    (folder / "responses.csv").unlink()
    assert client.responses().equals(answers.assign(row=answers["row"]))
    before = (folder / "client.yaml").read_bytes()
    assert main(["init", str(folder)]) == 2  # never overwrites
    assert "already has a client.yaml" in capsys.readouterr().err
    assert (folder / "client.yaml").read_bytes() == before
