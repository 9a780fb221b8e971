"""A client's own spreadsheets: its column names and its day-first dates, read as they are."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import opsdx
from opsdx.workbook import diagnose

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def home_made(tmp_path) -> Path:
    """Northwind Freight's files as the client keeps them: its own headers, dates day-first."""
    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "acme")
    work = pd.read_csv(folder / "work_items.csv", dtype=str, keep_default_na=False)
    for col in ("entered_at", "started_at", "exited_at"):
        t = pd.to_datetime(work[col].replace("", None))
        work[col] = t.dt.strftime("%d/%m/%Y %H:%M").fillna("")
    work.rename(columns={"item_id": "Ticket", "stage": "Step", "entered_at": "Arrived",
                         "started_at": "Picked up", "exited_at": "Left",
                         "owner": "Who"}).to_csv(folder / "work_items.csv", index=False)
    log = pd.read_csv(folder / "decisions.csv", dtype=str, keep_default_na=False)
    for col in ("raised_at", "decided_at", "shipped_at"):
        t = pd.to_datetime(log[col].replace("", None))
        log[col] = t.dt.strftime("%d.%m.%Y %H:%M").fillna("")
    log.rename(columns={"decider": "Decided by", "raised_at": "Asked"}).to_csv(
        folder / "decisions.csv", index=False)
    est = pd.read_csv(folder / "estimates.csv", dtype=str, keep_default_na=False)
    for col in ("estimated_on", "finished_on"):
        t = pd.to_datetime(est[col].replace("", None))
        est[col] = t.dt.strftime("%d/%m/%Y").fillna("")
    est.rename(columns={"estimate": "Original estimate (h)", "actual": "Time spent (h)"}).to_csv(
        folder / "estimates.csv", index=False)
    with open(folder / "client.yaml", "a") as fh:
        fh.write("columns:\n"
                 "  work_items: {item_id: Ticket, stage: Step, entered_at: Arrived,\n"
                 "               started_at: Picked up, exited_at: Left, owner: Who}\n"
                 "  decisions: {decider: Decided by, raised_at: Asked}\n"
                 "  estimates: {estimate: Original estimate (h), actual: Time spent (h)}\n"
                 "dates: {dayfirst: true}\n")
    return folder


def test_a_home_made_folder_reads_as_the_sample_it_was_made_from(tmp_path):
    folder = home_made(tmp_path)
    ours, theirs = opsdx.load_client(SAMPLES / "northwind-freight"), opsdx.load_client(folder)
    pd.testing.assert_frame_equal(ours.work_items().visits, theirs.work_items().visits)
    pd.testing.assert_frame_equal(ours.decisions(), theirs.decisions())
    pd.testing.assert_frame_equal(ours.estimates(), theirs.estimates())
    d = diagnose(folder, {"n_boot": 100, "trials": 300})
    assert d.headline()["constraint"] == "Founder approval" and not d.failures


def test_day_first_dates_without_dates_say_how_to_read_them(tmp_path):
    folder = home_made(tmp_path)
    text = (folder / "client.yaml").read_text()
    (folder / "client.yaml").write_text(text.replace("dates: {dayfirst: true}\n", ""))
    client = opsdx.load_client(folder)
    hint = ("these look day-first (31/01/2026): say so with dates: {dayfirst: true} in "
            "client.yaml or --dates dayfirst")
    for read in (client.decisions, client.estimates):
        with pytest.raises(opsdx.DataError) as err:
            read()
        assert all(hint in p.expected for p in err.value.problems if p.message == "not a date")
    with pytest.raises(opsdx.DataError) as err:  # no row left: the reasons are the error
        client.work_items()
    assert hint in str(err.value)
    us = opsdx.load_client(folder).with_options(dates="%m/%d/%Y")
    with pytest.raises(opsdx.DataError, match=r"or the client's dates \(%m/%d/%Y\)"):
        us.decisions()


def test_a_unit_in_the_header_is_the_estimates_unit(tmp_path):
    folder = home_made(tmp_path)  # "Original estimate (h)", "Time spent (h)"
    text = (folder / "client.yaml").read_text()
    lines = [line for line in text.splitlines() if not line.startswith(("estimate_unit",
                                                                        "actual_unit"))]
    (folder / "client.yaml").write_text("\n".join(lines) + "\n")
    client = opsdx.load_client(folder)
    assert client.spec.estimate_unit is None
    ours = opsdx.load_client(SAMPLES / "northwind-freight").estimates()
    assert client.estimates().attrs["unit"] == "hours" == ours.attrs["unit"]


def test_without_the_conventions_the_same_files_are_refused_by_name(tmp_path):
    folder = home_made(tmp_path)
    text = (folder / "client.yaml").read_text()
    (folder / "client.yaml").write_text(text.split("columns:")[0])
    with pytest.raises(opsdx.DataError, match="required column is missing"):
        opsdx.load_client(folder).work_items()


def test_a_mapping_to_a_column_the_file_lacks_is_named(tmp_path):
    folder = home_made(tmp_path)
    text = (folder / "client.yaml").read_text().replace("stage: Step", "stage: Phase")
    (folder / "client.yaml").write_text(text)
    with pytest.raises(opsdx.DataError) as err:
        opsdx.load_client(folder).work_items()
    assert ("acme/work_items.csv, row 1, column 'Phase': columns: maps stage to 'Phase', which "
            "the file does not have") in str(err.value)


@pytest.mark.parametrize("yaml, message", [
    ("columns: {tickets: {item_id: Ticket}}\n", "columns"),
    ("columns: {work_items: {itemid: Ticket}}\n", "'itemid' is not a column opsdx reads "
                                                   "\\(did you mean 'item_id'\\?\\)"),
    ("columns: {estimates: {team: Squad}}\n", None),  # an attribute of the client's own
    ("dates: dd/mm/yyyy\n", "is not a date format"),
    ("dates: {dayfirst: maybe}\n", "dayfirst"),
])
def test_bad_conventions_in_client_yaml(tmp_path, yaml, message):
    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "acme")
    with open(folder / "client.yaml", "a") as fh:
        fh.write(yaml)
    if message is None:
        assert opsdx.load_client(folder).spec.columns["estimates"] == {"team": "Squad"}
        return
    with pytest.raises(opsdx.OpsdxError, match=message):
        opsdx.load_client(folder)


def test_a_format_string_reads_american_dates(tmp_path):
    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "acme")
    log = pd.read_csv(folder / "decisions.csv", dtype=str, keep_default_na=False)
    expected = opsdx.load_client(folder).decisions()
    for col in ("raised_at", "decided_at", "shipped_at"):
        t = pd.to_datetime(log[col].replace("", None))
        log[col] = t.dt.strftime("%m/%d/%Y %I:%M %p").fillna("")
    log.to_csv(folder / "decisions.csv", index=False)
    with open(folder / "client.yaml", "a") as fh:
        fh.write("dates: '%m/%d/%Y %I:%M %p'\n")
    pd.testing.assert_frame_equal(opsdx.load_client(folder).decisions(), expected)


def test_a_problem_names_the_clients_own_column(tmp_path):
    folder = home_made(tmp_path)
    work = pd.read_csv(folder / "work_items.csv", dtype=str, keep_default_na=False)
    work.loc[0, "Arrived"] = "sometime in May"
    work.loc[1, "Ticket"] = ""
    work.to_csv(folder / "work_items.csv", index=False)
    flow = opsdx.load_client(folder).work_items()  # rows set aside, the rest analysed
    assert set(flow.quality["row"]) == {2, 3}
    assert set(flow.quality["column"]) == {"Arrived", "Ticket"}  # as the report shows them
    with pytest.raises(opsdx.DataError) as err:
        with opsdx.load_client(folder).reading("work_items", folder / "work_items.csv"):
            opsdx.read_work_items(folder / "work_items.csv", name="acme/work_items.csv",
                                  stages=["nope"])
    assert "column 'Step'" in str(err.value) and "column 'stage'" not in str(err.value)


def form_export(folder: Path) -> None:
    """The answers as a form tool exports them (one row per respondent, Microsoft Forms'
    columns) after someone edited the questions: numbered, one reworded, one a grid row."""
    long = pd.read_csv(folder / "responses.csv", dtype=str, keep_default_na=False)
    (folder / "responses.csv").unlink()
    texts = opsdx.load_questionnaire("maturity").items.set_index("item_id")["text"]
    wide = long.pivot(index="respondent", columns="item_id", values="answer")
    roles = long.drop_duplicates("respondent").set_index("respondent")["role"]
    headers = {}
    for n, item in enumerate(texts.index, start=2):
        headers[item] = f"Q{n}. {texts[item]}"
    headers["KNOW-2A"] = ("Q2. In the past month, did someone other than its originator run a "
                          "recurring process end to end from its written playbook?")
    headers["KNOW-2B"] = f"Knowledge [{texts['KNOW-2B']}]"
    form = pd.DataFrame({"ID": range(1, len(wide) + 1), "Start time": "11/3/26 9:02:11",
                         "Completion time": "11/3/26 9:20:45", "Email": "anonymous",
                         "Name": wide.index, "Q1. What is your role?": roles[wide.index].values})
    form = pd.concat([form, wide[list(texts.index)].rename(columns=headers)
                      .reset_index(drop=True)], axis=1)
    form.to_excel(folder / "responses.xlsx", index=False, sheet_name="Form1")


def test_a_form_export_with_edited_headers_scores_as_the_answers_it_holds(tmp_path):
    folder = home_made(tmp_path)
    form_export(folder)
    ours = opsdx.load_client(SAMPLES / "northwind-freight").responses()
    theirs = opsdx.load_client(folder).responses()
    assert theirs.attrs["by_wording"] == {
        "Q2. In the past month, did someone other than its originator run a recurring process "
        "end to end from its written playbook?": "KNOW-2A"}
    key = ["respondent", "item_id"]
    pd.testing.assert_frame_equal(
        ours.sort_values(key)[key + ["role", "value", "status"]].reset_index(drop=True),
        theirs.sort_values(key)[key + ["role", "value", "status"]].reset_index(drop=True))


def test_the_command_lines_options_stand_in_for_client_yaml(tmp_path, capsys):
    from opsdx.cli import main

    folder = home_made(tmp_path)
    (folder / "client.yaml").write_text((folder / "client.yaml").read_text().split("columns:")[0])
    options = ["--column", "Ticket=x"]  # a column nobody has changes nothing
    for mapping in ("item_id=Ticket", "stage=Step", "work_items.entered_at=Arrived",
                    "started_at=Picked up", "exited_at=Left", "owner=Who", "decider=Decided by",
                    "raised_at=Asked", "estimate=Original estimate (h)",
                    "actual=Time spent (h)"):
        options += ["--column", mapping]
    assert main(["validate", str(folder), *options]) == 1  # the dates are day-first
    assert "'Arrived'" in capsys.readouterr().out  # named as the client names it
    assert main(["validate", str(folder), *options, "--dates", "dayfirst"]) == 0
    assert capsys.readouterr().out == "acme: ok\n"
    assert main(["flow", str(folder), *options, "--dates", "dayfirst", "--json"]) == 0
    flow = json.loads(capsys.readouterr().out)[0]
    assert flow["constraint"]["constraint"] == "Founder approval"
    assert main(["plan", str(folder / "estimates.csv"), "--column", "estimate=Original "
                 "estimate (h)", "--column", "estimates.actual=Time spent (h)", "--dates",
                 "dayfirst", "--json"]) == 0
    direct = opsdx.assess_planning(opsdx.read_estimates(SAMPLES / "northwind-freight"
                                                        / "estimates.csv"))
    assert json.loads(capsys.readouterr().out)[0]["headline"] == direct.headline()


def test_bad_command_line_conventions_are_named(tmp_path, capsys):
    from opsdx.cli import main

    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "acme")
    with pytest.raises(SystemExit):
        main(["validate", str(folder), "--column", "item_id"])
    assert "'item_id' is not NAME=HEADER" in capsys.readouterr().err
    assert main(["validate", str(folder), "--column", "tickets.item_id=Ticket"]) == 1
    assert "'tickets' is not a data file" in capsys.readouterr().out
    assert main(["validate", str(folder), "--column", "work_items.enterd_at=Arrived"]) == 1
    assert "'enterd_at' is not a column opsdx reads (did you mean 'entered_at'?)" in \
        capsys.readouterr().out
    assert main(["validate", str(folder), "--dates", "dd/mm/yyyy"]) == 1
    assert "write 'dayfirst' or a strftime format" in capsys.readouterr().out


def test_ignore_columns_in_client_yaml_and_on_the_command_line(tmp_path, capsys):
    from opsdx.cli import main

    folder = shutil.copytree(SAMPLES / "northwind-freight", tmp_path / "acme")
    form_export(folder)
    form = pd.read_excel(folder / "responses.xlsx").assign(Site="Leeds")
    form.to_excel(folder / "responses.xlsx", index=False)
    assert main(["validate", str(folder)]) == 1
    assert "column 'Site': column is not an item" in capsys.readouterr().out
    assert main(["validate", str(folder), "--ignore-column", "Site"]) == 0
    out = capsys.readouterr().out
    assert "read as item KNOW-2A by its close wording" in out
    with open(folder / "client.yaml", "a") as fh:
        fh.write("ignore_columns: [site]\n")
    assert main(["validate", str(folder)]) == 0


def test_a_home_made_folder_gets_its_workbook_without_hand_editing(tmp_path, capsys):
    """The issue's bar: the client's own headers (mapped on the command line), day-first dates
    and a form export with edited headers, straight to the deliverables."""
    from opsdx.cli import main

    folder = home_made(tmp_path / "clients")
    form_export(folder)
    (folder / "client.yaml").write_text((folder / "client.yaml").read_text()
                                        .replace("item_id: Ticket, ", ""))
    out = tmp_path / "out"
    assert main(["batch", str(folder.parent), "--out", str(out), "--n-boot", "300", "--trials",
                 "1000", "--workers", "1", "--quiet", "--column", "work_items.item_id=Ticket"]) == 0
    (result,) = out.glob("*/results.json")
    recorded = json.loads(result.read_text())
    assert recorded["params"]["columns"] == {"work_items.item_id": "Ticket"}
    direct = diagnose(SAMPLES / "northwind-freight", {"n_boot": 300, "trials": 1000})
    assert recorded["headline"] == json.loads(json.dumps(direct.headline()))
    assert "read_by_wording" in {n["code"] for n in recorded["maturity"]["notes"]}
    for name in ("workbook.html", "workbook.xlsx", "figures/summary.png"):
        assert (result.parent / name).is_file()
