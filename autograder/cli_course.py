"""Instructor commands on an nbgrader course folder: init, release, validate, collect, demo.

(`grader grade EX --course DIR` lives with `grade` in cli.py.) Each command is a
thin layer over ``autograder.course``; nbgrader is imported only when a command runs.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import registry

if TYPE_CHECKING:
    from .course.collect import CollectReport


def _ids(exercises) -> list[str]:
    try:
        return [registry.get(e).id for e in exercises]
    except KeyError as exc:
        raise click.UsageError(exc.args[0]) from None


course_option = click.option("--course", "course_dir", default=".", show_default=True,
                             type=click.Path(file_okay=False, path_type=Path), help="The course folder.")


@click.command("init")
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--exercise", "-e", "exercises", multiple=True, help="Only these exercises (default: all authored).")
@click.option("--course-id", default="nn-course", show_default=True)
@click.option("--timeout", default=300, show_default=True, help="nbgrader's per-cell execution timeout (s).")
def init_cmd(course_dir: Path, exercises, course_id: str, timeout: int):
    """Lay out an nbgrader course in COURSE_DIR from solutions/ (config, source/, gradebook)."""
    from .course.setup import course_exercises, init_course, init_paths
    from .preflight import check_gradebook, check_writable, require_nbgrader

    ids = _ids(exercises) or None
    check_gradebook(Path(course_dir) / "gradebook.db")  # each check before anything is written: nothing is
    folders, files = init_paths(course_dir, ids)        # left half-made (the cheap ones first)
    check_writable(folders, files)
    require_nbgrader("init")
    try:
        course = init_course(course_dir, ids, course_id, timeout)
    except FileNotFoundError as exc:  # an exercise without its source notebook: found before any write
        raise click.UsageError(str(exc)) from None
    click.echo(f"course {course_id} in {course.root}: {', '.join(course_exercises(course))}")


def _validation_table(results):
    from rich.table import Table

    from .sanitize import rich_text  # problems quote what the code under validation raised or printed

    table = Table(title="validation")
    for col in ("exercise", "solution", "student version", "known mistakes caught", "verdict"):
        table.add_column(col, overflow="fold")
    for v in results:
        table.add_row(v.exercise, f"{v.solution_score:g}/{v.max_score:g}", f"{v.stub_score:g}",
                      f"{v.mistakes_caught}/{v.mistakes_total}",
                      "[green]ok[/green]" if v.ok else rich_text("; ".join(v.problems), "red"))
    return table


@click.command("validate")
@click.argument("exercises", nargs=-1)
def validate_cmd(exercises):
    """Check that each solution gets full marks, each student version zero, and every known
    mistake loses the points of its check. Exit code 1 if any exercise fails."""
    from rich.console import Console

    from . import authoring
    from .course.release import validate_exercise

    results = [validate_exercise(e) for e in (_ids(exercises) or authoring.authored_exercises())]
    Console().print(_validation_table(results))
    sys.exit(0 if all(v.ok for v in results) else 1)


@click.command("release")
@click.argument("exercises", nargs=-1)
@course_option
@click.option("--no-exchange", is_flag=True, help="Generate release/ only; do not copy to the exchange.")
def release_cmd(exercises, course_dir: Path, no_exchange: bool):
    """Validate, generate the student version (nbgrader generate_assignment) and release it to the
    exchange. An exercise that fails validation is not released (exit code 1)."""
    from rich.console import Console

    from .course import CourseDir
    from .course.release import release
    from .course.setup import course_exercises, is_course

    from .preflight import check_gradebook, check_writable, require_nbgrader

    if not is_course(course_dir):
        raise click.UsageError(f"{course_dir} is not a course folder; run `grader init` first")
    course = CourseDir(course_dir)
    ids = _ids(exercises) or course_exercises(course)
    check_gradebook(course.gradebook)  # before the validation's minutes, and before anything is written
    check_writable([course.root, course.root / "release", *(course.release(e) for e in ids)]
                   + ([course.exchange] if not no_exchange else []), [course.gradebook])
    require_nbgrader("release")
    results = [release(course, e, to_exchange=not no_exchange) for e in ids]
    Console().print(_validation_table(results))
    for v in results:
        click.echo(f"{v.exercise}: {'released' if v.ok else 'NOT released'}")
    sys.exit(0 if all(v.ok for v in results) else 1)


def _console():
    obj = click.get_current_context().obj
    console = getattr(obj, "console", None)
    if console is None:
        from rich.console import Console

        console = Console()
    return console


def print_report(console, report: CollectReport, course_root: Path) -> None:
    """The report as rich tables: collected, skipped, then warnings and a summary line."""
    from rich.table import Table

    from .sanitize import rich_markup as escape  # student ids, file names, LMS text: no markup, no controls

    def rel(p: Path) -> str:
        try:
            return str(Path(p).relative_to(course_root))
        except ValueError:
            return str(p)

    if report.collected:
        table = Table(title=f"{report.exercise}: collected from {report.source}")
        for col in ("student", "from", "to", "submitted", "format"):
            table.add_column(col, overflow="fold")
        for c in report.collected:
            table.add_row(escape(c.student), escape(c.source), escape(rel(c.destination)), escape(c.timestamp),
                          escape(c.lms) + (" (replaced)" if c.replaced else ""))
        console.print(table)
    if report.skipped:
        table = Table(title="skipped")
        table.add_column("path", overflow="fold")
        table.add_column("reason", overflow="fold")
        for s in report.skipped:
            table.add_row(escape(s.path), escape(s.reason))
        console.print(table)
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")
    if report.error:
        console.print(f"[red]error:[/] {escape(report.error)}")
    ignored = f", {len(report.ignored)} ignored (OS/LMS junk)" if report.ignored else ""
    console.print(f"{len(report.collected)} collected, {len(report.skipped)} skipped{ignored} "
                  f"→ {escape(str(course_root / 'submitted'))}")


@click.command("collect")
@click.argument("exercise")
@click.option("--from-folder", "folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of submissions (Moodle/Canvas/Blackboard download unpacked, or <student>/ folders).")
@click.option("--from-zip", "zip_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An LMS 'download all submissions' zip, read in place.")
@click.option("--from-exchange", "exchange", is_flag=True, help="nbgrader's exchange of the course.")
@click.option("--course", "course_dir", default=".", show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path), help="The course folder.")
@click.option("--force", is_flag=True, help="Replace collected submissions even when they are newer.")
def collect_cmd(exercise: str, folder, zip_path, exchange: bool, course_dir: Path, force: bool):
    """Collect EXERCISE's submissions into COURSE/submitted/<student>/<ex>/.

    Exactly one source: --from-folder DIR, --from-zip FILE or --from-exchange.
    Exit code: 0 when at least one submission was collected, 1 when none
    was, 2 for a usage error.
    """
    try:
        ex = registry.get(exercise)
    except KeyError as exc:
        raise click.UsageError(exc.args[0]) from None
    chosen = [name for name, given in (("--from-folder", folder), ("--from-zip", zip_path),
                                       ("--from-exchange", exchange)) if given]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --from-folder DIR, --from-zip FILE, --from-exchange"
                               + (f" (got {', '.join(chosen)})" if chosen else ""))
    from .course import CourseDir
    from .course.collect import collect_from_exchange, collect_from_folder, collect_from_zip
    from .course.setup import is_course
    from .messages import default_lang, t

    if not is_course(course_dir):  # as `release` does: never a stray ./submitted
        raise click.UsageError(t("not_a_course", default_lang(), path=str(course_dir)))
    from .preflight import check_gradebook, check_writable, require_nbgrader

    course = CourseDir(course_dir)
    check_gradebook(course.gradebook)  # each check before anything is written
    check_writable([course.root, course.submitted()], [course.gradebook] if course.gradebook.exists() else [])
    if exchange:
        require_nbgrader("collect --from-exchange")
    if folder is not None:
        report = collect_from_folder(course_dir, ex.id, folder, force=force)
    elif zip_path is not None:
        report = collect_from_zip(course_dir, ex.id, zip_path, force=force)
    else:
        report = collect_from_exchange(course_dir, ex.id, force=force)
    print_report(_console(), report, CourseDir(course_dir).root)
    sys.exit(0 if report.ok else 1)


def demo_table(result, seconds: float):
    """The demo's class: one row per student, readable at 80 columns (ids whole, the exercise columns
    narrow, what each student handed in one item per line, wrapped at spaces)."""
    from rich.table import Table

    from .course.demo import EXERCISES

    table = Table(title=f"demo class: {len(result.scores)} students, graded in {seconds:.0f} s")
    table.add_column("student", overflow="fold")
    for ex in EXERCISES:
        table.add_column(f"{ex}\n/{result.max_scores[ex]:g}", justify="right", no_wrap=True)
    table.add_column(f"total\n/{sum(result.max_scores.values()):g}", justify="right", no_wrap=True)
    table.add_column("what they handed in", overflow="fold")
    for student in sorted(result.scores):
        row = result.scores[student]
        notes = sorted({f"{ex}: {p}" for ex, p in result.profiles[student].items() if p != "correct"})
        table.add_row(student, *(f"{row.get(ex, 0):g}" for ex in EXERCISES), f"{sum(row.values()):g}",
                      "\n".join(notes) or "all correct")
    return table


@click.command("demo")
@click.argument("course_dir", default="demo-course", type=click.Path(file_okay=False, path_type=Path))
@click.option("--jobs", "-j", default=2, show_default=True, type=click.IntRange(1, 256))
def demo_cmd(course_dir: Path, jobs: int):
    """Build a demo course in COURSE_DIR, grade a generated class of 30 students end to end
    (release, grade into the gradebook, feedback, reports, LMS export) and print a summary.
    COURSE_DIR must be absent, empty, or a demo course made by this command (then it is replaced).
    Each stage prints a line as it ends; the grading shows a bar per exercise on a terminal and
    "ex3: 30/30 submissions graded (12 s)" lines in a pipe or a log."""
    import time

    from rich.console import Console

    from .course.demo import DemoRefused, run_demo
    from .messages import default_lang, t
    from .render import progress_bar

    console = Console()
    lang = default_lang()
    from .preflight import check_writable, require_nbgrader

    check_writable([course_dir], lang=lang)  # before anything is written
    require_nbgrader("demo", lang)
    start = time.perf_counter()

    def say(key: str, **fields) -> None:
        console.print(t(key, lang, **fields), markup=False, highlight=False, soft_wrap=True)

    try:
        result = run_demo(course_dir, jobs=jobs, say=say,
                          progress=lambda ex, total: progress_bar(console, total, ex, lang))
    except DemoRefused as exc:  # refused before anything was written
        raise click.UsageError(exc.text(lang)) from None
    console.print(demo_table(result, time.perf_counter() - start))
    course = result.course
    console.print(f"course: {course.root}\n  gradebook: {course.gradebook} (nbgrader export, formgrader)\n"
                  f"  results: {course.grades()}\n  feedback: {course.root / 'feedback_html'}\n"
                  f"  reports: {course.reports()}\n  LMS export: {course.exports() / 'grades.csv'}",
                  markup=False, highlight=False, soft_wrap=True)


def register(group: click.Group) -> None:
    for command in (init_cmd, validate_cmd, release_cmd, collect_cmd, demo_cmd):
        group.add_command(command)
