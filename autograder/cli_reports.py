"""``grader feedback``, ``grader report`` and ``grader export``: pages and exports from a grades folder.

``register(group)`` adds the three commands to a click group (``autograder.cli``
calls it on ``grader``). Each reads what ``grader grade`` wrote
(GRADES/<ex>/<student>.json), calls one function of :mod:`autograder.api` and
prints the paths it wrote. Exit codes: 0 written; 2 usage error, including a
grades folder with nothing for the exercise; 1 a record that cannot be read.
Nothing heavy is imported (no TensorFlow, no nbgrader).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click

from . import api
from .messages import LANGS, default_lang, t
from .sanitize import terminal  # paths and messages here carry student ids (folder names)

EXIT_USAGE = 2

_lang_option = click.option("--lang", type=click.Choice(LANGS), default=default_lang,
                            show_default="en or $GRADER_LANG", help="Language of the pages.")
_grades_option = click.option("--grades", default=api.GRADES, show_default=True,
                              type=click.Path(file_okay=False, path_type=Path),
                              help="Folder `grader grade` wrote (GRADES/EXERCISE/<student>.json).")


@contextmanager
def _api_errors(lang: str):
    """:func:`autograder.cli.api_errors` (imported when a command runs: cli.py registers these commands)."""
    from .cli import api_errors

    with api_errors(lang):
        yield


def register(group: click.Group) -> click.Group:
    """Add ``feedback``, ``report`` and ``export`` to ``group``; returns it."""

    @group.command("feedback")
    @click.argument("exercise")
    @_grades_option
    @click.option("--out", default=api.FEEDBACK, show_default=True,
                  type=click.Path(file_okay=False, path_type=Path),
                  help="Folder for the pages (OUT/EXERCISE/<student>.html).")
    @_lang_option
    def feedback_cmd(exercise: str, grades: Path, out: Path, lang: str):
        """Write one feedback page per student of EXERCISE (hidden checks redacted).

        Exit code 0 when written, 2 when GRADES has no results for EXERCISE.
        """
        with _api_errors(lang):
            outcome = api.feedback(exercise, grades, out, lang=lang)
        for path in outcome.pages:
            click.echo(f"wrote {terminal(path)}")
        click.echo(t("feedback_written", lang, n=len(outcome.pages), folder=terminal(outcome.folder)))

    @group.command("report")
    @click.argument("exercise")
    @_grades_option
    @click.option("--out", default=None, type=click.Path(dir_okay=False, path_type=Path),
                  help=f"The report's file.  [default: {api.REPORTS}/EXERCISE.html]")
    @_lang_option
    def report_cmd(exercise: str, grades: Path, out: Path | None, lang: str):
        """Write the class report of EXERCISE: scores, pass rates, frequent mistakes (instructor).

        Exit code 0 when written, 2 when GRADES has no results for EXERCISE.
        """
        with _api_errors(lang):
            outcome = api.report(exercise, grades, out, lang=lang)
        click.echo(f"wrote {terminal(outcome.path)} ({outcome.submissions} submission(s))")

    @group.command("export")
    @_grades_option
    @click.option("--out", default=api.EXPORTS, show_default=True,
                  type=click.Path(file_okay=False, path_type=Path),
                  help="Folder for grades.csv, moodle/<ex>_grading_worksheet.csv, canvas/grades.csv and "
                       "gradescope/<ex>/<student>/results.json.")
    @click.option("--course", "course_dir", default=None, type=click.Path(exists=True, file_okay=False, path_type=Path),
                  help="The course whose roster.json and gradebook name the students.  "
                       "[default: the folder holding GRADES, when it is a course]")
    @click.option("--canvas-assignment", "canvas_assignments", multiple=True, metavar="EX=ID",
                  help="The Canvas assignment id of an exercise (repeatable): its column becomes "
                       "'EX (ID)', which Canvas' import matches to that assignment.")
    @_lang_option
    def export_cmd(grades: Path, out: Path, course_dir: Path | None, canvas_assignments: tuple[str, ...], lang: str):
        """Export every exercise's grades: CSVs that Moodle and Canvas import, and Gradescope results.json files.

        Every student of the course gets a row (an empty grade where there is
        no submission). Exit code 0 when written, 2 when GRADES holds no results.
        """
        with _api_errors(lang):
            outcome = api.export(grades, out, course_dir=course_dir, canvas_assignments=canvas_assignments,
                                 lang=lang)
        result = outcome.exports
        click.echo(t("export_plain", lang, path=terminal(result.plain), exercises=", ".join(outcome.exercises)))
        if result.moodle:
            click.echo(t("export_moodle", lang, count=len(result.moodle), path=terminal(outcome.out / "moodle")))
        if result.canvas:
            click.echo(t("export_canvas", lang, path=terminal(result.canvas)))
        click.echo(t("export_gradescope", lang, count=len(result.gradescope),
                     path=terminal(outcome.out / "gradescope")))
        for warning in result.warnings:
            click.echo(t("warning", lang, text=terminal(warning)), err=True)

    return group
