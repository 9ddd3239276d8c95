"""``grader feedback``, ``grader report`` and ``grader export``: pages and exports from a grades folder.

``register(group)`` adds the three commands to a click group (``autograder.cli``
calls it on ``grader``). Each reads what ``grader grade`` wrote
(GRADES/<ex>/<student>.json), calls one API function and prints the paths it
wrote. Exit codes: 0 written; 2 usage error, including a grades folder with
nothing for the exercise; 1 a record that cannot be read. Nothing heavy is
imported (no TensorFlow, no nbgrader).
"""
from __future__ import annotations

from pathlib import Path

import click

from .messages import LANGS, default_lang
from .sanitize import terminal  # paths and messages here carry student ids (folder names)

EXIT_USAGE = 2

_lang_option = click.option("--lang", type=click.Choice(LANGS), default=default_lang,
                            show_default="en or $GRADER_LANG", help="Language of the pages.")
_grades_option = click.option("--grades", default=Path("grades"), show_default=True,
                              type=click.Path(file_okay=False, path_type=Path),
                              help="Folder `grader grade` wrote (GRADES/EXERCISE/<student>.json).")


def _exercise_id(key: str) -> str:
    from . import registry

    try:
        return registry.get(key).id
    except KeyError as exc:
        raise click.UsageError(exc.args[0]) from None


def _records(grades: Path, ex_id: str) -> list[dict]:
    """The exercise's records; UsageError (exit 2) when there are none, ClickException for a bad file."""
    from .export import read_records

    try:
        records = read_records(grades, ex_id)
    except ValueError as exc:
        raise click.ClickException(terminal(exc)) from None
    if not records:
        raise click.UsageError(f"no {ex_id} results in {grades / ex_id} "
                               f"(run `grader grade {ex_id} PATH... --out {grades}` first)")
    return records


def register(group: click.Group) -> click.Group:
    """Add ``feedback``, ``report`` and ``export`` to ``group``; returns it."""

    @group.command("feedback")
    @click.argument("exercise")
    @_grades_option
    @click.option("--out", default=Path("feedback_html"), show_default=True,
                  type=click.Path(file_okay=False, path_type=Path),
                  help="Folder for the pages (OUT/EXERCISE/<student>.html).")
    @_lang_option
    def feedback_cmd(exercise: str, grades: Path, out: Path, lang: str):
        """Write one feedback page per student of EXERCISE (hidden checks redacted).

        Exit code 0 when written, 2 when GRADES has no results for EXERCISE.
        """
        from .feedback import write_feedback

        ex_id = _exercise_id(exercise)
        _records(grades, ex_id)
        try:
            paths = write_feedback(grades, ex_id, out / ex_id, lang)
        except ValueError as exc:
            raise click.ClickException(terminal(exc)) from None
        for path in paths:
            click.echo(f"wrote {terminal(path)}")
        click.echo(f"{len(paths)} feedback page(s) in {out / ex_id}")

    @group.command("report")
    @click.argument("exercise")
    @_grades_option
    @click.option("--out", default=None, type=click.Path(dir_okay=False, path_type=Path),
                  help="The report's file.  [default: reports/EXERCISE.html]")
    @_lang_option
    def report_cmd(exercise: str, grades: Path, out: Path | None, lang: str):
        """Write the class report of EXERCISE: scores, pass rates, frequent mistakes (instructor).

        Exit code 0 when written, 2 when GRADES has no results for EXERCISE.
        """
        from .report import write_report

        ex_id = _exercise_id(exercise)
        records = _records(grades, ex_id)
        path = write_report(grades, ex_id, out or Path("reports") / f"{ex_id}.html", lang)
        click.echo(f"wrote {terminal(path)} ({len(records)} submission(s))")

    @group.command("export")
    @_grades_option
    @click.option("--out", default=Path("exports"), show_default=True,
                  type=click.Path(file_okay=False, path_type=Path),
                  help="Folder for grades.csv and gradescope/<ex>/<student>/results.json.")
    @_lang_option
    def export_cmd(grades: Path, out: Path, lang: str):
        """Export every exercise's grades: an LMS CSV and Gradescope results.json files.

        Exit code 0 when written, 2 when GRADES holds no results.
        """
        from .export import exercise_folders, write_exports

        found = exercise_folders(grades)
        if not found:
            raise click.UsageError(f"no results in {grades} (run `grader grade EXERCISE PATH... --out {grades}` first)")
        try:
            paths = write_exports(grades, out, lang)
        except ValueError as exc:
            raise click.ClickException(terminal(exc)) from None
        click.echo(f"wrote {paths[0]} ({', '.join(found)})")
        click.echo(f"wrote {len(paths) - 1} Gradescope results.json under {out / 'gradescope'}")

    return group
