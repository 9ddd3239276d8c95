"""What a student may see of a graded check, and which known mistakes a message names.

A check is the dict form of :class:`autograder.results.CheckResult`::

    {"name": str, "points": float, "max_points": float, "passed": bool,
     "hidden": bool, "message": str}

Hidden checks run on fresh inputs the student must never see (nbgrader issue
917 is what happens otherwise), so the message of a *failed hidden* check is
replaced as a whole; only the known mistake it names is kept, rebuilt from the
exercise's constant ``MISTAKES`` texts so that nothing computed from a hidden
input can leak through::

    "mask values should be 0 or 1/p = 3.33333; found 1. Likely mistake: the mask is not divided by p …"
    -> "Failed on the hidden test inputs. Likely mistake: the mask is not divided by p …"

Nothing else of the original message is kept, not even text that looks like
a mistake sentence: student code that sees a hidden input can raise an
exception whose text carries it. The only failure messages of a hidden check
kept as they are are the few grader templates that involve no input at all
(the submission could not be loaded; a required name is not defined).
"""
from __future__ import annotations

import re

from . import registry
from .messages import MESSAGES, Text, t

TEXTS = {
    "hidden_failed": Text("Failed on the hidden test inputs.", "Falla con las entradas ocultas."),
}

#: message templates that involve no test input, so a hidden check may show them as they are
_INPUT_FREE = ("not_loaded", "not_defined", "none_defined")


def _template_regex(template: str) -> re.Pattern:
    """A regex matching ``template`` with each ``{field}`` filled by identifiers, commas and spaces."""
    parts = re.split(r"\{[^}]*\}", template)
    return re.compile(r"[\w, ]{1,400}".join(re.escape(p) for p in parts) + r"\Z")


_INPUT_FREE_RE = tuple(_template_regex(tpl) for key in _INPUT_FREE
                       for tpl in (MESSAGES[key].en, MESSAGES[key].es))


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


def named_mistakes(exercise_id: str, message: str) -> list[str]:
    """Ids of the exercise's known mistakes whose English or Spanish text appears in ``message``.

    In order of appearance in the message, each id once.
    """
    found: list[tuple[int, str]] = []
    for mistake_id, text in exercise_mistakes(exercise_id).items():
        positions = [message.find(s) for s in (text.en, text.es) if s and s in message]
        if positions:
            found.append((min(positions), mistake_id))
    return [mistake_id for _, mistake_id in sorted(found)]


def student_message(check: dict, lang: str = "en", exercise_id: str | None = None) -> str:
    """The message of ``check`` as its student may read it.

    Public check: the message unchanged. Hidden check that passed: "ok" /
    "correcto". Hidden check that failed: "Failed on the hidden test inputs." /
    "Falla con las entradas ocultas." plus the likely-mistake sentence when the
    message names one of the exercise's known mistakes, rebuilt in ``lang`` from
    its ``MISTAKES``. Give ``exercise_id`` (or an "exercise" key in the check);
    without it every exercise's mistakes are searched.
    """
    message = check.get("message", "") or ""
    if not check.get("hidden", False):
        return message
    if check.get("passed", False):
        return t("passed", lang)
    if any(regex.match(message) for regex in _INPUT_FREE_RE):
        return message
    exercise_id = exercise_id or check.get("exercise")
    exercise_ids = [exercise_id] if exercise_id else [e.id for e in registry.EXERCISES]
    sentences = [t("mistake", lang, mistake=exercise_mistakes(ex)[i](lang))
                 for ex in exercise_ids for i in named_mistakes(ex, message)]
    return TEXTS["hidden_failed"](lang) + "".join(dict.fromkeys(sentences))
