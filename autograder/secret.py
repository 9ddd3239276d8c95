"""The course secret: the key that seeds the hidden checks' inputs.

Hidden inputs are drawn with ``seed_for(key, check)``; whoever knows the key
can reproduce them, so no key ships with the package. ``grader init``
generates two random keys inside the course, owner-only, never released
(``release/`` and the exchange hold only the student version)::

    COURSE/.grader/            0700
        hidden_key             0600   `grader grade` and `grader release`'s validation
        notebook_key           0600   the notebooks' check cells under `nbgrader autograde`

The notebook key is separate because ``nbgrader autograde`` runs the check
cells in the student's own kernel: the grader never hands that kernel the key
of ``grader grade``. (A kernel runs as the instructor and can read whatever the
instructor can, the course folder included: that path is not tamper-proof, as
the README says; only ``grader grade`` keeps the key out of the student's
process, which is confined and sees neither the course nor the environment.)

Where a key comes from, first match wins: an explicit key file (``--hidden-key-file``),
the course's key, ``$GRADER_HIDDEN_KEY``. With none, hidden grading stops with
:class:`MissingHiddenKey` (a usage error: exit code 2). Validation uses its own
fixed key (:data:`VALIDATION_KEY`): it proves the checks work on some hidden
draw, and grades nothing.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV = "GRADER_HIDDEN_KEY"
FOLDER = ".grader"
GRADE, NOTEBOOK = "hidden_key", "notebook_key"
#: the key `grader validate` uses: known to all, so it never grades anyone
VALIDATION_KEY = "nn-grader-validation"


class MissingHiddenKey(Exception):
    """No key for the hidden checks. ``str()`` is the English message; :meth:`text` either language."""

    def __init__(self, key: str = "no_hidden_key", **fields):
        self.key, self.fields = key, fields
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        from .messages import t

        return t(self.key, lang, **self.fields)


def key_path(course_root, purpose: str = GRADE) -> Path:
    return Path(course_root) / FOLDER / purpose


def generate(course_root) -> list[Path]:
    """Create the course's keys if they do not exist (an existing key is never replaced: it would
    change every hidden input already graded). Returns the paths written."""
    folder = Path(course_root) / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    written = []
    for purpose in (GRADE, NOTEBOOK):
        path = folder / purpose
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        written.append(path)
    return written


def read_key_file(path) -> str:
    """The key in ``path`` (stripped); MissingHiddenKey when it is unreadable, empty, or readable by
    others than its owner (a key others can read is no secret)."""
    path = Path(path)
    try:
        st = path.stat()
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise MissingHiddenKey("hidden_key_unreadable", path=str(path), detail=type(exc).__name__) from None
    if os.name == "posix" and st.st_mode & 0o077:
        raise MissingHiddenKey("hidden_key_exposed", path=str(path), mode=f"{st.st_mode & 0o777:o}")
    if len(text) < 16:
        raise MissingHiddenKey("hidden_key_short", path=str(path))
    return text


def course_key(course_root, purpose: str = GRADE) -> str | None:
    """The course's key for ``purpose``, None when the course has none."""
    path = key_path(course_root, purpose)
    return read_key_file(path) if path.exists() else None


def resolve(course_root=None, key_file=None, purpose: str = GRADE) -> str:
    """The key for hidden checks: ``key_file``, else the course's, else ``$GRADER_HIDDEN_KEY``."""
    if key_file is not None:
        return read_key_file(key_file)
    if course_root is not None:
        found = course_key(course_root, purpose)
        if found:
            return found
    env = os.environ.get(ENV, "").strip()
    if env:
        return env
    if course_root is not None:
        raise MissingHiddenKey("no_course_key", course=str(course_root))
    raise MissingHiddenKey()


def find_course(start=None) -> Path | None:
    """The course folder holding ``start`` (the current folder by default): the nearest parent with
    nbgrader_config.py and a key folder."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / FOLDER).is_dir() and (folder / "nbgrader_config.py").is_file():
            return folder
    return None
