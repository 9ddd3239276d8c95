"""`grader grade EX --course DIR`: grade every collected submission of a course, in parallel,
into the course's grades/ folder and nbgrader's gradebook.

A submission already graded (its result file records the same sha256) is
skipped unless ``force``; results are written one by one as they complete and
recorded in the gradebook at once, so a run that is interrupted (Ctrl-C, kill)
loses nothing already graded and the next run resumes where it stopped. One
run at a time per course: a second one is refused (a lock file).
"""
from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field

from .. import registry
from ..batch import Submission, atomic_write, file_digest, find_submission_file, grade_batch, gradebook_csv
from . import CourseDir
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
    records: list[dict] = field(default_factory=list)
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


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


def _previous(course: CourseDir, exercise: str, sub: Submission) -> dict | None:
    try:
        rec = json.loads((course.grades(exercise) / f"{sub.student}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if rec.get("sha256") and rec.get("sha256") == file_digest(sub.path) else None


def grade_course(course: CourseDir, exercise: str, *, jobs: int = 1, force: bool = False, lang: str = "en",
                 progress=None, limits=None, hidden_key: str | None = None) -> CourseGrading:
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
            record_in_gradebook(course, ex.id, out.records)

        def done(rec):
            record_in_gradebook(course, ex.id, [rec])
            write_autograded(course, ex.id, rec)
            if progress:
                progress(rec)

        if todo:
            fresh = grade_batch(ex.id, todo, course.root / "grades", jobs=jobs, lang=lang, progress=done,
                                limits=limits, hidden_key=key)
            out.records.extend(fresh)
            out.graded.extend(r["student"] for r in fresh)
        out.records.sort(key=lambda r: r["student"])
        atomic_write(course.grades(ex.id) / "gradebook.csv", gradebook_csv(out.records))
    return out
