"""`grader grade EX --course DIR`: grade every collected submission of a course, in parallel,
into the course's grades/ folder and nbgrader's gradebook.

A submission already graded (its result file records the same sha256) is
skipped unless ``force``; results are written one by one as they complete, each
with its autograded notebook, and recorded in the gradebook in chunks (one
gradebook session for the run, one commit about every second: see
:class:`_Recording`), so a run that is interrupted (Ctrl-C, kill) loses nothing
already graded: every run first records again what earlier runs graded (an
interrupted run's last second may not have reached the gradebook), and resumes
where it stopped. One run at a time per course: a second one is refused (a lock
file).

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
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace

from .. import registry
from ..batch import grade_batch, gradebook_csv
from ..files import atomic_write, file_digest
from ..submissions import Submission, find_submission_file
from ..messages import as_msg, t
from ..results import GradedSubmission
from . import CourseDir, notebook_name
from .record import gradebook_recorder, record_in_gradebook, write_autograded


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
        try:
            yield
        finally:
            # released for every process that shares the descriptor too (workers forked meanwhile, kept
            # for the next exercise by batch.shared_pools, would otherwise hold the lock while they live)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@dataclass
class CourseGrading:
    records: list[GradedSubmission] = field(default_factory=list)
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)  # graded, but not (fully) recorded: see record_error
    #: where the run's time went: "total" (wall), and the main process's time recording: "autograded"
    #: (the notebooks), "gradebook" (nbgrader's database, opening it included), "result files"
    seconds: dict[str, float] = field(default_factory=dict)


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


def _failure(what: str, exc: BaseException) -> str:
    return f"{what}: {type(exc).__name__}: {str(exc)[:300]}"


def _result_text(rec: GradedSubmission) -> str:
    return json.dumps(rec.to_dict(), indent=1, ensure_ascii=False) + "\n"  # as grade_batch writes it


#: results wait at most this long (from the last commit) before they are recorded in the gradebook …
RECORD_EVERY_S = 1.0
#: … or until this many wait
RECORD_EVERY_N = 200


class _Recording:
    """Records graded students in chunks, in one gradebook session (:class:`~.record.GradebookRecorder`):
    each student's autograded notebook is written as its result arrives (its notes on a malformed
    notebook join the result's), the gradebook gets the waiting results in one commit once
    :data:`RECORD_EVERY_S` has passed since the last one (or :data:`RECORD_EVERY_N` wait), and each
    result file is written again where recording changed the result (notes, ``record_error``). What
    fails for one student is kept as its ``record_error``, in the student's language; nothing raises.
    ``seconds`` adds up the time spent on each part."""

    def __init__(self, course: CourseDir, exercise: str, lang: str, book, progress=None):
        self.course, self.exercise, self.lang, self.book, self.progress = course, exercise, lang, book, progress
        self.pending: list[tuple[GradedSubmission, GradedSubmission, list[str]]] = []  # (record, as it came, problems)
        self.on_disk: dict[str, str] = {}  # student -> the text this run wrote last into the result file
        self.last = time.monotonic()
        self.recorded: dict[str, GradedSubmission] = {}  # student -> as recorded
        self.seconds = {"autograded": 0.0, "gradebook": 0.0, "result files": 0.0}

    def add(self, rec: GradedSubmission, notebook: bool = True) -> None:
        """Queue ``rec`` (after writing its autograded notebook, unless ``notebook`` is False: it is
        there already); records the queue when it is due."""
        original, problems = rec, []
        if notebook:
            start = time.perf_counter()
            try:  # first: the gradebook's answer comments are read from the autograded notebook
                _, notes = write_autograded(self.course, self.exercise, rec, self.lang)
                # grading's own notes (cells skipped) and the notebook's (malformed cells), each said once
                own = [as_msg(n.to_dict()) for n in rec.result.notes_text]
                merged = tuple(dict.fromkeys([*own, *notes]))
                if merged != rec.result.notes_text:
                    rec = replace(rec, result=replace(rec.result, notes_text=merged))
            except Exception as exc:  # noqa: BLE001 - a bug met by one odd notebook must not stop the class
                problems.append(_failure("autograded notebook", exc))
            self.seconds["autograded"] += time.perf_counter() - start
        self.pending.append((rec, original, problems))
        if len(self.pending) >= RECORD_EVERY_N or time.monotonic() - self.last >= RECORD_EVERY_S:
            self.flush()

    def flush(self) -> list[GradedSubmission]:
        """Record what waits; returns those records as recorded."""
        pending, self.pending = self.pending, []
        if not pending:
            return []
        start = time.perf_counter()
        records = [rec for rec, _, _ in pending]
        try:
            failed = record_in_gradebook(self.course, self.exercise, records, recorder=self.book)
        except Exception:  # noqa: BLE001 - one student's failure must stay that student's: one at a time
            failed = {}
            for rec in records:
                try:
                    failed.update(record_in_gradebook(self.course, self.exercise, [rec], recorder=self.book))
                except Exception as exc:  # noqa: BLE001 - e.g. a gradebook that cannot be written
                    failed[rec.student] = _failure("gradebook", exc)
        self.last = time.monotonic()
        self.seconds["gradebook"] += time.perf_counter() - start
        start = time.perf_counter()
        out = []
        for rec, original, problems in pending:
            if rec.student in failed:
                problems = [*problems, failed[rec.student] or "gradebook"]
            if problems or rec.record_error is not None:
                rec = replace(rec, record_error=t("not_recorded", self.lang, detail="; ".join(problems))
                              if problems else None)
            # the result file: written again where it would say something else than it says
            text = None if rec is original and rec.student not in self.on_disk else _result_text(rec)
            if text is not None and text != (self.on_disk.get(rec.student) or _result_text(original)):
                try:
                    atomic_write(self.course.grades(self.exercise) / f"{rec.student}.json", text)
                    self.on_disk[rec.student] = text
                except Exception as exc:  # noqa: BLE001 - the record in memory still says it
                    rec = replace(rec, record_error=t("not_recorded", self.lang,
                                                      detail=f"result file: {type(exc).__name__}: {exc}"))
            self.recorded[rec.student] = rec
            out.append(rec)
        self.seconds["result files"] += time.perf_counter() - start
        if self.progress:
            for rec in out:
                self.progress(rec)
        return out


def grade_course(course: CourseDir, exercise: str, *, jobs: int = 1, force: bool = False, lang: str = "en",
                 progress=None, limits=None, hidden_key: str | None = None, scheduler=None) -> CourseGrading:
    from ..secret import resolve

    ex = registry.get(exercise)
    key = hidden_key or resolve(course.root)  # the course's own key (MissingHiddenKey: nothing is graded)
    out = CourseGrading()
    started = time.perf_counter()
    with course_lock(course), ExitStack() as stack:
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
        opened = time.perf_counter()
        recording = _Recording(course, ex.id, lang, stack.enter_context(gradebook_recorder(course, ex.id)))
        recording.seconds["gradebook"] += time.perf_counter() - opened
        if out.records:  # results of an interrupted run may not have reached the gradebook
            name = notebook_name(ex.id)
            for rec in out.records:  # their notebook again where it is missing or recording failed
                recording.add(rec, notebook=bool(rec.record_error)
                              or not (course.autograded(rec.student, ex.id) / name).is_file())
            recording.flush()
            again = [r for r in out.records if recording.recorded[r.student].record_error]
            for rec in again:  # once more, notebook included, alone
                recording.add(rec)
                recording.flush()
            out.records = [recording.recorded.get(r.student, r) for r in out.records]
        recording.progress = progress  # only what is graded now counts in the progress

        def done(rec: GradedSubmission):
            recording.add(rec)

        if todo:
            try:
                fresh = grade_batch(ex.id, todo, course.root / "grades", jobs=jobs, lang=lang, progress=done,
                                    limits=limits, hidden_key=key, scheduler=scheduler)
            except BaseException:  # Ctrl-C: what is graded and waiting still goes to the gradebook
                try:
                    recording.flush()
                except Exception:  # noqa: BLE001 - the next run records it (see above)
                    pass
                raise
            recording.flush()
            fresh = [recording.recorded.get(r.student, r) for r in fresh]
            out.records.extend(fresh)
            out.graded.extend(r.student for r in fresh)
        out.records.sort(key=lambda r: r.student)
        out.unrecorded = [r.student for r in out.records if r.record_error]
        atomic_write(course.grades(ex.id) / "gradebook.csv", gradebook_csv(out.records))
    out.seconds = {"total": time.perf_counter() - started, **recording.seconds}
    return out
