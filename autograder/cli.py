"""The ``grader`` command line: a thin click layer over the Python API.

Each command parses its options, calls one API function and renders the
result; nothing here computes a grade. Heavy libraries (TensorFlow,
nbgrader) are never imported at module level.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__, registry
from .messages import LANGS, default_lang

EXIT_FULL, EXIT_FAILED, EXIT_USAGE, EXIT_UNLOADABLE = 0, 1, 2, 3


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
    if as_json:
        click.echo(json.dumps([
            {"id": e.id, "slug": e.slug, "title": e.title if lang == "en" else e.title_es,
             "points": e.points, "needs": e.needs}
            for e in registry.EXERCISES
        ], ensure_ascii=False))
        return
    from .render import exercises_table

    ctx.console.print(exercises_table(registry.EXERCISES, lang))


@main.command("selfcheck")
@click.option("--seed", default=0, show_default=True, help="Seed of the random inputs.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_context
def selfcheck_cmd(ctx: Context, seed: int, as_json: bool):
    """Check the trusted reference's gradients against its own numerical gradients.

    Instructor only: needs reference_impl. Exit code 0 when every check passes.
    """
    try:
        from .selfcheck import run_selfcheck

        result = run_selfcheck(seed)
    except ImportError as exc:
        raise click.ClickException(f"the reference is not installed here ({exc}); "
                                   "selfcheck is an instructor command") from None
    if as_json:
        click.echo(json.dumps(result.to_dict()))
    else:
        from .render import result_table

        ctx.console.print(result_table(result))
    sys.exit(0 if result.full_marks else 1)


def _exercise(key: str):
    """The exercise called ``key``, which must have checks in this version."""
    import importlib.util

    try:
        ex = registry.get(key)
    except KeyError as exc:
        raise click.UsageError(exc.args[0]) from None
    if importlib.util.find_spec(f"autograder.exercises.{ex.id}") is None:
        raise click.UsageError(f"{ex.id} ({ex.slug}) has no checks in this version of the grader yet")
    return ex


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
    from .batch import find_submission_file, same_code, submission_candidates
    from .grading import grade_file
    from .messages import t

    ex = _exercise(exercise)
    if path is not None and not path.is_file():
        raise click.UsageError(t("check_no_file", lang, path=str(path)))
    if path is None:
        candidates = submission_candidates(Path.cwd(), ex.id)
        path = candidates[0] if candidates else None
        others = [p for p in candidates[1:] if same_code(path, p, ex.names) is not True]
        if others:  # a notebook and a .py both here: say which one is graded, and that they differ
            other = ", ".join(p.name for p in others)
            click.echo(t("check_two_files", lang, graded=path.name, other=other, ex=ex.id), err=True)
        if path is None:
            raise click.UsageError(f"no {ex.id} submission in {Path.cwd()} "
                                   f"(looked for {ex.id}_*.ipynb / {ex.id}_*.py); pass its PATH")
    from .data import DataUnavailable

    try:
        result = grade_file(ex.id, path, hidden=False, lang=lang)
    except DataUnavailable as exc:  # the install lacks a data set: not the student's fault
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        from .render import print_result

        print_result(ctx.console, result, str(path), lang)
    sys.exit(EXIT_UNLOADABLE if result.error else EXIT_FULL if result.full_marks else EXIT_FAILED)


@main.command("grade")
@click.argument("exercise")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 256),
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
@lang_option
@pass_context
def grade_cmd(ctx: Context, exercise: str, paths, jobs: int, out, course_dir, force: bool, key_file, as_json: bool,
              lang: str):
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

    from .batch import discover, grade_batch, unfinished_results
    from .messages import t
    from .preflight import Problem, check_gradebook, check_writable, require_nbgrader
    from .render import progress_bar
    from .sanitize import rich_markup
    from .secret import MissingHiddenKey, resolve

    ex = _exercise(exercise)
    err = Console(stderr=True)
    if course_dir is None and not paths and (Path.cwd() / "nbgrader_config.py").is_file():
        course_dir = Path.cwd()
    if course_dir is not None and not (Path(course_dir) / "nbgrader_config.py").is_file():
        raise click.UsageError(f"{course_dir} is not a course folder (no nbgrader_config.py)")
    try:  # no key, no grading: the hidden inputs must not come from anything public
        key = resolve(course_dir, key_file)
    except MissingHiddenKey as exc:
        raise click.UsageError(exc.text(lang)) from None
    if course_dir is not None:
        from .course import CourseDir
        from .course.grade import CourseBusy, course_submissions, grade_course

        course = CourseDir(course_dir)
        if not course.config.is_file():
            raise click.UsageError(f"{course_dir} is not a course folder (no nbgrader_config.py)")
        subs = course_submissions(course, ex.id)
        total = len(subs)
        if total == 0:
            raise click.UsageError(f"no {ex.id} submissions under {course.submitted()}")
        check_gradebook(course.gradebook, lang)  # each check before anything is written
        check_writable([course.root, course.grades(ex.id), course.root / "autograded"], [course.gradebook], lang)
        require_nbgrader("grade", lang)
        try:
            with _ctrl_c_kept(), progress_bar(err, total, ex.id, lang) as advance:
                run = grade_course(course, ex.id, jobs=jobs, force=force, lang=lang, progress=advance,
                                   hidden_key=key)
        except CourseBusy as exc:
            raise click.ClickException(str(exc)) from None
        except Problem as exc:  # met while grading (e.g. the gradebook broke meanwhile): in the run's language
            exc.lang = lang
            raise
        except KeyboardInterrupt:
            _stopped(course.grades(ex.id), subs, lang)
        records, expected = run.records, total
        out = course.root / "grades"
        err.print(f"graded {len(run.graded)}, already graded {len(run.skipped)} (use --force to regrade); "
                  f"recorded in {rich_markup(course.gradebook)}")
        if run.unrecorded:  # graded, but the gradebook or the autograded notebook failed: said, never silent
            names = ", ".join(run.unrecorded[:10]) + (" …" if len(run.unrecorded) > 10 else "")
            err.print(f"[red]{len(run.unrecorded)} graded but not recorded[/red] (see record_error in their "
                      f"results; run `grader grade` again to record them): {rich_markup(names)}")
    else:
        if not paths:
            raise click.UsageError("give the submissions' PATHs, or --course DIR")
        submissions, warnings = discover(paths, ex.id)
        for w in warnings:
            err.print(f"[yellow]warning:[/yellow] {rich_markup(w)}")
        if not submissions:
            raise click.UsageError(f"no {ex.id} submissions found in {', '.join(map(str, paths))}")
        out = out or Path("grades")
        check_writable([out / ex.id], lang=lang)
        previous = {} if force else unfinished_results(out, ex.id, submissions)
        if previous:
            click.echo(t("grade_resumed", lang, n=len(previous), total=len(submissions), folder=out / ex.id),
                       err=True)
        try:
            with _ctrl_c_kept(), progress_bar(err, len(submissions) - len(previous), ex.id, lang) as advance:
                records = grade_batch(ex.id, submissions, out, jobs=jobs, lang=lang, progress=advance,
                                      hidden_key=key, previous=previous)
        except KeyboardInterrupt:
            _stopped(out / ex.id, submissions, lang)
        expected = len(submissions)
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False))
    else:
        from .render import class_table

        ctx.console.print(class_table(records, ex.id, lang))
        ctx.console.print(f"results: {rich_markup(out / ex.id)}/<student>.json, "
                          f"gradebook: {rich_markup(out / ex.id / 'gradebook.csv')}")
    unrecorded = [r for r in records if r.get("record_error")]
    sys.exit(EXIT_FULL if len(records) == expected and not unrecorded else EXIT_FAILED)


@contextmanager
def _ctrl_c_kept():
    """Python drops an exception raised inside a finalizer or a weakref callback ("Exception ignored in …"),
    and SQLAlchemy (the gradebook) runs many: a Ctrl-C landing in one would be lost and the run go on. Here
    a KeyboardInterrupt dropped so is raised again: SIGINT is sent once more, and lands elsewhere. And the
    SIGINT is remembered (``batch.STOP``), so a KeyboardInterrupt swallowed in any other way still stops
    the batch once the submission it is saving is saved."""
    import signal
    import threading

    from .batch import STOP

    old = sys.unraisablehook

    def hook(unraisable):
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
        else:
            old(unraisable)

    def on_sigint(signum, frame):  # remembered too: the batch stops at its next result even if this is lost
        STOP.set()
        signal.default_int_handler(signum, frame)

    STOP.clear()
    sys.unraisablehook = hook
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_sigint) if main_thread else None
    try:
        yield
    finally:
        sys.unraisablehook = old
        if main_thread:
            signal.signal(signal.SIGINT, previous)
        STOP.clear()


def _stopped(folder: Path, submissions, lang: str):
    """After Ctrl-C: stop the workers and student processes still running, say what is saved in ``folder``
    (the results on disk for the files as they are now) and how to resume; exit code 130."""
    import signal

    from .batch import saved_result, stop_all
    from .messages import t
    from .sanitize import terminal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the message short
    stop_all()
    saved = sum(saved_result(folder, sub) is not None for sub in submissions)
    total = len(submissions)
    where = terminal(f"{folder}{os.sep}")
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
    from . import authoring

    ids = [_exercise(e).id for e in exercises] or None
    for path in authoring.generate(ids):
        click.echo(f"wrote {path}")


@main.command("fixtures")
@click.argument("exercises", nargs=-1)
def fixtures_cmd(exercises):
    """Regenerate the public fixtures from the reference (instructor; needs reference_impl)."""
    from .cases import write_fixtures
    from .grading import exercise_module

    ids = [_exercise(e).id for e in exercises] or [e.id for e in registry.EXERCISES]
    for ex_id in ids:
        try:
            specs = [s for s in exercise_module(ex_id).SPECS]
        except ModuleNotFoundError:
            continue
        if specs:
            click.echo(f"wrote {write_fixtures(ex_id, specs)}")


@main.command("limits")
@click.argument("exercise", default="ex1")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def limits_cmd(exercise: str, as_json: bool):
    """Show the sandbox limits of EXERCISE and what confines student code on this machine.

    The confinement is measured: an empty submission is started and reports what held
    (namespaces, covered paths, read-only file system, capabilities, user, the seccomp filter and
    how many system calls it refuses).
    """
    from dataclasses import asdict

    from .grading import limits_for
    from .sandbox import confinement

    ex = _exercise(exercise)
    limits = limits_for(ex)
    data = {"exercise": ex.id, "limits": asdict(limits), "confinement": confinement(limits)}
    if as_json:
        click.echo(json.dumps(data))
        return
    for key, value in data["limits"].items():
        click.echo(f"{key:18} {value}")
    held = data["confinement"]
    click.echo("confinement        " + (", ".join(f"{k}={v}" for k, v in held.items()) if held else
                                       "off (GRADER_CONFINE=0): timeouts, process-group kill and rlimits only"))


def _instructor_only(name: str) -> click.Command:
    """An instructor command's stand-in in the student distribution: one line on stderr, exit code 2."""

    def callback(args):
        from .messages import Text

        lang = default_lang()
        for i, arg in enumerate(args):  # `--lang es` / `--lang=es`, as the real command would take it
            value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else \
                arg.split("=", 1)[1] if arg.startswith("--lang=") else None
            lang = value if value in LANGS else lang
        click.echo(Text("this is the student install; `grader {command}` needs the instructor package",
                        "esta es la instalación del estudiante; `grader {command}` necesita el paquete del profesor")
                   (lang, command=name), err=True)
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
