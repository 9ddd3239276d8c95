"""Record the grader's results in nbgrader's gradebook, per test cell, as nbgrader's own API records them.

Each check belongs to a test cell (``Check.cell``; nbgrader grade id
``test_<cell>``); the cell's auto score is the sum of its checks' points, the
same number the cell itself returns when ``nbgrader autograde`` runs it. An
autograded copy of the submitted notebook is written with each test cell's
output (one line per check, hidden ones redacted, then the score), so the
formgrader and ``nbgrader generate_feedback`` have a notebook to show.
Recording is idempotent: a result recorded twice leaves the same rows. A class is recorded in bulk
(:class:`GradebookRecorder`: one session, one commit for many students, nbgrader's ORM models below
its per-submission API); the rows are those nbgrader's API writes (:func:`record_one_by_one`, the
reference the bulk path is tested against, row for row).

The rows are those ``nbgrader autograde`` writes, so nbgrader's formgrader shows a submission graded
here as it shows one nbgrader graded (see :func:`record_in_gradebook`): the grade's ``auto_score``
and ``needs_manual_grade`` (``SaveAutoGrades._add_score``), the answer cells' ``auto_comment``
(``SaveAutoGrades._add_comment``), the late penalty (``AssignLatePenalties``, with the course's
plugin), the submission's timestamp as nbgrader reads it from
``timestamp.txt`` (``NbGraderAPI.get_autograded_students`` calls a submission autograded only when the
two are equal and ``autograded/<student>/<ex>/`` exists), and the autograded notebook, named as the
source, with the submission's ``timestamp.txt`` and ``submission_secret.txt`` beside it (nbgrader copies
them; ``release_feedback`` reads them). ``failed_tests`` follows from the scores (nbgrader computes it);
``flagged`` and manual scores are the graders' and are never touched.

Scores never come from a submitted notebook: the gradebook's rows and their
maximum points are made by nbgrader's ``add_submission`` from the assignment's
source notebook (recorded by ``generate_assignment``), the points earned are the
grader's checks'. The autograded notebook is rebuilt as valid nbformat whatever
the submission holds (see :func:`autograded_notebook`): its test cells are the
source's, exactly once each, so what nbgrader shows matches the gradebook.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..files import atomic_write
from ..grading import exercise_module
from ..loader import cell_text, is_check_cell_code, nbgrader_meta
from ..messages import BOTH, Msg, as_msg, t
from ..results import GradedSubmission
from . import CourseDir, nb, notebook_name


def cell_scores(record: GradedSubmission, exercise: str) -> dict[str, float]:
    """grade id (``test_<cell>``) -> points earned in that cell."""
    cell_of = {c.qualified_id(exercise): c.cell for c in exercise_module(exercise).CHECKS}
    scores: dict[str, float] = {f"test_{c.cell}": 0.0 for c in exercise_module(exercise).CHECKS}
    for check in record.checks:
        cell = cell_of.get(check.id)
        if cell is not None:
            scores[f"test_{cell}"] += float(check.points)
    return scores


def _submission_time(course: CourseDir, student: str, exercise: str) -> datetime | None:
    """The submission time from timestamp.txt (naive UTC, as nbgrader stores it); None when there is
    none or it cannot be read (the file comes from the student's side of the exchange)."""
    from .lms import _parse_timestamp

    stamp = course.submitted(student, exercise) / "timestamp.txt"
    try:
        with open(stamp, "rb") as fh:
            text = fh.read(200).decode("utf-8", "replace")
        parsed = _parse_timestamp(text)
        return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed else None
    except (OSError, ValueError, OverflowError):
        return None


def _nbgrader_time(course: CourseDir, student: str, exercise: str) -> datetime | None:
    """The submission time exactly as nbgrader reads it from timestamp.txt (``parse_utc`` of the stripped
    text, as ``NbGraderAPI.get_submitted_timestamp`` and ``CourseDirectory.get_existing_timestamp`` do):
    the formgrader shows a submission as autograded only when the gradebook holds this same value. None
    without the file; a text nbgrader cannot parse falls back to :func:`_submission_time`."""
    from nbgrader.utils import parse_utc

    stamp = course.submitted(student, exercise) / "timestamp.txt"
    if not stamp.is_file():
        return None
    try:
        with open(stamp, "rb") as fh:
            text = fh.read(4096).decode("utf-8").strip()
        return parse_utc(text) if text else None
    except (OSError, ValueError, OverflowError, TypeError):
        return _submission_time(course, student, exercise)


# nbgrader's own files in a submission folder, which `nbgrader autograde` copies into autograded/
_NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")
_NBGRADER_FILE_LIMIT = 64 * 1024


def _copy_nbgrader_files(course: CourseDir, exercise: str, student: str) -> None:
    """Copy the submission's timestamp.txt and submission_secret.txt into autograded/, byte for byte, as
    nbgrader does (``release_feedback`` reads them there); a copy whose original is gone is removed."""
    src, dest = course.submitted(student, exercise), course.autograded(student, exercise)
    for name in _NBGRADER_FILES:
        original = src / name
        if original.is_file() and not original.is_symlink() and original.stat().st_size <= _NBGRADER_FILE_LIMIT:
            data = original.read_bytes()
            target = dest / name
            if not target.is_file() or target.is_symlink() or target.read_bytes() != data:
                atomic_write(target, data)
        elif (dest / name).exists() or (dest / name).is_symlink():
            (dest / name).unlink()


STAND_IN = "nn_grader_stand_in"  # notebook metadata: the released notebook stands in for the submission


def _auto_comments(course: CourseDir, exercise: str, student: str, gb, notebook_name_: str) -> dict:
    """grade id of each answer (solution) cell -> its ``auto_comment``, as nbgrader's
    ``SaveAutoGrades._add_comment`` sets it: "No response." when the answer cell left the student
    unchanged (its checksum, computed on the autograded notebook where its nbgrader metadata is the
    source's, equals the one ``generate_assignment`` recorded), else None. None for every cell when no
    notebook was read (a .py submission, an unreadable notebook: like nbgrader's missing notebook)."""
    return _answer_comments(course, exercise, student, notebook_name_,
                            lambda grade_id: gb.find_source_cell(grade_id, notebook_name_, exercise).checksum)


def _answer_comments(course: CourseDir, exercise: str, student: str, notebook_name_: str, checksum) -> dict:
    """:func:`_auto_comments`, with ``checksum(grade id)`` the source cell's recorded checksum (the bulk
    path reads them once for a whole class instead of cell by cell from the gradebook)."""
    from nbformat.reader import reads
    from nbgrader import utils

    path = course.autograded(student, exercise) / f"{notebook_name_}.ipynb"
    try:  # nbformat's reader without the schema validation (the notebook was written valid: _valid)
        node = reads(path.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - no autograded notebook (yet): nothing to comment on
        return {}
    if node.metadata.get(STAND_IN):
        return {}
    out = {}
    for cell in node.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not isinstance(meta, dict) or not utils.is_solution(cell) or utils.is_task(cell):
            continue
        try:
            expected = checksum(meta["grade_id"])
            out[meta["grade_id"]] = "No response." if utils.compute_checksum(cell) == expected else None
        except Exception:  # noqa: BLE001 - a cell the gradebook does not know: no comment
            continue
    return out


def _late_penalties(course: CourseDir):
    """nbgrader's ``AssignLatePenalties`` configured by the course (its late submission plugin: by
    default ``LateSubmissionPlugin`` with ``penalty_method = "none"``)."""
    from nbgrader.preprocessors import AssignLatePenalties

    late = AssignLatePenalties(config=nb.load_config(course))
    late.init_plugin()
    return late


def _late_penalty(late, submission, notebook, student: str) -> None:
    """The notebook's late submission penalty, as ``AssignLatePenalties.preprocess`` sets it after the
    grades: reset, then the plugin's penalty (kept within [0, score]) when the submission is late."""
    notebook.late_submission_penalty = None
    seconds = submission.total_seconds_late
    if seconds > 0:
        penalty = late.plugin_inst.late_submission_penalty(student, notebook.score, seconds)
        if penalty is not None:
            notebook.late_submission_penalty = late._check_late_penalty(notebook, penalty)


def record_in_gradebook(course: CourseDir, exercise: str, records: list[GradedSubmission], *,
                        recorder: "GradebookRecorder | None" = None) -> dict[str, str]:
    """Write each record's per-cell scores into the gradebook (creating students and submissions).

    The scores are the grader's (each check's points); the rows and their maximum points are
    nbgrader's, those ``add_submission`` makes from the assignment's source notebook in the gradebook,
    so nothing in a submitted notebook changes them. Each row is set as ``nbgrader autograde`` sets it
    (see the module docstring): ``needs_manual_grade`` False unless a grader had already given a manual
    score, the answer cells' auto comments, the submission's time as nbgrader reads it, the late
    submission penalty of the course's nbgrader configuration. The comments are read from the
    autograded notebook: write it first (:func:`write_autograded`). A record that cannot be recorded
    does not stop the others: returns ``{student: what went wrong}`` for those.

    All ``records`` are recorded in bulk (see :class:`GradebookRecorder`), in ``recorder``'s session
    when one is given (a run that records as results arrive keeps one open), else in a new one.
    """
    if recorder is not None:
        return recorder.record(records)
    with gradebook_recorder(course, exercise) as book:
        return book.record(records)


@contextmanager
def gradebook_recorder(course: CourseDir, exercise: str):
    """A :class:`GradebookRecorder` on the course's gradebook, closed when the block ends."""
    with nb.gradebook(course) as gb:
        yield GradebookRecorder(course, exercise, gb)


def _failure(exc: BaseException) -> str:
    return f"gradebook: {type(exc).__name__}: {str(exc)[:300]}"


_IN_CHUNK = 400  # ids per SQL ``IN (...)``: well below SQLite's limit on bound parameters


def _chunks(items: list, size: int = _IN_CHUNK):
    return (items[k:k + size] for k in range(0, len(items), size))


@dataclass
class _Prepared:
    """What one record writes, computed before any row is touched (so a failure leaves no half row)."""

    record: GradedSubmission
    when: datetime | None
    scores: dict[str, float]
    comments: dict[str, dict]  # notebook name -> answer cell grade id -> auto_comment


class GradebookRecorder:
    """Records many students at once in one gradebook session, below nbgrader's per-submission API.

    nbgrader's ``Gradebook.add_submission`` and ``find_grade`` query the database once per cell and
    commit once per call: a class recorded through them spends most of its time in SQL. This
    recorder writes the same rows with nbgrader's own ORM models (``Student``, ``SubmittedAssignment``,
    ``SubmittedNotebook``, ``Grade``, ``Comment``) in one session: what it needs of the assignment
    (its notebooks, their grade, answer and task cells, the answer cells' checksums) is read once;
    each call of :meth:`record` loads the existing submissions of its students in a few queries,
    creates the missing ones exactly as ``add_submission`` does (one ``SubmittedNotebook`` per source
    notebook, one ``Grade`` per grade cell, one ``Comment`` per answer cell, both per task cell), sets
    the values :func:`record_one_by_one` sets, and commits once. When that commit fails, the records
    are tried again one at a time, so that one student's failure is that student's alone.
    """

    def __init__(self, course: CourseDir, exercise: str, gb):
        from nbgrader.api import Assignment, BaseCell, Notebook, SourceCell

        self.course, self.exercise, self.gb = course, exercise, gb
        self.db = gb.db()  # the session itself (nbgrader's is thread-scoped; the caller serialises calls)
        self.late = _late_penalties(course)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gb.update_or_create_assignment(exercise)
        # plain values, not ORM objects: a commit expires those
        self.assignment_id = self.db.query(Assignment.id).filter(Assignment.name == exercise).scalar()
        notebooks = self.db.query(Notebook.id, Notebook.name).filter(
            Notebook.assignment_id == self.assignment_id).order_by(Notebook.name).all()
        self.notebook_name = {nid: name for nid, name in notebooks}
        self.notebook_ids = [nid for nid, _ in notebooks]
        cells = self.db.query(BaseCell.id, BaseCell.name, BaseCell.type, BaseCell.notebook_id).filter(
            BaseCell.notebook_id.in_(self.notebook_ids)).all() if notebooks else []
        self.cell_name = {cid: name for cid, name, _, _ in cells}
        # add_submission's order: grade cells, answer cells, task cells, each as the relationship loads them
        self.cells_of = {nid: {kind: [cid for cid, _, k, n in cells if n == nid and k == kind]
                               for kind in ("GradeCell", "SolutionCell", "TaskCell")}
                         for nid in self.notebook_ids}
        sources = self.db.query(SourceCell.notebook_id, SourceCell.name, SourceCell.checksum).filter(
            SourceCell.notebook_id.in_(self.notebook_ids)).all() if notebooks else []
        self.checksum = {(self.notebook_name[nid], name): value for nid, name, value in sources}
        self.db.commit()

    # -- what a record writes
    def _prepare(self, record: GradedSubmission) -> _Prepared:
        student = record.student
        when = _nbgrader_time(self.course, student, self.exercise)
        comments = {name: _answer_comments(self.course, self.exercise, student, name,
                                           lambda gid, name=name: self.checksum[(name, gid)])
                    for name in self.notebook_name.values()}
        return _Prepared(record, when, cell_scores(record, self.exercise), comments)

    def record(self, records: list[GradedSubmission]) -> dict[str, str]:
        """Record ``records`` (see :func:`record_in_gradebook`); returns ``{student: what went wrong}``."""
        failed: dict[str, str] = {}
        latest: dict[str, GradedSubmission] = {}  # a student recorded twice: the last record, as one by one
        for record in records:
            latest.pop(record.student, None)
            latest[record.student] = record
        prepared = []
        for record in latest.values():
            try:
                prepared.append(self._prepare(record))
            except Exception as exc:  # noqa: BLE001 - one student's failure is recorded, the rest go on
                failed[record.student] = _failure(exc)
        with warnings.catch_warnings():
            # nbgrader's models trigger SQLAlchemy autoflush warnings that mean nothing here
            warnings.simplefilter("ignore")
            try:
                self._write(prepared)
            except Exception as exc:  # noqa: BLE001 - tried again one by one: the failure is someone's
                self.db.rollback()
                if len(prepared) == 1:
                    failed[prepared[0].record.student] = _failure(exc)
                    prepared = []
                else:
                    alone = []
                    for item in prepared:
                        try:
                            self._write([item])
                            alone.append(item)
                        except Exception as exc1:  # noqa: BLE001
                            self.db.rollback()
                            failed[item.record.student] = _failure(exc1)
                    prepared = alone
        for item in prepared:  # nbgrader's own files beside the autograded notebook
            student = item.record.student
            try:
                if self.course.autograded(student, self.exercise).is_dir():
                    _copy_nbgrader_files(self.course, self.exercise, student)
            except Exception as exc:  # noqa: BLE001
                failed[student] = _failure(exc)
        return failed

    def _write(self, prepared: list[_Prepared]) -> None:
        """Write the rows of ``prepared`` and commit once (raises, uncommitted, on a database error)."""
        from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook
        from sqlalchemy.orm import selectinload

        if not prepared:
            return
        db = self.db
        ids = [item.record.student for item in prepared]
        students = {}
        for part in _chunks(ids):
            students.update({s.id: s for s in db.query(Student).filter(Student.id.in_(part))})
        for sid in ids:
            if sid not in students:  # add_student
                students[sid] = Student(id=sid)
                db.add(students[sid])
        submissions = {}
        for part in _chunks(ids):
            query = db.query(SubmittedAssignment).filter(
                SubmittedAssignment.assignment_id == self.assignment_id,
                SubmittedAssignment.student_id.in_(part)).options(
                selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.grades),
                selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.comments))
            submissions.update({s.student_id: s for s in query})
        for sid in ids:
            if sid not in submissions:  # add_submission: the assignment's structure, mirrored
                submission = SubmittedAssignment(assignment_id=self.assignment_id, student=students[sid])
                for nid in self.notebook_ids:
                    notebook = SubmittedNotebook(notebook_id=nid, assignment=submission)
                    cells = self.cells_of[nid]
                    for cid in cells["GradeCell"]:
                        Grade(cell_id=cid, notebook=notebook)
                    for cid in cells["SolutionCell"]:
                        Comment(cell_id=cid, notebook=notebook)
                    for cid in cells["TaskCell"]:
                        Comment(cell_id=cid, notebook=notebook)
                        Grade(cell_id=cid, notebook=notebook)
                db.add(submission)
                submissions[sid] = submission
        for item in prepared:
            submission = submissions[item.record.student]
            submission.timestamp = item.when  # what the formgrader compares with timestamp.txt
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    name = self.cell_name.get(grade.cell_id)
                    if name in item.scores:
                        grade.auto_score = item.scores[name]
                        # nbgrader's SaveAutoGrades: a manual score already given is marked for review
                        grade.needs_manual_grade = grade.manual_score is not None
                comments = item.comments.get(self.notebook_name.get(notebook.notebook_id), {})
                for comment in notebook.comments:
                    comment.auto_comment = comments.get(self.cell_name.get(comment.cell_id))
        db.flush()
        for item in prepared:  # AssignLatePenalties, on the scores just written
            submission = submissions[item.record.student]
            for notebook in submission.notebooks:
                if submission.total_seconds_late > 0:
                    db.expire(notebook, ["score"])  # the sum of the grades flushed above
                _late_penalty(self.late, submission, notebook, item.record.student)
        db.commit()


def record_one_by_one(course: CourseDir, exercise: str, records: list[GradedSubmission]) -> dict[str, str]:
    """The per-student path through nbgrader's own API (``add_submission``, ``find_submission``, two
    commits per student): what :func:`record_in_gradebook` did before it recorded in bulk, kept as the
    reference the bulk path is proven equal to (tests/test_course_gradebook.py). Same arguments, same
    result.

    Writes each record's per-cell scores into the gradebook (creating students and submissions).

    The scores are the grader's (each check's points); the rows and their maximum points are
    nbgrader's, made by ``add_submission`` from the assignment's source notebook in the gradebook,
    so nothing in a submitted notebook changes them. Each row is set as ``nbgrader autograde`` sets it
    (see the module docstring): ``needs_manual_grade`` False unless a grader had already given a manual
    score, the answer cells' auto comments, the submission's time as nbgrader reads it, the late
    submission penalty of the course's nbgrader configuration. The comments
    are read from the autograded notebook: write it first (:func:`write_autograded`). A record that
    cannot be recorded does not stop the others: returns ``{student: what went wrong}`` for those.
    """
    failed: dict[str, str] = {}
    late = _late_penalties(course)
    with warnings.catch_warnings(), nb.gradebook(course) as gb:
        # nbgrader's add_submission triggers SQLAlchemy autoflush warnings that mean nothing here
        warnings.simplefilter("ignore")
        gb.update_or_create_assignment(exercise)
        for record in records:
            student = record.student
            try:
                gb.update_or_create_student(student)
                when = _nbgrader_time(course, student, exercise)
                try:
                    submission = gb.find_submission(exercise, student)
                except Exception:  # nbgrader raises MissingEntry
                    submission = gb.add_submission(exercise, student)
                submission.timestamp = when  # what the formgrader compares with timestamp.txt
                scores = cell_scores(record, exercise)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.name in scores:
                            grade.auto_score = scores[grade.name]
                            # nbgrader's SaveAutoGrades: a manual score already given is marked for review
                            grade.needs_manual_grade = grade.manual_score is not None
                    comments = _auto_comments(course, exercise, student, gb, notebook.name)
                    for comment in notebook.comments:
                        comment.auto_comment = comments.get(comment.name)
                gb.db.commit()
                for notebook in submission.notebooks:  # on the scores just committed
                    _late_penalty(late, submission, notebook, student)
                gb.db.commit()
                if course.autograded(student, exercise).is_dir():
                    _copy_nbgrader_files(course, exercise, student)
            except Exception as exc:  # noqa: BLE001 - one student's failure is recorded, the rest go on
                gb.db.rollback()
                failed[student] = f"gradebook: {type(exc).__name__}: {str(exc)[:300]}"
    return failed


def _cell_outputs(exercise: str, cell: str, record: GradedSubmission, score: float, lang: str = "en") -> list[dict]:
    cell_of = {c.qualified_id(exercise): c.cell for c in exercise_module(exercise).CHECKS}
    lines = []
    for check in record.checks:
        if cell_of.get(check.id) != cell:
            continue
        mark = "✓" if check.passed else "✗"
        message = "" if check.passed else ": " + check.student_message(lang, exercise)
        lines.append(f"{mark} {check.title(lang)} ({check.points:g}/{check.max_points:g}){message}\n")
    outputs = [{"name": "stdout", "output_type": "stream", "text": lines}] if lines else []
    outputs.append({"data": {"text/plain": [f"{score:g}"]}, "execution_count": None, "metadata": {},
                    "output_type": "execute_result"})
    return outputs


# ------------------------------------------------------------------ the autograded notebook
# A submitted notebook can be malformed in any way a student or an editor can make it: cells that are
# not objects, nbgrader metadata that is null or of the wrong type, test cells deleted, duplicated
# (nbgrader issue 1083), turned into markdown or given 1000 points. The autograded copy is rebuilt
# as valid nbformat from what is usable, with every test cell exactly the instructor's (so the
# formgrader and `nbgrader generate_feedback` show the source's points, and find every cell they look
# up in the gradebook); what was wrong is said in notes kept with the student's result.

_CELL_TYPES = ("code", "markdown", "raw")
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_CHECK_CALL = re.compile(r"check_cell\(\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")


def _kind(value, lang: str) -> str:
    """What a JSON value is, in words ("a string", "null" …)."""
    if value is None:
        return t("json_null", lang)
    if isinstance(value, bool):
        return t("json_boolean", lang)
    if isinstance(value, (int, float)):
        return t("json_number", lang)
    return t({str: "json_string", list: "json_list", dict: "json_object"}.get(type(value), "json_object"), lang)


def _nbgrader_problems(raw, lang: str) -> list[str]:
    """What is wrong with a cell's ``metadata.nbgrader`` value (empty when it is usable)."""
    if not isinstance(raw, dict):
        return [t("nb_is", BOTH, what="metadata.nbgrader", kind=_kind(raw, BOTH))]
    problems = []
    gid = raw.get("grade_id")
    if "grade_id" in raw and not isinstance(gid, str):
        problems.append(t("nb_is", BOTH, what="grade_id", kind=_kind(gid, BOTH)))
    elif isinstance(gid, str) and not gid.strip():
        problems.append(t("nb_empty", BOTH, what="grade_id"))
    for key in ("grade", "solution", "locked", "task"):
        if key in raw and not isinstance(raw[key], bool):
            problems.append(t("nb_not_bool", BOTH, what=key, kind=_kind(raw[key], BOTH)))
    if "points" in raw:
        points = raw["points"]
        if not isinstance(points, (int, float)) or isinstance(points, bool):
            problems.append(t("nb_is", BOTH, what="points", kind=_kind(points, BOTH)))
        elif not math.isfinite(points):
            problems.append(t("nb_not_finite", BOTH, what="points"))
        elif points < 0:
            problems.append(t("nb_negative", BOTH, what="points", value=points))
    return problems


def _grade_id(raw) -> str | None:
    gid = raw.get("grade_id") if isinstance(raw, dict) else None
    return gid if isinstance(gid, str) and gid.strip() else None


def _is_test(cell: dict) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution") \
        and _grade_id(meta) is not None


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@dataclass
class _Cell:
    """One usable cell of the submission, before it is written back."""

    number: int            # its position in the submitted list of cells (from 1), for the notes
    cell_type: str
    text: str
    metadata: dict         # without "nbgrader"
    grade_id: str | None   # the source's nbgrader cell it is (None: a plain cell)
    original: dict


def _usable_cells(items: list, source_ids: dict, test_ids: set, exercise: str, lang: str,
                  notes: list[Msg]) -> list[_Cell]:
    cells: list[_Cell] = []
    odd: dict[Msg, int] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            odd[_kind(item, BOTH)] = odd.get(_kind(item, BOTH), 0) + 1
            continue
        cell_type = item.get("cell_type")
        if cell_type not in _CELL_TYPES:
            notes.append(t("nb_cell_type", BOTH, number=number,
                           detail=f"“{cell_type[:40]}”" if isinstance(cell_type, str) else _kind(cell_type, BOTH)))
            cell_type = "raw"
        src = item.get("source")
        if not (isinstance(src, str) or isinstance(src, list) and all(isinstance(x, str) for x in src)):
            notes.append(t("nb_cell_source", BOTH, number=number,
                           detail=t("nb_missing", BOTH) if "source" not in item else
                           t("nb_odd_lines", BOTH) if isinstance(src, list) else _kind(src, BOTH)))
        text = cell_text(item)
        meta = item.get("metadata", {})
        grade_id = None
        if not isinstance(meta, dict):
            notes.append(t("nb_bad_metadata", BOTH, number=number,
                           detail=t("nb_is", BOTH, what="metadata", kind=_kind(meta, BOTH))))
            meta = {}
        elif "nbgrader" in meta:
            raw = meta["nbgrader"]
            problems = _nbgrader_problems(raw, lang)
            if problems:
                notes.append(t("nb_bad_metadata", BOTH, number=number, detail=Msg.join("; ", problems)))
            grade_id = _grade_id(raw)
            if grade_id is not None and grade_id not in source_ids:
                notes.append(t("nb_unknown_id", BOTH, number=number, grade_id=grade_id[:80]))
                grade_id = None
        if grade_id is None and is_check_cell_code(text):  # a check cell that lost its metadata
            call = _CHECK_CALL.search(text)
            if call and call.group(1) == exercise and f"test_{call.group(2)}" in test_ids:
                grade_id = f"test_{call.group(2)}"
        cells.append(_Cell(number, cell_type, text, {k: v for k, v in meta.items() if k != "nbgrader"},
                           grade_id, item))
    if odd:
        notes.append(t("nb_not_cells", BOTH, count=sum(odd.values()),
                       kinds=Msg.join(", ", [f"{n} × " + k for k, n in odd.items()])))
    return cells


def _claimed_points(cell: _Cell):
    meta = cell.original.get("metadata")
    raw = meta.get("nbgrader") if isinstance(meta, dict) else None
    points = raw.get("points") if isinstance(raw, dict) else None
    ok = isinstance(points, (int, float)) and not isinstance(points, bool) and math.isfinite(points) and points >= 0
    return points if ok else None


def autograded_notebook(submitted: dict | None, source: dict, released: dict | None, exercise: str,
                        record: GradedSubmission, lang: str = "en", note: Msg | None = None) -> tuple[dict, list[Msg]]:
    """The autograded notebook of a submission and the notes on what was wrong with it (in every
    language; the notebook's own note cell is in ``lang``).

    ``submitted``: the parsed submission (a dict with a list of cells), or None when it could not be
    read, in which case the released notebook (else the source without its answer cells) stands in
    for it; ``note``: a text for the grader's note cell at the top (why it could not be read).
    """
    src_cells = source["cells"]
    source_ids = {_grade_id(nbgrader_meta(c)): i for i, c in enumerate(src_cells) if _grade_id(nbgrader_meta(c))}
    tests = {_grade_id(nbgrader_meta(c)): c for c in src_cells if _is_test(c)}
    released_tests = {_grade_id(nbgrader_meta(c)): _norm(cell_text(c)) for c in (released or {}).get("cells", [])
                      if isinstance(c, dict) and _is_test(c)}
    notes: list[Msg] = []
    if submitted is None:
        items = (released or {}).get("cells") or [c for c in src_cells if not nbgrader_meta(c).get("solution")]
        cells = _usable_cells(copy.deepcopy(items), source_ids, set(tests), exercise, lang, [])
    else:
        cells = _usable_cells(submitted["cells"], source_ids, set(tests), exercise, lang, notes)

    # one cell per nbgrader id: a test cell's extra copies go; an answer cell's copies keep their code
    # (all of them were run) and the last one keeps the metadata, as nbgrader's own DeduplicateIds does
    seen: dict[str, list[_Cell]] = {}
    for cell in cells:
        if cell.grade_id is not None:
            seen.setdefault(cell.grade_id, []).append(cell)
    for grade_id, copies in seen.items():
        src_type = src_cells[source_ids[grade_id]].get("cell_type")
        if grade_id in tests:
            first = copies[0]
            if len(copies) > 1:
                notes.append(t("nb_test_duplicated", BOTH, grade_id=grade_id, count=len(copies)))
                extra = {id(c) for c in copies[1:]}
                cells = [c for c in cells if id(c) not in extra]
            points = float(nbgrader_meta(tests[grade_id]).get("points", 0))
            claimed = _claimed_points(first)
            if first.cell_type != "code":
                notes.append(t("nb_test_retyped", BOTH, grade_id=grade_id, cell_type=first.cell_type))
            elif _norm(first.text) not in {_norm(cell_text(tests[grade_id])), released_tests.get(grade_id)}:
                notes.append(t("nb_test_edited", BOTH, grade_id=grade_id))
            if claimed is not None and float(claimed) != points:
                notes.append(t("nb_test_points", BOTH, grade_id=grade_id, claimed=f"{claimed:g}", points=points))
        else:
            if len(copies) > 1:
                notes.append(t("nb_answer_duplicated", BOTH, grade_id=grade_id, count=len(copies)))
                for extra in copies[:-1]:
                    extra.grade_id = None
            last = copies[-1]
            if last.cell_type != src_type and src_type == "code":
                notes.append(t("nb_answer_retyped", BOTH, grade_id=grade_id, cell_type=last.cell_type))
    if submitted is None:
        notes = []

    # deleted test cells go back after the nearest source nbgrader cell that is present
    present = {c.grade_id for c in cells if c.grade_id is not None}
    for grade_id in sorted(tests, key=lambda g: source_ids[g]):
        if grade_id in present:
            continue
        if submitted is not None:
            notes.append(t("nb_test_missing", BOTH, grade_id=grade_id))
        placeholder = _Cell(0, "code", "", {}, grade_id, {})
        before = [g for g, i in source_ids.items() if i < source_ids[grade_id] and g in present]
        after = [g for g, i in source_ids.items() if i > source_ids[grade_id] and g in present]
        if before:
            anchor = max(before, key=lambda g: source_ids[g])
            at = max(k for k, c in enumerate(cells) if c.grade_id == anchor) + 1
        elif after:
            anchor = min(after, key=lambda g: source_ids[g])
            at = min(k for k, c in enumerate(cells) if c.grade_id == anchor)
        else:
            at = len(cells)
        cells.insert(at, placeholder)
        present.add(grade_id)

    scores = cell_scores(record, exercise)
    used_ids = {c.get("id") for c in tests.values() if isinstance(c.get("id"), str)}  # written as they are
    out: list[dict] = []
    for cell in cells:
        if cell.grade_id in tests:
            test = copy.deepcopy(tests[cell.grade_id])
            test["outputs"] = _cell_outputs(exercise, cell.grade_id[len("test_"):], record,
                                            scores.get(cell.grade_id, 0.0), lang)
            test["execution_count"] = None
            out.append(test)
            continue
        new: dict = {"cell_type": cell.cell_type, "metadata": cell.metadata, "source": cell.text}
        if cell.grade_id is not None:  # an answer cell: the source's type and nbgrader metadata
            src = src_cells[source_ids[cell.grade_id]]
            new["cell_type"] = src.get("cell_type", cell.cell_type)
            new["metadata"] = {**cell.metadata, "nbgrader": copy.deepcopy(nbgrader_meta(src))}
        cid = cell.original.get("id")
        if not (isinstance(cid, str) and _CELL_ID.match(cid)) or cid in used_ids:
            cid = next(f"cell-{cell.number}-{k}" for k in range(len(cells) + len(used_ids) + 1)
                       if f"cell-{cell.number}-{k}" not in used_ids)
        used_ids.add(cid)
        new["id"] = cid
        if new["cell_type"] == "code":
            count = cell.original.get("execution_count")
            new["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) \
                and count >= 0 else None
            outputs = cell.original.get("outputs") if cell.cell_type == "code" else None
            new["outputs"] = outputs if isinstance(outputs, list) else []
        elif isinstance(cell.original.get("attachments"), dict):
            new["attachments"] = cell.original["attachments"]
        out.append(new)

    error = record.result.error_text if record.error() else None
    lines = [t("nb_note_title", lang)] + ([note] if note else []) + \
        ([error] if error is not None and submitted is not None else []) + notes
    if len(lines) > 1:  # plain comments in a code cell: shown as text, never rendered as HTML
        body = "\n".join("# " + ln for text in lines for ln in as_msg(text)(lang).splitlines() or [""])
        out.insert(0, {"cell_type": "code", "execution_count": None, "id": "grader-note",
                       "metadata": {"editable": False, "deletable": False}, "outputs": [], "source": body})
        if "grader-note" in used_ids:
            out[0]["id"] = "grader-note-" + hashlib.sha256(body.encode()).hexdigest()[:8]
    nb = {"cells": out, "metadata": copy.deepcopy(source.get("metadata", {})),
          "nbformat": source.get("nbformat", 4), "nbformat_minor": source.get("nbformat_minor", 5)}
    from .. import sanitize

    nb = sanitize.inert_notebook(nb)
    if submitted is None:  # no notebook was read: nbgrader comments on no answer (see _auto_comments)
        nb.setdefault("metadata", {})[STAND_IN] = True
    by_id = {c["id"]: c for c in tests.values() if isinstance(c.get("id"), str)}
    for cell in nb["cells"]:  # the instructor's own test cells stay exactly the source's (outputs: inert)
        test = by_id.get(cell.get("id")) or tests.get(_grade_id(nbgrader_meta(cell)))
        if test is not None and cell.get("cell_type") == "code":
            cell["source"] = copy.deepcopy(test["source"])
            cell["metadata"] = copy.deepcopy(test["metadata"])
    return _valid(nb), notes


def _valid(nb: dict) -> dict:
    """``nb`` as valid nbformat: the cells that fail the schema lose their own metadata, then their
    outputs, then become raw cells holding their text (the test cells are the source's and pass)."""
    import nbformat
    from nbformat.v4.nbbase import validate as validate_part

    def ok(node, ref=None) -> bool:
        try:
            if ref is None:
                nbformat.validate(node)
            else:
                validate_part(node, ref)
            return True
        except Exception:  # noqa: BLE001 - jsonschema's errors, or a structure it chokes on
            return False

    if ok(nb):
        return nb
    cells = []
    for cell in nb.get("cells", []):
        ref = f"{cell.get('cell_type')}_cell"
        if not ok(cell, ref):
            grade = (cell.get("metadata") or {}).get("nbgrader")
            cell["metadata"] = {"nbgrader": grade} if grade is not None else {}
            cell.pop("attachments", None)
        if not ok(cell, ref) and cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if not ok(cell, ref):
            cell = {"cell_type": "raw", "id": cell.get("id") or "cell", "metadata": {},
                    "source": cell_text(cell) if isinstance(cell, dict) else ""}
        cells.append(cell)
    nb["cells"] = cells
    if not ok(nb):
        nb["metadata"] = {}
    nbformat.validate(nb)  # raises: the caller records the failure
    return nb


def _submission_path(course: CourseDir, exercise: str, record: GradedSubmission) -> Path:
    folder = course.submitted(record.student, exercise)
    graded = Path(record.path or "")
    return graded if graded.parent == folder else folder / notebook_name(exercise)


def write_autograded(course: CourseDir, exercise: str, record: GradedSubmission,
                     lang: str = "en") -> tuple[Path, list[Msg]]:
    """Write the autograded notebook of ``record`` (see :func:`autograded_notebook`); returns its path and
    the notes on what was wrong with the submitted notebook."""
    from ..loader import LoadError, read_notebook

    name = notebook_name(exercise)
    source = json.loads((course.source(exercise) / name).read_text(encoding="utf-8"))
    try:
        released = json.loads((course.release(exercise) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        released = None
    path = _submission_path(course, exercise, record)
    submitted, note = None, None
    if path.suffix != ".ipynb":
        note = t("nb_py_submission", BOTH, path=path.name)
    else:
        try:
            submitted = read_notebook(path)
        except LoadError as exc:
            note = t("nb_unreadable", BOTH, error=t(exc.key, BOTH, **exc.details))
        except OSError as exc:
            note = t("nb_unreadable", BOTH, error=f"{type(exc).__name__}: {exc.strerror or exc}.")
    nb, notes = autograded_notebook(submitted, source, released, exercise, record, lang, note)
    out = course.autograded(record.student, exercise) / name
    # a lone surrogate (legal in JSON text, not in UTF-8) is written back as its \u escape
    atomic_write(out, (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace"))
    _copy_nbgrader_files(course, exercise, record.student)
    return out, notes
