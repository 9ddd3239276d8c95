"""Variants of the reference: other accepted forms, and known student mistakes.

``FORMS[name]`` and ``MISTAKES[id]`` each map contract names to replacement
functions; the grader runs a check's procedure against the reference with
those names replaced. A form is a correct answer (e.g. Keras' AdaGrad);
a mistake is exactly one known error, so when a student's output matches its
output the feedback can name the error. Mistakes are added per exercise by
``reference_impl/mistakes_exN.py`` modules and collected here.
"""
from __future__ import annotations

from . import optimizers

FORMS: dict[str, dict] = {
    "reference": {},
    "keras": {
        "adagrad": optimizers.adagrad_keras,
        "rmsprop": optimizers.rmsprop_keras,
        "adam": optimizers.adam_keras,
    },
}

MISTAKES: dict[str, dict] = {}


def register(mistakes: dict[str, dict]) -> None:
    """Add mistake variants; ids must be new."""
    for key, replacement in mistakes.items():
        if key in MISTAKES:
            raise ValueError(f"mistake {key!r} registered twice")
        MISTAKES[key] = replacement


def namespace(form: str = "reference", mistake: str | None = None) -> dict:
    """The reference's contract names, with a form's and/or a mistake's replacements applied."""
    import reference_impl

    _load_mistakes()
    ns = {name: getattr(reference_impl, name) for name in reference_impl.__all__}
    ns.update(FORMS[form])
    if mistake is not None:
        ns.update(MISTAKES[mistake])
    return ns


_loaded = False


def _load_mistakes() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil

    import reference_impl

    for info in pkgutil.iter_modules(reference_impl.__path__):
        if info.name.startswith("mistakes_"):
            importlib.import_module(f"reference_impl.{info.name}")
