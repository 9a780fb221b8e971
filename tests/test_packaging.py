"""The built wheel carries the bundled questionnaires and works outside the checkout."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(out), str(ROOT)], check=True)
    (path,) = out.glob("opsdx-*.whl")
    return path


@pytest.mark.slow
def test_wheel_contains_questionnaires(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "opsdx/questionnaires/maturity.yaml" in names
    assert "opsdx/questionnaires/questionnaire.schema.json" in names
    assert not any(n.startswith(("tests/", "sample_data/", "bench/")) for n in names)


@pytest.mark.slow
def test_installed_wheel_loads_bundled_questionnaire_away_from_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                    "--target", str(target), str(wheel)], check=True)
    code = ("import opsdx, opsdx.forecast, opsdx.questionnaire as q; "
            "assert str(q._bundled_dir()).find('questionnaires') >= 0; "
            "assert 'site' in str(opsdx.__file__), opsdx.__file__; "
            "print(opsdx.load_questionnaire('maturity').id, len(opsdx.list_questionnaires()))")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["maturity", "1"]
