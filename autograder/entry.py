"""The ``grader`` program's entry point: what must happen before the command line is parsed, and after
``grader check`` has answered.

``grader check`` spends most of its time waiting for the student process, which must import NumPy
(about 0.1 s) before it can load the submission. So when the command is ``check``:

* the warm template (:mod:`autograder.sandbox.zygote`) is started first, before this process imports
  click, rich and the grader: both imports then run at the same time, on two cores. Which exercise is
  checked is not known yet (the registry is not imported, to start sooner): the template is the NumPy
  exercises' one, and :func:`autograder.api.check` closes it unused when the exercise is a Keras one;
* once the command has printed its answer, the process ends at once (``os._exit``), after flushing its
  output and closing the templates: tearing down the interpreter (NumPy, rich, TensorFlow for a Keras
  exercise) would take another 25 ms or more, and leaves nothing behind that ``check`` made. The student
  process and its folder are gone by then (the sandbox closes them when the checks end).

Every other command is :func:`autograder.cli.main`, unchanged.
"""
from __future__ import annotations

import sys


def _checks(argv: list[str]) -> bool:
    """Whether ``argv`` (without the program's name) asks ``grader check`` to check something."""
    return bool(argv) and argv[0] == "check" and len(argv) > 1 and not {"-h", "--help"} & set(argv)


def main():
    if not _checks(sys.argv[1:]):
        from .cli import main as cli

        return cli()
    from .sandbox import zygote  # the standard library only

    zygote.prestart(speculative=True)
    from .cli import main as cli

    try:
        cli()
        code = 0  # click's main exits; a return would be a success
    except SystemExit as exc:
        code = exc.code
    _end_now(code, zygote)


def _end_now(code, zygote) -> None:
    """Exit as ``sys.exit(code)`` would, without tearing the interpreter down: templates closed, output
    flushed."""
    import os

    zygote.close_all()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (grader check | head): nothing more can be said
            pass
    os._exit(code)
