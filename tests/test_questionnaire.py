import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import opsdx
from opsdx import OpsdxError, QuestionnaireError
from opsdx.questionnaire import Questionnaire, questionnaire_schema

from conftest import TINY_YAML

ROOT = Path(__file__).resolve().parent.parent


def test_bundled_maturity_meets_the_design_brief(maturity):
    items = maturity.items
    assert {"item_id", "dimension", "stage", "reverse", "weight"} <= set(items.columns)
    assert len(maturity.dimensions) >= 6
    per_stage = items.groupby("stage").size()
    assert per_stage.index.tolist() == [2, 3, 4, 5]
    assert (per_stage >= 5).all()
    assert items["reverse"].sum() >= 3
    assert items["item_id"].is_unique
    # every dimension covers every stage, and every item can be acted on
    assert items.groupby("dimension")["stage"].nunique().eq(4).all()
    assert (items["recommendation"].str.len() > 20).all()
    assert (items["mechanism"].str.len() > 3).all()
    assert (items["help"].str.len() > 10).all()
    assert maturity.scale.min == 0 and maturity.scale.max == 4
    assert maturity.scale.labels[0] == "Not true" and maturity.scale.n_options == 5
    assert maturity.stage_names[1] == "Single hero" and maturity.stage_names[5] == "Multiple chains"


def test_items_are_observable_not_opinions(maturity):
    # every item tells the assessor what evidence to ask for, look at or open
    help_verbs = ("Ask", "Look", "Open", "Find", "Check")
    assert maturity.items["help"].str.startswith(help_verbs).all()
    text = maturity.items["text"].str.lower()
    assert not text.str.contains(r"\bgood\b|\bgreat\b|\beffective\b|\bwe believe\b").any()


def test_load_by_path_and_name(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_YAML)
    q = opsdx.load_questionnaire(path)
    assert q.id == "tiny" and len(q.items) == 9
    assert opsdx.load_questionnaire(q) is q
    assert "maturity" in opsdx.list_questionnaires()
    with pytest.raises(OpsdxError, match="no bundled questionnaire named 'nope'"):
        opsdx.load_questionnaire("nope")
    with pytest.raises(OpsdxError, match="not found"):
        opsdx.load_questionnaire(tmp_path / "missing.yaml")


def _broken(edit) -> str:
    data = yaml.safe_load(TINY_YAML)
    edit(data)
    return yaml.safe_dump(data, sort_keys=False)


def _errors(text) -> QuestionnaireError:
    with pytest.raises(QuestionnaireError) as info:
        Questionnaire.from_yaml(text, name="mine.yaml")
    return info.value


@pytest.mark.parametrize("edit, path, message", [
    (lambda d: d["items"][4].update(id="a2"), "items[4].id", "duplicate item id"),
    (lambda d: d["items"][1].update(dimension="Bx"), "items[1].dimension", "unknown dimension"),
    (lambda d: d["items"][2].update(stage=6), "items[2].stage", "less than or equal to 5"),
    (lambda d: d["items"][2].update(stage=1), "items[2].stage", "greater than or equal to 2"),
    (lambda d: d["scales"]["five"].update(options=[]), "scales.five.options", "at least two options"),
    (lambda d: d["items"][0].update(colour="red"), "items[0].colour", "Extra inputs are not permitted"),
    (lambda d: d.pop("title"), "title", "Field required"),
    (lambda d: d["scales"]["five"]["options"][3].update(value=9), "scales.five.options",
     "must increase strictly"),
    (lambda d: d["items"][0].update(weight=0), "items[0].weight", "greater than 0"),
    (lambda d: d["items"][0].update(scale="seven"), "items[0].scale", "unknown scale"),
])
def test_validation_names_the_yaml_path(edit, path, message):
    err = _errors(_broken(edit))
    assert any(p.column == path and message in p.message for p in err.problems), err
    problem = next(p for p in err.problems if p.column == path)
    assert problem.file == "mine.yaml" and isinstance(problem.row, int)


def test_reverse_item_on_a_scale_without_values():
    def edit(d):
        d["scales"]["kind"] = {"options": [{"label": "Tool A"}, {"label": "Tool B"}]}
        d["default_scale"] = "five"
        d["items"][3].update(scale="kind", reverse=True)
    err = _errors(_broken(edit))
    assert [p.column for p in err.problems] == ["items[3].reverse"]
    assert "without numeric values" in str(err)


def test_every_problem_is_reported_at_once_with_lines():
    text = TINY_YAML.replace("{id: a3, dimension: A, stage: 3", "{id: a2, dimension: Q, stage: 3")
    err = _errors(text)
    by_path = {p.column: p for p in err.problems}
    assert set(by_path) == {"items[3].id", "items[3].dimension"}
    line = text.splitlines().index(next(l for l in text.splitlines() if "dimension: Q" in l)) + 1
    assert by_path["items[3].dimension"].row == line
    assert "2 problems" in str(err)


def test_invalid_yaml_reports_the_line():
    err = _errors("id: x\nitems: [\n  - broken: : :\n")
    assert err.problems[0].row is not None and "not valid YAML" in err.problems[0].message


def test_json_schema_export_and_committed_copy_in_sync():
    schema = questionnaire_schema()
    assert schema["title"] == "opsdx questionnaire"
    assert {"id", "version", "title", "scales", "dimensions", "items"} <= set(schema["properties"])
    committed = json.loads((ROOT / "questionnaires" / "questionnaire.schema.json").read_text())
    assert committed == schema, "run `make schema` to refresh questionnaires/questionnaire.schema.json"


def test_schema_command_prints_json():
    out = subprocess.run([sys.executable, "-m", "opsdx.cli", "schema", "questionnaire"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["properties"]["items"]["type"] == "array"


def test_item_ids_must_differ_in_more_than_case():
    err = _errors(_broken(lambda d: d["items"][4].update(id="A2")))
    assert [p.column for p in err.problems] == ["items[4].id"]
    assert "differs from another only in case" in err.problems[0].message


def test_yes_no_labels_stay_text_and_files_in_other_encodings_load(tmp_path):
    text = TINY_YAML.replace("- {label: Never, value: 0}", "- {label: No, value: 0}") \
        .replace("- {label: Rarely, value: 1}", "- {label: Yes, value: 1}")
    q = Questionnaire.from_yaml(text)
    assert q.scale.labels[:2] == ["No", "Yes"]
    path = tmp_path / "latin.yaml"
    path.write_bytes(TINY_YAML.replace("Tiny test questionnaire", "Qüestionnaire").encode("cp1252"))
    assert opsdx.load_questionnaire(path).title == "Qüestionnaire"


def test_repeated_keys_and_pydantic_prefixes():
    err = _errors(TINY_YAML.replace('version: "1"', 'version: "1"\nversion: "2"'))
    assert [(p.row, p.column) for p in err.problems] == [(3, "version")]
    err = _errors(_broken(lambda d: d["scales"]["five"].update(options=[])))
    assert err.problems[0].message.startswith("a scale needs at least two options")
