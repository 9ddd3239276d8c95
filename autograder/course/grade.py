"""`grader grade EX --course DIR`: grade every collected submission of a course, in parallel,
into the course's grades/ folder and nbgrader's gradebook.

A submission already graded (its result file records the same sha256) is
skipped unless ``force``; results are written one by one as they complete and
recorded in the gradebook at once, so a run that is interrupted (Ctrl-C, kill)
loses nothing already graded and the next run resumes where it stopped. One
run at a time per course: a second one is refused (a lock file).

Nothing one student submits stops the run: a malformed notebook is graded on
the code that is there (or recorded as not loadable), its autograded copy is
rebuilt with the instructor's test cells, and what was wrong with it is kept as
notes in its result (``result.notes_text``). An unexpected failure while recording one student
(the autograded notebook, the gradebook) is kept in that student's result as
``record_error`` and counted in :attr:`CourseGrading.unrecorded`; the next run
records it again.
"""
from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from .. import registry
from ..batch import grade_batch, gradebook_csv
from ..files import atomic_write, file_digest
from ..submissions import Submission, find_submission_file
from ..messages import as_msg, t
from ..results import GradedSubmission
from . import CourseDir, notebook_name
from .record import record_in_gradebook, write_autograded


class CourseBusy(RuntimeError):
    """Another `grader grade` holds this course's lock."""


@contextmanager
def course_lock(course: CourseDir):
    path = course.root / ".grader.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CourseBusy(f"another `grader grade` is running on {course.root}; wait for it to finish") from None
        yield
    finally:
        os.close(fd)


@dataclass
class CourseGrading:
    records: list[GradedSubmission] = field(default_factory=list)
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)  # graded, but not (fully) recorded: see record_error


def _ensure_assignment(course: CourseDir, exercise: str) -> None:
    """The gradebook needs the assignment's test cells (nbgrader records them when it generates
    the student version): generate it once if that has not happened yet."""
    from . import nb

    with nb.gradebook(course) as gb:
        assignment = gb.update_or_create_assignment(exercise)
        known = bool(assignment.notebooks)
    if not known:
        nb.check(nb.api(course).generate_assignment(exercise), f"generate_assignment {exercise}")


def course_submissions(course: CourseDir, exercise: str) -> list[Submission]:
    subs = []
    for student in course.students():
        folder = course.submitted(student, exercise)
        if folder.is_dir():
            path = find_submission_file(folder, exercise)
            if path is not None:
                subs.append(Submission(student, path))
    return subs


def _previous(course: CourseDir, exercise: str, sub: Submission) -> GradedSubmission | None:
    try:
        rec = json.loads((course.grades(exercise) / f"{sub.student}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = rec.get("sha256") and rec.get("sha256") == file_digest(sub.path)
    return GradedSubmission.from_dict(rec) if ok else None


def _record_one(course: CourseDir, exercise: str, rec: GradedSubmission, lang: str) -> GradedSubmission:
    """Record one graded student: the autograded notebook (whose notes on a malformed notebook join the
    result's), the gradebook, then the result file again; returns the submission as recorded. Never
    raises: what fails is kept as its ``record_error``, in the student's language."""
    problems = []
    try:  # first: the gradebook's answer comments are read from the autograded notebook
        _, notes = write_autograded(course, exercise, rec, lang)
        # grading's own notes (cells skipped) and the notebook's (malformed cells), each said once
        own = [as_msg(n.to_dict()) for n in rec.result.notes_text]
        merged = tuple(dict.fromkeys([*own, *notes]))
        rec = replace(rec, result=replace(rec.result, notes_text=merged))
    except Exception as exc:  # noqa: BLE001 - a bug met by one odd notebook must not stop the class
        problems.append(f"autograded notebook: {type(exc).__name__}: {str(exc)[:300]}")
    try:
        failed = record_in_gradebook(course, exercise, [rec])
        problems.extend(failed.values())
    except Exception as exc:  # noqa: BLE001 - e.g. a gradebook that cannot be opened
        problems.append(f"gradebook: {type(exc).__name__}: {str(exc)[:300]}")
    rec = replace(rec, record_error=t("not_recorded", lang, detail="; ".join(problems)) if problems else None)
    try:
        atomic_write(course.grades(exercise) / f"{rec.student}.json",
                     json.dumps(rec.to_dict(), indent=1, ensure_ascii=False) + "\n")
    except Exception as exc:  # noqa: BLE001 - the record in memory still says it
        rec = replace(rec, record_error=t("not_recorded", lang, detail=f"result file: {type(exc).__name__}: {exc}"))
    return rec


def grade_course(course: CourseDir, exercise: str, *, jobs: int = 1, force: bool = False, lang: str = "en",
                 progress=None, limits=None, hidden_key: str | None = None, scheduler=None) -> CourseGrading:
    from ..secret import resolve

    ex = registry.get(exercise)
    key = hidden_key or resolve(course.root)  # the course's own key (MissingHiddenKey: nothing is graded)
    out = CourseGrading()
    with course_lock(course):
        _ensure_assignment(course, ex.id)
        subs = course_submissions(course, ex.id)
        todo = []
        for sub in subs:
            prev = None if force else _previous(course, ex.id, sub)
            if prev is None:
                todo.append(sub)
            else:
                out.records.append(prev)
                out.skipped.append(sub.student)
        if out.records:  # results of an interrupted run may not have reached the gradebook
            name = notebook_name(ex.id)
            again = [r for r in out.records
                     if r.record_error or not (course.autograded(r.student, ex.id) / name).is_file()]
            rest = [r for r in out.records if not any(r is a for a in again)]
            try:
                failed = record_in_gradebook(course, ex.id, rest) if rest else {}
            except Exception:  # noqa: BLE001 - each is tried again below, and its failure recorded
                failed = {r.student: "" for r in rest}
            recorded = {id(rec): _record_one(course, ex.id, rec, lang)
                        for rec in again + [r for r in rest if r.student in failed]}
            out.records = [recorded.get(id(r), r) for r in out.records]

        fresh_recorded: dict[str, GradedSubmission] = {}  # student -> as recorded (record_error, notes)

        def done(rec: GradedSubmission):
            recorded_now = _record_one(course, ex.id, rec, lang)
            fresh_recorded[rec.student] = recorded_now
            if progress:
                progress(recorded_now)

        if todo:
            fresh = grade_batch(ex.id, todo, course.root / "grades", jobs=jobs, lang=lang, progress=done,
                                limits=limits, hidden_key=key, scheduler=scheduler)
            fresh = [fresh_recorded.get(r.student, r) for r in fresh]
            out.records.extend(fresh)
            out.graded.extend(r.student for r in fresh)
        out.records.sort(key=lambda r: r.student)
        out.unrecorded = [r.student for r in out.records if r.record_error]
        atomic_write(course.grades(ex.id) / "gradebook.csv", gradebook_csv(out.records))
    return out
