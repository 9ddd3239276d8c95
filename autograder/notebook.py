"""Check cells inside a notebook: grade the kernel's own functions, in process.

A test cell of an exercise notebook runs::

    from autograder.notebook import check_cell
    check_cell("ex3", "dropout_forward", globals())

It runs the checks of that cell against the functions defined in the
notebook (public checks; ``hidden=True`` adds the hidden ones, as the
nbgrader source's hidden-test region does), prints one line per check to
stdout (never stderr, which nbgrader treats as failure), and returns the
points earned, so nbgrader records partial credit from the cell's output.
The same checks run in ``grader grade``; only there is the student's code
isolated in its own process.
"""
from __future__ import annotations

import contextlib
import sys
import warnings

from .cases import CaseSource
from .grading import exercise_module, run_check
from .impl import LocalImpl
from .messages import default_lang


def _notebook_key() -> str | None:
    """The hidden checks' key in a check cell: the notebook key of the course this notebook runs in
    (never the course's grading key: a submission can read whatever the kernel can, see
    :mod:`autograder.secret`), else ``$GRADER_HIDDEN_KEY``; None when there is neither."""
    from .secret import NOTEBOOK, MissingHiddenKey, find_course, resolve

    try:
        return resolve(find_course(), purpose=NOTEBOOK)
    except MissingHiddenKey:
        return None


class CellScore(float):
    """The points of a check cell; displays as a plain number (nbgrader reads it as the score)."""

    def __repr__(self) -> str:
        return f"{float(self):g}"


def check_cell(exercise: str, cell: str, namespace: dict, hidden: bool = False, lang: str | None = None) -> CellScore:
    """Run the checks of one test cell on the notebook's own functions; print one line per check
    and the cell's total; return the points (nbgrader reads them as the cell's score)."""
    return _run_cells(exercise, [cell], namespace, hidden, lang)


def check_all(exercise: str, namespace: dict, lang: str | None = None) -> CellScore:
    """Every public check of the exercise on the notebook's own functions (as Otter's
    ``grader.check_all()``): one line per check and the total, as ``grader check`` gives it."""
    return _run_cells(exercise, None, namespace, False, lang)


def _run_cells(exercise: str, cells, namespace: dict, hidden: bool, lang: str | None) -> CellScore:
    from . import registry
    from .render import points_line

    lang = lang or default_lang()
    ex = registry.get(exercise)
    module = exercise_module(ex.id)
    mine = [c for c in module.CHECKS if cells is None or c.cell in cells]
    checks = [c for c in mine if hidden or not c.hidden]
    if not checks:
        raise ValueError(f"{ex.id} has no checks in cell {cells!r}")
    impl = LocalImpl({k: v for k, v in namespace.items() if k in ex.names})
    key = _notebook_key() if hidden else ""
    if key is None:  # hidden checks asked for, no key: the hidden checks score nothing, and say why
        from .secret import MissingHiddenKey

        print(MissingHiddenKey().text(lang))
        checks = [c for c in checks if not c.hidden]
        key = ""
    source = CaseSource(key or None)
    results = []
    state: dict = {}  # shared by these checks, as in grading.grade_impl
    for check in checks:
        # nbgrader scores a cell zero when it writes to stderr: what the student's code writes
        # there while being checked goes to stdout instead, and warnings are recorded, not shown
        with contextlib.redirect_stderr(sys.stdout), warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            r = run_check(check, impl, lang=lang, case_source=source, mistakes=module.MISTAKES,
                          hidden_key=key, exercise=ex.id, state=state)
        results.append(r)
        mark = "✓" if r.passed else "✗"
        # a notebook's outputs end up in nbgrader's feedback: hidden checks never show hidden data
        message = r.student_message(lang, ex.id)
        print(f"{mark} {r.title(lang)} ({r.points:g}/{r.max_points:g})" + ("" if r.passed else f": {message}"))
    not_run = sum(c.points for c in mine if c.hidden and c not in checks)
    print(points_line(results, not_run, lang))
    return CellScore(sum(r.points for r in results))
