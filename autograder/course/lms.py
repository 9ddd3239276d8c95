"""What an LMS download's names say: which student, which exercise, which attempt — parsing only.

This module reads names (and, for a Blackboard receipt, one small text file
through its entry's ``read``); it writes nothing and imports neither click,
rich nor nbgrader. Where the entries come from is :mod:`autograder.course.sources`;
what is done with them, :mod:`autograder.course.collect`.

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

Plain folders: a single wrapper folder around the class
(``submissions/<student>/…``) is looked through (:func:`_plain_prefix`).

Who they are: each LMS name also carries an identity, kept in the course by
:mod:`autograder.course.roster` (``roster.json``, and nbgrader's gradebook
``first_name``/``last_name``/``lms_user_id`` when the course has one) for
``grader export``: Moodle's full name as written and its participant number
for this assignment (``_123456_``; a blind-marking ``Participant_123456``
folder gives no name), Canvas' user id (the number after the name and an
optional ``late``/``LATE``) and ``lastfirst`` name, Blackboard's username and
the full name on its receipt (``Name: John Doe (jdoe)``).

Files an LMS adds beside the submissions (Blackboard receipts, Moodle
online-text pages) are told apart by :func:`_lms_junk`. Submission times are
read by :func:`_parse_timestamp` (ISO 8601 or nbgrader's own form) and
written by :func:`_iso`.
"""
from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePosixPath

from .. import registry
from . import roster

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


# --------------------------------------------------------------------------- entries and candidates

class _TooLarge(Exception):
    """Raised by an entry's ``read`` when the file holds more bytes than may be read."""


@dataclass
class _Entry:
    """One file of the source: ``label`` is what reports show, ``parts`` its path below the source.

    ``read`` returns its bytes; it raises :class:`_TooLarge` past the size
    limit, and ``OSError``/``zipfile.BadZipFile``/``EOFError`` when it cannot.
    """

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
