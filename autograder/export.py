"""Grades out of the grades folder: reading the records, an LMS CSV, Gradescope's results.json.

The grades folder is what ``grader grade`` writes::

    GRADES/<ex>/<student>.json    one record: ExerciseResult.to_dict() plus "student" and "path"
    GRADES/<ex>/gradebook.csv     (not read here)

``lms_csv`` gives one row per student over every exercise found::

    student,ex3,ex4,total
    alice,10,9.5,19.5
    bob,0,,0               (empty: no ex4 submission recorded)

``gradescope_results`` gives Gradescope's autograder ``results.json`` form
(https://gradescope-autograders.readthedocs.io/en/latest/specs/)::

    {"score": 7.0, "output": "ex3 Inverted dropout: 7/10 …",
     "tests": [{"name", "score", "max_score", "output", "visibility"}]}

where each test's output is what the student may see (``redact.student_message``)
and hidden checks are "after_published".
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from . import registry
from .batch import atomic_write
from .messages import Text
from .redact import student_message
from .sanitize import csv_row, terminal

TEXTS = {
    "summary": Text("{ex} {title}: {score:g}/{max:g}. {passed} of {total} checks passed.",
                    "{ex} {title}: {score:g}/{max:g}. {passed} de {total} comprobaciones superadas."),
    "hidden_note": Text(" Hidden checks ({hidden}) are shown when grades are published.",
                        " Las comprobaciones ocultas ({hidden}) se muestran al publicar las notas."),
    "unloadable": Text(" The submission could not be loaded: {error}",
                       " No se pudo cargar la entrega: {error}"),
}


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


def read_records(grades_dir, exercise: str) -> list[dict]:
    """The records under ``grades_dir/<exercise>/*.json``, sorted by student.

    ``exercise`` is an id or slug. A missing folder gives []; a file that is
    not a record raises ValueError naming it.
    """
    folder = Path(grades_dir) / registry.get(exercise).id
    if not folder.is_dir():
        return []
    records = []
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
        records.append(rec)
    return sorted(records, key=lambda r: r["student"])


def lms_csv(grades_dir) -> str:
    """CSV text: ``student, <one column per exercise found>, total``, one row per student, sorted.

    A student's cell is empty for an exercise with no record; total sums the scores present.
    Cells go through ``sanitize.csv_cell`` (a student id such as ``=HYPERLINK(…)`` is written
    ``'=HYPERLINK(…)``, so no spreadsheet or LMS import evaluates it).
    """
    exercises = exercise_folders(grades_dir)
    scores: dict[str, dict[str, float]] = {}
    for ex in exercises:
        for rec in read_records(grades_dir, ex):
            scores.setdefault(rec["student"], {})[ex] = float(rec["score"])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(csv_row(["student", *exercises, "total"]))
    for student in sorted(scores):
        row = scores[student]
        writer.writerow(csv_row([student, *(f"{row[ex]:g}" if ex in row else "" for ex in exercises),
                                 f"{sum(row.values()):g}"]))
    return buf.getvalue()


def gradescope_results(record: dict, lang: str = "en") -> dict:
    """Gradescope's results.json object for one record (see the module docstring).

    Never carries hidden data: each test's output is ``student_message``; control characters
    and escape sequences from the submission are removed (``sanitize.terminal``).
    """
    ex = registry.get(record["exercise"])
    checks = record["checks"]
    hidden = [c for c in checks if c.get("hidden")]
    output = TEXTS["summary"](lang, ex=ex.id, title=ex.title if lang == "en" else ex.title_es,
                              score=float(record["score"]), max=float(record["max_score"]),
                              passed=sum(bool(c["passed"]) for c in checks), total=len(checks))
    if hidden:
        output += TEXTS["hidden_note"](lang, hidden=len(hidden))
    if record.get("error"):
        output += TEXTS["unloadable"](lang, error=terminal(record["error"]))
    return {
        "score": float(record["score"]),
        "output": output,
        "tests": [{"name": c["name"], "score": float(c["points"]), "max_score": float(c["max_points"]),
                   "output": terminal(student_message(c, lang, ex.id)),
                   "visibility": "after_published" if c.get("hidden") else "visible"}
                  for c in checks],
    }


def write_exports(grades_dir, out_dir, lang: str = "en") -> list[Path]:
    """Write ``out_dir/grades.csv`` and ``out_dir/gradescope/<ex>/<student>/results.json``; the paths written."""
    out = Path(out_dir)
    written = [out / "grades.csv"]
    atomic_write(written[0], lms_csv(grades_dir))
    for ex in exercise_folders(grades_dir):
        for rec in read_records(grades_dir, ex):
            path = out / "gradescope" / ex / safe_name(rec["student"]) / "results.json"
            atomic_write(path, json.dumps(gradescope_results(rec, lang), indent=1, ensure_ascii=False) + "\n")
            written.append(path)
    return written
