"""A course run that nothing stops: one class with a correct student and one student per kind of
malformed notebook (nbgrader metadata null or of the wrong type, cells that are not cells, invalid
nbformat, test cells deleted, duplicated, retyped or given 1000 points, files that are empty, not
UTF-8, not JSON or 50 MB), graded by `grader grade EX --course DIR` into a real nbgrader gradebook,
then again with --force. Every student ends with a result file, a gradebook entry and a valid
autograded notebook whose test cells are the instructor's; scores come from the source."""
import copy
import json

import nbformat
import pytest
from click.testing import CliRunner

from autograder import registry
from autograder.cli import main
from autograder.course import nb, notebook_name
from autograder.course.release import release
from autograder.course.setup import init_course
from autograder.results import GradedSubmission

EX = "ex3"
NAME = notebook_name(EX)
POINTS = {"test_dropout_forward": 9.0, "test_dropout_backward": 1.0}


def _find(cells, grade_id):
    return next(i for i, c in enumerate(cells) if isinstance(c, dict) and isinstance(c.get("metadata"), dict)
                and isinstance(c["metadata"].get("nbgrader"), dict)
                and c["metadata"]["nbgrader"].get("grade_id") == grade_id)


def _meta(cell, **changes):
    cell["metadata"]["nbgrader"].update(changes)


def _class(source: dict) -> dict:
    """student -> notebook (a dict written as JSON, or bytes written as they are), and the words the
    student's result must contain (in ``error`` for an unloadable one, else in ``notes``)."""
    def sol():
        return copy.deepcopy(source)

    out = {"alice": (sol(), None, None)}  # the solution: full marks, nothing to say

    n = sol()                              # nbgrader metadata null; a cell's metadata null
    n["cells"][_find(n["cells"], "test_dropout_forward")]["metadata"]["nbgrader"] = None
    n["cells"][_find(n["cells"], "sol_dropout_backward")]["metadata"]["nbgrader"] = None
    n["cells"][0]["metadata"] = None
    out["null_meta"] = (n, None, ["metadata.nbgrader is null", "Cell 1 has invalid metadata (metadata is null)"])

    n = sol()                              # nbgrader metadata of the wrong types
    n["cells"][_find(n["cells"], "sol_dropout_forward")]["metadata"]["nbgrader"] = "solution"
    n["cells"][_find(n["cells"], "test_dropout_backward")]["metadata"]["nbgrader"] = [1, 2]
    _meta(n["cells"][_find(n["cells"], "sol_dropout_backward")], grade_id=42)
    _meta(n["cells"][_find(n["cells"], "test_dropout_forward")], points="lots")
    out["wrong_types"] = (n, None, ["metadata.nbgrader is a string", "metadata.nbgrader is a list",
                                    "grade_id is a number", "points is a string"])

    n = sol()                              # points raised to 1000
    _meta(n["cells"][_find(n["cells"], "test_dropout_forward")], points=1000)
    out["points_1000"] = (n, None, ["“test_dropout_forward” claims 1000 points; it is worth 9"])

    n = sol()                              # points negative and huge
    _meta(n["cells"][_find(n["cells"], "test_dropout_forward")], points=-5)
    _meta(n["cells"][_find(n["cells"], "test_dropout_backward")], points=1e300)
    out["neg_huge"] = (n, None, ["points is negative (-5)", "claims 1e+300 points"])

    n = sol()                              # not cells in the list of cells; sources missing or a number
    n["cells"].insert(1, "import os")
    n["cells"].insert(3, 7)
    del n["cells"][0]["source"]
    n["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                       "source": 42})
    n["cells"].append({"cell_type": "code", "metadata": {}, "outputs": "lots", "execution_count": "x",
                       "source": ["x = 1\n", None, 5]})
    out["odd_cells"] = (n, None, ["2 item(s) that are not cells", "source is not text (missing)",
                                  "source is not text (a number)", "(a list with lines that are not text)"])

    n = sol()                              # test cells deleted
    del n["cells"][_find(n["cells"], "test_dropout_forward")]
    del n["cells"][_find(n["cells"], "test_dropout_backward")]
    out["deleted"] = (n, None, ["“test_dropout_forward” had been deleted",
                                "“test_dropout_backward” had been deleted"])

    n = sol()                              # duplicated test and answer cells (nbgrader issue 1083)
    t = _find(n["cells"], "test_dropout_backward")
    n["cells"].insert(t + 1, copy.deepcopy(n["cells"][t]))
    s = _find(n["cells"], "sol_dropout_forward")
    n["cells"].insert(s + 1, copy.deepcopy(n["cells"][s]))
    out["duplicated"] = (n, None, ["“test_dropout_backward” appears 2 times",
                                   "“sol_dropout_forward” appears 2 times"])

    n = sol()                              # test cells retyped, one with edits
    for grade_id, kind in (("test_dropout_forward", "markdown"), ("test_dropout_backward", "raw")):
        cell = n["cells"][_find(n["cells"], grade_id)]
        cell["cell_type"] = kind
        del cell["outputs"], cell["execution_count"]
    out["retyped"] = (n, None, ["“test_dropout_forward” had been turned into a markdown cell",
                                "“test_dropout_backward” had been turned into a raw cell"])

    n = sol()                              # a test cell edited and an nbgrader id the source lacks
    cell = n["cells"][_find(n["cells"], "test_dropout_backward")]
    cell["source"] = "print('all good')\n"
    _meta(n["cells"][_find(n["cells"], "sol_dropout_backward")], grade_id="sol_mine")
    out["edited"] = (n, None, ["“test_dropout_backward” had been edited", "nbgrader id “sol_mine”"])

    n = sol()                              # a lone surrogate (legal JSON, not UTF-8) in a markdown cell
    n["cells"][0]["source"] = "# Dropout \ud800"
    out["surrogate"] = (n, None, None)

    big = sol()                            # 50 MB of outputs
    big["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * (50 * 2**20)}]
    out["big"] = (big, ["50.0 MB", "more than the 32 MB"], None)
    out["no_cells"] = ({"metadata": {}, "nbformat": 4, "nbformat_minor": 5}, ["is JSON but not a notebook (it has no list of cells)"], None)
    out["cells_dict"] = ({"cells": {}, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                         ["is JSON but not a notebook"], None)
    out["not_object"] = ([1, 2, 3], ["is JSON but not a notebook"], None)
    out["bad_json"] = (b'{"cells": [', ["not a valid notebook", "line 1"], None)
    out["not_utf8"] = (b'{"cells": [], "x": "\xff\xfe"}', ["is not UTF-8"], None)
    out["empty"] = (b"  \n", ["is empty: it holds no notebook"], None)
    out["zero"] = (b"", ["is empty: it holds no notebook"], None)
    out["deep"] = (b"[" * 100_000, ["nested too deeply"], None)
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = init_course(tmp_path_factory.mktemp("malformed") / "nn", [EX])
    validation = release(course, EX)
    assert validation.ok, validation.problems
    source = json.loads((course.source(EX) / NAME).read_text())
    students = _class(source)
    for student, (content, _, _) in students.items():
        folder = course.submitted(student, EX)
        folder.mkdir(parents=True)
        data = content if isinstance(content, bytes) else json.dumps(content).encode()
        (folder / NAME).write_bytes(data)
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00 UTC")
    (course.submitted("zero", EX) / "timestamp.txt").write_bytes(b"\xff\xfe garbage")  # unreadable too
    return course, source, students


def _snapshot(course, result):
    results = {p.stem: json.loads(p.read_text()) for p in course.grades(EX).glob("*.json")}
    with nb.gradebook(course) as gb:
        rows = {sub.student.id: {g.name: (g.auto_score, g.max_score) for n in sub.notebooks for g in n.grades}
                for sub in gb.assignment_submissions(EX)}
        max_score = gb.find_assignment(EX).max_score
    autograded = {p.parent.parent.name: json.loads(p.read_text())
                  for p in (course.root / "autograded").glob(f"*/{EX}/{NAME}")}
    return {"exit": result.exit_code, "output": result.output, "results": results, "rows": rows,
            "max_score": max_score, "autograded": autograded}


@pytest.fixture(scope="module")
def runs(course):
    course, _, _ = course
    out = {}
    for label, extra in (("first", []), ("force", ["--force"])):
        result = CliRunner().invoke(main, ["grade", EX, "--course", str(course.root), "--jobs", "2", *extra])
        out[label] = _snapshot(course, result)
    return out


RUNS = pytest.mark.parametrize("label", ["first", "force"])


@RUNS
def test_every_student_is_graded_and_recorded(course, runs, label):
    course, _, students = course
    run = runs[label]
    assert run["exit"] == 0, run["output"]
    assert "Traceback" not in run["output"]
    assert set(run["results"]) == set(students)
    assert set(run["rows"]) == set(students)
    assert set(run["autograded"]) == set(students)
    for student, rec in run["results"].items():
        assert "record_error" not in rec, (student, rec["record_error"])


@RUNS
def test_the_correct_student_has_full_marks_and_no_notes(course, runs, label):
    rec = runs[label]["results"]["alice"]
    assert rec["error"] is None and rec["score"] == rec["max_score"] == 10
    assert "notes" not in rec
    assert runs[label]["rows"]["alice"] == {g: (p, p) for g, p in POINTS.items()}


@RUNS
def test_each_malformed_notebook_gets_a_clear_message(course, runs, label):
    _, _, students = course
    for student, (_, error_words, note_words) in students.items():
        rec = runs[label]["results"][student]
        if error_words:  # not loadable: every check at zero, the reason said once
            assert rec["score"] == 0 and rec["error"], student
            for words in error_words:
                assert words in rec["error"], (student, rec["error"])
        if not error_words and not note_words:
            assert rec["error"] is None and "notes" not in rec, student
        if note_words:   # graded on the code that is there, what was wrong said in the notes
            assert rec["error"] is None, (student, rec["error"])
            text = " | ".join(rec.get("notes", []))
            for words in note_words:
                assert words in text, (student, words, text)


@RUNS
def test_metadata_never_changes_the_scores(course, runs, label):
    """Every notebook that still holds the solution's code gets full marks, and exactly the points the
    instructor's source gives each test cell, whatever its own metadata claims."""
    _, _, students = course
    run = runs[label]
    assert run["max_score"] == sum(POINTS.values()) == registry.get(EX).points
    for student, (_, error_words, _) in students.items():
        rec, row = run["results"][student], run["rows"][student]
        assert {g: m for g, (_, m) in row.items()} == POINTS, student   # the gradebook's maxima: the source's
        assert sum(a for a, _ in row.values()) == rec["score"], student
        if error_words:
            assert all(a == 0 for a, _ in row.values()), student
        else:
            assert rec["score"] == rec["max_score"] == 10, (student, rec)
            assert row == {g: (p, p) for g, p in POINTS.items()}, student
    assert run["rows"]["points_1000"]["test_dropout_forward"] == (9.0, 9.0)


@RUNS
def test_autograded_notebooks_are_valid_and_hold_the_sources_test_cells(course, runs, label):
    from nbgrader.nbgraderformat import MetadataValidator

    course, source, students = course
    tests = {c["metadata"]["nbgrader"]["grade_id"]: c for c in source["cells"]
             if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c["cell_type"] == "code"}
    assert set(tests) == set(POINTS)
    for student, notebook in runs[label]["autograded"].items():
        nbformat.validate(notebook)
        node = nbformat.from_dict(notebook)
        MetadataValidator().validate_nb(node)  # nbgrader's own check: no duplicated ids, valid cells
        found = [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                 in tests]
        assert len(found) == len(tests), student
        for cell in found:
            want = tests[cell["metadata"]["nbgrader"]["grade_id"]]
            for key in ("cell_type", "id", "metadata", "source"):
                assert cell[key] == want[key], (student, key)
            assert cell["outputs"], student  # the grader's per-check lines and the cell's points
        ids = [c["metadata"]["nbgrader"]["grade_id"] for c in notebook["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")]
        assert len(ids) == len(set(ids)), student
        text = json.dumps(notebook)
        if student != "alice" and students[student][1]:  # not loadable: the released version, said so
            assert "could not be read" in text and "BEGIN SOLUTION" not in text, student
            assert "raise NotImplementedError" in text, student
    big = runs[label]["autograded"]["big"]
    assert len(json.dumps(big)) < 2**20  # the 50 MB of outputs were not copied


def test_test_cells_deleted_are_restored_in_place(course, runs):
    notebook = runs["first"]["autograded"]["deleted"]
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in notebook["cells"]]
    order = [i for i in ids if i]
    assert order == ["sol_dropout_forward", "test_dropout_forward", "sol_dropout_backward", "test_dropout_backward"]


def test_duplicated_answer_cells_keep_their_code(course, runs):
    notebook = runs["first"]["autograded"]["duplicated"]
    forward = [c for c in notebook["cells"] if "def dropout_forward" in "".join(c["source"])]
    assert len(forward) == 2
    assert [bool(c["metadata"].get("nbgrader")) for c in forward] == [False, True]  # nbgrader's rule: the last


def test_nbgrader_feedback_works_on_the_malformed_notebooks(course, runs):
    """nbgrader's own generate_feedback reads the autograded notebooks and the gradebook: every cell it
    looks up exists, and each test cell shows the source's points."""
    import html
    import re

    course, _, _ = course
    api = nb.api(course)
    for student in ("duplicated", "retyped", "wrong_types", "points_1000", "neg_huge", "bad_json"):
        nb.check(api.generate_feedback(EX, student), f"generate_feedback {student}")
        page = (course.root / "feedback" / student / EX / NAME.replace(".ipynb", ".html")).read_text()
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
        got = 0.0 if student == "bad_json" else None
        for grade_id, points in POINTS.items():
            cell = re.search(rf"Grade cell: {grade_id} Score: ([\d.]+) / ([\d.e+]+)", text)
            assert cell, (student, grade_id)
            assert float(cell.group(2)) == points, (student, grade_id, cell.group(0))
            assert float(cell.group(1)) == (points if got is None else got), (student, cell.group(0))
        total = re.search(r"\(Score: ([\d.]+) / ([\d.]+)\)", text)
        assert total and float(total.group(2)) == 10, (student, total and total.group(0))


def test_an_autograded_notebook_is_valid_whatever_its_cells_carry(course):
    """Metadata, outputs, ids and attachments of the wrong shape are repaired or dropped, never copied
    into an invalid notebook; valid ids are kept."""
    from autograder.course.record import autograded_notebook

    course, source, _ = course
    released = json.loads((course.release(EX) / NAME).read_text())
    sub = copy.deepcopy(source)
    cells = sub["cells"]
    cells[0]["metadata"] = {"collapsed": "yes", "tags": 5, "jupyter": 3}
    cells[0]["attachments"] = {"x.png": 5}
    cells[1]["outputs"] = [{"output_type": "weird"}, 3, {"output_type": "stream", "name": "stdout", "text": "hi"}]
    cells[1]["execution_count"] = -4
    cells[2]["id"] = cells[3]["id"]                        # a duplicated id
    cells[3]["id"] = "not a valid id!"
    cells[5]["id"] = "test-dropout_forward"                # a test cell's id on another cell
    record = GradedSubmission.from_dict({"exercise": EX, "student": "x", "checks": [], "error": None,
                                         "score": 0.0, "max_score": 10.0})
    notebook, notes = autograded_notebook(sub, source, released, EX, record)
    nbformat.validate(notebook)
    ids = [c["id"] for c in notebook["cells"]]
    assert len(ids) == len(set(ids))
    assert ids[0] == source["cells"][0]["id"] and ids[4] == "test-dropout_forward"
    assert notebook["cells"][4]["source"] == source["cells"][4]["source"]
    assert notes == []


def test_the_loader_grades_what_is_there(tmp_path):
    """Malformed cells do not stop the loader: non-dict metadata, sources with non-text lines, a check
    cell that lost its metadata and a check line pasted into an answer."""
    from autograder.loader import load_source

    cells = [
        "not a cell", None,
        {"cell_type": "code", "metadata": None, "source": ["import numpy as np\n", None, "x = 1\n"]},
        {"cell_type": "code", "metadata": {"nbgrader": "oops"}, "source": "def f(a):\n    return 2 * a\n"},
        {"cell_type": "code", "metadata": {"nbgrader": None},
         "source": "from autograder.notebook import check_cell\nhidden = False\n### BEGIN HIDDEN TESTS\n"
                   "hidden = True\n### END HIDDEN TESTS\ncheck_cell(\"ex3\", \"f\", globals(), hidden=hidden)\n"},
        {"cell_type": "code", "metadata": {}, "source": "def g():\n    return 3\ncheck_cell('ex3', 'g', globals())\n"},
        {"cell_type": "code", "source": 42},
        {"cell_type": "code", "metadata": [], "source": {"a": 1}},
    ]
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    src = load_source(path)
    code = {name: text for name, text in src.cells}
    assert list(code) == ["<cell 3>", "<cell 4>", "<cell 6>", "<cell 7>"]
    assert code["<cell 3>"] == "import numpy as np\nx = 1\n"
    assert "check_cell" not in code["<cell 6>"].replace("# grader check line", "") or \
        "pass  # grader check line" in code["<cell 6>"]
    assert "pass  # grader check line" in code["<cell 6>"] and "return 3" in code["<cell 6>"]


def test_a_failure_while_recording_one_student_does_not_stop_the_run(course, runs, monkeypatch):
    """An unexpected exception while recording a student (the autograded notebook, the gradebook) is
    kept in its result and counted; the others are recorded, the exit code and the summary say so, and
    the next run records it."""
    import autograder.course.grade as grade_mod

    course, _, students = course
    real_write, real_record = grade_mod.write_autograded, grade_mod.record_in_gradebook

    def write(course_, exercise, record, lang="en"):
        if record.student == "duplicated":
            raise KeyError("boom")
        return real_write(course_, exercise, record, lang)

    def record(course_, exercise, records, **kw):  # kw: the run's gradebook session
        if any(r.student == "alice" for r in records):
            raise RuntimeError("database is locked")
        return real_record(course_, exercise, records, **kw)

    for student in ("alice", "duplicated", "retyped"):  # these three are graded again
        (course.grades(EX) / f"{student}.json").unlink()
    monkeypatch.setattr(grade_mod, "write_autograded", write)
    monkeypatch.setattr(grade_mod, "record_in_gradebook", record)
    result = CliRunner().invoke(main, ["grade", EX, "--course", str(course.root), "--lang", "es"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "corregidas 3, ya corregidas antes" in result.output  # --lang es: the summary too
    assert "2 corregidas pero sin registrar" in result.output and "alice, duplicated" in result.output
    recs = {s: json.loads((course.grades(EX) / f"{s}.json").read_text()) for s in students}
    assert "no se pudo registrar" in recs["duplicated"]["record_error"]
    assert "KeyError" in recs["duplicated"]["record_error"] and recs["duplicated"]["score"] == 10
    assert "database is locked" in recs["alice"]["record_error"] and recs["alice"]["score"] == 10
    assert [s for s, r in recs.items() if "record_error" in r] == ["alice", "duplicated"]
    assert any("se había convertido en una celda markdown" in n for n in recs["retyped"]["notes"])
    # the files written, record_error and notes included, read back as they are (graded in Spanish)
    for student in ("alice", "duplicated", "retyped"):
        rec = GradedSubmission.from_dict(recs[student], "es")
        assert rec.to_dict() == recs[student] and GradedSubmission.from_dict(rec.to_dict(), "es") == rec
    assert GradedSubmission.from_dict(recs["alice"], "es").record_error == recs["alice"]["record_error"]
    assert GradedSubmission.from_dict(recs["retyped"], "es").notes("es") == tuple(recs["retyped"]["notes"])

    monkeypatch.setattr(grade_mod, "write_autograded", real_write)
    monkeypatch.setattr(grade_mod, "record_in_gradebook", real_record)
    again = CliRunner().invoke(main, ["grade", EX, "--course", str(course.root)])
    assert again.exit_code == 0, again.output
    assert "graded 0, already graded 20" in again.output and "not recorded" not in again.output
    for student in ("alice", "duplicated"):
        assert "record_error" not in json.loads((course.grades(EX) / f"{student}.json").read_text())
    assert "notes" in json.loads((course.grades(EX) / "duplicated.json").read_text())
