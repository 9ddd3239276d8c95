"""Terminal rendering of registry listings and results (rich), kept apart from the CLI logic."""
from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.table import Table

from .registry import Exercise
from .results import ExerciseResult
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


def result_table(result: ExerciseResult) -> Table:
    table = Table(title=f"{result.exercise}: {result.score:g} / {result.max_score:g}")
    for col in ("check", "points", "verdict", "message"):
        table.add_column(col, overflow="fold")
    for c in result.checks:
        verdict = "[green]pass[/green]" if c.passed else "[red]FAIL[/red]"
        table.add_row(rich_text(c.name), f"{c.points:g}/{c.max_points:g}", verdict, rich_text(c.message))
    return table


def print_result(console: Console, result: ExerciseResult, path: str, lang: str = "en") -> None:
    """A student's verdict: the error if it could not be loaded, else the checks table and total."""
    if result.error:
        label = "Could not grade" if lang == "en" else "No se pudo corregir"
        console.print(f"[bold red]{label} {rich_markup(path)}:[/bold red] {rich_markup(result.error)}")
    console.print(result_table(result))
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


def class_table(records: list[dict], exercise: str) -> Table:
    table = Table(title=f"{exercise}: {len(records)} submissions")
    for col in ("student", "score", "failed checks / error"):
        table.add_column(col, overflow="fold")
    for r in sorted(records, key=lambda r: r["student"]):
        failed = r["error"] or ", ".join(c["name"] for c in r["checks"] if not c["passed"])
        table.add_row(rich_text(r["student"]), f"{r['score']:g} / {r['max_score']:g}", rich_text(failed)[:200])
    return table


@contextmanager
def progress_bar(console: Console, total: int, label: str):
    """Yields ``advance(record)``; draws a bar only when the console is a terminal."""
    if not console.is_terminal:
        yield lambda record: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task(label, total=total)
        yield lambda record: progress.advance(task)
