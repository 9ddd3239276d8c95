"""`grader gradescope`: the autograder.zip Gradescope expects, run as Gradescope runs it.

The zip is built, unpacked into a simulated ``/autograder`` (``$GRADER_GRADESCOPE_ROOT``), its wheel
installed into a folder of its own (``pip install --no-deps --target``: the dependencies are this
venv's, and the ``autograder`` package that grades is the wheel's, not this checkout's), and its
``run_autograder`` run by bash for correct, mistaken, missing and hostile submissions. Every
results.json is validated against Gradescope's documented results format (``RESULTS_SCHEMA``, written
from its "Autograder Specifications" page). setup.sh is not run: it installs Ubuntu packages.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from autograder import registry
from autograder.cli import main

ROOT = Path(__file__).resolve().parent.parent
KEY = "gradescope-tests-key"
EX = "ex3"
SOLUTION = ROOT / "solutions" / "ex3_dropout.ipynb"

#: Gradescope's results.json, as its autograder specification describes it (the fields we write and
#: their allowed values; Gradescope ignores unknown ones, so none are allowed here either)
_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "integer", "minimum": 0},
        "output": {"type": "string"},
        "output_format": _FORMAT,
        "test_output_format": _FORMAT,
        "test_name_format": _FORMAT,
        "visibility": _VISIBILITY,
        "stdout_visibility": _VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score", "status", "output", "visibility"],
            "additionalProperties": False,
            "properties": {
                "score": {"type": "number"}, "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "name": {"type": "string"}, "name_format": _FORMAT, "number": {"type": "string"},
                "output": {"type": "string"}, "output_format": _FORMAT,
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": _VISIBILITY, "extra_data": {"type": "object"},
            }}},
    },
}


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope-out")
    result = CliRunner().invoke(main, ["gradescope", EX, str(out), "--lang", "en"], env={"GRADER_HIDDEN_KEY": KEY})
    assert result.exit_code == 0, result.output
    return out / f"autograder-{EX}.zip"


@pytest.fixture(scope="module")
def installed(autograder_zip, tmp_path_factory):
    """The zip unpacked as Gradescope does, and its wheel installed on its own."""
    base = tmp_path_factory.mktemp("gradescope-image")
    source = base / "source"
    source.mkdir()
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(source)
        for info in z.infolist():  # zipfile drops the modes: restore them as unzip does
            (source / info.filename).chmod(info.external_attr >> 16 & 0o777)
    wheel = next(source.glob("nn_grader-*.whl"))
    site = base / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "--target", str(site), str(wheel)], check=True)
    bin_dir = base / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    return {"source": source, "site": site, "bin": bin_dir}


def _run(installed, tmp_path, files: dict[str, bytes | str]) -> dict:
    """A submission graded by the zip's run_autograder in a fresh simulated /autograder."""
    root = tmp_path / "autograder"
    shutil.copytree(installed["source"], root / "source", symlinks=True)
    (root / "submission").mkdir(parents=True)
    for name, content in files.items():
        path = root / "submission" / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    env = {**os.environ, "GRADER_GRADESCOPE_ROOT": str(root), "PYTHONPATH": str(installed["site"]),
           "PATH": f"{installed['bin']}{os.pathsep}{os.environ['PATH']}"}
    env.pop("GRADER_HIDDEN_KEY", None)  # the key comes from the zip
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    document = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, RESULTS_SCHEMA)
    return document


def test_the_zip_holds_what_gradescope_runs_at_its_root(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as z:
        names = set(z.namelist())
        modes = {i.filename: i.external_attr >> 16 & 0o777 for i in z.infolist()}
        assert {"setup.sh", "run_autograder", "config.json", "hidden_key"} <= names
        assert modes["setup.sh"] == modes["run_autograder"] == 0o755 and modes["hidden_key"] == 0o600
        assert json.loads(z.read("config.json")) == {"exercise": EX, "lang": "en"}
        assert z.read("hidden_key").decode().strip() == KEY
        assert "pip install" in z.read("setup.sh").decode() and "[keras]" not in z.read("setup.sh").decode()
        wheel_name = next(n for n in names if n.endswith(".whl"))
        wheel_path = autograder_zip.parent / "w.whl"
        wheel_path.write_bytes(z.read(wheel_name))
    with zipfile.ZipFile(wheel_path) as w:
        inside = set(w.namelist())
        metadata = w.read(next(n for n in inside if n.endswith("/METADATA"))).decode()
    assert {"autograder/gradescope.py", "autograder/fixtures/ex1.json", "reference_impl/dropout.py"} <= inside
    assert not any(n.startswith(("solutions/", "exercises/", "tests/")) for n in inside)
    assert "Requires-Dist: numpy>=1.24" in metadata and 'keras>=3.5; extra == "keras"' in metadata


def test_a_keras_exercise_installs_the_keras_extra_and_its_data(tmp_path):
    result = CliRunner().invoke(main, ["gradescope", "ex12", str(tmp_path)], env={"GRADER_HIDDEN_KEY": KEY})
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "autograder-ex12.zip") as z:
        setup = z.read("setup.sh").decode()
        assert json.loads(z.read("config.json")) == {"exercise": "ex12", "lang": "es"}  # the default language
    assert "[keras]" in setup and "dataset-fashion-mnist" in setup


def test_the_solution_gets_full_marks_with_hidden_checks_after_the_due_date(installed, tmp_path):
    document = _run(installed, tmp_path, {SOLUTION.name: SOLUTION.read_bytes()})
    assert document["score"] == registry.get(EX).points == sum(t["max_score"] for t in document["tests"])
    assert all(t["status"] == "passed" for t in document["tests"])
    hidden = [t for t in document["tests"] if t["visibility"] == "after_due_date"]
    assert hidden and all("hidden" in t["tags"] for t in hidden)
    assert {t["visibility"] for t in document["tests"]} == {"visible", "after_due_date"}


def test_a_mistake_loses_its_points_and_hidden_inputs_stay_hidden(installed, tmp_path):
    source = SOLUTION.read_text(encoding="utf-8")
    wrong = source.replace("mask = (rng.random(a.shape) < p) / p", "mask = (rng.random(a.shape) < p) * 1.0")
    assert wrong != source
    document = _run(installed, tmp_path, {SOLUTION.name: wrong})
    failed = [t for t in document["tests"] if t["status"] == "failed"]
    assert failed and document["score"] == sum(t["score"] for t in document["tests"]) < registry.get(EX).points
    for test in failed:
        if test["visibility"] == "after_due_date":
            assert test["output"].startswith("Failed on the hidden test inputs."), test["output"]
    assert any("1/p" in t["output"] for t in failed if t["visibility"] == "visible")


def test_no_submission_file_is_a_zero_saying_what_to_upload(installed, tmp_path):
    document = _run(installed, tmp_path, {"notes.txt": "I forgot the notebook"})
    assert document["score"] == 0 and document["tests"] == []
    assert "No submission for ex3 was found" in document["output"] and "ex3_dropout.ipynb" in document["output"]


def test_a_hostile_submission_still_gets_a_results_file(installed, tmp_path):
    """A notebook that is not JSON, and a script that kills its own process at import."""
    document = _run(installed, tmp_path, {"ex3_dropout.ipynb": b"\x89PNG not a notebook" * 100})
    assert document["score"] == 0 and document["output"]
    document = _run(installed, tmp_path / "second", {"ex3_dropout.py": "import os\nos._exit(3)\n"})
    assert document["score"] == 0 and document["output"]


def test_without_a_key_nothing_is_built(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADER_HIDDEN_KEY", raising=False)
    result = CliRunner().invoke(main, ["gradescope", EX, str(tmp_path / "out")], env={"GRADER_HIDDEN_KEY": ""})
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_grader_running_is_the_wheels(installed):
    probe = subprocess.run([str(installed["bin"] / "python3"), "-c", "import autograder; print(autograder.__file__)"],
                           env={**os.environ, "PYTHONPATH": str(installed["site"])}, cwd=installed["source"],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == str(installed["site"] / "autograder" / "__init__.py")
    assert stat.S_IMODE((installed["source"] / "run_autograder").stat().st_mode) == 0o755
