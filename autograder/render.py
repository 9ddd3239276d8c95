"""Terminal rendering of registry listings and results (rich), kept apart from the CLI logic."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .registry import Exercise
from .results import ExerciseResult


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
        table.add_row(c.name, f"{c.points:g}/{c.max_points:g}", verdict, c.message)
    return table


def print_table(console: Console, table: Table) -> None:
    console.print(table)
