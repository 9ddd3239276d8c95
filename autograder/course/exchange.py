"""Collecting from nbgrader's exchange, with nbgrader's own API: :func:`collect_from_exchange`.

nbgrader writes ``submitted/<student>/<ex>/`` itself (with its
``timestamp.txt``); this module reads the course's config, asks nbgrader to
collect, and reports what changed under ``submitted/`` as a
:class:`~autograder.course.collected.CollectReport`, like the LMS sources of
:mod:`autograder.course.collect` (which re-exports :func:`collect_from_exchange`).

nbgrader is reached through :mod:`autograder.course.nb` and imported only when
:func:`collect_from_exchange` runs.
"""
from __future__ import annotations

import os
import re

from .. import registry
from . import CourseDir, nb
from .collected import Collected, CollectReport, Skipped
from .lms import sanitize_student_id


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

    cfg = nb.load_config(course) if course.config.is_file() else Config()
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
    with nb.interpreter_on_path():
        return _collect_exchange(course, ex, report, force)


def _collect_exchange(course: CourseDir, ex: registry.Exercise, report: CollectReport,
                      force: bool) -> CollectReport:
    import shutil

    from nbgrader.utils import temp_attrs

    cfg = _nbgrader_config(course)
    api = nb.api(course, cfg)
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

    from ..submissions import find_submission_file

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
