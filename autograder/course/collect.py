"""Collect students' submissions into ``submitted/<student>/<ex>/`` of a course folder.

Three sources, one result (:class:`CollectReport`):

* :func:`collect_from_folder` — a folder as an LMS download unpacks it;
* :func:`collect_from_zip` — the same, read straight from the zip (never extracted);
* :func:`collect_from_exchange` — nbgrader's own exchange, through nbgrader's API.

Each collected file is written as ``submitted/<student>/<ex>/<ex>_<slug>.ipynb``
(``.py`` submissions keep ``.py``: ``<ex>_<slug>.py``), with a ``timestamp.txt``
beside it, as nbgrader writes one: the submission time in ISO 8601 with its UTC
offset (from the LMS attempt time where the name carries one, else from the
zip entry's time, read as local time, else from the file's mtime).

Formats handled and the student id each one gives
--------------------------------------------------

Every raw id goes through :func:`sanitize_student_id`: letters without their
accents (``í``→``i``, ``ñ``→``n``, ``ß``→``ss``, ``ø``→``o``, ``ł``→``l``),
lower case, apostrophes dropped, spaces and any other character outside
``a-z 0-9 _ - .`` turned into ``_``, runs of ``_`` collapsed, leading and
trailing ``. _ -`` stripped. So ``"Ana María López"`` → ``ana_maria_lopez``
and ``"O'Brien, Seán"`` → ``obrien_sean``.

=============  ===========================================================  =========================
format         names as downloaded                                          student id
=============  ===========================================================  =========================
Moodle         ``Ana María López_123456_assignsubmission_file_/ex3.ipynb``  the full name before
               (one folder per student, any depth below it), or flat        ``_<digits>_assignsubmission_``:
               ``Ana María López_123456_assignsubmission_file_ex3.ipynb``  ``ana_maria_lopez``
Canvas         ``lopezana_123456_7891011_ex3_dropout.ipynb``,               the login (first field):
               ``lopezana_LATE_123456_7891011_ex3_dropout-1.ipynb``         ``lopezana``
               (Canvas appends ``-1``, ``-2`` … to a re-uploaded file)
Blackboard     ``<assignment>_jdoe_attempt_2026-10-01-12-00-00_<file>``     the field before
               (plus a ``…_attempt_<time>.txt`` receipt, ignored)           ``_attempt_``: ``jdoe``
plain          ``<student>/…/<file>.ipynb`` or ``<student>.ipynb|.py``      the folder name, or the
                                                                            file's stem
=============  ===========================================================  =========================

When two different people give the same id (two Moodle participants named
alike, two Canvas logins ``lopezana`` with different user numbers), each gets
``<id>_<their LMS number>`` and the report warns. Plain folders: a single
wrapper folder around the class (``submissions/<student>/…``) is looked
through; an exercise-named file at the top of a *folder* source is that
folder's own student (as ``grader grade`` reads a one-student folder).

Who they are: each LMS name also carries an identity, kept in the course by
:mod:`autograder.course.roster` (``roster.json``, and nbgrader's gradebook
``first_name``/``last_name``/``lms_user_id`` when the course has one) for
``grader export``: Moodle's full name as written and its participant number
for this assignment (``_123456_``; a blind-marking ``Participant_123456``
folder gives no name), Canvas' user id (the number after the name and an
optional ``late``/``LATE``) and ``lastfirst`` name, Blackboard's username and
the full name on its receipt (``Name: John Doe (jdoe)``). It is kept for every
person found, also when their file was not taken. Two same-named Moodle
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
Other non-notebook files are skipped with a reason.
Zips are read with :mod:`zipfile`: entries with absolute paths, ``..`` parts
(zip-slip) or symbolic links are refused, and no file over 50 MB is read
(the zip's declared size and the bytes actually read are both checked).

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
import re
import stat
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import click

from .. import registry
from ..batch import atomic_write
from . import CourseDir, notebook_name, roster

__all__ = ["MAX_FILE_BYTES", "CollectReport", "Collected", "Skipped", "collect_cmd", "collect_from_exchange",
           "collect_from_folder", "collect_from_zip", "sanitize_student_id"]

#: the largest submission file read (bytes).
MAX_FILE_BYTES = 50 * 1024 * 1024
SUFFIXES = (".ipynb", ".py")
_JUNK_PARTS = {"__macosx", ".ipynb_checkpoints", "__pycache__", ".git", "thumbs.db", "desktop.ini",
               "timestamp.txt", "submission_secret.txt"}  # the last two: nbgrader's own metadata


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Collected:
    """One submission written into the course: who, from where, to where, submitted when."""

    student: str
    source: str
    destination: Path
    timestamp: str
    lms: str
    replaced: bool = False
    lms_id: str | None = None       # Moodle participant number, Canvas user id, Blackboard username
    full_name: str | None = None    # the name as the LMS wrote it (see :mod:`autograder.course.roster`)


@dataclass(frozen=True)
class Skipped:
    """A file (or exchange submission) that was not collected, and why."""

    path: str
    reason: str


@dataclass
class CollectReport:
    """What one collection did. ``ok`` is true when at least one submission was collected.

    ``error`` is set when the source as a whole could not be read (a broken
    zip, nbgrader's exchange failing); ``ignored`` lists the junk passed over.
    """

    exercise: str
    source: str
    collected: list[Collected] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.collected)

    @property
    def students(self) -> list[str]:
        return sorted(c.student for c in self.collected)

    def to_dict(self) -> dict:
        data = asdict(self)
        for c in data["collected"]:
            c["destination"] = str(c["destination"])
        return data


# --------------------------------------------------------------------------- ids and names

_TRANSLIT = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                           "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
                           "Þ": "TH", "ı": "i"})


def sanitize_student_id(raw: str) -> str:
    """A filesystem- and nbgrader-safe student id (see the module docstring); "" when nothing is left.

    Only ``a-z 0-9 _ - .`` remain, so the id never holds nbgrader's ``+`` or
    ``*``, a path separator, or a leading dot.
    """
    text = unicodedata.normalize("NFKD", raw.translate(_TRANSLIT))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"['`]", "", text)
    text = re.sub(r"[^a-z0-9_.-]", "_", text)
    text = re.sub(r"_+", "_", text)
    return text.strip("._-")


_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<num>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_(?P<rest>.*))?$")
_CANVAS = re.compile(r"^(?P<login>[^_]+)_(?:(?P<late>(?i:late))_)?(?P<num>\d+)_(?P<sid>\d+)_(?P<rest>.+)$")
_BLACKBOARD = re.compile(r"^(?P<assignment>.+?)_(?P<user>[^_]+)_attempt_"
                         r"(?P<ts>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})(?:_(?P<rest>.+)|(?P<ext>\.\w+))?$")
_RESUBMISSION = re.compile(r"^(?P<base>.+)-(?P<n>\d+)$")


def _names_exercise(stem: str, ex: registry.Exercise) -> bool:
    """Whether a file stem is named for ``ex`` (``ex3``, ``ex3_dropout``, ``dropout…``)."""
    s = stem.lower().replace("-", "_")
    slug = ex.slug.replace("-", "_")
    return s == ex.id or s.startswith((ex.id + "_", slug))


def _other_exercise(stem: str, ex: registry.Exercise) -> str | None:
    """The id of another exercise this stem is named for, if any."""
    for other in registry.EXERCISES:
        if other.id != ex.id and _names_exercise(stem, other) and not _names_exercise(stem, ex):
            return other.id
    return None


# --------------------------------------------------------------------------- entries

@dataclass
class _Entry:
    """One file of the source: ``label`` is what reports show, ``parts`` its path below the source."""

    label: str
    parts: tuple[str, ...]
    mtime: datetime
    size: int
    read: Callable[[], bytes]


@dataclass
class _Candidate:
    entry: _Entry
    lms: str
    raw_student: str
    number: str | None          # the LMS's own number for this person (collision tie-break)
    name: str                   # the file's own name, LMS prefix removed
    attempt: datetime | None = None
    resubmission: int = 0
    student: str = ""
    full_name: str | None = None  # as the LMS wrote it (Moodle's full name, Canvas' lastfirst, Blackboard's receipt)
    lms_id: str | None = None     # Moodle participant number, Canvas user id, Blackboard username

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.entry.parts[-1]).suffix.lower()

    @property
    def when(self) -> datetime:
        return self.attempt or self.entry.mtime

    def order(self):
        return (self.attempt or datetime.min.replace(tzinfo=timezone.utc), self.resubmission,
                self.suffix == ".ipynb", self.entry.mtime)


def _is_junk(parts: tuple[str, ...]) -> bool:
    return any(p.lower() in _JUNK_PARTS or p.startswith(".") for p in parts)


def _folder_entries(src: Path, skipped: list[Skipped]) -> list[_Entry]:
    entries = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            parts = path.relative_to(src).parts
            if path.is_symlink():
                skipped.append(Skipped(str(path), "symbolic link: not followed"))
                continue
            st = path.stat()
            entries.append(_Entry(str(path), parts, datetime.fromtimestamp(st.st_mtime, timezone.utc),
                                  st.st_size, path.read_bytes))
    return entries


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The entry's name; names stored in UTF-8 without the UTF-8 flag (common) are repaired."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _unsafe_zip_path(name: str) -> str | None:
    """Why a zip entry name must be refused (zip-slip), or None."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "absolute path in the zip: refused (zip-slip)"
    if ".." in re.split(r"[\\/]", name):
        return "'..' in a zip entry's path: refused (zip-slip)"
    return None


def _zip_entries(zf: zipfile.ZipFile, zip_label: str, skipped: list[Skipped]) -> list[_Entry]:
    entries = []
    for info in zf.infolist():
        name = _zip_name(info)
        label = f"{zip_label}:{name}"
        if info.is_dir():
            continue
        bad = _unsafe_zip_path(name)
        if bad:
            skipped.append(Skipped(label, bad))
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            skipped.append(Skipped(label, "symbolic link in the zip: refused"))
            continue
        if info.flag_bits & 0x1:
            skipped.append(Skipped(label, "encrypted zip entry: cannot be read"))
            continue
        parts = tuple(p for p in name.replace("\\", "/").split("/") if p not in ("", "."))
        try:
            mtime = datetime(*info.date_time).astimezone()
        except ValueError:
            mtime = datetime.fromtimestamp(0, timezone.utc)

        def read(info=info):
            with zf.open(info) as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise _TooLarge()
            return data

        entries.append(_Entry(label, parts, mtime, info.file_size, read))
    return entries


class _TooLarge(Exception):
    pass


# --------------------------------------------------------------------------- identification

def _identify(entry: _Entry) -> _Candidate | None:
    """The LMS reading of an entry's path, or None for a plain one."""
    fname = entry.parts[-1]
    m = _CANVAS.match(fname)
    if m:
        stem, suffix = os.path.splitext(m["rest"])
        resub = _RESUBMISSION.match(stem)
        n = int(resub["n"]) if resub else 0
        name = (resub["base"] if resub else stem) + suffix
        return _Candidate(entry, "canvas", m["login"], m["num"], name, resubmission=n,
                          full_name=m["login"], lms_id=m["num"])
    m = _BLACKBOARD.match(fname)
    if m:
        attempt = datetime.strptime(m["ts"], "%Y-%m-%d-%H-%M-%S").astimezone()
        return _Candidate(entry, "blackboard", m["user"], None, m["rest"] or fname, attempt=attempt,
                          lms_id=m["user"])
    m = _MOODLE.match(fname)
    if not (m and m["rest"]):
        m = next((mm for part in entry.parts[:-1] if (mm := _MOODLE.match(part))), None)
        if m is None:
            return None
        fname = entry.parts[-1]
    else:
        fname = m["rest"]
    name = None if roster.is_anonymous(m["name"]) else m["name"]
    return _Candidate(entry, "moodle", m["name"], m["num"], fname, full_name=name, lms_id=m["num"])


_RECEIPT_NAME = re.compile(r"^\s*Name:\s*(?P<name>.+?)\s*\((?P<user>[^()\s]+)\)\s*$", re.MULTILINE)


def _receipt_name(entry: _Entry) -> tuple[str, str] | None:
    """(username, full name) from a Blackboard receipt (``Name: John Doe (jdoe)``), or None."""
    m = _BLACKBOARD.match(entry.parts[-1])
    if not (m and m["ext"] and m["ext"].lower() == ".txt") or entry.size > 256 * 1024:
        return None
    try:
        text = entry.read().decode("utf-8", errors="replace")
    except (_TooLarge, zipfile.BadZipFile, OSError, EOFError):
        return None
    found = _RECEIPT_NAME.search(text)
    if not found or found["user"] != m["user"]:
        return None
    return m["user"], found["name"]


def _lms_junk(entry: _Entry) -> bool:
    """Files an LMS adds beside the submissions: Blackboard receipts, Moodle online text."""
    fname = entry.parts[-1]
    m = _BLACKBOARD.match(fname)
    if m and not m["rest"]:
        return True
    return any((mm := _MOODLE.match(p)) and mm["plugin"] != "file" for p in entry.parts)


def _plain_prefix(parts_list: list[tuple[str, ...]], ex: registry.Exercise) -> int:
    """How many wrapper folders around the class to look through (see the module docstring)."""
    depth = 0
    while parts_list:
        if any(len(p) <= depth + 1 for p in parts_list):
            return depth  # a file right at this level: this level holds students
        if len({p[depth] for p in parts_list}) != 1:
            return depth
        below = [p[depth + 1:] for p in parts_list]
        one_student = (len(below) == 1
                       or (all(len(b) == 1 for b in below)
                           and any(_names_exercise(PurePosixPath(b[0]).stem, ex) for b in below))
                       or any(len(b) >= 2 and (_names_exercise(b[0], ex) or _other_exercise(b[0], ex))
                              for b in below))
        if one_student:
            return depth
        depth += 1
    return depth


# --------------------------------------------------------------------------- timestamps

def _parse_timestamp(text: str) -> datetime | None:
    """ISO 8601, or nbgrader's ``2026-11-22 18:02:38.140848 UTC``; naive times are UTC (nbgrader's rule)."""
    text = text.strip()
    if not text:
        return None
    candidates = [text.replace("Z", "+00:00") if text.endswith("Z") else text]
    head, _, tz = text.rpartition(" ")
    if head:
        offset = {"UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00"}.get(tz.upper())
        if offset is None and re.fullmatch(r"[+-]\d{2}:?\d{2}", tz):
            offset = tz if ":" in tz else f"{tz[:3]}:{tz[3:]}"
        if offset:
            candidates.append(head + offset)
    for cand in candidates:
        try:
            ts = datetime.fromisoformat(cand)
        except ValueError:
            continue
        return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)
    return None


def _iso(ts: datetime) -> str:
    return ts.isoformat()


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
    """Collect ``exercise`` from ``src``, a folder as an LMS download unpacks it (see the module docstring).

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
        entries = _zip_entries(zf, zip_path.name, report.skipped)
        return _collect(course, ex, entries, report, force, None)


# --------------------------------------------------------------------------- nbgrader's exchange

def _submitted_stamps(course: CourseDir, ex_id: str) -> dict[str, str | None]:
    stamps = {}
    for student in course.students():
        folder = course.submitted(student, ex_id)
        if folder.is_dir():
            stamp = folder / "timestamp.txt"
            stamps[student] = stamp.read_text(encoding="utf-8", errors="replace").strip() if stamp.is_file() else None
    return stamps


def _log_warnings(log: str) -> list[str]:
    """nbgrader's WARNING/ERROR log records, one line each."""
    out = []
    for record in re.split(r"\n(?=\[[A-Z]+\])", log or ""):
        if record.startswith(("[WARNING]", "[ERROR]", "[CRITICAL]")):
            out.append("nbgrader: " + " ".join(record.split()))
    return out


def _nbgrader_config(course: CourseDir):
    """The course's nbgrader_config.py, with the course root and (by default) exchange/ inside it."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader(course.config.name, path=str(course.root)).load_config() \
        if course.config.is_file() else Config()
    cfg.CourseDirectory.root = str(course.root)
    root = cfg.Exchange.get("root") if "Exchange" in cfg else None
    if not root:
        cfg.Exchange.root = str(course.exchange)
    elif not os.path.isabs(root):
        cfg.Exchange.root = str(course.root / root)
    return cfg


def collect_from_exchange(course_dir, exercise: str, *, force: bool = False) -> CollectReport:
    """Collect ``exercise`` from nbgrader's exchange with nbgrader's own API, then report submitted/.

    Reads the course's ``nbgrader_config.py`` (``CourseDirectory.course_id``
    is required; ``CourseDirectory.root`` is always the course folder;
    ``Exchange.root`` defaults to ``<course>/exchange`` and a relative one is
    read from the course folder). The nbgrader assignment is the exercise id
    (``ex3``). nbgrader takes each student's latest submission and replaces
    an earlier collected one only with a newer one (``--update``);
    ``force=True`` first removes the collected copy of every student who has
    a submission in the exchange, so the exchange's copy comes back whatever
    its time. nbgrader's warnings (e.g. a submission owned by another Unix
    user than the student it names) are passed on in ``warnings``; that
    owner check is switched off with ``c.ExchangeCollect.check_owner = False``
    (the ``CollectApp.check_owner`` its message names is not read through the API).
    """
    ex = registry.get(exercise)
    course = CourseDir(course_dir)
    report = CollectReport(ex.id, "nbgrader exchange")
    if not course.root.is_dir():
        report.error = f"{course.root}: no such course folder"
        return report
    # nbgrader runs `alembic` as a subprocess when it creates the gradebook: find our environment's
    venv_bin = str(Path(sys.executable).parent)
    old_path = os.environ.get("PATH")
    if venv_bin not in (old_path or "").split(os.pathsep):
        os.environ["PATH"] = venv_bin + (os.pathsep + old_path if old_path else "")
    try:
        return _collect_exchange(course, ex, report, force)
    finally:
        if old_path is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = old_path


def _collect_exchange(course: CourseDir, ex: registry.Exercise, report: CollectReport,
                      force: bool) -> CollectReport:
    import shutil

    from nbgrader.apps import NbGraderAPI
    from nbgrader.utils import temp_attrs

    cfg = _nbgrader_config(course)
    api = NbGraderAPI(config=cfg)
    if not api.coursedir.course_id:
        report.error = (f"{course.config}: no c.CourseDirectory.course_id; nbgrader's exchange "
                        "needs the course id")
        return report
    report.source = f"nbgrader exchange {cfg.Exchange.root} (course {api.coursedir.course_id})"
    with temp_attrs(api.coursedir, assignment_id=ex.id):
        probe = api.exchange.Collect(coursedir=api.coursedir, authenticator=api.authenticator, parent=api)
        try:
            probe.init_src()
        except Exception as exc:  # noqa: BLE001 - nbgrader's ExchangeError and friends
            report.error = f"nbgrader: {exc}"
            return report
        records = {rec["username"]: os.path.join(probe.inbound_path, rec["filename"])
                   for rec in probe.src_records}
    if not records:
        report.warnings.append(f"no submissions of {ex.id} in the exchange for course {api.coursedir.course_id}")
        return report
    before = _submitted_stamps(course, ex.id)
    had = set(before)
    if force:
        for student in records:
            folder = course.submitted(student, ex.id)
            if folder.is_dir():
                shutil.rmtree(folder)
                before.pop(student, None)
    result = api.collect(ex.id, update=True)
    report.warnings.extend(_log_warnings(result.get("log", "")))
    if not result.get("success"):
        lines = (result.get("error") or "unknown error").strip().splitlines()
        report.error = f"nbgrader collect failed: {lines[-1] if lines else 'unknown error'}"
    after = _submitted_stamps(course, ex.id)

    from ..batch import find_submission_file

    for student, inbound in sorted(records.items()):
        folder = course.submitted(student, ex.id)
        if student not in after:
            report.skipped.append(Skipped(inbound, "not collected by nbgrader (see the warnings)"))
            continue
        if student in before and before[student] == after[student]:
            report.skipped.append(Skipped(inbound, f"submitted/{student}/{ex.id} already holds this "
                                                   "submission or a newer one; use --force to replace it"))
            continue
        if sanitize_student_id(student) != student:
            report.warnings.append(f"student id {student!r} (from nbgrader) holds characters outside "
                                   "a-z 0-9 _ - .; kept as nbgrader wrote it")
        found = folder.is_dir() and find_submission_file(folder, ex.id)
        if not found:
            report.warnings.append(f"submitted/{student}/{ex.id}: no {ex.id} notebook or .py in the submission")
        report.collected.append(Collected(student, inbound, found or folder, after[student] or "", "exchange",
                                          student in had))
    return report


# --------------------------------------------------------------------------- command line

def _console():
    obj = click.get_current_context().obj
    console = getattr(obj, "console", None)
    if console is None:
        from rich.console import Console

        console = Console()
    return console


def print_report(console, report: CollectReport, course_root: Path) -> None:
    """The report as rich tables: collected, skipped, then warnings and a summary line."""
    from rich.table import Table

    from ..sanitize import rich_markup as escape  # student ids, file names, LMS text: no markup, no controls

    def rel(p: Path) -> str:
        try:
            return str(Path(p).relative_to(course_root))
        except ValueError:
            return str(p)

    if report.collected:
        table = Table(title=f"{report.exercise}: collected from {report.source}")
        for col in ("student", "from", "to", "submitted", "format"):
            table.add_column(col, overflow="fold")
        for c in report.collected:
            table.add_row(escape(c.student), escape(c.source), escape(rel(c.destination)), escape(c.timestamp),
                          escape(c.lms) + (" (replaced)" if c.replaced else ""))
        console.print(table)
    if report.skipped:
        table = Table(title="skipped")
        table.add_column("path", overflow="fold")
        table.add_column("reason", overflow="fold")
        for s in report.skipped:
            table.add_row(escape(s.path), escape(s.reason))
        console.print(table)
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")
    if report.error:
        console.print(f"[red]error:[/] {escape(report.error)}")
    ignored = f", {len(report.ignored)} ignored (OS/LMS junk)" if report.ignored else ""
    console.print(f"{len(report.collected)} collected, {len(report.skipped)} skipped{ignored} "
                  f"→ {escape(str(course_root / 'submitted'))}")


@click.command("collect")
@click.argument("exercise")
@click.option("--from-folder", "folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of submissions (Moodle/Canvas/Blackboard download unpacked, or <student>/ folders).")
@click.option("--from-zip", "zip_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An LMS 'download all submissions' zip, read in place.")
@click.option("--from-exchange", "exchange", is_flag=True, help="nbgrader's exchange of the course.")
@click.option("--course", "course_dir", default=".", show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path), help="The course folder.")
@click.option("--force", is_flag=True, help="Replace collected submissions even when they are newer.")
def collect_cmd(exercise: str, folder, zip_path, exchange: bool, course_dir: Path, force: bool):
    """Collect EXERCISE's submissions into COURSE/submitted/<student>/<ex>/.

    Exactly one source: --from-folder DIR, --from-zip FILE or --from-exchange.
    Exit code: 0 when at least one submission was collected, 1 when none
    was, 2 for a usage error.
    """
    try:
        ex = registry.get(exercise)
    except KeyError as exc:
        raise click.UsageError(exc.args[0]) from None
    chosen = [name for name, given in (("--from-folder", folder), ("--from-zip", zip_path),
                                       ("--from-exchange", exchange)) if given]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --from-folder DIR, --from-zip FILE, --from-exchange"
                               + (f" (got {', '.join(chosen)})" if chosen else ""))
    from ..messages import default_lang, t
    from .setup import is_course

    if not is_course(course_dir):  # as `release` does: never a stray ./submitted
        raise click.UsageError(t("not_a_course", default_lang(), path=str(course_dir)))
    from ..preflight import check_gradebook, check_writable, require_nbgrader

    course = CourseDir(course_dir)
    check_gradebook(course.gradebook)  # each check before anything is written
    check_writable([course.root, course.submitted()], [course.gradebook] if course.gradebook.exists() else [])
    if exchange:
        require_nbgrader("collect --from-exchange")
    if folder is not None:
        report = collect_from_folder(course_dir, ex.id, folder, force=force)
    elif zip_path is not None:
        report = collect_from_zip(course_dir, ex.id, zip_path, force=force)
    else:
        report = collect_from_exchange(course_dir, ex.id, force=force)
    print_report(_console(), report, CourseDir(course_dir).root)
    sys.exit(0 if report.ok else 1)
