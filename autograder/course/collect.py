"""Collect students' submissions into ``submitted/<student>/<ex>/`` of a course folder.

Three sources, one result (:class:`CollectReport`):

* :func:`collect_from_folder` — a folder as an LMS download unpacks it;
* :func:`collect_from_zip` — the same, read straight from the zip (never extracted);
* :func:`collect_from_exchange` — nbgrader's own exchange, through nbgrader's API
  (:mod:`autograder.course.exchange`, re-exported here).

This module is the collection itself: it takes the entries of a folder or a
zip (:mod:`autograder.course.sources`), reads who and what each one is
(:mod:`autograder.course.lms`, which lists the Moodle, Canvas, Blackboard and
plain formats and the student id each gives), chooses one file per student and
writes it into the course. The command ``grader collect`` and its tables are
in :mod:`autograder.cli_course`; this module imports neither click nor rich.

Each collected file is written as ``submitted/<student>/<ex>/<ex>_<slug>.ipynb``
(``.py`` submissions keep ``.py``: ``<ex>_<slug>.py``), with a ``timestamp.txt``
beside it, as nbgrader writes one: the submission time in ISO 8601 with its UTC
offset (from the LMS attempt time where the name carries one, else from the
zip entry's time, read as local time, else from the file's mtime). Files are
written atomically, with the submission time as their mtime.

When two different people give the same id (two Moodle participants named
alike, two Canvas logins ``lopezana`` with different user numbers), each gets
``<id>_<their LMS number>`` and the report warns. An exercise-named file at
the top of a *folder* source is that folder's own student (as ``grader grade``
reads a one-student folder). Who each person is (see
:mod:`autograder.course.lms`) is kept by :mod:`autograder.course.roster` for
every person found, also when their file was not taken. Two same-named Moodle
participants keep ``<id>_<participant number>``; Moodle numbers participants
per assignment, so such a person has a different id in each exercise.

Choosing among several files of one student: files named for this exercise
(``ex3*``, ``dropout*``) win over other notebooks; files named for another
exercise are skipped; then the latest wins: Blackboard attempt time, then
Canvas resubmission number, then a notebook before a ``.py`` of the same
attempt, then the modification time. Every file not taken is listed in
``skipped`` with the reason.

Ignored silently (listed in ``ignored``): ``__MACOSX``, ``.DS_Store`` and other
dot-files, ``.ipynb_checkpoints``, ``__pycache__``, Blackboard receipts,
Moodle online-text pages, nbgrader's ``timestamp.txt``/``submission_secret.txt``.
Other non-notebook files are skipped with a reason. No file over
:data:`MAX_FILE_BYTES` (50 MB) is read (the zip's declared size and the bytes
actually read are both checked); zip-slip, symbolic links and encrypted
entries are refused by :mod:`autograder.course.sources`.

Overwriting: an existing ``submitted/<student>/<ex>/`` submission is replaced
only by a strictly newer one (its ``timestamp.txt``, else its file's mtime,
against the incoming submission time), like ``nbgrader collect --update``;
``force=True`` replaces it whatever its time. A replacement removes the
previous ``<ex>_<slug>.ipynb``/``.py`` so a stale file cannot be graded.

nbgrader is imported only by :func:`collect_from_exchange`.
"""
from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from .. import registry
from ..files import atomic_write
from . import CourseDir, notebook_name, roster
from .collected import Collected, CollectReport, Skipped
from .exchange import collect_from_exchange
from .lms import (_Candidate, _Entry, _identify, _iso, _lms_junk, _names_exercise, _other_exercise,
                  _parse_timestamp, _plain_prefix, _receipt_name, _TooLarge, sanitize_student_id)
from .sources import _folder_entries, _is_junk, _zip_entries

__all__ = ["MAX_FILE_BYTES", "CollectReport", "Collected", "Skipped", "collect_from_exchange",
           "collect_from_folder", "collect_from_zip", "sanitize_student_id"]

#: the largest submission file read (bytes).
MAX_FILE_BYTES = 50 * 1024 * 1024
SUFFIXES = (".ipynb", ".py")


# --------------------------------------------------------------------------- writing

def _write_bytes(path: Path, data: bytes, mtime: datetime | None = None) -> None:
    atomic_write(path, data)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))


def _canonical_names(ex: registry.Exercise) -> tuple[str, str]:
    nb = notebook_name(ex.id)
    return nb, str(PurePosixPath(nb).with_suffix(".py"))


def _existing_time(dest: Path, ex: registry.Exercise) -> tuple[bool, datetime | None]:
    """(is there a submission already, its time)."""
    files = [dest / n for n in _canonical_names(ex) if (dest / n).is_file()]
    if not files:
        return False, None
    stamp = dest / "timestamp.txt"
    if stamp.is_file():
        ts = _parse_timestamp(stamp.read_text(encoding="utf-8", errors="replace"))
        if ts is not None:
            return True, ts
    return True, datetime.fromtimestamp(max(f.stat().st_mtime for f in files), timezone.utc)


def _content_warning(data: bytes, suffix: str, label: str) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"{label}: not UTF-8 text; collected anyway, grading will report it"
    if suffix == ".ipynb":
        try:
            nb = json.loads(text)
        except json.JSONDecodeError as exc:
            return f"{label}: not valid notebook JSON (line {exc.lineno}: {exc.msg}); collected anyway"
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            return f"{label}: JSON without a list of cells; collected anyway"
    return None


# --------------------------------------------------------------------------- the collection

def _skip_reason(kept: _Candidate, other: _Candidate) -> str:
    if (kept.attempt or other.attempt) and kept.attempt != other.attempt:
        return (f"older attempt ({other.attempt:%Y-%m-%d %H:%M:%S}) than the one collected "
                f"({kept.attempt:%Y-%m-%d %H:%M:%S}): {kept.entry.label}")
    if kept.resubmission != other.resubmission:
        return (f"superseded by resubmission -{kept.resubmission}: {kept.entry.label}"
                if kept.resubmission else f"older than the one collected: {kept.entry.label}")
    if kept.suffix != other.suffix:
        return f"a notebook of the same submission was collected instead: {kept.entry.label}"
    return f"not newer (modification time) than the one collected: {kept.entry.label}"


def _collect(course: CourseDir, ex: registry.Exercise, entries: Iterable[_Entry], report: CollectReport,
             force: bool, folder_name: str | None) -> CollectReport:
    lms: list[_Candidate] = []
    plain: list[_Entry] = []
    receipt_names: dict[str, str] = {}
    for entry in entries:
        if _is_junk(entry.parts) or _lms_junk(entry):
            report.ignored.append(entry.label)
            named = None if _is_junk(entry.parts) else _receipt_name(entry)
            if named:
                receipt_names[named[0]] = named[1]
            continue
        suffix = PurePosixPath(entry.parts[-1]).suffix.lower()
        if suffix not in SUFFIXES:
            reason = ("a zip inside the submission: unzip it and collect again" if suffix == ".zip"
                      else "not a notebook (.ipynb) or Python (.py) file")
            report.skipped.append(Skipped(entry.label, reason))
            continue
        if entry.size > MAX_FILE_BYTES:
            report.skipped.append(Skipped(entry.label, f"larger than {MAX_FILE_BYTES // 2**20} MB"))
            continue
        cand = _identify(entry)
        if cand is not None:
            lms.append(cand)
        else:
            plain.append(entry)

    candidates = list(lms)
    depth = _plain_prefix([e.parts for e in plain], ex)
    # a folder holding only files (no student folders, no LMS names) is one student's folder
    one_student_folder = folder_name if not lms and all(len(e.parts) == 1 for e in plain) else None
    for entry in plain:
        rest = entry.parts[depth:]
        if len(rest) >= 2:
            candidates.append(_Candidate(entry, "plain", rest[0], None, rest[-1]))
            continue
        stem = PurePosixPath(rest[0]).stem
        if _names_exercise(stem, ex) or _other_exercise(stem, ex):
            if one_student_folder and not _other_exercise(stem, ex):
                candidates.append(_Candidate(entry, "plain", one_student_folder, None, rest[0]))
            else:
                report.skipped.append(Skipped(entry.label, "an exercise file with no student folder around "
                                                           "it: no student id to give it"))
            continue
        candidates.append(_Candidate(entry, "plain", stem, None, rest[0]))

    # student ids, with people whose ids collide told apart by their LMS number
    numbers: dict[str, set[tuple[str, str]]] = {}
    kept: list[_Candidate] = []
    for cand in candidates:
        cand.student = sanitize_student_id(cand.raw_student)
        if not cand.student:
            report.skipped.append(Skipped(cand.entry.label, f"no usable student id in {cand.raw_student!r}"))
            continue
        if cand.number is not None:
            numbers.setdefault(cand.student, set()).add((cand.lms, cand.number))
        kept.append(cand)
    for sid, nums in sorted(numbers.items()):
        if len(nums) > 1:
            report.warnings.append(f"{len(nums)} different people give the student id {sid!r}; "
                                   f"each gets {sid}_<their {'/'.join(sorted({lms for lms, _ in nums}))} number>")
            for cand in kept:
                if cand.student == sid and cand.number is not None:
                    cand.student = f"{sid}_{cand.number}"

    identities: dict[str, roster.Identity] = {}
    for cand in kept:
        if cand.lms == "blackboard":
            cand.full_name = receipt_names.get(cand.raw_student)
        if cand.lms != "plain" and cand.student not in identities:
            identities[cand.student] = roster.Identity(cand.student, cand.lms, ex.id, cand.lms_id, cand.full_name)

    by_student: dict[str, list[_Candidate]] = {}
    for cand in kept:
        other = _other_exercise(PurePosixPath(cand.name).stem, ex)
        if other:
            report.skipped.append(Skipped(cand.entry.label, f"named for another exercise ({other})"))
            continue
        by_student.setdefault(cand.student, []).append(cand)

    for student in sorted(by_student):
        group = by_student[student]
        named = [c for c in group if _names_exercise(PurePosixPath(c.name).stem, ex)]
        pool = named or group
        best = max(pool, key=_Candidate.order)
        for c in group:
            if c is best:
                continue
            reason = (f"not named for {ex.id} while {best.entry.label} is" if c not in pool
                      else _skip_reason(best, c))
            report.skipped.append(Skipped(c.entry.label, reason))
        _write_one(course, ex, best, report, force)
    # who they are, even for those whose file was not taken (an older copy kept, a file for another exercise)
    report.warnings.extend(roster.remember(course, identities.values()))
    return report


def _write_one(course: CourseDir, ex: registry.Exercise, cand: _Candidate, report: CollectReport,
               force: bool) -> None:
    dest_dir = course.submitted(cand.student, ex.id)
    nb, py = _canonical_names(ex)
    dest = dest_dir / (nb if cand.suffix == ".ipynb" else py)
    when = cand.when
    exists, existing = _existing_time(dest_dir, ex)
    if exists and not force and existing is not None and existing >= when:
        report.skipped.append(Skipped(cand.entry.label, (
            f"submitted/{cand.student}/{ex.id} already holds a submission from {_iso(existing)}, not older "
            f"than this one ({_iso(when)}); use --force to replace it")))
        return
    try:
        data = cand.entry.read()
    except _TooLarge:
        report.skipped.append(Skipped(cand.entry.label, f"larger than {MAX_FILE_BYTES // 2**20} MB"))
        return
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        report.skipped.append(Skipped(cand.entry.label, f"cannot be read: {exc}"))
        return
    warning = _content_warning(data, cand.suffix, cand.entry.label)
    if warning:
        report.warnings.append(warning)
    for name in (nb, py):
        old = dest_dir / name
        if old.is_file() and old != dest:
            old.unlink()
    _write_bytes(dest, data, when)
    _write_bytes(dest_dir / "timestamp.txt", _iso(when).encode("ascii"))
    report.collected.append(Collected(cand.student, cand.entry.label, dest, _iso(when), cand.lms, exists,
                                      cand.lms_id, cand.full_name))


def collect_from_folder(course_dir, exercise: str, src, *, force: bool = False) -> CollectReport:
    """Collect ``exercise`` from ``src``, a folder as an LMS download unpacks it (see :mod:`autograder.course.lms`).

    Writes ``course_dir/submitted/<student>/<ex>/<ex>_<slug>.ipynb`` (or
    ``.py``) and ``timestamp.txt`` for each student; returns what was
    collected, skipped (with reasons) and warned about.
    """
    ex = registry.get(exercise)
    course, src = CourseDir(course_dir), Path(src)
    report = CollectReport(ex.id, str(src))
    if not src.is_dir():
        report.error = f"{src}: not a folder"
        return report
    entries = _folder_entries(src, report.skipped)
    return _collect(course, ex, entries, report, force, src.resolve().name)


def collect_from_zip(course_dir, exercise: str, zip_path, *, force: bool = False) -> CollectReport:
    """Collect ``exercise`` from an LMS zip, read in place (never extracted; see the module docstring).

    Entries with absolute paths or ``..`` (zip-slip), symbolic links,
    encrypted entries and files over 50 MB are refused and listed in
    ``skipped``; a file that is not a zip sets ``error``.
    """
    ex = registry.get(exercise)
    course, zip_path = CourseDir(course_dir), Path(zip_path)
    report = CollectReport(ex.id, str(zip_path))
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        report.error = f"{zip_path}: cannot be read as a zip ({exc})"
        return report
    with zf:
        entries = _zip_entries(zf, zip_path.name, report.skipped, limit=MAX_FILE_BYTES)
        return _collect(course, ex, entries, report, force, None)
