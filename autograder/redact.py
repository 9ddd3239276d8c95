"""What a student may see of a graded check, in the language asked for.

The policy, applied by :meth:`autograder.results.CheckResult.student_message` (a check's
``text`` holds every language, its ``outcome`` says what happened, its ``mistakes`` the ids of
the known mistakes found); :func:`student_message` applies it to a check's dict form.

Hidden checks run on fresh inputs the student must never see (nbgrader issue
917 is what happens otherwise), so the message of a *failed hidden* check is
replaced as a whole; only the known mistakes it found are said, rebuilt from
the exercise's constant ``MISTAKES`` texts by their ids, so that nothing
computed from a hidden input can leak through::

    "mask values should be 0 or 1/p = 3.33333; found 1. Likely mistake: the mask is not divided by p …"
    -> "Failed on the hidden test inputs. Likely mistake: the mask is not divided by p …"

The only failure messages of a hidden check shown as they are are those of outcomes that involve
no test input at all (the submission could not be loaded; a required name is not defined). Nothing
here reads a message's text.
"""
from __future__ import annotations

from . import registry
from .messages import Text

TEXTS = {
    "hidden_failed": Text("Failed on the hidden test inputs.", "Falla con las entradas ocultas."),
}

#: outcomes whose message involves no test input, so a hidden check may show it as it is
INPUT_FREE = ("not_loaded", "not_defined")


def exercise_mistakes(exercise_id: str) -> dict[str, Text]:
    """The exercise's ``MISTAKES`` ({id: Text}); empty for an unknown exercise or one without checks yet."""
    from .grading import exercise_module

    try:
        ex_id = registry.get(exercise_id).id
        return dict(getattr(exercise_module(ex_id), "MISTAKES", {}))
    except KeyError:
        return {}
    except ModuleNotFoundError as exc:
        if exc.name != f"autograder.exercises.{ex_id}":
            raise
        return {}


def student_message(check: dict, lang: str = "en", exercise_id: str | None = None) -> str:
    """:meth:`autograder.results.CheckResult.student_message` of a check's dict form (a check as
    ``to_dict`` writes it, or as an older record holds it)."""
    from .results import CheckResult

    return CheckResult.from_dict(check, exercise_id or "", lang).student_message(lang, exercise_id)
