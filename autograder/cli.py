"""The ``grader`` command line: a thin click layer over the Python API (:mod:`autograder.api`).

Each command parses its options (defaults from the API's constants), calls one
API function and renders what it returns (tables, JSON, exit codes); nothing
here computes a grade or decides what to grade. The API's refusals become
click's errors in the command's language (:func:`api_errors`). Heavy libraries
(TensorFlow, nbgrader) are never imported at module level.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__, api, check_command
from .check_command import EXIT_FAILED, EXIT_FULL, EXIT_USAGE
from .messages import LANGS, default_lang, t


class Context:
    """Shared state of one invocation: the output console (tests may swap it)."""

    def __init__(self, console=None):
        self._console = console

    @property
    def console(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console()
        return self._console


pass_context = click.make_pass_decorator(Context, ensure=True)


@contextmanager
def api_errors(lang: str | None = None):
    """The API's refusals as click's, in ``lang`` (default: $GRADER_LANG): an :class:`api.UsageProblem` is
    a usage error (exit code 2), any other :class:`api.Refused` one line, exit code 1. Used inside a
    command, so that click's usage error names that command."""
    try:
        yield
    except api.Refused as exc:
        from .sanitize import terminal  # the texts quote paths and messages that may carry student ids

        text = terminal(exc.text(lang or default_lang()))
        raise (click.UsageError(text) if isinstance(exc, api.UsageProblem) else click.ClickException(text)) from None


class _Grader(click.Group):
    """``grader``: an OSError that means a place cannot be written (read-only, full, a file where a folder
    is expected) ends a command with one line and exit code 2, not a traceback
    (:func:`autograder.preflight.os_problem`; the commands check what they will write first)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            problem = None
            try:
                from .preflight import os_problem
            except ImportError:  # the student install has no instructor modules
                pass
            else:
                problem = os_problem(exc)
            if problem is None:
                raise
            raise problem from None


@click.group(cls=_Grader, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
def main():
    """nn-grader: exercises and autograding for the feedforward-networks course."""


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--lang", type=click.Choice(LANGS), default=default_lang, show_default="en or $GRADER_LANG")
@pass_context
def list_cmd(ctx: Context, as_json: bool, lang: str):
    """List the exercises with their ids, slugs and points."""
    exercises = api.list_exercises()
    if as_json:
        click.echo(json.dumps([
            {"id": e.id, "slug": e.slug, "title": e.title if lang == "en" else e.title_es,
             "points": e.points, "needs": e.needs}
            for e in exercises
        ], ensure_ascii=False))
        return
    from .render import exercises_table

    ctx.console.print(exercises_table(exercises, lang))


@main.command("selfcheck")
@click.option("--seed", default=api.SELFCHECK_SEED, show_default=True, help="Seed of the random inputs.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_context
def selfcheck_cmd(ctx: Context, seed: int, as_json: bool):
    """Check the trusted reference's gradients against its own numerical gradients.

    Instructor only: needs reference_impl. Exit code 0 when every check passes.
    """
    with api_errors():
        result = api.selfcheck(seed)
    if as_json:
        click.echo(json.dumps(result.to_dict()))
    else:
        from .render import result_table

        ctx.console.print(result_table(result))
    sys.exit(0 if result.full_marks else 1)


lang_option = click.option("--lang", type=click.Choice(LANGS), default=default_lang,
                           show_default="en or $GRADER_LANG", help="Language of the feedback.")


@main.command("check")
@click.argument("exercise")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@lang_option
@pass_context
def check_cmd(ctx: Context, exercise: str, path, as_json: bool, lang: str):
    """Run the public checks of EXERCISE (id or slug) on your notebook or .py file.

    PATH defaults to the exercise's file in the current folder (e.g.
    ex3_dropout.ipynb). Exit code: 0 full marks, 1 some check failed,
    2 usage error, 3 the submission could not be loaded.
    """
    with api_errors(lang):
        code = check_command.run(exercise, path, as_json=as_json, lang=lang, console=None if as_json else ctx.console)
    sys.exit(code)


@main.command("grade")
@click.argument("exercise")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--jobs", "-j", default=api.DEFAULT_JOBS, show_default=True, type=click.IntRange(1, api.MAX_JOBS),
              help="Submissions graded in parallel.")
@click.option("--out", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for results (OUT/EXERCISE/<student>.json, gradebook.csv); default ./grades, "
                   "or COURSE/grades with --course.")
@click.option("--course", "course_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Grade the course's collected submissions and record them in its nbgrader gradebook "
                   "(the default when no PATH is given and the current folder is a course).")
@click.option("--force", is_flag=True, help="Regrade submissions already graded (in a course, or by a run into "
                                            "--out that did not finish).")
@click.option("--hidden-key-file", "key_file", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the hidden checks' key (owner-only). Default: the course's key, "
                   "else $GRADER_HIDDEN_KEY; without any key, grading is refused.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON on stdout (progress on stderr).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Grade on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786) instead of local "
                   "processes (--jobs is not used then); needs the cluster extra.")
@lang_option
@pass_context
def grade_cmd(ctx: Context, exercise: str, paths, jobs: int, out, course_dir, force: bool, key_file, as_json: bool,
              scheduler, lang: str):
    """Grade submissions of EXERCISE with public and hidden checks (instructor).

    Each PATH is a submission file (student id: its folder's name), a folder
    with one student's submission (id: the folder's name) or a folder of such
    folders. Without PATH, grades the course in --course (or the current
    folder): submitted/<student>/<ex>/, skipping what is already graded, and
    records the scores in nbgrader's gradebook. Exit code 0 when every
    submission has a recorded result; Ctrl-C stops at once (exit code 130),
    keeping every result saved, and the same command resumes.
    """
    from rich.console import Console

    from .render import progress_bar
    from .sanitize import rich_markup

    err = Console(stderr=True)

    def say(key: str, **fields) -> None:  # before the grading: paths with no submission, a resumed run
        if key == "warning":
            err.print(f"[yellow]{rich_markup(t(key, lang, **fields))}[/yellow]")
        else:
            click.echo(t(key, lang, **fields), err=True)

    with api_errors(lang):
        outcome = api.grade(exercise, paths, jobs=jobs, out=out, course_dir=course_dir, force=force,
                            key_file=key_file, lang=lang, say=say, scheduler=scheduler,
                            progress=lambda label, total: progress_bar(err, total, label, lang))
    if outcome.stopped:
        _stopped(outcome, lang)
    if outcome.course is not None:
        err.print(rich_markup(t("grade_course_summary", lang, graded=len(outcome.graded), skipped=len(outcome.skipped),
                                gradebook=outcome.gradebook)))
        if outcome.unrecorded:  # graded, but the gradebook or the autograded notebook failed: said, never silent
            names = ", ".join(outcome.unrecorded[:10]) + (" …" if len(outcome.unrecorded) > 10 else "")
            err.print(f"[red]{rich_markup(t('grade_unrecorded', lang, n=len(outcome.unrecorded)))}[/red] "
                      + rich_markup(t("grade_unrecorded_hint", lang, names=names)))
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in outcome.records], ensure_ascii=False))
    else:
        from .render import class_table

        ctx.console.print(class_table(outcome.records, outcome.exercise, lang))
        ctx.console.print(rich_markup(t("grade_results", lang, folder=outcome.folder,
                                        csv=outcome.folder / "gradebook.csv")))
    sys.exit(EXIT_FULL if outcome.complete else EXIT_FAILED)


def _stopped(outcome: api.GradeOutcome, lang: str):
    """After Ctrl-C (the API has stopped the workers and counted the results saved): say what is saved
    and how to resume; exit code 130."""
    import signal

    from .sanitize import terminal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the message short
    saved, total = outcome.saved, outcome.expected
    where = terminal(f"{outcome.folder}{os.sep}")
    click.echo(t("grade_stopped", lang, saved=saved, total=total, folder=where, left=total - saved)
               if saved < total else t("grade_stopped_all", lang, total=total, folder=where), err=True)
    try:
        real = sys.stderr.fileno() == 2  # not click's CliRunner
    except (AttributeError, ValueError, OSError):
        real = False
    if real:  # the process ends now: tearing down nbgrader's modules as Python exits would take a second or more
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(130)


@main.command("generate")
@click.argument("exercises", nargs=-1)
def generate_cmd(exercises):
    """Write solutions/*.ipynb and the student versions in exercises/ from solutions/*.py (instructor)."""
    with api_errors():
        written = api.generate(exercises)
    for path in written.paths:
        click.echo(f"wrote {path}")


@main.command("fixtures")
@click.argument("exercises", nargs=-1)
def fixtures_cmd(exercises):
    """Regenerate the public fixtures from the reference (instructor; needs reference_impl)."""
    with api_errors():
        written = api.fixtures(exercises)
    for path in written.paths:
        click.echo(f"wrote {path}")


@main.command("limits")
@click.argument("exercise", default=api.LIMITS_EXERCISE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def limits_cmd(exercise: str, as_json: bool):
    """Show the sandbox limits of EXERCISE and what confines student code on this machine.

    The confinement is measured: an empty submission is started and reports what held
    (namespaces, covered paths, read-only file system, capabilities, user, the seccomp filter and
    how many system calls it refuses).
    """
    with api_errors():
        outcome = api.limits(exercise)
    if as_json:
        click.echo(json.dumps(outcome.to_dict()))
        return
    for key, value in outcome.limits.items():
        click.echo(f"{key:18} {value}")
    held = outcome.confinement
    click.echo("confinement        " + (", ".join(f"{k}={v}" for k, v in held.items()) if held else
                                       "off (GRADER_CONFINE=0): timeouts, process-group kill and rlimits only"))


def _instructor_only(name: str) -> click.Command:
    """An instructor command's stand-in in the student distribution: one line on stderr, exit code 2."""

    def callback(args):
        lang = default_lang()
        for i, arg in enumerate(args):  # `--lang es` / `--lang=es`, as the real command would take it
            value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else \
                arg.split("=", 1)[1] if arg.startswith("--lang=") else None
            lang = value if value in LANGS else lang
        click.echo(t("student_install_refused", lang, command=name), err=True)
        sys.exit(EXIT_USAGE)

    return click.Command(name, callback=callback, hidden=True, add_help_option=False,
                         params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
                         context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
                         help="Instructor command: not in the student install.")


# instructor commands kept in their own modules; each registers its click commands here. The student
# distribution (tools/student_dist.py) ships neither them nor the reference: it adds
# autograder/_student.py, which lists the instructor commands, and each of them answers with one line.
try:
    from ._student import INSTRUCTOR_COMMANDS  # noqa: E402 - only in the student distribution
except ModuleNotFoundError as exc:
    if exc.name != f"{__package__}._student":
        raise
    from . import cli_course, cli_reports  # noqa: E402

    cli_course.register(main)
    cli_reports.register(main)
else:
    for _name in INSTRUCTOR_COMMANDS:
        main.add_command(_instructor_only(_name))
