"""The ``grader`` command line: a thin click layer over the Python API.

Each command parses its options, calls one API function and renders the
result; nothing here computes a grade. Heavy libraries (TensorFlow,
nbgrader) are never imported at module level.
"""
from __future__ import annotations

import json
import os
import sys

import click

from . import __version__, registry

LANGS = ("en", "es")


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


def _default_lang() -> str:
    lang = os.environ.get("GRADER_LANG", "en").lower()
    return lang if lang in LANGS else "en"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
def main():
    """nn-grader: exercises and autograding for the feedforward-networks course."""


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--lang", type=click.Choice(LANGS), default=_default_lang, show_default="en or $GRADER_LANG")
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
