"""Terminal rendering of registry listings and results (rich), kept apart from the CLI logic."""
from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.table import Table

from .registry import Exercise
from .results import ExerciseResult, GradedSubmission
from .sanitize import rich_markup, rich_text


def exercises_table(exercises: tuple[Exercise, ...], lang: str = "en") -> Table:
    table = Table(title="Exercises" if lang == "en" else "Ejercicios")
    for col in ("id", "slug", "title" if lang == "en" else "título",
                "points" if lang == "en" else "puntos", "needs" if lang == "en" else "requiere"):
        table.add_column(col)
    for ex in exercises:
        table.add_row(ex.id, ex.slug, ex.title if lang == "en" else ex.title_es,
                      f"{ex.points:g}", ex.needs)
    return table


#: the result table's words
_RESULT_WORDS = {"en": ("check", "points", "verdict", "message", "pass", "FAIL"),
                 "es": ("comprobación", "puntos", "veredicto", "mensaje", "superada", "NO SUPERADA")}


def result_table(result: ExerciseResult, lang: str = "en") -> Table:
    words = _RESULT_WORDS.get(lang, _RESULT_WORDS["en"])
    table = Table(title=f"{result.exercise}: {result.score:g} / {result.max_score:g}")
    for col in words[:4]:
        table.add_column(col, overflow="fold")
    for c in result.checks:
        verdict = f"[green]{words[4]}[/green]" if c.passed else f"[red]{words[5]}[/red]"
        table.add_row(rich_text(c.title(lang)), f"{c.points:g}/{c.max_points:g}", verdict, rich_text(c.text(lang)))
    return table


def print_result(console: Console, result: ExerciseResult, path: str, lang: str = "en") -> None:
    """A student's verdict: the error if it could not be loaded, else the checks table and total."""
    if result.error_text is not None:
        label = "Could not grade" if lang == "en" else "No se pudo corregir"
        console.print(f"[bold red]{label} {rich_markup(path)}:[/bold red] {rich_markup(result.error_text(lang))}")
    for note in result.notes_text:  # what was wrong but did not stop the grading (a broken cell, skipped)
        console.print(rich_text(note(lang), "yellow"))
    console.print(result_table(result, lang))
    from .registry import get

    hidden = 0.0 if any(c.hidden for c in result.checks) else get(result.exercise).points - result.max_score
    console.print(f"[bold]{rich_markup(points_line(result.checks, hidden, lang))}[/bold]  ({rich_markup(path)})")


def points_line(checks, hidden_points: float, lang: str = "en") -> str:
    """"Total: 8 / 8 public points (2 more are hidden and graded by your instructor)" for the checks
    run (CheckResult objects) and the points of the hidden checks that were not run."""
    from .messages import t

    score = sum(c.points for c in checks)
    shown = sum(c.max_points for c in checks)
    if hidden_points <= 0:
        return t("points_all" if any(c.hidden for c in checks) else "points_public", lang, score=score, max=shown)
    return t("points_public", lang, score=score, max=shown) + t("points_hidden", lang, hidden=hidden_points)


#: failed checks listed by name in one row of the class table; the rest are counted
CLASS_TABLE_LISTED = 6
#: an error message is cut to this many characters in the class table (the result file keeps it whole)
CLASS_TABLE_ERROR_CHARS = 300


def _failed_cell(record: GradedSubmission, lang: str):
    """What went wrong for one student: the load error, else the failed checks one per line (a few,
    then how many more), or one line when no check passed."""
    from rich.text import Text

    from .messages import t

    if record.error():
        text = rich_text(record.error(lang))
        if len(text) > CLASS_TABLE_ERROR_CHARS:
            text = text[:CLASS_TABLE_ERROR_CHARS - 1]
            text.append("…")
        return text
    checks = record.checks
    failed = [c.title(lang) for c in checks if not c.passed]
    if len(failed) > 1 and len(failed) == len(checks):
        return Text(t("class_none_passed", lang, n=len(failed)))
    shown = [rich_text(name) for name in failed[:CLASS_TABLE_LISTED]]
    if len(failed) > CLASS_TABLE_LISTED:
        shown.append(Text(t("class_more", lang, n=len(failed) - CLASS_TABLE_LISTED)))
    return Text("\n").join(shown)


def class_summary(records: list[GradedSubmission], lang: str = "en") -> str:
    """"28 at full marks, 1 with failed checks, 1 not loaded; mean 9.1 / 10"."""
    from .messages import t

    errors = sum(1 for r in records if r.error())
    full = sum(1 for r in records if not r.error() and r.score >= r.max_score)
    mean = sum(r.score for r in records) / len(records) if records else 0.0
    top = max((r.max_score for r in records), default=0.0)
    return t("class_summary", lang, full=full, partial=len(records) - full - errors, errors=errors, mean=mean,
             max=top)


def class_table(records: list[GradedSubmission], exercise: str, lang: str = "en") -> Table:
    """One row per student, readable at 80 columns (a pipe, a log, a narrow terminal): failed checks
    go one per line and wrap at spaces, a summary line closes the table, and ids are never cut
    short (rich narrows the widest wrappable column first, so an id folds, whole, only when the
    failed checks are already down to its width)."""
    from .messages import t

    table = Table(title=t("class_title", lang, exercise=exercise, n=len(records)),
                  caption=class_summary(records, lang), caption_justify="left")
    table.add_column(t("class_student", lang), overflow="fold")
    table.add_column(t("class_score", lang), no_wrap=True, justify="right")
    table.add_column(t("class_failed", lang), overflow="fold")
    for r in sorted(records, key=lambda r: r.student):
        table.add_row(rich_text(r.student), f"{r.score:g} / {r.max_score:g}", _failed_cell(r, lang))
    return table


@contextmanager
def progress_bar(console: Console, total: int, label: str, lang: str = "en", every_s: float = 5.0):
    """Yields ``advance(record)``, to be called after each submission of the ``total``.

    On a terminal: a bar ("grading ex3 ━━━━ 12/30 0:00:08"). Elsewhere (a pipe, a log, CI) one
    line per ``every_s`` seconds at most and one when the last submission is graded:
    "ex3: 12/30 submissions graded (8 s)". Either goes to ``console`` (stderr for `grader grade`,
    so that ``--json`` keeps stdout clean). ``advance`` may be called from several threads.
    """
    import threading
    import time

    from .messages import t

    if console.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=False) as progress:
            task = progress.add_task(t("progress_grading", lang, what=label), total=total)
            yield lambda record: progress.advance(task)
        return
    start = time.monotonic()
    state = {"done": 0, "said": start}
    lock = threading.Lock()

    def advance(record) -> None:
        with lock:
            state["done"] += 1
            now = time.monotonic()
            if state["done"] >= total or now - state["said"] >= every_s:
                state["said"] = now
                console.print(t("progress_graded", lang, what=label, done=state["done"], total=total,
                                seconds=now - start), markup=False, highlight=False, soft_wrap=True)

    yield advance
