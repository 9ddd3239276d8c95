"""The gradebook recorded in bulk (:class:`autograder.course.record.GradebookRecorder`, one session, one
commit per call) holds exactly the rows nbgrader's own per-submission API writes
(:func:`autograder.course.record.record_one_by_one`): the same class recorded both ways, every row of
the tables a recording touches compared (students, submissions, notebooks, grades, comments), through
creation, update, a teaching assistant's manual score, a late penalty, recording twice and a failing
student. The assignment has, besides ex3's answer and test cells, a manually graded answer cell and a
task cell, so every kind of row ``add_submission`` makes is there."""
import json
import shutil
import sqlite3

import pytest

from autograder.course import CourseDir, nb, notebook_name
from autograder.course import record as record_mod
from autograder.course.grade import grade_course
from autograder.course.record import GradebookRecorder, gradebook_recorder, record_in_gradebook, record_one_by_one
from autograder.course.release import release
from autograder.course.setup import init_course
from tests import ex3_sources

EX = "ex3"
NAME = notebook_name(EX)
NB_ID = NAME[: -len(".ipynb")]
STUDENTS = ("alice", "bob", "carol", "dave", "erin", "gina")

MANUAL = {"cell_type": "markdown", "id": "explain", "metadata": {"nbgrader": {
    "schema_version": 3, "task": False, "locked": False, "grade": True, "solution": True,
    "grade_id": "explain_dropout", "points": 2.0}}, "source": "YOUR ANSWER HERE"}
TASK = {"cell_type": "markdown", "id": "task", "metadata": {"nbgrader": {
    "schema_version": 3, "task": True, "locked": True, "grade": False, "solution": False,
    "grade_id": "task_plot", "points": 1.0}}, "source": "Plot the keep rate against p."}


_submit = ex3_sources.submit


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course whose ex3 has a manually graded answer cell and a task cell besides its own; alice: the
    solution; bob: the released notebook, no timestamp.txt; carol: a wrong dropout_forward; dave: a
    notebook that is not JSON; erin: a .py file; gina: a wrong answer that edits the manual answer cell;
    frank: in the gradebook only. Graded once (its autograded notebooks are what the records read)."""
    course = init_course(tmp_path_factory.mktemp("bulk") / "nn", [EX])
    assert release(course, EX).ok
    source = json.loads((course.source(EX) / NAME).read_text())
    source["cells"][4:4] = [MANUAL, TASK]
    (course.source(EX) / NAME).write_text(json.dumps(source))
    nb.check(nb.api(course).generate_assignment(EX, force=True), "generate_assignment")
    released = json.loads((course.release(EX) / NAME).read_text())
    wrong = ex3_sources.student_notebook(released, {"dropout_forward": ex3_sources.WRONG_FORWARD,
                                                    "dropout_backward": ex3_sources.BACKWARD})
    edited = json.loads(json.dumps(wrong))
    for cell in edited["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "explain_dropout":
            cell["source"] = "Because the expected activation must not change."
    _submit(course, "alice", NAME, json.dumps(source).encode(), "2026-11-20 10:00:00.250000 UTC")
    _submit(course, "bob", NAME, json.dumps(released).encode(), None)
    _submit(course, "carol", NAME, json.dumps(wrong).encode(), "2026-11-20 11:30:00")
    _submit(course, "dave", NAME, b'{"cells": [', "2026-11-20 12:00:00 UTC")
    _submit(course, "erin", NAME.replace(".ipynb", ".py"), ex3_sources.CORRECT.encode(), "2026-11-21T08:15:00+01:00")
    (course.submitted("erin", EX) / "submission_secret.txt").write_text("erin-secret")
    _submit(course, "gina", NAME, json.dumps(edited).encode(), "2026-11-20 10:59:59 UTC")
    with nb.gradebook(course) as gb:
        gb.update_or_create_student("frank", first_name="Frank", last_name="Absent")
    run = grade_course(course, EX, jobs=2)
    assert not run.unrecorded, [r.record_error for r in run.records]
    assert sorted(run.graded) == sorted(STUDENTS)
    return course, {r.student: r for r in run.records}


def _rows(course: CourseDir) -> dict:
    """Every row a recording writes, each named by what it is (the random uuids left out), sorted: a row
    written twice shows twice."""
    con = sqlite3.connect(course.gradebook)
    try:
        def q(sql):
            return sorted(tuple("None" if v is None else v for v in row) for row in con.execute(sql))

        sub = ("FROM submitted_assignment sa JOIN assignment a ON a.id = sa.assignment_id "
               "JOIN submitted_notebook sn ON sn.assignment_id = sa.id JOIN notebook n ON n.id = sn.notebook_id ")
        return {
            "student": q("SELECT id, first_name, last_name, email, lms_user_id FROM student"),
            "submitted_assignment": q("SELECT a.name, sa.student_id, sa.timestamp, sa.extension "
                                      "FROM submitted_assignment sa JOIN assignment a ON a.id = sa.assignment_id"),
            "submitted_notebook": q("SELECT a.name, sa.student_id, n.name, sn.flagged, sn.late_submission_penalty "
                                    + sub),
            "grade": q("SELECT a.name, sa.student_id, n.name, c.name, c.type, g.auto_score, g.manual_score, "
                       "g.extra_credit, g.needs_manual_grade " + sub
                       + "JOIN grade g ON g.notebook_id = sn.id JOIN base_cell c ON c.id = g.cell_id"),
            "comment": q("SELECT a.name, sa.student_id, n.name, c.name, c.type, m.auto_comment, m.manual_comment "
                         + sub + "JOIN comment m ON m.notebook_id = sn.id JOIN base_cell c ON c.id = m.cell_id"),
            "counts": [(t, con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in (
                "student", "submitted_assignment", "submitted_notebook", "grade", "comment", "assignment",
                "notebook", "base_cell", "source_cell")],
        }
    finally:
        con.close()


def _copy(course: CourseDir, where) -> CourseDir:
    """The graded course without any submission in its gradebook (the students stay)."""
    copy = CourseDir(where)
    shutil.copytree(course.root, copy.root, ignore=shutil.ignore_patterns(".grader.lock"))
    with nb.gradebook(copy) as gb:
        for student in STUDENTS:
            gb.remove_submission(EX, student)
    return copy


def _scenario(copy: CourseDir, records: dict, record) -> list[dict]:
    """The same steps with ``record`` (a recording function); the rows after each one."""
    seen = []

    def step(students):
        assert record(copy, EX, [records[s] for s in students]) == {}
        seen.append(_rows(copy))

    step(["alice", "bob", "carol"])                   # new submissions; a new student (frank is known)
    with nb.gradebook(copy) as gb:                    # a teaching assistant's work, which recording keeps
        grade = gb.find_grade("test_dropout_forward", NB_ID, EX, "carol")
        grade.manual_score, grade.needs_manual_grade = 4.0, False
        manual = gb.find_grade("explain_dropout", NB_ID, EX, "alice")
        manual.manual_score, manual.needs_manual_grade = 1.5, False
        gb.find_comment("sol_dropout_forward", NB_ID, EX, "bob").manual_comment = "Start here."
        gb.find_submission_notebook(NB_ID, EX, "alice").flagged = True
        gb.db.commit()
    with open(copy.config, "a", encoding="utf-8") as fh:  # a due date and nbgrader's "zero" penalty
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    with nb.gradebook(copy) as gb:
        gb.update_or_create_assignment(EX, duedate="2026-11-20 11:00:00 UTC")
    (copy.submitted("bob", EX) / "timestamp.txt").write_text("2026-11-23 09:00:00 UTC")  # collected again, late
    step(list(STUDENTS))                              # updates and new ones together; late penalties
    step(list(reversed(STUDENTS)))                    # recording again changes nothing
    return seen


def test_bulk_recording_writes_the_rows_nbgraders_own_api_writes(graded, tmp_path):
    course, records = graded
    theirs = _scenario(_copy(course, tmp_path / "api"), records, record_one_by_one)
    ours = _scenario(_copy(course, tmp_path / "bulk"), records, record_in_gradebook)
    for step, (a, b) in enumerate(zip(theirs, ours)):
        for table in a:
            assert a[table] == b[table], (step, table)
    assert ours[1] == ours[2]  # idempotent
    late = {row[1]: row[4] for row in ours[2]["submitted_notebook"]}
    assert late["bob"] == 0 and late["carol"] > 0 and late["gina"] == "None", late  # "zero": the score is the penalty
    comments = {(row[1], row[3]): row[5] for row in ours[2]["comment"]}
    assert comments[("bob", "sol_dropout_forward")] == "No response."
    assert comments[("gina", "explain_dropout")] == "None" and comments[("carol", "explain_dropout")] == "No response."
    grades = {(row[1], row[3]): row[5:] for row in ours[2]["grade"]}
    assert grades[("carol", "test_dropout_forward")] == (6.0, 4.0, "None", 1)  # kept, flagged for review
    assert grades[("alice", "test_dropout_forward")] == (9.0, "None", "None", 0)
    assert grades[("erin", "task_plot")] == ("None", "None", "None", 1)


def test_the_whole_class_in_one_session_and_one_commit(graded, tmp_path, monkeypatch):
    """One ``record`` call of the whole class commits once, whatever its size."""
    course, records = graded
    copy = _copy(course, tmp_path / "one")
    with gradebook_recorder(copy, EX) as book:
        commits = []
        real = book.db.commit
        monkeypatch.setattr(book.db, "commit", lambda: (commits.append(1), real())[1])
        assert book.record([records[s] for s in STUDENTS]) == {}
        assert book.record([records[s] for s in STUDENTS]) == {}
    assert len(commits) == 2
    assert len(_rows(copy)["submitted_assignment"]) == len(STUDENTS)


def test_one_student_that_cannot_be_recorded_leaves_the_others_recorded(graded, tmp_path, monkeypatch):
    """A failure while preparing one student's rows, or while writing them, is that student's alone: the
    rest of the chunk is recorded (written again one at a time), and recording it later works."""
    course, records = graded
    copy = _copy(course, tmp_path / "fail")
    real_time, real_write = record_mod._nbgrader_time, GradebookRecorder._write

    def time_of(course_, student, exercise):
        if student == "carol":
            raise ValueError("no clock")
        return real_time(course_, student, exercise)

    def write(self, prepared):
        if any(item.record.student == "erin" for item in prepared):
            raise RuntimeError("database is locked")
        return real_write(self, prepared)

    monkeypatch.setattr(record_mod, "_nbgrader_time", time_of)
    monkeypatch.setattr(GradebookRecorder, "_write", write)
    failed = record_in_gradebook(copy, EX, [records[s] for s in STUDENTS])
    assert sorted(failed) == ["carol", "erin"]
    assert "ValueError: no clock" in failed["carol"] and "database is locked" in failed["erin"]
    assert sorted(r[1] for r in _rows(copy)["submitted_assignment"]) == ["alice", "bob", "dave", "gina"]
    monkeypatch.undo()
    assert record_in_gradebook(copy, EX, [records["carol"], records["erin"]]) == {}
    assert len(_rows(copy)["submitted_assignment"]) == len(STUDENTS)


def test_a_course_run_records_in_chunks_and_says_what_recording_cost(graded, tmp_path, monkeypatch):
    """grade_course keeps one gradebook session for the run and records the results as they arrive, a
    chunk per commit (here: all of them, with no deadline), not two commits per student; the next run
    records what it skips again in one more; both say how long recording took."""
    import autograder.course.grade as grade_mod

    course, records = graded
    copy = _copy(course, tmp_path / "run")
    writes = []
    real_write = GradebookRecorder._write

    def write(self, prepared):
        writes.append(len(prepared))
        return real_write(self, prepared)

    monkeypatch.setattr(GradebookRecorder, "_write", write)
    monkeypatch.setattr(grade_mod, "RECORD_EVERY_S", 3600.0)
    seen = []
    run = grade_course(copy, EX, force=True, jobs=2, progress=seen.append)
    assert not run.unrecorded and sorted(run.graded) == sorted(STUDENTS)
    assert writes == [len(STUDENTS)]
    assert sorted(r.student for r in seen) == sorted(STUDENTS)  # progress: each as recorded
    assert set(run.seconds) == {"total", "autograded", "gradebook", "result files"}
    assert 0 < run.seconds["gradebook"] < run.seconds["total"] and run.seconds["autograded"] > 0
    assert _rows(copy) == _rows(course)

    again = grade_course(copy, EX)
    assert sorted(again.skipped) == sorted(STUDENTS) and not again.unrecorded
    assert writes == [len(STUDENTS), len(STUDENTS)] and _rows(copy) == _rows(course)
