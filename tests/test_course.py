"""The instructor workflow on a real nbgrader course with a real kernel: init, release (and its
refusal), grading into the gradebook, resume, the same scores as `nbgrader autograde`, export."""
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.course import CourseDir, nb, notebook_name
from autograder.course.grade import CourseBusy, course_lock, grade_course
from autograder.course.release import release
from autograder.course.setup import init_course
from tests import ex3_sources

EX = "ex3"
NAME = notebook_name(EX)

WRONG_FORWARD, RIGHT_BACKWARD = ex3_sources.WRONG_FORWARD, ex3_sources.BACKWARD


_student_notebook = ex3_sources.student_notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A released ex3 with four collected submissions."""
    root = tmp_path_factory.mktemp("course") / "nn"
    course = init_course(root, [EX])
    validation = release(course, EX)
    assert validation.ok, validation.problems
    released = json.loads((course.release(EX) / NAME).read_text())
    source = json.loads((course.source(EX) / NAME).read_text())
    notebooks = {
        "alice": source,                                            # the solution
        "bob": released,                                            # the untouched student version
        "carol": _student_notebook(released, {"dropout_forward": WRONG_FORWARD, "dropout_backward": RIGHT_BACKWARD}),
    }
    for student, content in notebooks.items():
        folder = course.submitted(student, EX)
        folder.mkdir(parents=True)
        (folder / NAME).write_text(json.dumps(content))
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00")
    broken = course.submitted("dave", EX)
    broken.mkdir(parents=True)
    (broken / NAME).write_text('{"cells": [')
    return course


@pytest.fixture(scope="module")
def graded(course):
    return grade_course(course, EX, jobs=2)


def _gradebook_scores(course):
    with nb.gradebook(course) as gb:
        out = {}
        for sub in gb.assignment_submissions(EX):
            out[sub.student.id] = {g.name: g.auto_score for n in sub.notebooks for g in n.grades}
        return out


def test_init_writes_an_nbgrader_course(course):
    assert course.config.is_file() and (course.source(EX) / NAME).is_file()
    assert (course.release(EX) / NAME).is_file()
    assert list(course.exchange.rglob(NAME)), "released to the exchange"


def test_release_refuses_a_solution_that_does_not_get_full_marks(tmp_path):
    course = init_course(tmp_path / "bad", [EX])
    src = course.source(EX) / NAME
    nbk = json.loads(src.read_text())
    for cell in nbk["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "sol_dropout_backward":
            cell["source"] = ["def dropout_backward(dout, mask):\n", "    return dout\n"]
    src.write_text(json.dumps(nbk))
    result = CliRunner().invoke(main, ["release", EX, "--course", str(course.root)])
    assert result.exit_code == 1
    assert "NOT released" in result.output
    assert not course.release(EX).exists()
    assert not list(course.exchange.rglob(NAME))


def test_grading_a_course_records_every_submission(course, graded):
    records = {r.student: r for r in graded.records}
    assert set(records) == {"alice", "bob", "carol", "dave"}
    assert records["alice"].score == records["alice"].max_score == 10
    assert records["bob"].score == 0
    assert 0 < records["carol"].score < 10
    assert "not a valid notebook" in records["dave"].error()
    scores = _gradebook_scores(course)
    assert scores["alice"] == {"test_dropout_forward": 9.0, "test_dropout_backward": 1.0}
    assert scores["bob"] == {"test_dropout_forward": 0.0, "test_dropout_backward": 0.0}
    assert scores["carol"]["test_dropout_backward"] == 1.0
    assert sum(scores["carol"].values()) == records["carol"].score
    assert (course.root / "autograded" / "alice" / EX / NAME).is_file()


def test_nbgrader_export_sees_the_grades(course, graded):
    out = course.root / "export.csv"
    env_path = str(course.root)
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", str(out)], cwd=env_path,
                          capture_output=True, text=True, env=_env())
    assert proc.returncode == 0, proc.stderr
    import csv

    rows = {r["student_id"]: r for r in csv.DictReader(out.read_text().splitlines())}
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert float(rows["alice"]["score"]) == 10.0 and float(rows["bob"]["score"]) == 0.0
    assert float(rows["carol"]["score"]) == {r.student: r for r in graded.records}["carol"].score


def _env():
    import os

    return {**os.environ, "PATH": str(sys.executable.rsplit("/", 1)[0]) + ":" + os.environ["PATH"]}


def test_regrading_skips_what_is_graded_and_force_regrades(course, graded):
    again = grade_course(course, EX)
    assert again.graded == [] and sorted(again.skipped) == ["alice", "bob", "carol", "dave"]
    (course.grades(EX) / "carol.json").unlink()
    partial = grade_course(course, EX)
    assert partial.graded == ["carol"]
    forced = grade_course(course, EX, force=True)
    assert sorted(forced.graded) == ["alice", "bob", "carol", "dave"]
    scores = _gradebook_scores(course)
    assert len(scores) == 4  # one submission per student, never duplicated


def test_a_second_run_on_the_same_course_is_refused(course, graded):
    with course_lock(course), pytest.raises(CourseBusy):
        grade_course(course, EX)


def test_same_scores_as_nbgrader_autograde(course, graded, tmp_path):
    """nbgrader runs the notebooks (student code and test cells in one kernel) on a copy of the course."""
    copy = CourseDir(tmp_path / "copy")
    shutil.copytree(course.root, copy.root, ignore=shutil.ignore_patterns("gradebook.db", "autograded", "grades"))
    nb.write_config(copy, "nn-course")
    api = nb.api(copy)
    nb.check(api.generate_assignment(EX), "generate_assignment")
    ours = _gradebook_scores(course)
    for student in ("alice", "bob", "carol"):
        nb.check(api.autograde(EX, student), f"autograde {student}")
    theirs = _gradebook_scores(copy)
    for student in ("alice", "bob", "carol"):
        assert theirs[student] == ours[student], student


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["KILL", "TERM", "INT"])
def test_an_interrupted_run_loses_nothing_and_resumes(tmp_path, signum):
    course = init_course(tmp_path / "c", [EX])
    solution = json.loads((course.source(EX) / NAME).read_text())
    solution["cells"].insert(0, {"cell_type": "code", "id": "slow", "metadata": {}, "outputs": [],
                                 "execution_count": None, "source": ["import time\n", "time.sleep(1.0)\n"]})
    for i in range(6):
        folder = course.submitted(f"s{i}", EX)
        folder.mkdir(parents=True)
        (folder / NAME).write_text(json.dumps(solution))
    proc = subprocess.Popen([sys.executable, "-c", "from autograder.cli import main; main()", "grade", EX,
                             "--course", str(course.root)], env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    def graded_count():
        folder = course.grades(EX)
        return len(list(folder.glob("s*.json"))) if folder.is_dir() else 0

    deadline = time.time() + 90
    while time.time() < deadline and graded_count() < 2:
        time.sleep(0.05)
    proc.send_signal(signum)  # SIGKILL: no chance to clean up; TERM/INT: Python's default handling
    proc.wait(timeout=60)
    done_before = {p.stem for p in course.grades(EX).glob("s*.json")}
    assert 2 <= len(done_before) < 6
    for p in course.grades(EX).glob("s*.json"):
        json.loads(p.read_text())  # every file written is whole
    rerun = grade_course(course, EX)
    assert set(rerun.skipped) == done_before
    assert set(rerun.graded) == {f"s{i}" for i in range(6)} - done_before
    scores = _gradebook_scores(course)
    assert sorted(scores) == [f"s{i}" for i in range(6)]
    assert all(sum(v.values()) == 10 for v in scores.values())


def test_nbgrader_generate_feedback_works_and_shows_no_hidden_data(course, graded):
    import html
    import re

    api = nb.api(course)
    nb.check(api.generate_feedback(EX, "carol"), "generate_feedback")
    page = (course.root / "feedback" / "carol" / EX / NAME.replace(".ipynb", ".html")).read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"(?s)<(style|script)[^>]*>.*?</\1>", "", page)))
    assert "Failed on the hidden test inputs" in text            # carol fails hidden checks…
    assert "3.33333" not in text and "1.42857" not in text       # …and their values (1/p for p = 0.3, 0.7) stay hidden
    assert "found 1" in text                                     # while public checks keep their details


def test_validate_command(course):
    result = CliRunner().invoke(main, ["validate", "ex3", "ex4"])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok") >= 2


@pytest.mark.fashion
def test_the_demo_runs_end_to_end(tmp_path):
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "demo")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "30 students" in result.output and "student30" in result.output
    # its output is not a terminal here (as in a pipe or a log): each stage says so as it ends, and
    # the grading of each exercise ends with its count (no spinner, no bar)
    assert "ex3: validated and released" in result.output
    for ex in ("ex1", "ex2", "ex3", "ex4", "ex5", "ex10", "ex11"):
        assert re.search(rf"^{ex}: 30/30 submissions graded \(\d+ s\)$", result.output, re.M), result.output
    assert "feedback pages, class reports and the LMS export written" in result.output
    # the optional Keras exercise (Fashion-MNIST is required here: CI installs it), handed in by two
    assert "ex12: validated and released" in result.output
    assert re.search(r"^ex12: 2/2 submissions graded \(\d+ s\)$", result.output, re.M), result.output
    assert ("ex12 (optional, 2 handed in): student01 12/12, student02 10.5/12 (learning rate ignored)"
            in " ".join(result.output.split())), result.output
    course = CourseDir(tmp_path / "demo")
    assert (course.exports() / "grades.csv").read_text().count("\n") == 31
    for ex in ("ex1", "ex2", "ex3", "ex4", "ex5", "ex10", "ex11"):
        assert len(list(course.grades(ex).glob("student*.json"))) == 30
        assert (course.reports() / f"{ex}.html").is_file()
    records = {p.stem: json.loads(p.read_text()) for p in course.grades("ex3").glob("student*.json")}
    assert "not a valid notebook" in records["student30"]["error"]
    assert any("did not return" in c["message"] for c in records["student29"]["checks"])
    with nb.gradebook(course) as gb:
        assert len(gb.students) == 30
        assert sum(len(gb.assignment_submissions(ex)) for ex in ("ex1", "ex2", "ex3", "ex4", "ex5")) == 150
        assert len(gb.assignment_submissions("ex11")) == 30
        assert len(gb.assignment_submissions("ex12")) == 2
    ex12 = {p.stem: json.loads(p.read_text()) for p in course.grades("ex12").glob("student*.json")}
    assert sorted(ex12) == ["student01", "student02"]
    lost = [c for c in ex12["student02"]["checks"] if c["points"] < c["max_points"]]
    assert [c["id"] for c in lost] == ["ex12.build_hyperparameters"]
    assert lost[0]["mistakes"] == ["build_ignores_learning_rate"]
    page = (course.feedback_html("ex12") / "student01.html").read_text()
    assert 'aria-label="Loss per epoch"' in page and 'aria-label="Accuracy per epoch"' in page  # learning curves


def test_a_check_cell_keeps_stderr_clean(capsys):
    """nbgrader zeroes a test cell that writes to stderr: the student's own stderr writes and
    warnings during the checks do not reach it."""
    from autograder.notebook import check_cell

    def dropout_backward(dout, mask):
        import warnings

        print("debugging…", file=sys.stderr)
        warnings.warn("a student's warning")
        return dout if mask is None else dout * mask

    score = check_cell(EX, "dropout_backward", {"dropout_backward": dropout_backward})
    out, err = capsys.readouterr()
    assert float(score) == 1.0 and repr(score) == "1"
    assert err == "" and "debugging…" in out and "✓" in out


@pytest.mark.keras
def test_keras_exercise_gets_full_marks_through_nbgrader_autograde(tmp_path):
    """TensorFlow logs to stderr, which nbgrader punishes: the course config and the check cells keep
    the Keras exercise's test cells clean, so the solution gets full marks through nbgrader too."""
    course = init_course(tmp_path / "k", ["ex7"])
    name = notebook_name("ex7")
    folder = course.submitted("alice", "ex7")
    folder.mkdir(parents=True)
    shutil.copy(course.source("ex7") / name, folder / name)
    api = nb.api(course)
    nb.check(api.generate_assignment("ex7"), "generate_assignment")
    nb.check(api.autograde("ex7", "alice"), "autograde")
    with nb.gradebook(course) as gb:
        sub = gb.find_submission("ex7", "alice")
        assert sub.score == sub.max_score == 15


def test_a_duplicated_graded_cell_does_not_break_grading(course, tmp_path):
    """A student who duplicates a graded cell (nbgrader issue 1083) is graded on what the cells define."""
    source = json.loads((course.source(EX) / NAME).read_text())
    cells = source["cells"]
    dup = next(i for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "sol_dropout_backward")
    copy = json.loads(json.dumps(cells[dup]))
    copy["id"] = "sol-dropout_backward-copy"
    cells.insert(dup + 1, copy)
    test_dup = next(i for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_dropout_backward")
    cells.insert(test_dup + 1, json.loads(json.dumps(cells[test_dup])))
    folder = tmp_path / "erin"
    folder.mkdir()
    (folder / NAME).write_text(json.dumps(source))
    result = CliRunner().invoke(main, ["grade", EX, str(folder), "--out", str(tmp_path / "g"), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)[0]
    assert record["error"] is None and record["score"] == record["max_score"] == 10


def test_the_course_key_is_owner_only_never_released_and_grading_needs_nothing_else(course, graded, monkeypatch):
    import os
    import stat

    from autograder import secret

    key = secret.course_key(course.root)
    assert key and stat.S_IMODE(secret.key_path(course.root).stat().st_mode) == 0o600
    for folder in (course.root / "release", course.exchange):  # what students receive
        for path in folder.rglob("*"):
            assert secret.FOLDER not in path.parts, path
            assert not path.is_file() or key.encode() not in path.read_bytes(), path
    # the course grades with its own key: no environment variable, no option
    monkeypatch.delenv(secret.ENV, raising=False)
    monkeypatch.chdir(course.root)
    result = CliRunner().invoke(main, ["grade", EX, "--force", "--json"])
    assert result.exit_code == 0, result.output
    scores = {r["student"]: r["score"] for r in json.loads(result.stdout)}
    assert scores["alice"] == 10 and os.environ.get(secret.ENV) is None


@pytest.mark.parametrize("what", ["a course", "the current folder", "a file"])
def test_demo_never_deletes_what_it_did_not_create(tmp_path, monkeypatch, what):
    """`grader demo .` in a course, or `demo` typed for `init`: refused, nothing touched."""
    monkeypatch.chdir(tmp_path)
    if what == "a file":
        target = tmp_path / "notes.txt"
        target.write_text("mine")
        arg = "notes.txt"
    else:
        (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
        (tmp_path / "gradebook.db").write_bytes(b"grades")
        arg = "." if what == "the current folder" else str(tmp_path)
    before = sorted((p.relative_to(tmp_path), p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file())
    for lang, words in (("en", "is not a demo course"), ("es", "no es un curso de demostración")):
        monkeypatch.setenv("GRADER_LANG", lang)
        result = CliRunner().invoke(main, ["demo", arg])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert words in result.output or (what == "a file" and "is a file" in result.output)  # click's own check
    assert sorted((p.relative_to(tmp_path), p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()) == before


def test_demo_replaces_only_its_own_course(tmp_path):
    from autograder.course.demo import MARKER, DemoRefused, _clear_demo_folder

    empty = tmp_path / "empty"
    empty.mkdir()
    _clear_demo_folder(empty)  # an empty folder is used as it is
    assert empty.is_dir()
    made = tmp_path / "made"
    (made / "grades").mkdir(parents=True)
    (made / MARKER).write_text("made by `grader demo`")
    _clear_demo_folder(made)  # a demo course made before is replaced
    assert not made.exists()
    (made / "grades").mkdir(parents=True)  # the same folder without the marker is someone's work
    with pytest.raises(DemoRefused):
        _clear_demo_folder(made)
    assert (made / "grades").is_dir()


def test_a_moved_course_keeps_its_own_gradebook(course, graded, tmp_path):
    """nbgrader_config.py holds no absolute path: a copy of the course reads its own gradebook,
    and nbgrader's own command line sees the grades there."""
    copy = CourseDir(tmp_path / "moved")
    shutil.copytree(course.root, copy.root, ignore=shutil.ignore_patterns(".grader.lock"))
    assert str(course.root) not in copy.config.read_text()
    config = nb.load_config(copy)
    assert config.CourseDirectory.root == str(copy.root)
    assert config.Exchange.root == str(copy.exchange)
    with nb.gradebook(copy) as gb:
        gb.add_student("only-in-the-copy")
    with nb.gradebook(course) as gb:
        assert "only-in-the-copy" not in {s.id for s in gb.students}
    listed = subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "db", "student", "list"],
                            cwd=copy.root, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "only-in-the-copy" in listed.stdout + listed.stderr
