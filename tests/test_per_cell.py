"""One broken cell does not zero a notebook (issue 11, item 3).

Real sandboxed grading (``grade_file``, ``grader check``) of ex3 notebooks built from the solution
notebook with one cell broken: a syntax error, a top-level ``import matplotlib`` (the sandbox of a
NumPy exercise has no matplotlib), a cell that raises. The other cells are graded; the broken one is
named in the result's notes and in the messages of the checks whose function it would have defined.
Plus the check cells of the generated notebooks in a kernel without the checker.
"""
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from autograder import authoring
from autograder.cli import main
from autograder.grading import exercise_module, grade_file
from autograder.loader import load_source
from autograder.sandbox import Limits, wire
from autograder.sandbox import _broken as parse_broken

SOLUTION_NB = authoring.SOLUTIONS / "ex3_dropout.ipynb"
STUDENT_NB = authoring.EXERCISES / "ex3_dropout.ipynb"
CHECKS = exercise_module("ex3").CHECKS
FORWARD_POINTS = sum(c.points for c in CHECKS if c.needs == ("dropout_forward",))
PUBLIC_FORWARD_POINTS = sum(c.points for c in CHECKS if c.needs == ("dropout_forward",) and not c.hidden)


def _cell_number(nb: dict, grade_id: str) -> int:
    """The position (from 1, as the grader numbers cells) of the cell with this nbgrader grade id."""
    return next(i for i, c in enumerate(nb["cells"], start=1)
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _variant(tmp_path, name: str, edit) -> tuple:
    """The solution notebook with ``edit(nb)`` applied; returns (path, notebook)."""
    nb = json.loads(SOLUTION_NB.read_text(encoding="utf-8"))
    edit(nb)
    path = tmp_path / name / "ex3_dropout.ipynb"
    path.parent.mkdir()
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path, nb


def _set_source(nb: dict, grade_id: str, change) -> None:
    cell = nb["cells"][_cell_number(nb, grade_id) - 1]
    cell["source"] = change("".join(cell["source"]))


def _by_function(result) -> dict:
    out = {"dropout_forward": [], "dropout_backward": []}
    by_name = {c.name: c for c in CHECKS}
    for r in result.checks:
        out[by_name[r.name].needs[0]].append(r)
    return out


def _assert_forward_kept_backward_lost(result, message_part: str):
    checks = _by_function(result)
    assert result.error is None
    assert all(r.passed for r in checks["dropout_forward"]), [r.message for r in checks["dropout_forward"]]
    assert [r.points for r in checks["dropout_backward"]] == [0.0]
    assert message_part in checks["dropout_backward"][0].message, checks["dropout_backward"][0].message
    assert result.score == FORWARD_POINTS


# ------------------------------------------------------------------ a syntax error in one cell
def test_a_cell_with_a_syntax_error_is_skipped_and_named(tmp_path):
    path, nb = _variant(tmp_path, "syntax", lambda nb: _set_source(
        nb, "sol_dropout_backward", lambda s: s.replace("return dout * mask", "return dout * mask)")))
    cell = _cell_number(nb, "sol_dropout_backward")
    line = next(i for i, ln in enumerate(nb["cells"][cell - 1]["source"].splitlines(), 1) if "return dout * mask)" in ln)
    result = grade_file("ex3", path, hidden=True, lang="en")
    _assert_forward_kept_backward_lost(
        result, f"`dropout_backward` is not defined (cell {cell} was skipped: syntax error at line {line}).")
    assert len(result.notes) == 1
    assert result.notes[0].startswith(f"Cell {cell} has a syntax error at line {line}: unmatched ')'")
    assert result.notes[0].endswith("it was skipped, the other cells were graded.")
    assert result.to_dict()["notes"] == list(result.notes) and result.to_dict()["error"] is None

    es = grade_file("ex3", path, hidden=False, lang="es")
    backward = _by_function(es)["dropout_backward"][0]
    assert backward.message == (f"`dropout_backward` no está definido (se omitió la celda {cell}: error de sintaxis "
                                f"en la línea {line}).")
    assert es.notes[0].startswith(f"La celda {cell} tiene un error de sintaxis en la línea {line}")


# ------------------------------------------------------------------ a forbidden import in one cell
def test_a_top_level_import_of_matplotlib_is_reported_and_the_other_cells_graded(tmp_path):
    path, nb = _variant(tmp_path, "matplotlib", lambda nb: _set_source(
        nb, "sol_dropout_backward", lambda s: "import matplotlib.pyplot as plt\n" + s))
    cell = _cell_number(nb, "sol_dropout_backward")
    result = grade_file("ex3", path, hidden=True, lang="en")
    _assert_forward_kept_backward_lost(
        result, f"`dropout_backward` is not defined (cell {cell} raised ModuleNotFoundError before defining it).")
    (note,) = result.notes
    assert note.startswith(f"Cell {cell} raised ModuleNotFoundError at line 1: No module named 'matplotlib'; "
                           "the rest of that cell did not run, the other cells were graded.")
    assert "graded with NumPy and the standard library only" in note


# ------------------------------------------------------------------ a cell that raises
def test_a_cell_that_raises_after_defining_its_function_keeps_it_and_the_next_cells_run(tmp_path):
    # the forward cell raises at its end: dropout_forward is defined, and the backward cell after it runs
    path, nb = _variant(tmp_path, "raises", lambda nb: _set_source(
        nb, "sol_dropout_forward", lambda s: s + "\nraise RuntimeError('my experiment')\n"))
    cell = _cell_number(nb, "sol_dropout_forward")
    result = grade_file("ex3", path, hidden=True, lang="en")
    assert result.error is None and result.score == 10.0 and result.full_marks
    (note,) = result.notes
    assert note.startswith(f"Cell {cell} raised RuntimeError at line ")
    assert "my experiment" in note


def test_a_name_a_raising_cell_did_not_define_is_linked_to_it(tmp_path):
    # the imports cell fails before `import numpy as np`: the function that uses np says why np is missing
    def edit(nb):
        code = next(c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()
                    == "import numpy as np")
        code["source"] = "import matplotlib\nimport numpy as np\n"
    path, nb = _variant(tmp_path, "no-numpy", edit)
    cell = next(i for i, c in enumerate(nb["cells"], 1) if "import matplotlib" in "".join(c["source"]))
    result = grade_file("ex3", path, hidden=True, lang="en")
    assert result.error is None
    failed = [r for r in result.checks if not r.passed]
    assert failed, "the default-rng check calls np.random.default_rng"
    for r in failed:
        assert f"`np` is missing because cell {cell} raised ModuleNotFoundError before defining it" in r.message
    assert 0 < result.score < 10


def test_a_correct_notebook_still_gets_full_marks_without_notes(tmp_path):
    result = grade_file("ex3", SOLUTION_NB, hidden=True, lang="en")
    assert result.full_marks and result.score == 10.0 and result.notes == ()
    assert "notes" not in result.to_dict()


# ------------------------------------------------------------------ what cannot be loaded at all
def _plain_notebook(tmp_path, name, sources):
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
             for s in sources]
    path = tmp_path / name
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_a_notebook_none_of_whose_cells_runs_is_not_graded_and_names_every_broken_cell(tmp_path):
    path = _plain_notebook(tmp_path, "all.ipynb", ["def dropout_forward(:\n", "raise ValueError('boom')\n",
                                                   "import matplotlib\n"])
    result = grade_file("ex3", path, lang="en")
    assert result.score == 0 and result.error
    assert result.error.startswith("Your code raised ValueError while running its top level (cell 2, line 1): boom")
    assert "Cell 1 also has a syntax error at line 1" in result.error
    assert "Cell 3 also raised ModuleNotFoundError at line 1: No module named 'matplotlib'." in result.error


def test_a_cell_that_loops_forever_ends_the_load_and_is_named(tmp_path):
    path = _plain_notebook(tmp_path, "loop.ipynb", ["import numpy as np\n", "while True:\n    pass\n",
                                                    "def dropout_backward(d, m):\n    return d\n"])
    result = grade_file("ex3", path, lang="en", limits=Limits(load_timeout_s=1.0))
    assert result.score == 0
    assert result.error == ("Your code did not finish loading within 1 s: cell 2 was still running (an infinite "
                            "loop or a long computation at top level?).")


def test_a_cell_that_kills_the_process_ends_the_load_and_is_named(tmp_path):
    path = _plain_notebook(tmp_path, "exit.ipynb", ["import numpy as np\n", "import os\nos._exit(3)\n"])
    result = grade_file("ex3", path, lang="es")
    assert result.error.startswith("Tu código detuvo el proceso de Python al cargarse, en la celda 2:")


def test_a_py_file_is_one_unit(tmp_path):
    solved = authoring.student_script("ex3", authoring.parse(authoring.source_path("ex3").read_text()),
                                      keep_solutions=True)
    py = tmp_path / "ex3_dropout.py"
    py.write_text("# %%\n" + solved + "\n# %%\ndef broken(:\n")  # percent markers do not split it
    assert grade_file("ex3", py, lang="en").error.startswith("Syntax error in ex3_dropout.py")
    py.write_text(solved + "\nimport matplotlib\n")
    result = grade_file("ex3", py, lang="en")
    assert result.score == 0 and "ModuleNotFoundError" in result.error and result.notes == ()


def test_a_forged_broken_list_names_only_cells_of_the_submission():
    forged = [{"cell": "<cell 99>", "error": {"type": "X"}}, {"cell": ["<cell 1>"]}, "junk",
              *({"cell": "<cell 1>", "error": {"type": "ValueError", "message": "m" * 10**5}}
                for _ in range(2 * wire.MAX_BROKEN))]
    broken = parse_broken(forged, {"<cell 1>"})
    assert len(broken) <= wire.MAX_BROKEN
    assert all(b.filename == "<cell 1>" and len(b.detail) <= wire.MAX_TEXT + 50 for b in broken)
    assert parse_broken({"cell": "<cell 1>"}, {"<cell 1>"}) == ()


# ------------------------------------------------------------------ grader check's exit codes
@pytest.mark.parametrize("case, expected_exit", [("syntax", 1), ("experiment", 0), ("all_broken", 3)])
def test_grader_check_exit_codes(tmp_path, case, expected_exit):
    if case == "syntax":
        path, _ = _variant(tmp_path, case, lambda nb: _set_source(
            nb, "sol_dropout_backward", lambda s: s.replace("def dropout_backward(", "def dropout_backward((")))
    elif case == "experiment":  # a cell of the student's own experiments fails; the graded functions are fine
        def edit(nb):
            nb["cells"].append({"cell_type": "code", "source": "import matplotlib.pyplot as plt\nplt.plot([1])\n",
                                "metadata": {}, "outputs": [], "execution_count": None})
        path, _ = _variant(tmp_path, case, edit)
    else:
        path = _plain_notebook(tmp_path, "ex3_dropout.ipynb", ["def dropout_forward(:\n", "x = )\n"])
    result = CliRunner().invoke(main, ["check", "ex3", str(path), "--json"])
    assert result.exit_code == expected_exit, result.output
    data = json.loads(result.output)
    if expected_exit == 3:
        assert data["error"].startswith("Syntax error in cell 1, line 1")
        assert "Cell 2 also has a syntax error at line 1" in data["error"]
    else:
        assert data["error"] is None and len(data["notes"]) == 1 and "Cell " in data["notes"][0]
        assert data["score"] == (PUBLIC_FORWARD_POINTS if case == "syntax" else data["max_score"])


# ------------------------------------------------------------------ check cells without the checker
def _test_cells(path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("path", [STUDENT_NB, SOLUTION_NB], ids=["student", "nbgrader-source"])
def test_a_check_cell_without_the_checker_says_how_to_install_it_and_fails(tmp_path, path):
    code = _test_cells(path)[0]
    # -I: no user site, no PYTHONPATH, no current folder; -S: no site-packages (where the grader is installed)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    last = proc.stderr.strip().splitlines()[-1]
    assert last == f"ModuleNotFoundError: {authoring.INSTALL_HINT_EN} / {authoring.INSTALL_HINT_ES}"
    assert "%pip install nn_grader_student-*.whl" in authoring.INSTALL_HINT_EN
    assert "%pip install nn_grader_student-*.whl" in authoring.INSTALL_HINT_ES
    assert "No module named 'autograder'" not in proc.stderr  # one message, not the chained import error


def test_the_install_hint_names_the_student_wheel():
    import importlib.util

    spec = importlib.util.spec_from_file_location("student_dist", authoring.ROOT / "tools" / "student_dist.py")
    student_dist = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(student_dist)
    assert f"{student_dist.DIST_NAME.replace('-', '_')}-*.whl" in authoring.INSTALL_HINT_EN


def test_a_check_cell_with_the_checker_still_grades_and_is_not_run_by_the_sandbox(tmp_path, capsys):
    from reference_impl import dropout_backward, dropout_forward

    code = _test_cells(STUDENT_NB)[0]
    namespace = {"dropout_forward": dropout_forward, "dropout_backward": dropout_backward}
    exec(compile(code, "<check cell>", "exec"), namespace)
    out = capsys.readouterr().out
    public = sum(1 for c in CHECKS if c.cell == "dropout_forward" and not c.hidden)
    assert "✗" not in out and out.count("✓") == public
    # a check cell that lost its nbgrader metadata is recognised by its code, guard included, and not run
    nb = json.loads(SOLUTION_NB.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell["metadata"] = {}
    bare = tmp_path / "ex3_dropout.ipynb"
    bare.write_text(json.dumps(nb), encoding="utf-8")
    assert not any("check_cell" in code for _, code in load_source(bare).cells)
    result = grade_file("ex3", bare, hidden=True, lang="en")
    assert result.full_marks and result.notes == ()


def test_a_cell_too_deeply_nested_to_compile_is_skipped_like_a_syntax_error(tmp_path):
    path = _plain_notebook(tmp_path, "deep.ipynb", [
        "def dropout_backward(dout, mask):\n    return dout if mask is None else dout * mask\n",
        "def dropout_forward(a, p, train=True, rng=None):\n    return " + "+".join(["a"] * 200000) + ", None\n"])
    src = load_source(path)
    assert [c.where for c in src.skipped] == ["cell 2"] and src.skipped[0].defines == ("dropout_forward",)
    result = grade_file("ex3", path, lang="en")
    assert result.error is None and result.score == sum(c.points for c in CHECKS if c.needs == ("dropout_backward",))
    assert result.notes[0].startswith("Cell 2 has a syntax error: too deeply nested to compile; it was skipped")
