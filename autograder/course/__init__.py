"""The instructor workflow on an nbgrader course directory (imports nbgrader lazily).

Layout of a course folder (nbgrader's, plus the grader's own outputs)::

    nbgrader_config.py           written by `grader init`
    gradebook.db                 nbgrader's SQLite gradebook
    roster.json                  who each student is, as `grader collect` read it from the LMS (course/roster.py)
    source/<ex>/<ex>_<slug>.ipynb        copied from solutions/
    release/<ex>/...             student versions (nbgrader generate_assignment)
    exchange/                    nbgrader's exchange (inside the course folder)
    submitted/<student>/<ex>/<ex>_<slug>.ipynb   collected submissions (.py also accepted)
    autograded/<student>/<ex>/   graded notebooks (the formgrader and generate_feedback read these)
    grades/<ex>/<student>.json   the grader's result per student; grades/<ex>/gradebook.csv
    feedback_html/<ex>/<student>.html    the grader's feedback pages
    reports/<ex>.html            the instructor's class report
    exports/                     grades.csv, moodle/<ex>_grading_worksheet.csv, canvas/grades.csv,
                                 gradescope/<ex>/<student>/results.json (autograder/export.py)
"""
from __future__ import annotations

from pathlib import Path

from .. import registry


def notebook_name(exercise_id: str) -> str:
    """The canonical file name of an exercise's notebook, e.g. ``ex3_dropout.ipynb``."""
    ex = registry.get(exercise_id)
    return f"{ex.id}_{ex.slug.replace('-', '_')}.ipynb"


class CourseDir:
    """Paths of a course folder (see the module docstring)."""

    def __init__(self, root):
        self.root = Path(root).resolve()

    def source(self, ex: str) -> Path:
        return self.root / "source" / ex

    def release(self, ex: str) -> Path:
        return self.root / "release" / ex

    def submitted(self, student: str | None = None, ex: str | None = None) -> Path:
        p = self.root / "submitted"
        return p if student is None else (p / student if ex is None else p / student / ex)

    def autograded(self, student: str, ex: str) -> Path:
        return self.root / "autograded" / student / ex

    def grades(self, ex: str | None = None) -> Path:
        return self.root / "grades" if ex is None else self.root / "grades" / ex

    def feedback_html(self, ex: str) -> Path:
        return self.root / "feedback_html" / ex

    def reports(self) -> Path:
        return self.root / "reports"

    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def config(self) -> Path:
        return self.root / "nbgrader_config.py"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    def students(self) -> list[str]:
        """Students with a folder under submitted/."""
        folder = self.submitted()
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
