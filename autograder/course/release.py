"""`grader release`: an exercise goes out only if the grader agrees with it (:mod:`autograder.validation`),
before and after nbgrader makes its student version."""
from __future__ import annotations

import shutil

from .. import registry
from ..validation import Validation, validate_exercise
from . import CourseDir, nb, notebook_name


def release(course: CourseDir, exercise: str, to_exchange: bool = True) -> Validation:
    """Validate, generate the student version with nbgrader, validate it, release it to the exchange.

    Nothing is released when validation fails (a release folder made for the
    check is removed again).
    """
    ex = registry.get(exercise)
    name = notebook_name(ex.id)
    source = course.source(ex.id) / name
    v = validate_exercise(ex.id, solution=source)
    if not v.ok:
        return v
    api = nb.api(course)
    nb.check(api.generate_assignment(ex.id), f"generate_assignment {ex.id}")
    released = course.release(ex.id) / name
    stub = validate_exercise(ex.id, solution=source, stub=released)
    if not stub.ok:
        shutil.rmtree(course.release(ex.id), ignore_errors=True)
        return stub
    if to_exchange:
        nb.check(api.release_assignment(ex.id), f"release_assignment {ex.id}")
    return stub
