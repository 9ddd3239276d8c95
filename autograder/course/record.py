"""Record the grader's results in nbgrader's gradebook, per test cell, through nbgrader's own API.

Each check belongs to a test cell (``Check.cell``; nbgrader grade id
``test_<cell>``); the cell's auto score is the sum of its checks' points, the
same number the cell itself returns when ``nbgrader autograde`` runs it. An
autograded copy of the submitted notebook is written with each test cell's
output (one line per check, hidden ones redacted, then the score), so the
formgrader and ``nbgrader generate_feedback`` have a notebook to show.
Recording is idempotent: a result recorded twice leaves the same rows.
"""
from __future__ import annotations

import json
import warnings
from datetime import datetime, timezone
from pathlib import Path

from ..batch import atomic_write
from ..grading import exercise_module
from . import CourseDir, nb, notebook_name


def cell_scores(record: dict, exercise: str) -> dict[str, float]:
    """grade id (``test_<cell>``) -> points earned in that cell."""
    cell_of = {c.name: c.cell for c in exercise_module(exercise).CHECKS}
    scores: dict[str, float] = {f"test_{c.cell}": 0.0 for c in exercise_module(exercise).CHECKS}
    for check in record["checks"]:
        cell = cell_of.get(check["name"])
        if cell is not None:
            scores[f"test_{cell}"] += float(check["points"])
    return scores


def _timestamp(course: CourseDir, student: str, exercise: str):
    """The submission time from timestamp.txt (naive UTC, as nbgrader stores it), else now."""
    from .collect import _parse_timestamp

    stamp = course.submitted(student, exercise) / "timestamp.txt"
    parsed = _parse_timestamp(stamp.read_text()) if stamp.is_file() else None
    when = parsed or datetime.now(timezone.utc)
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def record_in_gradebook(course: CourseDir, exercise: str, records: list[dict]) -> None:
    """Write each record's per-cell scores into the gradebook (creating students and submissions)."""
    with warnings.catch_warnings(), nb.gradebook(course) as gb:
        # nbgrader's add_submission triggers SQLAlchemy autoflush warnings that mean nothing here
        warnings.simplefilter("ignore")
        gb.update_or_create_assignment(exercise)
        for record in records:
            student = record["student"]
            gb.update_or_create_student(student)
            try:
                submission = gb.find_submission(exercise, student)
            except Exception:  # nbgrader raises MissingEntry
                submission = gb.add_submission(exercise, student, timestamp=_timestamp(course, student, exercise))
            scores = cell_scores(record, exercise)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in scores:
                        grade.auto_score = scores[grade.name]
            gb.db.commit()


def _cell_outputs(exercise: str, cell: str, record: dict, score: float) -> list[dict]:
    from ..redact import student_message

    lines = []
    for check in record["checks"]:
        if next((c.cell for c in exercise_module(exercise).CHECKS if c.name == check["name"]), None) != cell:
            continue
        mark = "✓" if check["passed"] else "✗"
        message = "" if check["passed"] else ": " + student_message(check, "en")
        lines.append(f"{mark} {check['name']} ({check['points']:g}/{check['max_points']:g}){message}\n")
    outputs = [{"name": "stdout", "output_type": "stream", "text": lines}] if lines else []
    outputs.append({"data": {"text/plain": [f"{score:g}"]}, "execution_count": None, "metadata": {},
                    "output_type": "execute_result"})
    return outputs


def write_autograded(course: CourseDir, exercise: str, record: dict) -> Path | None:
    """The submitted notebook with its test cells restored from the source and their outputs filled in."""
    name = notebook_name(exercise)
    submitted = course.submitted(record["student"], exercise) / name
    source = course.source(exercise) / name
    try:
        sub = json.loads(submitted.read_text(encoding="utf-8"))
        src = json.loads(source.read_text(encoding="utf-8"))
        cells = sub["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # an unreadable notebook: the gradebook still holds its (zero) scores
    tests = {c["metadata"]["nbgrader"]["grade_id"]: c for c in src["cells"]
             if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c["cell_type"] == "code"}
    scores = cell_scores(record, exercise)
    for cell in cells:
        grade_id = (cell.get("metadata") or {}).get("nbgrader", {}).get("grade_id")
        if grade_id in tests:
            cell["source"] = tests[grade_id]["source"]
            cell["outputs"] = _cell_outputs(exercise, grade_id[len("test_"):], record, scores.get(grade_id, 0.0))
    path = course.autograded(record["student"], exercise) / name
    atomic_write(path, json.dumps(sub, indent=1, ensure_ascii=False) + "\n")
    stamp = course.submitted(record["student"], exercise) / "timestamp.txt"
    if stamp.is_file():
        atomic_write(path.parent / "timestamp.txt", stamp.read_text())
    return path

