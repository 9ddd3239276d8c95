"""Grades out of the grades folder: reading the records, LMS grade files, Gradescope's results.json.

The grades folder is what ``grader grade`` writes::

    GRADES/<ex>/<student>.json    one record: GradedSubmission.to_dict() (ExerciseResult.to_dict() plus
                                  "student", "path" and "sha256"), read back as a GradedSubmission
    GRADES/<ex>/gradebook.csv     (not read here)

When the grades folder belongs to a course (``COURSE/grades``, or ``course_dir``
given), the class list is every student of the course: those with a record,
those in ``COURSE/roster.json`` (the identities ``grader collect`` read from
the LMS download, :mod:`autograder.course.roster`), those in nbgrader's
gradebook (read with :mod:`sqlite3`, nbgrader is not imported) and those with
a folder under ``submitted/``. A student with no record for an exercise gets a
row with an empty grade, never no row. Maximum grades are the exercise's
points (``registry.get(ex).points``). Every cell goes through
``sanitize.csv_cell`` (a name such as ``=HYPERLINK(…)`` is written
``'=HYPERLINK(…)``); files are UTF-8 without a BOM (both LMSs read UTF-8),
names keep their accents.

``exports/grades.csv`` (:func:`lms_csv`), one row per student over every exercise found::

    student,full_name,lms,lms_user_id,ex3,ex4,total
    ana_maria_lopez,Ana María López,moodle,123456,10,9.5,19.5
    bob,,,,0,,0            (empty: no ex4 record; total sums the scores present)

``lms``/``lms_user_id`` are what nbgrader's ``Student.lms_user_id`` holds: a
Canvas user id or Blackboard username, else the first Moodle participant number.

``exports/moodle/<ex>_grading_worksheet.csv`` (:func:`moodle_worksheet`), written when
the roster knows Moodle participants: the assignment's *offline grading
worksheet*, which Moodle takes back through the assignment's "Upload grading
worksheet" (the assignment needs the "Offline grading worksheet" feedback type
on). Its columns, as Moodle's own worksheet names them::

    Identifier,Full name,Email address,Status,Grade,Maximum grade,Grade can be changed,
    Last modified (submission),Last modified (grade),Feedback comments
    Participant 123456,Ana María López,,Submitted for grading - Graded,7,10.00,Yes,2026-10-03T08:15:00+02:00,…
    ,Zoë Çelik,,No submission,,10.00,Yes,,,

Moodle's importer (``mod/assign/feedback/offline/importgradeslib.php``,
``locallib.php``) finds the columns ``Identifier``, ``Grade`` and ``Last
modified (grade)`` by these names, reads the participant from ``Identifier``
by cutting off its "Participant " string, and skips a row whose grade is empty,
above the assignment's maximum or older (``Last modified (grade)``, here the
time the record was written) than a grade changed in Moodle since, unless
"Ignore last modified date" is ticked; ``Feedback comments`` replaces the
comments (a short score summary here; empty rows change nothing). Moodle
numbers participants per assignment, so the number is the one the same
assignment's download gave (the roster keeps it per exercise); a student not
in that download (no submission) has an empty Identifier, which Moodle
passes over. The column names and "Participant " are Moodle's *English*
language strings: upload the file with Moodle's interface in English. The
assignment's maximum grade should equal the ``Maximum grade`` shown.

``exports/canvas/grades.csv`` (:func:`canvas_csv`), written when the roster knows Canvas
users: Canvas' gradebook import ("Gradebook → Import")::

    Student,ID,SIS User ID,SIS Login ID,Section,ex3 (12345),ex4
    Points Possible,,,,,10,10
    Ana López,4242,,,,7,

Canvas' importer (``app/models/gradebook_importer.rb``) needs a header whose
first cells are ``Student`` and ``ID`` and whose student columns end with
``Section`` (``SIS User ID``, ``SIS Login ID`` between them); it finds each
student by ``ID`` (the Canvas user id from the download's file names) and
reads a row starting ``Points Possible`` as the points of new assignments. An
assignment column ``<name> (<Canvas assignment id>)`` updates that assignment
(``--canvas-assignment ex3=12345``); a bare name updates the assignment of
exactly that name, or creates one. An empty cell gives no grade (Canvas' import
preview shows it as a change where a grade was entered by hand).

``gradescope_results`` gives Gradescope's autograder ``results.json`` form
(https://gradescope-autograders.readthedocs.io/en/latest/specs/)::

    {"score": 7.0, "output": "ex3 Inverted dropout: 7/10 …",
     "tests": [{"name", "score", "max_score", "output", "visibility"}]}

where each test's output is what the student may see (``CheckResult.student_message``)
and hidden checks are "after_published".
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import registry
from .files import atomic_write
from .messages import Text
from .results import GradedSubmission
from .sanitize import csv_row, terminal

TEXTS = {
    "summary": Text("{ex} {title}: {score:g}/{max:g}. {passed} of {total} checks passed.",
                    "{ex} {title}: {score:g}/{max:g}. {passed} de {total} comprobaciones superadas."),
    "hidden_note": Text(" Hidden checks ({hidden}) are shown when grades are published.",
                        " Las comprobaciones ocultas ({hidden}) se muestran al publicar las notas."),
    "unloadable": Text(" The submission could not be loaded: {error}",
                       " No se pudo cargar la entrega: {error}"),
    # Moodle worksheet's Status column (informative: Moodle's importer does not read it)
    "status_graded": Text("Submitted for grading - Graded", "Enviado para calificar - Calificado"),
    "status_submitted": Text("Submitted for grading", "Enviado para calificar"),
    "status_none": Text("No submission", "Sin entrega"),
    "yes": Text("Yes", "Sí"),
    # warnings
    "roster_unreadable": Text("{detail}: the course's roster is not used (names and LMS ids left empty)",
                              "{detail}: no se usa el roster del curso (nombres e ids del LMS vacíos)"),
    "gradebook_unreadable": Text("{path}: the gradebook cannot be read ({detail}); its students are not listed",
                                 "{path}: no se puede leer el libro de calificaciones ({detail}); sus estudiantes "
                                 "no se listan"),
    "moodle_no_participant": Text(
        "{path}: {count} graded student(s) have no Moodle participant number for {ex} (their {ex} file did not "
        "come from Moodle's {ex} download), so Moodle will skip their row: {students}",
        "{path}: {count} estudiante(s) con nota no tienen número de participante de Moodle para {ex} (su fichero "
        "de {ex} no vino de la descarga de {ex} de Moodle), así que Moodle saltará su fila: {students}"),
    "not_in_lms": Text("{path}: {count} graded student(s) unknown to {lms} are left out: {students}",
                       "{path}: se omiten {count} estudiante(s) con nota que {lms} no conoce: {students}"),
}

MOODLE_COLUMNS = ("Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade",
                  "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
                  "Feedback comments")
MOODLE_PARTICIPANT = "Participant "  # Moodle's English 'hiddenuser' string, the Identifier's prefix
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"


def safe_name(student: str) -> str:
    """``student`` when it can name a file or folder (no separators, not hidden); ValueError otherwise."""
    if not student or student in (".", "..") or student.startswith(".") or any(c in student for c in "/\\\0"):
        raise ValueError(f"student id {student!r} cannot name a file")
    return student


def exercise_folders(grades_dir) -> list[str]:
    """Ids of the exercises with a folder under ``grades_dir`` that holds at least one record, in course order."""
    root = Path(grades_dir)
    return [e.id for e in registry.EXERCISES if (root / e.id).is_dir() and _record_files(root / e.id)]


def _record_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.is_file() and not p.name.startswith("."))


def _read_folder(folder: Path) -> list[tuple[Path, GradedSubmission]]:
    out = []
    for path in _record_files(folder):
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a readable grade record ({exc})") from None
        if not isinstance(rec, dict) or not {"score", "max_score", "checks"} <= rec.keys():
            raise ValueError(f"{path}: not a grade record (needs score, max_score and checks)")
        rec.setdefault("student", path.stem)
        rec.setdefault("exercise", folder.name)
        rec.setdefault("error", None)
        out.append((path, GradedSubmission.from_dict(rec)))
    return sorted(out, key=lambda pr: pr[1].student)


def read_records(grades_dir, exercise: str) -> list[GradedSubmission]:
    """The graded submissions under ``grades_dir/<exercise>/*.json``, sorted by student.

    ``exercise`` is an id or slug. A missing folder gives []; a file that is
    not a record raises ValueError naming it.
    """
    folder = Path(grades_dir) / registry.get(exercise).id
    return [rec for _, rec in _read_folder(folder)] if folder.is_dir() else []


# --------------------------------------------------------------------------- the class

@dataclass
class Person:
    """One student as the exports name them (see the module docstring)."""

    student: str
    full_name: str = ""
    lms: str = ""                  # where lms_user_id comes from
    lms_user_id: str = ""
    email: str = ""
    moodle: dict | None = None     # roster.json's "moodle" entry: {"full_name", "participants": {ex: number}}
    canvas: dict | None = None     # roster.json's "canvas" entry: {"name", "user_id"}


@dataclass
class ClassList:
    """Everyone to export, each exercise's records by student, and what could not be read."""

    exercises: list[str]
    people: dict[str, Person]
    records: dict[str, dict[str, tuple[Path, GradedSubmission]]]  # exercise -> student -> (its file, it)
    course: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def submitted(self, student: str, ex: str) -> bool:
        return self.course is not None and (self.course / "submitted" / student / ex).is_dir()

    def submission_time(self, student: str, ex: str) -> str:
        """The submission's ``timestamp.txt`` (as written there), or ""."""
        if self.course is None:
            return ""
        stamp = self.course / "submitted" / student / ex / "timestamp.txt"
        try:
            return stamp.read_text(encoding="utf-8", errors="replace").strip()[:64] if stamp.is_file() else ""
        except OSError:
            return ""


def course_of(grades_dir, course_dir=None) -> Path | None:
    """``course_dir``, else the folder holding ``grades_dir`` when it is a course (has nbgrader_config.py)."""
    if course_dir is not None:
        return Path(course_dir)
    parent = Path(grades_dir).resolve().parent
    return parent if (parent / "nbgrader_config.py").is_file() else None


def class_list(grades_dir, course_dir=None, lang: str = "en") -> ClassList:
    """The records of every exercise found and the students to export (see the module docstring).

    A record that cannot be read raises ValueError naming it; a roster or gradebook that cannot be
    read is passed over with a warning.
    """
    from .course import CourseDir
    from .course.roster import gradebook_students, load

    exercises = exercise_folders(grades_dir)
    records = {ex: {rec.student: (path, rec) for path, rec in _read_folder(Path(grades_dir) / ex)}
               for ex in exercises}
    root = course_of(grades_dir, course_dir)
    result = ClassList(exercises, {}, records, root)
    people = result.people

    def person(sid: str) -> Person:
        return people.setdefault(sid, Person(sid))

    for by_student in records.values():
        for sid in by_student:
            person(sid)
    if root is None:
        return result
    try:
        roster = load(root)["students"]
    except ValueError as exc:
        result.warnings.append(TEXTS["roster_unreadable"](lang, detail=str(exc)))
        roster = {}
    try:
        gradebook = gradebook_students(root)
    except sqlite3.Error as exc:
        result.warnings.append(TEXTS["gradebook_unreadable"](lang, path=root / "gradebook.db", detail=str(exc)))
        gradebook = {}
    for sid in CourseDir(root).students():
        person(sid)
    for sid, entry in roster.items():
        p = person(sid)
        p.full_name = str(entry.get("full_name") or "")
        p.lms_user_id = str(entry.get("lms_user_id") or "")
        p.lms = str(entry.get("lms_user_id_from") or "") if p.lms_user_id else ""
        p.moodle = entry.get("moodle") if isinstance(entry.get("moodle"), dict) else None
        p.canvas = entry.get("canvas") if isinstance(entry.get("canvas"), dict) else None
    for sid, row in gradebook.items():
        p = person(sid)
        if not p.full_name:
            p.full_name = " ".join(str(n) for n in (row["first_name"], row["last_name"]) if n)
        if not p.lms_user_id and row["lms_user_id"]:
            p.lms_user_id = str(row["lms_user_id"])
        p.email = str(row["email"] or "")
    return result


def _num(value) -> str:
    return f"{float(value):g}"


def _iso_mtime(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).astimezone().isoformat(timespec="seconds")


def _csv_text(rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(csv_row(row))
    return buf.getvalue()


def _short_list(students: list[str], limit: int = 10) -> str:
    shown = ", ".join(terminal(s) for s in students[:limit])
    return shown + (f", … (+{len(students) - limit})" if len(students) > limit else "")


# --------------------------------------------------------------------------- the plain CSV

def lms_csv(grades_dir, course_dir=None, *, classes: ClassList | None = None) -> str:
    """CSV text: ``student, full_name, lms, lms_user_id, <one column per exercise found>, total``.

    One row per student of the class (see the module docstring), sorted by id. A student's
    cell is empty for an exercise with no record; total sums the scores present (empty when
    there are none). Cells go through ``sanitize.csv_cell`` (a student id or name such as
    ``=HYPERLINK(…)`` is written ``'=HYPERLINK(…)``, so no spreadsheet or LMS import evaluates it).
    """
    c = classes or class_list(grades_dir, course_dir)
    rows = [["student", "full_name", "lms", "lms_user_id", *c.exercises, "total"]]
    for sid in sorted(c.people):
        p = c.people[sid]
        scores = {ex: float(c.records[ex][sid][1].score) for ex in c.exercises if sid in c.records[ex]}
        rows.append([sid, p.full_name, p.lms, p.lms_user_id,
                     *(_num(scores[ex]) if ex in scores else "" for ex in c.exercises),
                     _num(sum(scores.values())) if scores else ""])
    return _csv_text(rows)


# --------------------------------------------------------------------------- Moodle

def moodle_worksheet(grades_dir, exercise: str, course_dir=None, lang: str = "en", *,
                     classes: ClassList | None = None, warnings: list | None = None) -> str | None:
    """CSV text of Moodle's offline grading worksheet for ``exercise`` (see the module docstring);
    None when the course's roster knows no Moodle participant.

    One row per student Moodle gave the course (any exercise), sorted by id; graded students
    Moodle does not know, and graded ones without a participant number for this exercise, are
    named in ``warnings``.
    """
    c = classes or class_list(grades_dir, course_dir, lang)
    ex = registry.get(exercise)
    known = sorted(sid for sid, p in c.people.items() if p.moodle is not None)
    if not known:
        return None
    by_student = c.records.get(ex.id, {})
    path_label = f"moodle/{ex.id}_grading_worksheet.csv"
    rows = [list(MOODLE_COLUMNS)]
    no_number = []
    for sid in known:
        p = c.people[sid]
        participants = p.moodle.get("participants") if isinstance(p.moodle.get("participants"), dict) else {}
        number = participants.get(ex.id)
        found = by_student.get(sid)
        if found:
            path, rec = found
            checks = rec.checks
            status = TEXTS["status_graded"](lang)
            grade, graded_at = _num(rec.score), _iso_mtime(path)
            comment = TEXTS["summary"](lang, ex=ex.id, title=ex.title if lang == "en" else ex.title_es,
                                       score=float(rec.score), max=ex.points,
                                       passed=sum(bool(ch.passed) for ch in checks), total=len(checks))
            if not number:
                no_number.append(sid)
        else:
            status = TEXTS["status_submitted" if c.submitted(sid, ex.id) else "status_none"](lang)
            grade = graded_at = comment = ""
        rows.append([f"{MOODLE_PARTICIPANT}{number}" if number else "",
                     p.moodle.get("full_name") or p.full_name, p.email, status, grade, f"{ex.points:.2f}",
                     TEXTS["yes"](lang), c.submission_time(sid, ex.id), graded_at, comment])
    if warnings is not None:
        if no_number:
            warnings.append(TEXTS["moodle_no_participant"](lang, path=path_label, count=len(no_number), ex=ex.id,
                                                           students=_short_list(no_number)))
        unknown = sorted(sid for sid in by_student if c.people[sid].moodle is None)
        if unknown:
            warnings.append(TEXTS["not_in_lms"](lang, path=path_label, count=len(unknown), lms="Moodle",
                                                students=_short_list(unknown)))
    return _csv_text(rows)


# --------------------------------------------------------------------------- Canvas

def canvas_csv(grades_dir, course_dir=None, canvas_ids: dict[str, str] | None = None, lang: str = "en", *,
               classes: ClassList | None = None, warnings: list | None = None) -> str | None:
    """CSV text of Canvas' gradebook import over every exercise found (see the module docstring);
    None when the course's roster knows no Canvas user.

    ``canvas_ids`` maps an exercise id to its Canvas assignment id (the column is then
    ``<ex> (<id>)``). One row per student with a Canvas user id, sorted by id, after the
    ``Points Possible`` row; graded students without one are named in ``warnings``.
    """
    c = classes or class_list(grades_dir, course_dir, lang)
    canvas_ids = {registry.get(k).id: str(v) for k, v in (canvas_ids or {}).items()}
    known = sorted(sid for sid, p in c.people.items() if p.canvas and p.canvas.get("user_id"))
    if not known:
        return None
    names = [f"{ex} ({canvas_ids[ex]})" if ex in canvas_ids else ex for ex in c.exercises]
    rows = [[*CANVAS_STUDENT_COLUMNS, *names],
            [CANVAS_POINTS_ROW, "", "", "", "", *(_num(registry.get(ex).points) for ex in c.exercises)]]
    for sid in known:
        p = c.people[sid]
        rows.append([p.full_name or p.canvas.get("name") or sid, str(p.canvas["user_id"]), "", "", "",
                     *(_num(c.records[ex][sid][1].score) if sid in c.records[ex] else "" for ex in c.exercises)])
    if warnings is not None:
        unknown = sorted({sid for ex in c.exercises for sid in c.records[ex]} - set(known))
        if unknown:
            warnings.append(TEXTS["not_in_lms"](lang, path="canvas/grades.csv", count=len(unknown), lms="Canvas",
                                                students=_short_list(unknown)))
    return _csv_text(rows)


def gradescope_results(record: GradedSubmission, lang: str = "en") -> dict:
    """Gradescope's results.json object (a dict: it is written as JSON) for one graded submission
    (see the module docstring).

    Never carries hidden data: each test's output is ``CheckResult.student_message``; control
    characters and escape sequences from the submission are removed (``sanitize.terminal``).
    """
    ex = registry.get(record.exercise)
    checks = record.checks
    hidden = [c for c in checks if c.hidden]
    output = TEXTS["summary"](lang, ex=ex.id, title=ex.title if lang == "en" else ex.title_es,
                              score=float(record.score), max=float(record.max_score),
                              passed=sum(bool(c.passed) for c in checks), total=len(checks))
    if hidden:
        output += TEXTS["hidden_note"](lang, hidden=len(hidden))
    if record.error():
        output += TEXTS["unloadable"](lang, error=terminal(record.error(lang)))
    return {
        "score": float(record.score),
        "output": output,
        "tests": [{"name": c.title(lang), "score": float(c.points), "max_score": float(c.max_points),
                   "output": terminal(c.student_message(lang, ex.id)),
                   "visibility": "after_published" if c.hidden else "visible"}
                  for c in checks],
    }


@dataclass
class Exports:
    """What :func:`export_all` wrote, and what the instructor should know about it."""

    plain: Path
    moodle: list[Path] = field(default_factory=list)
    canvas: Path | None = None
    gradescope: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [self.plain, *self.moodle, *([self.canvas] if self.canvas else []), *self.gradescope]


def export_all(grades_dir, out_dir, lang: str = "en", course_dir=None,
               canvas_ids: dict[str, str] | None = None) -> Exports:
    """Write every export (see the module docstring) under ``out_dir``:

    ``grades.csv``; ``moodle/<ex>_grading_worksheet.csv`` per exercise and
    ``canvas/grades.csv`` when the course's roster knows Moodle participants /
    Canvas users; ``gradescope/<ex>/<student>/results.json`` per record. The
    course is ``course_dir``, else the folder holding ``grades_dir`` when it
    is one; without a course only ``grades.csv`` and Gradescope's files are
    written, with the students that have records.
    """
    out = Path(out_dir)
    classes = class_list(grades_dir, course_dir, lang)
    result = Exports(out / "grades.csv", warnings=list(classes.warnings))
    atomic_write(result.plain, lms_csv(grades_dir, classes=classes))
    for ex in classes.exercises:
        text = moodle_worksheet(grades_dir, ex, lang=lang, classes=classes, warnings=result.warnings)
        if text is not None:
            path = out / "moodle" / f"{ex}_grading_worksheet.csv"
            atomic_write(path, text)
            result.moodle.append(path)
    text = canvas_csv(grades_dir, canvas_ids=canvas_ids, lang=lang, classes=classes, warnings=result.warnings)
    if text is not None:
        result.canvas = out / "canvas" / "grades.csv"
        atomic_write(result.canvas, text)
    for ex in classes.exercises:
        for _, rec in classes.records[ex].values():
            path = out / "gradescope" / ex / safe_name(rec.student) / "results.json"
            atomic_write(path, json.dumps(gradescope_results(rec, lang), indent=1, ensure_ascii=False) + "\n")
            result.gradescope.append(path)
    return result


def write_exports(grades_dir, out_dir, lang: str = "en", course_dir=None,
                  canvas_ids: dict[str, str] | None = None) -> list[Path]:
    """:func:`export_all`, returning the paths written: ``grades.csv`` first, then the Moodle
    worksheets, the Canvas file and the Gradescope files."""
    return export_all(grades_dir, out_dir, lang, course_dir, canvas_ids).paths
