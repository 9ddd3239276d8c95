"""Who the students are, as the LMS downloads name them: ``COURSE/roster.json`` and nbgrader's gradebook.

``grader collect`` reads an identity from each LMS file name (see
:mod:`autograder.course.collect`) and keeps it here, so that ``grader export``
can write files the LMS takes back (:mod:`autograder.export`):

==========  ==============================================  ==============================================
LMS         read from the download                          kept
==========  ==============================================  ==============================================
Moodle      ``<Full name>_<participant>_assignsubmission_``  the full name as Moodle wrote it, and the
                                                            participant number *of that assignment*
                                                            (Moodle numbers participants per assignment:
                                                            the number its offline grading worksheet
                                                            calls ``Participant <n>``)
Canvas      ``<lastfirst>[_late]_<user id>_<file id>_…``     the Canvas user id (its gradebook's ``ID``)
                                                            and the lower-case ``lastfirst`` name
Blackboard  ``<assignment>_<username>_attempt_<time>…``     the username, and the full name from the
                                                            receipt (``Name: John Doe (jdoe)``) when the
                                                            download holds it
==========  ==============================================  ==============================================

Both stores are written:

* ``roster.json`` (UTF-8, in the course folder) keeps everything, per LMS::

      {"version": 1, "students": {"ana_maria_lopez": {
          "full_name": "Ana María López", "full_name_from": "moodle",
          "lms_user_id": "123456", "lms_user_id_from": "moodle",
          "moodle": {"full_name": "Ana María López", "participants": {"ex3": "123456", "ex4": "123999"}},
          "canvas": {"name": "lopezana", "user_id": "4242"},
          "blackboard": {"username": "jdoe", "full_name": "John Doe"}}}}

* nbgrader's gradebook (only when the course has one: ``grader init`` makes
  it): ``Student.first_name``/``last_name`` (the full name split at its first
  space — the LMS gives one string, so the split is a guess; a single word is
  the last name) and ``Student.lms_user_id``.

Better data is never replaced by worse. The course-wide ``full_name`` is
replaced only by a better kind of name (Moodle's and Blackboard's full names
rank above Canvas' ``lastfirst``) or by a newer one from the LMS it came from;
``lms_user_id`` likewise (a Canvas user id or a Blackboard username, stable
across assignments, rank above a Moodle participant number, which changes
from one assignment to the next: the first one seen is kept). Per-LMS
entries only grow (a Moodle collection of ex4 adds ex4's participant number,
ex3's stays). In the gradebook, a name or id is written only where the
field is empty or still holds what the roster put there before, so names an
instructor typed in (``nbgrader db student add``) stay.

Reading (:func:`load`, :func:`gradebook_students`) imports neither nbgrader
nor anything heavy: the gradebook is read with :mod:`sqlite3`, read-only.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write
from ..messages import Text, default_lang

__all__ = ["ROSTER_FILE", "Identity", "gradebook_students", "load", "remember", "split_name"]

ROSTER_FILE = "roster.json"
VERSION = 1
LMS_KINDS = ("moodle", "canvas", "blackboard")

# how good each kind of name / id is (higher wins; equal rank from another LMS keeps the first)
_NAME_RANK = {"moodle": 3, "blackboard": 3, "canvas": 1}
_ID_RANK = {"canvas": 2, "blackboard": 2, "moodle": 1}

# Moodle's folder prefix under blind marking is its "Participant" string, not a name
_ANONYMOUS = re.compile(r"^(participant|participante|teilnehmer/in|participant\(e\))$", re.IGNORECASE)

TEXTS = {
    "broken": Text("{path} cannot be read ({detail}); the identities read now are not stored (fix or remove it)",
                   "no se puede leer {path} ({detail}); las identidades leídas ahora no se guardan (corrígelo o "
                   "bórralo)"),
    "gradebook": Text("gradebook {path}: names and LMS ids not stored ({detail})",
                      "libro de calificaciones {path}: no se guardaron nombres ni ids del LMS ({detail})"),
}


@dataclass(frozen=True)
class Identity:
    """What one LMS file name says about one student (see the module docstring)."""

    student: str            # the course's student id (submitted/<student>/)
    lms: str                # "moodle", "canvas" or "blackboard"
    exercise: str           # the exercise (= LMS assignment) it was collected for
    user_id: str | None     # Moodle participant number, Canvas user id, Blackboard username
    full_name: str | None   # as the LMS wrote it; None when it gave none (Moodle blind marking)


def is_anonymous(name: str) -> bool:
    """Whether a Moodle folder name is its blind-marking "Participant" label rather than a person's name."""
    return bool(_ANONYMOUS.match(name.strip()))


def roster_path(course_root) -> Path:
    return Path(course_root) / ROSTER_FILE


def load(course_root) -> dict:
    """``{"version": 1, "students": {...}}`` from ``COURSE/roster.json``; an empty roster when there is none.

    ValueError (naming the file) when it exists but is not a roster.
    """
    path = roster_path(course_root)
    if not path.is_file():
        return {"version": VERSION, "students": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("students"), dict) or not all(
            isinstance(v, dict) for v in data["students"].values()):
        raise ValueError(f"{path}: not a roster (needs an object of students)")
    return data


def split_name(full_name: str | None) -> tuple[str | None, str | None]:
    """(first_name, last_name) for nbgrader: split at the first space; one word is the last name."""
    if not full_name or not full_name.strip():
        return None, None
    first, _, last = " ".join(full_name.split()).partition(" ")
    return (first, last) if last else (None, first)


def _merge(entry: dict, ident: Identity) -> None:
    """Fold one identity into a student's roster entry (the rules of the module docstring)."""
    lms = ident.lms
    if not isinstance(entry.get(lms), dict):  # absent, or spoiled by a hand edit
        entry[lms] = {}
    own = entry[lms]
    name = ident.full_name
    if lms == "moodle":
        if name:
            own["full_name"] = name
        if ident.user_id:
            if not isinstance(own.get("participants"), dict):
                own["participants"] = {}
            own["participants"][ident.exercise] = ident.user_id
    elif lms == "canvas":
        if name:
            own["name"] = name
        if ident.user_id:
            own["user_id"] = ident.user_id
    else:
        if ident.user_id:
            own["username"] = ident.user_id
        if name:
            own["full_name"] = name

    if name:
        old_from = entry.get("full_name_from")
        if (not entry.get("full_name") or old_from == lms
                or _NAME_RANK.get(lms, 0) > _NAME_RANK.get(old_from, 0)):
            entry["full_name"], entry["full_name_from"] = name, lms
    if ident.user_id:
        old_from = entry.get("lms_user_id_from")
        stable = lms != "moodle"  # a Moodle participant number is per assignment: keep the first one
        if (not entry.get("lms_user_id") or (old_from == lms and stable)
                or _ID_RANK.get(lms, 0) > _ID_RANK.get(old_from, 0)):
            entry["lms_user_id"], entry["lms_user_id_from"] = ident.user_id, lms


def _gradebook_fields(entry: dict | None) -> dict:
    entry = entry or {}
    first, last = split_name(entry.get("full_name"))
    return {"first_name": first, "last_name": last, "lms_user_id": entry.get("lms_user_id")}


def remember(course, identities) -> list[str]:
    """Store ``identities`` (:class:`Identity`) in ``roster.json`` and the course's gradebook.

    ``course`` is a :class:`~autograder.course.CourseDir`. Returns warnings
    (a roster that cannot be read is left as it is; a gradebook that cannot be
    written leaves the roster written). nbgrader is imported only when the
    course has a ``gradebook.db``.
    """
    identities = [i for i in identities if i.lms in LMS_KINDS]
    if not identities:
        return []
    lang = default_lang()
    try:
        roster = load(course.root)
    except ValueError as exc:
        return [TEXTS["broken"](lang, path=roster_path(course.root), detail=str(exc).partition(": ")[2])]
    students = roster["students"]
    before = {sid: json.loads(json.dumps(students.get(sid))) for sid in {i.student for i in identities}}
    for ident in identities:
        _merge(students.setdefault(ident.student, {}), ident)
    roster["version"] = VERSION
    roster["students"] = dict(sorted(students.items()))
    atomic_write(roster_path(course.root), json.dumps(roster, indent=1, ensure_ascii=False) + "\n")
    if not course.gradebook.is_file():
        return []
    try:
        _sync_gradebook(course, {sid: (before[sid], students[sid]) for sid in before})
    except Exception as exc:  # noqa: BLE001 - nbgrader/SQLAlchemy errors: the roster is kept, collect goes on
        return [TEXTS["gradebook"](lang, path=course.gradebook, detail=f"{type(exc).__name__}: {exc}"[:300])]
    return []


def _sync_gradebook(course, changes: dict[str, tuple[dict | None, dict]]) -> None:
    from nbgrader.api import MissingEntry

    from .nb import gradebook

    with gradebook(course) as gb:
        for sid, (old_entry, new_entry) in sorted(changes.items()):
            old, new = _gradebook_fields(old_entry), _gradebook_fields(new_entry)
            try:
                st = gb.find_student(sid)
                cur = {k: getattr(st, k) for k in new}
            except MissingEntry:
                cur = {k: None for k in new}
            fields = {}
            names = ("first_name", "last_name")
            cur_names, old_names, new_names = ([d[k] or None for k in names] for d in (cur, old, new))
            if any(new_names) and new_names != cur_names and (not any(cur_names) or cur_names == old_names):
                fields.update(zip(names, new_names))
            if new["lms_user_id"] and new["lms_user_id"] != cur["lms_user_id"] and (
                    not cur["lms_user_id"] or cur["lms_user_id"] == old["lms_user_id"]):
                fields["lms_user_id"] = new["lms_user_id"]
            gb.update_or_create_student(sid, **fields)


def gradebook_students(course_root) -> dict[str, dict]:
    """``{student id: {"first_name", "last_name", "email", "lms_user_id"}}`` from the course's
    gradebook.db, read-only with :mod:`sqlite3` (no nbgrader); {} when there is none.

    sqlite3.Error (a locked or broken database, no ``student`` table) propagates.
    """
    path = Path(course_root) / "gradebook.db"
    if not path.is_file():
        return {}
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT id, first_name, last_name, email, lms_user_id FROM student").fetchall()
    finally:
        con.close()
    return {row[0]: dict(zip(("first_name", "last_name", "email", "lms_user_id"), row[1:])) for row in rows}
