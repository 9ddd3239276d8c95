"""The student's path through `grader check`, as a newcomer lives it: which file is checked when
a notebook and a .py are both there, and a missing file."""
import os
import shutil
import time

import pytest
from click.testing import CliRunner

from autograder import authoring
from autograder.cli import main

EXERCISES = authoring.EXERCISES


def _solved_py(ex_id: str) -> str:
    cells = authoring.parse(authoring.source_path(ex_id).read_text(encoding="utf-8"))
    return authoring.student_script(ex_id, cells, keep_solutions=True)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args):
    return CliRunner().invoke(main, ["check", *args])


def test_the_file_worked_on_last_is_checked_and_the_other_is_named(folder):
    """The untouched notebook beside an edited .py: the .py is checked (full marks), with a note."""
    shutil.copy(EXERCISES / "ex3_dropout.ipynb", folder)
    time.sleep(0.01)
    (folder / "ex3_dropout.py").write_text(_solved_py("ex3"))
    old = time.time() - 3600
    os.utime(folder / "ex3_dropout.ipynb", (old, old))
    result = _run("ex3")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ex3_dropout.py" in "".join(result.stdout.split())  # the total line names the file (rich may wrap it)
    assert "ex3_dropout.ipynb" in result.stderr and "differs" in result.stderr
    # the other way round: the notebook edited last is the one checked, and it is still the stub
    os.utime(folder / "ex3_dropout.ipynb", None)
    os.utime(folder / "ex3_dropout.py", (old, old))
    result = _run("ex3", "--lang", "es")
    assert result.exit_code == 1 and "ex3_dropout.ipynb" in "".join(result.stdout.split())
    assert "su código es distinto" in result.stderr


def test_twins_with_the_same_code_raise_no_note(folder):
    shutil.copy(EXERCISES / "ex3_dropout.ipynb", folder)
    shutil.copy(EXERCISES / "ex3_dropout.py", folder)
    result = _run("ex3")
    assert result.exit_code == 1  # the stubs score nothing
    assert "differs" not in result.stderr


@pytest.mark.parametrize("lang, words", [("en", "does not exist"), ("es", "no existe")])
def test_a_missing_file_is_a_usage_error_not_a_table(folder, lang, words):
    result = _run("ex3", "nowhere/ex3_dropout.ipynb", "--lang", lang)
    assert result.exit_code == 2
    assert words in result.stderr and "Not run" not in result.stdout + result.stderr


@pytest.mark.parametrize("lang, words", [("en", "It looks like exercise ex4"), ("es", "Parece el ejercicio ex4")])
def test_a_file_of_another_exercise_is_named_as_such(folder, lang, words):
    (folder / "mine.py").write_text(_solved_py("ex4"))
    result = _run("ex3", "mine.py", "--lang", lang, "--json")
    assert result.exit_code == 1
    assert words in result.stdout and "grader check ex4" in result.stdout
    # the right exercise's own file gets no such hint
    (folder / "ex3.py").write_text(_solved_py("ex3").replace("return", "raise NotImplementedError  #", 1))
    assert "ex4" not in _run("ex3", "ex3.py", "--json").stdout


def _kernel_namespace(source: str) -> dict:
    """Functions defined as a Jupyter kernel defines them (cells compiled to temporary files)."""
    namespace: dict = {}
    exec(compile(source, "/tmp/ipykernel_4242/1234567.py", "exec"), namespace)
    return namespace


RAISES_IN_FORWARD = '''import numpy as np

def dropout_forward(a, p, train=True, rng=None):
    scale = 1 / p
    raise ValueError("my own bug")

def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask
'''


@pytest.mark.parametrize("lang, where, total", [
    ("en", "(in dropout_forward, line 5 of its cell)", "Total: 0 / 7 public points (2 more are hidden"),
    ("es", "(en dropout_forward, línea 5 de su celda)", "Total: 0 / 7 puntos públicos (otros 2 son ocultos"),
])
def test_a_check_cell_points_at_the_students_cell_and_says_what_is_hidden(capsys, lang, where, total):
    from autograder.notebook import check_cell

    score = check_cell("ex3", "dropout_forward", _kernel_namespace(RAISES_IN_FORWARD), lang=lang)
    out = capsys.readouterr().out
    assert float(score) == 0 and repr(score) == "0"  # nbgrader still reads a bare number
    assert where in out and "impl.py" not in out and "autograder" not in out
    assert total in out


def test_check_all_gives_the_whole_public_verdict_like_grader_check(capsys):
    from autograder.grading import exercise_module
    from autograder.notebook import check_all
    from autograder.registry import get

    score = check_all("ex3", _kernel_namespace(_solved_py("ex3")))
    out = capsys.readouterr().out
    public = [c for c in exercise_module("ex3").CHECKS if not c.hidden]
    points = sum(c.points for c in public)
    assert float(score) == points < get("ex3").points
    assert f"Total: {points:g} / {points:g} public points ({get('ex3').points - points:g} more are hidden" in out
    assert out.count("✓") == len(public) and "✗" not in out


def test_grader_check_says_public_points_and_what_is_hidden(folder):
    (folder / "ex3_dropout.py").write_text(_solved_py("ex3"))
    result = _run("ex3")
    assert result.exit_code == 0
    assert "8 / 8 public points (2 more are hidden and graded by your instructor)" in " ".join(result.stdout.split())


def test_nan_is_diagnosed_as_nan_not_as_a_mistake(folder):
    source = _solved_py("ex3").replace("return a * mask, mask", "return a * mask * np.nan, mask * np.nan")
    assert source != _solved_py("ex3")
    (folder / "ex3_dropout.py").write_text(source)
    result = _run("ex3", "--json")
    assert result.exit_code == 1
    import json

    failed = [c for c in json.loads(result.stdout)["checks"] if not c["passed"]]
    assert failed and all("NaN" in c["message"] for c in failed if c["name"].startswith("dropout_forward")), failed
    assert not any("global generator" in c["message"] for c in failed)


def test_grader_check_shows_a_broken_cell_beside_the_table(folder):
    import json

    nb = json.loads((authoring.SOLUTIONS / "ex3_dropout.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "def dropout_backward" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("return", "return (", 1)
    (folder / "ex3_dropout.ipynb").write_text(json.dumps(nb))
    result = _run("ex3")
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    assert "syntax error" in text and "it was skipped, the other cells were graded" in text


def test_grader_check_in_spanish_has_spanish_headers_and_verdicts(folder):
    (folder / "ex3_dropout.py").write_text(_solved_py("ex3").replace("return dout * mask", "return dout"))
    result = _run("ex3", "--lang", "es")
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    assert "comprobación" in text and "veredicto" in text and "NO SUPERADA" in text and "superada" in text
    assert "FAIL" not in text and "verdict" not in text
    assert "puntos públicos (otros 2 son ocultos y los corrige tu profesor)" in text
