"""What a student may see of a graded check, in the language asked for.

A check is the dict form of :class:`autograder.results.CheckResult` (its "messages" hold every
language, its "outcome" says what happened, its "mistakes" the ids of the known mistakes found).

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
from .messages import Text, as_msg, t

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


def message(check: dict, lang: str = "en") -> str:
    """The check's own message in ``lang`` (the one stored, for an older record with one language)."""
    return as_msg(check.get("messages") or check.get("message", "") or "")(lang)


def title(check: dict, lang: str = "en") -> str:
    """The check's title in ``lang``."""
    return as_msg(check.get("titles") or check.get("name", ""))(lang)


def student_message(check: dict, lang: str = "en", exercise_id: str | None = None) -> str:
    """The message of ``check`` as its student may read it, in ``lang``.

    Public check: its message. Hidden check that passed: "ok" / "correcto". Hidden check that
    failed: its message when its outcome involves no input (:data:`INPUT_FREE`), else "Failed on
    the hidden test inputs." / "Falla con las entradas ocultas." plus a likely-mistake sentence
    for each known mistake it found, rebuilt in ``lang`` from the exercise's ``MISTAKES`` (the
    exercise: ``exercise_id``, or the check id's prefix).
    """
    if not check.get("hidden", False):
        return message(check, lang)
    if check.get("passed", False):
        return t("passed", lang)
    if check.get("outcome") in INPUT_FREE:
        return message(check, lang)
    exercise_id = exercise_id or str(check.get("id", "")).partition(".")[0]
    texts = exercise_mistakes(exercise_id) if exercise_id else {}
    sentences = [t("mistake", lang, mistake=texts[m](lang)) for m in check.get("mistakes") or () if m in texts]
    return TEXTS["hidden_failed"](lang) + "".join(dict.fromkeys(sentences))
