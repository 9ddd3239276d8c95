"""nbgrader's formgrader shows a class graded by `grader grade EX --course DIR` as it shows a class graded
by `nbgrader autograde`: every graded submission "graded" (autograded, no manual grading needed) with the
grader's score, in the assignment's list of submissions, under Manual Grading and on each student's page.

The course is real (nbgrader's gradebook, released assignment, a kernel for `nbgrader autograde`) and is
queried through the same ``NbGraderAPI`` methods and gradebook properties the formgrader's handlers call.
"""
import json
import shutil

import pytest

from autograder.course import CourseDir, nb, notebook_name
from tests import ex3_sources
from autograder.course.grade import grade_course
from autograder.course.record import cell_scores, record_in_gradebook
from autograder.course.release import release
from autograder.course.setup import init_course

EX = "ex3"
NAME = notebook_name(EX)
NB_ID = NAME[: -len(".ipynb")]

WRONG_FORWARD, RIGHT_BACKWARD = ex3_sources.WRONG_FORWARD, ex3_sources.BACKWARD
PY_SUBMISSION = ("import numpy as np\n\n" + ex3_sources.FORWARD
                 + "\ndef dropout_backward(dout, mask):\n    return dout  # forgets the mask: loses dropout_backward's point\n")
GRADED = ("alice", "bob", "carol", "dave", "erin")  # frank never submitted


_student_notebook = ex3_sources.student_notebook


_submit = ex3_sources.submit


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """alice: the solution; bob: the untouched student version, no timestamp.txt; carol: a wrong
    dropout_forward; dave: a notebook that is not JSON; erin: a .py file; frank: in the roster only."""
    course = init_course(tmp_path_factory.mktemp("formgrader") / "nn", [EX])
    validation = release(course, EX)
    assert validation.ok, validation.problems
    released = json.loads((course.release(EX) / NAME).read_text())
    source = json.loads((course.source(EX) / NAME).read_text())
    wrong = _student_notebook(released, {"dropout_forward": WRONG_FORWARD, "dropout_backward": RIGHT_BACKWARD})
    _submit(course, "alice", NAME, json.dumps(source).encode(), "2026-11-20 10:00:00.250000 UTC")
    _submit(course, "bob", NAME, json.dumps(released).encode(), None)
    _submit(course, "carol", NAME, json.dumps(wrong).encode(), "2026-11-20 11:30:00")
    _submit(course, "dave", NAME, b'{"cells": [', "2026-11-20 12:00:00 UTC")
    _submit(course, "erin", NAME.replace(".ipynb", ".py"), PY_SUBMISSION.encode(), "2026-11-21T08:15:00+01:00")
    (course.submitted("erin", EX) / "submission_secret.txt").write_text("erin-secret")
    with nb.gradebook(course) as gb:
        gb.update_or_create_student("frank", first_name="Frank", last_name="Absent")
    return course


@pytest.fixture(scope="module")
def graded(course):
    result = grade_course(course, EX, jobs=2)
    assert not result.unrecorded, [r.record_error for r in result.records]
    return {r.student: r for r in result.records}


def _status(submission: dict) -> str:
    """What the formgrader's "Manage Submissions" page shows (static/js/manage_submissions.js)."""
    if not submission["autograded"]:
        return "needs autograding"
    return "needs manual grading" if submission["needs_manual_grade"] else "graded"


def _nbgrader_view(course: CourseDir, student: str) -> dict:
    """Everything the formgrader shows about one student's submission, without the database's random ids."""
    api = nb.api(course)

    def strip(d, *keys):
        return {k: v for k, v in d.items() if k not in ("id", *keys)}

    out = {"submission": strip(api.get_submission(EX, student)),
           "listed": [strip(s) for s in api.get_submissions(EX) if s["student"] == student],
           "notebook": [strip(n, "index") for n in api.get_notebook_submissions(EX, NB_ID)
                        if n["student"] == student],
           "student_notebook": [strip(n) for n in api.get_student_notebook_submissions(student, EX)]}
    with nb.gradebook(course) as gb:
        notebook = gb.find_submission_notebook(NB_ID, EX, student)
        out["grades"] = sorted((strip(g.to_dict()) for g in notebook.grades), key=lambda g: g["name"])
        out["comments"] = sorted((strip(c.to_dict()) for c in notebook.comments), key=lambda c: c["name"])
        out["flags"] = {"assignment": gb.find_submission(EX, student).needs_manual_grade,
                        "notebook": notebook.needs_manual_grade, "failed_tests": notebook.failed_tests,
                        "flagged": notebook.flagged}
    return out


def test_every_graded_submission_is_listed_as_graded_with_the_graders_score(course, graded):
    api = nb.api(course)
    assert set(graded) == set(GRADED)
    listed = {s["student"]: s for s in api.get_submissions(EX)}
    assert set(listed) == set(GRADED)  # frank has no submission to list
    for student in GRADED:
        for sub in (listed[student], api.get_submission(EX, student)):
            assert sub["autograded"] is True and sub["submitted"] is True, student
            assert sub["needs_manual_grade"] is False, student
            assert _status(sub) == "graded", (student, sub)
            assert sub["score"] == graded[student].score, student
            assert sub["max_score"] == 10.0, student
    assert {s: listed[s]["score"] for s in GRADED} == {"alice": 10.0, "bob": 0.0, "carol": 7.0, "dave": 0.0,
                                                       "erin": 9.0}
    absent = api.get_submission(EX, "frank")
    assert absent["submitted"] is False and absent["autograded"] is False


def test_submission_times_are_nbgraders_own(course, graded):
    """The formgrader calls a submission autograded only when the gradebook's time equals nbgrader's own
    reading of submitted/<student>/<ex>/timestamp.txt (no file: no time)."""
    from datetime import datetime

    api = nb.api(course)
    assert api.get_autograded_students(EX) == set(GRADED)
    stamps = {s["student"]: s["timestamp"] for s in api.get_submissions(EX)}
    assert stamps == {"alice": "2026-11-20T10:00:00.250000", "bob": None, "carol": "2026-11-20T11:30:00",
                      "dave": "2026-11-20T12:00:00", "erin": "2026-11-21T07:15:00"}
    for student in GRADED:
        expected = api.get_submitted_timestamp(EX, student)
        assert (datetime.fromisoformat(stamps[student]) if stamps[student] else None) == expected, student


def test_manual_grading_lists_every_submission_and_none_needs_manual_grading(course, graded):
    api = nb.api(course)
    notebooks = api.get_notebooks(EX)  # Manual Grading → the assignment
    assert [n["name"] for n in notebooks] == [NB_ID]
    assert notebooks[0]["needs_manual_grade"] is False and notebooks[0]["num_submissions"] == len(GRADED)
    rows = api.get_notebook_submissions(EX, NB_ID)  # Manual Grading → the notebook: one row per submission
    assert sorted(r["student"] for r in rows) == sorted(GRADED)
    indices = api.get_notebook_submission_indices(EX, NB_ID)  # what "Submission #n" and next/previous use
    assert sorted(indices.values()) == list(range(len(GRADED)))
    for row in rows:
        rec = graded[row["student"]]
        assert row["needs_manual_grade"] is False, row
        assert row["score"] == row["code_score"] == rec.score, row
        assert row["failed_tests"] is (rec.score < rec.max_score), row
        assert row["flagged"] is False and row["index"] == indices[row["id"]], row


def test_gradebook_rows_are_those_nbgrader_autograde_writes(course, graded):
    with nb.gradebook(course) as gb:
        for student in GRADED:
            sub = gb.find_submission(EX, student)
            assert sub.needs_manual_grade is False, student
            assert sub.score == graded[student].score, student
            scores = cell_scores(graded[student], EX)
            for notebook in sub.notebooks:
                assert notebook.needs_manual_grade is False, student
                for grade in notebook.grades:
                    assert grade.needs_manual_grade is False, (student, grade.name)
                    assert grade.auto_score == scores[grade.name] and grade.manual_score is None, student
                    assert grade.failed_tests is (grade.auto_score < grade.max_score), (student, grade.name)


def test_a_py_submission_and_an_unreadable_notebook_have_an_autograded_notebook(course, graded):
    """The formgrader opens autograded/<student>/<ex>/<notebook>.ipynb: for a .py submission and an
    unloadable notebook it is the released notebook with the grader's note and scores."""
    for student, words in (("erin", "ex3_dropout.py"), ("dave", "could not be read")):
        path = course.autograded(student, EX) / NAME
        notebook = json.loads(path.read_text())
        text = json.dumps(notebook)
        assert words in text and "raise NotImplementedError" in text and "BEGIN SOLUTION" not in text, student
        shown = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["outputs"][-1]["data"]["text/plain"])
                 for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
        assert shown == ({"test_dropout_forward": "9", "test_dropout_backward": "0"} if student == "erin"
                         else {"test_dropout_forward": "0", "test_dropout_backward": "0"}), student
    # nbgrader copies a submission's timestamp.txt and submission_secret.txt next to the autograded notebook
    # (release_feedback reads both from there): the grader does too, byte for byte
    for name in ("timestamp.txt", "submission_secret.txt"):
        assert (course.autograded("erin", EX) / name).read_bytes() == \
            (course.submitted("erin", EX) / name).read_bytes()
    assert not (course.autograded("bob", EX) / "timestamp.txt").exists()


def test_answer_comments_are_nbgraders(course, graded):
    """nbgrader comments "No response." on an answer cell left as released, nothing on an edited one, and
    nothing when there is no notebook to read (a .py submission, an unreadable notebook)."""
    with nb.gradebook(course) as gb:
        def comments(student):
            notebook = gb.find_submission_notebook(NB_ID, EX, student)
            return {c.name: c.auto_comment for c in notebook.comments}

        ids = {"sol_dropout_forward", "sol_dropout_backward"}
        assert comments("alice") == dict.fromkeys(ids)
        assert comments("bob") == dict.fromkeys(ids, "No response.")
        assert comments("carol") == dict.fromkeys(ids)
        assert comments("dave") == comments("erin") == dict.fromkeys(ids)


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader autograde's own
def test_the_formgrader_shows_what_nbgrader_autograde_shows(course, graded, tmp_path):
    """The same submissions autograded by nbgrader itself on a copy of the course: for the correct, the
    untouched and the wrong notebook, every field the formgrader shows is the same."""
    copy = CourseDir(tmp_path / "copy")
    shutil.copytree(course.root, copy.root, ignore=shutil.ignore_patterns(
        "gradebook.db", "autograded", "grades", ".grader.lock"))
    nb.write_config(copy, "nn-course")
    api = nb.api(copy)
    nb.check(api.generate_assignment(EX), "generate_assignment")
    students = ("alice", "bob", "carol")
    for student in students:
        nb.check(api.autograde(EX, student), f"autograde {student}")
    for student in students:
        theirs, ours = _nbgrader_view(copy, student), _nbgrader_view(course, student)
        assert theirs == ours, student
        assert _status(ours["submission"]) == "graded"


def test_a_teaching_assistants_manual_score_is_kept_and_flagged_for_review(course, graded, tmp_path):
    """As `nbgrader autograde` does: recording again keeps a manual score and marks the grade for review."""
    copy = CourseDir(tmp_path / "copy")
    shutil.copytree(course.root, copy.root, ignore=shutil.ignore_patterns(".grader.lock"))
    with nb.gradebook(copy) as gb:
        grade = gb.find_grade("test_dropout_forward", NB_ID, EX, "carol")
        grade.manual_score = 4.0
        grade.needs_manual_grade = False  # what the formgrader's grade handler stores
        gb.db.commit()
    assert record_in_gradebook(copy, EX, [graded["carol"]]) == {}
    with nb.gradebook(copy) as gb:
        grade = gb.find_grade("test_dropout_forward", NB_ID, EX, "carol")
        assert grade.manual_score == 4.0 and grade.auto_score == 6.0 and grade.needs_manual_grade is True
        other = gb.find_grade("test_dropout_backward", NB_ID, EX, "carol")
        assert other.needs_manual_grade is False
    assert _status(nb.api(copy).get_submission(EX, "carol")) == "needs manual grading"


def test_a_new_timestamp_is_recorded_without_regrading(course, graded, tmp_path):
    """A submission collected again unchanged (same file, new timestamp.txt) is skipped by the next run,
    and the formgrader still shows it graded, at its new time."""
    copy = CourseDir(tmp_path / "again")
    shutil.copytree(course.root, copy.root, ignore=shutil.ignore_patterns(".grader.lock"))
    (copy.submitted("carol", EX) / "timestamp.txt").write_text("2026-11-22 09:00:00 UTC")
    again = grade_course(copy, EX)
    assert sorted(again.skipped) == sorted(GRADED) and not again.graded and not again.unrecorded
    sub = nb.api(copy).get_submission(EX, "carol")
    assert sub["timestamp"] == "2026-11-22T09:00:00" and _status(sub) == "graded"
    assert (copy.autograded("carol", EX) / "timestamp.txt").read_text() == "2026-11-22 09:00:00 UTC"


def test_the_courses_late_penalty_is_applied_as_nbgrader_applies_it(course, graded, tmp_path):
    """With a due date and nbgrader's "zero" late penalty configured, a late submission's notebook gets
    its score as penalty (nbgrader's AssignLatePenalties and LateSubmissionPlugin), one on time none."""
    copy = CourseDir(tmp_path / "late")
    shutil.copytree(course.root, copy.root, ignore=shutil.ignore_patterns(".grader.lock"))
    with open(copy.config, "a", encoding="utf-8") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    with nb.gradebook(copy) as gb:
        gb.update_or_create_assignment(EX, duedate="2026-11-20 11:00:00 UTC")
    (copy.submitted("carol", EX) / "timestamp.txt").write_text("2026-11-20 11:30:00")  # half an hour late
    assert record_in_gradebook(copy, EX, [graded["alice"], graded["carol"]]) == {}
    with nb.gradebook(copy) as gb:
        on_time, late = gb.find_submission(EX, "alice"), gb.find_submission(EX, "carol")
        assert on_time.total_seconds_late == 0 and on_time.late_submission_penalty == 0
        assert late.total_seconds_late == 30 * 60
        assert late.late_submission_penalty == late.score == graded["carol"].score > 0
        assert gb.find_submission_notebook(NB_ID, EX, "carol").late_submission_penalty == late.score
    assert _status(nb.api(copy).get_submission(EX, "carol")) == "graded"
