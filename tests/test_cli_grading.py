"""`grader check` and `grader grade` as the SPEC's CLI contract states them (exit codes, JSON, outputs)."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import authoring
from autograder.cli import main

SOLUTION = authoring.SOLUTIONS / "ex3_dropout.ipynb"
STUB_PY = authoring.EXERCISES / "ex3_dropout.py"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner():
    return CliRunner()


def _solved_py(folder: Path, ex_id="ex3") -> Path:
    src = authoring.source_path(ex_id)
    path = folder / f"{src.stem}.py"
    path.write_text(authoring.student_script(ex_id, authoring.parse(src.read_text()), keep_solutions=True))
    return path


def test_check_full_marks_exits_0_with_the_spec_json(runner):
    result = runner.invoke(main, ["check", "ex3", str(SOLUTION), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"exercise", "score", "max_score", "checks", "error"} <= set(data)  # the SPEC's keys, and no other
    assert set(data) - {"exercise", "score", "max_score", "checks", "error"} <= {"extras", "notes", "notes_i18n"}
    assert data["exercise"] == "ex3" and data["error"] is None
    assert data["score"] == data["max_score"] > 0
    assert all(not c["hidden"] for c in data["checks"])  # check runs public checks only
    # the SPEC's keys, plus the stable id, outcome and found mistakes, and the texts in every language
    assert set(data["checks"][0]) == {"name", "points", "max_points", "passed", "hidden", "message",
                                      "id", "outcome", "mistakes", "titles", "messages"}
    assert [c["id"] for c in data["checks"]][:3] == ["ex3.shapes", "ex3.out_is_a_times_mask", "ex3.mask_values"]


def test_check_stub_exits_1_and_says_what_is_missing(runner):
    result = runner.invoke(main, ["check", "dropout", str(STUB_PY), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["score"] == 0 and "NotImplementedError" in data["checks"][0]["message"]


def test_check_unloadable_exits_3_with_the_reason(runner, tmp_path):
    bad = tmp_path / "ex3_dropout.py"
    bad.write_text("def dropout_forward(a, p:\n")
    result = runner.invoke(main, ["check", "ex3", str(bad), "--json"])
    assert result.exit_code == 3
    assert "Syntax error" in json.loads(result.output)["error"]


def test_check_top_level_exit_is_unloadable(runner, tmp_path):
    bad = tmp_path / "ex3_dropout.py"
    bad.write_text("import sys\nsys.exit(0)\n")
    result = runner.invoke(main, ["check", "ex3", str(bad), "--json"])
    assert result.exit_code == 3
    assert "SystemExit" in json.loads(result.output)["error"]


def test_check_defines_nothing_exits_1(runner, tmp_path):
    empty = tmp_path / "ex3_dropout.py"
    empty.write_text("x = 1\n")
    result = runner.invoke(main, ["check", "ex3", str(empty), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["score"] == 0 and data["error"] is None and "None of the names" in data["checks"][0]["message"]


def test_check_finds_the_file_in_the_current_folder(runner, tmp_path, monkeypatch):
    _solved_py(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check", "ex3", "--json"])
    assert result.exit_code == 0, result.output


def test_check_usage_errors_exit_2(runner, tmp_path, monkeypatch):
    assert runner.invoke(main, ["check", "ex42", str(SOLUTION)]).exit_code == 2
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check", "ex3"])
    assert result.exit_code == 2 and "no ex3 submission" in result.output


def test_check_in_spanish(runner):
    result = runner.invoke(main, ["check", "ex3", str(STUB_PY), "--json", "--lang", "es"])
    assert "aún no está implementada" in json.loads(result.output)["checks"][0]["message"]


def test_check_table_output(runner):
    result = runner.invoke(main, ["check", "ex3", str(STUB_PY)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "dropout_forward" in result.output and "FAIL" in result.output and "Total: 0 / 8" in result.output


NO_REFERENCE = """
import sys
class Missing:  # a student install: reference_impl is not there
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "reference_impl":
            raise ModuleNotFoundError("No module named 'reference_impl'")
sys.meta_path.insert(0, Missing())
{body}
"""


@pytest.mark.parametrize("ex_id", ["ex1", "ex3"])  # ex1 reads public fixtures; ex3 has only property checks
def test_check_works_without_the_reference(tmp_path, ex_id):
    probe = subprocess.run([sys.executable, "-c", NO_REFERENCE.format(body="import reference_impl")],
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "reference_impl" in probe.stderr
    body = ("from autograder.cli import main\n"
            "try:\n    main()\nfinally:\n    assert 'reference_impl' not in sys.modules")
    solution = authoring.SOLUTIONS / f"{authoring.source_path(ex_id).stem}.ipynb"
    out = subprocess.run([sys.executable, "-c", NO_REFERENCE.format(body=body), "check", ex_id,
                          str(solution), "--json"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["score"] == data["max_score"] > 0


def _class_folder(tmp_path: Path) -> Path:
    klass = tmp_path / "class"
    for student in ("alice", "bob", "carol", "dave"):
        (klass / student).mkdir(parents=True)
    shutil.copy(SOLUTION, klass / "alice" / "ex3_dropout.ipynb")
    shutil.copy(STUB_PY, klass / "bob" / "ex3_dropout.py")
    (klass / "carol" / "ex3_dropout.ipynb").write_text("{ not json")
    _solved_py(klass / "dave")
    return klass


def test_grade_a_class_writes_results_and_gradebook(runner, tmp_path):
    klass = _class_folder(tmp_path)
    out = tmp_path / "grades"
    result = runner.invoke(main, ["grade", "ex3", str(klass), "--jobs", "2", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    records = {r["student"]: r for r in json.loads(result.stdout)}  # stdout carries only the JSON
    assert set(records) == {"alice", "bob", "carol", "dave"}
    # stderr is no terminal here (a pipe, a log): the progress is a count there, never on stdout
    assert re.search(r"^ex3: 4/4 submissions graded \(\d+ s\)$", result.stderr, re.M), result.stderr
    assert records["alice"]["score"] == records["alice"]["max_score"] == 10
    assert any(c["hidden"] for c in records["alice"]["checks"])
    assert records["dave"]["score"] == 10
    assert records["bob"]["score"] == 0 and records["bob"]["error"] is None
    assert records["carol"]["score"] == 0 and "not a valid notebook" in records["carol"]["error"]
    for student in records:
        saved = json.loads((out / "ex3" / f"{student}.json").read_text())
        assert saved == records[student]
    rows = (out / "ex3" / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("student,score,max_score,error")
    assert sorted(r.split(",")[0] for r in rows[1:]) == ["alice", "bob", "carol", "dave"]


def test_grade_accepts_files_and_single_student_folders(runner, tmp_path):
    klass = _class_folder(tmp_path)
    result = runner.invoke(main, ["grade", "ex3", str(klass / "alice" / "ex3_dropout.ipynb"), str(klass / "bob"),
                                  "--out", str(tmp_path / "g"), "--json"])
    assert result.exit_code == 0
    assert sorted(r["student"] for r in json.loads(result.stdout)) == ["alice", "bob"]


def test_grading_is_deterministic(runner, tmp_path):
    klass = _class_folder(tmp_path)
    first = runner.invoke(main, ["grade", "ex3", str(klass), "--out", str(tmp_path / "a"), "--json"]).stdout
    second = runner.invoke(main, ["grade", "ex3", str(klass), "--jobs", "2", "--out", str(tmp_path / "b"), "--json"]).stdout
    assert json.loads(first) == json.loads(second)


def test_an_exercise_without_checks_yet_is_a_usage_error(runner, tmp_path, monkeypatch):
    """The registry may list an exercise before its checks exist (a course adding one)."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "autograder.exercises.ex9" else real(name, *a))
    (tmp_path / "ex9_search.py").write_text("def search(X, y, seed):\n    return None\n")
    result = runner.invoke(main, ["check", "ex9", str(tmp_path / "ex9_search.py")])
    assert result.exit_code == 2 and "has no checks" in result.output


def test_check_in_spanish_is_spanish_throughout(runner, tmp_path):
    """Titles, messages and mistakes are chosen in the language asked for when shown: the same file in
    English and in Spanish gives the same ids, points and mistakes, and no English title in Spanish."""
    from autograder.exercises.ex3 import MISTAKES

    wrong = tmp_path / "ex3_dropout.py"  # the classic mistake: the mask is not divided by p
    wrong.write_text("import numpy as np\n\ndef dropout_forward(a, p, train=True, rng=None):\n"
                     "    if not train:\n        return a, None\n"
                     "    rng = np.random.default_rng() if rng is None else rng\n"
                     "    mask = (rng.random(a.shape) < p) * 1.0\n    return a * mask, mask\n\n"
                     "def dropout_backward(dout, mask):\n    return dout if mask is None else dout * mask\n")
    en = json.loads(runner.invoke(main, ["check", "ex3", str(wrong), "--json", "--lang", "en"]).output)
    es = json.loads(runner.invoke(main, ["check", "ex3", str(wrong), "--json", "--lang", "es"]).output)
    assert [c["id"] for c in en["checks"]] == [c["id"] for c in es["checks"]]
    assert [(c["points"], c["mistakes"]) for c in en["checks"]] == [(c["points"], c["mistakes"]) for c in es["checks"]]
    english_titles = {c["name"] for c in en["checks"]}
    assert all(c["name"] == c["titles"]["es"] and c["name"] not in english_titles for c in es["checks"]
               if c["titles"]["es"] != c["titles"]["en"])
    mask = next(c for c in es["checks"] if c["id"] == "ex3.mask_values")
    assert mask["name"] == "dropout_forward: los valores de la máscara son 0 o 1/p"
    assert mask["mistakes"] == ["dropout_no_scale"] and MISTAKES["dropout_no_scale"].es in mask["message"]
    assert "mask values should be" not in mask["message"] and "los valores de la máscara deberían" in mask["message"]
    table = runner.invoke(main, ["check", "ex3", str(wrong), "--lang", "es"], env={"COLUMNS": "250"}).output
    assert "dropout_forward: los valores de la máscara son 0 o 1/p" in table and "mask values are" not in table
