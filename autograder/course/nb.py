"""Thin access to nbgrader for one course folder: its config, its API object and its gradebook.

nbgrader is imported only here, inside functions: only instructor commands pay
for it (~4 s). nbgrader runs ``alembic`` as a subprocess to set up the
gradebook, so the folder of the running interpreter is put first on PATH.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from . import CourseDir

CONFIG_TEMPLATE = '''# nbgrader configuration of this course, written by `grader init`.
import os

c = get_config()

# Paths are relative to this file, so a copied or moved course keeps its own gradebook.
course_root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = course_root
c.CourseDirectory.course_id = {course_id!r}

# The exchange lives inside the course folder, so release/fetch/submit/collect work
# without a Jupyter server or a shared /srv folder.
c.Exchange.root = os.path.join(course_root, "exchange")
c.Exchange.path_includes_course = True

# nbgrader's default of 30 s per cell is too short for the training exercises.
c.Execute.timeout = {timeout}

# nbgrader scores a test cell zero when it writes to stderr; TensorFlow logs there at start-up.
# The grader's check cells print only to stdout; these lines are TensorFlow's and are dropped.
c.IgnorePattern.pattern = {ignore!r}
'''

TF_STDERR = r"(tensorflow|TensorFlow|oneDNN|absl::|WARNING: All log messages|cuda|XLA|E0000|I0000|W0000)"


def _ensure_path() -> None:
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def write_config(course: CourseDir, course_id: str, timeout: int = 300) -> Path:
    course.root.mkdir(parents=True, exist_ok=True)
    course.config.write_text(CONFIG_TEMPLATE.format(
        course_id=course_id, timeout=int(timeout), ignore=TF_STDERR), encoding="utf-8")
    return course.config


def load_config(course: CourseDir):
    from traitlets.config.loader import PyFileConfigLoader

    if not course.config.is_file():
        raise FileNotFoundError(f"{course.root} is not a course folder (no nbgrader_config.py); run `grader init`")
    return PyFileConfigLoader(course.config.name, path=str(course.root)).load_config()


@contextmanager
def interpreter_on_path():
    """The running interpreter's folder on PATH (first, where it is not there yet) while the block
    runs, then PATH as it was: for a library call that must leave the process's PATH alone."""
    bindir = str(Path(sys.executable).parent)
    old_path = os.environ.get("PATH")
    if bindir not in (old_path or "").split(os.pathsep):
        os.environ["PATH"] = bindir + (os.pathsep + old_path if old_path else "")
    try:
        yield
    finally:
        if old_path is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = old_path


def api(course: CourseDir, config=None):
    """An ``NbGraderAPI`` configured by the course's nbgrader_config.py, or by ``config`` when given."""
    _ensure_path()
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=load_config(course) if config is None else config)


@contextmanager
def gradebook(course: CourseDir):
    """nbgrader's Gradebook of the course (the database is created on first use; one that is not a
    database raises :class:`autograder.preflight.Problem`, which says what to do)."""
    _ensure_path()
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import DatabaseError

    try:
        book = Gradebook(f"sqlite:///{course.gradebook}", course_id=load_config(course).CourseDirectory.course_id)
    except DatabaseError:
        from ..preflight import Problem, gradebook_problem

        detail = gradebook_problem(course.gradebook)
        if detail is None:  # locked, or another database error that a rerun may not meet: as it is
            raise
        raise Problem("broken_gradebook", path=str(course.gradebook), detail=detail) from None
    with book as gb:
        yield gb


def check(result: dict, what: str) -> None:
    """Raise with nbgrader's log when an API call reports failure."""
    if not result.get("success"):
        raise RuntimeError(f"nbgrader {what} failed:\n{result.get('error') or result.get('log') or ''}")
