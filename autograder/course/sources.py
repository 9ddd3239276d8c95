"""Where submissions are read from: a folder or a zip, listed as entries, safely; nothing is written.

:func:`_folder_entries` walks a folder (symbolic links are not followed);
:func:`_zip_entries` reads a zip with :mod:`zipfile`, in place (never
extracted): entries with absolute paths, ``..`` parts (zip-slip) or symbolic
links are refused, encrypted ones cannot be read, and an entry's ``read``
stops past the size limit it is given (raising :class:`_TooLarge`) whatever
the zip declares. Names stored in UTF-8 without the zip's UTF-8 flag are
repaired (:func:`_zip_name`). What is refused is listed as :class:`Skipped`
with the reason.

:func:`_is_junk` tells the OS's and tools' own files (``__MACOSX``,
``.DS_Store`` and other dot-files, ``.ipynb_checkpoints``, ``__pycache__``,
nbgrader's ``timestamp.txt``/``submission_secret.txt``) from submissions.
What the entries' names mean is :mod:`autograder.course.lms`.
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from .collected import Skipped
from .lms import _Entry, _TooLarge

_JUNK_PARTS = {"__macosx", ".ipynb_checkpoints", "__pycache__", ".git", "thumbs.db", "desktop.ini",
               "timestamp.txt", "submission_secret.txt"}  # the last two: nbgrader's own metadata


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


def _zip_entries(zf: zipfile.ZipFile, zip_label: str, skipped: list[Skipped], *, limit: int) -> list[_Entry]:
    """The zip's files as entries; ``read`` of one raises :class:`_TooLarge` past ``limit`` bytes."""
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
                data = fh.read(limit + 1)
            if len(data) > limit:
                raise _TooLarge()
            return data

        entries.append(_Entry(label, parts, mtime, info.file_size, read))
    return entries
