"""The bundled sample clients: regenerable, valid, and at clearly different stages."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import opsdx

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
spec = importlib.util.spec_from_file_location("generate", SAMPLES / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)


@pytest.mark.parametrize("client", generate.CLIENTS, ids=lambda c: c["folder"])
def test_generator_reproduces_the_committed_files(client, tmp_path):
    folder = generate.build(client, tmp_path)
    committed = SAMPLES / client["folder"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in committed.iterdir())
    for path in folder.iterdir():
        if path.suffix == ".xlsx":  # workbooks carry a creation time: compare cells
            pd.testing.assert_frame_equal(pd.read_excel(path), pd.read_excel(committed / path.name))
        else:
            assert path.read_bytes() == (committed / path.name).read_bytes(), path.name


@pytest.mark.parametrize("client", generate.CLIENTS, ids=lambda c: c["folder"])
def test_sample_clients_score_at_their_designed_stage(client):
    loaded = opsdx.load_client(SAMPLES / client["folder"])
    assert loaded.validate() == []
    spec = loaded.spec
    assert spec.name and spec.sector and spec.headcount and spec.assessment_date
    assert spec.teams and spec.management_layers
    responses = loaded.responses()
    assert responses["respondent"].nunique() >= 5
    assert responses["role"].nunique() >= 3
    result = opsdx.score_maturity(responses, loaded.questionnaire, seed=0)
    assert result.stage == client["stage"]
    assert result.stage_probability >= 0.9


def test_clients_span_the_stages():
    stages = sorted(c["stage"] for c in generate.CLIENTS)
    assert stages == [1, 2, 3, 4]
    shapes = {c["shape"] for c in generate.CLIENTS}
    assert shapes == {"long", "wide", "xlsx"}
