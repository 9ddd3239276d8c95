"""The ``grader`` program's entry point: what happens before the command line is parsed, and after
``grader check`` has answered.

``grader check`` is the command a student runs again and again, and most of its time is spent waiting:
for the student process, which must import NumPy (about 0.1 s) before it can load the submission, and
for this process's own imports. So when the command is ``check``:

* the warm template (:mod:`autograder.sandbox.zygote`) starts first, before this process imports
  anything else: both then import at the same time, on two cores. Which exercise is checked is not
  known yet (the registry is not imported, to start sooner): the template is the NumPy exercises' one,
  and :func:`autograder.api.check` closes it unused when the exercise is a Keras one;
* the plainest forms of the command line, ``grader check EXERCISE [PATH] [--json] [--lang LANG]``, run
  :func:`autograder.check_command.run` without importing click (20 ms); what they print and their exit
  codes are click's (a refusal is shown by click's own error, :func:`_refused`). Anything else on the
  line (``--help``, an unknown option, a folder as PATH, a language not offered) goes to click;
* once the verdict is printed, the process ends at once (``os._exit``) after flushing its output and
  closing the templates: tearing down the interpreter (NumPy, rich; TensorFlow for a Keras exercise)
  would take another 25 ms or more, and nothing ``check`` made is left to clean up (the sandbox has
  closed the student process and removed its folder when the checks ended).

Every other command is :func:`autograder.cli.main`, unchanged.
"""
from __future__ import annotations

import os
import sys


def _checks(argv: list[str]) -> bool:
    """Whether ``argv`` (without the program's name) asks ``grader check`` to check something."""
    return bool(argv) and argv[0] == "check" and len(argv) > 1 and not {"-h", "--help"} & set(argv)


def _plain(argv: list[str]) -> tuple[str, str | None, bool, str | None] | None:
    """``(exercise, path, as_json, lang)`` when ``argv`` is ``check EXERCISE [PATH] [--json] [--lang L]``
    (options anywhere after ``check``, ``--lang=L`` too; ``lang`` None: the default), else None: the line
    is click's to read (and to refuse)."""
    from .messages import LANGS

    if not _checks(argv):
        return None
    words, as_json, lang = [], False, None
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "--json":
            as_json = True
        elif arg == "--lang" or arg.startswith("--lang="):
            lang = arg.partition("=")[2] if "=" in arg else next(rest, None)
            if lang not in LANGS:
                return None
        elif arg.startswith("-"):
            return None
        else:
            words.append(arg)
    if not 1 <= len(words) <= 2 or (len(words) == 2 and os.path.isdir(words[1])):
        return None
    return words[0], words[1] if len(words) == 2 else None, as_json, lang


def main():
    argv = sys.argv[1:]
    if not _checks(argv):
        from .cli import main as cli

        return cli()
    from .sandbox import zygote  # the standard library only

    zygote.prestart(speculative=True)
    plain = _plain(argv)
    if plain is None:
        from .cli import main as cli

        try:
            cli()
            code = 0  # click's main exits; a return would be a success
        except SystemExit as exc:
            code = exc.code
    else:
        code = _check(*plain)
    _end_now(code, zygote)


def _check(exercise: str, path: str | None, as_json: bool, lang: str | None) -> int:
    """``grader check`` of a plain command line, as :func:`autograder.cli.check_cmd` would run it."""
    from pathlib import Path

    from . import api
    from .check_command import run
    from .messages import default_lang

    lang = lang or default_lang()
    try:
        return run(exercise, None if path is None else Path(path), as_json=as_json, lang=lang)
    except api.Refused as exc:
        return _refused(exc, lang)
    except KeyboardInterrupt:  # as click's main says it
        print("\nAborted!", file=sys.stderr)
        return 1
    except BrokenPipeError:  # grader check | head: click's main exits 1 too
        sys.stdout = None
        return 1


def _refused(exc, lang: str) -> int:
    """Show an API refusal exactly as the ``check`` command does (click's usage error or one line)."""
    import click

    from .cli import api_errors, main as group

    def refuse():
        with api_errors(lang):
            raise exc

    with click.Context(group, info_name=os.path.basename(sys.argv[0])) as top:
        with click.Context(group.commands["check"], info_name="check", parent=top) as ctx:
            try:
                ctx.invoke(refuse)
            except click.ClickException as err:
                err.show()
                return err.exit_code
    return 1


def _end_now(code, zygote) -> None:
    """Exit as ``sys.exit(code)`` would, without tearing the interpreter down: templates closed, output
    flushed."""
    zygote.close_all()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (grader check | head): nothing more can be said
            pass
    os._exit(code)
