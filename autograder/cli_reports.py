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

from .messages import LANGS, Text, default_lang
from .sanitize import terminal  # paths and messages here carry student ids (folder names)

EXIT_USAGE = 2

_TEXTS = {
    "wrote_plain": Text("wrote {path} ({exercises})", "escrito {path} ({exercises})"),
    "wrote_moodle": Text("wrote {count} Moodle grading worksheet(s) under {path}",
                         "escritas {count} hojas de calificación de Moodle en {path}"),
    "wrote_canvas": Text("wrote {path} (Canvas gradebook import)",
                         "escrito {path} (importación al libro de calificaciones de Canvas)"),
    "wrote_gradescope": Text("wrote {count} Gradescope results.json under {path}",
                             "escritos {count} results.json de Gradescope en {path}"),
    "warning": Text("warning: {text}", "aviso: {text}"),
}

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

        from .preflight import check_writable

        ex_id = _exercise_id(exercise)
        _records(grades, ex_id)
        check_writable([out / ex_id], lang=lang)  # before the first page: none written, or all
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

        from .preflight import check_writable

        ex_id = _exercise_id(exercise)
        records = _records(grades, ex_id)
        check_writable(files=[out or Path("reports") / f"{ex_id}.html"], lang=lang)
        path = write_report(grades, ex_id, out or Path("reports") / f"{ex_id}.html", lang)
        click.echo(f"wrote {terminal(path)} ({len(records)} submission(s))")

    @group.command("export")
    @_grades_option
    @click.option("--out", default=Path("exports"), show_default=True,
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
        from .export import exercise_folders, export_all

        canvas_ids = {}
        for item in canvas_assignments:
            key, sep, value = item.partition("=")
            if not sep or not value.strip().isdigit():
                raise click.UsageError(f"--canvas-assignment {item!r}: expected EX=ID with a numeric Canvas id")
            canvas_ids[_exercise_id(key.strip())] = value.strip()
        found = exercise_folders(grades)
        if not found:
            raise click.UsageError(f"no results in {grades} (run `grader grade EXERCISE PATH... --out {grades}` first)")
        from .export import course_of
        from .preflight import check_gradebook, check_writable

        course = course_of(grades, course_dir)
        if course is not None:  # its gradebook names the students: a broken one is said, not passed over
            check_gradebook(course / "gradebook.db", lang)
        check_writable([out], lang=lang)  # before the first file: none written, or all
        try:
            result = export_all(grades, out, lang, course_dir, canvas_ids)
        except ValueError as exc:
            raise click.ClickException(terminal(exc)) from None
        click.echo(_TEXTS["wrote_plain"](lang, path=terminal(result.plain), exercises=", ".join(found)))
        if result.moodle:
            click.echo(_TEXTS["wrote_moodle"](lang, count=len(result.moodle), path=terminal(out / "moodle")))
        if result.canvas:
            click.echo(_TEXTS["wrote_canvas"](lang, path=terminal(result.canvas)))
        click.echo(_TEXTS["wrote_gradescope"](lang, count=len(result.gradescope), path=terminal(out / "gradescope")))
        for warning in result.warnings:
            click.echo(_TEXTS["warning"](lang, text=terminal(warning)), err=True)

    return group
