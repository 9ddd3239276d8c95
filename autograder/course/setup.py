"""`grader init`: lay out an nbgrader course folder from solutions/."""
from __future__ import annotations

import shutil
from pathlib import Path

from .. import authoring
from . import CourseDir, nb, notebook_name


def init_course(root, exercises=None, course_id: str = "nn-course", timeout: int = 300) -> CourseDir:
    """Write nbgrader_config.py, create the course's secret keys (:mod:`autograder.secret`, kept
    when they exist), copy each exercise's source notebook to source/<ex>/ and register the
    exercises in the gradebook. Safe to run again (updates, never deletes)."""
    from .. import secret

    course = CourseDir(root)
    ids = list(exercises or authoring.authored_exercises())
    for ex in ids:  # before anything is written
        src = authoring.SOLUTIONS / notebook_name(ex)
        if not src.is_file():
            raise FileNotFoundError(f"{src} does not exist; run `grader generate {ex}`")
    nb.write_config(course, course_id, timeout)
    secret.generate(course.root)
    course.exchange.mkdir(parents=True, exist_ok=True)
    for ex in ids:
        src = authoring.SOLUTIONS / notebook_name(ex)
        dest = course.source(ex)
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / src.name)
    with nb.gradebook(course) as gb:
        for ex in ids:
            gb.update_or_create_assignment(ex)
    return course


def course_exercises(course: CourseDir) -> list[str]:
    """Exercises with a source notebook in the course."""
    folder = course.root / "source"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def init_paths(root, exercises=None) -> tuple[list[Path], list[Path]]:
    """(folders, files) that :func:`init_course` writes, for :func:`autograder.preflight.check_writable`."""
    from .. import secret

    course = CourseDir(root)
    ids = list(exercises or authoring.authored_exercises())
    folders = [course.root, course.root / secret.FOLDER, course.exchange, course.root / "source",
               *(course.source(ex) for ex in ids)]
    files = [course.config, course.gradebook, *(course.source(ex) / notebook_name(ex) for ex in ids)]
    return folders, files


def is_course(path) -> bool:
    return (Path(path) / "nbgrader_config.py").is_file()
