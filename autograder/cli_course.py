"""Instructor commands on an nbgrader course folder: init, release, validate, collect, demo.

(`grader grade EX --course DIR` lives with `grade` in cli.py.) Each command parses
its options, calls one function of :mod:`autograder.api` and renders what it
returns; nbgrader is imported only when a command runs. None of them has
``--lang``: what they say is in $GRADER_LANG (tables and per-file lines stay English).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import api
from .messages import default_lang, t

if TYPE_CHECKING:
    from .course.collect import CollectReport


@contextmanager
def _api_errors(lang: str | None = None):
    """:func:`autograder.cli.api_errors` (imported when a command runs: cli.py registers these commands)."""
    from .cli import api_errors

    with api_errors(lang):
        yield


course_option = click.option("--course", "course_dir", default=str(api.HERE), show_default=True,
                             type=click.Path(file_okay=False, path_type=Path), help="The course folder.")


@click.command("init")
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--exercise", "-e", "exercises", multiple=True, help="Only these exercises (default: all authored).")
@click.option("--course-id", default=api.COURSE_ID, show_default=True)
@click.option("--timeout", default=api.CELL_TIMEOUT_S, show_default=True,
              help="nbgrader's per-cell execution timeout (s).")
def init_cmd(course_dir: Path, exercises, course_id: str, timeout: int):
    """Lay out an nbgrader course in COURSE_DIR from solutions/ (config, source/, gradebook)."""
    with _api_errors():
        outcome = api.init(course_dir, exercises, course_id=course_id, timeout=timeout)
    click.echo(t("init_done", default_lang(), course_id=outcome.course_id, path=outcome.course,
                 exercises=", ".join(outcome.exercises)))


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

    with _api_errors():
        outcome = api.validate(exercises)
    Console().print(_validation_table(outcome.results))
    sys.exit(0 if outcome.ok else 1)


@click.command("release")
@click.argument("exercises", nargs=-1)
@course_option
@click.option("--no-exchange", is_flag=True, help="Generate release/ only; do not copy to the exchange.")
def release_cmd(exercises, course_dir: Path, no_exchange: bool):
    """Validate, generate the student version (nbgrader generate_assignment) and release it to the
    exchange. An exercise that fails validation is not released (exit code 1)."""
    from rich.console import Console

    with _api_errors():
        outcome = api.release(exercises, course_dir, to_exchange=not no_exchange)
    Console().print(_validation_table(outcome.results))
    lang = default_lang()
    for v in outcome.results:
        click.echo(t("released" if v.ok else "not_released", lang, ex=v.exercise))
    sys.exit(0 if outcome.ok else 1)


def _console():
    obj = click.get_current_context().obj
    console = getattr(obj, "console", None)
    if console is None:
        from rich.console import Console

        console = Console()
    return console


def print_report(console, report: CollectReport, course_root: Path, lang: str = "en") -> None:
    """The report as rich tables: collected, skipped, then warnings and a summary line (in ``lang``)."""
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
        console.print(f"[yellow]{escape(t('warning', lang, text=w))}[/]")
    if report.error:
        console.print(f"[red]{escape(t('collect_error', lang, text=report.error))}[/]")
    ignored = t("collect_ignored", lang, n=len(report.ignored)) if report.ignored else ""
    console.print(escape(t("collect_summary", lang, collected=len(report.collected), skipped=len(report.skipped),
                           ignored=ignored, folder=course_root / "submitted")))


@click.command("collect")
@click.argument("exercise")
@click.option("--from-folder", "folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of submissions (Moodle/Canvas/Blackboard download unpacked, or <student>/ folders).")
@click.option("--from-zip", "zip_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An LMS 'download all submissions' zip, read in place.")
@click.option("--from-exchange", "exchange", is_flag=True, help="nbgrader's exchange of the course.")
@click.option("--course", "course_dir", default=str(api.HERE), show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path), help="The course folder.")
@click.option("--force", is_flag=True, help="Replace collected submissions even when they are newer.")
def collect_cmd(exercise: str, folder, zip_path, exchange: bool, course_dir: Path, force: bool):
    """Collect EXERCISE's submissions into COURSE/submitted/<student>/<ex>/.

    Exactly one source: --from-folder DIR, --from-zip FILE or --from-exchange.
    Exit code: 0 when at least one submission was collected, 1 when none
    was, 2 for a usage error.
    """
    with _api_errors():
        outcome = api.collect(exercise, from_folder=folder, from_zip=zip_path, from_exchange=exchange,
                              course_dir=course_dir, force=force)
    print_report(_console(), outcome.report, outcome.course, default_lang())
    sys.exit(0 if outcome.ok else 1)


def demo_table(result, seconds: float):
    """The demo's class: one row per student, readable at 80 columns (ids whole, the exercise columns
    narrow, what each student handed in one item per line, wrapped at spaces)."""
    from rich.table import Table

    from .course.demo import OPTIONAL

    # the exercises everyone handed in are columns; an optional one (three students) is the caption
    graded = [ex for ex in result.max_scores if ex not in OPTIONAL]
    table = Table(title=f"demo class: {len(result.scores)} students, graded in {seconds:.0f} s")
    table.add_column("student", overflow="fold")
    for ex in graded:
        table.add_column(f"{ex}\n/{result.max_scores[ex]:g}", justify="right", no_wrap=True)
    table.add_column(f"total\n/{sum(result.max_scores[ex] for ex in graded):g}", justify="right", no_wrap=True)
    table.add_column("what they handed in", overflow="fold")
    for student in sorted(result.scores):
        row = result.scores[student]
        notes = sorted({f"{ex}: {p}" for ex, p in result.profiles[student].items() if p != "correct" and ex in graded})
        table.add_row(student, *(f"{row.get(ex, 0):g}" for ex in graded), f"{sum(row.get(ex, 0) for ex in graded):g}",
                      "\n".join(notes) or "all correct")
    optional = []
    for ex in (ex for ex in result.max_scores if ex in OPTIONAL):
        handed_in = [f"{student} {result.scores[student][ex]:g}/{result.max_scores[ex]:g}"
                     + ("" if result.profiles[student][ex] == "correct" else f" ({result.profiles[student][ex]})")
                     for student in sorted(result.scores) if ex in result.scores[student]]
        optional.append(f"{ex} (optional, {len(handed_in)} handed in): {', '.join(handed_in)}")
    table.caption = "\n".join(optional) or None
    return table


@click.command("demo")
@click.argument("course_dir", default=str(api.DEMO_COURSE), type=click.Path(file_okay=False, path_type=Path))
@click.option("--jobs", "-j", default=api.DEMO_JOBS, show_default=True, type=click.IntRange(1, api.MAX_JOBS))
def demo_cmd(course_dir: Path, jobs: int):
    """Build a demo course in COURSE_DIR, grade a generated class of 30 students end to end
    (release, grade into the gradebook, feedback, reports, LMS export) and print a summary.
    COURSE_DIR must be absent, empty, or a demo course made by this command (then it is replaced).
    Each stage prints a line as it ends; the grading shows a bar per exercise on a terminal and
    "ex3: 30/30 submissions graded (12 s)" lines in a pipe or a log."""
    from rich.console import Console

    from .render import progress_bar

    console = Console()
    lang = default_lang()

    def say(key: str, **fields) -> None:
        console.print(t(key, lang, **fields), markup=False, highlight=False, soft_wrap=True)

    with _api_errors(lang):
        outcome = api.demo(course_dir, jobs=jobs, lang=lang, say=say,
                           progress=lambda ex, total: progress_bar(console, total, ex, lang))
    console.print(demo_table(outcome.result, outcome.seconds))
    course = outcome.course
    console.print(t("demo_summary", lang, course=course.root, gradebook=course.gradebook, results=course.grades(),
                    feedback=course.root / "feedback_html", reports=course.reports(),
                    export=course.exports() / "grades.csv"),
                  markup=False, highlight=False, soft_wrap=True)


@click.command("gradescope")
@click.argument("exercise")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--course", "course_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="The course whose hidden-checks key goes into the zip (default: $GRADER_HIDDEN_KEY).")
@click.option("--hidden-key-file", "key_file", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the hidden checks' key (owner-only).")
@click.option("--lang", type=click.Choice(["en", "es"]), default="es", show_default=True,
              help="The language of the feedback students read on Gradescope.")
def gradescope_cmd(exercise: str, out_dir: Path, course_dir, key_file, lang: str):
    """Build OUT_DIR/autograder-EXERCISE.zip for Gradescope: upload it as the assignment's autograder
    (Ubuntu image). It grades /autograder/submission with the same sandbox and writes results.json:
    one test per check, hidden checks shown after the due date."""
    with _api_errors():
        outcome = api.gradescope(exercise, out_dir, course_dir=course_dir, key_file=key_file, lang=lang)
    click.echo(t("gradescope_done", default_lang(), ex=outcome.exercise, path=outcome.zip_path))


def register(group: click.Group) -> None:
    for command in (init_cmd, validate_cmd, release_cmd, collect_cmd, demo_cmd, gradescope_cmd):
        group.add_command(command)
