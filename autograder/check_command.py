"""``grader check`` itself, without click: check a file, print the verdict, return the exit code.

Two callers: the ``check`` command of :mod:`autograder.cli` (click parses its options) and
:mod:`autograder.entry`, which runs the plainest forms of the command line (``grader check EX [PATH]
[--json] [--lang L]``) without importing click, 20 ms of a student's wait (see there). The API's
refusals (:class:`autograder.api.Refused`) propagate: each caller presents them as click does.
"""
from __future__ import annotations

import sys

from . import api
from .messages import t

EXIT_FULL, EXIT_FAILED, EXIT_USAGE, EXIT_UNLOADABLE = 0, 1, 2, 3
#: `grader check`'s exit code for each :attr:`api.CheckOutcome.status`
CHECK_EXIT = {"full": EXIT_FULL, "failed": EXIT_FAILED, "unloadable": EXIT_UNLOADABLE}


def run(exercise: str, path=None, *, as_json: bool = False, lang: str = "en", console=None) -> int:
    """Check ``path`` (default: the exercise's file in the current folder) with the public checks of
    ``exercise``; print the table on ``console`` (a rich Console; default: a new one on standard output),
    or the result as one line of JSON; return the exit code (:data:`CHECK_EXIT`). The note that another
    file of the exercise differs goes to standard error before the checks run."""
    def say(key: str, **fields) -> None:
        print(t(key, lang, **fields), file=sys.stderr, flush=True)

    if not as_json:  # imported now, while the student process starts, rather than after it has answered
        from .render import print_result

        if console is None:
            from rich.console import Console

            console = Console()
    outcome = api.check(exercise, path, lang=lang, say=say)
    if as_json:
        import json

        print(json.dumps(outcome.result.to_dict(), ensure_ascii=False), flush=True)
    else:
        print_result(console, outcome.result, str(outcome.graded_file), lang)
    return CHECK_EXIT[outcome.status]
